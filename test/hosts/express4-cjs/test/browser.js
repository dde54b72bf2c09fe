'use strict';

// A minimal browser for the tests: keeps each origin's cookies and does not follow redirects,
// so that each step of the sign-in can be checked.
function unescapeHTML(text) {
  return text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}

class Browser {
  constructor() {
    this.jars = new Map();
  }

  async request(url, init = {}) {
    const target = new URL(url);
    const jar = this.jars.get(target.origin) || new Map();
    this.jars.set(target.origin, jar);
    const headers = { ...init.headers };
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(target, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  get(url) {
    return this.request(url);
  }

  /** Submits the simulator's consent form with the button named `button` ('allow' or 'deny'). */
  async consent(consentPage, button) {
    const html = await consentPage.text();
    const form = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
      form.set(unescapeHTML(name), unescapeHTML(value));
    }
    form.set('user', '1');
    form.set(button, button === 'allow' ? 'Approve' : 'Deny');
    return this.request(new URL('/o/authorize/', consentPage.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
  }
}

module.exports = { Browser };
