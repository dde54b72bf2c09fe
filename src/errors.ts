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

/** What every {@link SevenGeeseError} records about the failed request. */
export interface ErrorFields {
  /** The URL that was called, without query string or credentials. */
  endpoint: string;
  /** The HTTP status 7Geese answered with, when it answered. */
  status?: number | undefined;
  /** The failure underneath (a socket error, a parse error), never holding a secret. */
  cause?: unknown;
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

  constructor(message: string, code: SevenGeeseErrorCode, fields: ErrorFields) {
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

/** The connection to 7Geese failed or was dropped before a complete answer. */
export class SevenGeeseNetworkError extends SevenGeeseError {
  /** The class's name, for logs: `'SevenGeeseNetworkError'`. */
  override name = 'SevenGeeseNetworkError';

  constructor(endpoint: string, cause?: unknown) {
    super(
      `Could not reach 7Geese at ${endpoint}: the connection failed or was closed before a complete answer. Check the URL and the network, then try again.`,
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
    fields: ErrorFields & { scope?: string | undefined; description?: string | undefined },
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

/**
 * 7Geese sent the person back with an OAuth error other than `access_denied` (which is a
 * failure, `info.code === 'access_denied'`): `invalid_scope`, `unauthorized_client`,
 * `server_error`, … in `code`. A passport-oauth2 `AuthorizationError`, and
 * `instanceof SevenGeeseError`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class SevenGeeseAuthorizationError extends AuthorizationError {
  /** The class's name, for logs: `'SevenGeeseAuthorizationError'`. */
  override name = 'SevenGeeseAuthorizationError';
  /** 7Geese's `error_description`, without control characters, cut to 300 characters. */
  readonly description: string | undefined;

  constructor(code: string, description: string | undefined) {
    const safeCode = /^[\w.-]{1,64}$/.test(code) ? code : 'invalid_request';
    // Both come from the callback URL, which anyone can craft: keep them to one printable line.
    const text = description?.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 300);
    super(
      `7Geese refused the sign-in request: ${safeCode}${text ? ` (${text})` : ''}. Check the scope and the redirect URI registered with the application.`,
      safeCode,
      undefined,
    );
    this.description = text;
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
