import { failure } from './failures.js';
import type { StrategyRequest } from './host-request.js';
import type { Profile } from './profile.js';
import { missingScopes } from './scope.js';

/**
 * The token response as the verify callback sees it: 7Geese's JSON, the granted scopes as a
 * list, when the access token expires, and which requested scopes were not granted.
 */
export interface VerifyParams {
  access_token: string;
  refresh_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  /** The scopes 7Geese granted. */
  scopes: string[];
  /** The scopes this sign-in asked for. */
  requestedScopes: string[];
  /** Requested scopes 7Geese did not grant; empty when all were. The app decides what to do. */
  missingScopes: string[];
  /** When the access token expires, at most a year away (a larger `expires_in` is cut to a year); undefined when 7Geese did not say. */
  expiresAt: Date | undefined;
  [field: string]: unknown;
}

/** The user an app signs in: whatever its `passport.serializeUser` accepts. */
export type VerifiedUser = Express.User;

/** Passport's `done`: an error, or the user (or `false` with a message to fail). */
export type VerifyDone = (err: Error | null | undefined, user?: VerifiedUser | false, info?: object) => void;

/** What a promise-returning verify function resolves to: the user, or `false`/`null` to fail. */
export type AsyncVerifyResult = VerifiedUser | false | null | undefined;

// Each is the type of a method, `{ m(…): … }['m']`, so that TypeScript checks `req` bivariantly:
// a verify function may annotate it as `express.Request`, `FastifyRequest` or a Koa request.

/**
 * The profile form: `(accessToken, refreshToken, profile, done)`, answering through `done` or
 * a returned promise. TypeScript types an unannotated arrow function from this one.
 */
export type ProfileVerifyFunction = {
  form(accessToken: string, refreshToken: string | undefined, profile: Profile, done: VerifyDone): void | PromiseLike<AsyncVerifyResult>;
}['form'];

/** {@link ProfileVerifyFunction} with `req` first, under `passReqToCallback: true`. */
export type ProfileVerifyFunctionWithRequest = {
  form(req: StrategyRequest, accessToken: string, refreshToken: string | undefined, profile: Profile, done: VerifyDone): void | PromiseLike<AsyncVerifyResult>;
}['form'];

/** The params form: five declared parameters, `(accessToken, refreshToken, params, profile, done)`. */
export type ParamsVerifyFunction = {
  form(accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone): void | PromiseLike<AsyncVerifyResult>;
}['form'];

/** {@link ParamsVerifyFunction} with `req` first: six declared parameters. */
export type ParamsVerifyFunctionWithRequest = {
  form(req: StrategyRequest, accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone): void | PromiseLike<AsyncVerifyResult>;
}['form'];

/**
 * Every verify form without `req`. As in passport-oauth2, a function that declares five
 * parameters gets `params` before the profile; `done` always comes last.
 */
export type VerifyFunction = ProfileVerifyFunction | ParamsVerifyFunction;

/** Every verify form with `req` first, under `passReqToCallback: true` (six parameters for `params`). */
export type VerifyFunctionWithRequest = ProfileVerifyFunctionWithRequest | ParamsVerifyFunctionWithRequest;

/** Any of the verify signatures, as called at run time. */
export type AnyVerify = (...args: any[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Calls the app's verify function and turns every outcome into one call of `done`.
 *
 * Which arguments it gets follows passport-oauth2's rule exactly, because NestJS's
 * `PassportStrategy` mixin and every passport-oauth2 user rely on it: `params` when the
 * function declares five parameters (six with `req`), the profile form otherwise, and `done`
 * always last, to `async` functions too. The sign-in settles on whichever comes first: `done`,
 * or the returned value (a user, or `false`/`null` to refuse; any thenable, so that `async`
 * code compiled to generators works), or a throw or rejection. A function that declares too few
 * parameters to reach `done` and returns nothing usable is an error rather than a hang.
 */
export function callVerify(
  verify: AnyVerify,
  withRequest: boolean,
  args: { req: unknown; accessToken: string; refreshToken: string | undefined; params: VerifyParams; profile: Profile | undefined },
  done: VerifyDone,
): void {
  let settled = false;
  const once: VerifyDone = (err, user, info) => {
    if (settled) return;
    settled = true;
    if (err || user) return done(err, user, info);
    // NestJS's mixin answers `done(null, null)` when validate() returns null; a refusal without
    // a message gets ours, the same in both strategies.
    done(null, false, info ?? failure('rejected_by_app'));
  };
  const lead = withRequest ? [args.req, args.accessToken, args.refreshToken] : [args.accessToken, args.refreshToken];
  const rest = verify.length === lead.length + 3 ? [args.params, args.profile] : [args.profile];
  // Zero declared parameters means rest parameters (`(...args)`, as NestJS's mixin passes when
  // it is not told the arity): such a function may reach `done`.
  const reachesDone = verify.length === 0 || verify.length > lead.length + rest.length;
  const settleWith = (result: unknown): void => {
    if (result === false || result === null) return once(null, false);
    if (result !== undefined) return once(null, result as VerifiedUser);
    if (reachesDone) return;
    once(
      new TypeError(
        `The 7Geese verify function returned ${result} and does not take \`done\` (it declares ${verify.length} parameters): ` +
          'return the user (or false to refuse), or declare `done` as its last parameter and call it.',
      ),
    );
  };
  let returned: unknown;
  try {
    returned = verify(...lead, ...rest, once);
  } catch (err) {
    return once(asError(err));
  }
  if (isThenable(returned)) {
    returned.then(settleWith, (err: unknown) => once(asError(err)));
  } else if (!reachesDone) {
    // A plain function that cannot call done: its return value is its answer.
    settleWith(returned);
  }
}

/**
 * Builds the verify callback's `params` from a token response and the scopes asked for.
 * RFC 6749 section 5.1: a token response may leave out `scope` when it equals the request.
 */
export function verifyParams(raw: Record<string, unknown>, requested: readonly string[]): VerifyParams {
  const granted = typeof raw.scope === 'string' && Array.isArray(raw.scopes) ? (raw.scopes as string[]) : [...requested];
  // Completed in place rather than copied: `raw` is the token response parsed for this sign-in
  // alone, and the verify function is the only one that sees it after this.
  const params = raw as VerifyParams;
  params.scopes = granted;
  params.requestedScopes = [...requested];
  params.missingScopes = missingScopes(requested, granted);
  return params;
}
