import { SevenGeeseResponseError, endpointOf } from './errors.js';
import type { SevenGeeseErrorCode } from './errors.js';
import type { HttpResponse } from './transport/exchange.js';

/**
 * The deepest nesting of arrays and objects accepted in JSON from 7Geese. Its real answers nest
 * a few levels; deeper JSON would reach the app (`profile._json`) and make a recursive
 * serialiser such as express-session's throw `RangeError`.
 */
const MAX_JSON_DEPTH = 32;

/**
 * True when JSON text nests arrays and objects deeper than `max`. A single pass that counts
 * brackets outside strings, without recursion and before anything is parsed, so that hostile
 * nesting costs no more than reading the text.
 */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * Parses JSON from 7Geese, refusing nesting deeper than {@link MAX_JSON_DEPTH}. A failure keeps
 * no text of the body (a `SyntaxError` from `JSON.parse` quotes it, and it may echo a secret).
 */
export function parseJSON(res: HttpResponse, what: string, tooDeep: SevenGeeseErrorCode = 'invalid_response'): unknown {
  const { status, endpoint } = res;
  if (nestsDeeperThan(res.body, MAX_JSON_DEPTH)) {
    throw new SevenGeeseResponseError(
      `7Geese answered ${status} at ${endpoint} with JSON nested more than ${MAX_JSON_DEPTH} levels deep where ${what} was expected; refused. 7Geese may be having trouble, or something else answers at this URL.`,
      tooDeep,
      { endpoint, status },
    );
  }
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    throw new SyntaxError(`The body (${res.body.length} characters) is not valid JSON.`);
  }
}

/**
 * Reads a JSON answer, turning the ways a misconfigured URL or a broken server shows itself
 * (a redirect, an HTML page, text that is not JSON) into a {@link SevenGeeseResponseError}
 * that says what to check.
 */
export function readJSON(res: HttpResponse, what: string, tooDeep: SevenGeeseErrorCode = 'invalid_response'): unknown {
  const { status, endpoint } = res;
  if (status >= 300 && status < 400) {
    const location = res.headers.get('location');
    let to = '';
    try {
      if (location) to = ` to ${res.redact(endpointOf(new URL(location, endpoint))).slice(0, 200)}`;
    } catch {
      // An unparsable Location says nothing useful; the status alone is reported.
    }
    throw new SevenGeeseResponseError(
      `7Geese answered ${status} redirecting${to} at ${endpoint} where ${what} was expected. Check the URL: 7Geese paths end with a slash and use https.`,
      'unexpected_redirect',
      { endpoint, status },
    );
  }
  const type = res.headers.get('content-type') ?? '';
  const looksHTML = /html/i.test(type) || /^\s*</.test(res.body);
  try {
    if (looksHTML) throw new SyntaxError('The body is an HTML page.');
    return parseJSON(res, what, tooDeep);
  } catch (cause) {
    if (cause instanceof SevenGeeseResponseError) throw cause;
    const kind = looksHTML ? 'an HTML page' : 'a body that is not JSON';
    throw new SevenGeeseResponseError(
      `7Geese answered ${status} with ${kind} at ${endpoint} where ${what} was expected. The URL may be wrong or 7Geese may be having trouble; check the URL and try again.`,
      'invalid_response',
      { endpoint, status, cause },
    );
  }
}

/** True for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
