import type { Agent } from 'node:http';
import { InternalOAuthError } from 'passport-oauth2';
import { publishToken } from './diagnostics.js';
import { PATHS } from './options.js';
import { normalizeScope, serializeScope, type ScopeInput } from './scope.js';
import { tokenSet, type TokenSet } from './token-store.js';
import { readTokenAnswer, tokenError, type APIExpectations, type TokenParams } from './transport/answers.js';
import type { HttpResponse } from './transport/exchange.js';
import { Transport, basicCredentials, type APIMethod, type ClientCredentials } from './transport/transport.js';

export type { TokenParams } from './transport/answers.js';

/** How the client proves who it is at the token endpoint. */
export type ClientAuth = 'basic' | 'body';

/** What the client needs besides node-oauth's constructor arguments. */
export interface ClientSettings {
  /** @default 'basic' */
  clientAuth?: ClientAuth | undefined;
  /** @default 10000 */
  timeout?: number | undefined;
  /** The app's agent (such as a proxy agent), or `false` for no connection reuse. @default a keep-alive pool */
  agent?: Agent | false | undefined;
  /** Use `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`. @default false */
  proxyFromEnv?: boolean | undefined;
  /** How long a pooled connection stays open unused, in ms. @default 50000 */
  idleTimeout?: number | undefined;
  /** Whether `transport.preconnect()` opens a connection. @default true */
  preconnect?: boolean | undefined;
  /** Where the signed-in user is loaded from: a GET of it is read as a profile. */
  profileURL?: string | undefined;
  /** Where tokens are revoked. */
  revocationURL?: string | undefined;
}

/** Options of `refresh()`. */
export interface RefreshOptions {
  /** Ask for fewer scopes than the original grant; 7Geese refuses more (`invalid_scope`). */
  scope?: ScopeInput | undefined;
}

/** Options of `revoke()`. */
export interface RevokeOptions {
  /** Which kind of token it is; saves 7Geese a lookup. */
  hint?: 'access_token' | 'refresh_token' | undefined;
}

/** node-oauth's token callback: the tokens, and the whole token response as `params`. */
export type TokenCallback = (err: unknown, accessToken?: string, refreshToken?: string, params?: TokenParams) => void;

/** What a GET of the profile expects, for errors that say what to change. */
const PROFILE: APIExpectations & { operation: 'profile' } = {
  operation: 'profile',
  scope: 'userprofile:read',
  tooDeepCode: 'invalid_profile',
  notFoundAdvice: 'Set the "profileURL" option to the 7Geese endpoint for the signed-in user, such as /api/v/2.0/userprofiles/me/.',
};

/** The tokens of a successful answer of the token endpoint; the error of any other. */
function tokenAnswer(res: HttpResponse): TokenParams {
  if (res.status >= 200 && res.status < 300) return readTokenAnswer(res);
  throw tokenError(res);
}

function checkToken(owner: string, token: unknown): string {
  if (typeof token !== 'string' || token === '') {
    throw new TypeError(`${owner} needs the token as a non-empty string, got ${typeof token}.`);
  }
  return token;
}

/**
 * Exchanges a refresh token for new tokens through `client.getOAuthAccessToken`, as
 * passport-oauth2-refresh does, so that a replaced or stubbed `_oauth2` answers here too.
 */
export function refreshTokens(
  client: Pick<SevenGeeseOAuth2, 'getOAuthAccessToken'>,
  refreshToken: string,
  options: RefreshOptions = {},
): Promise<TokenSet> {
  const params: Record<string, string> = { grant_type: 'refresh_token' };
  try {
    checkToken('refresh()', refreshToken);
    if (options.scope !== undefined) params.scope = serializeScope(normalizeScope(options.scope, 'refresh() option "scope"'));
  } catch (err) {
    return Promise.reject(err as Error);
  }
  return new Promise((resolve, reject) =>
    client.getOAuthAccessToken(refreshToken, params, (err, accessToken, newRefreshToken, raw) => {
      if (err) return reject(err instanceof Error ? err : new InternalOAuthError('Failed to refresh the access token', err));
      if (!accessToken) return reject(new InternalOAuthError('Failed to refresh the access token', undefined));
      resolve(tokenSet(accessToken, newRefreshToken, raw?.expiresAt, Array.isArray(raw?.scopes) ? raw.scopes : []));
    }),
  );
}

/**
 * The one client every call to 7Geese goes through: the code exchange, the password grant,
 * refresh, revocation, the profile and the API client's calls. It is the strategies' `_oauth2`,
 * with node-oauth's constructor and method signatures (passport-oauth2, passport-oauth2-refresh
 * and apps' tests call and stub them), on a {@link Transport} with deadlines, size limits and
 * errors that keep 7Geese's own error code. Clients authenticate with HTTP Basic by default.
 */
export class SevenGeeseOAuth2 {
  readonly _clientId: string;
  readonly _clientSecret: string;
  readonly _baseSite: string;
  readonly _authorizeUrl: string;
  readonly _accessTokenUrl: string;
  readonly _customHeaders: Record<string, string>;
  readonly clientAuth: ClientAuth;
  /** How every request of this client reaches 7Geese. */
  readonly transport: Transport;
  readonly #refreshing = new Map<string, Promise<TokenParams>>();
  readonly #credentials: ClientCredentials;
  readonly #profileURL: string | undefined;
  readonly #revocationURL: string;

  constructor(
    clientId: string,
    clientSecret: string,
    baseSite: string,
    authorizeUrl: string,
    accessTokenUrl: string,
    customHeaders?: Record<string, string> | null,
    settings: ClientSettings = {},
  ) {
    this._clientId = clientId;
    this._clientSecret = clientSecret;
    this._baseSite = baseSite;
    this._authorizeUrl = authorizeUrl;
    this._accessTokenUrl = accessTokenUrl;
    this._customHeaders = { ...customHeaders };
    this.clientAuth = settings.clientAuth ?? 'basic';
    this.transport = new Transport({
      timeout: settings.timeout,
      customHeaders: this._customHeaders,
      agent: settings.agent,
      proxyFromEnv: settings.proxyFromEnv,
      idleTimeout: settings.idleTimeout,
      preconnect: settings.preconnect,
    });
    this.#credentials = { id: clientId, secret: clientSecret, auth: this.clientAuth, basic: basicCredentials(clientId, clientSecret) };
    this.#profileURL = settings.profileURL;
    this.#revocationURL = settings.revocationURL ?? `${baseSite.replace(/\/+$/, '')}${PATHS.revocation}`;
    // An own, bound property: passport-oauth2-refresh copies this function onto a client it
    // builds with node-oauth's constructor arguments only, so it must keep this client's
    // settings (client authentication, deadline, agent) and its refresh deduplication.
    this.getOAuthAccessToken = this.getOAuthAccessToken.bind(this);
  }

  /** The deadline of every request, in milliseconds. */
  get timeout(): number {
    return this.transport.timeout;
  }

  /**
   * node-oauth's `setAgent`: every later request (token, refresh, revoke, profile) goes through
   * `agent`, such as a proxy agent. The usual passport-oauth2 way to use a proxy:
   * `strategy._oauth2.setAgent(new HttpsProxyAgent(process.env.HTTPS_PROXY))`.
   */
  setAgent(agent: Agent | false | undefined): void {
    this.transport.setAgent(agent);
  }

  /** node-oauth's signature: the authorize URL with `client_id` and the given parameters. */
  getAuthorizeUrl(params: Record<string, string | undefined> = {}): string {
    const url = new URL(this._authorizeUrl);
    url.searchParams.set('client_id', this._clientId);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    return url.href;
  }

  /**
   * node-oauth's signature: a grant at the token endpoint. `code` is the authorization code, or
   * the refresh token with `grant_type: 'refresh_token'`; the password grant passes `''` and its
   * `username` and `password` in `params`.
   */
  getOAuthAccessToken(code: string, params: Record<string, unknown>, callback: TokenCallback): void {
    const grant = typeof params.grant_type === 'string' ? params.grant_type : 'authorization_code';
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (typeof v === 'string') form[k] = v;
    form.grant_type = grant;
    if (grant === 'refresh_token') form.refresh_token = code;
    else if (grant === 'authorization_code') form.code = code;
    this.requestToken(form).then(
      (p) => callback(null, p.access_token, typeof p.refresh_token === 'string' ? p.refresh_token : undefined, p),
      (err: unknown) => callback(err),
    );
  }

  /**
   * POSTs a grant to the token endpoint. Concurrent refreshes of one refresh token share one
   * request: 7Geese rotates refresh tokens, so a second request with the same one would fail.
   * Never retried (a code works once, a refresh token is rotated by its first use), except when
   * it met a connection the server had closed and so never reached 7Geese (see `exchange`).
   */
  requestToken(form: Record<string, string>): Promise<TokenParams> {
    if (form.grant_type !== 'refresh_token') return this.#postToken(form);
    const key = `${form.refresh_token ?? ''}\n${form.scope ?? ''}`;
    const pending = this.#refreshing.get(key);
    if (pending) return pending;
    const request = publishToken('refresh', () => this.#postToken(form)).finally(() => this.#refreshing.delete(key));
    this.#refreshing.set(key, request);
    return request;
  }

  #postToken(form: Record<string, string>): Promise<TokenParams> {
    return this.transport.postForm('token', this._accessTokenUrl, form, this.#credentials).then(tokenAnswer);
  }

  /**
   * Revokes an access or refresh token (RFC 7009), authenticating the client, and publishes it
   * on the token channel as a refresh is. Never retried.
   */
  revoke(token: string, options: RevokeOptions = {}): Promise<void> {
    const form: Record<string, string> = {};
    try {
      form.token = checkToken('revoke()', token);
      if (options.hint !== undefined) {
        if (options.hint !== 'access_token' && options.hint !== 'refresh_token') {
          throw new TypeError('revoke() option "hint" must be "access_token" or "refresh_token".');
        }
        form.token_type_hint = options.hint;
      }
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return publishToken('revoke', () =>
      this.transport.postForm('revoke', this.#revocationURL, form, this.#credentials).then((res) => {
        // RFC 7009 section 2.2: 200 whether or not the token was known.
        if (res.status !== 200) throw tokenError(res);
      }),
    );
  }

  /**
   * Calls the 7Geese API with the token in the `Authorization` header (never the query
   * string), with this client's deadline and headers. Returns the parsed JSON and the raw body,
   * or throws a {@link SevenGeeseAPIError}.
   */
  fetchAPI(
    method: APIMethod,
    url: string,
    accessToken: string,
    expect: APIExpectations & { body?: unknown; operation?: 'profile' | 'rest' } = {},
  ): Promise<{ json: unknown; body: string; endpoint: string }> {
    return this.transport.callAPI({ operation: 'rest', method, url, accessToken, ...expect });
  }

  /**
   * node-oauth's signature: GET with the bearer token; the body is the raw JSON text. A GET of
   * the profile URL fails with errors that name the scope and the option to change.
   */
  get(url: string, accessToken: string, callback: (err: unknown, body?: string) => void): void {
    this.fetchAPI('GET', url, accessToken, url === this.#profileURL ? PROFILE : {}).then(
      ({ body }) => callback(null, body),
      (err: unknown) => callback(err),
    );
  }

  /** Kept for node-oauth compatibility: this client always sends the token in a header. */
  useAuthorizationHeaderforGET(_use: boolean): void {}

  /** Kept for node-oauth compatibility: 7Geese takes `access_token` as the parameter name. */
  setAccessTokenName(_name: string): void {}

  /** Kept for node-oauth compatibility: the token type is always `Bearer`. */
  setAuthMethod(_method: string): void {}
}
