// The simulator runs for as long as a test suite or the example app does: what it keeps must be
// bounded, and what it records must not hold credentials in clear (issue 12, item 5: every
// request was kept forever, Basic headers and passwords in clear, and refresh tokens were never
// dropped; the example app's simulator grew by about 5 KB a sign-in).
import { afterEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/testing/index.js';

const REDIRECT = 'http://app.test/cb';
const SECRET = 'growth-client-secret-value';
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({ autoApprove: 1, ...options });
  sim.addClient({ clientId: 'growth', clientSecret: SECRET, redirectUris: [REDIRECT] });
  return sim;
}

const basic = `Basic ${Buffer.from(`growth:${SECRET}`).toString('base64')}`;
const tokenRequest = (s: Simulator, form: Record<string, string>, headers: Record<string, string> = { authorization: basic }) =>
  fetch(`${s.baseURL}/o/token/`, { method: 'POST', body: new URLSearchParams(form), headers });

/** A whole sign-in, as an app does it: authorize (approved at once), then the code for tokens with PKCE. */
async function signIn(s: Simulator): Promise<{ code: string; verifier: string; access_token: string; refresh_token: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({ client_id: 'growth', response_type: 'code', redirect_uri: REDIRECT, scope: 'userprofile:read', state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
  const authorized = await fetch(`${s.baseURL}/o/authorize/?${query}`, { redirect: 'manual' });
  const code = new URL(authorized.headers.get('location')!).searchParams.get('code')!;
  const res = await tokenRequest(s, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
  expect(res.status).toBe(200);
  return { code, verifier, ...((await res.json()) as { access_token: string; refresh_token: string }) };
}

describe('the simulator\'s request log', () => {
  it('keeps the last 1 000 requests by default, the newest last', async () => {
    const s = await start();
    for (let i = 0; i < 1_050; i++) await fetch(`${s.baseURL}/nothing/${i}`);
    expect(s.requests).toHaveLength(1_000);
    expect(s.requests[0]!.path).toBe('/nothing/50');
    expect(s.requests.at(-1)!.path).toBe('/nothing/1049');
  });

  it('keeps as many as requestLogSize says, or none', async () => {
    const s = await start({ requestLogSize: 3 });
    for (let i = 0; i < 10; i++) await fetch(`${s.baseURL}/nothing/${i}`);
    expect(s.requests.map((r) => r.path)).toEqual(['/nothing/7', '/nothing/8', '/nothing/9']);
    await s.close();
    const none = await start({ requestLogSize: 0 });
    await fetch(`${none.baseURL}/nothing/`);
    expect(none.requests).toHaveLength(0);
  });

  it('records no secret, code, token or password, but what a test asserts on', async () => {
    const s = await start();
    const first = await signIn(s);
    const refreshed = (await (await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: first.refresh_token })).json()) as { access_token: string; refresh_token: string };
    await fetch(`${s.baseURL}/api/v/2.0/users/me/`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
    const user = s.users[0]!;
    await tokenRequest(s, { grant_type: 'password', username: user.email, password: user.password, scope: 'userprofile:read' });
    await tokenRequest(s, { grant_type: 'password', username: user.email, password: 'a-wrong-password', client_id: 'growth', client_secret: SECRET }, {});
    await fetch(`${s.baseURL}/o/revoke_token/`, { method: 'POST', body: new URLSearchParams({ token: refreshed.refresh_token, token_type_hint: 'refresh_token' }), headers: { authorization: basic } });
    await fetch(`${s.baseURL}/api/v/2.0/users/me/?access_token=${refreshed.access_token}`);

    const recorded = JSON.stringify(s.requests);
    for (const secret of [SECRET, basic.slice(6), first.code, first.verifier, first.access_token, first.refresh_token, refreshed.access_token, refreshed.refresh_token, user.password, 'a-wrong-password']) {
      expect(recorded).not.toContain(secret);
    }
    const tokens = s.requests.filter((r) => r.path === '/o/token/');
    expect(tokens.map((r) => r.form.grant_type)).toEqual(['authorization_code', 'refresh_token', 'password', 'password']);
    expect(tokens.map((r) => r.clientId)).toEqual(['growth', 'growth', 'growth', 'growth']);
    expect(tokens[0]!.headers.authorization).toBe('Basic [redacted]');
    expect(tokens[0]!.form).toMatchObject({ code: '[redacted]', code_verifier: '[redacted]', redirect_uri: REDIRECT });
    expect(tokens[2]!.form).toEqual({ grant_type: 'password', username: user.email, password: '[redacted]', scope: 'userprofile:read' });
    expect(tokens[3]!.headers.authorization).toBeUndefined();
    expect(tokens[3]!.form.client_secret).toBe('[redacted]');
    expect(tokens[3]!.body).toContain('client_secret=%5Bredacted%5D');
    const api = s.requests.filter((r) => r.path === '/api/v/2.0/users/me/');
    expect(api[0]!.headers.authorization).toBe('Bearer [redacted]');
    expect(api[1]!.query).toEqual({ access_token: '[redacted]' });
  });

  it('records credentials in clear with recordCredentials, for tests that compare them', async () => {
    const s = await start({ recordCredentials: true });
    const { code } = await signIn(s);
    const token = s.requests.find((r) => r.path === '/o/token/')!;
    expect(token.headers.authorization).toBe(basic);
    expect(token.form.code).toBe(code);
  });
});

describe('what the simulator stores', () => {
  it('stays within maxStoredTokens however many people sign in, forgetting the oldest grants first', async () => {
    const s = await start({ maxStoredTokens: 25, requestLogSize: 10 });
    const grants = [];
    for (let i = 0; i < 200; i++) grants.push(await signIn(s));
    const size = s.sizes();
    expect(size.accessTokens).toBeLessThanOrEqual(25);
    expect(size.refreshTokens).toBeLessThanOrEqual(25);
    expect(size.codes).toBe(0);
    expect(s.requests).toHaveLength(10);
    const oldest = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: grants[0]!.refresh_token });
    expect(oldest.status).toBe(400);
    const newest = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: grants.at(-1)!.refresh_token });
    expect(newest.status).toBe(200);
  });

  it('keeps at most maxStoredTokens codes that are never exchanged', async () => {
    const s = await start({ maxStoredTokens: 25 });
    for (let i = 0; i < 100; i++) {
      await fetch(`${s.baseURL}/o/authorize/?client_id=growth&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=all`, { redirect: 'manual' });
    }
    expect(s.sizes().codes).toBe(25);
  });

  it('forgets rotated and revoked refresh tokens: one person refreshing keeps one pair', async () => {
    const s = await start();
    let { refresh_token } = await signIn(s);
    for (let i = 0; i < 100; i++) {
      const res = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token });
      ({ refresh_token } = (await res.json()) as { refresh_token: string });
    }
    expect(s.sizes()).toEqual({ codes: 0, accessTokens: 1, refreshTokens: 1 });
    await fetch(`${s.baseURL}/o/revoke_token/`, { method: 'POST', body: new URLSearchParams({ token: refresh_token }), headers: { authorization: basic } });
    expect(s.sizes()).toEqual({ codes: 0, accessTokens: 0, refreshTokens: 0 });
  });
});
