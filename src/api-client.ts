import type { Agent } from 'node:http';
import { SevenGeeseAPIError, SevenGeeseResponseError, endpointOf } from './errors.js';
import { isRecord } from './json.js';
import { HEADER_VALUE } from './transport/exchange.js';
import { DEFAULT_TIMEOUT, Transport, type APIMethod } from './transport/transport.js';
import { apiURL, nextPageURL } from './api-paths.js';
import { DEFAULT_BASE_URL, checkTransportOptions, optionChecker } from './options.js';
import { PageIterator, type PaginateOptions } from './pages.js';
import { clip } from './redact.js';
import { checkExpiryOptions, checkSharedOptions, expiresSoon, freshTokens, tokensAfterRejection, type SharedTokens, type TokenRefresher } from './access-token.js';
import type { TokenSet, TokenStore } from './token-store.js';

/** Options of {@link SevenGeeseClient}. */
export interface SevenGeeseClientOptions {
  /** The user's access token; not needed with `tokenStore`, which holds it. */
  accessToken?: string | undefined;
  /** The user's refresh token; with `strategy`, a rejected access token is refreshed once. */
  refreshToken?: string | undefined;
  /** The `Strategy` or `PasswordStrategy` the tokens came from: used to refresh them. */
  strategy?: TokenRefresher | undefined;
  /** @default the strategy's baseURL, else 'https://app.7geese.com' */
  baseURL?: string | undefined;
  /** Deadline per request in milliseconds. @default the strategy's, else 10000 */
  timeout?: number | undefined;
  /**
   * Called with the new tokens after a refresh. Store them: 7Geese rotates refresh tokens, so
   * the old refresh token no longer works.
   */
  onTokens?: ((tokens: TokenSet) => void | Promise<void>) | undefined;
  /**
   * Where the user's tokens are kept, shared by every process (`RedisTokenStore`) or one
   * (`MemoryTokenStore`): the client reads them from it, refreshes ahead of expiry and after a
   * 401 through it, so that processes refreshing the same rotating token make one request.
   * Needs `key` and `strategy`.
   * @example { tokenStore: new RedisTokenStore({ client: redis }), key: req.user.id, strategy }
   */
  tokenStore?: TokenStore | undefined;
  /** Whose tokens in `tokenStore` (the key the app saved them under). */
  key?: string | undefined;
  /** When the access token expires (without `tokenStore`), so that it is refreshed ahead of time. */
  expiresAt?: Date | number | undefined;
  /**
   * Refresh when the access token expires within this many milliseconds.
   * @default 60000
   */
  margin?: number | undefined;
  /**
   * The clock expiry is judged by, in milliseconds since the epoch; tests pass a fake one.
   * @default Date.now
   */
  now?: (() => number) | undefined;
  /** Headers added to every request. @default the strategy's `customHeaders`, else none */
  customHeaders?: Record<string, string> | undefined;
  /** The agent requests go through, such as a proxy agent. @default the strategy's, else a keep-alive pool */
  agent?: Agent | false | undefined;
  /** Use `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, as the strategy option does. @default the strategy's, else false */
  proxyFromEnv?: boolean | undefined;
}

/** Per call: a signal that stops it and a deadline shorter than the client's. */
interface CallLimits {
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
  /** What the call is, for diagnostics. @default 'rest' */
  operation?: 'rest' | 'graphql';
}

/**
 * Calls the 7Geese REST API (v2.0) and its GraphQL endpoint on behalf of a signed-in user, with
 * the token in the `Authorization` header, deadlines, size limits, and one refresh-and-retry
 * when 7Geese rejects an expired access token.
 *
 * @example
 * const client = new SevenGeeseClient({
 *   accessToken, refreshToken, strategy,
 *   onTokens: (tokens) => { req.session.tokens = tokens; },
 * });
 * for await (const objective of client.paginate('/objectives/')) console.log(objective.name);
 */
export class SevenGeeseClient {
  #accessToken: string;
  #refreshToken: string | undefined;
  readonly #strategy: TokenRefresher | undefined;
  readonly #base: URL;
  readonly #timeout: number;
  readonly #transport: Transport;
  readonly #onTokens: SevenGeeseClientOptions['onTokens'];
  #refreshing: Promise<void> | undefined;
  readonly #shared: SharedTokens | undefined;
  #expiresAt: number | undefined;
  readonly #margin: number;
  readonly #now: () => number;

  constructor(options: SevenGeeseClientOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('SevenGeeseClient requires an options object with accessToken.');
    const shared = options.tokenStore === undefined ? undefined : checkSharedOptions('SevenGeeseClient', { ...options, strategy: options.strategy!, store: options.tokenStore, key: options.key! }, 'tokenStore');
    if (shared === undefined && (typeof options.accessToken !== 'string' || options.accessToken === '')) {
      throw new TypeError('SevenGeeseClient option "accessToken" must be a non-empty string: the token from sign-in.');
    }
    // A token goes into a header: a line break or a non-ASCII character would fail every call.
    if (options.accessToken !== undefined && !HEADER_VALUE.test(options.accessToken)) {
      throw new TypeError('SevenGeeseClient option "accessToken" must be visible ASCII characters only (no line breaks or control characters), as 7Geese issues them.');
    }
    if (options.refreshToken !== undefined && typeof options.refreshToken !== 'string') {
      throw new TypeError('SevenGeeseClient option "refreshToken" must be a string when given.');
    }
    if (options.strategy !== undefined && typeof options.strategy?.refresh !== 'function') {
      throw new TypeError('SevenGeeseClient option "strategy" must be a 7Geese Strategy or PasswordStrategy.');
    }
    if (options.onTokens !== undefined && typeof options.onTokens !== 'function') {
      throw new TypeError('SevenGeeseClient option "onTokens" must be a function.');
    }
    if (options.expiresAt !== undefined && !(options.expiresAt instanceof Date || Number.isFinite(options.expiresAt))) {
      throw new TypeError('SevenGeeseClient option "expiresAt" must be a Date or milliseconds since the epoch.');
    }
    // With a token store, checkSharedOptions has checked them already.
    const clock = shared ?? checkExpiryOptions('SevenGeeseClient', options);
    this.#shared = shared;
    this.#expiresAt = options.expiresAt instanceof Date ? options.expiresAt.getTime() : options.expiresAt;
    this.#margin = clock.margin;
    this.#now = clock.now;
    this.#accessToken = options.accessToken ?? '';
    this.#refreshToken = options.refreshToken;
    this.#strategy = options.strategy;
    const base = options.baseURL ?? options.strategy?.baseURL ?? DEFAULT_BASE_URL;
    try {
      this.#base = new URL(base.replace(/\/+$/, ''));
    } catch {
      throw new TypeError(`SevenGeeseClient option "baseURL" must be an absolute URL, got ${JSON.stringify(base)}.`);
    }
    this.#timeout = options.timeout ?? options.strategy?.timeout ?? DEFAULT_TIMEOUT;
    this.#transport = transportOf(options);
    this.#onTokens = options.onTokens;
  }

  /** The current tokens (they change after a refresh). */
  get tokens(): {
    /** The access token the next request sends. */
    accessToken: string;
    /** The refresh token, when the client has one. */
    refreshToken: string | undefined;
  } {
    return { accessToken: this.#accessToken, refreshToken: this.#refreshToken };
  }

  /**
   * A valid access token: the current one, or a refreshed one when it expires within `margin`
   * (known from `tokenStore` or the `expiresAt` option). Every request of the client starts here.
   *
   * @example
   * const accessToken = await client.getAccessToken();
   */
  async getAccessToken(): Promise<string> {
    if (this.#shared !== undefined) return this.#take(await freshTokens(this.#shared));
    if (this.#canRefresh() && expiresSoon(this.#expiresAt, this.#margin, this.#now())) await this.#refresh(this.#accessToken);
    return this.#accessToken;
  }

  #take(tokens: TokenSet): string {
    this.#accessToken = tokens.accessToken;
    this.#refreshToken = tokens.refreshToken;
    this.#expiresAt = tokens.expiresAt;
    return tokens.accessToken;
  }

  /** GET a path under `/api/v/2.0/`, such as `'/objectives/'`. A path outside it rejects with a `TypeError`. */
  get<T = unknown>(path: string, query?: Record<string, string | number>): Promise<T> {
    return this.#request('GET', path, query) as Promise<T>;
  }

  /** POST JSON to a path under `/api/v/2.0/`. */
  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.#request('POST', path, undefined, body) as Promise<T>;
  }

  /** PATCH a path under `/api/v/2.0/` with JSON. */
  patch<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.#request('PATCH', path, undefined, body) as Promise<T>;
  }

  /** DELETE a path under `/api/v/2.0/`. */
  delete(path: string): Promise<void> {
    return this.#request('DELETE', path).then(() => undefined);
  }

  /**
   * Every item of a paginated list, page after page, following DRF's `next` links (only on
   * 7Geese's origin and under the API: the token is never sent elsewhere). Bounded however
   * 7Geese answers: a page seen before fails with `pagination_loop`, more than `maxPages` pages
   * (1000 by default) with `too_many_pages`, the `deadline` with `deadline_exceeded`, the
   * `signal` with `aborted`; `break` (the iterator's `return()`) stops the request in flight.
   *
   * @example
   * const signal = AbortSignal.timeout(5000);
   * for await (const o of client.paginate('/objectives/', { pageSize: 50, maxPages: 20, signal })) show(o);
   */
  paginate<T = unknown>(path: string, options: PaginateOptions = {}): AsyncIterableIterator<T, undefined, undefined> {
    return new PageIterator<T>(
      () => apiURL(this.#base, path, options.pageSize ? { limit: options.pageSize } : undefined),
      async (url, signal, timeout) => (await this.#call('GET', url, undefined, { signal, timeout })).json,
      (next, from) => nextPageURL(next, from, this.#base),
      this.#timeout,
      options,
    );
  }

  /** Runs a GraphQL query at `/graphql` and returns its `data`; GraphQL errors are thrown. */
  async graphql<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<T> {
    if (typeof query !== 'string' || query.trim() === '') throw new TypeError('graphql() needs a query string.');
    const url = new URL(`${this.#base.pathname.replace(/\/$/, '')}/graphql`, this.#base);
    const endpoint = endpointOf(url);
    const { json, redact } = await this.#call('POST', url, variables === undefined ? { query } : { query, variables }, { operation: 'graphql' });
    if (!isRecord(json)) throw new SevenGeeseResponseError(`7Geese's GraphQL answer at ${endpoint} is not an object.`, 'invalid_response', { endpoint });
    if (Array.isArray(json.errors) && json.errors.length > 0) {
      const first = json.errors[0] as { message?: unknown };
      const message = typeof first?.message === 'string' ? clip(first.message, redact, 200) : 'unknown error';
      throw new SevenGeeseAPIError(`7Geese's GraphQL API answered with an error: ${message}`, 'http_error', {
        endpoint,
        status: 200,
        description: message,
      });
    }
    return json.data as T;
  }

  /** One call to a path under the API; a bad path rejects like any other failure. */
  async #request(method: APIMethod, path: string, query?: Record<string, string | number>, body?: unknown): Promise<unknown> {
    return (await this.#call(method, apiURL(this.#base, path, query), body)).json;
  }

  async #call(method: APIMethod, url: URL, body?: unknown, limits: CallLimits = {}): Promise<Awaited<ReturnType<Transport['callAPI']>>> {
    const used = await this.getAccessToken();
    try {
      return await this.#send(method, url, used, body, limits);
    } catch (err) {
      if (!(err instanceof SevenGeeseAPIError && err.code === 'invalid_token') || !this.#canRefresh() || limits.signal?.aborted) throw err;
      // Another call may have refreshed while this one was in flight: retry with its token.
      if (this.#accessToken === used) await this.#refresh(used);
      // One retry only: a second 401 is reported, never another refresh.
      return this.#send(method, url, this.#accessToken, body, limits);
    }
  }

  #send(method: APIMethod, url: URL, accessToken: string, body: unknown, limits: CallLimits): ReturnType<Transport['callAPI']> {
    // retry: a GET may be tried once more after a 429 or 503 within the deadline; writes never are.
    // The URL goes as it is: already parsed, and not one to keep among the transport's few.
    return this.#transport.callAPI({ operation: limits.operation ?? 'rest', method, url, accessToken, timeout: limits.timeout ?? this.#timeout, body, signal: limits.signal, retry: true });
  }

  #canRefresh(): boolean {
    return this.#strategy !== undefined && (this.#shared !== undefined || this.#refreshToken !== undefined);
  }

  #refresh(rejected: string): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        if (this.#shared !== undefined) {
          this.#take(await tokensAfterRejection(this.#shared, rejected));
          return;
        }
        const fresh = await this.#strategy!.refresh(this.#refreshToken!);
        // Without a new refresh token the old one stays valid: what onTokens stores keeps it.
        const tokens: TokenSet = { ...fresh, refreshToken: fresh.refreshToken ?? this.#refreshToken };
        this.#take(tokens);
        await this.#onTokens?.(tokens);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }
}

/** The client's transport: its own options, each falling back to the strategy's. */
function transportOf(options: SevenGeeseClientOptions): Transport {
  const inherited = options.strategy?.transport;
  const own = options.customHeaders !== undefined || options.agent !== undefined || options.proxyFromEnv !== undefined;
  if (inherited instanceof Transport && !own) return inherited;
  const checked = checkTransportOptions(optionChecker('SevenGeeseClient', options as unknown as Record<string, unknown>), options as unknown as Record<string, unknown>);
  const base = inherited instanceof Transport ? inherited.settings : {};
  return new Transport({
    customHeaders: options.customHeaders === undefined ? base.customHeaders : checked.customHeaders,
    agent: options.agent === undefined && options.proxyFromEnv === undefined ? base.agent : checked.agent,
    proxyFromEnv: options.proxyFromEnv === undefined ? base.proxyFromEnv : checked.proxyFromEnv,
    idleTimeout: base.idleTimeout,
  });
}
