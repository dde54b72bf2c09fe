import { hash } from 'node:crypto';
import { SevenGeeseAuthorizationError } from './errors.js';
import { failure } from './failures.js';
import { resolveCallbackURL, type StrategyRequest } from './host-request.js';
import { trackSignIn } from './diagnostics.js';
import { checkStore, type CommonOptions } from './options.js';
import { randomText, saveState, takeState, type OAuth2StateStore, type PendingSignIn, type SignInStore, type StoreMeta } from './pending-sign-in.js';
import { serializeScope } from './scope.js';
import { SignInStrategy, boundMessages } from './sign-in-flow.js';
import { SessionStateStore } from './state-store.js';
import type { VerifyFunction } from './verify.js';

/** Options of {@link Strategy}. */
export interface StrategyOptions extends CommonOptions {
  /**
   * Where 7Geese sends the user back: an absolute URL registered with the application, or a
   * path resolved against the incoming request. 7Geese requires an exact match.
   */
  callbackURL: string;
  /** @default `${baseURL}/o/authorize/` */
  authorizationURL?: string | undefined;
  /**
   * Send and check `state` against CSRF on the callback. Keep it on.
   * @default true
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
   */
  state?: boolean | undefined;
  /**
   * Use PKCE with S256 against authorization-code interception (`'S256'` is the same as `true`;
   * `'plain'` is refused). Needs `state`.
   * @default true
   * @see https://www.rfc-editor.org/rfc/rfc7636
   */
  pkce?: boolean | 'S256' | undefined;
  /**
   * `'auto'` skips 7Geese's consent page when the user already approved these scopes;
   * `'force'` always shows it. Unset leaves 7Geese's default (`force`).
   */
  approvalPrompt?: 'auto' | 'force' | undefined;
  /** Trust `X-Forwarded-*` headers when resolving a relative `callbackURL`. @default false */
  proxy?: boolean | undefined;
  /**
   * Where pending sign-ins are kept. The default (or `true`) keeps them in the session;
   * `CookieStateStore` keeps them in sealed cookies, for several instances without a shared
   * session store. passport-oauth2's state stores work too.
   */
  store?: SignInStore | OAuth2StateStore | true | undefined;
  /** The session key of the default state store. @default '7geese:' + the authorization host */
  sessionKey?: string | undefined;
  /** Pass the request to the verify callback as its first argument. @default false */
  passReqToCallback?: boolean | undefined;
}

const OWNER = '7Geese Strategy';

/** The parameters of 7Geese's answer on the callback; each, when present, a single string. */
const CALLBACK_PARAMS = ['code', 'state', 'error', 'error_description', 'error_uri'] as const;
type CallbackParams = Partial<Record<(typeof CALLBACK_PARAMS)[number], string>>;

/** How the start leg builds its redirect, and what both legs share; fixed at construction. */
interface Authorize {
  callbackURL: string;
  store: SignInStore | OAuth2StateStore | undefined;
  pkce: boolean;
  approvalPrompt: 'auto' | 'force' | undefined;
  trustProxy: boolean;
  /** The `scope` option as sent to 7Geese, serialised once. */
  scopeParam: string;
  /** The authorization URL without its query, and the query it came with. */
  base: string;
  preset: Array<[string, string]>;
}

/**
 * "Sign in with 7Geese": the authorization-code flow with state and PKCE on, 7Geese's endpoints
 * and scopes, deadlines and 7Geese's own error codes on every call, and the signed-in user's
 * profile normalised for Passport. A passport-oauth2 `Strategy` that runs its own flow on
 * passport-oauth2's contract: its override points, state stores, `_oauth2` client and outcomes.
 *
 * @example
 * passport.use(new Strategy({
 *   clientID: process.env.SEVENGEESE_CLIENT_ID,
 *   clientSecret: process.env.SEVENGEESE_CLIENT_SECRET,
 *   callbackURL: 'https://app.example.com/auth/7geese/callback',
 *   scope: ['userprofile:read', 'objective:read'],
 * }, async (accessToken, refreshToken, profile) => findOrCreateUser(profile)));
 *
 * @typeParam V The verify function's own type, inferred: it lets TypeScript refuse a params-form
 * function that does not declare `done`, which passport-oauth2's arity rule would call with the
 * profile in place of `params`.
 */
export class Strategy<V extends (...args: never[]) => unknown = VerifyFunction> extends SignInStrategy<StrategyOptions, V> {
  override name = '7geese';
  // `declare`: set by _setUp from the base constructor, which a field definition would undo.
  private declare _authorize: Authorize;

  /** @internal */
  protected static override readonly owner = OWNER;

  /** Checks the options of the redirect: the callback URL, state, PKCE, the store and the prompt. */
  protected override _setUp(options: StrategyOptions): void {
    const { check, settings } = this._flow;
    const callbackURL = check.string('callbackURL', ' Use the redirect URI registered with your 7Geese application.');
    const state = check.boolean('state', true);
    if ((options.pkce as unknown) === 'plain') check.fail('pkce', 'true, false or "S256"', ' 7Geese supports S256; "plain" would send the verifier in the clear.');
    const pkce = options.pkce === 'S256' || check.boolean('pkce', true);
    if (pkce && !state) check.fail('state', 'true when "pkce" is on (PKCE keeps its verifier with the state)');
    const authorizeURL = new URL(this._oauth2._authorizeUrl);
    const given = checkStore(OWNER, options.store);
    if (given === true && !state) check.fail('state', 'true when "store" is true (the store keeps the state)');
    const store = typeof given === 'object' ? given : state ? new SessionStateStore({ key: options.sessionKey ?? `7geese:${authorizeURL.host}` }) : undefined;
    const preset = [...authorizeURL.searchParams];
    authorizeURL.search = '';
    authorizeURL.hash = '';
    this._authorize = {
      callbackURL,
      store,
      pkce,
      approvalPrompt: check.oneOf('approvalPrompt', ['auto', 'force'] as const, undefined),
      trustProxy: check.boolean('proxy', false),
      scopeParam: serializeScope(settings.scope),
      base: authorizeURL.href,
      preset,
    };
  }

  /**
   * Starts a sign-in (a redirect to 7Geese) or finishes one (the callback with `code` or
   * `error`, read from the query or the body). The request's query is read once; a callback
   * whose parameters are not single strings is refused before anything reaches 7Geese or the
   * session.
   */
  override authenticate(req: StrategyRequest, options: Record<string, unknown> = {}): void {
    boundMessages(req);
    const params = callbackParams(req);
    trackSignIn(this, this.name, typeof params === 'string' || params.code !== undefined || params.error !== undefined ? 'callback' : 'authorize');
    if (typeof params === 'string') {
      return this.fail({ code: 'malformed_callback', message: `The answer from 7Geese was malformed: "${params}" must appear once. Please sign in again.` }, 400);
    }
    let callbackURL: string;
    try {
      // Resolved here, on any host: Fastify's and Koa's requests have no `req.connection`.
      callbackURL = resolveCallbackURL(req, typeof options.callbackURL === 'string' ? options.callbackURL : this._authorize.callbackURL, this._authorize.trustProxy);
    } catch (err) {
      return this.error(err as Error);
    }
    if (params.error !== undefined) return this._authorizationError(req, params, callbackURL);
    if (params.code !== undefined) return this._callback(req, options, params.code, params.state, callbackURL);
    this._start(req, options, callbackURL);
  }

  /** The redirect to 7Geese's consent page, with state and PKCE kept in the store. */
  private _start(req: StrategyRequest, options: Record<string, unknown>, callbackURL: string): void {
    const a = this._authorize;
    try {
      const scopes = this._scopesFor(options);
      const own = scopes !== this._flow.settings.scope;
      // A copy: an override may hand back an object it keeps.
      const params: Record<string, unknown> = { ...this.authorizationParams(options) };
      params.response_type = 'code';
      params.redirect_uri = callbackURL;
      params.scope = own ? serializeScope(scopes) : a.scopeParam;
      let verifier: string | undefined;
      if (a.pkce) {
        verifier = randomText(32);
        params.code_challenge = hash('sha256', verifier, 'base64url');
        params.code_challenge_method = 'S256';
      }
      const redirect = (err: Error | null, handle?: string): void => {
        if (err) return this.error(err);
        if (handle) params.state = handle;
        let location: string;
        try {
          location = authorizeLocation(a, params, this._oauth2._clientId);
        } catch (failed) {
          return this.error(failed as Error);
        }
        this.redirect(location);
        // While the person is on 7Geese's consent page: the callback's requests then find a
        // connection open and its TLS handshake done (a no-op with an app's agent or a proxy).
        this.transport?.preconnect(this._flow.settings.tokenURL);
      };
      const appState = options.state;
      if (typeof appState === 'string' && appState !== '') {
        // passport-oauth2's rule: a string state is the app's own, sent as it is and kept nowhere.
        if (a.store) {
          throw new TypeError(
            `passport.authenticate("${this.name}") option "state" is a string, which would replace the state this strategy keeps: pass an object (it comes back in info.state), or construct the strategy with state: false and pkce: false to keep state yourself.`,
          );
        }
        params.state = appState;
        return redirect(null);
      }
      if (!a.store) return redirect(null);
      const pending: PendingSignIn = { verifier, appState, scope: own ? scopes : undefined };
      saveState(a.store, req, pending, () => this._meta(callbackURL), redirect);
    } catch (err) {
      this.error(err as Error);
    }
  }

  /** The callback with a code: the state is taken from the store, then the code exchanged. */
  private _callback(req: StrategyRequest, options: Record<string, unknown>, code: string, state: string | undefined, callbackURL: string): void {
    const exchange = (pending: PendingSignIn | undefined): void => {
      try {
        const params: Record<string, unknown> = { ...this.tokenParams(options) };
        params.grant_type = 'authorization_code';
        params.redirect_uri = callbackURL;
        if (pending?.verifier !== undefined) params.code_verifier = pending.verifier;
        const scopes = pending?.scope ?? this._flow.settings.scope;
        this._oauth2.getOAuthAccessToken(code, params, (err, accessToken, refreshToken, raw) => {
          if (err) return this.error(this._tokenError(err));
          if (!accessToken) return this.error(new Error('Failed to obtain access token'));
          this._finish(req, accessToken, refreshToken, raw, scopes, pending?.appState);
        });
      } catch (err) {
        this.error(err as Error);
      }
    };
    this._takeState(req, state, callbackURL, exchange);
  }

  /**
   * 7Geese sent the user back with an error. The state is checked (and spent) first, so that a
   * forged error on the callback URL is a state failure rather than a server error.
   */
  private _authorizationError(req: StrategyRequest, params: CallbackParams, callbackURL: string): void {
    this._takeState(req, params.state, callbackURL, () => {
      if (params.error === 'access_denied') return this.fail(failure('access_denied'), 403);
      this.error(new SevenGeeseAuthorizationError(params.error!, params.error_description));
    });
  }

  /** Takes the pending sign-in of a callback; a state failure is `fail(info, 403)`, as in passport-oauth2. */
  private _takeState(req: StrategyRequest, state: string | undefined, callbackURL: string, then: (pending: PendingSignIn | undefined) => void): void {
    const store = this._authorize.store;
    if (!store) return then(undefined);
    try {
      takeState(store, req, state, () => this._meta(callbackURL), (err, pending, why) => {
        if (err) return this.error(err);
        if (!pending) return this.fail(why ?? failure('state_mismatch'), 403);
        then(pending);
      });
    } catch (err) {
      this.error(err as Error);
    }
  }

  /** What passport-oauth2 hands its state stores. */
  private _meta(callbackURL: string): StoreMeta {
    return { authorizationURL: this._oauth2._authorizeUrl, tokenURL: this._oauth2._accessTokenUrl, clientID: this._oauth2._clientId, callbackURL };
  }

  /** Adds the approval prompt, when configured, to the authorize request. Override to add more. */
  override authorizationParams(options: Record<string, unknown>): object {
    const prompt = options.approvalPrompt ?? this._authorize.approvalPrompt;
    return prompt ? { approval_prompt: prompt } : {};
  }
}

/**
 * The callback's parameters, each from the query or else the body (a `form_post` answer), read
 * from `req.query` once: Express 5 parses the query string again on each read. The name of the
 * first one that is there but is not a single string, which 7Geese never sends.
 */
function callbackParams(req: StrategyRequest): CallbackParams | string {
  const query = req.query as Record<string, unknown> | undefined;
  const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : undefined;
  const params: CallbackParams = {};
  for (const name of CALLBACK_PARAMS) {
    const value = query?.[name] ?? body?.[name];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') return name;
    params[name] = value;
  }
  return params;
}

/**
 * The authorize URL as passport-oauth2 builds it: the URL's own query first, then the
 * parameters in order, `client_id` last, each encoded as `querystring` does.
 */
function authorizeLocation(a: Authorize, params: Record<string, unknown>, clientID: string): string {
  const query: Record<string, unknown> = {};
  for (const [name, value] of a.preset) query[name] = value;
  Object.assign(query, params);
  query.client_id = clientID;
  let search = '';
  for (const name in query) {
    const value = query[name];
    for (const one of Array.isArray(value) ? value : [value]) {
      search += `${search === '' ? '?' : '&'}${encodeURIComponent(name)}=${encodeURIComponent(primitive(one))}`;
    }
  }
  return a.base + search;
}

/** `querystring`'s reading of a value: strings, finite numbers, booleans and bigints; else empty. */
function primitive(value: unknown): string {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return '';
}
