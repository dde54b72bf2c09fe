// 429 and 503 from 7Geese on every endpoint: a SevenGeeseUnavailableError with retryAfter, and
// the API client's one retry of a GET (never of a token request or a write). No test sleeps:
// the retries use Retry-After: 0, and waits that do not fit the deadline are not taken.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS, SevenGeeseClient, SevenGeeseUnavailableError, type Profile, type RequestEvent } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { MAX_RETRY_AFTER, parseRetryAfter } from '../src/transport/answers.js';
import { retryDelay } from '../src/transport/transport.js';
import { createHarness, signIn, type Harness } from './helpers/harness.js';

let sim: Simulator;
let h: Harness;
beforeEach(async () => {
  sim = await startSimulator({ autoApprove: 1, objectivesPerUser: 5 });
  h = createHarness(sim, { timeout: 5_000 });
});
afterEach(async () => {
  apiTimeout = 5_000;
  await sim.close();
});

const count = (path: string) => sim.requests.filter((r) => r.path === path).length;
const token = () => sim.issueToken({ user: 1, clientId: 'harness-client' });
/** A deadline shorter than the 1 s wait used when a 429 or 503 has no Retry-After. */
const BELOW_DEFAULT_WAIT = 900;
let apiTimeout = 5_000;
const client = () => {
  const t = token();
  return new SevenGeeseClient({ accessToken: t.access_token, refreshToken: t.refresh_token, strategy: h.strategy, timeout: apiTimeout });
};
const profile = (accessToken: string) =>
  new Promise<Profile | undefined>((resolve, reject) => h.strategy.userProfile(accessToken, (err, p) => (err ? reject(err) : resolve(p))));

/** Each endpoint, the fault's name, its path, and what calls it once. */
const ENDPOINTS = [
  { name: 'the code exchange through the Strategy', fault: 'token', path: '/o/token/', call: async () => {
    const res = await signIn(sim, h.agent, 1);
    throw Object.assign(new Error(res.body.error.message), res.body.error);
  } },
  { name: 'refresh', fault: 'token', path: '/o/token/', call: () => h.strategy.refresh(token().refresh_token) },
  { name: 'revoke', fault: 'revoke', path: '/o/revoke_token/', call: () => h.strategy.revoke(token().access_token) },
  { name: 'the profile', fault: 'users/me', path: '/api/v/2.0/users/me/', call: () => profile(token().access_token) },
  { name: 'a REST GET', fault: 'objectives', path: '/api/v/2.0/objectives/', call: () => client().get('/objectives/') },
  { name: 'a REST POST', fault: 'objectives', path: '/api/v/2.0/objectives/', call: () => client().post('/objectives/', { name: 'x' }) },
  { name: 'a GraphQL query', fault: 'graphql', path: '/graphql', call: () => client().graphql('query { me { id } }') },
] as const;

describe('a 429 or 503 is a SevenGeeseUnavailableError on every endpoint', () => {
  for (const e of ENDPOINTS) {
    it(`${e.name}: 429 with Retry-After is rate_limited with retryAfter, and not retried`, async () => {
      sim.fault(e.fault, { rateLimited: true, retryAfter: 120 });
      const err = await e.call().then(() => undefined, (x: unknown) => x as Record<string, unknown>);
      expect(err).toMatchObject({ name: 'SevenGeeseUnavailableError', code: 'rate_limited', status: 429 });
      expect(err!.message).toContain(`is limiting this application's requests (429) at ${sim.baseURL}${e.path}. Try again in 120 s (its Retry-After), and make fewer requests.`);
      // The Strategy's error reaches the app through Passport as the same error; in-process the field is there.
      if (err instanceof SevenGeeseUnavailableError) expect(err.retryAfter).toBe(120);
      expect(count(e.path)).toBe(1);
    });

    it(`${e.name}: 429 without Retry-After is rate_limited without retryAfter`, async () => {
      apiTimeout = BELOW_DEFAULT_WAIT;
      sim.fault(e.fault, { rateLimited: true });
      const err = await e.call().then(() => undefined, (x: unknown) => x as Record<string, unknown>);
      expect(err).toMatchObject({ name: 'SevenGeeseUnavailableError', code: 'rate_limited', status: 429 });
      expect(err!.message).toContain('Try again later, and make fewer requests.');
      if (err instanceof SevenGeeseUnavailableError) expect(err.retryAfter).toBeUndefined();
      // The default wait of 1 s does not fit the client's deadline: no retry.
      expect(count(e.path)).toBe(1);
    });
  }

  it('503 is unavailable, with Retry-After as an HTTP-date read as seconds from now', async () => {
    sim.fault('users/me', { rateLimited: true, status: 503, retryAfter: new Date(Date.now() + 30_000).toUTCString() });
    const err = (await profile(token().access_token).catch((x: unknown) => x)) as SevenGeeseUnavailableError;
    expect(err).toBeInstanceOf(SevenGeeseUnavailableError);
    expect(err).toMatchObject({ code: 'unavailable', status: 503, endpoint: `${sim.baseURL}/api/v/2.0/users/me/` });
    expect(err.retryAfter).toBeGreaterThanOrEqual(29);
    expect(err.retryAfter).toBeLessThanOrEqual(31);
  });

  it('a password sign-in that meets a 429 is an error, not a wrong password', async () => {
    const { throughPasswordStrategy } = await import('./helpers/both-strategies.js');
    sim.fault('token', { rateLimited: true, retryAfter: 5 });
    expect(await throughPasswordStrategy(sim, async () => ({ id: 1 }))).toEqual({
      error: expect.stringContaining('is limiting this application\'s requests (429)') as unknown,
    });
  });
});

describe('the API client retries a GET once, and nothing else', () => {
  it('a GET after a 429 with Retry-After: 0 is retried once and succeeds', async () => {
    sim.fault('objectives', { rateLimited: true, retryAfter: 0, times: 1 });
    expect(await client().get('/objectives/')).toMatchObject({ count: 5 });
    expect(count('/api/v/2.0/objectives/')).toBe(2);
  });

  it('a GET after a 503 with Retry-After: 0 is retried once and succeeds', async () => {
    sim.fault('users/me', { rateLimited: true, status: 503, retryAfter: 0, times: 1 });
    expect(await client().get('/users/me/')).toMatchObject({ id: 1 });
    expect(count('/api/v/2.0/users/me/')).toBe(2);
  });

  it('a second 429 is reported: never a third request', async () => {
    sim.fault('objectives', { rateLimited: true, retryAfter: 0, times: 2 });
    await expect(client().get('/objectives/')).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 0 });
    expect(count('/api/v/2.0/objectives/')).toBe(2);
  });

  it('a page of a listing is retried once like any GET', async () => {
    const c = client();
    const items: unknown[] = [];
    const pages = c.paginate('/objectives/', { pageSize: 2 });
    items.push((await pages.next()).value);
    sim.fault('objectives', { rateLimited: true, retryAfter: 0, times: 1 });
    for await (const item of pages) items.push(item);
    expect(items).toHaveLength(5);
    expect(count('/api/v/2.0/objectives/')).toBe(4);
  });

  it('a Retry-After longer than the deadline is not waited for', async () => {
    sim.fault('objectives', { rateLimited: true, retryAfter: 60, times: 1 });
    await expect(client().get('/objectives/')).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 60 });
    expect(count('/api/v/2.0/objectives/')).toBe(1);
  });

  it('an abort during the wait stops the retry', async () => {
    const t = token();
    const c = new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL, timeout: 5_000 });
    sim.fault('objectives', { rateLimited: true, retryAfter: 2, times: 1 });
    const controller = new AbortController();
    // Aborted once the 429 has been read (its request event is published) and the wait has begun.
    const onRequest = (event: unknown) => {
      if ((event as RequestEvent).attributes['http.response.status_code'] === 429) setImmediate(() => controller.abort());
    };
    subscribe(CHANNELS.request, onRequest);
    try {
      const listing = c.paginate('/objectives/', { signal: controller.signal }).next();
      await expect(listing).rejects.toMatchObject({ code: 'aborted' });
    } finally {
      unsubscribe(CHANNELS.request, onRequest);
    }
    expect(controller.signal.aborted).toBe(true);
    expect(count('/api/v/2.0/objectives/')).toBe(1);
  });

  for (const write of ['post', 'patch', 'delete', 'graphql'] as const) {
    it(`${write === 'graphql' ? 'a GraphQL query (a POST)' : `a ${write.toUpperCase()}`} is never retried, even with Retry-After: 0`, async () => {
      sim.fault(write === 'graphql' ? 'graphql' : 'objectives', { rateLimited: true, retryAfter: 0 });
      const c = client();
      const call = write === 'graphql' ? c.graphql('query { me { id } }') : write === 'delete' ? c.delete('/objectives/1/') : c[write]('/objectives/1/', { name: 'x' });
      await expect(call).rejects.toMatchObject({ code: 'rate_limited' });
      expect(sim.requests).toHaveLength(1);
    });
  }

  it('the code exchange, a refresh and a revocation are never retried, even with Retry-After: 0', async () => {
    sim.fault('token', { rateLimited: true, retryAfter: 0 });
    sim.fault('revoke', { rateLimited: true, retryAfter: 0 });
    expect((await signIn(sim, h.agent, 1)).body.error).toMatchObject({ code: 'rate_limited', status: 429 });
    await expect(h.strategy.refresh(token().refresh_token)).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(h.strategy.revoke(token().access_token)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(count('/o/token/')).toBe(2);
    expect(count('/o/revoke_token/')).toBe(1);
  });

  it('a refresh after a 401 that meets a 429 is reported, not retried', async () => {
    const c = client();
    sim.fault('objectives', { status: 401, body: '{"detail":"Invalid token."}', headers: { 'Content-Type': 'application/json' }, times: 1 });
    sim.fault('token', { rateLimited: true, retryAfter: 0 });
    await expect(c.get('/objectives/')).rejects.toMatchObject({ code: 'rate_limited' });
    expect(count('/o/token/')).toBe(1);
  });
});

describe('Retry-After, read with a fixed clock', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it.each([
    ['0', 0],
    ['120', 120],
    [' 7 ', 7],
    ['99999999999', MAX_RETRY_AFTER],
    ['Fri, 27 Nov 2026 12:01:00 GMT', 60],
    ['Friday, 27-Nov-26 12:00:30 GMT', 30],
    ['Fri Nov 27 12:00:10 2026', 10],
    ['Fri, 27 Nov 2026 11:00:00 GMT', 0],
    ['Sat, 27 Nov 2027 12:00:00 GMT', MAX_RETRY_AFTER],
  ])('%j is %d seconds', (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });

  it.each([null, '', '-1', '1.5', 'soon', '12abc', `Fri, 27 Nov 2026 12:01:00 GMT${' '.repeat(50)}x`, 'Fri, 99 Zzz 2026 99:99:99 GMT'])('%j is no Retry-After', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('a retry waits Retry-After (1 s without it) only when that leaves time for the request', () => {
    const busy = (s: number | undefined) => new SevenGeeseUnavailableError('https://app.7geese.com/x', 429, s);
    expect(retryDelay(busy(0), 400)).toBe(0);
    expect(retryDelay(busy(2), 10_000)).toBe(2_000);
    expect(retryDelay(busy(2), 2_050)).toBeUndefined();
    expect(retryDelay(busy(undefined), 10_000)).toBe(1_000);
    expect(retryDelay(busy(undefined), 400)).toBeUndefined();
    expect(retryDelay(new Error('other'), 10_000)).toBeUndefined();
  });
});
