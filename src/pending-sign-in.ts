import { randomFillSync } from 'node:crypto';
import type { SignInFailure } from './failures.js';
import type { StrategyRequest } from './host-request.js';

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
