import type { StateStore } from 'passport-oauth2';
import type { StrategyRequest } from './host-request.js';
import { PENDING_LIFETIME, type SignInStore } from './pending-sign-in.js';

type StoreCallback = (err: Error | null, handle?: string) => void;
type VerifyCallback = (err: Error | null, ok?: string | boolean, info?: unknown) => void;

/** Whether a store speaks this library's contract rather than passport-oauth2's. */
export function isSignInStore(store: object): store is SignInStore {
  const s = store as Partial<SignInStore>;
  return typeof s.save === 'function' && typeof s.take === 'function';
}

/**
 * Lets passport-oauth2 call a {@link SignInStore} as its own state store (`store` with the PKCE
 * verifier, by its five-parameter arity, and `verify`), and carries what passport-oauth2 does
 * not pass along: the scopes of each sign-in, from its start to its callback.
 */
export class StoreAdapter {
  readonly #store: SignInStore;
  /** Per request: the scopes of the sign-in being started, or finished (undefined: the option's). */
  readonly #scopes = new WeakMap<object, readonly string[] | undefined>();

  constructor(store: SignInStore) {
    this.#store = store;
  }

  /**
   * Called by the strategy as a sign-in starts, before passport-oauth2 calls `store`. Only scopes
   * other than the option's are noted: most sign-ins then never touch the WeakMap, whose entries
   * the garbage collector must trace separately.
   */
  starting(req: object, scope: readonly string[] | undefined): void {
    if (scope !== undefined) this.#scopes.set(req, scope);
  }

  /** The scopes of the sign-in this callback finishes, as its store kept them. */
  scopesOf(req: object): readonly string[] | undefined {
    return this.#scopes.get(req);
  }

  store(req: StrategyRequest, verifier: string | undefined, appState: unknown, _meta: unknown, callback: StoreCallback): void {
    const pending = { verifier, appState, scope: this.#scopes.get(req), expiresAt: Date.now() + PENDING_LIFETIME };
    this.#store.save(req, pending, callback);
  }

  verify(req: StrategyRequest, handle: unknown, _meta: unknown, callback: VerifyCallback): void {
    this.#store.take(req, handle, (err, pending, why) => {
      if (err) return callback(err);
      if (!pending) return callback(null, false, why);
      if (pending.scope !== undefined) this.#scopes.set(req, pending.scope);
      callback(null, pending.verifier ?? true, pending.appState);
    });
  }

  /** For passport-oauth2's typings, which know only its older store signatures. */
  asStateStore(): StateStore {
    return this as unknown as StateStore;
  }
}
