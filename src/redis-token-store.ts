import { randomUUID } from 'node:crypto';
import { checkExpected, checkKey, checkLeaseTime, checkTokens, type TokenSet, type TokenStore } from './token-store.js';

/**
 * The one method of a [node-redis](https://github.com/redis/node-redis) client (v4 and later,
 * `createClient()` or `createCluster()`) that {@link RedisTokenStore} uses. The package never
 * loads `redis` itself: pass your app's connected client. Another client (ioredis) fits with a
 * one-line adapter.
 *
 * @example
 * // ioredis
 * const client = { eval: (script, { keys, arguments: args }) => ioredis.eval(script, keys.length, ...keys, ...args) };
 */
export interface RedisScriptClient {
  /** Runs a Lua script, as node-redis's `client.eval(script, { keys, arguments })` does. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** Your app's connected node-redis client. */
  client: RedisScriptClient;
  /**
   * Prepended to every key it writes: `<prefix>tokens:<key>` and `<prefix>lease:<key>`.
   * @default 'passport-7geese:'
   */
  prefix?: string | undefined;
  /**
   * How long a person's tokens are kept after their last save, in milliseconds; each refresh
   * saves again. `Infinity` keeps them until deleted. At most `Number.MAX_SAFE_INTEGER`
   * (Redis takes it as a whole number).
   * @default 2592000000 (30 days)
   */
  ttl?: number | undefined;
}

// Each script touches one key, so they also work on Redis Cluster. The tokens live in a hash:
// `tokens` is the JSON, `refresh` the refresh token alone, for the compare-and-swap.
const SAVE = `
if ARGV[3] == '1' and redis.call('HGET', KEYS[1], 'refresh') ~= ARGV[4] then return 0 end
redis.call('HSET', KEYS[1], 'tokens', ARGV[1], 'refresh', ARGV[2])
if ARGV[5] == '0' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
return 1`;
const LOAD = `return redis.call('HGET', KEYS[1], 'tokens')`;
const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const DELETE = `return redis.call('DEL', KEYS[1])`;

const THIRTY_DAYS = 30 * 24 * 60 * 60 * 1000;

/** Reads a stored entry; one that is not well-formed tokens counts as none (the person signs in again). */
function parse(json: unknown): TokenSet | undefined {
  if (typeof json !== 'string') return undefined;
  try {
    const t = JSON.parse(json) as TokenSet & { expiresAt: number | null; refreshToken: string | null };
    return checkTokens('RedisTokenStore', { ...t, refreshToken: t.refreshToken ?? undefined, expiresAt: t.expiresAt ?? undefined });
  } catch {
    return undefined;
  }
}

/**
 * A {@link TokenStore} in Redis, shared by every instance of an app: each save after a refresh
 * is a compare-and-swap on the refresh token and the refresh lease is `SET NX PX`, both in Lua
 * scripts (`EVAL`), so that N processes refreshing one rotating token make one request to
 * 7Geese. Tokens are stored as they are: keep Redis private (a password, TLS, no public port),
 * as for sessions.
 *
 * @example
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = new RedisTokenStore({ client: redis, prefix: 'myapp:' });
 */
export class RedisTokenStore implements TokenStore {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;
  readonly #ttl: string;

  constructor(options: RedisTokenStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('RedisTokenStore requires an options object with a node-redis "client".');
    if (typeof options.client?.eval !== 'function') {
      throw new TypeError('RedisTokenStore option "client" must be a connected node-redis client (createClient() from the "redis" package, v4 or later).');
    }
    const prefix = options.prefix ?? 'passport-7geese:';
    if (typeof prefix !== 'string') throw new TypeError('RedisTokenStore option "prefix" must be a string.');
    const ttl = options.ttl ?? THIRTY_DAYS;
    // Redis reads PEXPIRE's argument as a whole number: beyond the safe integers String() writes
    // "1e+21", which Redis refuses after the tokens were written.
    if (typeof ttl !== 'number' || !((ttl >= 1000 && ttl <= Number.MAX_SAFE_INTEGER) || ttl === Infinity)) {
      throw new TypeError(`RedisTokenStore option "ttl" must be from 1000 to ${Number.MAX_SAFE_INTEGER} milliseconds, or Infinity, got ${String(ttl)}.`);
    }
    this.#client = options.client;
    this.#prefix = prefix;
    this.#ttl = ttl === Infinity ? '0' : String(Math.round(ttl));
  }

  async load(key: string): Promise<TokenSet | undefined> {
    return parse(await this.#eval(LOAD, this.#tokensKey('load', key), []));
  }

  async save(key: string, tokens: TokenSet, expected?: string): Promise<boolean> {
    const k = this.#tokensKey('save', key);
    const t = checkTokens('RedisTokenStore.save()', tokens);
    checkExpected('RedisTokenStore.save()', expected);
    const args = [JSON.stringify(t), t.refreshToken ?? '', expected === undefined ? '0' : '1', expected ?? '', this.#ttl];
    return Number(await this.#eval(SAVE, k, args)) === 1;
  }

  async acquire(key: string, ttl: number): Promise<string | undefined> {
    const k = this.#leaseKey('acquire', key);
    checkLeaseTime('RedisTokenStore.acquire()', ttl);
    const id = randomUUID();
    return Number(await this.#eval(ACQUIRE, k, [id, String(Math.ceil(ttl))])) === 1 ? id : undefined;
  }

  async release(key: string, lease: string): Promise<void> {
    await this.#eval(RELEASE, this.#leaseKey('release', key), [lease]);
  }

  async delete(key: string): Promise<void> {
    await this.#eval(DELETE, this.#tokensKey('delete', key), []);
  }

  #tokensKey(method: string, key: string): string {
    return `${this.#prefix}tokens:${checkKey(`RedisTokenStore.${method}()`, key)}`;
  }

  #leaseKey(method: string, key: string): string {
    return `${this.#prefix}lease:${checkKey(`RedisTokenStore.${method}()`, key)}`;
  }

  #eval(script: string, key: string, args: string[]): Promise<unknown> {
    return this.#client.eval(script, { keys: [key], arguments: args });
  }
}
