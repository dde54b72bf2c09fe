// A minimal browser for the tests: keeps each origin's cookies and does not follow redirects,
// so that each step of the sign-in can be checked.
function unescapeHTML(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}

export class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async request(url: string | URL, init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const jar = this.jars.get(target.origin) ?? new Map<string, string>();
    this.jars.set(target.origin, jar);
    const headers: Record<string, string> = { ...init.headers };
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(target, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    for (const cookie of res.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  get(url: string | URL): Promise<Response> {
    return this.request(url);
  }

  /** Submits the simulator's consent form with its Approve ('allow') or Deny ('deny') button. */
  async consent(consentPage: Response, button: 'allow' | 'deny'): Promise<Response> {
    const html = await consentPage.text();
    const form = new URLSearchParams();
    for (const [, name = '', value = ''] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
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
