import { SevenGeeseOAuth2, type TokenParams } from './oauth2-client.js';
import { normalizeScope, serializeScope, type ScopeInput } from './scope.js';

/** Tokens after a refresh (or a password sign-in). Store the new refresh token: 7Geese rotates them. */
export interface TokenSet {
  /** The new access token. */
  accessToken: string;
  /** The new refresh token; the one used to get it no longer works. */
  refreshToken: string | undefined;
  /** The scopes 7Geese granted. */
  scopes: string[];
  /** When the access token expires; undefined when 7Geese did not say. */
  expiresAt: Date | undefined;
  /** 7Geese's token response as it came. */
  raw: TokenParams;
}

/** Options of `Strategy.refresh` and `PasswordStrategy.refresh`. */
export interface RefreshOptions {
  /** Ask for fewer scopes than the original grant; 7Geese refuses more (`invalid_scope`). */
  scope?: ScopeInput | undefined;
}

/** Options of `Strategy.revoke` and `PasswordStrategy.revoke`. */
export interface RevokeOptions {
  /** Which kind of token it is; saves 7Geese a lookup. @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1 */
  hint?: 'access_token' | 'refresh_token' | undefined;
}

/** Reads a token response into a {@link TokenSet}. */
function toTokenSet(params: TokenParams): TokenSet {
  return {
    accessToken: params.access_token,
    refreshToken: typeof params.refresh_token === 'string' ? params.refresh_token : undefined,
    scopes: params.scopes,
    expiresAt: params.expiresAt,
    raw: params,
  };
}

function checkToken(owner: string, token: unknown): string {
  if (typeof token !== 'string' || token === '') {
    throw new TypeError(`${owner} needs the token as a non-empty string, got ${typeof token}.`);
  }
  return token;
}

/** Refresh and revocation, shared by both strategies. */
export class TokenLifecycle {
  readonly #client: SevenGeeseOAuth2;
  readonly #revocationURL: string;

  constructor(client: SevenGeeseOAuth2, revocationURL: string) {
    this.#client = client;
    this.#revocationURL = revocationURL;
  }

  async refresh(refreshToken: string, options: RefreshOptions = {}): Promise<TokenSet> {
    const form: Record<string, string> = {
      grant_type: 'refresh_token',
      refresh_token: checkToken('refresh()', refreshToken),
    };
    if (options.scope !== undefined) form.scope = serializeScope(normalizeScope(options.scope, 'refresh() option "scope"'));
    return toTokenSet(await this.#client.requestToken(form));
  }

  async revoke(token: string, options: RevokeOptions = {}): Promise<void> {
    const form: Record<string, string> = { token: checkToken('revoke()', token) };
    if (options.hint !== undefined) {
      if (options.hint !== 'access_token' && options.hint !== 'refresh_token') {
        throw new TypeError('revoke() option "hint" must be "access_token" or "refresh_token".');
      }
      form.token_type_hint = options.hint;
    }
    await this.#client.revoke(this.#revocationURL, form);
  }
}
