import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { consent, createHarness, finish, signIn, startSignIn, type Harness } from './helpers/harness.js';

let sim: Simulator;
let h: Harness;
beforeEach(async () => {
  sim = await startSimulator();
  h = createHarness(sim, { timeout: 5_000 });
});
afterEach(async () => {
  vi.useRealTimers();
  await sim.close();
});

/** Signs in and expects a failure: the app's failure page with this message and no session. */
async function expectFailure(res: { status: number; headers: Record<string, unknown> }, message: string) {
  expect(res.status).toBe(302);
  expect(res.headers.location).toBe('/login');
  const login = await h.agent.get('/login');
  expect(login.body.messages).toContain(message);
  expect((await h.agent.get('/me')).body.user).toBeNull();
}

/** Signs in and expects an error: the app's error handler with this error and no session. */
async function expectError(res: { status: number; body: { error?: unknown } }, error: Record<string, unknown>) {
  expect(res.status).toBe(502);
  expect(res.body.error).toMatchObject(error);
  expect((await h.agent.get('/me')).body.user).toBeNull();
  const text = JSON.stringify(res.body);
  expect(text).not.toContain('harness-client-secret-value');
  expect(text).not.toMatch(/Bearer|code=|access_token=/);
}

describe('a callback that is not a clean approval', () => {
  it('a denied consent fails with a message, not an error', async () => {
    const url = await startSignIn(h.agent);
    const back = await consent(sim, url, sim.users[0]!.id, 'Deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
    await expectFailure(await finish(h.agent, back), 'You did not allow access to your 7Geese account.');
  });

  it('a callback without state fails', async () => {
    const url = await startSignIn(h.agent);
    const back = await consent(sim, url, sim.users[0]!.id);
    back.searchParams.delete('state');
    await expectFailure(await finish(h.agent, back), 'Unable to verify authorization request state.');
    expect(sim.requests.some((r) => r.path === '/o/token/')).toBe(false);
  });

  it('a callback with a state this session did not issue fails', async () => {
    const url = await startSignIn(h.agent);
    const back = await consent(sim, url, sim.users[0]!.id);
    back.searchParams.set('state', 'forged-state-value');
    await expectFailure(await finish(h.agent, back), 'Invalid authorization request state.');
  });

  it('a callback in another browser session fails', async () => {
    const url = await startSignIn(h.agent);
    const back = await consent(sim, url, sim.users[0]!.id);
    const other = createHarness(sim);
    const res = await finish(other.agent, back);
    expect(res.headers.location).toBe('/login');
    expect((await other.agent.get('/login')).body.messages).toEqual(['Unable to verify authorization request state.']);
  });

  it('a ninth sign-in started in one session drops the oldest: its callback fails, the oldest kept and the newest still work', async () => {
    // keepSessionInfo: the first login's new session keeps the other pending sign-ins.
    h = createHarness(sim, { timeout: 5_000 }, undefined, { keepSessionInfo: true });
    const started: URL[] = [];
    for (let i = 0; i < 9; i++) started.push(await startSignIn(h.agent));
    const back = await Promise.all(started.map((url) => consent(sim, url, sim.users[0]!.id)));
    await expectFailure(await finish(h.agent, back[0]!), 'Invalid authorization request state.');
    expect(sim.requests.some((r) => r.path === '/o/token/')).toBe(false);
    // The oldest kept and the newest both complete: eight were kept, not fewer.
    for (const kept of [back[1]!, back[8]!]) {
      expect((await finish(h.agent, kept)).headers.location).toBe('/me');
      expect((await h.agent.get('/me')).body.user).toMatchObject({ id: String(sim.users[0]!.id) });
    }
  });

  it('a state older than ten minutes fails as expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const url = await startSignIn(h.agent);
    const back = await consent(sim, url, sim.users[0]!.id);
    vi.setSystemTime(Date.now() + 10 * 60 * 1000 + 1);
    await expectFailure(await finish(h.agent, back), 'Authorization request has expired. Please sign in again.');
  });

  it('a replayed callback fails and does not sign in again', async () => {
    const url = await startSignIn(h.agent);
    const back = await consent(sim, url, sim.users[0]!.id);
    expect((await finish(h.agent, back)).headers.location).toBe('/me');
    const replay = await finish(h.agent, back);
    expect(replay.headers.location).toBe('/login');
    expect(h.verifyCalls).toHaveLength(1);
  });

  it('a code used twice is refused by 7Geese as invalid_grant', async () => {
    const first = await startSignIn(h.agent);
    const back = await consent(sim, first, sim.users[0]!.id);
    await finish(h.agent, back);
    // A fresh state of this session, carrying the spent code.
    const second = await startSignIn(h.agent);
    back.searchParams.set('state', second.searchParams.get('state')!);
    const res = await finish(h.agent, back);
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ name: 'SevenGeeseTokenError', code: 'invalid_grant', status: 400 });
    expect(res.body.error.message).toContain('start sign-in again');
  });

  it('repeated or structured callback parameters fail without calling 7Geese', async () => {
    await startSignIn(h.agent);
    const res = await h.agent.get('/auth/7geese/callback?code=a&code=b&state=x');
    await expectFailure(res, 'The answer from 7Geese was malformed: "code" must appear once. Please sign in again.');
    expect(sim.requests.some((r) => r.path === '/o/token/')).toBe(false);
  });

  it('an error other than access_denied is an error naming it', async () => {
    const url = await startSignIn(h.agent);
    const state = url.searchParams.get('state')!;
    const res = await h.agent.get(`/auth/7geese/callback?error=invalid_scope&error_description=Invalid+scope&state=${state}`);
    await expectError(res, { name: 'SevenGeeseAuthorizationError', code: 'invalid_scope' });
    expect(res.body.error.message).toContain('7Geese refused the sign-in request: invalid_scope (Invalid scope)');
    // 7Geese redirected: no HTTP status was involved, so the error invents none.
    expect(res.body.error).not.toHaveProperty('status');
  });

  it('an error code that RFC 6749 does not register is unregistered_error, named only in the message', async () => {
    const state = (await startSignIn(h.agent)).searchParams.get('state')!;
    const res = await h.agent.get(`/auth/7geese/callback?error=metrics_label_9&state=${state}`);
    await expectError(res, { name: 'SevenGeeseAuthorizationError', code: 'unregistered_error' });
    expect(res.body.error.message).toContain('"metrics_label_9"');
    expect(res.body.error).not.toHaveProperty('status');
  });

  it('a forged error without a valid state is a state failure, not a server error', async () => {
    await startSignIn(h.agent);
    const res = await h.agent.get('/auth/7geese/callback?error=server_error&state=forged');
    await expectFailure(res, 'Invalid authorization request state.');
  });
});

describe('a token endpoint that misbehaves', () => {
  async function callbackWithTokenFault(fault: Parameters<Simulator['fault']>[1]) {
    const url = await startSignIn(h.agent);
    const back = await consent(sim, url, sim.users[0]!.id);
    sim.fault('token', fault);
    return finish(h.agent, back);
  }

  it('answering 500 with an HTML page is an error that says so', async () => {
    const res = await callbackWithTokenFault({ status: 500, headers: { 'content-type': 'text/html' }, body: '<html><h1>Server Error (500)</h1></html>' });
    await expectError(res, { name: 'SevenGeeseResponseError', code: 'invalid_response', status: 500 });
    expect(res.body.error.message).toMatch(/answered 500 with an HTML page at http:\/\/127\.0\.0\.1:\d+\/o\/token\//);
  });

  it('answering 200 with something that is not JSON is an error', async () => {
    const res = await callbackWithTokenFault({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'access_token=abc' });
    await expectError(res, { name: 'SevenGeeseResponseError', code: 'invalid_response', status: 200 });
  });

  it('answering with a redirect is an error, never a success', async () => {
    const res = await callbackWithTokenFault({ redirect: 'https://login.example/sso', status: 302 });
    await expectError(res, { name: 'SevenGeeseResponseError', code: 'unexpected_redirect', status: 302 });
    expect(res.body.error.message).toContain('redirecting to https://login.example/sso');
  });

  it('answering with a 2 MiB body is an error, without reading it all', async () => {
    const res = await callbackWithTokenFault({ status: 200, headers: { 'content-type': 'application/json' }, body: `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}` });
    await expectError(res, { name: 'SevenGeeseResponseError', code: 'response_too_large' });
  });

  it('not answering within the timeout is an error naming the endpoint', async () => {
    // 7Geese never answers, so any deadline would do: a short one keeps the test short.
    h = createHarness(sim, { timeout: 1_000 });
    const res = await callbackWithTokenFault({ hang: true });
    await expectError(res, { name: 'SevenGeeseTimeoutError', code: 'timeout' });
    expect(res.body.error.message).toMatch(/did not answer within 1000 ms at http:\/\/127\.0\.0\.1:\d+\/o\/token\//);
  });

  it('dropping the connection is an error', async () => {
    const res = await callbackWithTokenFault({ drop: true });
    await expectError(res, { name: 'SevenGeeseNetworkError', code: 'network_error' });
  });

  it('an OAuth error keeps the code, description and status 7Geese sent', async () => {
    const res = await callbackWithTokenFault({
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed.' }),
    });
    await expectError(res, { name: 'SevenGeeseTokenError', code: 'invalid_client', status: 401 });
    expect(res.body.error.message).toContain('invalid_client (Client authentication failed.)');
  });
});

describe('a profile endpoint that misbehaves', () => {
  async function callbackWithProfileFault(fault: Parameters<Simulator['fault']>[1]) {
    sim.fault('users/me', fault);
    return signIn(sim, h.agent, sim.users[0]!.id);
  }
  const json = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('401 says the token was rejected', async () => {
    const res = await callbackWithProfileFault(json(401, { detail: 'Authentication credentials were not provided.' }));
    await expectError(res, { name: 'SevenGeeseAPIError', code: 'invalid_token', status: 401 });
  });

  it('403 names the missing scope', async () => {
    const res = await callbackWithProfileFault(json(403, { detail: 'You do not have permission to perform this action.' }));
    await expectError(res, { name: 'SevenGeeseAPIError', code: 'insufficient_scope', status: 403 });
    expect(res.body.error.message).toContain('lacks the scope "userprofile:read"');
  });

  it('404 says to set profileURL', async () => {
    const res = await callbackWithProfileFault(json(404, { detail: 'Not found.' }));
    await expectError(res, { name: 'SevenGeeseAPIError', code: 'not_found', status: 404 });
    expect(res.body.error.message).toContain('Set the "profileURL" option');
  });

  it('a body that is not JSON is an error', async () => {
    const res = await callbackWithProfileFault({ status: 200, headers: { 'content-type': 'text/html' }, body: '<!doctype html><p>Log in</p>' });
    await expectError(res, { name: 'SevenGeeseResponseError', code: 'invalid_response' });
  });

  it('a profile without an id is an error', async () => {
    const res = await callbackWithProfileFault(json(200, { email: 'someone@example.com' }));
    await expectError(res, { name: 'SevenGeeseResponseError', code: 'invalid_profile' });
  });

  it('a list of two users is an error, never the first of them', async () => {
    const res = await callbackWithProfileFault(json(200, { count: 2, next: null, previous: null, results: [{ id: 1 }, { id: 2 }] }));
    await expectError(res, { name: 'SevenGeeseResponseError', code: 'ambiguous_profile' });
    expect(h.verifyCalls).toHaveLength(0);
  });
});
