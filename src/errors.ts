import { AuthorizationError, TokenError } from 'passport-oauth2';

/**
 * What went wrong, as a stable string an app can branch on. For the token endpoint this is the
 * OAuth error code 7Geese sent (`invalid_grant`, `invalid_client`, …); for everything else one
 * of the codes below.
 */
export type SevenGeeseErrorCode =
  | 'timeout'
  | 'network_error'
  | 'unexpected_redirect'
  | 'invalid_response'
  | 'response_too_large'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'not_found'
  | 'refresh_contended'
  | 'no_tokens'
  | 'http_error'
  | 'invalid_profile'
  | 'ambiguous_profile'
  | 'pagination_loop'
  | 'too_many_pages'
  | 'deadline_exceeded'
  | 'aborted'
  | 'invalid_header'
  | 'rate_limited'
  | 'unavailable';

// Every library code, checked by the compiler against the type: a code added to one is added to both.
const LIBRARY_CODES: Readonly<Record<SevenGeeseErrorCode, true>> = {
  timeout: true, network_error: true, unexpected_redirect: true, invalid_response: true, response_too_large: true,
  invalid_token: true, insufficient_scope: true, not_found: true, refresh_contended: true, no_tokens: true,
  http_error: true, invalid_profile: true, ambiguous_profile: true, pagination_loop: true, too_many_pages: true,
  deadline_exceeded: true, aborted: true, invalid_header: true, rate_limited: true, unavailable: true,
};

/**
 * The error codes 7Geese may send a person back with.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
const AUTHORIZATION_CODES: ReadonlySet<string> = new Set([
  'invalid_request', 'unauthorized_client', 'access_denied', 'unsupported_response_type', 'invalid_scope', 'server_error', 'temporarily_unavailable',
]);

/**
 * The error codes of the token and revocation endpoints.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1
 */
const TOKEN_CODES: ReadonlySet<string> = new Set([
  'invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'unsupported_token_type',
]);

/** The code of a {@link SevenGeeseAuthorizationError} for an error code RFC 6749 does not register. */
export const UNREGISTERED = 'unregistered_error';

/**
 * Whether `code` is one this library publishes as it is: an OAuth code of RFC 6749 (or 7009),
 * one of {@link SevenGeeseErrorCode}, or `unregistered_error`. Any other text may come from a
 * query string or a misbehaving server, and would mint a log line or metrics label per request.
 */
export function isRegisteredCode(code: string): boolean {
  return AUTHORIZATION_CODES.has(code) || TOKEN_CODES.has(code) || Object.hasOwn(LIBRARY_CODES, code) || code === UNREGISTERED;
}

/** Strips query, fragment and credentials so that no token or code can ride along in an error. */
export function endpointOf(url: string | URL): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

const FAMILY = Symbol('passport-7geese error');

function markAsSevenGeeseError(err: Error): void {
  Object.defineProperty(err, FAMILY, { value: true });
}

/**
 * The base class of every failure talking to 7Geese that is not an OAuth error from the
 * token endpoint. `code` says what kind of failure it was, `endpoint` which URL, `status` the
 * HTTP status when there was one, `cause` the underlying error.
 */
export class SevenGeeseError extends Error {
  /**
   * The OAuth errors extend passport-oauth2's classes (`TokenError`, `AuthorizationError`) so that
   * apps' existing checks keep working, and so cannot extend this one; they carry a mark that
   * makes `err instanceof SevenGeeseError` hold for them too.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return this === familyRoot && typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FAMILY] === true;
  }

  /** The class's name, for logs: `'SevenGeeseError'`. */
  override name = 'SevenGeeseError';
  /** What went wrong, to branch on: see {@link SevenGeeseErrorCode}. */
  readonly code: SevenGeeseErrorCode;
  /** The URL that was called, without query string or credentials. */
  readonly endpoint: string;
  /** The HTTP status 7Geese answered with; undefined when it did not answer. */
  readonly status: number | undefined;

  constructor(message: string, code: SevenGeeseErrorCode, fields: { endpoint: string; status?: number | undefined; cause?: unknown }) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = code;
    this.endpoint = fields.endpoint;
    this.status = fields.status;
  }
}

// Named outside the class body: a bundled class that refers to itself becomes `var X = class _X`
// and would show apps the name `_X`.
const familyRoot: unknown = SevenGeeseError;

/**
 * 7Geese did not answer within the configured `timeout` (code `timeout`), or a listing did not
 * finish within its `deadline` (code `deadline_exceeded`).
 */
export class SevenGeeseTimeoutError extends SevenGeeseError {
  /** The class's name, for logs: `'SevenGeeseTimeoutError'`. */
  override name = 'SevenGeeseTimeoutError';
  /** The deadline that passed, in milliseconds. */
  readonly timeout: number;

  constructor(endpoint: string, timeout: number, cause?: unknown, kind: 'request' | 'deadline' = 'request') {
    super(
      kind === 'request'
        ? `7Geese did not answer within ${timeout} ms at ${endpoint}. It may be down or slow; try again later, or raise the "timeout" option.`
        : `Listing ${endpoint} did not finish within ${timeout} ms, the "deadline" option of paginate(). Ask for fewer pages or raise the deadline.`,
      kind === 'request' ? 'timeout' : 'deadline_exceeded',
      { endpoint, cause },
    );
    this.timeout = timeout;
  }
}

/**
 * The connection to 7Geese failed or was dropped before a complete answer, or a proxy stood in
 * the way: a proxy variable that is not a URL, or a proxy that refused the tunnel to 7Geese (its
 * own answer is never taken for 7Geese's; the message names the proxy and its status).
 */
export class SevenGeeseNetworkError extends SevenGeeseError {
  /** The class's name, for logs: `'SevenGeeseNetworkError'`. */
  override name = 'SevenGeeseNetworkError';

  /** `reason` replaces the generic explanation after `Could not reach 7Geese at <endpoint>: `. */
  constructor(endpoint: string, cause?: unknown, reason?: string) {
    super(
      `Could not reach 7Geese at ${endpoint}: ${reason ?? 'the connection failed or was closed before a complete answer. Check the URL and the network, then try again.'}`,
      'network_error',
      { endpoint, cause },
    );
  }
}

/**
 * 7Geese answered, but not with what was expected: a redirect, HTML or other non-JSON, a body
 * over the size limit, or JSON of the wrong shape.
 */
export class SevenGeeseResponseError extends SevenGeeseError {
  /** The class's name, for logs: `'SevenGeeseResponseError'`. */
  override name = 'SevenGeeseResponseError';
}

/**
 * The 7Geese API refused a request made with an access token: 401 (token rejected), 403
 * (a scope is missing), 404 or another error status.
 */
export class SevenGeeseAPIError extends SevenGeeseError {
  /** The class's name, for logs: `'SevenGeeseAPIError'`. */
  override name = 'SevenGeeseAPIError';
  /** The scope the call needs, when it is known and the answer was 403. */
  readonly scope: string | undefined;
  /** 7Geese's own explanation (`detail` in its JSON), when it sent one. */
  readonly description: string | undefined;

  constructor(
    message: string,
    code: SevenGeeseErrorCode,
    fields: { endpoint: string; status?: number | undefined; cause?: unknown; scope?: string | undefined; description?: string | undefined },
  ) {
    super(message, code, fields);
    this.scope = fields.scope;
    this.description = fields.description;
  }
}

/**
 * An OAuth 2.0 error answered by 7Geese's token endpoint, such as `invalid_grant` for a used or
 * expired code. A `TokenError` of passport-oauth2, so existing checks keep working, with the
 * HTTP status 7Geese sent.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class SevenGeeseTokenError extends TokenError {
  /** The class's name, for logs: `'SevenGeeseTokenError'`. */
  override name = 'SevenGeeseTokenError';
  /** 7Geese's `error_description`, when it sent one. */
  readonly description: string | undefined;
  /** The URL of the token endpoint, without query string or credentials. */
  readonly endpoint: string;

  constructor(fields: {
    code: string;
    description?: string | undefined;
    uri?: string | undefined;
    status: number;
    endpoint: string;
  }) {
    super(tokenErrorMessage(fields.code, fields.description), fields.code, fields.uri, fields.status);
    this.description = fields.description;
    this.endpoint = fields.endpoint;
    markAsSevenGeeseError(this);
  }
}

/** passport-oauth2's `AuthorizationError` without its `status`, which this subclass leaves undefined. */
const AuthorizationErrorBase: new (message: string, code: string) => Error & { code: string; uri?: string | undefined } = AuthorizationError;

/**
 * 7Geese sent the person back with an OAuth error other than `access_denied` (which is a
 * failure, `info.code === 'access_denied'`): `invalid_scope`, `unauthorized_client`,
 * `server_error`, … in `code`; an error code RFC 6749 does not register is `unregistered_error`
 * (the code as sent is named in the message only). A passport-oauth2 `AuthorizationError`, and
 * `instanceof SevenGeeseError`.
 *
 * Unlike passport-oauth2's, its `status` is undefined: 7Geese redirected, no HTTP status was
 * involved. An app without an error handler of its own answers 500 (Express's default).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class SevenGeeseAuthorizationError extends AuthorizationErrorBase {
  /** The class's name, for logs: `'SevenGeeseAuthorizationError'`. */
  override name = 'SevenGeeseAuthorizationError';
  /** An RFC 6749 authorization error code, or `unregistered_error`. */
  declare readonly code: string;
  /** 7Geese's `error_uri`; this library never sets it. */
  declare readonly uri: string | undefined;
  /** 7Geese's `error_description`, without control characters, cut to 300 characters. */
  readonly description: string | undefined;
  /** Always undefined: the error came in a redirect, not with an HTTP status. */
  readonly status: undefined;

  constructor(code: string, description: string | undefined) {
    // Both come from the callback URL, which anyone can craft: the code is one of RFC 6749's or
    // a fixed one, the rest one printable line.
    const registered = AUTHORIZATION_CODES.has(code) ? code : UNREGISTERED;
    const sent = registered === UNREGISTERED && /^[\w.-]{1,64}$/.test(code) ? ` "${code}"` : '';
    const text = description?.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 300);
    super(
      `7Geese refused the sign-in request: ${registered}${sent}${text ? ` (${text})` : ''}. Check the scope and the redirect URI registered with the application.`,
      registered,
    );
    this.description = text;
    this.status = undefined;
    markAsSevenGeeseError(this);
  }
}

const TOKEN_ERROR_ADVICE: Readonly<Record<string, string>> = {
  invalid_grant:
    'The code or refresh token is invalid, expired or already used; start sign-in again.',
  invalid_client:
    'The client ID or secret was not accepted; check clientID, clientSecret and the clientAuth option.',
  invalid_request: 'The token request was malformed; check callbackURL against the registered redirect URIs.',
  invalid_scope: 'A requested scope is not allowed for this application.',
  unauthorized_client: 'This application may not use this grant type; check its grant type in 7Geese.',
  unsupported_grant_type: 'This application may not use this grant type; check its grant type in 7Geese.',
};

function tokenErrorMessage(code: string, description: string | undefined): string {
  const said = description ? ` (${description})` : '';
  const advice = TOKEN_ERROR_ADVICE[code] ?? 'See the error code for details.';
  return `7Geese refused the token request: ${code}${said}. ${advice}`;
}

/**
 * 7Geese did not take the request for now: it is limiting this application's requests (429,
 * code `rate_limited`) or is unavailable (503, code `unavailable`). `retryAfter` is how many
 * seconds 7Geese asked to wait (from `Retry-After`, at most a day), when it said.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export class SevenGeeseUnavailableError extends SevenGeeseError {
  /** The class's name, for logs: `'SevenGeeseUnavailableError'`. */
  override name = 'SevenGeeseUnavailableError';
  /** Seconds to wait before trying again, from 7Geese's `Retry-After`; undefined when it sent none. */
  readonly retryAfter: number | undefined;

  constructor(endpoint: string, status: 429 | 503, retryAfter: number | undefined) {
    const wait = retryAfter === undefined ? 'Try again later' : `Try again in ${retryAfter} s (its Retry-After)`;
    super(
      status === 429
        ? `7Geese is limiting this application's requests (429) at ${endpoint}. ${wait}, and make fewer requests.`
        : `7Geese is unavailable (503) at ${endpoint}. ${wait}.`,
      status === 429 ? 'rate_limited' : 'unavailable',
      { endpoint, status },
    );
    this.retryAfter = retryAfter;
  }
}
