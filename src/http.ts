import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
  headers: ResponseHeaders;
  body: string;
  /** The URL called, without query string, for error messages. */
  endpoint: string;
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
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    const headers: Record<string, string | number> = { ...req.headers };
    if (body) headers['Content-Length'] = body.length;
    let settled = false;
    const finish = (err: Error | undefined, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        outgoing.destroy();
        reject(err);
      } else {
        resolve(res!);
      }
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = request(url, { method: req.method, headers }, (incoming) => {
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
      incoming.on('end', () => finish(undefined, { status, headers: headersOf(incoming.headers), body: Buffer.concat(chunks, size).toString('utf8'), endpoint }));
      incoming.on('aborted', () => finish(new SevenGeeseNetworkError(endpoint)));
      incoming.on('error', (cause) => finish(new SevenGeeseNetworkError(endpoint, cause)));
    });
    const timer = setTimeout(() => finish(new SevenGeeseTimeoutError(endpoint, req.timeout)), req.timeout);
    outgoing.on('error', (cause) => finish(new SevenGeeseNetworkError(endpoint, cause)));
    outgoing.end(body);
  });
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
      if (location) to = ` to ${endpointOf(new URL(location, endpoint))}`;
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
