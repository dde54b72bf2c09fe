import type { StrategyOptions } from 'passport-7geese';

/** The 7Geese application's settings, from the environment. */
export function sevenGeeseOptions(callbackPath: string): StrategyOptions {
  return {
    clientID: process.env.SEVENGEESE_CLIENT_ID ?? '',
    clientSecret: process.env.SEVENGEESE_CLIENT_SECRET ?? '',
    // Relative: resolved against the request's host, so it follows whatever host serves the app.
    callbackURL: callbackPath,
    baseURL: process.env.SEVENGEESE_BASE_URL,
    scope: ['userprofile:read'],
  };
}
