import { SevenGeeseResponseError, SevenGeeseTokenError } from './errors.js';
import { DEFAULT_TIMEOUT, isRecord, send, type HttpResponse } from './http.js';
import { readJSON } from './json.js';
import { callAPI, type APIExpectations, type APIMethod } from './api-response.js';
import { parseGrantedScope } from './scope.js';
import { clip } from './redact.js';

/** How the client proves who it is at the token endpoint. */
export type ClientAuth = 'basic' | 'body';

export interface ClientSettings {
  /** @default 'basic' */
  clientAuth?: ClientAuth | undefined;
  /** @default 10000 */
  timeout?: number | undefined;
}

/**
 * A successful token response: 7Geese's JSON as it came, plus the granted scopes as a list and
 * the moment the access token expires.
 */
export interface TokenParams {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  /** The scopes 7Geese granted, read from `scope`. */
  scopes: string[];
  /** When the access token expires, from `expires_in`; undefined when 7Geese did not say. */
  expiresAt: Date | undefined;
  [field: string]: unknown;
}

type TokenCallback = (
  err: Error | null,
  accessToken?: string,
  refreshToken?: string,
  params?: TokenParams,
) => void;

/** RFC 6749 section 2.3.1: form-encode each part before joining them for Basic authentication. */
function basicCredentials(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/**
 * What a token must look like to be sent back in a header: visible ASCII, no spaces (RFC 6750's
 * b64token is narrower still). A CR, LF or non-Latin-1 character would otherwise surface as a raw
 * Node error on the first API call, or worse, split the header.
 */
const TOKEN = /^[\x21-\x7e]{1,4096}$/;

/** Form fields whose values are secrets, removed from any error about the answer. */
const SECRET_FIELDS = ['code', 'code_verifier', 'refresh_token', 'access_token', 'password', 'client_secret', 'token', 'assertion'];

function tokenParams(res: HttpResponse): TokenParams {
  const json = readJSON(res, 'a token response');
  if (!isRecord(json) || typeof json.access_token !== 'string' || json.access_token === '') {
    throw new SevenGeeseResponseError(
      `7Geese's token endpoint ${res.endpoint} answered ${res.status} without an access_token. Check the "tokenURL" option.`,
      'invalid_response',
      { endpoint: res.endpoint, status: res.status },
    );
  }
  for (const field of ['access_token', 'refresh_token'] as const) {
    if (json[field] !== undefined && !(typeof json[field] === 'string' && TOKEN.test(json[field]))) {
      throw new SevenGeeseResponseError(
        `7Geese's token endpoint ${res.endpoint} answered ${res.status} with a ${field} that is not a token (visible ASCII characters, at most 4096): it could not be sent back in a header. 7Geese may be having trouble; try again later.`,
        'invalid_response',
        { endpoint: res.endpoint, status: res.status },
      );
    }
  }
  const expiresIn = Number(json.expires_in);
  return {
    ...json,
    access_token: json.access_token,
    scopes: parseGrantedScope(json.scope),
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000) : undefined,
  };
}

/** The error for a failed answer from one of 7Geese's OAuth endpoints. */
export function tokenError(res: HttpResponse): Error {
  const json = readJSON(res, 'an OAuth error response');
  // RFC 6749 section 5.2: an error code is a short run of printable characters. Anything else,
  // or a code that carries something we sent, is not an OAuth error code.
  if (isRecord(json) && typeof json.error === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(json.error) && res.redact(json.error) === json.error) {
    const str = (v: unknown) => (typeof v === 'string' ? clip(v, res.redact, 200) : undefined);
    return new SevenGeeseTokenError({
      code: json.error,
      description: str(json.error_description),
      uri: str(json.error_uri),
      status: res.status,
      endpoint: res.endpoint,
    });
  }
  return new SevenGeeseResponseError(
    `7Geese's token endpoint ${res.endpoint} answered ${res.status} without an OAuth error code. It may be having trouble; try again later.`,
    'invalid_response',
    { endpoint: res.endpoint, status: res.status },
  );
}

/**
 * Stands in for node-oauth's `OAuth2` as the `_oauth2` of the strategy, with the same
 * constructor and method signatures (passport-oauth2 and passport-oauth2-refresh call them),
 * on node:http with deadlines, size limits, HTTP Basic client authentication, and errors that
 * keep 7Geese's own error code.
 */
export class SevenGeeseOAuth2 {
  readonly _clientId: string;
  readonly _clientSecret: string;
  readonly _baseSite: string;
  readonly _authorizeUrl: string;
  readonly _accessTokenUrl: string;
  readonly _customHeaders: Record<string, string>;
  readonly clientAuth: ClientAuth;
  readonly timeout: number;
  readonly #refreshing = new Map<string, Promise<TokenParams>>();
  /** The `Authorization` header for client authentication by HTTP Basic. */
  readonly #basic: string;

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
    this.timeout = settings.timeout ?? DEFAULT_TIMEOUT;
    this.#basic = basicCredentials(clientId, clientSecret);
    // An own, bound property: passport-oauth2-refresh copies this function onto a client it
    // builds with node-oauth's constructor arguments only, so it must keep this client's
    // settings (client authentication, deadline) and its refresh deduplication.
    this.getOAuthAccessToken = this.getOAuthAccessToken.bind(this);
  }

  /** node-oauth's signature: the authorize URL with `client_id` and the given parameters. */
  getAuthorizeUrl(params: Record<string, string | undefined> = {}): string {
    const url = new URL(this._authorizeUrl);
    url.searchParams.set('client_id', this._clientId);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    return url.href;
  }

  /**
   * node-oauth's signature: exchanges a code (or, with `grant_type: 'refresh_token'`, a refresh
   * token) at the token endpoint.
   */
  getOAuthAccessToken(code: string, params: Record<string, unknown>, callback: TokenCallback): void {
    const grant = typeof params.grant_type === 'string' ? params.grant_type : 'authorization_code';
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (typeof v === 'string') form[k] = v;
    form.grant_type = grant;
    form[grant === 'refresh_token' ? 'refresh_token' : 'code'] = code;
    this.requestToken(form).then(
      (p) => callback(null, p.access_token, typeof p.refresh_token === 'string' ? p.refresh_token : undefined, p),
      (err: Error) => callback(err),
    );
  }

  /**
   * POSTs a grant to the token endpoint. Concurrent refreshes of one refresh token share one
   * request: 7Geese rotates refresh tokens, so a second request with the same one would fail.
   */
  requestToken(form: Record<string, string>): Promise<TokenParams> {
    if (form.grant_type !== 'refresh_token') return this.#postToken(form);
    const key = `${form.refresh_token ?? ''}\n${form.scope ?? ''}`;
    const pending = this.#refreshing.get(key);
    if (pending) return pending;
    const request = this.#postToken(form).finally(() => this.#refreshing.delete(key));
    this.#refreshing.set(key, request);
    return request;
  }

  async #postToken(form: Record<string, string>): Promise<TokenParams> {
    const res = await this.postForm(this._accessTokenUrl, form);
    if (res.status >= 200 && res.status < 300) return tokenParams(res);
    throw tokenError(res);
  }

  /**
   * POSTs a form to one of 7Geese's OAuth endpoints, authenticating the client the configured
   * way. The secret travels in a header or the body, never in the URL.
   */
  postForm(url: string, form: Record<string, string>): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      ...this._customHeaders,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    const body = new URLSearchParams(form);
    if (this.clientAuth === 'basic') {
      headers.Authorization = this.#basic;
    } else {
      body.set('client_id', this._clientId);
      body.set('client_secret', this._clientSecret);
    }
    const secrets = [this._clientSecret, ...SECRET_FIELDS.flatMap((name) => body.getAll(name))];
    return send({ method: 'POST', url, headers, body: body.toString(), timeout: this.timeout, secrets });
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
    expect: APIExpectations & { body?: unknown } = {},
  ): Promise<{ json: unknown; body: string; endpoint: string }> {
    return callAPI({ method, url, accessToken, timeout: this.timeout, headers: this._customHeaders, ...expect });
  }

  /** node-oauth's signature: GET with the bearer token; the body is the raw JSON text. */
  get(url: string, accessToken: string, callback: (err: Error | null, body?: string) => void): void {
    this.fetchAPI('GET', url, accessToken).then(
      ({ body }) => callback(null, body),
      (err: Error) => callback(err),
    );
  }

  /** Kept for node-oauth compatibility: this client always sends the token in a header. */
  useAuthorizationHeaderforGET(_use: boolean): void {}

  /** Kept for node-oauth compatibility: 7Geese takes `access_token` as the parameter name. */
  setAccessTokenName(_name: string): void {}

  /** Kept for node-oauth compatibility: the token type is always `Bearer`. */
  setAuthMethod(_method: string): void {}
}
