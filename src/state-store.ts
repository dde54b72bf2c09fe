import { failure, type SignInFailure } from './failures.js';
import type { StrategyRequest } from './host-request.js';
import { PENDING_LIFETIME, newHandle, slotOf, takeSlot, type PendingSignIn, type PendingSlot, type SignInStore } from './pending-sign-in.js';
import { SpentStates } from './spent-states.js';

/** How many sign-ins one browser session may have pending at once; older ones are dropped. */
const MAX_PENDING = 8;

/** The states spent in this process by every {@link SessionStateStore}. */
const spentInThisProcess = new SpentStates();

/**
 * The pending sign-ins of a session are slots (expiry `x` in epoch seconds) in an array, never
 * objects keyed by random handles: the session is serialised and parsed on every request, and
 * this keeps one entry no larger than passport-oauth2's.
 */
type Slot = PendingSlot;

interface WithSession {
  session?: Record<string, unknown> & object;
}

/** Options of {@link SessionStateStore}. */
export interface SessionStateStoreOptions {
  /** The session key the pending sign-ins live under. */
  key: string;
  /** How long a started sign-in may take, in milliseconds. @default 600000 (10 minutes) */
  lifetime?: number;
  /** How many sign-ins one session may have pending at once. @default 8 */
  max?: number;
  /** @internal Where spent states are remembered; one registry per process by default. */
  spent?: SpentStates;
}

/**
 * Keeps pending sign-ins in the user's session, one slot per sign-in rather than
 * passport-oauth2's one slot per provider, so that two sign-ins started in two tabs both
 * complete. Each state works once and expires; at most `max` (8) are kept.
 *
 * Single use holds within the process even when callbacks race: session stores such as
 * express-session's let two requests each load the session before either saves it, so both
 * would find the state; spent states are therefore also kept process-wide
 * until they expire. Across processes it holds only as far as the session store serialises
 * writes (see SECURITY.md).
 *
 * Works with any session middleware that gives `req.session` (express-session, cookie-session,
 * @fastify/session, koa-session).
 */
export class SessionStateStore implements SignInStore {
  readonly #key: string;
  readonly #lifetime: number;
  readonly #max: number;
  readonly #spent: SpentStates;

  constructor(options: SessionStateStoreOptions) {
    if (typeof options !== 'object' || options === null || typeof options.key !== 'string' || options.key === '') {
      throw new TypeError('SessionStateStore requires an options object with "key", the session key to keep pending sign-ins under.');
    }
    const lifetime = options.lifetime ?? PENDING_LIFETIME;
    if (!Number.isInteger(lifetime) || lifetime < 1000) throw new TypeError('SessionStateStore option "lifetime" must be a whole number of milliseconds, at least 1000.');
    const max = options.max ?? MAX_PENDING;
    if (!Number.isInteger(max) || max < 1 || max > 100) throw new TypeError('SessionStateStore option "max" must be a whole number from 1 to 100.');
    this.#key = options.key;
    this.#lifetime = lifetime;
    this.#max = max;
    this.#spent = options.spent ?? spentInThisProcess;
  }

  #session(req: StrategyRequest): Record<string, unknown> {
    const session = (req as WithSession).session;
    if (!session) {
      throw new Error('7Geese sign-in with state needs session support: add express-session (or cookie-session) before passport.');
    }
    return session;
  }

  /** The unexpired slots of this session; anything else found under the key is dropped. */
  #slots(session: Record<string, unknown>): Slot[] {
    const found = session[this.#key];
    const now = Date.now() / 1000;
    return Array.isArray(found) ? (found as Slot[]).filter((s) => typeof s?.h === 'string' && s.x > now) : [];
  }

  #write(session: Record<string, unknown>, slots: Slot[]): void {
    if (slots.length) session[this.#key] = slots;
    else delete session[this.#key];
  }

  save(req: StrategyRequest, pending: PendingSignIn, callback: (err: Error | null, handle?: string) => void): void {
    let session: Record<string, unknown>;
    try {
      session = this.#session(req);
    } catch (err) {
      return callback(err as Error);
    }
    const handle = newHandle();
    const slot = slotOf(handle, pending, Math.floor((Date.now() + this.#lifetime) / 1000));
    // Oldest first: beyond the bound the oldest go, so a script that starts sign-in in a loop
    // cannot grow the session without limit.
    const slots = this.#slots(session);
    slots.push(slot);
    this.#write(session, slots.slice(-this.#max));
    callback(null, handle);
  }

  take(req: StrategyRequest, handle: unknown, callback: (err: Error | null, pending: PendingSignIn | false, why?: SignInFailure) => void): void {
    let session: Record<string, unknown>;
    try {
      session = this.#session(req);
    } catch (err) {
      return callback(err as Error, false);
    }
    const found = session[this.#key];
    const all = Array.isArray(found) ? (found as Slot[]) : [];
    const given = typeof handle === 'string' && handle !== '';
    const index = given ? all.findIndex((s) => s?.h === handle) : -1;
    if (index < 0) {
      this.#write(session, this.#slots(session));
      return callback(null, false, failure(given && all.length ? 'state_mismatch' : 'state_missing'));
    }
    // Single use: the state is spent whether or not the rest of the sign-in succeeds.
    const slot = all[index]!;
    all.splice(index, 1);
    this.#write(session, this.#slots(session));
    // Another request may hold its own copy of this session, slot included: takeSlot spends it.
    takeSlot(slot, slot.x * 1000, this.#spent, callback);
  }
}
