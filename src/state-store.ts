import { randomBytes } from 'node:crypto';
import type { StrategyRequest } from './host-request.js';

/** How long a started sign-in may take before its state is refused, in milliseconds. */
export const PENDING_LIFETIME = 10 * 60 * 1000;

/** How many sign-ins one browser session may have pending at once; older ones are dropped. */
export const MAX_PENDING = 8;

/** The messages a refused state fails with, as passport-oauth2 words them where it has one. */
export const STATE_MESSAGES = {
  nothingPending: 'Unable to verify authorization request state.',
  mismatch: 'Invalid authorization request state.',
  expired: 'Authorization request has expired. Please sign in again.',
  busy: 'Too many sign-ins are finishing at once. Please sign in again in a few minutes.',
} as const;

/**
 * The most spent states one registry remembers (about 10 MB). Past it, callbacks are refused
 * until some expire, rather than forgetting states that could still be replayed.
 */
export const MAX_SPENT = 100_000;

/**
 * States already used, each kept until it would have expired anyway: a spent state is refused
 * however many copies of it a session store or a cookie still holds. Bounded by lifetime, not
 * by count; the count cap only guards memory against a flood, and when reached it refuses new
 * callbacks (`busy`) instead of forgetting a state that is still valid.
 */
export class SpentStates {
  readonly #until = new Map<string, number>();
  readonly #max: number;
  #lastFullSweep = 0;

  constructor(max = MAX_SPENT) {
    this.#max = max;
  }

  /** How many states are remembered now. */
  get size(): number {
    return this.#until.size;
  }

  /**
   * Marks a state as used until `expiresAt`: `'ok'` the first time, `'spent'` after that,
   * `'full'` when the registry holds {@link MAX_SPENT} unexpired states.
   */
  spend(handle: string, expiresAt: number): 'ok' | 'spent' | 'full' {
    const now = Date.now();
    // Most entries expire in the order they were spent: drop them from the front.
    for (const [h, until] of this.#until) {
      if (until > now) break;
      this.#until.delete(h);
    }
    const until = this.#until.get(handle);
    if (until !== undefined && until > now) return 'spent';
    if (this.#until.size >= this.#max && now - this.#lastFullSweep >= 1000) {
      // A store with several lifetimes spends states out of expiry order: look at all of them,
      // at most once a second so that a flood cannot make every callback scan the whole map.
      this.#lastFullSweep = now;
      for (const [h, u] of this.#until) if (u <= now) this.#until.delete(h);
    }
    if (this.#until.size >= this.#max) return 'full';
    this.#until.delete(handle);
    this.#until.set(handle, expiresAt);
    return 'ok';
  }
}

/** The states spent in this process by every {@link SessionStateStore}. */
const spentInThisProcess = new SpentStates();

/**
 * What a state store keeps for one pending sign-in. Stores built for this strategy keep the
 * requested scopes too, so that the callback can report scopes 7Geese did not grant.
 */
export interface PendingSignIn {
  /** The PKCE code verifier, when PKCE is on. */
  verifier?: string | undefined;
  /** The `state` object the app passed to `passport.authenticate`, returned in `info.state`. */
  appState?: unknown;
  /** The scopes asked for at the start of this sign-in. */
  scope?: readonly string[] | undefined;
  /** Epoch milliseconds after which the state is refused. */
  expiresAt: number;
}

type StoreCallback = (err: Error | null, handle?: string) => void;
type VerifyCallback = (err: Error | null, ok?: string | boolean, info?: unknown) => void;

/**
 * A state store as passport-oauth2 calls it when PKCE is on: `store` keeps the verifier with a
 * new state handle, `verify` returns the verifier for a handle (or `false` with a message).
 */
export interface PKCEStateStore {
  store(req: StrategyRequest, verifier: string | undefined, appState: unknown, meta: unknown, callback: StoreCallback): void;
  verify(req: StrategyRequest, providedState: unknown, meta: unknown, callback: VerifyCallback): void;
}

/** Per request, the scopes of the sign-in being started or finished; set by the strategy and its stores. */
export const requestedScopes = new WeakMap<object, readonly string[]>();

/** A random, URL-safe handle to send as `state`: 192 bits, unguessable. */
export function newHandle(): string {
  return randomBytes(24).toString('base64url');
}

type SessionSlots = Record<string, { v?: string; s?: unknown; sc?: string; x: number }>;
interface WithSession {
  session?: Record<string, unknown> & object;
}

/**
 * Keeps pending sign-ins in the user's session, one slot per sign-in rather than
 * passport-oauth2's one slot per provider, so that two sign-ins started in two tabs both
 * complete. Each state works once and expires; at most {@link MAX_PENDING} are kept.
 *
 * Single use holds within the process even when callbacks race: session stores such as
 * express-session's let two requests each load the session before either saves it, so both
 * would find the state; spent states are therefore also kept process-wide ({@link SpentStates})
 * until they expire. Across processes it holds only as far as the session store serialises
 * writes (see SECURITY.md).
 *
 * Works with any session middleware that gives `req.session` (express-session, cookie-session).
 */
export class SessionStateStore {
  readonly #key: string;
  readonly #lifetime: number;
  readonly #max: number;
  readonly #spent: SpentStates;

  constructor(options: { key: string; lifetime?: number; max?: number; spent?: SpentStates }) {
    this.#key = options.key;
    this.#lifetime = options.lifetime ?? PENDING_LIFETIME;
    this.#max = options.max ?? MAX_PENDING;
    this.#spent = options.spent ?? spentInThisProcess;
  }

  #slots(req: StrategyRequest, create: boolean): SessionSlots | undefined {
    const session = (req as unknown as WithSession).session;
    if (!session) {
      throw new Error(
        '7Geese sign-in with state needs session support: add express-session (or cookie-session) before passport.',
      );
    }
    const now = Date.now();
    const slots = session[this.#key] as SessionSlots | undefined;
    if (slots) for (const [h, e] of Object.entries(slots)) if (!(e.x > now - this.#lifetime)) delete slots[h];
    if (!slots && create) return (session[this.#key] = {});
    return slots;
  }

  store(req: StrategyRequest, verifier: string | undefined, appState: unknown, _meta: unknown, callback: StoreCallback): void {
    let slots: SessionSlots | undefined;
    try {
      slots = this.#slots(req, true);
    } catch (err) {
      return callback(err as Error);
    }
    if (!slots) return callback(new Error('session unavailable'));
    const handle = newHandle();
    const scope = requestedScopes.get(req);
    slots[handle] = {
      x: Date.now() + this.#lifetime,
      ...(verifier === undefined ? {} : { v: verifier }),
      ...(appState === undefined ? {} : { s: appState }),
      ...(scope === undefined ? {} : { sc: scope.join(' ') }),
    };
    const handles = Object.keys(slots);
    // Drop the oldest sign-ins beyond the bound, so a script that starts sign-in in a loop
    // cannot grow the session without limit.
    handles.sort((a, b) => (slots[a]?.x ?? 0) - (slots[b]?.x ?? 0));
    for (const h of handles.slice(0, Math.max(0, handles.length - this.#max))) delete slots[h];
    callback(null, handle);
  }

  verify(req: StrategyRequest, provided: unknown, _meta: unknown, callback: VerifyCallback): void {
    let slots: SessionSlots | undefined;
    try {
      slots = this.#slots(req, false);
    } catch (err) {
      return callback(err as Error);
    }
    if (!slots || Object.keys(slots).length === 0 || typeof provided !== 'string' || provided === '') {
      this.#tidy(req, slots);
      return callback(null, false, { message: STATE_MESSAGES.nothingPending });
    }
    const entry = Object.hasOwn(slots, provided) ? slots[provided] : undefined;
    if (!entry) return callback(null, false, { message: STATE_MESSAGES.mismatch });
    // Single use: the state is spent whether or not the rest of the sign-in succeeds.
    delete slots[provided];
    this.#tidy(req, slots);
    if (entry.x <= Date.now()) return callback(null, false, { message: STATE_MESSAGES.expired });
    // Another request may hold its own copy of this session, slot included.
    const spent = this.#spent.spend(provided, entry.x);
    if (spent !== 'ok') return callback(null, false, { message: spent === 'spent' ? STATE_MESSAGES.mismatch : STATE_MESSAGES.busy });
    if (entry.sc !== undefined) requestedScopes.set(req, entry.sc.split(' '));
    callback(null, entry.v ?? true, entry.s);
  }

  #tidy(req: StrategyRequest, slots: SessionSlots | undefined): void {
    const session = (req as unknown as WithSession).session;
    if (session && slots && Object.keys(slots).length === 0) delete session[this.#key];
  }
}
