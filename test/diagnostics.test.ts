// The diagnostics channels during a full run of flows: every event's fields, and not one secret
// (client secret, Basic header, code, code verifier, token, password) in any of them.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHANNELS, SevenGeeseClient, type RequestEvent, type SignInEvent, type TokenEvent } from '../src/index.js';
import { trackSignIn } from '../src/diagnostics.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { throughPasswordStrategy } from './helpers/both-strategies.js';
import { consent, createHarness, finish, signIn, startSignIn } from './helpers/harness.js';


const events = { signIn: [] as SignInEvent[], request: [] as RequestEvent[], token: [] as TokenEvent[] };
const listeners = {
  signIn: (e: unknown) => void events.signIn.push(structuredClone(e as SignInEvent)),
  request: (e: unknown) => void events.request.push(structuredClone(e as RequestEvent)),
  token: (e: unknown) => void events.token.push(structuredClone(e as TokenEvent)),
};
let sim: Simulator;
beforeEach(async () => {
  for (const k of ['signIn', 'request', 'token'] as const) {
    events[k].length = 0;
    subscribe(CHANNELS[k], listeners[k]);
  }
  sim = await startSimulator({ recordCredentials: true, objectivesPerUser: 5 });
});
afterEach(async () => {
  for (const k of ['signIn', 'request', 'token'] as const) unsubscribe(CHANNELS[k], listeners[k]);
  await sim.close();
});

/** Every secret that crossed the wire, as the simulator recorded it in clear, in each form it may be written. */
function secretsSent(extra: string[]): string[] {
  const out = new Set<string>(extra);
  for (const r of sim.requests) {
    const auth = r.headers.authorization;
    if (auth) {
      out.add(auth);
      out.add(auth.slice(auth.indexOf(' ') + 1));
      if (auth.startsWith('Basic ')) for (const part of Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')) out.add(decodeURIComponent(part));
    }
    for (const f of ['client_secret', 'password', 'code', 'code_verifier', 'refresh_token', 'access_token', 'token']) {
      const v = r.form[f] ?? r.query[f];
      if (typeof v === 'string' && v) out.add(v);
    }
  }
  return [...out].filter((s) => s.length >= 6 && s !== 'harness-client');
}

describe('diagnostics_channel events', () => {
  it('a full run of flows publishes what happened and no secret', async () => {
    // Sign-in through Strategy, a denied one, and one whose code 7Geese refuses.
    const h = createHarness(sim, { scope: ['userprofile:read', 'objective:read', 'objective:write'] });
    expect((await signIn(sim, h.agent, 1)).headers.location).toBe('/me');
    expect((await finish(h.agent, await consent(sim, await startSignIn(h.agent), 1, 'Deny'))).headers.location).toBe('/login');
    sim.fault('token', { status: 400, headers: { 'Content-Type': 'application/json' }, body: '{"error":"invalid_grant"}', times: 1 });
    expect((await signIn(sim, h.agent, 2)).status).toBe(502);
    // Password sign-in, right and wrong.
    expect(await throughPasswordStrategy(sim, async () => ({ id: 1 }))).toEqual({ user: { id: 1 } });
    sim.fault('token', { status: 400, headers: { 'Content-Type': 'application/json' }, body: '{"error":"invalid_grant"}', times: 1 });
    expect(await throughPasswordStrategy(sim, async () => ({ id: 1 }))).toMatchObject({ refused: expect.any(String) as unknown });
    // Refresh, API calls with a 401 (refresh and retry) and a 429 (retry), revoke, a failed revoke.
    const { accessToken, refreshToken } = h.verifyCalls[0]!;
    const refreshed = await h.strategy.refresh(refreshToken!);
    const client = new SevenGeeseClient({ accessToken, refreshToken: refreshed.refreshToken, strategy: h.strategy });
    await client.get('/users/me/');
    sim.fault('objectives', { rateLimited: true, retryAfter: 0, times: 1 });
    await client.post('/objectives/', { name: 'observed' }).catch(() => undefined);
    for await (const _ of client.paginate('/objectives/', { pageSize: 2 })) void _;
    await client.graphql('query { me { id } }');
    await client.get('/objectives/', { limit: 1 });
    await h.strategy.revoke(client.tokens.refreshToken!);
    sim.fault('revoke', { status: 500, body: 'oops', times: 1 });
    await expect(h.strategy.revoke('some-token-value')).rejects.toThrow();

    // No secret anywhere.
    const secrets = secretsSent([h.verifyCalls[0]!.accessToken, refreshed.accessToken, refreshed.refreshToken!, 'harness-client-secret-value', 'both-pw-secret-value', 'ada-password', 'some-token-value']);
    expect(secrets.length).toBeGreaterThan(15);
    const all = [...events.signIn, ...events.request, ...events.token].map((e) => JSON.stringify(e));
    for (const text of all) for (const secret of secrets) expect(text.includes(secret), `${secret} in ${text}`).toBe(false);

    // Sign-ins: every start has one end, with its outcome and code.
    const ends = events.signIn.filter((e) => e.phase !== 'started');
    expect(events.signIn.filter((e) => e.phase === 'started')).toHaveLength(ends.length);
    expect(ends.map((e) => [e.strategy, e.step, e.phase, e.code])).toEqual([
      ['7geese', 'authorize', 'redirected', undefined],
      ['7geese', 'callback', 'succeeded', undefined],
      ['7geese', 'authorize', 'redirected', undefined],
      ['7geese', 'callback', 'failed', expect.any(String)],
      ['7geese', 'authorize', 'redirected', undefined],
      ['7geese', 'callback', 'failed', 'invalid_grant'],
      ['7geese-password', 'password', 'succeeded', undefined],
      ['7geese-password', 'password', 'failed', expect.any(String)],
    ]);
    expect(ends.find((e) => e.code === 'invalid_grant')).toMatchObject({ status: 400 });
    for (const e of ends) expect(e.durationMs).toBeGreaterThanOrEqual(0);

    // Requests: one per request 7Geese received (the browser's authorize pages aside), in order.
    const upstream = sim.requests.filter((r) => r.path !== '/o/authorize/');
    expect(events.request.map((e) => `${e.attributes['http.request.method']} ${new URL(e.attributes['url.full']).pathname}`)).toEqual(
      upstream.map((r) => `${r.method} ${r.path}`),
    );
    for (const e of events.request) {
      expect(e.attributes['url.full']).not.toMatch(/[?#]/);
      expect(e.attributes).toMatchObject({ 'url.scheme': 'http', 'server.address': '127.0.0.1', 'server.port': Number(new URL(sim.baseURL).port) });
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
      expect(e.startTime).toBeGreaterThan(Date.parse('2020-01-01'));
    }
    expect(new Set(events.request.map((e) => e.operation))).toEqual(new Set(['token', 'profile', 'rest', 'graphql', 'revoke']));
    expect(new Set(events.request.filter((e) => e.operation === 'token').map((e) => e.grantType))).toEqual(new Set(['authorization_code', 'password', 'refresh_token']));
    expect(events.request.filter((e) => e.attributes['http.response.status_code'] === 401)).toHaveLength(1);
    const rateLimited = events.request.find((e) => e.attributes['http.response.status_code'] === 429)!;
    expect(rateLimited.attributes).toMatchObject({ 'http.request.method': 'POST', 'error.type': '429' });
    expect(events.request.filter((e) => e.attributes['http.request.resend_count'] === 1)).toHaveLength(0);
    const token = events.request.find((e) => e.operation === 'token')!;
    expect(token.attributes['http.request.body.size']).toBeGreaterThan(50);
    expect(token.attributes['http.response.body.size']).toBeGreaterThan(50);

    // Refresh and revoke: the explicit refresh, the client's after the 401 for the access token that
    // refresh replaced, and both revocations.
    expect(events.token.map((e) => [e.operation, e.outcome, e.code])).toEqual([
      ['refresh', 'succeeded', undefined],
      ['refresh', 'succeeded', undefined],
      ['revoke', 'succeeded', undefined],
      ['revoke', 'failed', 'invalid_response'],
    ]);
  });

  it('a GET retried after a 429 is two request events, the second with http.request.resend_count 1', async () => {
    const t = sim.issueToken({ user: 1 });
    sim.fault('users/me', { rateLimited: true, retryAfter: 0, times: 1 });
    await new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL }).get('/users/me/');
    expect(events.request.map((e) => [e.attributes['http.response.status_code'], e.attributes['error.type'], e.attributes['http.request.resend_count']])).toEqual([
      [429, '429', undefined],
      [200, undefined, 1],
    ]);
  });

  it('a request that gets no answer says why in error.type, without a status', async () => {
    const t = sim.issueToken({ user: 1 });
    sim.fault('users/me', { hang: true });
    await expect(new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL, timeout: 50 }).get('/users/me/')).rejects.toMatchObject({ code: 'timeout' });
    expect(events.request).toHaveLength(1);
    expect(events.request[0]!.attributes['error.type']).toBe('timeout');
    expect(events.request[0]!.attributes).not.toHaveProperty('http.response.status_code');
    expect(events.request[0]!.durationMs).toEqual(expect.any(Number));
  });

  it('a refresh that 7Geese refuses is a failed token event with its OAuth code; joined refreshes are one event', async () => {
    const h = createHarness(sim);
    const t = sim.issueToken({ user: 1, clientId: 'harness-client' });
    await Promise.all([h.strategy.refresh(t.refresh_token), h.strategy.refresh(t.refresh_token)]);
    await expect(h.strategy.refresh(t.refresh_token)).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(events.token).toEqual([
      { operation: 'refresh', outcome: 'succeeded', durationMs: expect.any(Number) as unknown },
      { operation: 'refresh', outcome: 'failed', code: 'invalid_grant', durationMs: expect.any(Number) as unknown },
    ]);
  });

  it('publishes only registered codes: a callback error, a token error or a fail() code of any other text is one fixed code', async () => {
    const h = createHarness(sim);
    const crafted = async (error: string) => {
      const state = (await startSignIn(h.agent)).searchParams.get('state')!;
      return h.agent.get(`/auth/7geese/callback?error=${error}&state=${state}`);
    };
    expect((await crafted('invalid_scope')).status).toBe(502);
    expect((await crafted('Hello-from-the-query.string_42')).status).toBe(502);
    sim.fault('token', { status: 400, headers: { 'Content-Type': 'application/json' }, body: '{"error":"minted_label_7"}', times: 1 });
    await expect(h.strategy.refresh(sim.issueToken({ user: 1, clientId: 'harness-client' }).refresh_token)).rejects.toMatchObject({ code: 'minted_label_7' });
    const actions = { fail: (..._args: unknown[]) => undefined };
    trackSignIn(actions, '7geese', 'callback');
    actions.fail({ code: 'anything_an_app_wrote', message: 'no' }, 401);
    const failed = events.signIn.filter((e) => e.phase === 'failed').map((e) => e.code);
    expect(failed).toEqual(['invalid_scope', 'unregistered_error', 'unknown']);
    expect(events.token.map((e) => e.code)).toEqual(['unknown']);
  });

  it('trackSignIn publishes once per request object, and nothing without a subscriber', () => {
    const actions = { success: () => undefined };
    trackSignIn(actions, '7geese', 'callback');
    trackSignIn(actions, '7geese', 'callback');
    actions.success();
    actions.success();
    expect(events.signIn.map((e) => e.phase)).toEqual(['started', 'succeeded']);
    unsubscribe(CHANNELS.signIn, listeners.signIn);
    const quiet = { success: () => undefined };
    trackSignIn(quiet, '7geese', 'callback');
    quiet.success();
    expect(events.signIn).toHaveLength(2);
    expect(Object.getOwnPropertySymbols(quiet)).toEqual([]);
  });
});
