import { setTimeout as sleep } from 'node:timers/promises';
import { endpointOf } from './errors.js';
import { DEFAULT_TIMEOUT } from './transport/transport.js';
import { SevenGeeseTokenStoreError } from './token-store-error.js';
import { checkKey, checkTokens, type TokenSet, type TokenStore } from './token-store.js';
import type { Transport } from './transport/transport.js';
import { PATHS } from './options.js';

/**
 * What {@link getAccessToken} and `SevenGeeseClient` need from a strategy to refresh tokens:
 * `Strategy` and `PasswordStrategy` both fit.
 */
export interface TokenRefresher {
  /** Where 7Geese lives: the client calls the API under it, and errors name its token endpoint. */
  readonly baseURL?: string | undefined;
  /** The deadline of one request to 7Geese, in milliseconds. */
  readonly timeout?: number | undefined;
  /** Exchanges a refresh token for new tokens (see `Strategy.refresh`). */
  refresh(refreshToken: string): Promise<TokenSet>;
  /** @internal How the strategy reaches 7Geese: the client connects the same way, with the same headers. */
  readonly transport?: Transport | undefined;
}

/** Options of {@link getAccessToken}. */
export interface GetAccessTokenOptions {
  /** The `Strategy` or `PasswordStrategy` the tokens came from: it refreshes them. */
  strategy: TokenRefresher;
  /** Where the tokens are: a `MemoryTokenStore` for one process, a `RedisTokenStore` for many. */
  store: TokenStore;
  /** Whose tokens, as the app saved them (a user id). */
  key: string;
  /**
   * Refresh when the access token expires within this many milliseconds, so that no request
   * goes out with a token about to die.
   * @default 60000
   */
  margin?: number | undefined;
  /**
   * The clock expiry is judged by, in milliseconds since the epoch; tests pass a fake one.
   * (Waiting for another process's refresh is timed by the monotonic clock.)
   * @default Date.now
   * @example { now: () => fakeTime }
   */
  now?: (() => number) | undefined;
  /**
   * How long the refresh lease lasts unless released: a process that crashes mid-refresh
   * blocks the others at most this long.
   * @default the strategy's timeout + 5000
   */
  leaseTime?: number | undefined;
  /**
   * How long to wait for another process's refresh before failing with `refresh_contended`;
   * longer than `leaseTime`, so that a crashed holder's lease can expire and be taken over.
   * @default leaseTime + the strategy's timeout
   */
  wait?: number | undefined;
  /** Called with the new tokens when this call refreshed them (not when it read another process's). */
  onTokens?: ((tokens: TokenSet) => void | Promise<void>) | undefined;
}

/** Options checked, with their defaults. */
export interface SharedTokens {
  strategy: TokenRefresher;
  store: TokenStore;
  key: string;
  margin: number;
  now: () => number;
  leaseTime: number;
  wait: number;
  onTokens: ((tokens: TokenSet) => void | Promise<void>) | undefined;
}

function checkDuration(owner: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${owner} option "${name}" must be a number of milliseconds (0 or more), got ${String(value)}.`);
  }
  return value;
}

/** Checks `margin` and `now`, with their defaults. */
export function checkExpiryOptions(owner: string, o: { margin?: number | undefined; now?: (() => number) | undefined }): { margin: number; now: () => number } {
  if (o.now !== undefined && typeof o.now !== 'function') throw new TypeError(`${owner} option "now" must be a function returning milliseconds since the epoch.`);
  return { margin: checkDuration(owner, 'margin', o.margin, 60_000), now: o.now ?? Date.now };
}

/** Checks the options of {@link getAccessToken} (or the client's, named by `storeOption`). */
export function checkSharedOptions(owner: string, o: GetAccessTokenOptions, storeOption = 'store'): SharedTokens {
  if (typeof o?.strategy?.refresh !== 'function') throw new TypeError(`${owner} option "strategy" must be a 7Geese Strategy or PasswordStrategy: it refreshes the tokens.`);
  const s = o.store as Partial<TokenStore> | undefined;
  if (!s || !(['load', 'save', 'acquire', 'release'] as const).every((m) => typeof s[m] === 'function')) {
    throw new TypeError(`${owner} option "${storeOption}" must be a token store (load, save, acquire, release), such as a MemoryTokenStore or RedisTokenStore.`);
  }
  if (o.onTokens !== undefined && typeof o.onTokens !== 'function') throw new TypeError(`${owner} option "onTokens" must be a function.`);
  const timeout = typeof o.strategy.timeout === 'number' ? o.strategy.timeout : DEFAULT_TIMEOUT;
  const leaseTime = checkDuration(owner, 'leaseTime', o.leaseTime, timeout + 5000);
  if (leaseTime < 1) throw new TypeError(`${owner} option "leaseTime" must be at least 1 millisecond.`);
  return {
    strategy: o.strategy,
    store: o.store,
    key: checkKey(`${owner} option "key"`, o.key),
    ...checkExpiryOptions(owner, o),
    leaseTime,
    wait: checkDuration(owner, 'wait', o.wait, leaseTime + timeout),
    onTokens: o.onTokens,
  };
}

/** Whether an access token expiring at `expiresAt` should be refreshed now. Unknown expiry: no. */
export function expiresSoon(expiresAt: number | undefined, margin: number, now: number): boolean {
  return expiresAt !== undefined && expiresAt - margin <= now;
}

/**
 * A valid access token for `key`: the stored one, or, when it expires within `margin`, a
 * refreshed one. Across processes sharing the store, one refreshes (holding a short lease) and
 * the others wait for its tokens; callers in one process share one refresh.
 *
 * @throws TypeError at once, naming the option, when an option is wrong
 * @throws SevenGeeseTokenStoreError `no_tokens` (sign in again) or `refresh_contended` (try again)
 * @throws SevenGeeseTokenError `invalid_grant` when 7Geese refuses the refresh token (sign in again)
 * @example
 * const accessToken = await getAccessToken({ strategy, store, key: req.user.id });
 * await fetch('https://app.7geese.com/api/v/2.0/users/me/', { headers: { Authorization: `Bearer ${accessToken}` } });
 */
export function getAccessToken(options: GetAccessTokenOptions): Promise<string> {
  // Wrong options are a programming error: thrown at once, as a constructor throws them.
  const checked = checkSharedOptions('getAccessToken()', options);
  return freshTokens(checked).then((tokens) => tokens.accessToken);
}

/** The stored tokens, refreshed first when the access token expires within the margin. */
export async function freshTokens(o: SharedTokens): Promise<TokenSet> {
  const current = await o.store.load(o.key);
  if (current === undefined) throw noTokens(o, 'none are stored');
  if (!expiresSoon(current.expiresAt, o.margin, o.now())) return current;
  if (current.refreshToken === undefined) {
    if (current.expiresAt! > o.now()) return current;
    throw noTokens(o, 'the access token expired and there is no refresh token');
  }
  return refreshOnce(o, current.accessToken);
}

/**
 * Tokens to use after 7Geese rejected `rejected`: those another caller stored since, or new ones.
 */
export async function tokensAfterRejection(o: SharedTokens, rejected: string): Promise<TokenSet> {
  const current = await o.store.load(o.key);
  if (current === undefined) throw noTokens(o, 'none are stored');
  if (current.accessToken !== rejected) return current;
  if (current.refreshToken === undefined) throw noTokens(o, '7Geese rejected the access token and there is no refresh token');
  return refreshOnce(o, rejected);
}

// Callers in this process refreshing the same key share one promise. Entries live only while a
// refresh runs, so the map holds at most the keys being refreshed at this moment.
const inFlight = new WeakMap<TokenStore, Map<string, Promise<TokenSet>>>();

function refreshOnce(o: SharedTokens, stale: string): Promise<TokenSet> {
  let byKey = inFlight.get(o.store);
  if (!byKey) inFlight.set(o.store, (byKey = new Map()));
  const running = byKey.get(o.key);
  if (running) return running;
  const map = byKey;
  const started = refreshShared(o, stale).finally(() => map.delete(o.key));
  map.set(o.key, started);
  return started;
}

/** Refreshes under the store's lease, or waits for the process holding it and reads its tokens. */
async function refreshShared(o: SharedTokens, stale: string): Promise<TokenSet> {
  const deadline = performance.now() + o.wait;
  let pause = 10;
  for (;;) {
    const lease = await o.store.acquire(o.key, o.leaseTime);
    if (lease !== undefined) {
      try {
        return await refreshHolding(o, stale);
      } finally {
        // A failed release is harmless: the lease expires after leaseTime.
        await o.store.release(o.key, lease).catch(() => undefined);
      }
    }
    const current = await o.store.load(o.key);
    if (current === undefined) throw noTokens(o, 'they were deleted while waiting for a refresh');
    if (current.accessToken !== stale) return current;
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new SevenGeeseTokenStoreError(
        `Another process held the refresh of these 7Geese tokens for longer than ${o.wait} ms; 7Geese or the token store may be slow. Try again.`,
        'refresh_contended',
        tokenEndpoint(o),
      );
    }
    await sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, 250);
  }
}

async function refreshHolding(o: SharedTokens, stale: string): Promise<TokenSet> {
  const current = await o.store.load(o.key);
  if (current === undefined) throw noTokens(o, 'none are stored');
  // The previous holder finished between our last look and our lease.
  if (current.accessToken !== stale) return current;
  if (current.refreshToken === undefined) throw noTokens(o, 'there is no refresh token');
  let fresh: TokenSet;
  try {
    fresh = await o.strategy.refresh(current.refreshToken);
  } catch (err) {
    // A writer that does not take the lease (another app version, a sign-in) may have rotated it.
    const after = await o.store.load(o.key).catch(() => undefined);
    if (after !== undefined && after.refreshToken !== current.refreshToken) return after;
    throw err;
  }
  // Checked as a store would: the refresher may be the app's own.
  const next = checkTokens('refresh()', { ...fresh, refreshToken: fresh.refreshToken ?? current.refreshToken });
  // Not saved means someone wrote newer tokens meanwhile (a new sign-in); ours are valid too,
  // so this caller uses them and the store keeps theirs.
  await o.store.save(o.key, next, current.refreshToken);
  await o.onTokens?.(next);
  return next;
}

function tokenEndpoint(o: SharedTokens): string {
  return typeof o.strategy.baseURL === 'string' ? endpointOf(`${o.strategy.baseURL.replace(/\/+$/, '')}${PATHS.token}`) : '(token store)';
}

function noTokens(o: SharedTokens, why: string): SevenGeeseTokenStoreError {
  return new SevenGeeseTokenStoreError(`No usable 7Geese tokens in the token store for this key: ${why}. Sign the person in again.`, 'no_tokens', tokenEndpoint(o));
}
