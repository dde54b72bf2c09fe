import { SevenGeeseError } from './errors.js';

/**
 * Getting a valid access token from a token store failed without 7Geese saying why:
 * `refresh_contended` when another process held the refresh lease until the deadline (7Geese or
 * the store is slow; try again), `no_tokens` when the store has no usable tokens for the key
 * (none saved, or an expired access token without a refresh token: sign the person in again).
 * A refused refresh is a `SevenGeeseTokenError` (`invalid_grant`), as from `strategy.refresh()`.
 */
export class SevenGeeseTokenStoreError extends SevenGeeseError {
  /** The class's name, for logs: `'SevenGeeseTokenStoreError'`. */
  override name = 'SevenGeeseTokenStoreError';

  constructor(message: string, code: 'refresh_contended' | 'no_tokens', endpoint: string, cause?: unknown) {
    super(message, code, { endpoint, cause });
  }
}
