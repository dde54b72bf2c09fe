import { randomUUID } from 'node:crypto';
import { isToken } from './transport/answers.js';

/**
 * One person's 7Geese tokens as plain data that survives `JSON.stringify`: what a
 * {@link TokenStore} keeps, what the verify callback's `params.tokens` holds, what `refresh()`
 * answers and `onTokens` receives.
 */
export interface TokenSet {
  /** The access token. */
  accessToken: string;
  /** 7Geese rotates it: after a refresh only the new one works, so store it. */
  refreshToken: string | undefined;
  /** When the access token expires, in milliseconds since the epoch; undefined when 7Geese did not say. */
  expiresAt: number | undefined;
  /** The scopes 7Geese granted. */
  scopes: string[];
}

/**
 * Where an app keeps each person's tokens so that every process sees the newest ones, with what
 * it takes to refresh a rotating refresh token once across processes: a compare-and-swap save
 * and a short lease on refreshing. `getAccessToken()` and `SevenGeeseClient` use it;
 * {@link MemoryTokenStore} serves one process, `RedisTokenStore` many. Implement it on any
 * store with atomic conditional writes and expiring keys.
 *
 * @example
 * await store.save(user.id, params.tokens);       // after sign-in, unconditionally
 * const token = await getAccessToken({ strategy, store, key: user.id });
 */
export interface TokenStore {
  /** The tokens saved under `key`, or undefined. */
  load(key: string): Promise<TokenSet | undefined>;
  /**
   * Saves `tokens` under `key`. With `expected`, only when the refresh token stored now is
   * `expected` (compare-and-swap), so that a refresh never overwrites newer tokens. An
   * `expected` of `''` is a TypeError: a missing refresh token is `undefined`, never `''`.
   *
   * @returns whether it saved
   */
  save(key: string, tokens: TokenSet, expected?: string): Promise<boolean>;
  /**
   * Takes the lease on refreshing `key` for `ttl` milliseconds, unless someone holds it.
   * A lease its holder never releases (a crashed process) ends by itself after `ttl`.
   *
   * @returns the lease's id, to release it; undefined when another holder has it
   */
  acquire(key: string, ttl: number): Promise<string | undefined>;
  /** Ends a lease, only when `lease` still holds it (an expired and retaken lease is left alone). */
  release(key: string, lease: string): Promise<void>;
  /** Forgets `key`'s tokens, at sign-out. */
  delete(key: string): Promise<void>;
}

/** Options of {@link MemoryTokenStore}. */
export interface MemoryTokenStoreOptions {
  /**
   * The most people whose tokens it keeps; saving one more forgets the one saved longest ago.
   * @default 10000
   */
  max?: number | undefined;
  /**
   * The clock its leases expire by, in milliseconds since the epoch; a test passes a fake one.
   * @default Date.now
   * @example { now: () => fakeTime }
   */
  now?: (() => number) | undefined;
}

/** Checks the `ttl` of a lease, for every token store's `acquire`. */
export function checkLeaseTime(owner: string, ttl: number): void {
  if (!Number.isFinite(ttl) || ttl <= 0) throw new TypeError(`${owner} needs a positive ttl in milliseconds, got ${String(ttl)}.`);
}

/** Checks the `expected` refresh token of a compare-and-swap save. */
export function checkExpected(owner: string, expected: string | undefined): void {
  if (expected !== undefined && (typeof expected !== 'string' || expected === '')) {
    throw new TypeError(`${owner} needs "expected" as the stored refresh token (a non-empty string) or undefined.`);
  }
}

/** Reads a key argument; keys are the app's own ids, so a wrong type is a programming error. */
export function checkKey(owner: string, key: unknown): string {
  if (typeof key !== 'string' || key === '' || key.length > 512) {
    throw new TypeError(`${owner} needs the key as a non-empty string of at most 512 characters, got ${typeof key === 'string' ? `${key.length} characters` : typeof key}.`);
  }
  return key;
}

/** Checks tokens before a store keeps them, and copies them so that later changes by the caller do not leak in. */
export function checkTokens(owner: string, tokens: TokenSet): TokenSet {
  const t = tokens as Partial<TokenSet> | null;
  if (typeof t !== 'object' || t === null || typeof t.accessToken !== 'string' || t.accessToken === '') {
    throw new TypeError(`${owner} needs tokens with a non-empty "accessToken" string.`);
  }
  // "No refresh token" has one form, undefined: a store that wrote it as '' would match a
  // compare-and-swap on '' that another store refuses.
  if (t.refreshToken !== undefined && (typeof t.refreshToken !== 'string' || t.refreshToken === '')) {
    throw new TypeError(`${owner} needs "refreshToken" as a non-empty string or undefined.`);
  }
  // Tokens go back to 7Geese in a header: a CR or LF would split it, on the first API call.
  if (!isToken(t.accessToken) || (t.refreshToken !== undefined && !isToken(t.refreshToken))) {
    throw new TypeError(`${owner} needs "accessToken" and "refreshToken" as tokens (visible ASCII characters, at most 4096).`);
  }
  if (t.expiresAt !== undefined && !Number.isFinite(t.expiresAt)) throw new TypeError(`${owner} needs "expiresAt" as milliseconds since the epoch or undefined.`);
  if (t.scopes !== undefined && !(Array.isArray(t.scopes) && t.scopes.every((s) => typeof s === 'string'))) {
    throw new TypeError(`${owner} needs "scopes" as an array of strings.`);
  }
  return { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, scopes: [...(t.scopes ?? [])] };
}

/**
 * A {@link TokenSet} from a token answer's fields; `expiresAt` as 7Geese's answer was read (a
 * `Date`, or undefined when it did not say).
 */
export function tokenSet(accessToken: string, refreshToken: string | undefined, expiresAt: unknown, scopes: readonly string[]): TokenSet {
  return {
    accessToken,
    refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : undefined,
    expiresAt: expiresAt instanceof Date ? expiresAt.getTime() : undefined,
    scopes: [...scopes],
  };
}

/**
 * A {@link TokenStore} inside one process: for development, tests, and apps that run a single
 * instance. It is bounded (`max` people) and forgets everything on restart. With two or more
 * instances use a shared store such as `RedisTokenStore`.
 *
 * @example
 * const store = new MemoryTokenStore();
 * await store.save('user-42', params.tokens);
 * const accessToken = await getAccessToken({ strategy, store, key: 'user-42' });
 */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, TokenSet>();
  readonly #leases = new Map<string, { id: string; until: number }>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: MemoryTokenStoreOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('MemoryTokenStore options must be an object when given.');
    const max = options.max ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new TypeError(`MemoryTokenStore option "max" must be a positive integer, got ${String(max)}.`);
    if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('MemoryTokenStore option "now" must be a function returning milliseconds.');
    this.#max = max;
    this.#now = options.now ?? Date.now;
  }

  async load(key: string): Promise<TokenSet | undefined> {
    const t = this.#tokens.get(checkKey('MemoryTokenStore.load()', key));
    return t && { ...t, scopes: [...t.scopes] };
  }

  async save(key: string, tokens: TokenSet, expected?: string): Promise<boolean> {
    checkKey('MemoryTokenStore.save()', key);
    const copy = checkTokens('MemoryTokenStore.save()', tokens);
    checkExpected('MemoryTokenStore.save()', expected);
    if (expected !== undefined && this.#tokens.get(key)?.refreshToken !== expected) return false;
    this.#tokens.delete(key);
    this.#tokens.set(key, copy);
    // Maps iterate in insertion order: the first key is the one saved longest ago.
    if (this.#tokens.size > this.#max) this.#tokens.delete(this.#tokens.keys().next().value!);
    return true;
  }

  async acquire(key: string, ttl: number): Promise<string | undefined> {
    checkKey('MemoryTokenStore.acquire()', key);
    checkLeaseTime('MemoryTokenStore.acquire()', ttl);
    const now = this.#now();
    for (const [k, lease] of this.#leases) if (lease.until <= now) this.#leases.delete(k);
    if (this.#leases.has(key)) return undefined;
    if (this.#leases.size >= this.#max) return undefined;
    const id = randomUUID();
    this.#leases.set(key, { id, until: now + ttl });
    return id;
  }

  async release(key: string, lease: string): Promise<void> {
    if (this.#leases.get(checkKey('MemoryTokenStore.release()', key))?.id === lease) this.#leases.delete(key);
  }

  async delete(key: string): Promise<void> {
    this.#tokens.delete(checkKey('MemoryTokenStore.delete()', key));
  }
}
