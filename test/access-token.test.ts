// getAccessToken() and SevenGeeseClient#getAccessToken(): refresh ahead of expiry, judged by a
// fake clock (no test sleeps), one refresh for concurrent callers, waiting for a lease holder.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  getAccessToken,
  MemoryTokenStore,
  SevenGeeseClient,
  SevenGeeseTokenError,
  SevenGeeseTokenStoreError,
  Strategy,
  type TokenSet,
  type TokenStore,
} from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { createHarness, signIn as browserSignIn } from './helpers/harness.js';

const KEY = 'user-1';
const MINUTE = 60_000;
let sim: Simulator;
let strategy: Strategy;
let store: MemoryTokenStore;
let time: number;
const now = () => time;

beforeEach(async () => {
  sim = await startSimulator({ recordCredentials: true });
  sim.addClient({ clientId: 'tokens', clientSecret: 'tokens-secret', redirectUris: ['http://app.test/cb'] });
  strategy = new Strategy({ clientID: 'tokens', clientSecret: 'tokens-secret', callbackURL: 'http://app.test/cb', baseURL: sim.baseURL, timeout: 2000 }, async () => false);
  time = Date.now();
  store = new MemoryTokenStore({ now });
});
afterEach(async () => {
  await sim.close();
});

/** Fresh tokens from the simulator, saved as expiring `expiresIn` ms after the fake now. */
async function signIn(expiresIn: number | undefined): Promise<TokenSet> {
  const t = sim.issueToken({ user: 1, scope: 'userprofile:read', clientId: 'tokens' });
  const tokens = { accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: expiresIn === undefined ? undefined : time + expiresIn, scopes: ['userprofile:read'] };
  await store.save(KEY, tokens);
  return tokens;
}

const refreshes = () => sim.requests.filter((r) => r.path === '/o/token/' && r.form.grant_type === 'refresh_token');

/** A store whose acquire() calls `onBusy` the first time the lease is taken by someone else. */
function watching(inner: TokenStore, onBusy: () => void): TokenStore {
  let told = false;
  return {
    load: (k) => inner.load(k),
    save: (k, t, e) => inner.save(k, t, e),
    release: (k, l) => inner.release(k, l),
    delete: (k) => inner.delete(k),
    acquire: async (k, ttl) => {
      const lease = await inner.acquire(k, ttl);
      if (lease === undefined && !told) {
        told = true;
        onBusy();
      }
      return lease;
    },
  };
}

describe('getAccessToken', () => {
  it('returns the stored access token, without a request, while it expires after the margin', async () => {
    const tokens = await signIn(MINUTE + 1);
    expect(await getAccessToken({ strategy, store, key: KEY, now })).toBe(tokens.accessToken);
    expect(sim.requests).toHaveLength(0);
  });

  it('refreshes once the access token expires within the margin, and stores the rotated tokens', async () => {
    const old = await signIn(MINUTE);
    const accessToken = await getAccessToken({ strategy, store, key: KEY, now });
    expect(accessToken).not.toBe(old.accessToken);
    expect(refreshes()).toHaveLength(1);
    expect(refreshes()[0]!.form.refresh_token).toBe(old.refreshToken);
    const stored = (await store.load(KEY))!;
    expect(stored.accessToken).toBe(accessToken);
    expect(stored.refreshToken).not.toBe(old.refreshToken);
    expect(stored.expiresAt).toBeGreaterThan(Date.now() + 9 * 60 * MINUTE);
    await expect(strategy.refresh(old.refreshToken!)).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('follows the clock: no refresh until the margin is reached, then exactly one', async () => {
    const old = await signIn(10 * MINUTE);
    for (let minutes = 0; minutes < 9; minutes++) {
      expect(await getAccessToken({ strategy, store, key: KEY, now })).toBe(old.accessToken);
      time += MINUTE;
    }
    time -= 1; // 60001 ms before expiry: not yet
    expect(await getAccessToken({ strategy, store, key: KEY, now })).toBe(old.accessToken);
    expect(refreshes()).toHaveLength(0);
    time += 1; // 60000 ms before expiry: within the margin
    const fresh = await getAccessToken({ strategy, store, key: KEY, now });
    expect(fresh).not.toBe(old.accessToken);
    expect(await getAccessToken({ strategy, store, key: KEY, now })).toBe(fresh);
    expect(refreshes()).toHaveLength(1);
  });

  it('takes a margin in milliseconds', async () => {
    const old = await signIn(5 * MINUTE + 1);
    expect(await getAccessToken({ strategy, store, key: KEY, now, margin: 5 * MINUTE })).toBe(old.accessToken);
    time += 1;
    expect(await getAccessToken({ strategy, store, key: KEY, now, margin: 5 * MINUTE })).not.toBe(old.accessToken);
    expect(refreshes()).toHaveLength(1);
  });

  it('shares one refresh among concurrent callers in one process', async () => {
    await signIn(0);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => getAccessToken({ strategy, store, key: KEY, now })));
    expect(new Set(tokens).size).toBe(1);
    expect(refreshes()).toHaveLength(1);
    expect((await store.load(KEY))!.accessToken).toBe(tokens[0]);
  });

  it('uses an access token of unknown expiry as it is', async () => {
    const tokens = await signIn(undefined);
    time += 365 * 24 * 60 * MINUTE;
    expect(await getAccessToken({ strategy, store, key: KEY, now })).toBe(tokens.accessToken);
    expect(sim.requests).toHaveLength(0);
  });

  it('calls onTokens with the new tokens when it refreshed them', async () => {
    await signIn(0);
    const seen: string[] = [];
    const token = await getAccessToken({ strategy, store, key: KEY, now, onTokens: (t) => void seen.push(t.accessToken) });
    expect(seen).toEqual([token]);
  });

  it('waits for the process holding the lease and reads its tokens instead of refreshing', async () => {
    await signIn(0);
    const holder = (await store.acquire(KEY, 10_000))!;
    const winner = { accessToken: 'winner-access', refreshToken: 'winner-refresh', expiresAt: time + 600 * MINUTE, scopes: [] };
    const shared = watching(store, () => {
      void (async () => {
        await store.save(KEY, winner);
        await store.release(KEY, holder);
      })();
    });
    expect(await getAccessToken({ strategy, store: shared, key: KEY, now })).toBe('winner-access');
    expect(refreshes()).toHaveLength(0);
  });

  it('takes over a lease its holder never released once it expires, and refreshes', async () => {
    const old = await signIn(0);
    await store.acquire(KEY, 15_000);
    const shared = watching(store, () => {
      time += 15_000;
    });
    const token = await getAccessToken({ strategy, store: shared, key: KEY, now, leaseTime: 15_000 });
    expect(token).not.toBe(old.accessToken);
    expect(refreshes()).toHaveLength(1);
  });

  it('gives up at the deadline with refresh_contended while another holder keeps the lease', async () => {
    await signIn(0);
    await store.acquire(KEY, 60_000);
    const err = await getAccessToken({ strategy, store, key: KEY, now, wait: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SevenGeeseTokenStoreError);
    expect(err).toMatchObject({
      code: 'refresh_contended',
      endpoint: `${sim.baseURL}/o/token/`,
      message: 'Another process held the refresh of these 7Geese tokens for longer than 50 ms; 7Geese or the token store may be slow. Try again.',
    });
    expect(refreshes()).toHaveLength(0);
  });

  it('fails with no_tokens when nothing is stored, or the token expired without a refresh token', async () => {
    await expect(getAccessToken({ strategy, store, key: KEY, now })).rejects.toMatchObject({
      name: 'SevenGeeseTokenStoreError',
      code: 'no_tokens',
      message: 'No usable 7Geese tokens in the token store for this key: none are stored. Sign the person in again.',
    });
    await store.save(KEY, { accessToken: 'a', refreshToken: undefined, expiresAt: time + 30_000, scopes: [] });
    expect(await getAccessToken({ strategy, store, key: KEY, now })).toBe('a');
    time += 30_000;
    await expect(getAccessToken({ strategy, store, key: KEY, now })).rejects.toMatchObject({ code: 'no_tokens' });
  });

  it('throws 7Geese\'s invalid_grant for a refresh token 7Geese no longer knows, and keeps the stored tokens', async () => {
    const old = await signIn(0);
    await strategy.revoke(old.refreshToken!, { hint: 'refresh_token' });
    const err = await getAccessToken({ strategy, store, key: KEY, now }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SevenGeeseTokenError);
    expect(err).toMatchObject({ code: 'invalid_grant' });
    expect(await store.load(KEY)).toEqual(old);
    expect(await store.acquire(KEY, 1000)).toEqual(expect.any(String));
  });

  it('names the option in each TypeError', () => {
    const call = (o: object) => getAccessToken({ strategy, store, key: KEY, ...o });
    expect(() => call({ strategy: {} })).toThrow(new TypeError('getAccessToken() option "strategy" must be a 7Geese Strategy or PasswordStrategy: it refreshes the tokens.'));
    expect(() => call({ store: new Map() })).toThrow(new TypeError('getAccessToken() option "store" must be a token store (load, save, acquire, release), such as a MemoryTokenStore or RedisTokenStore.'));
    expect(() => call({ key: '' })).toThrow(new TypeError('getAccessToken() option "key" needs the key as a non-empty string of at most 512 characters, got 0 characters.'));
    expect(() => call({ margin: -1 })).toThrow(new TypeError('getAccessToken() option "margin" must be a number of milliseconds (0 or more), got -1.'));
    expect(() => call({ wait: 'long' })).toThrow(new TypeError('getAccessToken() option "wait" must be a number of milliseconds (0 or more), got long.'));
    expect(() => call({ leaseTime: 0 })).toThrow(new TypeError('getAccessToken() option "leaseTime" must be at least 1 millisecond.'));
    expect(() => call({ now: 1 })).toThrow(new TypeError('getAccessToken() option "now" must be a function returning milliseconds since the epoch.'));
  });
});

describe('SevenGeeseClient#getAccessToken', () => {
  it('with a token store, refreshes ahead of expiry before a request, so 7Geese never answers 401', async () => {
    const old = await signIn(30_000);
    const client = new SevenGeeseClient({ tokenStore: store, key: KEY, strategy, now });
    await client.get('/users/me/');
    expect(sim.requests.map((r) => r.path)).toEqual(['/o/token/', '/api/v/2.0/users/me/']);
    const stored = (await store.load(KEY))!;
    expect(sim.requests[1]!.headers.authorization).toBe(`Bearer ${stored.accessToken}`);
    expect(client.tokens).toEqual({ accessToken: stored.accessToken, refreshToken: stored.refreshToken });
    expect(stored.refreshToken).not.toBe(old.refreshToken);
    expect(await client.getAccessToken()).toBe(stored.accessToken);
    expect(refreshes()).toHaveLength(1);
  });

  it('with a token store, after a 401 two clients make one refresh between them', async () => {
    const old = await signIn(undefined);
    sim.store.revoke('tokens', old.accessToken);
    const a = new SevenGeeseClient({ tokenStore: store, key: KEY, strategy, now });
    const b = new SevenGeeseClient({ tokenStore: store, key: KEY, strategy, now });
    await Promise.all([a.get('/users/me/'), b.get('/users/me/')]);
    expect(refreshes()).toHaveLength(1);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens.accessToken).toBe((await store.load(KEY))!.accessToken);
  });

  it('without a store, refreshes ahead of the expiresAt option and reports the tokens to onTokens', async () => {
    const t = sim.issueToken({ user: 1, scope: 'userprofile:read', clientId: 'tokens' });
    const seen: string[] = [];
    const client = new SevenGeeseClient({
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      expiresAt: new Date(time + 59_000),
      strategy,
      now,
      onTokens: (tokens) => void seen.push(tokens.accessToken),
    });
    const [x, y] = await Promise.all([client.getAccessToken(), client.getAccessToken()]);
    expect(x).toBe(y);
    expect(x).not.toBe(t.access_token);
    expect(seen).toEqual([x]);
    expect(await client.getAccessToken()).toBe(x);
    expect(refreshes()).toHaveLength(1);
  });

  it('without expiresAt or a store, returns the access token it was given', async () => {
    const client = new SevenGeeseClient({ accessToken: 'given', strategy });
    expect(await client.getAccessToken()).toBe('given');
  });

  it('names the option in each TypeError', () => {
    expect(() => new SevenGeeseClient({ tokenStore: store, key: KEY })).toThrow(
      new TypeError('SevenGeeseClient option "strategy" must be a 7Geese Strategy or PasswordStrategy: it refreshes the tokens.'),
    );
    expect(() => new SevenGeeseClient({ tokenStore: {} as TokenStore, key: KEY, strategy })).toThrow(
      new TypeError('SevenGeeseClient option "tokenStore" must be a token store (load, save, acquire, release), such as a MemoryTokenStore or RedisTokenStore.'),
    );
    expect(() => new SevenGeeseClient({ tokenStore: store, strategy })).toThrow(
      new TypeError('SevenGeeseClient option "key" needs the key as a non-empty string of at most 512 characters, got undefined.'),
    );
    expect(() => new SevenGeeseClient({ accessToken: 'a', expiresAt: 'soon' as unknown as number })).toThrow(
      new TypeError('SevenGeeseClient option "expiresAt" must be a Date or milliseconds since the epoch.'),
    );
    expect(() => new SevenGeeseClient({ accessToken: 'a', margin: -5 })).toThrow(
      new TypeError('SevenGeeseClient option "margin" must be a number of milliseconds (0 or more), got -5.'),
    );
  });
});

describe('an expires_in beyond what a Date holds', () => {
  const YEAR = 365 * 24 * 60 * 60 * 1000;
  const FROZEN = 1_800_000_000_000;
  afterEach(() => {
    vi.useRealTimers();
  });

  for (const lifetime of [1e13, 1e300]) {
    it(`a README-style sign-in with expires_in ${lifetime} succeeds and stores an expiry one year away`, async () => {
      // Only Date is frozen, so that the expiry is exact; requests still run on real timers.
      vi.useFakeTimers({ toFake: ['Date'], now: FROZEN });
      const far = await startSimulator({ accessTokenLifetimeSeconds: lifetime });
      try {
        const saved = new MemoryTokenStore();
        const h = createHarness(far, {}, async (_accessToken, _refreshToken, params, profile, _done) => {
          await saved.save(String(profile.id), params.tokens);
          return { id: profile.id };
        });
        const user = far.users[0]!.id;
        const res = await browserSignIn(far, h.agent, user);
        expect(res.status).toBe(302);
        expect(res.headers.location).toBe('/me');
        expect((await saved.load(String(user)))!.expiresAt).toBe(FROZEN + YEAR);
      } finally {
        await far.close();
      }
    });

    it(`the token store's refresh with expires_in ${lifetime} saves the rotated refresh token, which refreshes again`, async () => {
      const far = await startSimulator({ accessTokenLifetimeSeconds: lifetime, recordCredentials: true });
      try {
        far.addClient({ clientId: 'tokens', clientSecret: 'tokens-secret', redirectUris: ['http://app.test/cb'] });
        const farStrategy = new Strategy({ clientID: 'tokens', clientSecret: 'tokens-secret', callbackURL: 'http://app.test/cb', baseURL: far.baseURL, timeout: 2000 }, async () => false);
        const t = far.issueToken({ user: 1, scope: 'userprofile:read', clientId: 'tokens' });
        await store.save(KEY, { accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: time, scopes: ['userprofile:read'] });
        const first = await getAccessToken({ strategy: farStrategy, store, key: KEY, now });
        const stored = (await store.load(KEY))!;
        expect(stored.accessToken).toBe(first);
        expect(stored.refreshToken).not.toBe(t.refresh_token);
        expect(Number.isFinite(stored.expiresAt)).toBe(true);
        time = stored.expiresAt!;
        const second = await getAccessToken({ strategy: farStrategy, store, key: KEY, now });
        expect(second).not.toBe(first);
        expect(far.requests.filter((r) => r.path === '/o/token/').map((r) => r.form.refresh_token)).toEqual([t.refresh_token, stored.refreshToken]);
      } finally {
        await far.close();
      }
    });
  }
});
