// The named exports, not the default: a default import of passport-oauth2 (`export =`) in our
// declarations would fail to compile in apps without esModuleInterop.
import { InternalOAuthError, Strategy as OAuth2Strategy } from 'passport-oauth2';
import { SevenGeeseError, SevenGeeseResponseError, endpointOf } from './errors.js';
import type { StrategyRequest } from './host-request.js';
import { refreshTokens, SevenGeeseOAuth2, type TokenParams } from './oauth2-client.js';
import { PATHS, resolveCommon, type CommonOptions, type ResolvedCommon } from './options.js';
import { parseProfile, type Profile } from './profile.js';
import { normalizeScope, type Scope, type ScopeInput } from './scope.js';
import type { TokenSet } from './token-store.js';
import type { Transport } from './transport/transport.js';
import { callVerify, verifyParams, type AnyVerify, type VerifyDone, type VerifyFunction, type VerifyFunctionWithRequest } from './verify.js';

/** How many `failureMessage` messages a session keeps, the newest last. */
const MAX_MESSAGES = 5;

/** What a strategy was built with, checked once. */
interface Flow {
  settings: ResolvedCommon;
  check: ReturnType<typeof resolveCommon>['check'];
  verify: AnyVerify;
  withRequest: boolean;
  skip: CommonOptions['skipUserProfile'];
}

/** Resolves what both strategies share, before passport-oauth2's constructor runs. */
function resolveFlow(owner: string, options: CommonOptions & { passReqToCallback?: boolean | undefined }, verify: unknown): Flow {
  const { check, ...settings } = resolveCommon(owner, options);
  if (typeof verify !== 'function') throw new TypeError(`${owner} requires a verify function as its second argument.`);
  return { settings, check, verify: verify as AnyVerify, withRequest: check.boolean('passReqToCallback', false), skip: options.skipUserProfile };
}

/**
 * Keeps `req.session.messages` to its last few entries. Passport's `failureMessage: true`
 * pushes one there on every failure and never removes any, so a script of failed sign-ins
 * would otherwise grow one session without bound.
 */
export function boundMessages(req: { session?: unknown }): void {
  const messages = (req.session as { messages?: unknown } | undefined)?.messages;
  if (Array.isArray(messages) && messages.length >= MAX_MESSAGES) messages.splice(0, messages.length - (MAX_MESSAGES - 1));
}

/**
 * What `Strategy` and `PasswordStrategy` share, written once so that they cannot drift: the
 * options, the one client that talks to 7Geese (`_oauth2`), the profile, `skipUserProfile`,
 * calling the verify function and settling the sign-in, refresh and revocation. It extends
 * passport-oauth2's `Strategy` and keeps its override points (`userProfile`,
 * `_loadUserProfile`, `tokenParams`, `parseErrorResponse`); apps use the two strategies, not
 * this class.
 *
 * @typeParam O The strategy's options.
 * @typeParam V The verify function's own type, inferred: it lets TypeScript refuse a params-form
 * function that does not declare `done`, which passport-oauth2's arity rule would call with the
 * profile in place of `params`.
 */
export abstract class SignInStrategy<
  O extends CommonOptions & { passReqToCallback?: boolean | undefined } = CommonOptions,
  V extends (...args: never[]) => unknown = VerifyFunction,
> extends OAuth2Strategy {
  // Plain properties, not #fields: passport runs authenticate() on Object.create(strategy),
  // an object that inherits these properties but could not read #fields.
  /**
   * @internal The client that talks to 7Geese, with node-oauth's interface: replace or stub it
   * as in any passport-oauth2 strategy. Left out of the published types, where
   * passport-oauth2's own declaration stands.
   */
  declare _oauth2: SevenGeeseOAuth2 & OAuth2Strategy['_oauth2'];
  /** @internal */
  readonly _flow: Flow;

  /** The class's name in option errors, such as `'7Geese Strategy'`. */
  protected static readonly owner: string = '7Geese strategy';

  constructor(options: O & { passReqToCallback: true }, verify: VerifyFunctionWithRequest);
  constructor(options: O & { passReqToCallback: true }, verify: V & VerifyFunctionWithRequest<'params'> & (Parameters<V>['length'] extends 6 ? unknown : { 'declare all six parameters, done too: with five, verify gets (req, accessToken, refreshToken, profile, done)': never }));
  constructor(options: O & { passReqToCallback?: false | undefined }, verify: VerifyFunction);
  /** For options built at run time, where `passReqToCallback` is not known to TypeScript. */
  constructor(
    options: O,
    verify: VerifyFunction | VerifyFunctionWithRequest | (V & VerifyFunction<'params'> & (Parameters<V>['length'] extends 5 ? unknown : { 'declare all five parameters, done too: with four, verify gets (accessToken, refreshToken, profile, done)': never })) | (V & VerifyFunctionWithRequest<'params'> & (Parameters<V>['length'] extends 6 ? unknown : { 'declare all six parameters, done too: with five, verify gets (req, accessToken, refreshToken, profile, done)': never })),
  );
  constructor(options: O & { passReqToCallback?: false | undefined }, verify: V & VerifyFunction<'params'> & (Parameters<V>['length'] extends 5 ? unknown : { 'declare all five parameters, done too: with four, verify gets (accessToken, refreshToken, profile, done)': never }));
  constructor(options: O, verify: unknown) {
    const flow = resolveFlow((new.target as unknown as typeof SignInStrategy).owner, options, verify);
    const { settings } = flow;
    // Only Strategy has the option; the password strategy never sends anyone there.
    const authorizeURL = flow.check.url('authorizationURL', settings.base + PATHS.authorization);
    // passport-oauth2's constructor only records these: the flow that reads them is ours.
    super({ clientID: settings.clientID, clientSecret: settings.clientSecret, authorizationURL: authorizeURL, tokenURL: settings.tokenURL }, flow.verify);
    this._flow = flow;
    this._oauth2 = new SevenGeeseOAuth2(settings.clientID, settings.clientSecret, settings.base, authorizeURL, settings.tokenURL, settings.customHeaders, settings) as SignInStrategy['_oauth2'];
    this._setUp(options);
  }

  /** @internal Checks and keeps a strategy's own options, once the shared ones are resolved. */
  protected abstract _setUp(options: O): void;

  /** The scopes of one sign-in: the `scope` passed to `passport.authenticate`, else the option. */
  protected _scopesFor(options: Record<string, unknown>): readonly Scope[] {
    if (options.scope === undefined) return this._flow.settings.scope;
    return normalizeScope(options.scope, `passport.authenticate("${this.name}") option "scope"`);
  }

  /**
   * Loads the signed-in user from `profileURL` through `this._oauth2.get`, with the token in the
   * `Authorization` header, and normalises it. Override to load more, calling
   * `super.userProfile` first.
   */
  override userProfile(accessToken: string, done: (err?: Error | null, profile?: Profile) => void): void {
    const url = this._flow.settings.profileURL;
    this._oauth2.get(url, accessToken, (err: unknown, body?: string | Buffer) => {
      if (err) return done(err instanceof Error ? err : new InternalOAuthError('Failed to fetch the 7Geese profile', err));
      let profile: Profile;
      try {
        const text = String(body);
        profile = parseProfile(parseBody(text, url), text, endpointOf(url));
      } catch (failure) {
        return done(failure as Error);
      }
      done(null, profile);
    });
  }

  /**
   * passport-oauth2's step between the token and verify: the profile, unless `skipUserProfile`
   * (a boolean, `(accessToken)` answering a value or a promise, or `(accessToken, done)`) says
   * to skip it, in which case verify gets `undefined`.
   */
  _loadUserProfile(accessToken: string, done: (err?: Error | null, profile?: Profile) => void): void {
    const skip = this._flow.skip;
    const then = (err: unknown, skipped?: unknown): void => {
      if (err) return done(err instanceof Error ? err : new Error(String(err)));
      if (skipped) return done(null);
      this.userProfile(accessToken, done);
    };
    if (typeof skip !== 'function') return then(null, skip === true);
    if (skip.length > 1) return void (skip as (token: string, cb: (err: unknown, skip?: boolean) => void) => void)(accessToken, then);
    let answer: unknown;
    try {
      answer = skip(accessToken);
    } catch (err) {
      return then(err);
    }
    if (typeof (answer as PromiseLike<unknown> | undefined)?.then !== 'function') return then(null, answer);
    (answer as PromiseLike<unknown>).then(
      (skipped) => then(null, skipped),
      (err: unknown) => then(err ?? new Error('skipUserProfile rejected')),
    );
  }

  /**
   * The error of a failed token request, as passport-oauth2 makes it: this library's own
   * errors as they are; node-oauth's `{ statusCode, data }` through `parseErrorResponse`;
   * anything else wrapped in `InternalOAuthError`.
   */
  protected _tokenError(err: unknown): Error {
    if (err instanceof SevenGeeseError) return err;
    const { statusCode, data } = (err ?? {}) as { statusCode?: unknown; data?: unknown };
    if (statusCode && data) {
      try {
        const parsed = this.parseErrorResponse(data, statusCode as number);
        if (parsed) return parsed;
      } catch {
        // Not an OAuth error body: wrapped below, as passport-oauth2 does.
      }
    }
    return new InternalOAuthError('Failed to obtain access token', err);
  }

  /**
   * @internal The end both strategies share once 7Geese answered with tokens: the profile, the
   * verify function, and `success` (with the app's state in `info.state`) or `fail`.
   */
  protected _finish(
    req: StrategyRequest,
    accessToken: string,
    refreshToken: string | undefined,
    raw: TokenParams | undefined,
    scopes: readonly string[],
    appState: unknown,
  ): void {
    this._loadUserProfile(accessToken, (err, profile) => {
      if (err) return this.error(err);
      const params = verifyParams((raw ?? { access_token: accessToken }) as Record<string, unknown>, scopes, accessToken, refreshToken);
      const done: VerifyDone = (failure, user, info) => {
        if (failure) return this.error(failure);
        if (!user) return this.fail(info);
        this.success(user, appState === undefined ? info : { ...info, state: appState });
      };
      callVerify(this._flow.verify, this._flow.withRequest, { req, accessToken, refreshToken, params, profile }, done);
    });
  }

  /**
   * Exchanges a refresh token for new tokens, through `_oauth2.getOAuthAccessToken`.
   * 7Geese rotates refresh tokens: store the new one. Concurrent calls with the same refresh
   * token share one request.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   */
  refresh(
    refreshToken: string,
    options?: {
      /** Ask for fewer scopes than the original grant; 7Geese refuses more (`invalid_scope`). */
      scope?: ScopeInput | undefined;
    },
  ): Promise<TokenSet> {
    return refreshTokens(this._oauth2, refreshToken, options);
  }

  /**
   * Revokes an access or refresh token at 7Geese. To sign someone out for good, revoke the
   * refresh token: that ends the grant, its access tokens with it.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7009
   */
  revoke(
    token: string,
    options?: {
      /** Which kind of token it is; saves 7Geese a lookup (RFC 7009 section 2.1). */
      hint?: 'access_token' | 'refresh_token' | undefined;
    },
  ): Promise<void> {
    if (typeof this._oauth2.revoke !== 'function') {
      return Promise.reject(new TypeError(`revoke() needs this library's client as strategy._oauth2; the one there has no revoke().`));
    }
    return this._oauth2.revoke(token, options);
  }

  /** Where 7Geese lives, for {@link SevenGeeseClient}. */
  get baseURL(): string {
    return this._flow.settings.base;
  }

  /** The deadline of every request, for {@link SevenGeeseClient}. */
  get timeout(): number {
    return this._flow.settings.timeout;
  }

  /** @internal How requests reach 7Geese (headers, agent), for {@link SevenGeeseClient}. */
  get transport(): Transport | undefined {
    return (this._oauth2 as Partial<SevenGeeseOAuth2>).transport;
  }
}

/**
 * The profile's JSON. Our client has already checked it; a stubbed `get` may answer anything,
 * and a `SyntaxError` would quote the text, so the failure keeps none of it.
 */
function parseBody(text: string, url: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const endpoint = endpointOf(url);
    throw new SevenGeeseResponseError(`7Geese's profile from ${endpoint} is not JSON. Check that the "profileURL" option points at the endpoint for the signed-in user.`, 'invalid_profile', { endpoint });
  }
}
