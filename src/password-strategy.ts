import { Strategy as PassportStrategy } from 'passport-strategy';
import { SevenGeeseTokenError } from './errors.js';
import { SIGN_IN_FAILURES, failure } from './failures.js';
import type { StrategyRequest } from './host-request.js';
import type { CommonOptions } from './options.js';
import type { Profile } from './profile.js';
import { serializeScope, type Scope } from './scope.js';
import { trackSignIn } from './diagnostics.js';
import { SignInCore, type ProfileDone } from './sign-in-core.js';
import type { Transport } from './transport/transport.js';
import type { RefreshOptions, RevokeOptions, TokenSet } from './token-lifecycle.js';
import type {
  ProfileVerifyFunction,
  ProfileVerifyFunctionWithRequest,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
} from './verify.js';

/** Options of {@link PasswordStrategy}. */
export interface PasswordStrategyOptions extends CommonOptions {
  /** The request body field holding the 7Geese email. @default 'email' */
  usernameField?: string | undefined;
  /** The request body field holding the password. @default 'password' */
  passwordField?: string | undefined;
  /** Pass the request to the verify callback as its first argument. @default false */
  passReqToCallback?: boolean | undefined;
}

/** Options of {@link PasswordStrategy} with `passReqToCallback: true`. */
export interface PasswordStrategyOptionsWithRequest extends PasswordStrategyOptions {
  passReqToCallback: true;
}

const OWNER = '7Geese PasswordStrategy';

/**
 * What the sign-in form is told; the same for an unknown email and a wrong password.
 * @deprecated Compare `info.code` with `'missing_credentials'` or `'invalid_credentials'`.
 */
export const PASSWORD_MESSAGES = {
  missing: SIGN_IN_FAILURES.missing_credentials,
  rejected: SIGN_IN_FAILURES.invalid_credentials,
} as const;

/**
 * Sign-in with a 7Geese email and password, for applications registered with the grant type
 * "Resource owner password-based": the credentials from the request body are exchanged at
 * 7Geese's token endpoint (`grant_type=password`, client authenticated with HTTP Basic), and the
 * profile is loaded and verified exactly as {@link Strategy} does. Prefer `Strategy` where you
 * can: with it, your app never sees the password.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3
 * @example
 * passport.use(new PasswordStrategy({ clientID, clientSecret },
 *   async (accessToken, refreshToken, profile) => findOrCreateUser(profile)));
 * app.post('/login/password', passport.authenticate('7geese-password', { failureRedirect: '/login' }));
 */
export class PasswordStrategy extends PassportStrategy {
  name = '7geese-password';
  // Plain private properties, not #fields: passport runs authenticate() on Object.create(strategy),
  // an object that inherits these properties but could not read #fields.
  private readonly _core: SignInCore;
  private readonly _fields: { username: string; password: string };

  constructor(options: PasswordStrategyOptionsWithRequest, verify: ProfileVerifyFunctionWithRequest);
  constructor(options: PasswordStrategyOptionsWithRequest, verify: VerifyFunctionWithRequest);
  constructor(options: PasswordStrategyOptions & { passReqToCallback?: false | undefined }, verify: ProfileVerifyFunction);
  constructor(options: PasswordStrategyOptions & { passReqToCallback?: false | undefined }, verify: VerifyFunction);
  /** For options built at run time, where `passReqToCallback` is not known to TypeScript. */
  constructor(options: PasswordStrategyOptions, verify: VerifyFunction | VerifyFunctionWithRequest);
  constructor(options: PasswordStrategyOptions, verify: VerifyFunction | VerifyFunctionWithRequest) {
    super();
    this._core = new SignInCore(OWNER, options, verify);
    const { check } = this._core;
    this._fields = {
      username: options.usernameField === undefined ? 'email' : check.string('usernameField'),
      password: options.passwordField === undefined ? 'password' : check.string('passwordField'),
    };
  }

  /** Reads the credentials, exchanges them at 7Geese, loads the profile and calls verify. */
  override authenticate(req: StrategyRequest, options: Record<string, unknown> = {}): void {
    SignInCore.boundMessages(req);
    trackSignIn(this, this.name, 'password');
    const body: unknown = req.body;
    const field = (name: string): string | undefined => {
      if (typeof body !== 'object' || body === null || !Object.hasOwn(body, name)) return undefined;
      const value = (body as Record<string, unknown>)[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const username = field(this._fields.username)?.trim();
    const password = field(this._fields.password);
    if (!username || password === undefined) return this.fail(failure('missing_credentials'), 400);
    let scopes: readonly Scope[];
    try {
      scopes = this._core.scopesFor(options, this.name);
    } catch (err) {
      return this.error(err as Error);
    }
    this._signIn(req, username, password, scopes).catch((err: unknown) => {
      if (err instanceof SevenGeeseTokenError && err.code === 'invalid_grant') {
        return this.fail(failure('invalid_credentials'), 401);
      }
      this.error(err as Error);
    });
  }

  private async _signIn(req: StrategyRequest, username: string, password: string, scopes: readonly Scope[]): Promise<void> {
    const raw = await this._core.client.requestToken({ grant_type: 'password', username, password, scope: serializeScope(scopes) });
    const profile = (await this._core.shouldSkipProfile(raw.access_token))
      ? undefined
      : await new Promise<Profile | undefined>((resolve, reject) => this.userProfile(raw.access_token, (err, p) => (err ? reject(err) : resolve(p))));
    const done: VerifyDone = (err, user, info) => {
      if (err) return this.error(err);
      if (!user) return this.fail(info, 401);
      this.success(user, info);
    };
    this._core.verify(req, raw, scopes, profile, done);
  }

  /**
   * Loads the signed-in user from `profileURL`, as {@link Strategy.userProfile} does. Override
   * to load more, calling `super.userProfile` first.
   */
  userProfile(accessToken: string, done: ProfileDone): void {
    this._core.userProfile(accessToken, done);
  }

  /** Exchanges a refresh token for new tokens; see {@link Strategy.refresh}. */
  refresh(refreshToken: string, options?: RefreshOptions): Promise<TokenSet> {
    return this._core.refresh(refreshToken, options);
  }

  /** Revokes an access or refresh token at 7Geese; see {@link Strategy.revoke}. */
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
