import type { Request } from 'express';
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
  /** When the access token expires; undefined when 7Geese did not say. */
  expiresAt: Date | undefined;
  [field: string]: unknown;
}

/** The user an app signs in: whatever its `passport.serializeUser` accepts. */
export type VerifiedUser = Express.User;

/** Passport's `done`: an error, or the user (or `false` with a message to fail). */
export type VerifyDone = (err: Error | null | undefined, user?: VerifiedUser | false, info?: object) => void;

/** What an `async` verify function resolves to: the user, or `false`/`null` to fail. */
export type AsyncVerifyResult = VerifiedUser | false | null | undefined;

/**
 * The common verify callback: the profile, and `done` for callback style or a returned promise
 * for `async` functions. TypeScript types an unannotated arrow function from this one.
 */
export type ProfileVerifyFunction = (
  accessToken: string,
  refreshToken: string | undefined,
  profile: Profile,
  done: VerifyDone,
) => void | Promise<AsyncVerifyResult>;

/** {@link ProfileVerifyFunction} with `req` first, under `passReqToCallback: true`. */
export type ProfileVerifyFunctionWithRequest = (
  req: Request,
  accessToken: string,
  refreshToken: string | undefined,
  profile: Profile,
  done: VerifyDone,
) => void | Promise<AsyncVerifyResult>;

/**
 * Every verify signature without `req`: passport-oauth2's two, and their `async` forms. The
 * forms with `params` need their parameters annotated in TypeScript.
 */
export type VerifyFunction =
  | ProfileVerifyFunction
  | ((accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone) => void)
  | ((accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile) => Promise<AsyncVerifyResult>);

/** Every verify signature with `req` first, under `passReqToCallback: true`. */
export type VerifyFunctionWithRequest =
  | ProfileVerifyFunctionWithRequest
  | ((req: Request, accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone) => void)
  | ((req: Request, accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile) => Promise<AsyncVerifyResult>);

/** Any of the verify signatures, as called at run time. */
export type AnyVerify = (...args: any[]) => unknown;

function isAsyncFunction(fn: AnyVerify): boolean {
  return Object.prototype.toString.call(fn) === '[object AsyncFunction]';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Calls the app's verify function with the arguments its signature asks for and turns every
 * outcome into one call of `done`: a callback, a returned promise, a thrown error or a
 * rejection (never an unhandled rejection).
 *
 * Signatures are told apart as passport-oauth2 does, by the number of parameters. A callback
 * function gets `params` when it declares five (six with `req`); an `async` function, which
 * has no `done`, gets `params` when it declares four (five with `req`).
 */
export function callVerify(
  verify: AnyVerify,
  withRequest: boolean,
  args: { req: Request; accessToken: string; refreshToken: string | undefined; params: VerifyParams; profile: Profile | undefined },
  done: VerifyDone,
): void {
  let settled = false;
  const once: VerifyDone = (err, user, info) => {
    if (settled) return;
    settled = true;
    done(err, user, info);
  };
  const lead = withRequest ? [args.req, args.accessToken, args.refreshToken] : [args.accessToken, args.refreshToken];
  const isAsync = isAsyncFunction(verify);
  const withParams = verify.length >= lead.length + (isAsync ? 2 : 3);
  const rest = withParams ? [args.params, args.profile] : [args.profile];
  let returned: unknown;
  try {
    returned = isAsync ? verify(...lead, ...rest) : verify(...lead, ...rest, once);
  } catch (err) {
    return once(err instanceof Error ? err : new Error(String(err)));
  }
  if (!isThenable(returned)) return;
  returned.then(
    (user) => {
      if (user) return once(null, user as VerifiedUser);
      // A callback-style function that returns a promise answers through done; a falsy result
      // from it means nothing.
      if (!isAsync) return;
      once(null, false, { message: 'The application did not accept this 7Geese account.' });
    },
    (err: unknown) => once(err instanceof Error ? err : new Error(String(err))),
  );
}

/**
 * Builds the verify callback's `params` from a token response and the scopes asked for.
 * RFC 6749 section 5.1: a token response may leave out `scope` when it equals the request.
 */
export function verifyParams(raw: Record<string, unknown>, requested: readonly string[]): VerifyParams {
  const granted = typeof raw.scope === 'string' && Array.isArray(raw.scopes) ? (raw.scopes as string[]) : [...requested];
  return {
    ...(raw as unknown as VerifyParams),
    scopes: granted,
    requestedScopes: [...requested],
    missingScopes: missingScopes(requested, granted),
  };
}
