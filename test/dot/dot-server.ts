// Starts the real django-oauth-toolkit server of dot_server.py for a test file, and reports the
// tests that need it as skipped (or failed, under CI) when Debian's package is missing.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';
import { reportMissing } from '../helpers/system-package.js';

const PYTHON = '/usr/bin/python3';
const SERVER = new URL('./dot_server.py', import.meta.url).pathname;
const MISSING = `no django-oauth-toolkit for ${PYTHON} (install Debian's package: apt-get install python3-django-oauth-toolkit)`;

/** True when Debian's python3-django-oauth-toolkit is installed. */
export const hasDOT = spawnSync(PYTHON, ['-c', 'import oauth2_provider'], { stdio: 'ignore' }).status === 0;

/** Without django-oauth-toolkit: a failing test under CI, a warning otherwise. */
export function reportMissingDOT(suite: string): void {
  reportMissing(suite, hasDOT, MISSING);
}

export interface DOTConfig {
  users: Array<{ email: string; password: string; first_name: string; last_name: string }>;
  applications: Array<{ name: string; client_id: string; client_secret: string; grant_type: 'authorization-code' | 'password'; redirect_uris?: string[] }>;
}

export interface DOTServer {
  baseURL: string;
  stop(): Promise<void>;
}

/**
 * Starts the server before the enclosing file's or `describe`'s tests, with the users and
 * applications `config` gives (it may first pick ports those need), and stops it after them.
 * Returns the running server.
 */
export function useDOT(config: () => DOTConfig | Promise<DOTConfig>): () => DOTServer {
  let server: DOTServer | undefined;
  beforeAll(async () => {
    if (hasDOT) server = await startDOT(await config());
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => server!;
}

/** Starts the server on a free loopback port; it stops when `stop()` closes its stdin. */
async function startDOT(config: DOTConfig): Promise<DOTServer> {
  const child = spawn(PYTHON, [SERVER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  let port: number | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    const match = /^listening (\d+)$/.exec(line);
    if (match) {
      port = Number(match[1]);
      break;
    }
  }
  if (port === undefined) {
    await exited;
    throw new Error(`the django-oauth-toolkit server exited (${String(child.exitCode)}) before it was ready`);
  }
  return {
    baseURL: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A browser's session at the Django server: its cookies, kept across requests. */
export class DjangoBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly baseURL: string) {}

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }

  async signIn(person: { email: string; password: string }): Promise<void> {
    const res = await this.fetch(`${this.baseURL}/login/`, { method: 'POST', body: new URLSearchParams({ username: person.email, password: person.password, next: '/' }) });
    if (res.status !== 302) throw new Error(`Django refused the sign-in of ${person.email}: ${res.status}`);
  }

  /**
   * Opens DOT's authorize URL. When DOT shows its consent page, submits the form as the person
   * would (Authorize, or Cancel to deny); returns where DOT sends the browser.
   */
  async authorize(authorize: URL, decision: 'Authorize' | 'Cancel' = 'Authorize'): Promise<{ callback: URL; sawConsent: boolean }> {
    const page = await this.fetch(authorize.href);
    if (page.status === 302) return { callback: new URL(page.headers.get('location')!), sawConsent: false };
    const html = await page.text();
    if (page.status !== 200) throw new Error(`DOT's authorize page answered ${page.status}: ${html}`);
    const form = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g)) {
      form.set(name!, (value ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
    }
    if (decision === 'Authorize') form.set('allow', 'Authorize');
    const res = await this.fetch(authorize.href, { method: 'POST', body: form, headers: { referer: authorize.href } });
    const location = res.headers.get('location');
    if (res.status !== 302 || !location) throw new Error(`DOT's consent form answered ${res.status}: ${await res.text()}`);
    return { callback: new URL(location), sawConsent: true };
  }
}
