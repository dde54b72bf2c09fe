// A visitor who has nothing to keep gets no server-side session: failed callbacks, page views,
// 404s and error pages store nothing (issue 12, item 6: 20 000 failed callbacks made 20 000
// sessions that lived 8 hours in Redis).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { MemoryStore } from 'express-session';
import { sid, signIn, startExample, type Example } from '../example-app/setup.js';

let e: Example;
let store: MemoryStore;
beforeEach(async () => {
  store = new MemoryStore();
  e = await startExample(2_000, { sessionStore: store });
});
afterEach(async () => {
  await e.sim.close();
});

const storedSessions = () => new Promise<number>((resolve, reject) => store.length((err, n) => (err ? reject(err) : resolve(n ?? 0))));

/** Each request from a new browser, with no cookie: what a script of anonymous requests does. */
async function fromNewBrowsers(paths: string[]): Promise<{ statuses: number[]; sessionCookies: number }> {
  const statuses: number[] = [];
  let sessionCookies = 0;
  for (const path of paths) {
    const res = await request(e.app).get(path);
    statuses.push(res.status);
    if (sid(res)) sessionCookies++;
  }
  return { statuses, sessionCookies };
}

describe('sessions for anonymous visitors', () => {
  it('200 failed callbacks create no session', async () => {
    const paths = Array.from({ length: 50 }, (_, i) => [
      `/auth/7geese/callback?code=code-${i}&state=forged-${i}`,
      `/auth/7geese/callback?error=access_denied&state=forged-${i}`,
      `/auth/7geese/callback?code=code-${i}`,
      `/auth/7geese/callback?code=a&code=b&state=${i}`,
    ]).flat();
    const { statuses, sessionCookies } = await fromNewBrowsers(paths);
    expect(statuses.every((s) => s >= 400 && s < 500)).toBe(true);
    expect(sessionCookies).toBe(0);
    expect(await storedSessions()).toBe(0);
  });

  it('anonymous page views, 404s, error pages and refused posts create no session', async () => {
    const paths = Array.from({ length: 20 }, (_, i) => ['/', `/nope-${i}`, '/profile', '/objectives', '/%E0%A4%A', `/profile?%${i}`]).flat();
    const { statuses, sessionCookies } = await fromNewBrowsers(paths);
    expect(statuses.every((s) => s < 500)).toBe(true);
    expect(sessionCookies).toBe(0);
    const refused = await request(e.app).post('/login/password').type('form').send({ email: 'ada@example.com', password: 'x' });
    expect(refused.status).toBe(403);
    expect(sid(refused)).toBeUndefined();
    expect(await storedSessions()).toBe(0);
  });

  it('a wrong password from the form creates no session, and the form still works', async () => {
    const home = await e.agent.get('/');
    const token = /name="_csrf" value="([^"]+)"/.exec(home.text)![1]!;
    const wrong = await e.agent.post('/login/password').type('form').send({ _csrf: token, email: 'ada@example.com', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(sid(home)).toBeUndefined();
    expect(sid(wrong)).toBeUndefined();
    expect(await storedSessions()).toBe(0);
    const user = e.sim.users[0]!;
    const ok = await e.agent.post('/login/password').type('form').send({ _csrf: token, email: user.email, password: user.password });
    expect(ok.status).toBe(302);
    expect(sid(ok)).toBeDefined();
    expect(await storedSessions()).toBe(1);
  });

  it('starting a sign-in keeps one session for its state, and nothing more', async () => {
    const started = await request(e.app).get('/auth/7geese');
    expect(started.status).toBe(302);
    expect(sid(started)).toBeDefined();
    expect(await storedSessions()).toBe(1);
  });
});

describe('CSRF tokens without a session', () => {
  const tokenOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  const cookieOf = (res: { headers: Record<string, unknown> }) =>
    ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('csrf='))!.split(';')[0]!;

  it('refuses a form token sent with another browser\'s cookie', async () => {
    const mine = await request(e.app).get('/');
    const theirs = await request(e.app).get('/');
    const user = e.sim.users[0]!;
    const form = { _csrf: tokenOf(theirs.text), email: user.email, password: user.password };
    const crossed = await request(e.app).post('/login/password').set('Cookie', cookieOf(mine)).type('form').send(form);
    expect(crossed.status).toBe(403);
    const own = await request(e.app).post('/login/password').set('Cookie', cookieOf(theirs)).type('form').send(form);
    expect(own.status).toBe(302);
  });

  it('a token from before sign-in does not work after it', async () => {
    const before = tokenOf((await e.agent.get('/')).text);
    await signIn(e, 1);
    const stale = await e.agent.post('/logout').type('form').send({ _csrf: before });
    expect(stale.status).toBe(403);
    const fresh = tokenOf((await e.agent.get('/')).text);
    expect(fresh).not.toBe(before);
    expect((await e.agent.post('/logout').type('form').send({ _csrf: fresh })).status).toBe(303);
  });
});
