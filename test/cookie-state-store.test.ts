// Sign-in across app instances with no shared store: pending sign-ins in sealed cookies and the
// session in cookie-session, so any instance can finish any sign-in.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import express from 'express';
import cookieSession from 'cookie-session';
import { Passport } from 'passport';
import request from 'supertest';
import { CookieStateStore, Strategy, type Profile } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';

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
