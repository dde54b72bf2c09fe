import { PasswordStrategy, Strategy, type Profile, type VerifyDone, type VerifyParams } from 'passport-7geese';
import type { SignedInUser } from './session-data.js';

export interface StrategySettings {
  clientID: string;
  clientSecret: string;
  callbackURL: string;
  baseURL?: string | undefined;
  /** The API endpoint for the signed-in user; the library's default when unset. */
  profileURL?: string | undefined;
  /** A 7Geese application registered for the password grant, when there is one. */
  password?: { clientID: string; clientSecret: string } | undefined;
  timeout?: number | undefined;
  /** The scopes to ask for; {@link DEFAULT_SCOPE} when unset. */
  scope?: string | undefined;
}

/** The scopes the app asks for by default: the profile, and objectives for the /objectives page. */
export const DEFAULT_SCOPE = 'userprofile:read objective:read';

function toUser(profile: Profile, via: SignedInUser['via']): SignedInUser {
  return {
    id: profile.id,
    name: profile.displayName,
    email: profile.emails[0]?.value,
    username: profile.username,
    photo: profile.photos[0]?.value,
    via,
  };
}

/**
 * The two ways in: "Sign in with 7Geese" (authorization code) and, when configured, email and
 * password. Both hand the tokens to the route through `info`, which keeps them in the token store.
 */
export function createStrategies(s: StrategySettings): { signIn: Strategy; password: PasswordStrategy | undefined } {
  const common = {
    scope: s.scope ?? DEFAULT_SCOPE,
    ...(s.baseURL ? { baseURL: s.baseURL } : {}),
    ...(s.profileURL ? { profileURL: s.profileURL } : {}),
    ...(s.timeout ? { timeout: s.timeout } : {}),
  };
  const signIn = new Strategy(
    { ...common, clientID: s.clientID, clientSecret: s.clientSecret, callbackURL: s.callbackURL },
    (_accessToken: string, _refreshToken: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone) =>
      done(null, toUser(profile, '7geese'), { tokens: params.tokens, missingScopes: params.missingScopes }),
  );
  const password = s.password
    ? new PasswordStrategy(
        { ...common, clientID: s.password.clientID, clientSecret: s.password.clientSecret },
        (_accessToken: string, _refreshToken: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone) =>
          done(null, toUser(profile, 'password'), { tokens: params.tokens }),
      )
    : undefined;
  return { signIn, password };
}
