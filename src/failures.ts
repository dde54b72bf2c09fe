/**
 * Why a sign-in failed, for the app to tell apart by `info.code` (or, with `failureMessage`, to
 * show the message). Every `fail()` of both strategies and of their state stores carries one.
 */
export const SIGN_IN_FAILURES = {
  /** The person chose not to allow access on 7Geese's consent page. */
  access_denied: 'You did not allow access to your 7Geese account.',
  /** The callback came with no pending sign-in for it: an old link, another browser, cookies lost. */
  state_missing: 'Unable to verify authorization request state.',
  /** The callback's state is not one this browser started, or was used already. */
  state_mismatch: 'Invalid authorization request state.',
  /** The sign-in took longer than the state's lifetime. */
  state_expired: 'Authorization request has expired. Please sign in again.',
  /** This instance is refusing callbacks until spent states expire (see SECURITY.md). */
  state_busy: 'Too many sign-ins are finishing at once. Please sign in again in a few minutes.',
  /** The callback's parameters were not single strings, as 7Geese sends them. */
  malformed_callback: 'The answer from 7Geese was malformed. Please sign in again.',
  /** The password form came without an email or a password. */
  missing_credentials: 'Enter your 7Geese email and password.',
  /** 7Geese did not accept the email and password (`invalid_grant`). */
  invalid_credentials: 'That 7Geese email and password do not match.',
  /** The app's verify function refused the person without a message of its own. */
  rejected_by_app: 'The application did not accept this 7Geese account.',
} as const;

/** What a failed sign-in hands Passport as `info`: a code for the app and a message for people. */
export interface SignInFailure {
  /** What happened, to branch on: a key of {@link SIGN_IN_FAILURES}. */
  code: keyof typeof SIGN_IN_FAILURES;
  /** What happened, for people: see {@link SIGN_IN_FAILURES}. */
  message: string;
}

/** The failure of a code, with its message. */
export function failure(code: SignInFailure['code']): SignInFailure {
  return { code, message: SIGN_IN_FAILURES[code] };
}
