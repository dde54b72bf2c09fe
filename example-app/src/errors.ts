import {
  SevenGeeseAPIError,
  SevenGeeseError,
  SevenGeeseNetworkError,
  SevenGeeseResponseError,
  SevenGeeseTimeoutError,
  SevenGeeseTokenError,
  type SignInFailure,
} from 'passport-7geese';
import type { ErrorView } from './pages.js';

const TRY_SIGN_IN = '/auth/7geese';

/**
 * A failed sign-in (Passport's `fail`), told apart by its `info.code`. `signedIn`: the person
 * was already signed in, so this was a request for more access (a step-up).
 */
export function failureView(info: Partial<SignInFailure> | undefined, signedIn = false): ErrorView {
  switch (info?.code) {
    case 'access_denied':
      if (signedIn) {
        return { status: 403, title: 'Permission not granted', message: 'You did not allow the extra access in 7Geese, so nothing was changed. You are still signed in, and everything else works as before.', retry: '/' };
      }
      return { status: 403, title: 'Sign-in cancelled', message: 'You chose not to sign in with 7Geese, so nothing was shared with this app.', retry: TRY_SIGN_IN };
    case 'state_missing':
    case 'state_mismatch':
    case 'state_expired':
    case 'state_busy':
      return { status: 400, title: 'Sign-in expired', message: 'Your sign-in expired or was started in another window. Please try again.', retry: TRY_SIGN_IN, detail: info.message };
    case 'missing_credentials':
    case 'invalid_credentials':
      return { status: 401, title: 'Sign-in failed', message: info.message ?? 'Sign-in failed.', retry: '/' };
    default:
      return { status: 400, title: 'Sign-in failed', message: 'The sign-in could not be completed. Please try again.', retry: TRY_SIGN_IN };
  }
}

/**
 * A step-up sign-in came back without all the scopes it asked for: 7Geese granted less. Shown
 * instead of going back to a page that would ask again.
 */
export function notGrantedView(missing: readonly string[], retry = '/'): ErrorView {
  return {
    status: 403,
    title: 'Permission not granted',
    message: `7Geese did not give this app the extra access it asked for (${missing.join(', ')}), so nothing was changed. You are still signed in, and everything else works as before.`,
    retry,
  };
}

/** An error (Passport's `error`, or a failed API call): 7Geese is down, slow, or refused us. */
export function errorView(err: unknown, retry = TRY_SIGN_IN): ErrorView {
  if (err instanceof SevenGeeseTimeoutError) {
    return { status: 504, title: '7Geese is slow', message: '7Geese did not answer in time. It may be busy; please try again in a moment.', retry };
  }
  if (err instanceof SevenGeeseNetworkError || err instanceof SevenGeeseResponseError) {
    return { status: 502, title: '7Geese is not answering', message: '7Geese is not answering properly right now. Please try again in a moment.', retry };
  }
  if (err instanceof SevenGeeseTokenError && err.code === 'invalid_grant') {
    return { status: 400, title: 'Sign-in expired', message: 'That sign-in link was already used or has expired. Please sign in again.', retry: TRY_SIGN_IN };
  }
  if (err instanceof SevenGeeseAPIError && err.code === 'insufficient_scope') {
    return { status: 403, title: 'Access not granted', message: 'Your 7Geese sign-in does not include access to this information. Sign in again and approve the access this app asks for.', retry: TRY_SIGN_IN };
  }
  if (err instanceof SevenGeeseAPIError && err.code === 'invalid_token') {
    return { status: 401, title: 'Please sign in again', message: '7Geese no longer accepts your sign-in. Please sign in again.', retry: TRY_SIGN_IN };
  }
  if (err instanceof SevenGeeseError) {
    // The library's message names 7Geese's error code and what to check (never a secret or token).
    return { status: 502, title: '7Geese refused the request', message: '7Geese refused the request. Please try again; if it keeps happening, the app may be misconfigured.', retry, detail: err.message };
  }
  return { status: 500, title: 'Something went wrong', message: 'Something went wrong on our side. Please try again.', retry: '/' };
}
