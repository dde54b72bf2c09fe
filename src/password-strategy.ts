import { TokenError } from 'passport-oauth2';
import { failure } from './failures.js';
import type { StrategyRequest } from './host-request.js';
import type { CommonOptions } from './options.js';
import { serializeScope } from './scope.js';
import { trackSignIn } from './diagnostics.js';
import { SignInStrategy, boundMessages } from './sign-in-flow.js';
import type { VerifyFunction } from './verify.js';

/** Options of {@link PasswordStrategy}. */
export interface PasswordStrategyOptions extends CommonOptions {
  /** The request body field holding the 7Geese email. @default 'email' */
  usernameField?: string | undefined;
  /** The request body field holding the password. @default 'password' */
  passwordField?: string | undefined;
  /** Pass the request to the verify callback as its first argument. @default false */
  passReqToCallback?: boolean | undefined;
}

const OWNER = '7Geese PasswordStrategy';

/**
 * Sign-in with a 7Geese email and password, for applications registered with the grant type
 * "Resource owner password-based": the credentials from the request body are exchanged at
 * 7Geese's token endpoint (`grant_type=password`, through `_oauth2.getOAuthAccessToken`), and
 * the profile is loaded and verified exactly as {@link Strategy} does. Prefer `Strategy` where
 * you can: with it, your app never sees the password.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3
 * @example
 * passport.use(new PasswordStrategy({ clientID, clientSecret },
 *   async (accessToken, refreshToken, profile) => findOrCreateUser(profile)));
 * app.post('/login/password', passport.authenticate('7geese-password', { failureRedirect: '/login' }));
 *
 * @typeParam V The verify function's own type, inferred: it lets TypeScript refuse a params-form
 * function that does not declare `done`, which passport-oauth2's arity rule would call with the
 * profile in place of `params`.
 */
export class PasswordStrategy<V extends (...args: never[]) => unknown = VerifyFunction> extends SignInStrategy<PasswordStrategyOptions, V> {
  override name = '7geese-password';
  // `declare`: set by _setUp from the base constructor, which a field definition would undo.
  private declare _fields: { username: string; password: string };

  /** @internal */
  protected static override readonly owner = OWNER;

  /** Checks the names of the form's fields. */
  protected override _setUp(options: PasswordStrategyOptions): void {
    const { check } = this._flow;
    this._fields = {
      username: options.usernameField === undefined ? 'email' : check.string('usernameField'),
      password: options.passwordField === undefined ? 'password' : check.string('passwordField'),
    };
  }

  /** Reads the credentials, exchanges them at 7Geese, loads the profile and calls verify. */
  override authenticate(req: StrategyRequest, options: Record<string, unknown> = {}): void {
    boundMessages(req);
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
    try {
      const scopes = this._scopesFor(options);
      const params: Record<string, unknown> = { ...this.tokenParams(options) };
      params.grant_type = 'password';
      params.username = username;
      params.password = password;
      params.scope = serializeScope(scopes);
      this._oauth2.getOAuthAccessToken('', params, (err, accessToken, refreshToken, raw) => {
        if (err) {
          const error = this._tokenError(err);
          // The same answer for an unknown email and a wrong password.
          if (error instanceof TokenError && error.code === 'invalid_grant') return this.fail(failure('invalid_credentials'), 401);
          return this.error(error);
        }
        if (!accessToken) return this.error(new Error('Failed to obtain access token'));
        this._finish(req, accessToken, refreshToken, raw, scopes, undefined);
      });
    } catch (err) {
      this.error(err as Error);
    }
  }
}
