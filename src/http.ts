import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  SevenGeeseError,
  SevenGeeseNetworkError,
  SevenGeeseResponseError,
  SevenGeeseTimeoutError,
  endpointOf,
} from './errors.js';
import type { SevenGeeseErrorCode } from './errors.js';
import { redactor, type Redact } from './redact.js';

/** The largest answer read from 7Geese: its real answers are a few kilobytes. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The deadline for one upstream request when none is configured, in milliseconds. */
export const DEFAULT_TIMEOUT = 10_000;

/**
 * The deepest nesting of arrays and objects accepted in JSON from 7Geese. Its real answers nest
 * a few levels; deeper JSON would reach the app (`profile._json`) and make a recursive
 * serialiser such as express-session's throw `RangeError`.
 */
export const MAX_JSON_DEPTH = 32;

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value we are willing to send: visible ASCII, spaces and tabs; no CR, LF or other controls. */
export const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | undefined;
  /** Deadline for the whole exchange, body included, in milliseconds. */
  timeout: number;
  maxBytes?: number;
  /** Stops the request, and fails it with code `aborted`, when aborted. */
  signal?: AbortSignal | undefined;
  /**
   * Secrets this request sends outside its headers (a code, a password, a refresh token, the
   * client secret): removed, with every header value, from whatever an error keeps of the answer.
   */
  secrets?: readonly string[] | undefined;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  body: string;
  /** The URL called, without query string, for error messages. */
  endpoint: string;
  /** Removes every secret the request sent from text taken from this answer. */
  redact: Redact;
}

/** What a response looks like to the rest of the library; the subset of fetch's Headers it uses. */
export interface ResponseHeaders {
  get(name: string): string | null;
}

function headersOf(raw: IncomingHttpHeaders): ResponseHeaders {
  return {
    get(name: string): string | null {
      const value = raw[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/**
 * One HTTP exchange with 7Geese, with what node-oauth lacks: a deadline that covers the body too
 * (a server that drips one byte a second still times out), a size limit, and redirects returned
 * rather than followed, so that a redirect is never mistaken for success.
 *
 * Built on node:http rather than fetch: a sign-in makes two of these calls, and fetch costs
 * several times the CPU per call (see bench/).
 */
export function send(req: HttpRequest): Promise<HttpResponse> {
  const maxBytes = req.maxBytes ?? MAX_RESPONSE_BYTES;
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch (cause) {
      return reject(new SevenGeeseNetworkError(endpointOf(req.url), cause));
    }
    const endpoint = endpointOf(url);
    const unsendable = Object.entries(req.headers ?? {}).find(([name, value]) => !HEADER_NAME.test(name) || !HEADER_VALUE.test(value));
    if (unsendable) return reject(headerError(unsendable[0], endpoint));
    const aborted = () =>
      new SevenGeeseError(`The request to ${endpoint} was aborted before 7Geese answered.`, 'aborted', { endpoint, cause: req.signal?.reason });
    if (req.signal?.aborted) return reject(aborted());
    const redact = redactor([...(req.secrets ?? []), ...secretsOf(req.headers ?? {})]);
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    const headers: Record<string, string | number> = { ...req.headers };
    if (body) headers['Content-Length'] = body.length;
    let settled = false;
    const onAbort = () => finish(aborted());
    const finish = (err: Error | undefined, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (err) {
        outgoing?.destroy();
        reject(err);
      } else {
        resolve(res!);
      }
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let outgoing: ReturnType<typeof request> | undefined;
    const timer = setTimeout(() => finish(new SevenGeeseTimeoutError(endpoint, req.timeout)), req.timeout);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      outgoing = request(url, { method: req.method, headers }, (incoming) => {
      const status = incoming.statusCode ?? 0;
      const tooLarge = () =>
        new SevenGeeseResponseError(
          `7Geese's answer from ${endpoint} is larger than ${maxBytes} bytes, the most this library reads. Check that the URL points at the 7Geese API.`,
          'response_too_large',
          { endpoint, status },
        );
      const declared = Number(incoming.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) return finish(tooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return finish(tooLarge());
        chunks.push(chunk);
      });
      incoming.on('end', () =>
        finish(undefined, { status, headers: headersOf(incoming.headers), body: Buffer.concat(chunks, size).toString('utf8'), endpoint, redact }),
      );
      incoming.on('aborted', () => finish(new SevenGeeseNetworkError(endpoint)));
      incoming.on('error', (cause) => finish(new SevenGeeseNetworkError(endpoint, cause)));
      });
    } catch (cause) {
      // Node refuses some requests synchronously (a header it cannot send, a bad method).
      return finish(new SevenGeeseNetworkError(endpoint, cause));
    }
    outgoing.on('error', (cause) => finish(new SevenGeeseNetworkError(endpoint, cause)));
    outgoing.end(body);
  });
}

/** Every header value that could be a credential, with the credential of `Scheme credential` on its own. */
function secretsOf(headers: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (/^(accept|content-type|content-length|user-agent)$/i.test(name)) continue;
    out.push(value);
    const space = value.indexOf(' ');
    if (space > 0) out.push(value.slice(space + 1).trim());
  }
  return out;
}

/** A header that cannot be sent as it is: an error naming it, never showing its value. */
function headerError(name: string, endpoint: string): SevenGeeseError {
  const shown = HEADER_NAME.test(name) ? `the "${name}" header` : 'a header whose name';
  const advice = /^authorization$/i.test(name)
    ? ' The access token is not a valid token (it may have come from a broken 7Geese); sign in again.'
    : ' Check the "customHeaders" option.';
  return new SevenGeeseError(
    `Cannot send ${shown} to ${endpoint}: it has characters an HTTP header cannot carry (control characters, line breaks or non-ASCII).${advice}`,
    'invalid_header',
    { endpoint },
  );
}

/**
 * True when JSON text nests arrays and objects deeper than `max`. A single pass that counts
 * brackets outside strings, without recursion and before anything is parsed, so that hostile
 * nesting costs no more than reading the text.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
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
