import { SevenGeeseOAuth2 } from './oauth2-client.js';
import { resolveCommon, type CommonOptions, type ResolvedCommon } from './options.js';
import { loadProfile, type Profile } from './profile.js';
import { normalizeScope, type Scope } from './scope.js';
import { TokenLifecycle, type RefreshOptions, type RevokeOptions, type TokenSet } from './token-lifecycle.js';
import { callVerify, verifyParams, type AnyVerify, type VerifyDone } from './verify.js';

/** How many `failureMessage` messages a session keeps, the newest last. */
const MAX_MESSAGES = 5;

/** A Passport `done` for a profile, as `userProfile` answers. */
export type ProfileDone = (err?: Error | null, profile?: Profile) => void;

/**
 * What `Strategy` and `PasswordStrategy` share, written once so they cannot drift: the options,
 * the client that talks to 7Geese, per-request scopes, `skipUserProfile`, loading the profile,
 * calling the verify function, refresh and revocation.
 */
export class SignInCore {
  readonly settings: ResolvedCommon;
  readonly client: SevenGeeseOAuth2;
  readonly check: ReturnType<typeof resolveCommon>['check'];
  readonly #tokens: TokenLifecycle;
  readonly #verify: AnyVerify;
  readonly #withRequest: boolean;
  readonly #skip: CommonOptions['skipUserProfile'];

  /**
   * Checks the options shared by both strategies. `authorizationURL` reads that option, which
   * only `Strategy` has, once `baseURL` is known.
   */
  constructor(
    owner: string,
    options: CommonOptions & { passReqToCallback?: boolean | undefined },
    verify: unknown,
    authorizationURL: (check: SignInCore['check'], base: string) => string = () => '',
  ) {
    const { check, ...settings } = resolveCommon(owner, options);
    if (typeof verify !== 'function') {
      throw new TypeError(`${owner} requires a verify function as its second argument.`);
    }
    this.check = check;
    this.settings = settings;
    this.#verify = verify as AnyVerify;
    this.#withRequest = check.boolean('passReqToCallback', false);
    this.#skip = options.skipUserProfile;
    this.client = new SevenGeeseOAuth2(settings.clientID, settings.clientSecret, settings.base, authorizationURL(check, settings.base), settings.tokenURL, settings.customHeaders, settings);
    this.#tokens = new TokenLifecycle(this.client, settings.revocationURL);
  }

  /**
   * Keeps `req.session.messages` to its last few entries. Passport's `failureMessage: true`
   * pushes one there on every failure and never removes any, so a script of failed sign-ins
   * would otherwise grow one session without bound.
   */
  static boundMessages(req: { session?: unknown }): void {
    const session = req.session as { messages?: unknown } | undefined;
    const messages = session?.messages;
    if (Array.isArray(messages) && messages.length >= MAX_MESSAGES) messages.splice(0, messages.length - (MAX_MESSAGES - 1));
  }

  /** The scopes of one sign-in: the `scope` passed to `passport.authenticate`, else the option. */
  scopesFor(options: Record<string, unknown>, strategyName: string): readonly Scope[] {
    if (options.scope === undefined) return this.settings.scope;
    return normalizeScope(options.scope, `passport.authenticate("${strategyName}") option "scope"`);
  }

  /** Whether to skip the profile: the option, or its function called with the access token. */
  async shouldSkipProfile(accessToken: string): Promise<boolean> {
    const skip = this.#skip;
    return typeof skip === 'function' ? Boolean(await skip(accessToken)) : skip === true;
  }

  /** Whether the option is a function, which passport-oauth2 must be given in its async form. */
  get skipsByFunction(): boolean {
    return typeof this.#skip === 'function';
  }

  /** The default `userProfile` of both strategies. */
  userProfile(accessToken: string, done: ProfileDone): void {
    loadProfile(this.client, this.settings.profileURL, accessToken).then(
      (profile) => done(null, profile),
      (err: Error) => done(err),
    );
  }

  /** Calls the app's verify function with the token response of a sign-in and its profile. */
  verify(req: unknown, raw: Record<string, unknown>, scopes: readonly string[], profile: Profile | undefined, done: VerifyDone): void {
    const accessToken = raw.access_token as string;
    const refreshToken = typeof raw.refresh_token === 'string' ? raw.refresh_token : undefined;
    callVerify(this.#verify, this.#withRequest, { req, accessToken, refreshToken, params: verifyParams(raw, scopes), profile }, done);
  }

  refresh(refreshToken: string, options?: RefreshOptions): Promise<TokenSet> {
    return this.#tokens.refresh(refreshToken, options);
  }

  revoke(token: string, options?: RevokeOptions): Promise<void> {
    return this.#tokens.revoke(token, options);
  }
}
