import type { TokenSet } from 'passport-7geese';

/** What the session keeps about the signed-in person: enough for the pages, nothing secret. */
export interface SignedInUser {
  id: string;
  name: string;
  email: string | undefined;
  username: string | undefined;
  photo: string | undefined;
  via: '7geese' | 'password';
}

/**
 * What the session knows of this sign-in's 7Geese tokens: where they are in the token store, and
 * what they allow. The tokens themselves live in the token store (Redis with `REDIS_URL`, so that
 * every instance refreshes them through one lease), never in the session or the browser.
 */
export interface GrantInfo {
  /** The token store key of this sign-in: random, one per sign-in. */
  key: string;
  scopes: string[];
  expiresAt: string | undefined;
}

export function grantOf(key: string, tokens: TokenSet): GrantInfo {
  return { key, scopes: tokens.scopes, expiresAt: tokens.expiresAt === undefined ? undefined : new Date(tokens.expiresAt).toISOString() };
}

declare module 'express-session' {
  interface SessionData {
    grant: GrantInfo;
  }
}

/** The signed-in person of a request, or undefined. */
export function userOf(req: { user?: unknown }): SignedInUser | undefined {
  return req.user as SignedInUser | undefined;
}
