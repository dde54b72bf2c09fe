/**
 * The most spent states one registry remembers (about 10 MB). Past it, callbacks are refused
 * until some expire, rather than forgetting states that could still be replayed.
 */
const MAX_SPENT = 100_000;

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
