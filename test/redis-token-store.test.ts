// RedisTokenStore against a real redis-server started on a free loopback port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { getAccessToken, RedisTokenStore, Strategy, type RedisScriptClient } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { hasRedis, noRedisReason, startRedisServer, type RedisServer } from './helpers/redis-server.js';
import { reportMissing } from './helpers/system-package.js';
import { tokenStoreContract } from './helpers/token-store-contract.js';

reportMissing('the RedisTokenStore tests', hasRedis, noRedisReason);

describe('RedisTokenStore', () => {
  it('needs a node-redis client and names each option in its TypeError', () => {
    const client: RedisScriptClient = { eval: async () => null };
    expect(() => new RedisTokenStore({} as never)).toThrow(
      new TypeError('RedisTokenStore option "client" must be a connected node-redis client (createClient() from the "redis" package, v4 or later).'),
    );
    expect(() => new RedisTokenStore({ client, prefix: 3 as unknown as string })).toThrow(new TypeError('RedisTokenStore option "prefix" must be a string.'));
    expect(() => new RedisTokenStore({ client, ttl: 10 })).toThrow(new TypeError('RedisTokenStore option "ttl" must be from 1000 to 9007199254740991 milliseconds, or Infinity, got 10.'));
    // Redis takes PEXPIRE only as a whole number; "1e+21" would fail after the write.
    for (const ttl of [1e21, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => new RedisTokenStore({ client, ttl })).toThrow(
        new TypeError(`RedisTokenStore option "ttl" must be from 1000 to 9007199254740991 milliseconds, or Infinity, got ${String(ttl)}.`),
      );
    }
    expect(() => new RedisTokenStore(undefined as never)).toThrow(new TypeError('RedisTokenStore requires an options object with a node-redis "client".'));
  });
});

describe.skipIf(!hasRedis)(`RedisTokenStore on a real redis-server${hasRedis ? '' : ` (skipped: ${noRedisReason})`}`, () => {
  let server: RedisServer;
  let redis: ReturnType<typeof createClient>;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = createClient({ url: server.url });
    await redis.connect();
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  describe('as every token store', () => {
    tokenStoreContract({
      name: 'RedisTokenStore',
      store: () => new RedisTokenStore({ client: redis, prefix: 'contract:' }),
      // Redis expires keys by its own clock.
      pass: (ms) => sleep(ms),
    });
  });

  it('keeps the tokens under <prefix>tokens:<key> for "ttl", renewed by each save', async () => {
    const store = new RedisTokenStore({ client: redis, prefix: 'app:', ttl: 60_000 });
    await store.save('u1', { accessToken: 'a', refreshToken: 'r', expiresAt: 5, scopes: ['x'] });
    expect(await redis.hGet('app:tokens:u1', 'refresh')).toBe('r');
    const ttl = await redis.pTTL('app:tokens:u1');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await new RedisTokenStore({ client: redis, prefix: 'app:', ttl: Infinity }).save('u1', { accessToken: 'b', refreshToken: 'r2', expiresAt: undefined, scopes: [] }, 'r');
    expect(await redis.pTTL('app:tokens:u1')).toBe(-1);
    expect(await redis.keys('app:*')).toEqual(['app:tokens:u1']);
  });

  it('takes the longest ttl it accepts, and keeps the tokens with that expiry', async () => {
    const store = new RedisTokenStore({ client: redis, prefix: 'longest:', ttl: Number.MAX_SAFE_INTEGER });
    expect(await store.save('u1', { accessToken: 'a', refreshToken: 'r', expiresAt: 5, scopes: [] })).toBe(true);
    expect(await redis.pTTL('longest:tokens:u1')).toBeGreaterThan(Number.MAX_SAFE_INTEGER - 60_000);
  });

  it('keeps its lease under <prefix>lease:<key> with the ttl as PX', async () => {
    const store = new RedisTokenStore({ client: redis, prefix: 'lease-test:' });
    const lease = await store.acquire('u1', 5000);
    expect(await redis.get('lease-test:lease:u1')).toBe(lease);
    expect(await redis.pTTL('lease-test:lease:u1')).toBeGreaterThan(4000);
    await store.release('u1', lease!);
    expect(await redis.exists('lease-test:lease:u1')).toBe(0);
  });

  it('reads a malformed entry as no tokens', async () => {
    await redis.hSet('bad:tokens:u1', { tokens: '{not json', refresh: 'r' });
    expect(await new RedisTokenStore({ client: redis, prefix: 'bad:' }).load('u1')).toBeUndefined();
  });

  describe('with getAccessToken', () => {
    let sim: Simulator;
    let strategy: Strategy;
    beforeAll(async () => {
      sim = await startSimulator();
      sim.addClient({ clientId: 'redis-tokens', clientSecret: 'redis-secret', redirectUris: ['http://app.test/cb'] });
      strategy = new Strategy({ clientID: 'redis-tokens', clientSecret: 'redis-secret', callbackURL: 'http://app.test/cb', baseURL: sim.baseURL, timeout: 2000 }, async () => false);
    });
    afterAll(async () => {
      await sim?.close();
    });

    it('makes one refresh for twenty concurrent callers on four connections, and all get the new token', async () => {
      const clients = await Promise.all(Array.from({ length: 4 }, () => createClient({ url: server.url }).connect()));
      try {
        // Four stores (as four processes would have), one Redis.
        const stores = clients.map((client) => new RedisTokenStore({ client, prefix: 'concurrent:' }));
        const t = sim.issueToken({ user: 2, scope: 'userprofile:read', clientId: 'redis-tokens' });
        await stores[0]!.save('u', { accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: Date.now(), scopes: [] });
        sim.clearRequests();
        const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => getAccessToken({ strategy, store: stores[i % 4]!, key: 'u' })));
        expect(new Set(tokens).size).toBe(1);
        expect(sim.requests.filter((r) => r.form.grant_type === 'refresh_token')).toHaveLength(1);
        expect((await stores[3]!.load('u'))!.accessToken).toBe(tokens[0]);
      } finally {
        await Promise.all(clients.map((c) => c.quit()));
      }
    });

    it('fails with refresh_contended at the deadline while a lease stays held', async () => {
      const store = new RedisTokenStore({ client: redis, prefix: 'contended:' });
      await store.save('u', { accessToken: 'a', refreshToken: 'r', expiresAt: Date.now(), scopes: [] });
      await store.acquire('u', 30_000);
      await expect(getAccessToken({ strategy, store, key: 'u', wait: 200 })).rejects.toMatchObject({ name: 'SevenGeeseTokenStoreError', code: 'refresh_contended' });
    });
  });
});
