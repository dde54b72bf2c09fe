import { randomFillSync } from 'node:crypto';
import { failure, type SignInFailure } from './failures.js';
import type { StrategyRequest } from './host-request.js';
import type { SpentStates } from './spent-states.js';

/** How long a started sign-in may take before its state is refused, in milliseconds. */
export const PENDING_LIFETIME = 10 * 60 * 1000;

/** One sign-in between the redirect to 7Geese and the callback. */
export interface PendingSignIn {
  /** The PKCE code verifier, when PKCE is on. */
  verifier: string | undefined;
  /** The `state` object the app passed to `passport.authenticate`, returned in `info.state`. */
  appState: unknown;
  /** The scopes asked for, when other than the strategy's `scope` option. */
  scope: readonly string[] | undefined;
  /** Epoch milliseconds after which the state is refused. */
  expiresAt: number;
}

/**
 * Where `Strategy` keeps pending sign-ins: {@link SessionStateStore}, {@link CookieStateStore},
 * or a store of your own. passport-oauth2's stores (`store`/`verify`) are accepted too, but they
 * do not keep the requested scopes, so `params.missingScopes` is then computed against the
 * `scope` option rather than a per-request `scope`.
 */
export interface SignInStore {
  /** Keeps a new pending sign-in and answers the handle to send to 7Geese as `state`. */
  save(req: StrategyRequest, pending: PendingSignIn, callback: (err: Error | null, handle?: string) => void): void;
  /**
   * Takes the pending sign-in of a handle, once: a second take of the same handle fails. Answers
   * `false` and why when there is none to take.
   */
  take(req: StrategyRequest, handle: unknown, callback: (err: Error | null, pending: PendingSignIn | false, failure?: SignInFailure) => void): void;
}

/** Random bytes drawn from the system's CSPRNG in one call and handed out once each. */
const pool = Buffer.alloc(18 * 64);
let used = pool.length;

/**
 * A random, URL-safe handle to send as `state`: 144 bits, unguessable. The bytes come from a
 * pool filled by `randomFillSync` 64 handles at a time, as Node's own `randomUUID` does: one call
 * into the CSPRNG per handle cost more than the rest of making it. No byte is used twice.
 */
export function newHandle(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += 18;
  return pool.toString('base64url', used - 18, used);
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
  callback(null, { verifier: slot.v, appState: slot.s, scope: slot.sc?.split(' '), expiresAt });
}
