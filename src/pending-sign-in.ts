import { randomBytes } from 'node:crypto';
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

/** A random, URL-safe handle to send as `state`: 144 bits, unguessable. */
export function newHandle(): string {
  return randomBytes(18).toString('base64url');
}
