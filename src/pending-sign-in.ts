import { randomFillSync } from 'node:crypto';
import { failure, type SignInFailure } from './failures.js';
import type { StrategyRequest } from './host-request.js';
import type { SpentStates } from './spent-states.js';

/**
 * How long a started sign-in may take before its state is refused, in milliseconds, unless the
 * store is given another `lifetime`: the store alone decides when a pending sign-in expires.
 */
export const PENDING_LIFETIME = 10 * 60 * 1000;

/** One sign-in between the redirect to 7Geese and the callback. */
export interface PendingSignIn {
  /** The PKCE code verifier, when PKCE is on. */
  verifier: string | undefined;
  /** The `state` object the app passed to `passport.authenticate`, returned in `info.state`. */
  appState: unknown;
  /** The scopes asked for, when other than the strategy's `scope` option. */
  scope: readonly string[] | undefined;
}

/**
 * Where `Strategy` keeps pending sign-ins: {@link SessionStateStore}, {@link CookieStateStore},
 * or a store of your own. passport-oauth2's stores (`store`/`verify`, called by their arity with
 * passport-oauth2's `meta`) are accepted too, but they do not keep the requested scopes, so
 * `params.missingScopes` is then computed against the `scope` option rather than a per-request
 * `scope`.
 */
export interface SignInStore {
  /** Keeps a new pending sign-in, until the store's own lifetime ends, and answers the handle to send to 7Geese as `state`. */
  save(req: StrategyRequest, pending: PendingSignIn, callback: (err: Error | null, handle?: string) => void): void;
  /**
   * Takes the pending sign-in of a handle, once: a second take of the same handle fails. Answers
   * `false` and why when there is none to take.
   */
  take(req: StrategyRequest, handle: unknown, callback: (err: Error | null, pending: PendingSignIn | false, failure?: SignInFailure) => void): void;
}

/** Random bytes drawn from the system's CSPRNG in one call and handed out once each. */
const pool = Buffer.alloc(2048);
let used = pool.length;

/**
 * `bytes` random bytes as URL-safe text. The bytes come from a pool filled by `randomFillSync`
 * 2 KiB at a time, as Node's own `randomUUID` does: one call into the CSPRNG per sign-in cost
 * more than the rest of making its state. No byte is used twice.
 */
export function randomText(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += bytes;
  return pool.toString('base64url', used - bytes, used);
}

/** A random, URL-safe handle to send as `state`: 144 bits, unguessable. */
export function newHandle(): string {
  return randomText(18);
}

/**
 * A pending sign-in as both of this library's stores keep it: short names in a fixed shape, so
 * that it serialises small. `x` is its expiry, in the unit its store keeps (the session store
 * keeps seconds, to keep the session small; the cookie store milliseconds).
 */
export interface PendingSlot {
  h: string;
  v?: string;
  s?: unknown;
  sc?: string;
  x: number;
}

/** The slot of a new pending sign-in under `handle`, expiring at `x`. */
export function slotOf(handle: string, pending: PendingSignIn, x: number): PendingSlot {
  const slot: PendingSlot = { h: handle, x };
  if (pending.verifier !== undefined) slot.v = pending.verifier;
  if (pending.appState !== undefined) slot.s = pending.appState;
  if (pending.scope !== undefined) slot.sc = pending.scope.join(' ');
  return slot;
}

/**
 * Answers a take with the slot found for its handle, expiring at `expiresAt` (epoch ms): the
 * pending sign-in, or why not (expired, or already spent in this process however many copies of
 * the slot a session or a cookie still holds).
 */
export function takeSlot(
  slot: PendingSlot,
  expiresAt: number,
  spent: SpentStates,
  callback: (err: Error | null, pending: PendingSignIn | false, why?: SignInFailure) => void,
): void {
  if (!(expiresAt > Date.now())) return callback(null, false, failure('state_expired'));
  const spending = spent.spend(slot.h, expiresAt);
  if (spending !== 'ok') return callback(null, false, failure(spending === 'spent' ? 'state_mismatch' : 'state_busy'));
  callback(null, { verifier: slot.v, appState: slot.s, scope: slot.sc?.split(' ') });
}

/**
 * passport-oauth2's state store, whose methods are called by the number of parameters they
 * declare, as passport-oauth2 calls them: `store(req, verifier, state, meta, cb)` down to
 * `store(req, cb)`, and `verify(req, state, meta, cb)` or `verify(req, state, cb)`.
 */
export interface OAuth2StateStore {
  /** Keeps a new state and answers it through the callback, its last parameter. */
  store(...args: any[]): void;
  /** Checks a callback's state and answers `(err, ok, state)` through the callback, its last parameter. */
  verify(...args: any[]): void;
}

/** What passport-oauth2 hands its state stores besides the request. */
export interface StoreMeta {
  authorizationURL: string;
  tokenURL: string;
  clientID: string;
  callbackURL: string;
}

/** Whether a store speaks this library's contract rather than passport-oauth2's. */
export function isSignInStore(store: object): store is SignInStore {
  const s = store as Partial<SignInStore>;
  return typeof s.save === 'function' && typeof s.take === 'function';
}

/** Keeps a pending sign-in in either kind of store; `meta` is built only for passport-oauth2's. */
export function saveState(
  store: SignInStore | OAuth2StateStore,
  req: StrategyRequest,
  pending: PendingSignIn,
  meta: () => StoreMeta,
  callback: (err: Error | null, handle?: string) => void,
): void {
  if (isSignInStore(store)) return store.save(req, pending, callback);
  // passport-oauth2's arities: the PKCE verifier and app state only where the store takes them.
  switch (store.store.length) {
    case 5:
      return store.store(req, pending.verifier, pending.appState, meta(), callback);
    case 4:
      return store.store(req, pending.appState, meta(), callback);
    case 3:
      return store.store(req, meta(), callback);
    default:
      return store.store(req, callback);
  }
}

/**
 * Takes the pending sign-in of a callback's `state` from either kind of store. A passport-oauth2
 * store answers `ok` (the PKCE verifier, or true) and the app state; its refusal's `info` is
 * passed on as the failure.
 */
export function takeState(
  store: SignInStore | OAuth2StateStore,
  req: StrategyRequest,
  handle: unknown,
  meta: () => StoreMeta,
  callback: (err: Error | null, pending: PendingSignIn | false, why?: object) => void,
): void {
  if (isSignInStore(store)) return store.take(req, handle, callback);
  const verified = (err: Error | null, ok?: unknown, state?: unknown): void => {
    if (err) return callback(err, false);
    if (!ok) return callback(null, false, typeof state === 'object' && state !== null ? state : failure('state_mismatch'));
    callback(null, { verifier: typeof ok === 'string' ? ok : undefined, appState: state, scope: undefined });
  };
  if (store.verify.length >= 4) store.verify(req, handle, meta(), verified);
  else store.verify(req, handle, verified);
}
