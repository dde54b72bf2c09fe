// The example app's password form limits guessing: per account (the email, normalised) and per
// client address, with a 429, a Retry-After header and a message on the form page (issue 12,
// item 10: 2 000 guesses at 1 200 a second went through).
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { LoginLimits } from '../../example-app/src/login-limits.js';
import { startExample, type Example } from '../example-app/setup.js';

let e: Example | undefined;
afterEach(async () => {
  await e?.sim.close();
  e = undefined;
});

async function start(limits: ConstructorParameters<typeof LoginLimits>[0]): Promise<Example> {
  // trustProxy: the tests set X-Forwarded-For to come from several client addresses.
  e = await startExample(2_000, { loginLimits: new LoginLimits(limits), trustProxy: true });
  return e;
}

/** One attempt from a new browser at `address`: loads the form, then posts it. */
async function attempt(ex: Example, email: string, password: string, address = '203.0.113.1') {
  const page = await request(ex.app).get('/').set('X-Forwarded-For', address);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  const cookie = (page.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
  return request(ex.app).post('/login/password').set('X-Forwarded-For', address).set('Cookie', cookie).type('form').send({ _csrf: token, email, password });
}

const passwordGrants = (ex: Example) => ex.sim.requests.filter((r) => r.path === '/o/token/' && r.form.grant_type === 'password').length;

function expectLimited(res: request.Response, windowSeconds: number) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(res.text).toContain('Too many sign-in attempts.');
  expect(res.text).toContain('action="/login/password"');
}

describe('the password form\'s attempt limits', () => {
  it('refuses an account after its limit of failed attempts, from any address and however the email is written', async () => {
    const ex = await start({ perAccount: 3, perAddress: 100, windowSeconds: 600 });
    const user = ex.sim.users[0]!;
    for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      expect((await attempt(ex, user.email, 'guess', address)).status).toBe(401);
    }
    const variant = `  ${user.email.toUpperCase()} `;
    const limited = await attempt(ex, variant, user.password, '198.51.100.7');
    expectLimited(limited, 600);
    expect(limited.text).toContain(user.email.toUpperCase());
    // Refused before 7Geese is asked: the guesses stop at the limit.
    expect(passwordGrants(ex)).toBe(3);
    // Another account is not affected.
    const other = ex.sim.users[1]!;
    expect((await attempt(ex, other.email, other.password)).status).toBe(302);
  });

  it('refuses an address after its limit of failed attempts, whichever accounts it tries', async () => {
    const ex = await start({ perAccount: 100, perAddress: 4, windowSeconds: 900 });
    for (let i = 0; i < 4; i++) expect((await attempt(ex, `person${i}@example.com`, 'guess')).status).toBe(401);
    const user = ex.sim.users[0]!;
    expectLimited(await attempt(ex, user.email, user.password), 900);
    expect(passwordGrants(ex)).toBe(4);
    // Another address can still sign in to the same account.
    expect((await attempt(ex, user.email, user.password, '203.0.113.99')).status).toBe(302);
  });

  it('a successful sign-in clears the account\'s failed attempts', async () => {
    const ex = await start({ perAccount: 3, perAddress: 100, windowSeconds: 600 });
    const user = ex.sim.users[0]!;
    for (let i = 0; i < 2; i++) expect((await attempt(ex, user.email, 'guess')).status).toBe(401);
    expect((await attempt(ex, user.email, user.password)).status).toBe(302);
    for (let i = 0; i < 2; i++) expect((await attempt(ex, user.email, 'guess')).status).toBe(401);
    expect((await attempt(ex, user.email, user.password)).status).toBe(302);
  });

  it('concurrent guesses cannot get past the limit', async () => {
    const ex = await start({ perAccount: 5, perAddress: 1_000, windowSeconds: 600 });
    const user = ex.sim.users[0]!;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(ex, user.email, `guess-${i}`, `192.0.2.${i + 1}`)));
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(35);
    expect(passwordGrants(ex)).toBe(5);
  });

  it('limits by default, without settings', async () => {
    e = await startExample(2_000, { trustProxy: true });
    const ex = e;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await attempt(ex, ex.sim.users[0]!.email, 'guess')).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
