import { SevenGeeseError, SevenGeeseResponseError, SevenGeeseTimeoutError, endpointOf } from './errors.js';
import { isRecord } from './json.js';

/** The most pages {@link SevenGeeseClient.paginate} reads unless told otherwise. */
const DEFAULT_MAX_PAGES = 1000;

/** Options of {@link SevenGeeseClient.paginate}. */
export interface PaginateOptions {
  /** Items per page, sent as `limit`. @default 7Geese's page size */
  pageSize?: number | undefined;
  /**
   * The most pages to read; a list with more fails with `too_many_pages` after yielding the
   * items of the pages read, so a list that never ends cannot keep requests going for ever.
   * @default 1000
   */
  maxPages?: number | undefined;
  /**
   * A deadline for the whole listing, in milliseconds from the first request; past it the
   * listing fails with `deadline_exceeded`. Each request still has the client's `timeout`.
   * @default no deadline beyond each request's timeout and `maxPages`
   */
  deadline?: number | undefined;
  /**
   * Stops the listing, and the request in flight, when aborted (for example when the browser
   * that asked for the page goes away); the listing then fails with `aborted`.
   */
  signal?: AbortSignal | undefined;
}

/** Fetches one page's JSON with the given signal and deadline. */
export type PageFetcher = (url: URL, signal: AbortSignal, timeout: number) => Promise<unknown>;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

function checkOptions(options: PaginateOptions): void {
  const whole = (v: unknown, max: number) => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= max;
  if (typeof options !== 'object' || options === null) throw new TypeError('paginate() options must be an object.');
  if (options.pageSize !== undefined && !whole(options.pageSize, 10_000)) throw new TypeError('paginate() option "pageSize" must be a whole number from 1 to 10000.');
  if (options.maxPages !== undefined && !whole(options.maxPages, Number.MAX_SAFE_INTEGER)) throw new TypeError('paginate() option "maxPages" must be a whole number greater than 0.');
  if (options.deadline !== undefined && !whole(options.deadline, 2_147_483_647)) throw new TypeError('paginate() option "deadline" must be a whole number of milliseconds greater than 0.');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError('paginate() option "signal" must be an AbortSignal.');
}

/**
 * The items of a Django REST Framework list, page after page. Bounded however 7Geese answers:
 * a page seen before ends the listing (`pagination_loop`), as do `maxPages`, `deadline` and
 * `signal`. `return()` (what `break` calls) stops the request in flight and every later one.
 */
export class PageIterator<T> implements AsyncIterableIterator<T, undefined, undefined> {
  readonly #fetch: PageFetcher;
  readonly #follow: (next: string, from: URL) => URL;
  readonly #timeout: number;
  readonly #options: PaginateOptions;
  readonly #maxPages: number;
  readonly #controller = new AbortController();
  readonly #seen = new Set<string>();
  #start: () => URL;
  #next: URL | undefined;
  #items: unknown[] = [];
  #at = 0;
  #failure: Error | undefined;
  #done = false;
  #stopped = false;
  #deadlineAt: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #onAbort = () => this.#controller.abort(this.#options.signal?.reason);

  constructor(start: () => URL, fetch: PageFetcher, follow: (next: string, from: URL) => URL, timeout: number, options: PaginateOptions) {
    this.#start = start;
    this.#fetch = fetch;
    this.#follow = follow;
    this.#timeout = timeout;
    this.#options = options;
    this.#maxPages = typeof options?.maxPages === 'number' ? options.maxPages : DEFAULT_MAX_PAGES;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    // One step at a time: concurrent next() calls must not fetch the same page twice.
    const step = this.#queue.then(() => this.#step());
    this.#queue = step.catch(() => undefined);
    return step;
  }

  /** Stops the listing: the request in flight is aborted and a pending next() ends. */
  return(): Promise<IteratorResult<T, undefined>> {
    this.#stopped = true;
    this.#finish();
    this.#controller.abort();
    return Promise.resolve(DONE);
  }

  async #step(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.#done) return DONE;
      if (this.#at < this.#items.length) return { done: false, value: this.#items[this.#at++] as T };
      if (this.#failure || (this.#next === undefined && this.#seen.size > 0)) {
        const failure = this.#failure;
        this.#finish();
        if (failure) throw failure;
        return DONE;
      }
      try {
        await this.#load();
      } catch (err) {
        if (this.#stopped) return DONE;
        this.#finish();
        throw err;
      }
    }
  }

  async #load(): Promise<void> {
    if (this.#seen.size === 0) {
      checkOptions(this.#options);
      this.#next = this.#start();
      this.#options.signal?.addEventListener('abort', this.#onAbort, { once: true });
      if (this.#options.signal?.aborted) this.#onAbort();
      if (this.#options.deadline !== undefined) this.#deadlineAt = Date.now() + this.#options.deadline;
    }
    const url = this.#next!;
    if (this.#seen.has(url.href)) {
      throw new SevenGeeseResponseError(
        `7Geese's list at ${endpointOf(url)} repeats a page it already sent (its next link loops); stopped after ${this.#seen.size} pages.`,
        'pagination_loop',
        { endpoint: endpointOf(url) },
      );
    }
    this.#seen.add(url.href);
    const left = this.#deadlineAt === undefined ? Infinity : this.#deadlineAt - Date.now();
    if (left <= 0) throw this.#deadlineError(url);
    const json = await this.#fetch(url, this.#controller.signal, Math.min(this.#timeout, left)).catch((err: unknown) => {
      throw left < this.#timeout && err instanceof SevenGeeseTimeoutError ? this.#deadlineError(url) : err;
    });
    const page = pageOf(json, url);
    this.#items = page.results;
    this.#at = 0;
    this.#next = undefined;
    if (page.next === null) return;
    try {
      this.#next = this.#follow(page.next, url);
    } catch (err) {
      // This page's items are fine; the listing fails after them.
      this.#failure = err as Error;
      return;
    }
    if (this.#seen.size >= this.#maxPages) {
      this.#failure = new SevenGeeseError(
        `7Geese's list at ${endpointOf(url)} has more than ${this.#maxPages} pages, the most paginate() reads (its "maxPages" option); stopped there.`,
        'too_many_pages',
        { endpoint: endpointOf(url) },
      );
    } else if (this.#deadlineAt !== undefined && this.#deadlineAt <= Date.now()) {
      this.#failure = this.#deadlineError(url);
    }
  }

  #deadlineError(url: URL): Error {
    return new SevenGeeseTimeoutError(endpointOf(url), this.#options.deadline!, undefined, 'deadline');
  }

  #finish(): void {
    this.#done = true;
    this.#items = [];
    this.#options.signal?.removeEventListener?.('abort', this.#onAbort);
  }
}

/** A page of a Django REST Framework list: `{count, next, previous, results}`. */
function pageOf(json: unknown, url: URL): { next: string | null; results: unknown[] } {
  if (isRecord(json) && Array.isArray(json.results) && (json.next === null || typeof json.next === 'string' || json.next === undefined)) {
    return { results: json.results, next: typeof json.next === 'string' ? json.next : null };
  }
  throw new SevenGeeseResponseError(`7Geese's answer at ${endpointOf(url)} is not a paginated list ({count, next, results}).`, 'invalid_response', {
    endpoint: endpointOf(url),
  });
}
