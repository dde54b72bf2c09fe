// The example app's session cookie and headers, as SECURITY.md describes them: the session
// cookie is HttpOnly and SameSite=Lax (Secure behind an HTTPS proxy), and no page sends its URL
// to another site as a referrer.
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../../example-app/src/app.js';
import { startExample, type Example } from '../example-app/setup.js';

let e: Example | undefined;
afterEach(async () => {
  await e?.sim.close();
  e = undefined;
});

const sessionCookie = (res: request.Response) => ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith('sid='));

describe('the example app', () => {
  it('sets its session cookie HttpOnly and SameSite=Lax when sign-in starts, and sends Referrer-Policy: same-origin', async () => {
    e = await startExample();
    const started = await e.agent.get('/auth/7geese');
    expect(started.status).toBe(302);
    const cookie = sessionCookie(started)!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/; Secure/);
    expect(started.headers['referrer-policy']).toBe('same-origin');
    expect((await e.agent.get('/')).headers['referrer-policy']).toBe('same-origin');
  });

  it('marks the session cookie Secure behind a proxy that terminated HTTPS', async () => {
    e = await startExample();
    const app = createApp({ ...(await appDeps(e)), trustProxy: true });
    const started = await request(app).get('/auth/7geese').set('X-Forwarded-Proto', 'https');
    expect(sessionCookie(started)).toMatch(/; Secure/);
  });
});

async function appDeps(example: Example) {
  const { createStrategies } = await import('../../example-app/src/strategies.js');
  const credentials = { clientID: 'example', clientSecret: 'example-secret' };
  const { signIn, password } = createStrategies({
    ...credentials,
    callbackURL: 'http://example.test/auth/7geese/callback',
    baseURL: example.sim.baseURL,
    password: credentials,
    timeout: 2_000,
  });
  return { strategy: signIn, passwordStrategy: password, sessionSecret: 'test-session-secret-that-is-long-enough', usingSimulator: true };
}
