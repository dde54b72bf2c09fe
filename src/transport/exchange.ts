import type { Agent, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  SevenGeeseError,
  SevenGeeseNetworkError,
  SevenGeeseResponseError,
  SevenGeeseTimeoutError,
  endpointOf,
} from '../errors.js';
import { redactor, type Redact } from '../redact.js';
import { isPoolAgent, mayResend } from './agents.js';
import { notOverTLS } from './proxy.js';

/** The largest answer read from 7Geese: its real answers are a few kilobytes. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** How Node reports a connection the server closed or dropped under a request ('socket hang up' is ECONNRESET). */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value we are willing to send: visible ASCII, spaces and tabs; no CR, LF or other controls. */
export const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** A string URL (one of 7Geese's few endpoints, parsed once and kept) or a `URL` already parsed. */
  url: string | URL;
  headers?: Record<string, string>;
  body?: string | undefined;
  /** Deadline for the whole exchange, body included, in milliseconds. */
  timeout: number;
  /** Stops the request, and fails it with code `aborted`, when aborted. */
  signal?: AbortSignal | undefined;
  /**
   * Secrets this request sends outside its headers (a code, a password, a refresh token, the
   * client secret): removed, with every header value, from whatever an error keeps of the answer.
   */
  secrets?: readonly string[] | undefined;
  /** The connection pool or proxy agent; `false` for a new connection without keep-alive. */
  agent?: Agent | false | undefined;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  body: string;
  /** The URL called, without query string, for error messages. */
  endpoint: string;
  /** Removes every secret the request sent from text taken from this answer. */
  redact: Redact;
  /** The size of the body read, in bytes. */
  size: number;
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

/** A URL as `http.request` takes it, parsed once: see {@link targetOf}. */
export interface Target {
  /** The URL without query string or fragment, for error messages. */
  endpoint: string;
  href: string;
  protocol: 'http:' | 'https:' | string;
  /** As the URL has it: an IPv6 address in brackets. */
  hostname: string;
  port: string;
  /** What `http.request` is given: the path with the query string, the address without brackets. */
  options: { protocol: string; hostname: string; port: number | undefined; path: string; auth?: string };
}

/**
 * Targets by string URL: the token, revocation and profile endpoints, a handful per app. The
 * API client's URLs (ids, queries, page links) come parsed and are not kept; the bound only
 * guards against a string URL per request.
 */
const targets = new Map<string, Target>();
const MAX_TARGETS = 256;

/**
 * The URL with the options `http.request` needs, the same as Node derives from a `URL` object
 * (`urlToHttpOptions`). Given as plain options, `http.request` neither converts a `URL` on every
 * request nor builds its heavier request; `new URL` itself is the costliest part of a request's
 * set-up, so a string URL is parsed once and kept. Throws the `TypeError` of `new URL` for a
 * string that is not a URL.
 */
export function targetOf(href: string | URL): Target {
  if (typeof href !== 'string') return targetFrom(href);
  let target = targets.get(href);
  if (target !== undefined) return target;
  target = targetFrom(new URL(href));
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(href, target);
  return target;
}

function targetFrom(url: URL): Target {
  const { hostname, port, username, password } = url;
  const options: Target['options'] = {
    protocol: url.protocol,
    hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
    port: port === '' ? undefined : Number(port),
    path: `${url.pathname}${url.search}`,
  };
  if (username !== '' || password !== '') options.auth = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
  return { endpoint: endpointOf(url), href: url.href, protocol: url.protocol, hostname, port, options };
}

/**
 * The name of a header that cannot be sent as it is, if any. Headers must be checked before
 * Node sees them: it would throw a raw ERR_INVALID_CHAR, or worse. The transport checks them,
 * the app's once and each request's own as it is made.
 */
export function unsendableHeader(headers: Readonly<Record<string, string>>): string | undefined {
  for (const name in headers) {
    if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(headers[name]!)) return name;
  }
  return undefined;
}

/**
 * One HTTP exchange with 7Geese (only the transport calls it), with what node-oauth lacks: a deadline that covers the body too
 * (a server that drips one byte a second still times out), a size limit, and redirects returned
 * rather than followed, so that a redirect is never mistaken for success; and one resend of a
 * request that met a kept-alive connection the server had closed or dropped while idle (Node's
 * own advice for `reusedSocket`): such a request never reached 7Geese.
 *
 * Built on node:http rather than fetch: a sign-in makes two of these calls, and fetch costs
 * several times the CPU per call (see bench/).
 *
 * `target` is `req.url` parsed ({@link targetOf}). `req.headers` must have been checked with
 * {@link unsendableHeader}. The exchange adds `Content-Length` to them and hands them to Node: the
 * transport builds a headers object per request, so none is copied here.
 */
export function exchange(req: HttpRequest & { headers: Record<string, string> }, target: Target): Promise<HttpResponse> {
  const { endpoint } = target;
  const sent = req.headers;
  const signal = req.signal;
  const aborted = () => abortedError(endpoint, signal?.reason);
  if (signal?.aborted) return Promise.reject(aborted());
  const maxBytes = MAX_RESPONSE_BYTES;
  // Built only when an error needs it: most answers never do.
  let redactSecrets: Redact | undefined;
  const redact: Redact = (text) => (redactSecrets ??= redactor([...(req.secrets ?? []), ...secretsOf(sent)]))(text);
  // The body goes to end() as a string, so that Node sends it with the headers in one write.
  const body = req.body;
  const headers: Record<string, string | number> = sent;
  if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
  const { options } = target;
  // Node reads an absent `auth` or `agent` as undefined (`agent` then is its global agent).
  const init = {
    protocol: options.protocol,
    hostname: options.hostname,
    port: options.port,
    path: options.path,
    method: req.method,
    headers: isPoolAgent(req.agent) && options.auth === undefined ? headerList(headers, target) : headers,
    auth: options.auth,
    agent: req.agent,
  };
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let settled = false;
    let outgoing: ReturnType<typeof request> | undefined;
    const onAbort = signal ? () => finish(aborted()) : undefined;
    const finish = (err: Error | undefined, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (onAbort) signal!.removeEventListener('abort', onAbort);
      if (err) {
        outgoing?.destroy();
        reject(err);
      } else {
        resolve(res!);
      }
    };
    const timer = setTimeout(() => finish(new SevenGeeseTimeoutError(endpoint, req.timeout)), req.timeout);
    if (onAbort) signal!.addEventListener('abort', onAbort, { once: true });
    let answered = false;
    let resent = false;
    const send = (): void => {
      let sending: ReturnType<typeof request>;
      try {
        sending = request(init, (incoming) => {
          answered = true;
          read(incoming);
        });
      } catch (cause) {
        // Node refuses some requests synchronously (a header it cannot send, a bad method).
        return finish(new SevenGeeseNetworkError(endpoint, cause));
      }
      outgoing = sending;
      sending.on('error', (cause: NodeJS.ErrnoException) => {
        // The server closed an idle connection as we reused it (or had dropped it): the request
        // never reached 7Geese, so it is sent once more, on a new connection. Never when an
        // answer had begun or the connection was new: then 7Geese may have acted on it.
        if (!answered && !resent && !settled && STALE_CODES.has(cause.code ?? '') && mayResend(req.agent, sending.socket, sending.reusedSocket)) {
          resent = true;
          return send();
        }
        finish(new SevenGeeseNetworkError(endpoint, cause));
      });
      sending.end(body);
    };
    const read = (incoming: IncomingMessage): void => {
      const status = incoming.statusCode ?? 0;
      // An https answer that did not come over TLS is not 7Geese's: a proxy agent hands on the
      // proxy's own answer to CONNECT when it refuses the tunnel. The app's agents are checked too.
      if (target.protocol === 'https:' && (incoming.socket as { encrypted?: unknown } | null)?.encrypted !== true) {
        return finish(notOverTLS(endpoint, status, req.agent));
      }
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
        finish(undefined, {
          status,
          headers: headersOf(incoming.headers),
          body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'),
          endpoint,
          redact,
          size,
        }),
      );
      incoming.on('aborted', () => finish(new SevenGeeseNetworkError(endpoint)));
      incoming.on('error', (cause) => finish(new SevenGeeseNetworkError(endpoint, cause)));
    };
    send();
  });
}

/**
 * The headers as the flat name/value list that `http.request` also takes: Node then writes them
 * as they are, without checking and storing each one again (they were checked above), about 3 µs
 * less per request. In that form Node adds no `Host`, so it is added here as Node would write it.
 */
function headerList(headers: Record<string, string | number>, target: Target): string[] {
  // Host first, as RFC 9110 (section 7.2) asks of clients; an app's own in customHeaders replaces
  // it, as it does when Node is given an object.
  const list: string[] = ['Host', target.port === '' ? target.hostname : `${target.hostname}:${target.port}`];
  const lower: string[] = ['host'];
  for (const name in headers) {
    // Names differ in case only when the app's customHeaders name one of ours: as with an
    // object, where Node's setHeader ignores case, the later (ours) replaces it.
    const key = name.toLowerCase();
    const at = lower.indexOf(key);
    if (at === -1) {
      lower.push(key);
      list.push(name, String(headers[name]));
    } else {
      list[2 * at] = name;
      list[2 * at + 1] = String(headers[name]);
    }
  }
  return list;
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

/** The error of a request stopped by its `signal` before 7Geese answered. */
export function abortedError(endpoint: string, cause: unknown): SevenGeeseError {
  return new SevenGeeseError(`The request to ${endpoint} was aborted before 7Geese answered.`, 'aborted', { endpoint, cause });
}

/** A header that cannot be sent as it is: an error naming it, never showing its value. */
export function headerError(name: string, endpoint: string): SevenGeeseError {
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
