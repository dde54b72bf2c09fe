import { failure } from './failures.js';
import type { StrategyRequest } from './host-request.js';
import type { Profile } from './profile.js';
import { missingScopes } from './scope.js';
import { tokenSet, type TokenSet } from './token-store.js';

/**
 * The token response as the verify callback sees it: 7Geese's JSON, the granted scopes as a
 * list, when the access token expires, which requested scopes were not granted, and the tokens
 * as a token store keeps them.
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
  /**
   * This sign-in's tokens as plain data, ready for a token store.
   * @example await store.save(String(profile.id), params.tokens);
   */
  tokens: TokenSet;
  [field: string]: unknown;
}

/** Passport's `done`: an error, or the user (or `false` with a message to fail). */
export type VerifyDone = (err: Error | null | undefined, user?: Express.User | false, info?: object) => void;

// Each form is a method type, so that TypeScript checks `req` bivariantly: a verify function
// may annotate it as `express.Request`, `FastifyRequest` or a Koa request. Each answers through
// `done` or with a promise of the user (`false` or `null` to refuse).

/**
 * The verify callback, in one of passport-oauth2's two forms, chosen at run time by the
 * number of parameters the function declares:
 *
 * - `VerifyFunction` (or `VerifyFunction<'profile'>`): `(accessToken, refreshToken, profile, done)`,
 *   answering through `done` or a returned promise. TypeScript types an unannotated function from it.
 * - `VerifyFunction<'params'>`: five declared parameters, `(accessToken, refreshToken, params, profile, done)`.
 *   Declare all five, `done` too: with four, the profile comes third. The strategies' constructors
 *   refuse to compile a four-parameter function whose third parameter is `VerifyParams`.
 *
 * @typeParam Form `'profile'`, `'params'`, or both.
 */
export type VerifyFunction<Form extends 'profile' | 'params' = 'profile'> = {
  /** The profile form. */
  profile(accessToken: string, refreshToken: string | undefined, profile: Profile, done: VerifyDone): void | PromiseLike<Express.User | false | null | undefined>;
  /** The params form: five declared parameters. */
  params(accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone): void | PromiseLike<Express.User | false | null | undefined>;
}[Form];

/**
 * {@link VerifyFunction} with `req` first, under `passReqToCallback: true`: the params form
 * declares six parameters.
 *
 * @typeParam Form `'profile'`, `'params'`, or both.
 */
export type VerifyFunctionWithRequest<Form extends 'profile' | 'params' = 'profile'> = {
  /** The profile form with `req` first. */
  profile(req: StrategyRequest, accessToken: string, refreshToken: string | undefined, profile: Profile, done: VerifyDone): void | PromiseLike<Express.User | false | null | undefined>;
  /** The params form with `req` first: six declared parameters. */
  params(req: StrategyRequest, accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone): void | PromiseLike<Express.User | false | null | undefined>;
}[Form];

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
    if (result !== undefined) return once(null, result as Express.User);
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
export function verifyParams(raw: Record<string, unknown>, requested: readonly string[], accessToken: string, refreshToken: string | undefined): VerifyParams {
  const granted = typeof raw.scope === 'string' && Array.isArray(raw.scopes) ? (raw.scopes as string[]) : [...requested];
  // Completed in place rather than copied: `raw` is the token response parsed for this sign-in
  // alone, and the verify function is the only one that sees it after this.
  const params = raw as VerifyParams;
  params.scopes = granted;
  params.requestedScopes = [...requested];
  params.missingScopes = missingScopes(requested, granted);
  // The tokens the token call answered, as verify gets them; `raw` may be a stub's.
  params.tokens = tokenSet(accessToken, refreshToken, raw.expiresAt, granted);
  return params;
}
