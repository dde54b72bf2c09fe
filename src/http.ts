import {
  SevenGeeseNetworkError,
  SevenGeeseResponseError,
  SevenGeeseTimeoutError,
  endpointOf,
} from './errors.js';

/** The largest answer read from 7Geese: its real answers are a few kilobytes. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The deadline for one upstream request when none is configured, in milliseconds. */
export const DEFAULT_TIMEOUT = 10_000;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | undefined;
  /** Deadline for the whole exchange, body included, in milliseconds. */
  timeout: number;
  maxBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
  /** The URL called, without query string, for error messages. */
  endpoint: string;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

async function readLimited(
  res: Response,
  maxBytes: number,
  endpoint: string,
): Promise<string> {
  const tooLarge = () =>
    new SevenGeeseResponseError(
      `7Geese's answer from ${endpoint} is larger than ${maxBytes} bytes, the most this library reads. Check that the URL points at the 7Geese API.`,
      'response_too_large',
      { endpoint, status: res.status },
    );
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/**
 * One HTTP exchange with 7Geese on Node's `fetch`, with what node-oauth lacks: a deadline that
 * covers the body too (a server that drips one byte a second still times out), a size limit,
 * and redirects returned rather than followed, so that a redirect is never mistaken for success.
 */
export async function send(req: HttpRequest): Promise<HttpResponse> {
  const endpoint = endpointOf(req.url);
  const maxBytes = req.maxBytes ?? MAX_RESPONSE_BYTES;
  const signal = AbortSignal.timeout(req.timeout);
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers ?? {},
      body: req.body ?? null,
      redirect: 'manual',
      signal,
    });
    const body = await readLimited(res, maxBytes, endpoint);
    return { status: res.status, headers: res.headers, body, endpoint };
  } catch (err) {
    if (err instanceof SevenGeeseResponseError) throw err;
    if (signal.aborted || isTimeout(err)) throw new SevenGeeseTimeoutError(endpoint, req.timeout, err);
    throw new SevenGeeseNetworkError(endpoint, err);
  }
}

/**
 * Reads a JSON answer, turning the ways a misconfigured URL or a broken server shows itself
 * (a redirect, an HTML page, text that is not JSON) into a {@link SevenGeeseResponseError}
 * that says what to check.
 */
export function readJSON(res: HttpResponse, what: string): unknown {
  const { status, endpoint } = res;
  if (status >= 300 && status < 400) {
    const location = res.headers.get('location');
    let to = '';
    try {
      if (location) to = ` to ${endpointOf(new URL(location, endpoint).href)}`;
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
    if (looksHTML) throw new SyntaxError('HTML');
    return JSON.parse(res.body) as unknown;
  } catch (cause) {
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
