import type { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { SevenGeeseError, SevenGeeseNetworkError, SevenGeeseUnavailableError, endpointOf } from '../errors.js';
import { observingRequests, publishRequest, type RequestEvent, type RequestOperation } from '../diagnostics.js';
import type { Redact } from '../redact.js';
import { agentFor, preconnect, userAgentHeader, type AgentChoice } from './agents.js';
import { readAPIResponse, unavailableError, type APIExpectations } from './answers.js';
import { abortedError, exchange, headerError, targetOf, unsendableHeader, type HttpMethod, type HttpRequest, type HttpResponse, type Target } from './exchange.js';

/** The deadline for one upstream request when none is configured, in milliseconds. */
export const DEFAULT_TIMEOUT = 10_000;

/** The wait before the one retry of a GET after a 429 or 503 without `Retry-After`, in seconds. */
const DEFAULT_RETRY_AFTER = 1;

/** The least time a retry must have left after its wait, in ms; with less it is not attempted. */
const MIN_RETRY_MS = 100;

export type APIMethod = HttpMethod;

/** One request as callers hand it to {@link Transport.send}: the transport adds the agent, and the deadline unless given. */
type SendRequest = Omit<HttpRequest, 'agent' | 'timeout'> & { timeout?: number | undefined };

/** How a transport sends: its deadline, extra headers, and how it connects. */
export interface TransportSettings {
  /** @default 10000 */
  timeout?: number | undefined;
  /** Headers added to every request (the library's own protocol headers win). */
  customHeaders?: Readonly<Record<string, string>> | undefined;
  /** The app's agent, such as a proxy agent; `false` for a new connection per request. */
  agent?: Agent | false | undefined;
  /** Use `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (ignored when `agent` is given). */
  proxyFromEnv?: boolean | undefined;
  /** How long a connection of the keep-alive pool stays open unused, in ms. @default 50000 */
  idleTimeout?: number | undefined;
  /** Whether {@link Transport.preconnect} opens a connection. @default true */
  preconnect?: boolean | undefined;
}

/** How the client proves who it is at the token and revocation endpoints. */
export interface ClientCredentials {
  id: string;
  secret: string;
  auth: 'basic' | 'body';
  /** The `Authorization` header for HTTP Basic, built once. */
  basic: string;
}

/** RFC 6749 section 2.3.1: form-encode each part before joining them for Basic authentication. */
export function basicCredentials(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** Form fields whose values are secrets, removed from any error about the answer. */
const SECRET_FIELDS = new Set(['code', 'code_verifier', 'refresh_token', 'access_token', 'password', 'client_secret', 'token', 'assertion']);

/** One call to the 7Geese API with an access token. */
export interface APICall extends APIExpectations {
  operation: 'profile' | 'rest' | 'graphql';
  method: APIMethod;
  url: string | URL;
  accessToken: string;
  body?: unknown;
  /** This call's deadline, when shorter than the transport's. */
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Retry a GET once after a 429 or 503, within the deadline. Only the API client asks. */
  retry?: boolean | undefined;
}

/**
 * The wait, in ms, before the one retry of a GET after `err`, or undefined for no retry: only
 * after a 429 or 503, honouring its `Retry-After` (1 s without one), and only when the retry
 * would still have time within what is left of the deadline (`leftMs`).
 */
export function retryDelay(err: unknown, leftMs: number): number | undefined {
  if (!(err instanceof SevenGeeseUnavailableError)) return undefined;
  const wait = (err.retryAfter ?? DEFAULT_RETRY_AFTER) * 1000;
  return wait + MIN_RETRY_MS <= leftMs ? wait : undefined;
}

/**
 * Every request to 7Geese goes through a transport: the token exchange, refresh, revocation, the
 * profile, REST, GraphQL and each page of a listing. It adds the `User-Agent` and the app's
 * `customHeaders`, picks the connection (the app's agent, a proxy from the environment, or a
 * keep-alive pool), turns a 429 or 503 into a {@link SevenGeeseUnavailableError}, and publishes
 * each request on the `passport-7geese:request` diagnostics channel. The exchange itself keeps a
 * deadline over the whole answer, a size limit, and never follows a redirect.
 */
export class Transport {
  readonly timeout: number;
  readonly customHeaders: Readonly<Record<string, string>>;
  #choice: AgentChoice;
  readonly #idleTimeout: number | undefined;
  readonly #preconnect: boolean;
  /** The User-Agent and the app's headers, the start of every request's headers; checked once. */
  #baseHeaders: Record<string, string> | undefined;
  /** The name of a header among those that cannot be sent, if any. */
  #unsendable: string | undefined;

  constructor(settings: TransportSettings = {}) {
    this.timeout = settings.timeout ?? DEFAULT_TIMEOUT;
    this.customHeaders = Object.freeze({ ...settings.customHeaders });
    this.#idleTimeout = settings.idleTimeout;
    this.#preconnect = settings.preconnect ?? true;
    this.#choice =
      settings.agent !== undefined ? { agent: settings.agent } : settings.proxyFromEnv ? { proxyFromEnv: true } : { pool: true, idleTimeout: settings.idleTimeout };
  }

  /** How requests connect: the app's agent, `'env'` for the environment's proxy, `'pool'` for the keep-alive pool. */
  get agent(): Agent | false | 'env' | 'pool' {
    return 'agent' in this.#choice ? this.#choice.agent : 'pool' in this.#choice ? 'pool' : 'env';
  }

  /** Sends every later request through `agent` (node-oauth's `setAgent`); `undefined` goes back to the pool. */
  setAgent(agent: Agent | false | undefined): void {
    this.#choice = agent === undefined ? { pool: true, idleTimeout: this.#idleTimeout } : { agent };
  }

  /** The settings to build another transport that connects the same way. */
  get settings(): TransportSettings {
    const agent = 'agent' in this.#choice ? this.#choice.agent : undefined;
    return {
      timeout: this.timeout,
      customHeaders: this.customHeaders,
      agent,
      proxyFromEnv: 'proxyFromEnv' in this.#choice,
      idleTimeout: this.#idleTimeout,
      preconnect: this.#preconnect,
    };
  }

  /**
   * Makes sure a connection to `url`'s origin is open or opening in the keep-alive pool, so that
   * a request soon after (a sign-in's callback, after the consent page) does not wait for TCP and
   * TLS set-up. Does nothing when a recently used connection is idle there or one is already
   * opening (at most one per origin, whatever the rate of calls), with the app's `agent` or a
   * proxy (`proxyFromEnv`), or with `preconnect: false`. Never throws, never waits.
   */
  preconnect(url: string): void {
    if (!this.#preconnect) return;
    try {
      preconnect(targetOf(url), this.#choice);
    } catch {
      // Not a URL: the request that follows reports it.
    }
  }

  /** One request, as every caller makes it; see the class. */
  send(operation: RequestOperation, req: SendRequest, resend = 0): Promise<HttpResponse> {
    // Not an async function: a sign-in makes two requests, and each await is another promise.
    try {
      let target: Target;
      try {
        target = targetOf(req.url);
      } catch (cause) {
        throw new SevenGeeseNetworkError(endpointOf(req.url), cause);
      }
      const agent = agentFor(target, this.#choice);
      if (agent instanceof Promise) return agent.then((loaded) => this.#exchange(operation, req, target, loaded, resend));
      return this.#exchange(operation, req, target, agent, resend);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  #exchange(operation: RequestOperation, req: SendRequest, target: Target, agent: Agent | false, resend: number): Promise<HttpResponse> {
    if (this.#baseHeaders === undefined) {
      this.#baseHeaders = { 'User-Agent': userAgentHeader(), ...this.customHeaders };
      this.#unsendable = unsendableHeader(this.#baseHeaders);
    }
    const own = req.headers ?? {};
    const unsendable = this.#unsendable ?? unsendableHeader(own);
    if (unsendable !== undefined) return Promise.reject(headerError(unsendable, target.endpoint));
    // Every field named, not spread: one object shape for every request.
    const sent = exchange(
      {
        method: req.method,
        url: target.href,
        headers: { ...this.#baseHeaders, ...own },
        body: req.body,
        timeout: req.timeout ?? this.timeout,
        signal: req.signal,
        secrets: req.secrets,
        agent,
      },
      target,
    );
    return (observingRequests() ? observe(sent, operation, req, target, resend) : sent).then(notBusy);
  }

  /**
   * POSTs a form to one of 7Geese's OAuth endpoints, authenticating the client the configured
   * way. The secret travels in a header or the body, never in the URL.
   */
  postForm(operation: 'token' | 'revoke', url: string, form: Record<string, string>, client: ClientCredentials): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
    let fields = form;
    if (client.auth === 'basic') headers.Authorization = client.basic;
    else fields = { ...form, client_id: client.id, client_secret: client.secret };
    const secrets = [client.secret];
    for (const name in fields) if (SECRET_FIELDS.has(name)) secrets.push(fields[name]!);
    return this.send(operation, { method: 'POST', url, headers, body: new URLSearchParams(fields).toString(), secrets });
  }

  /**
   * One call to the 7Geese API with a bearer token in the `Authorization` header (never the
   * query string). A GET asked to `retry` is tried once more after a 429 or 503 when the wait
   * fits the deadline; nothing else is retried, but for the resend of a request that met a
   * connection the server had closed (see `exchange`).
   */
  callAPI(call: APICall): Promise<{ json: unknown; body: string; endpoint: string; redact: Redact }> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${call.accessToken}` };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    let body: string | undefined;
    try {
      body = call.body === undefined ? undefined : JSON.stringify(call.body);
    } catch (err) {
      // A body JSON cannot hold (a cycle, a BigInt): a rejection, as from every other failure.
      return Promise.reject(err as Error);
    }
    const deadline = call.timeout ?? this.timeout;
    const attempt = (timeout: number, resend: number) =>
      this.send(call.operation, { method: call.method, url: call.url, headers, body, timeout, signal: call.signal }, resend);
    const read = (res: HttpResponse) => ({ json: readAPIResponse(res, call), body: res.body, endpoint: res.endpoint, redact: res.redact });
    // Not an async function: the profile GET of every sign-in takes this path, one promise fewer.
    if (!(call.retry && call.method === 'GET')) return attempt(deadline, 0).then(read);
    const start = performance.now();
    return attempt(deadline, 0)
      .catch(async (err: unknown) => {
        const wait = retryDelay(err, deadline - (performance.now() - start));
        if (wait === undefined) throw err;
        if (wait > 0) {
          await sleep(wait, undefined, { signal: call.signal }).catch((cause: unknown) => {
            throw abortedError(endpointOf(call.url), cause);
          });
        }
        return attempt(Math.max(1, Math.floor(deadline - (performance.now() - start))), 1);
      })
      .then(read);
  }
}

/** A 429 or 503 is a {@link SevenGeeseUnavailableError}; any other answer is the caller's to read. */
function notBusy(res: HttpResponse): HttpResponse {
  const busy = unavailableError(res);
  if (busy) throw busy;
  return res;
}

/** Times one exchange and publishes it on the request channel, answered or failed. */
async function observe(
  exchange: Promise<HttpResponse>,
  operation: RequestOperation,
  req: { method: string; body?: string | undefined; headers?: Record<string, string> | undefined },
  url: Target,
  resend: number,
): Promise<HttpResponse> {
  const startTime = Date.now();
  const start = performance.now();
  const attributes: RequestEvent['attributes'] = {
    'http.request.method': req.method,
    'url.full': url.endpoint,
    'url.scheme': url.protocol.slice(0, -1),
    'server.address': url.hostname,
    'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    'http.request.body.size': req.body === undefined ? 0 : Buffer.byteLength(req.body),
  };
  if (resend > 0) attributes['http.request.resend_count'] = resend;
  const event: RequestEvent = { operation, startTime, durationMs: 0, attributes };
  if (operation === 'token' && req.body !== undefined) {
    const grant = new URLSearchParams(req.body).get('grant_type');
    if (grant !== null && /^[\w:.-]{1,64}$/.test(grant)) event.grantType = grant;
  }
  try {
    const res = await exchange;
    attributes['http.response.status_code'] = res.status;
    attributes['http.response.body.size'] = res.size;
    if (res.status >= 400) attributes['error.type'] = String(res.status);
    return res;
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number') attributes['http.response.status_code'] = status;
    attributes['error.type'] = err instanceof SevenGeeseError ? err.code : 'unknown';
    throw err;
  } finally {
    event.durationMs = performance.now() - start;
    publishRequest(event);
  }
}
