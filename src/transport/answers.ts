import { SevenGeeseAPIError, SevenGeeseResponseError, SevenGeeseTokenError, SevenGeeseUnavailableError } from '../errors.js';
import { isRecord, parseJSON, readJSON } from '../json.js';
import { clip } from '../redact.js';
import { parseGrantedScope } from '../scope.js';
import type { HttpResponse } from './exchange.js';

/**
 * A successful token response: 7Geese's JSON as it came, plus the granted scopes as a list and
 * the moment the access token expires.
 */
export interface TokenParams {
  /** The access token, as 7Geese sent it. */
  access_token: string;
  /** `Bearer`, as 7Geese sent it. */
  token_type?: string;
  /** The access token's lifetime in seconds, as 7Geese sent it. */
  expires_in?: number;
  /** The refresh token, as 7Geese sent it; each refresh replaces it. */
  refresh_token?: string;
  /** The granted scopes, space-separated, as 7Geese sent them. */
  scope?: string;
  /** The scopes 7Geese granted, read from `scope`. */
  scopes: string[];
  /**
   * When the access token expires, from `expires_in`, taken as at most a year (a larger
   * value is cut to a year, so that this is always a valid `Date`); undefined when 7Geese did not say, or said zero, a negative
   * number or something that is not a number.
   */
  expiresAt: Date | undefined;
  [field: string]: unknown;
}

/**
 * The longest an access token is taken to live, in seconds: a year. A larger `expires_in` (up to
 * 1e300 was seen in testing) is cut to it, so that the expiry is always a valid `Date` and a
 * token store refreshes the token within a year rather than failing to save it.
 */
export const MAX_TOKEN_LIFETIME = 365 * 24 * 60 * 60;

export interface APIExpectations {
  /** The scope the call needs, named in the error for a 403. */
  scope?: string | undefined;
  /** What to do when the URL answers 404, in the words of the caller's options. */
  notFoundAdvice?: string | undefined;
  /** The code for an answer nested too deeply to be what was asked for. @default 'invalid_response' */
  tooDeepCode?: 'invalid_profile' | undefined;
}

/** The longest wait taken from `Retry-After`, in seconds: a day. A larger value is cut to it. */
export const MAX_RETRY_AFTER = 86_400;

/**
 * Seconds to wait from a `Retry-After` value: delay-seconds or an HTTP-date (in the past: 0),
 * at most {@link MAX_RETRY_AFTER}; undefined when absent or unreadable.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,16}$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER);
  // An HTTP-date is about 30 characters; a longer value is not one, and is not worth parsing.
  if (text.length > 40 || !/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.min(Math.max(0, Math.ceil((at - now) / 1000)), MAX_RETRY_AFTER);
}

/** A 429 or 503 from any endpoint: 7Geese asks to come back later. */
export function unavailableError(res: HttpResponse): SevenGeeseUnavailableError | undefined {
  if (res.status !== 429 && res.status !== 503) return undefined;
  return new SevenGeeseUnavailableError(res.endpoint, res.status, parseRetryAfter(res.headers.get('retry-after')));
}

/**
 * What a token must look like to be sent back in a header: visible ASCII, no spaces (RFC 6750's
 * b64token is narrower still). A CR, LF or non-Latin-1 character would otherwise surface as a raw
 * Node error on the first API call, or worse, split the header.
 */
const TOKEN = /^[\x21-\x7e]{1,4096}$/;

/** Whether `value` is a token that can be sent back in a header (see `TOKEN`). */
export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

/** Reads a successful answer of the token endpoint. */
export function readTokenAnswer(res: HttpResponse): TokenParams {
  const json = readJSON(res, 'a token response');
  if (!isRecord(json) || typeof json.access_token !== 'string' || json.access_token === '') {
    throw new SevenGeeseResponseError(
      `7Geese's token endpoint ${res.endpoint} answered ${res.status} without an access_token. Check the "tokenURL" option.`,
      'invalid_response',
      { endpoint: res.endpoint, status: res.status },
    );
  }
  for (const field of ['access_token', 'refresh_token'] as const) {
    if (json[field] !== undefined && !isToken(json[field])) {
      throw new SevenGeeseResponseError(
        `7Geese's token endpoint ${res.endpoint} answered ${res.status} with a ${field} that is not a token (visible ASCII characters, at most 4096): it could not be sent back in a header. 7Geese may be having trouble; try again later.`,
        'invalid_response',
        { endpoint: res.endpoint, status: res.status },
      );
    }
  }
  const expiresIn = Number(json.expires_in);
  // Completed in place rather than copied: the object was parsed for this answer alone.
  const params = json as TokenParams;
  params.scopes = parseGrantedScope(json.scope);
  params.expiresAt = expiresIn > 0 ? new Date(Date.now() + Math.min(expiresIn, MAX_TOKEN_LIFETIME) * 1000) : undefined;
  return params;
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

function detailOf(res: HttpResponse): string | undefined {
  try {
    const json: unknown = parseJSON(res, 'an error');
    if (isRecord(json) && typeof json.detail === 'string') return clip(json.detail, res.redact, 200);
  } catch {
    // Not JSON, or absurdly nested: there is no detail to report.
  }
  return undefined;
}

type APIErrorCode = 'invalid_token' | 'insufficient_scope' | 'not_found' | 'http_error';

/**
 * Reads the answer of a 7Geese API call made with an access token: the JSON on success, or a
 * {@link SevenGeeseAPIError} that says what to do for 401, 403, 404 and other statuses.
 */
export function readAPIResponse(res: HttpResponse, expect: APIExpectations): unknown {
  const { status, endpoint } = res;
  if (status === 204 || (status >= 200 && status < 300 && res.body === '')) return undefined;
  if (status < 400) return readJSON(res, 'JSON', expect.tooDeepCode);
  const description = detailOf(res);
  const fail = (message: string, code: APIErrorCode): never => {
    throw new SevenGeeseAPIError(message, code, { endpoint, status, description, scope: expect.scope });
  };
  switch (status) {
    case 401:
      return fail(`7Geese rejected the access token at ${endpoint} (401): it is invalid, expired or revoked. Refresh it or sign in again.`, 'invalid_token');
    case 403: {
      // Both ways to get the scope: ask for it at sign-in, or when it is needed (a step-up).
      const fix = 'sign in again, or ask for it when it is needed with requireScopes() (README: "Step-up for more scopes")';
      const need = expect.scope
        ? `the scope "${expect.scope}": add it to the "scope" option and ${fix}`
        : `a scope it was not granted: add the scope for this resource to the "scope" option and ${fix}`;
      return fail(`7Geese refused ${endpoint} (403): the access token lacks ${need}.`, 'insufficient_scope');
    }
    case 404:
      return fail(`7Geese has nothing at ${endpoint} (404). ${expect.notFoundAdvice ?? 'Check the path.'}`, 'not_found');
    default:
      return fail(`7Geese answered ${status} at ${endpoint}. It may be having trouble; try again later.`, 'http_error');
  }
}
