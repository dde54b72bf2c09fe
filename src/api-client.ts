import { SevenGeeseAPIError, SevenGeeseResponseError, endpointOf } from './errors.js';
import { DEFAULT_TIMEOUT, isRecord } from './http.js';
import { callAPI, type APIMethod } from './api-response.js';
import { DEFAULT_BASE_URL } from './options.js';
import type { RefreshOptions, TokenSet } from './token-lifecycle.js';
import { checkExpiryOptions, checkSharedOptions, expiresSoon, freshTokens, tokensAfterRejection, type SharedTokens } from './access-token.js';
import type { StoredTokens, TokenStore } from './token-store.js';

/** What the client needs from a strategy: where 7Geese is, its deadline, and refresh. */
export interface TokenRefresher {
  readonly baseURL: string;
  readonly timeout: number;
  refresh(refreshToken: string, options?: RefreshOptions): Promise<TokenSet>;
}

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
}

/** A page of a Django REST Framework list. */
interface Page {
  next: string | null;
  results: unknown[];
}

const API_PREFIX = '/api/v/2.0';

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
    const clock = checkExpiryOptions('SevenGeeseClient', options);
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
    this.#onTokens = options.onTokens;
  }

  /** The current tokens (they change after a refresh). */
  get tokens(): { accessToken: string; refreshToken: string | undefined } {
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

  #take(tokens: StoredTokens): string {
    this.#accessToken = tokens.accessToken;
    this.#refreshToken = tokens.refreshToken;
    this.#expiresAt = tokens.expiresAt;
    return tokens.accessToken;
  }

  /** GET a path under `/api/v/2.0/`, such as `'/objectives/'`. */
  get<T = unknown>(path: string, query?: Record<string, string | number>): Promise<T> {
    return this.#call('GET', this.#url(path, query)) as Promise<T>;
  }

  /** POST JSON to a path under `/api/v/2.0/`. */
  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.#call('POST', this.#url(path), body) as Promise<T>;
  }

  /** PATCH a path under `/api/v/2.0/` with JSON. */
  patch<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.#call('PATCH', this.#url(path), body) as Promise<T>;
  }

  /** DELETE a path under `/api/v/2.0/`. */
  delete(path: string): Promise<void> {
    return this.#call('DELETE', this.#url(path)).then(() => undefined);
  }

  /**
   * Every item of a paginated list, page after page, following DRF's `next` links (only on
   * 7Geese's own origin: the token is never sent elsewhere).
   */
  async *paginate<T = unknown>(path: string, options: { pageSize?: number } = {}): AsyncGenerator<T, void, undefined> {
    let url: URL | undefined = this.#url(path, options.pageSize ? { limit: options.pageSize } : undefined);
    while (url) {
      const page = this.#page(await this.#call('GET', url), url);
      for (const item of page.results) yield item as T;
      url = page.next === null ? undefined : this.#sameOrigin(page.next, url);
    }
  }

  /** Runs a GraphQL query at `/graphql` and returns its `data`; GraphQL errors are thrown. */
  async graphql<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<T> {
    if (typeof query !== 'string' || query.trim() === '') throw new TypeError('graphql() needs a query string.');
    const url = new URL(`${this.#base.pathname.replace(/\/$/, '')}/graphql`, this.#base);
    const json = await this.#call('POST', url, variables === undefined ? { query } : { query, variables });
    if (!isRecord(json)) throw new SevenGeeseResponseError(`7Geese's GraphQL answer at ${endpointOf(url)} is not an object.`, 'invalid_response', { endpoint: endpointOf(url) });
    if (Array.isArray(json.errors) && json.errors.length > 0) {
      const first = json.errors[0] as { message?: unknown };
      const message = typeof first?.message === 'string' ? first.message.slice(0, 300) : 'unknown error';
      throw new SevenGeeseAPIError(`7Geese's GraphQL API answered with an error: ${message}`, 'http_error', {
        endpoint: endpointOf(url),
        status: 200,
        description: message,
      });
    }
    return json.data as T;
  }

  #url(path: string, query?: Record<string, string | number>): URL {
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || /(^|\/)\.\.?(\/|$)|\\/.test(path)) {
      throw new TypeError(`SevenGeeseClient path must be a path under /api/v/2.0/ such as "/objectives/", got ${JSON.stringify(path)}.`);
    }
    const url = new URL(`${this.#base.pathname.replace(/\/$/, '')}${API_PREFIX}${path}`, this.#base);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
    return url;
  }

  #sameOrigin(next: string, from: URL): URL {
    const url = new URL(next, from);
    if (url.origin !== this.#base.origin) {
      throw new SevenGeeseResponseError(
        `7Geese's next page link points to another origin (${url.origin}); not following it with the user's token.`,
        'invalid_response',
        { endpoint: endpointOf(from) },
      );
    }
    return url;
  }

  #page(json: unknown, url: URL): Page {
    if (isRecord(json) && Array.isArray(json.results) && (json.next === null || typeof json.next === 'string' || json.next === undefined)) {
      return { results: json.results, next: typeof json.next === 'string' ? json.next : null };
    }
    throw new SevenGeeseResponseError(`7Geese's answer at ${endpointOf(url)} is not a paginated list ({count, next, results}).`, 'invalid_response', {
      endpoint: endpointOf(url),
    });
  }

  async #call(method: APIMethod, url: URL, body?: unknown): Promise<unknown> {
    const used = await this.getAccessToken();
    try {
      return await this.#send(method, url, used, body);
    } catch (err) {
      if (!(err instanceof SevenGeeseAPIError && err.code === 'invalid_token') || !this.#canRefresh()) throw err;
      // Another call may have refreshed while this one was in flight: retry with its token.
      if (this.#accessToken === used) await this.#refresh(used);
      // One retry only: a second 401 is reported, never another refresh.
      return this.#send(method, url, this.#accessToken, body);
    }
  }

  #send(method: APIMethod, url: URL, accessToken: string, body: unknown): Promise<unknown> {
    return callAPI({ method, url: url.href, accessToken, timeout: this.#timeout, body }).then((r) => r.json);
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
        const tokens = await this.#strategy!.refresh(this.#refreshToken!);
        this.#accessToken = tokens.accessToken;
        this.#refreshToken = tokens.refreshToken ?? this.#refreshToken;
        this.#expiresAt = tokens.expiresAt?.getTime();
        await this.#onTokens?.(tokens);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }
}
