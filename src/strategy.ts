// The named export, not the default: a default import of passport-oauth2 (`export =`) in our
// declarations would fail to compile in apps without esModuleInterop.
import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import type { StateStore } from 'passport-oauth2';
import { SevenGeeseAuthorizationError, SevenGeeseError, SevenGeeseTokenError } from './errors.js';
import { SIGN_IN_FAILURES, failure } from './failures.js';
import { resolveCallbackURL, type StrategyRequest } from './host-request.js';
import type { SevenGeeseOAuth2 } from './oauth2-client.js';
import { PATHS, checkStore, type CommonOptions } from './options.js';
import type { Profile } from './profile.js';
import { serializeScope, type Scope } from './scope.js';
import { trackSignIn } from './diagnostics.js';
import { SignInCore, type ProfileDone } from './sign-in-core.js';
import type { Transport } from './transport/transport.js';
import type { SignInStore } from './pending-sign-in.js';
import { SessionStateStore } from './state-store.js';
import { StoreAdapter, isSignInStore } from './store-adapter.js';
import type { RefreshOptions, RevokeOptions, TokenSet } from './token-lifecycle.js';
import type {
  ProfileVerifyFunction,
  ProfileVerifyFunctionWithRequest,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
} from './verify.js';

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
   * Use PKCE (S256) against authorization-code interception. Needs `state`.
   * @default true
   * @see https://www.rfc-editor.org/rfc/rfc7636
   */
  pkce?: boolean | undefined;
  /**
   * `'auto'` skips 7Geese's consent page when the user already approved these scopes;
   * `'force'` always shows it. Unset leaves 7Geese's default (`force`).
   */
  approvalPrompt?: 'auto' | 'force' | undefined;
  /** Trust `X-Forwarded-*` headers when resolving a relative `callbackURL`. @default false */
  proxy?: boolean | undefined;
  /**
   * Where pending sign-ins are kept. The default keeps them in the session; `CookieStateStore`
   * keeps them in sealed cookies, for several instances without a shared session store.
   */
  store?: SignInStore | StateStore | undefined;
  /** The session key of the default state store. @default '7geese:' + the authorization host */
  sessionKey?: string | undefined;
  /** Pass the request to the verify callback as its first argument. @default false */
  passReqToCallback?: boolean | undefined;
}

/** Options of {@link Strategy} with `passReqToCallback: true`. */
export interface StrategyOptionsWithRequest extends StrategyOptions {
  passReqToCallback: true;
}

const OWNER = '7Geese Strategy';

/** The failure message of a denied consent. @deprecated Compare `info.code` with `'access_denied'`. */
export const DENIED_MESSAGE = SIGN_IN_FAILURES.access_denied;

/** Query parameters that 7Geese sends as single strings; anything else is not its answer. */
const CALLBACK_PARAMS = ['code', 'state', 'error', 'error_description', 'error_uri'] as const;

/**
 * "Sign in with 7Geese": passport-oauth2's authorization-code flow with state and PKCE on,
 * 7Geese's endpoints and scopes, a transport with deadlines and 7Geese's own error codes, and
 * the signed-in user's profile normalised for Passport.
 *
 * @example
 * passport.use(new Strategy({
 *   clientID: process.env.SEVENGEESE_CLIENT_ID,
 *   clientSecret: process.env.SEVENGEESE_CLIENT_SECRET,
 *   callbackURL: 'https://app.example.com/auth/7geese/callback',
 *   scope: ['userprofile:read', 'objective:read'],
 * }, async (accessToken, refreshToken, profile) => findOrCreateUser(profile)));
 */
export class Strategy extends OAuth2Strategy {
  override name = '7geese';
  // Plain private properties, not #fields: passport runs authenticate() on Object.create(strategy),
  // an object that inherits these properties but could not read #fields.
  /**
   * @internal The client that talks to 7Geese, in place of node-oauth's: passport-oauth2 calls
   * it by this name. Left out of the published types, where passport-oauth2's own type stands.
   */
  declare _oauth2: SevenGeeseOAuth2 & OAuth2Strategy['_oauth2'];
  private readonly _core: SignInCore;
  private readonly _adapter: StoreAdapter | undefined;
  private readonly _approvalPrompt: 'auto' | 'force' | undefined;
  private readonly _callbackURL: string;
  private readonly _trustProxy: boolean;
  /** The `scope` option as sent to 7Geese, serialised once. */
  private readonly _scopeParam: string;

  constructor(options: StrategyOptionsWithRequest, verify: ProfileVerifyFunctionWithRequest);
  constructor(options: StrategyOptionsWithRequest, verify: VerifyFunctionWithRequest);
  constructor(options: StrategyOptions & { passReqToCallback?: false | undefined }, verify: ProfileVerifyFunction);
  constructor(options: StrategyOptions & { passReqToCallback?: false | undefined }, verify: VerifyFunction);
  /** For options built at run time, where `passReqToCallback` is not known to TypeScript. */
  constructor(options: StrategyOptions, verify: VerifyFunction | VerifyFunctionWithRequest);
  constructor(options: StrategyOptions, verify: VerifyFunction | VerifyFunctionWithRequest) {
    const core = new SignInCore(OWNER, options, verify, (check, base) => check.url('authorizationURL', base + PATHS.authorization));
    const { check, settings, client } = core;
    const callbackURL = check.string('callbackURL', ' Use the redirect URI registered with your 7Geese application.');
    const state = check.boolean('state', true);
    const pkce = check.boolean('pkce', true);
    if (pkce && !state) check.fail('state', 'true when "pkce" is on (PKCE keeps its verifier with the state)');
    const sessionKey = options.sessionKey ?? `7geese:${new URL(client._authorizeUrl).host}`;
    const given = checkStore(OWNER, options.store);
    const ours = given ? (isSignInStore(given) ? given : undefined) : state ? new SessionStateStore({ key: sessionKey }) : undefined;
    const adapter = ours ? new StoreAdapter(ours) : undefined;
    // A passport-oauth2 store is used as it is, and does not keep per-request scopes.
    const store = adapter ? adapter.asStateStore() : (given as StateStore | undefined);
    const scopeParam = serializeScope(settings.scope);
    const approvalPrompt = check.oneOf('approvalPrompt', ['auto', 'force'] as const, undefined);
    const trustProxy = check.boolean('proxy', false);
    // passport-oauth2 calls a skipUserProfile function without the token unless it takes a
    // callback: given in that form, it gets the token and may be async, as in PasswordStrategy.
    const skipUserProfile = core.skipsByFunction
      ? (accessToken: string, cb: (err: Error | null, skip?: boolean) => void) => void core.shouldSkipProfile(accessToken).then((skip) => cb(null, skip), cb)
      : options.skipUserProfile === true;

    super(
      {
        clientID: settings.clientID,
        clientSecret: settings.clientSecret,
        callbackURL,
        authorizationURL: client._authorizeUrl,
        tokenURL: settings.tokenURL,
        scope: scopeParam,
        pkce,
        state,
        ...(store ? { store } : {}),
        passReqToCallback: true,
        skipUserProfile: skipUserProfile as boolean,
      },
      (req: StrategyRequest, _accessToken: string, _refreshToken: string | undefined, raw: Record<string, unknown>, profile: Profile | undefined, done: VerifyDone) => {
        core.verify(req, raw, adapter?.scopesOf(req) ?? settings.scope, profile, done);
      },
    );
    this._core = core;
    this._adapter = adapter;
    this._approvalPrompt = approvalPrompt;
    this._callbackURL = callbackURL;
    this._trustProxy = trustProxy;
    this._scopeParam = scopeParam;
    this._oauth2 = client as Strategy['_oauth2'];
  }

  /**
   * Starts sign-in or finishes it. Checks a per-request `scope` as strictly as the option, and
   * refuses a callback whose parameters are not single strings before anything reaches
   * 7Geese or the session.
   */
  override authenticate(req: StrategyRequest, options: Record<string, unknown> = {}): void {
    SignInCore.boundMessages(req);
    const query = (req.query ?? {}) as Record<string, unknown>;
    trackSignIn(this, this.name, query.code !== undefined || query.error !== undefined ? 'callback' : 'authorize');
    for (const name of CALLBACK_PARAMS) {
      if (query[name] !== undefined && typeof query[name] !== 'string') {
        return this.fail({ code: 'malformed_callback', message: `The answer from 7Geese was malformed: "${name}" must appear once. Please sign in again.` }, 400);
      }
    }
    if (query.error !== undefined) return this._authorizationError(req, query);
    let scopes: readonly Scope[];
    try {
      scopes = this._core.scopesFor(options, this.name);
    } catch (err) {
      return this.error(err as Error);
    }
    const ownScopes = scopes !== this._core.settings.scope;
    // Only scopes other than the option's are kept with the pending sign-in, to keep it small.
    if (query.code === undefined) this._adapter?.starting(req, ownScopes ? scopes : undefined);
    let callbackURL: string;
    try {
      // Resolved here rather than by passport-oauth2, which reads `req.connection`: Fastify's
      // and Koa's requests have none.
      callbackURL = resolveCallbackURL(req, typeof options.callbackURL === 'string' ? options.callbackURL : this._callbackURL, this._trustProxy);
    } catch (err) {
      return this.error(err as Error);
    }
    // passport regenerates the session at login; keeping its data keeps the other pending
    // sign-ins (a second tab) alive. The session id still changes, so fixation stays defeated.
    if (options.keepSessionInfo === undefined) options.keepSessionInfo = true;
    const scope = ownScopes ? serializeScope(scopes) : this._scopeParam;
    if (query.code === undefined) this.transport.preconnect(this._core.settings.tokenURL); // Issue 20: connect ahead while the person is on the consent page.
    super.authenticate(req as Parameters<OAuth2Strategy['authenticate']>[0], { ...options, callbackURL, scope });
  }

  /**
   * 7Geese sent the user back with an error. The state is checked (and spent) first, so that a
   * forged error on the callback URL is a state failure rather than a server error.
   */
  private _authorizationError(req: StrategyRequest, query: Record<string, unknown>): void {
    const code = String(query.error);
    const description = typeof query.error_description === 'string' ? query.error_description : undefined;
    const settle = (err: Error | null, ok?: unknown, info?: unknown): void => {
      if (err) return this.error(err);
      if (code === 'access_denied') return this.fail(failure('access_denied'), 403);
      if (!ok) return this.fail((info as object | undefined) ?? failure('state_mismatch'), 403);
      this.error(new SevenGeeseAuthorizationError(code, description));
    };
    const store = (this as unknown as { _stateStore: { verify: (...args: unknown[]) => void } })._stateStore;
    const meta = {
      authorizationURL: this._oauth2._authorizeUrl,
      tokenURL: this._oauth2._accessTokenUrl,
      clientID: this._oauth2._clientId,
      callbackURL: this._callbackURL,
    };
    try {
      if (store.verify.length >= 4) store.verify(req, query.state, meta, settle);
      else store.verify(req, query.state, settle);
    } catch (err) {
      this.error(err as Error);
    }
  }

  /** Adds the approval prompt, when configured, to the authorize request. Override to add more. */
  override authorizationParams(options: Record<string, unknown>): object {
    const prompt = options.approvalPrompt ?? this._approvalPrompt;
    return prompt ? { approval_prompt: prompt } : {};
  }

  /**
   * Loads the signed-in user from `profileURL` with the token in the `Authorization` header.
   * Override to load more, calling `super.userProfile` first.
   */
  override userProfile(accessToken: string, done: ProfileDone): void {
    this._core.userProfile(accessToken, done);
  }

  /** Our errors already say what went wrong; passport-oauth2 would wrap them and lose the code. */
  _createOAuthError(message: string, err: unknown): Error {
    if (err instanceof SevenGeeseError || err instanceof SevenGeeseTokenError) return err;
    return new SevenGeeseError(`${message}.`, 'invalid_response', { endpoint: this._core.settings.tokenURL, cause: err });
  }

  /**
   * Exchanges a refresh token for new tokens. 7Geese rotates refresh tokens: store the new one.
   * Concurrent calls with the same refresh token share one request.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   */
  refresh(refreshToken: string, options?: RefreshOptions): Promise<TokenSet> {
    return this._core.refresh(refreshToken, options);
  }

  /**
   * Revokes an access or refresh token at 7Geese (revoking a refresh token also ends its
   * access token).
   *
   * @see https://www.rfc-editor.org/rfc/rfc7009
   */
  revoke(token: string, options?: RevokeOptions): Promise<void> {
    return this._core.revoke(token, options);
  }

  /** Where 7Geese lives, for {@link SevenGeeseClient}. */
  get baseURL(): string {
    return this._core.settings.base;
  }

  /** The deadline of every request, for {@link SevenGeeseClient}. */
  get timeout(): number {
    return this._core.settings.timeout;
  }

  /** @internal How requests reach 7Geese (headers, agent), for {@link SevenGeeseClient}. */
  get transport(): Transport {
    return this._core.client.transport;
  }
}
