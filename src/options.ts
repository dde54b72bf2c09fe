import { Agent } from 'node:http';
import type { ClientAuth } from './oauth2-client.js';
import { HEADER_NAME, unsendableHeader } from './transport/exchange.js';
import { DEFAULT_TIMEOUT } from './transport/transport.js';
import { DEFAULT_IDLE_TIMEOUT } from './transport/agents.js';
import { DEFAULT_SCOPE, normalizeScope, type Scope, type ScopeInput } from './scope.js';
import { isSignInStore, type OAuth2StateStore, type SignInStore } from './pending-sign-in.js';

/** Where 7Geese lives. */
export const DEFAULT_BASE_URL = 'https://app.7geese.com';

/** Paths under `baseURL`, as django-oauth-toolkit and the 7Geese API name them. */
export const PATHS = {
  authorization: '/o/authorize/',
  token: '/o/token/',
  revocation: '/o/revoke_token/',
  profile: '/api/v/2.0/users/me/',
} as const;

/** Options shared by {@link Strategy} and the password strategy. */
export interface CommonOptions {
  /** The application's client ID, from https://app.7geese.com/account/applications/. */
  clientID: string;
  /** The application's client secret. Never logged, never sent in a URL. */
  clientSecret: string;
  /**
   * The scopes to ask for.
   * @default 'userprofile:read'
   * @example { objective: ['read', 'write'], userprofile: 'read' }
   */
  scope?: ScopeInput | undefined;
  /**
   * Where 7Geese lives; the other URLs derive from it unless given on their own.
   * @default 'https://app.7geese.com'
   */
  baseURL?: string | undefined;
  /** @default `${baseURL}/o/token/` */
  tokenURL?: string | undefined;
  /** @default `${baseURL}/o/revoke_token/` */
  revocationURL?: string | undefined;
  /**
   * The API endpoint that answers with the signed-in user. No public document names it; point
   * this elsewhere (such as `/api/v/2.0/userprofiles/me/`) if your 7Geese answers 404.
   * @default `${baseURL}/api/v/2.0/users/me/`
   */
  profileURL?: string | undefined;
  /**
   * How the client authenticates at the token endpoint: HTTP Basic, as 7Geese documents, or
   * `client_id` and `client_secret` in the form body.
   * @default 'basic'
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
   */
  clientAuth?: 'basic' | 'body' | undefined;
  /**
   * Deadline for every request to 7Geese, body included, in milliseconds.
   * @default 10000
   */
  timeout?: number | undefined;
  /**
   * Headers added to every request to 7Geese: token, refresh, revocation, profile, and the API
   * calls of a `SevenGeeseClient` built with this strategy. The protocol's own headers
   * (`Authorization`, `Content-Type`, `Accept`) cannot be replaced; `User-Agent` can.
   * @default {}
   */
  customHeaders?: Record<string, string> | undefined;
  /**
   * The agent every request to 7Geese goes through, such as a proxy agent
   * (`new HttpsProxyAgent('http://proxy.internal:3128')` from https-proxy-agent); `false` opens
   * a new connection per request.
   * @default a keep-alive pool shared by this library (token and profile share a connection)
   */
  agent?: Agent | false | undefined;
  /**
   * Send requests through the proxy named by the standard `HTTPS_PROXY` (`HTTP_PROXY` for an
   * http URL, `ALL_PROXY` for either) unless `NO_PROXY` matches the host, read on every request.
   * Ignored when `agent` is given.
   * @default false
   */
  proxyFromEnv?: boolean | undefined;
  /**
   * How long a connection to 7Geese in this library's keep-alive pool stays open unused, in
   * milliseconds: a whole number of seconds, at most 600000. The default outlives a typical
   * consent page (so the connection opened when a sign-in starts is there for its callback)
   * and closes before load balancers commonly drop idle connections (AWS: 60 s, nginx: 75 s).
   * Lower it below the idle timeout of whatever sits in front of your 7Geese. Strategies with
   * the same value share connections. Not used with `agent` or through a proxy.
   * @default 50000
   */
  idleTimeout?: number | undefined;
  /**
   * When a sign-in starts, open a connection to 7Geese's token endpoint (TCP and TLS) while the
   * person is on the consent page, so that the callback's token and profile requests need not
   * wait for it. At most one connection opening per origin, none when one is idle already; only
   * with this library's keep-alive pool (not with `agent` or `proxyFromEnv`).
   * @default true
   */
  preconnect?: boolean | undefined;
  /** Skip loading the profile (the verify callback then gets `undefined`). @default false */
  skipUserProfile?: boolean | ((accessToken: string) => boolean | PromiseLike<boolean>) | undefined;
}

/** Checked and resolved options: what the strategies run on. */
export interface ResolvedCommon {
  /** `baseURL` without a trailing slash. */
  base: string;
  clientID: string;
  clientSecret: string;
  scope: Scope[];
  tokenURL: string;
  revocationURL: string;
  profileURL: string;
  clientAuth: ClientAuth;
  timeout: number;
  customHeaders: Record<string, string>;
  agent: Agent | false | undefined;
  proxyFromEnv: boolean;
  idleTimeout: number;
  preconnect: boolean;
}

/** Builds the option checker for one class, so that every message names it. */
export function optionChecker(owner: string, options: Record<string, unknown>) {
  const fail = (name: string, expected: string, hint = ''): never => {
    const got = options[name];
    const shown = typeof got === 'string' ? JSON.stringify(got.length > 40 ? `${got.slice(0, 40)}…` : got) : typeof got;
    throw new TypeError(`${owner} option "${name}" must be ${expected}, got ${shown}.${hint}`);
  };
  return {
    fail,
    string(name: string, hint = ''): string {
      const v = options[name];
      return typeof v === 'string' && v.trim() !== '' ? v : fail(name, 'a non-empty string', hint);
    },
    url(name: string, fallback: string): string {
      const v = options[name] ?? fallback;
      try {
        if (typeof v === 'string' && /^https?:$/.test(new URL(v).protocol)) return v;
      } catch {
        // fall through to the error below
      }
      return fail(name, 'an absolute http:// or https:// URL');
    },
    boolean(name: string, fallback: boolean): boolean {
      const v = options[name] ?? fallback;
      return typeof v === 'boolean' ? v : fail(name, 'true or false');
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T | undefined): T | undefined {
      const v = options[name] ?? fallback;
      if (v === undefined || (allowed as readonly unknown[]).includes(v)) return v as T | undefined;
      return fail(name, allowed.map((a) => JSON.stringify(a)).join(' or '));
    },
  };
}

/** Checks the options both strategies share and derives the URLs from `baseURL`. */
export function resolveCommon(owner: string, raw: unknown): ResolvedCommon & { check: ReturnType<typeof optionChecker> } {
  if (typeof raw !== 'object' || raw === null) {
    throw new TypeError(`${owner} requires an options object with clientID, clientSecret and callbackURL.`);
  }
  const options = raw as Record<string, unknown>;
  const check = optionChecker(owner, options);
  const base = check.url('baseURL', DEFAULT_BASE_URL).replace(/\/+$/, '');
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0 || timeout > 2_147_483_647) {
    check.fail('timeout', 'a whole number of milliseconds greater than 0');
  }
  const transport = checkTransportOptions(check, options);
  const idleTimeout = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
  // Whole seconds: strategies with the same value share a pool, so the pools stay few.
  if (typeof idleTimeout !== 'number' || !Number.isInteger(idleTimeout / 1000) || idleTimeout <= 0 || idleTimeout > 600_000) {
    check.fail('idleTimeout', 'a whole number of seconds in milliseconds, from 1000 to 600000', ' The default, 50000, suits most load balancers.');
  }
  const skip = options.skipUserProfile;
  if (skip !== undefined && typeof skip !== 'boolean' && typeof skip !== 'function') {
    check.fail('skipUserProfile', 'true, false or a function');
  }
  return {
    base,
    check,
    clientID: check.string('clientID', ' Find it at https://app.7geese.com/account/applications/.'),
    clientSecret: check.string('clientSecret', ' Find it at https://app.7geese.com/account/applications/.'),
    scope: options.scope === undefined ? [...DEFAULT_SCOPE] : normalizeScope(options.scope, `${owner} option "scope"`),
    tokenURL: check.url('tokenURL', base + PATHS.token),
    revocationURL: check.url('revocationURL', base + PATHS.revocation),
    profileURL: check.url('profileURL', base + PATHS.profile),
    clientAuth: check.oneOf('clientAuth', ['basic', 'body'] as const, 'basic') ?? 'basic',
    timeout: timeout as number,
    idleTimeout: idleTimeout as number,
    preconnect: check.boolean('preconnect', true),
    ...transport,
  };
}

/** Checks `customHeaders`, `agent` and `proxyFromEnv`, for both strategies and the API client. */
export function checkTransportOptions(
  check: ReturnType<typeof optionChecker>,
  options: Record<string, unknown>,
): { customHeaders: Record<string, string>; agent: Agent | false | undefined; proxyFromEnv: boolean } {
  const headers = options.customHeaders ?? {};
  if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string')) {
    check.fail('customHeaders', 'an object whose values are strings');
  }
  // Checked here rather than on the first request: a line break would split the header, and
  // Node would refuse it with a raw ERR_INVALID_CHAR. The value is not shown: it may be a key.
  const unsendable = unsendableHeader(headers as Record<string, string>);
  if (unsendable !== undefined) {
    check.fail(
      'customHeaders',
      'an object of header names (letters, digits and !#$%&\'*+.^_`|~-) and values of visible ASCII characters and spaces, without line breaks',
      HEADER_NAME.test(unsendable) ? ` The value of "${unsendable}" is not.` : ' One of its names is not.',
    );
  }
  const agent = options.agent;
  // Proxy agents (agent-base, undici's are not) extend http.Agent; anything else would fail on the first request.
  if (agent !== undefined && agent !== false && !(agent instanceof Agent)) {
    check.fail('agent', 'an http.Agent or https.Agent (such as a proxy agent from https-proxy-agent), or false');
  }
  return {
    customHeaders: { ...(headers as Record<string, string>) },
    agent: agent as Agent | false | undefined,
    proxyFromEnv: check.boolean('proxyFromEnv', false),
  };
}

/** Checks the `store` option: `true`, this library's sign-in store, or a passport-oauth2 state store. */
export function checkStore(owner: string, store: unknown): SignInStore | OAuth2StateStore | true | undefined {
  if (store === undefined || store === true) return store;
  const s = store as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null || !(isSignInStore(s) || (typeof s.store === 'function' && typeof s.verify === 'function'))) {
    throw new TypeError(`${owner} option "store" must be true, a sign-in store (save and take, such as CookieStateStore) or a passport-oauth2 state store (store and verify), got ${typeof store}.`);
  }
  return s as unknown as SignInStore | OAuth2StateStore;
}
