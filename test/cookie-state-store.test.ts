// Sign-in across app instances with no shared store: pending sign-ins in sealed cookies and the
// session in cookie-session, so any instance can finish any sign-in.
import { createCipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import express from 'express';
import cookieSession from 'cookie-session';
import { Passport } from 'passport';
import request from 'supertest';
import { CookieStateStore, Strategy, type Profile } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import type { PendingSignIn } from '../src/pending-sign-in.js';

const CALLBACK = 'http://app.test/auth/7geese/callback';
const SECRET = 'a-state-secret-of-at-least-32-characters';
let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
  sim.addClient({ clientId: 'multi', clientSecret: 'multi-secret', redirectUris: [CALLBACK] });
});
afterEach(async () => {
  vi.useRealTimers();
  await sim.close();
});

/** One instance of the app; instances share nothing but their configured secrets. */
function instance(store = new CookieStateStore({ secret: SECRET })) {
  const passport = new Passport();
  passport.use(new Strategy({ clientID: 'multi', clientSecret: 'multi-secret', callbackURL: CALLBACK, baseURL: sim.baseURL, store }, async (_a: string, _r: string | undefined, profile: Profile) => ({ id: profile.id })));
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(cookieSession({ name: 'session', keys: ['a-session-key-of-at-least-32-characters'] }));
  // passport 0.6+ calls session.regenerate() and save() at login, which cookie-session lacks.
  app.use((req, _res, next) => {
    const s = req.session as unknown as Record<string, unknown> | null;
    if (s && !s.regenerate) {
      s.regenerate = (cb: () => void) => cb();
      s.save = (cb: () => void) => cb();
    }
    next();
  });
  app.use(passport.session());
  app.get('/auth/7geese', passport.authenticate('7geese'));
  app.get('/auth/7geese/callback', passport.authenticate('7geese', { failureRedirect: '/login', failureMessage: true }), (_req, res) => res.redirect('/me'));
  app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
  app.get('/login', (req, res) => res.status(401).json({ messages: (req.session as { messages?: string[] }).messages ?? [] }));
  return { app, store };
}

/** A browser's cookie jar, shared across instances as a load balancer would. */
class Jar {
  readonly cookies = new Map<string, string>();
  take(res: { headers: Record<string, unknown> }): void {
    for (const line of (res.headers['set-cookie'] as string[] | undefined) ?? []) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /Max-Age=0\b/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  get header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async get(app: express.Express, path: string) {
    const res = await request(app).get(path).set('Cookie', this.header);
    this.take(res);
    return res;
  }
}

async function approve(location: string, userId = 1): Promise<string> {
  const url = new URL(location);
  const form = new URLSearchParams(url.searchParams);
  form.set('user', String(userId));
  form.set('allow', 'Approve');
  const res = await fetch(`${sim.baseURL}/o/authorize/`, { method: 'POST', body: form, redirect: 'manual' });
  const back = new URL(res.headers.get('location')!);
  return back.pathname + back.search;
}

async function failure(app: express.Express, jar: Jar, res: { headers: Record<string, unknown> }) {
  expect(res.headers.location).toBe('/login');
  return (await jar.get(app, '/login')).body.messages as string[];
}

describe('CookieStateStore', () => {
  it('lets a sign-in started on one instance finish on another, signed in on both', async () => {
    const a = instance();
    const b = instance();
    const jar = new Jar();
    const started = await jar.get(a.app, '/auth/7geese');
    const done = await jar.get(b.app, await approve(started.headers.location as string, 3));
    expect(done.headers.location).toBe('/me');
    expect((await jar.get(a.app, '/me')).body.user).toEqual({ id: '3' });
    expect((await jar.get(b.app, '/me')).body.user).toEqual({ id: '3' });
    expect([...jar.cookies.keys()].filter((k) => k.startsWith('7geese_oauth.'))).toEqual([]);
  });

  it('keeps two tabs apart: one cookie per pending sign-in', async () => {
    const a = instance();
    const jar = new Jar();
    const tab1 = (await jar.get(a.app, '/auth/7geese')).headers.location as string;
    const tab2 = (await jar.get(a.app, '/auth/7geese')).headers.location as string;
    expect([...jar.cookies.keys()].filter((k) => k.startsWith('7geese_oauth.'))).toHaveLength(2);
    expect((await jar.get(a.app, await approve(tab2, 2))).headers.location).toBe('/me');
    expect((await jar.get(a.app, await approve(tab1, 1))).headers.location).toBe('/me');
  });

  it('sets HttpOnly, SameSite=Lax cookies that expire with the sign-in, Secure when asked', async () => {
    const res = await request(instance(new CookieStateStore({ secret: SECRET, secure: true })).app).get('/auth/7geese');
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('7geese_oauth.'))!;
    expect(cookie).toMatch(/^7geese_oauth\.[\w-]{16}=[\w-]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
  });

  it('refuses a callback with no cookie', async () => {
    const a = instance();
    const jar = new Jar();
    const callback = await approve((await jar.get(a.app, '/auth/7geese')).headers.location as string);
    jar.cookies.clear();
    expect(await failure(a.app, jar, await jar.get(a.app, callback))).toEqual(['Unable to verify authorization request state.']);
  });

  it('refuses a tampered cookie', async () => {
    const a = instance();
    const jar = new Jar();
    const callback = await approve((await jar.get(a.app, '/auth/7geese')).headers.location as string);
    const [name, value] = [...jar.cookies].find(([k]) => k.startsWith('7geese_oauth.'))!;
    jar.cookies.set(name, value.slice(0, 20) + (value[20] === 'A' ? 'B' : 'A') + value.slice(21));
    expect(await failure(a.app, jar, await jar.get(a.app, callback))).toEqual(['Invalid authorization request state.']);
  });

  it('refuses a cookie sealed with another secret', async () => {
    const a = instance();
    const foreign = instance(new CookieStateStore({ secret: 'another-secret-of-at-least-32-characters' }));
    const jar = new Jar();
    const callback = await approve((await jar.get(a.app, '/auth/7geese')).headers.location as string);
    expect(await failure(foreign.app, jar, await jar.get(foreign.app, callback))).toEqual(['Invalid authorization request state.']);
  });

  it('opens cookies sealed with an older secret after a key rotation', async () => {
    const old = instance();
    const rotated = instance(new CookieStateStore({ secret: ['a-brand-new-secret-of-at-least-32-chars', SECRET] }));
    const jar = new Jar();
    const callback = await approve((await jar.get(old.app, '/auth/7geese')).headers.location as string);
    expect((await jar.get(rotated.app, callback)).headers.location).toBe('/me');
  });

  it('refuses a cookie moved to another sign-in', async () => {
    const a = instance();
    const jar = new Jar();
    const first = await approve((await jar.get(a.app, '/auth/7geese')).headers.location as string);
    const [firstName, firstValue] = [...jar.cookies].find(([k]) => k.startsWith('7geese_oauth.'))!;
    jar.cookies.delete(firstName);
    const second = await approve((await jar.get(a.app, '/auth/7geese')).headers.location as string);
    const [secondName] = [...jar.cookies].find(([k]) => k.startsWith('7geese_oauth.'))!;
    jar.cookies.set(secondName, firstValue);
    expect(await failure(a.app, jar, await jar.get(a.app, second))).toEqual(['Invalid authorization request state.']);
    expect(first).toBeTruthy();
  });

  it('refuses an expired cookie', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const a = instance();
    const jar = new Jar();
    const callback = await approve((await jar.get(a.app, '/auth/7geese')).headers.location as string);
    vi.setSystemTime(Date.now() + 10 * 60 * 1000 + 1);
    expect(await failure(a.app, jar, await jar.get(a.app, callback))).toEqual(['Authorization request has expired. Please sign in again.']);
  });

  it('refuses a replayed cookie and state', async () => {
    const a = instance();
    const jar = new Jar();
    const callback = await approve((await jar.get(a.app, '/auth/7geese')).headers.location as string);
    const stolen = jar.header;
    expect((await jar.get(a.app, callback)).headers.location).toBe('/me');
    const replay = await request(a.app).get(callback).set('Cookie', stolen);
    expect(replay.headers.location).toBe('/login');
  });

  it('keeps at most maxPending sign-ins, dropping the oldest', async () => {
    const a = instance(new CookieStateStore({ secret: SECRET, maxPending: 2 }));
    const jar = new Jar();
    const first = (await jar.get(a.app, '/auth/7geese')).headers.location as string;
    await jar.get(a.app, '/auth/7geese');
    await jar.get(a.app, '/auth/7geese');
    expect([...jar.cookies.keys()].filter((k) => k.startsWith('7geese_oauth.'))).toHaveLength(2);
    expect(await failure(a.app, jar, await jar.get(a.app, await approve(first)))).toEqual(['Unable to verify authorization request state.']);
  });

  it('checks its options', () => {
    expect(() => new CookieStateStore({ secret: 'short' })).toThrow('CookieStateStore option "secret" must be a string of at least 32 characters');
    expect(() => new CookieStateStore({ secret: SECRET, cookieName: 'a b' })).toThrow('CookieStateStore option "cookieName"');
    expect(() => new CookieStateStore({ secret: SECRET, maxPending: 0 })).toThrow('option "maxPending" must be a whole number from 1 to 20');
    expect(() => new CookieStateStore({ secret: SECRET, lifetime: -5 })).toThrow('option "lifetime"');
  });
});

describe('CookieStateStore, called as the Strategy calls it', () => {
  type FakeReq = { headers: { cookie?: string }; res?: { append(name: string, value: string): void }; secure?: boolean };
  const cookieName = (handle: string) => `7geese_oauth.${createHash('sha256').update(handle).digest('base64url').slice(0, 16)}`;
  const pending = (extra: Partial<PendingSignIn> = {}): PendingSignIn => ({ verifier: 'ver', appState: undefined, scope: undefined, ...extra });

  /** A browser: its cookies, sent with each call, and the Set-Cookie lines each call answered. */
  function browser(cookies: Array<[string, string]> = []) {
    const jar = new Map(cookies);
    const call = () => {
      const set: string[] = [];
      const req: FakeReq = { headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') }, res: { append: (_n, c) => set.push(c) }, secure: false };
      const apply = () => {
        for (const line of set) {
          const [pair] = line.split(';');
          const eq = pair!.indexOf('=');
          if (/Max-Age=0(;|$)/.test(line)) jar.delete(pair!.slice(0, eq));
          else jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
        }
      };
      return { req, set, apply };
    };
    return {
      jar,
      save(store: CookieStateStore, p = pending()) {
        const c = call();
        let out: { err: Error | null; handle?: string | undefined } | undefined;
        store.save(c.req as never, p, (err, handle) => (out = { err, handle }));
        c.apply();
        return { ...out!, set: c.set };
      },
      take(store: CookieStateStore, handle: unknown) {
        const c = call();
        let out: { err: Error | null; pending: PendingSignIn | false; code: string | undefined } | undefined;
        store.take(c.req as never, handle, (err, p, why) => (out = { err, pending: p, code: why?.code }));
        c.apply();
        return { ...out!, set: c.set };
      },
    };
  }

  it('refuses each bad option with a TypeError that names it', () => {
    const bad: Array<[unknown, string]> = [
      [undefined, 'CookieStateStore requires an options object with a secret.'],
      [null, 'CookieStateStore requires an options object with a secret.'],
      ['a-state-secret-of-at-least-32-characters', 'CookieStateStore requires an options object with a secret.'],
      [{ secret: [] }, 'CookieStateStore option "secret" must be a string of at least 32 characters (or an array of them), the same on every instance.'],
      [{ secret: [SECRET, 5] }, 'option "secret"'],
      [{ secret: [SECRET, 'x'.repeat(31)] }, 'option "secret"'],
      [{ secret: { length: 1, 0: SECRET } }, 'option "secret"'],
      [{ secret: SECRET, cookieName: 5 }, 'CookieStateStore option "cookieName" must be 1 to 40 letters, digits, ".", "_" or "-".'],
      [{ secret: SECRET, cookieName: 'x'.repeat(41) }, 'option "cookieName"'],
      [{ secret: SECRET, secure: 'yes' }, 'CookieStateStore option "secure" must be true or false.'],
      [{ secret: SECRET, path: 'auth/' }, 'CookieStateStore option "path" must be a path starting with "/".'],
      [{ secret: SECRET, path: '/a b' }, 'option "path"'],
      [{ secret: SECRET, path: '/a;Domain=evil' }, 'option "path"'],
      [{ secret: SECRET, path: 5 }, 'option "path"'],
      [{ secret: SECRET, lifetime: 0 }, 'CookieStateStore option "lifetime" must be a whole number of milliseconds greater than 0.'],
      [{ secret: SECRET, lifetime: 1.5 }, 'option "lifetime"'],
      [{ secret: SECRET, maxPending: 21 }, 'CookieStateStore option "maxPending" must be a whole number from 1 to 20.'],
      [{ secret: SECRET, maxPending: 1.5 }, 'option "maxPending"'],
    ];
    for (const [options, message] of bad) expect(() => new CookieStateStore(options as never), JSON.stringify(options)).toThrow(message);
    for (const good of [{ secret: 'x'.repeat(32) }, { secret: [SECRET, 'y'.repeat(32)] }, { secret: SECRET, cookieName: 'x'.repeat(40), secure: true, path: '/auth', lifetime: 1, maxPending: 1 }, { secret: SECRET, maxPending: 20 }]) {
      expect(() => new CookieStateStore(good)).not.toThrow();
    }
  });

  it('sets and clears its cookie with exactly these attributes', () => {
    const store = new CookieStateStore({ secret: SECRET, path: '/auth', lifetime: 90_500 });
    const b = browser();
    const saved = b.save(store);
    const name = cookieName(saved.handle!);
    expect(saved.set).toEqual([expect.stringMatching(new RegExp(`^${name.replace('.', '\\.')}=[\\w-]+; Path=/auth; Max-Age=91; HttpOnly; SameSite=Lax$`))]);
    const taken = b.take(store, saved.handle);
    expect(taken.pending).toMatchObject({ verifier: 'ver' });
    expect(taken.set).toEqual([`${name}=; Path=/auth; Max-Age=0; HttpOnly; SameSite=Lax`]);
  });

  it('opens a cookie sealed as version 1 seals it, so instances of other releases can finish the sign-in', () => {
    const handle = 'a-handle-sealed-elsewhere';
    const name = cookieName(handle);
    const key = Buffer.from(hkdfSync('sha256', SECRET, 'passport-7geese', 'cookie-state-store v1', 32));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(name));
    const body = Buffer.concat([cipher.update(JSON.stringify({ h: handle, v: 'ver-1', sc: 'userprofile:read', x: Date.now() + 60_000 })), cipher.final()]);
    const sealed = Buffer.concat([Buffer.from([1]), iv, body, cipher.getAuthTag()]);
    const store = new CookieStateStore({ secret: SECRET });
    expect(browser([[name, sealed.toString('base64url')]]).take(store, handle).pending).toMatchObject({ verifier: 'ver-1', scope: ['userprofile:read'] });
    // The version byte is not covered by the seal; another version is refused all the same.
    const other = Buffer.from(sealed);
    other[0] = 2;
    // (A store of its own: the first already spent the handle.)
    expect(browser([[name, other.toString('base64url')]]).take(new CookieStateStore({ secret: SECRET }), handle)).toMatchObject({ pending: false, code: 'state_mismatch' });
  });

  it('answers a state that is not a string as missing, without throwing', () => {
    const store = new CookieStateStore({ secret: SECRET });
    const b = browser();
    b.save(store);
    for (const state of [undefined, 5, ['x'], { h: 1 }, '', 'x'.repeat(101)]) {
      expect(b.take(store, state), String(state)).toMatchObject({ err: null, pending: false, code: 'state_missing', set: [] });
    }
  });

  it('refuses an app state over 1024 characters as JSON, and takes one of exactly 1024', () => {
    const store = new CookieStateStore({ secret: SECRET });
    const b = browser();
    const fits = { r: 'x'.repeat(1024 - '{"r":""}'.length) };
    expect(b.save(store, pending({ appState: fits })).err).toBeNull();
    const tooBig = b.save(store, pending({ appState: { r: `${fits.r}x` } }));
    expect(tooBig.err?.message).toBe('CookieStateStore: the state object passed to passport.authenticate is over 1024 bytes as JSON; keep it small (such as a returnTo path).');
    expect(tooBig.set).toEqual([]);
  });

  it('reports a request it cannot set a cookie on as an error, on save and on take', () => {
    const store = new CookieStateStore({ secret: SECRET });
    const b = browser();
    const { handle } = b.save(store);
    const noResponse = { headers: { cookie: [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ') } };
    let saved: Error | null | undefined;
    store.save(noResponse as never, pending(), (err) => (saved = err));
    expect(saved?.message).toMatch(/^CookieStateStore cannot set its cookie/);
    let taken: { err: Error | null; pending: unknown } | undefined;
    store.take(noResponse as never, handle, (err, p) => (taken = { err, pending: p }));
    expect(taken).toMatchObject({ err: saved, pending: false });
  });

  it('drops its own oldest cookie, however the browser orders them, and never touches other cookies', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new CookieStateStore({ secret: SECRET, maxPending: 2 });
    const b = browser([['session', 'keep-me']]);
    const first = b.save(store, pending()).handle!;
    vi.advanceTimersByTime(100_000);
    const second = b.save(store, pending()).handle!;
    vi.advanceTimersByTime(100_000);
    // The browser sends the newest first, and a cookie under the store's prefix it cannot open.
    const reordered = browser([['session', 'keep-me'], [cookieName(second), b.jar.get(cookieName(second))!], [cookieName(first), b.jar.get(cookieName(first))!], ['7geese_oauth.junk', 'not-sealed']]);
    const third = reordered.save(store, pending());
    expect(third.set.filter((l) => /Max-Age=0/.test(l)).sort()).toEqual(
      ['7geese_oauth.junk', cookieName(first)].sort().map((n) => `${n}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`),
    );
    expect([...reordered.jar.keys()].sort()).toEqual(['session', cookieName(second), cookieName(third.handle!)].sort());
    const only = new CookieStateStore({ secret: SECRET, maxPending: 1 });
    const c = browser([['session', 'keep-me']]);
    c.save(only);
    c.save(only);
    expect(c.jar.get('session')).toBe('keep-me');
    expect(c.jar.size).toBe(2);
  });
});
