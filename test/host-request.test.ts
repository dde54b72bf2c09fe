// What the strategy and CookieStateStore read from and write to a request on hosts other than
// Express: Fastify's request (no `connection`, no `res`) and koa-passport's (a stand-in `res`).
import { describe, expect, it } from 'vitest';
import { CookieStateStore, Strategy } from '../src/index.js';

const SECRET = 'a-cookie-state-secret-of-32-chars!!';

/** Runs one authenticate() on a request shaped like a host's, with the Passport actions caught. */
function authenticate(strategy: Strategy, req: object): Promise<{ redirect?: string; error?: Error }> {
  return new Promise((resolve) => {
    const s = Object.create(strategy) as Strategy & Record<string, unknown>;
    s.redirect = (url: string) => resolve({ redirect: url });
    s.error = (error: Error) => resolve({ error });
    s.fail = () => resolve({ error: new Error('failed') });
    s.authenticate(req as never, {});
  });
}

function strategy(options: Record<string, unknown> = {}) {
  return new Strategy(
    { clientID: 'id', clientSecret: 'secret', callbackURL: '/auth/7geese/callback', baseURL: 'https://7geese.test', ...options },
    async () => false,
  );
}

const fastifyLike = (headers: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  headers,
  url: '/auth/7geese',
  protocol: 'http',
  query: {},
  session: {},
  raw: {},
  ...extra,
});

describe('a relative callbackURL', () => {
  it("resolves from the request's protocol and Host, with no req.connection", async () => {
    const out = await authenticate(strategy(), fastifyLike({ host: 'app.example:8080' }));
    expect(new URL(out.redirect!).searchParams.get('redirect_uri')).toBe('http://app.example:8080/auth/7geese/callback');
  });

  it("uses the host's own protocol, which honours its trust-proxy setting", async () => {
    const out = await authenticate(strategy(), fastifyLike({ host: 'app.example' }, { protocol: 'https' }));
    expect(new URL(out.redirect!).searchParams.get('redirect_uri')).toBe('https://app.example/auth/7geese/callback');
  });

  it('reads X-Forwarded-Proto and X-Forwarded-Host only with proxy: true', async () => {
    const headers = { host: 'internal:3000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example' };
    const trusted = await authenticate(strategy({ proxy: true }), fastifyLike(headers));
    expect(new URL(trusted.redirect!).searchParams.get('redirect_uri')).toBe('https://app.example/auth/7geese/callback');
    const untrusted = await authenticate(strategy(), fastifyLike(headers));
    expect(new URL(untrusted.redirect!).searchParams.get('redirect_uri')).toBe('http://internal:3000/auth/7geese/callback');
  });

  it('is an error naming the fix when the Host header is missing or not a host', async () => {
    for (const headers of [{}, { host: 'evil.example/path' }, { host: 'a@b' }]) {
      const out = await authenticate(strategy(), fastifyLike(headers));
      expect(out.error?.message).toMatch(/no valid Host header.*absolute redirect URI/);
    }
  });
});

describe('CookieStateStore on other hosts', () => {
  it("sets its cookie through Fastify's reply once the hook is registered", async () => {
    const headers: string[] = [];
    const req = fastifyLike({ host: 'app.example' });
    CookieStateStore.fastifyHook(req, { header: (name: string, value: string) => headers.push(`${name}: ${value}`) }, () => {});
    const out = await authenticate(strategy({ store: new CookieStateStore({ secret: SECRET }) }), req);
    expect(out.redirect).toBeDefined();
    expect(headers).toHaveLength(1);
    expect(headers[0]).toMatch(/^set-cookie: 7geese_oauth\.[\w-]+=[\w-]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
  });

  it('under Fastify without the hook, says which line to add', async () => {
    const out = await authenticate(strategy({ store: new CookieStateStore({ secret: SECRET }) }), fastifyLike({ host: 'app.example' }));
    expect(out.error?.message).toContain("fastify.addHook('onRequest', CookieStateStore.fastifyHook)");
  });

  it("appends through Koa's context, not koa-passport's stand-in res that would replace", async () => {
    const appended: string[] = [];
    const req = {
      headers: { host: 'app.example' },
      url: '/auth/7geese',
      protocol: 'https',
      query: {},
      res: { setHeader: () => { throw new Error('setHeader replaces the session cookie'); } },
      ctx: { append: (_name: string, value: string) => appended.push(value) },
    };
    const out = await authenticate(strategy({ store: new CookieStateStore({ secret: SECRET }) }), req);
    expect(out.redirect).toBeDefined();
    expect(appended[0]).toMatch(/; Secure$/);
  });
});
