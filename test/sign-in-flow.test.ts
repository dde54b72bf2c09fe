import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import type { Profile, VerifyDone, VerifyParams } from '../src/index.js';
import { CALLBACK_URL, consent, createHarness, finish, signIn, startSignIn } from './helpers/harness.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ recordCredentials: true });
});
afterEach(async () => {
  await sim.close();
});

const sessionCookie = (res: { headers: Record<string, unknown> }) =>
  ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('connect.sid='))?.split(';')[0];

describe('sign-in with 7Geese through a real Express app', () => {
  it('redirects to the authorize endpoint with the client, the scope, state and an S256 challenge', async () => {
    const h = createHarness(sim, { scope: ['objective:read', 'userprofile:read'] });
    const url = await startSignIn(h.agent);
    expect(url.origin + url.pathname).toBe(`${sim.baseURL}/o/authorize/`);
    const q = url.searchParams;
    expect(q.get('client_id')).toBe('harness-client');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toBe(CALLBACK_URL);
    expect(q.get('scope')).toBe('userprofile:read objective:read');
    expect(q.get('state')).toMatch(/^[\w-]{24}$/);
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.has('approval_prompt')).toBe(false);
    expect(url.search).not.toContain('secret');
  });

  it('signs the user in with the normalised profile, and hands tokens, scopes and expiry to verify', async () => {
    const h = createHarness(sim, { scope: 'userprofile:read objective:read' });
    const user = sim.users[1]!;
    const res = await signIn(sim, h.agent, user.id);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/me');
    const me = await h.agent.get('/me');
    expect(me.body.user).toEqual({ id: String(user.id), name: `${user.first_name} ${user.last_name}`, email: user.email });

    expect(h.verifyCalls).toHaveLength(1);
    const { accessToken, refreshToken, params, profile } = h.verifyCalls[0]!;
    expect(accessToken).toMatch(/^\w{20,}$/);
    expect(refreshToken).toMatch(/^\w{20,}$/);
    expect(params.access_token).toBe(accessToken);
    expect(params.token_type).toBe('Bearer');
    expect(params.scopes).toEqual(['userprofile:read', 'objective:read']);
    expect(params.requestedScopes).toEqual(['userprofile:read', 'objective:read']);
    expect(params.missingScopes).toEqual([]);
    expect(params.expiresAt).toBeInstanceOf(Date);
    const inTenHours = Date.now() + 36_000_000;
    expect(Math.abs(params.expiresAt!.getTime() - inTenHours)).toBeLessThan(60_000);
    expect(profile).toMatchObject({
      provider: '7geese',
      id: String(user.id),
      username: user.username,
      displayName: `${user.first_name} ${user.last_name}`,
      name: { givenName: user.first_name, familyName: user.last_name },
      emails: [{ value: user.email }],
    });
    expect(JSON.parse(profile._raw)).toEqual(profile._json);
  });

  it('authenticates the client with HTTP Basic and never puts the secret in a URL or the body', async () => {
    const h = createHarness(sim);
    await signIn(sim, h.agent, sim.users[0]!.id);
    const token = sim.requests.find((r) => r.path === '/o/token/')!;
    const expected = `Basic ${Buffer.from('harness-client:harness-client-secret-value').toString('base64')}`;
    expect(token.headers.authorization).toBe(expected);
    expect(token.body).not.toContain('harness-client-secret-value');
    expect(token.form).toMatchObject({ grant_type: 'authorization_code', redirect_uri: CALLBACK_URL });
    expect(token.form.code_verifier).toMatch(/^[\w-]{43}$/);
    for (const r of sim.requests) expect(r.path + JSON.stringify(r.query)).not.toContain('harness-client-secret-value');
    const profile = sim.requests.find((r) => r.path === '/api/v/2.0/users/me/')!;
    expect(profile.headers.authorization).toMatch(/^Bearer \w+$/);
    expect(Object.keys(profile.query)).toEqual([]);
  });

  it('can send the client credentials in the body instead', async () => {
    const h = createHarness(sim, { clientAuth: 'body' });
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.headers.location).toBe('/me');
    const token = sim.requests.find((r) => r.path === '/o/token/')!;
    expect(token.headers.authorization).toBeUndefined();
    expect(token.form).toMatchObject({ client_id: 'harness-client', client_secret: 'harness-client-secret-value' });
  });

  it('changes the session id when the user signs in', async () => {
    const h = createHarness(sim);
    const started = await h.agent.get('/auth/7geese');
    const before = sessionCookie(started);
    const callback = await consent(sim, new URL(started.headers.location as string), sim.users[0]!.id);
    const finished = await finish(h.agent, callback);
    const after = sessionCookie(finished);
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('completes two sign-ins started in two tabs of the same browser session when the callback keeps the session info', async () => {
    const h = createHarness(sim, {}, undefined, { keepSessionInfo: true });
    const { alice, bob, back1, back2 } = await twoTabs(h);
    expect((await finish(h.agent, back2)).headers.location).toBe('/me');
    expect((await finish(h.agent, back1)).headers.location).toBe('/me');
    expect((await h.agent.get('/me')).body.user.id).toBe(String(alice.id));
    expect(h.verifyCalls.map((c) => c.profile.id)).toEqual([String(bob.id), String(alice.id)]);
  });

  it("without keepSessionInfo, the login's new session drops the other tab's pending sign-in, and the app's options are left as given", async () => {
    const callbackOptions = {};
    const h = createHarness(sim, {}, undefined, callbackOptions);
    const { bob, back1, back2 } = await twoTabs(h);
    expect((await finish(h.agent, back2)).headers.location).toBe('/me');
    expect((await finish(h.agent, back1)).headers.location).toBe('/login');
    expect((await h.agent.get('/login')).body.messages).toEqual(['Unable to verify authorization request state.']);
    expect((await h.agent.get('/me')).body.user.id).toBe(String(bob.id));
    expect(callbackOptions).toEqual({});
  });

  it('sends approval_prompt when configured, so returning users skip the consent page', async () => {
    const h = createHarness(sim, { approvalPrompt: 'auto' });
    const url = await startSignIn(h.agent);
    expect(url.searchParams.get('approval_prompt')).toBe('auto');
  });

  it('checks a scope given per request as strictly as the option', async () => {
    const h = createHarness(sim);
    const ok = await startSignIn(h.agent, '/auth/7geese?scope=objective:read%20userprofile:read');
    expect(ok.searchParams.get('scope')).toBe('userprofile:read objective:read');
    const bad = await h.agent.get('/auth/7geese?scope=objectives:read');
    expect(bad.status).toBe(502);
    expect(bad.body.error.message).toMatch(/option "scope": unknown scope "objectives:read"/);
  });

  it('reports scopes granted short of the request in params, leaving the decision to the app', async () => {
    const h = createHarness(
      sim,
      { scope: 'userprofile:read objective:read', skipUserProfile: true },
      async (_a: string, _r: string | undefined, params: VerifyParams, _profile: Profile, _done: VerifyDone) => ({ id: 'x', missing: params.missingScopes }),
    );
    sim.fault('token', {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: 'a'.repeat(30), token_type: 'Bearer', expires_in: 36000, scope: 'userprofile:read', refresh_token: 'r'.repeat(30) }),
    });
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.headers.location).toBe('/me');
    expect((await h.agent.get('/me')).body.user).toEqual({ id: 'x', missing: ['objective:read'] });
  });

  it('reads the profile from the userprofiles endpoint when profileURL points there', async () => {
    const h = createHarness(sim, { profileURL: `${sim.baseURL}/api/v/2.0/userprofiles/me/` });
    const user = sim.users[0]!;
    await signIn(sim, h.agent, user.id);
    const { profile } = h.verifyCalls[0]!;
    expect(profile.id).toBe(String(user.id));
    expect(profile.photos).toHaveLength(1);
  });
});

/** Two sign-ins started in two tabs of one browser, Alice's first; both consented, Bob's first. */
async function twoTabs(h: ReturnType<typeof createHarness>) {
  const [alice, bob] = sim.users;
  const tab1 = await startSignIn(h.agent);
  const tab2 = await startSignIn(h.agent);
  const back2 = await consent(sim, tab2, bob!.id);
  const back1 = await consent(sim, tab1, alice!.id);
  return { alice: alice!, bob: bob!, back1, back2 };
}
