import { channel } from 'node:diagnostics_channel';
import { isRegisteredCode } from './errors.js';
import { SIGN_IN_FAILURES } from './failures.js';

/**
 * The `node:diagnostics_channel` channels this library publishes on. Subscribe with
 * `diagnostics_channel.subscribe(name, listener)`; with no subscriber, nothing is built or sent.
 * No event holds a token, a code, a password, the client secret, a header or a body.
 *
 * @example
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe(CHANNELS.request, (e) => console.log(e.attributes['url.full'], e.attributes['http.response.status_code'], e.durationMs));
 */
export const CHANNELS = {
  /** One {@link SignInEvent} as a sign-in starts, and one as it ends. */
  signIn: 'passport-7geese:sign-in',
  /** One {@link RequestEvent} per request to 7Geese, when it ends (answered or failed). */
  request: 'passport-7geese:request',
  /** One {@link TokenEvent} per refresh or revocation, when it ends. */
  token: 'passport-7geese:token',
} as const;

/**
 * A request to 7Geese, after it ended. `attributes` are named after OpenTelemetry's HTTP client
 * semantic conventions, ready for `span.setAttributes()`.
 *
 * @see https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-client-span
 */
export interface RequestEvent {
  /** What the request was for. */
  operation: 'token' | 'revoke' | 'profile' | 'rest' | 'graphql';
  /** For `token`: `authorization_code`, `refresh_token` or `password`. */
  grantType?: string;
  /** When the request started, in milliseconds since the epoch. */
  startTime: number;
  /** From the start of the request to the end of the answer's body (or the failure), in ms. */
  durationMs: number;
  /** OpenTelemetry's HTTP client attributes of the request. */
  attributes: {
    /** `GET` or `POST`, …. */
    'http.request.method': string;
    /** The URL without query string or fragment. */
    'url.full': string;
    /** `https` or `http`. */
    'url.scheme': string;
    /** 7Geese's host name. */
    'server.address': string;
    /** 7Geese's port. */
    'server.port': number;
    /** Absent when 7Geese did not answer. */
    'http.response.status_code'?: number;
    /** The status as a string for 400 and above; this library's error code when there was no answer (`timeout`, `network_error`, …). */
    'error.type'?: string;
    /** The bytes of the request's body. */
    'http.request.body.size': number;
    /** The bytes of the answer's body; absent when 7Geese did not answer. */
    'http.response.body.size'?: number;
    /** 1 on the API client's one retry of a GET after a 429 or 503. */
    'http.request.resend_count'?: number;
  };
}

/** What a request to 7Geese was for. */
export type RequestOperation = RequestEvent['operation'];

/** A sign-in step, started or ended. `id` pairs the end with its start. */
export interface SignInEvent {
  /** Pairs a step's end with its start. */
  id: number;
  /** The strategy's name: `7geese` or `7geese-password`. */
  strategy: string;
  /** `authorize`: sending the browser to 7Geese; `callback`: its return; `password`: a password sign-in. */
  step: 'authorize' | 'callback' | 'password';
  /** Where the step is: `started`, or how it ended. */
  phase: 'started' | 'redirected' | 'succeeded' | 'failed';
  /** Since `started`, in ms; absent on `started`. */
  durationMs?: number;
  /**
   * For `failed`: the failure's code when it is registered (`access_denied`, `invalid_grant`,
   * `rate_limited`, a `SIGN_IN_FAILURES` code, `unregistered_error` for a callback error RFC 6749
   * does not register, …), else `unknown`; never other text, so it is safe as a metrics label.
   */
  code?: string;
  /** For `failed`: the HTTP status given with the failure, when there was one. */
  status?: number;
}

/** A refresh or a revocation, after it ended. */
export interface TokenEvent {
  /** What was done with the token. */
  operation: 'refresh' | 'revoke';
  /** How it ended. */
  outcome: 'succeeded' | 'failed';
  /** How long it took, in milliseconds. */
  durationMs: number;
  /** For `failed`: the error's code when it is registered (`invalid_grant`, `rate_limited`, `timeout`, …), else `unknown`. */
  code?: string;
}

const signInChannel = channel(CHANNELS.signIn);
const requestChannel = channel(CHANNELS.request);
const tokenChannel = channel(CHANNELS.token);

/** True when someone listens for request events: only then is one built. */
export function observingRequests(): boolean {
  return requestChannel.hasSubscribers;
}

export function publishRequest(event: RequestEvent): void {
  requestChannel.publish(event);
}

/** Times a refresh or revocation and publishes its outcome; returns what `work` returns. */
export async function publishToken<T>(operation: TokenEvent['operation'], work: () => Promise<T>): Promise<T> {
  if (!tokenChannel.hasSubscribers) return work();
  const start = performance.now();
  const end = (outcome: TokenEvent['outcome'], code?: string) =>
    tokenChannel.publish({ operation, outcome, durationMs: performance.now() - start, ...(code === undefined ? {} : { code }) } satisfies TokenEvent);
  try {
    const result = await work();
    end('succeeded');
    return result;
  } catch (err) {
    end('failed', codeOf(err));
    throw err;
  }
}

/**
 * The code of a failure, fit for a log and a metrics label: an error's or a failure's `code`
 * when it is registered (RFC 6749's OAuth codes, this library's error and sign-in failure
 * codes), else `unknown`. A callback's `error` comes from a URL anyone can write, and a token
 * error from whatever answered: repeating other text would let them write into logs and mint
 * a label per request.
 */
function codeOf(failure: unknown): string {
  const code = (failure as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && (isRegisteredCode(code) || Object.hasOwn(SIGN_IN_FAILURES, code)) ? code : 'unknown';
}

/** The actions Passport gives a strategy for one request. */
interface Actions {
  success?: (...args: unknown[]) => void;
  fail?: (...args: unknown[]) => void;
  error?: (...args: unknown[]) => void;
  redirect?: (...args: unknown[]) => void;
}

const TRACKED = Symbol('passport-7geese sign-in tracked');
let nextId = 0;

/**
 * Publishes `started` for one `authenticate()` call of a strategy, and its end when Passport's
 * `success`, `fail`, `error` or `redirect` is called on it (the per-request object Passport made
 * with `Object.create(strategy)`; its actions are wrapped, once). Costs nothing without a
 * subscriber. Call it first thing in `authenticate()`.
 */
export function trackSignIn(actions: object, strategy: string, step: SignInEvent['step']): void {
  if (!signInChannel.hasSubscribers || Object.hasOwn(actions, TRACKED)) return;
  Object.defineProperty(actions, TRACKED, { value: true });
  const id = ++nextId;
  const start = performance.now();
  signInChannel.publish({ id, strategy, step, phase: 'started' } satisfies SignInEvent);
  let ended = false;
  const end = (phase: SignInEvent['phase'], failure?: { code: string; status: number | undefined }) => {
    if (ended) return;
    ended = true;
    const event: SignInEvent = { id, strategy, step, phase, durationMs: performance.now() - start };
    if (failure) {
      event.code = failure.code;
      if (failure.status !== undefined) event.status = failure.status;
    }
    signInChannel.publish(event);
  };
  const a = actions as Actions;
  const wrap = (name: keyof Actions, settle: (args: unknown[]) => void) => {
    const action = a[name];
    if (typeof action !== 'function') return;
    a[name] = function (this: unknown, ...args: unknown[]) {
      settle(args);
      return action.apply(this, args);
    };
  };
  const statusOf = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  wrap('success', () => end('succeeded'));
  wrap('redirect', () => end('redirected'));
  wrap('fail', ([challenge, status]) =>
    // Passport's fail() takes (challenge, status), (status) or (); a challenge may carry a code.
    end('failed', { code: codeOf(challenge), status: statusOf(status) ?? statusOf(challenge) ?? statusOf((challenge as { status?: unknown } | undefined)?.status) }),
  );
  wrap('error', ([err]) => end('failed', { code: codeOf(err), status: statusOf((err as { status?: unknown } | undefined)?.status) }));
}
