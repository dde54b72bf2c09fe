import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { PasswordStrategy, SevenGeeseTokenError, Strategy } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { sendJSON, startHostile } from './abuse/hostile-server.js';

let sim: Simulator;
let strategy: Strategy;
beforeEach(async () => {
  sim = await startSimulator({ recordCredentials: true });
  sim.addClient({ clientId: 'life-client', clientSecret: 'life-secret', redirectUris: ['http://app.test/cb'] });
  strategy = new Strategy(
    { clientID: 'life-client', clientSecret: 'life-secret', callbackURL: 'http://app.test/cb', baseURL: sim.baseURL },
    async () => false,
  );
});
afterEach(async () => {
  await sim.close();
});

const issue = () => sim.issueToken({ user: sim.users[0]!.email, scope: 'userprofile:read objective:read', clientId: 'life-client' });
const profileStatus = async (token: string) =>
  (await fetch(`${sim.baseURL}/api/v/2.0/users/me/`, { headers: { Authorization: `Bearer ${token}` } })).status;

describe('refresh', () => {
  it('returns new access and refresh tokens, the granted scopes and expiry', async () => {
    const old = issue();
    const tokens = await strategy.refresh(old.refresh_token);
    expect(tokens.accessToken).not.toBe(old.access_token);
    expect(tokens.refreshToken).not.toBe(old.refresh_token);
    expect(tokens.scopes).toEqual(['userprofile:read', 'objective:read']);
    expect(tokens.expiresAt).toBeGreaterThan(Date.now() + 35_000_000);
    expect(await profileStatus(tokens.accessToken)).toBe(200);
  });

  it('rotates: the old refresh token and access token stop working', async () => {
    const old = issue();
    await strategy.refresh(old.refresh_token);
    await expect(strategy.refresh(old.refresh_token)).rejects.toMatchObject({ name: 'SevenGeeseTokenError', code: 'invalid_grant', status: 400 });
    expect(await profileStatus(old.access_token)).toBe(401);
  });

  it('collapses concurrent refreshes of one refresh token into one request', async () => {
    const old = issue();
    sim.clearRequests();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => strategy.refresh(old.refresh_token)));
    expect(a!.accessToken).toBe(b!.accessToken);
    expect(b!.accessToken).toBe(c!.accessToken);
    expect(sim.requests.filter((r) => r.path === '/o/token/')).toHaveLength(1);
  });

  it('can narrow the scope', async () => {
    const tokens = await strategy.refresh(issue().refresh_token, { scope: 'userprofile:read' });
    expect(tokens.scopes).toEqual(['userprofile:read']);
  });

  it('refuses a bad refresh token argument with a TypeError', async () => {
    await expect(strategy.refresh('' as string)).rejects.toThrow('refresh() needs the token as a non-empty string, got string.');
    await expect(strategy.refresh('x', { scope: 'objectives:read' })).rejects.toThrow(/unknown scope "objectives:read"/);
  });

  it('never puts a token in the error message', async () => {
    const err = await strategy.refresh('unknown-refresh-token-value').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SevenGeeseTokenError);
    expect(String((err as Error).message)).not.toContain('unknown-refresh-token-value');
  });
});

describe('revoke', () => {
  it('revokes an access token, after which the API answers 401', async () => {
    const t = issue();
    expect(await profileStatus(t.access_token)).toBe(200);
    await strategy.revoke(t.access_token, { hint: 'access_token' });
    expect(await profileStatus(t.access_token)).toBe(401);
    const sent = sim.requests.find((r) => r.path === '/o/revoke_token/')!;
    expect(sent.form).toEqual({ token: t.access_token, token_type_hint: 'access_token' });
    expect(sent.headers.authorization).toMatch(/^Basic /);
  });

  it('revokes a refresh token, which ends its access token too', async () => {
    const t = issue();
    await strategy.revoke(t.refresh_token, { hint: 'refresh_token' });
    await expect(strategy.refresh(t.refresh_token)).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(await profileStatus(t.access_token)).toBe(401);
  });

  it('reports a refused revocation with 7Geese error code', async () => {
    sim.fault('revoke', { status: 401, headers: { 'content-type': 'application/json' }, body: '{"error":"invalid_client"}' });
    await expect(strategy.revoke('whatever')).rejects.toMatchObject({ code: 'invalid_client', status: 401 });
  });

  it('goes to the revocationURL option when it is given, and only there', async () => {
    const revoker = await startHostile((_req, res) => sendJSON(res, 200, {}));
    try {
      const revocationURL = `${revoker.baseURL}/custom/revoke/`;
      const both = [
        new Strategy({ clientID: 'life-client', clientSecret: 'life-secret', callbackURL: 'http://app.test/cb', baseURL: sim.baseURL, revocationURL }, async () => false),
        new PasswordStrategy({ clientID: 'life-client', clientSecret: 'life-secret', baseURL: sim.baseURL, revocationURL }, async () => false),
      ];
      for (const [i, s] of both.entries()) {
        const t = issue();
        await s.revoke(t.access_token);
        const seen = revoker.seen[i]!;
        expect(seen).toMatchObject({ method: 'POST', rawPath: '/custom/revoke/' });
        expect(new URLSearchParams(seen.body).get('token')).toBe(t.access_token);
        expect(seen.headers.authorization).toBe(`Basic ${Buffer.from('life-client:life-secret').toString('base64')}`);
        // 7Geese's own revocation endpoint was never asked: the token still works there.
        expect(await profileStatus(t.access_token)).toBe(200);
      }
      expect(sim.requests.some((r) => r.path === '/o/revoke_token/')).toBe(false);
    } finally {
      await revoker.close();
    }
  });

  it('works the same on the password strategy', async () => {
    const pw = new PasswordStrategy({ clientID: 'life-client', clientSecret: 'life-secret', baseURL: sim.baseURL }, async () => false);
    const t = issue();
    const tokens = await pw.refresh(t.refresh_token);
    await pw.revoke(tokens.accessToken);
    expect(await profileStatus(tokens.accessToken)).toBe(401);
  });
});

describe('passport-oauth2-refresh', () => {
  it("requestNewAccessToken works with our strategy and keeps its client authentication", async () => {
    const require = createRequire(import.meta.url);
    const refresh = require('passport-oauth2-refresh') as {
      use(name: string, s: unknown): void;
      requestNewAccessToken(name: string, token: string, done: (err: Error | null, access?: string, refresh?: string, params?: Record<string, unknown>) => void): void;
    };
    refresh.use('7geese', strategy);
    const old = issue();
    sim.clearRequests();
    const result = await new Promise<{ access?: string; refresh?: string; params?: Record<string, unknown> }>((resolve, reject) =>
      refresh.requestNewAccessToken('7geese', old.refresh_token, (err, access, refreshToken, params) =>
        err ? reject(err) : resolve({ ...(access ? { access } : {}), ...(refreshToken ? { refresh: refreshToken } : {}), ...(params ? { params } : {}) }),
      ),
    );
    expect(result.access).toMatch(/^\w{20,}$/);
    expect(result.refresh).not.toBe(old.refresh_token);
    expect(result.params?.scopes).toEqual(['userprofile:read', 'objective:read']);
    expect(sim.requests[0]!.headers.authorization).toMatch(/^Basic /);
    expect(await profileStatus(result.access!)).toBe(200);
  });
});
