import type { TokenSet, VerifyParams } from 'passport-7geese';

/** What the session keeps about the signed-in person: enough for the pages, nothing secret. */
export interface SignedInUser {
  id: string;
  name: string;
  email: string | undefined;
  username: string | undefined;
  photo: string | undefined;
  via: '7geese' | 'password';
}

/** The person's 7Geese tokens, kept server-side in the session, never sent to the browser. */
export interface TokenInfo {
  accessToken: string;
  refreshToken: string | undefined;
  scopes: string[];
  expiresAt: string | undefined;
}

export function tokensFromParams(params: VerifyParams): TokenInfo {
  return {
    accessToken: params.access_token,
    refreshToken: typeof params.refresh_token === 'string' ? params.refresh_token : undefined,
    scopes: params.scopes,
    expiresAt: params.expiresAt?.toISOString(),
  };
}

export function tokensFromSet(tokens: TokenSet): TokenInfo {
  return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, scopes: tokens.scopes, expiresAt: tokens.expiresAt?.toISOString() };
}

declare module 'express-session' {
  interface SessionData {
    tokens: TokenInfo;
  }
}

/** The signed-in person of a request, or undefined. */
export function userOf(req: { user?: unknown }): SignedInUser | undefined {
  return req.user as SignedInUser | undefined;
}
