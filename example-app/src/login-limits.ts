import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface LoginLimitSettings {
  /** Failed attempts allowed for one account (its email, normalised) in a window. @default 10 */
  perAccount?: number | undefined;
  /** Failed attempts allowed from one client address in a window. @default 100 */
  perAddress?: number | undefined;
  /** The window, in seconds; a limited account or address waits until its window ends. @default 900 */
  windowSeconds?: number | undefined;
  /**
   * A connected node-redis client (the one the sessions use), so that every instance counts the
   * same attempts. In memory when unset: each instance then counts on its own.
   */
  redis?: unknown;
}

/** The same account however the email is typed: `Ada@Example.com ` is `ada@example.com`. */
function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/**
 * Limits password guessing on the sign-in form, with rate-limiter-flexible: per account, so that
 * guesses spread over many addresses stop, and per client address, so that one address cannot try
 * account after account. Every attempt is counted before 7Geese is asked (so concurrent guesses
 * cannot slip past the limit); a successful sign-in gives its point back and clears the account.
 *
 * Anyone can use up an account's attempts and lock its owner out of the password form for a
 * window; "Sign in with 7Geese" keeps working, and the lock ends by itself.
 */
export class LoginLimits {
  readonly #account: RateLimiterAbstract;
  readonly #address: RateLimiterAbstract;

  constructor(settings: LoginLimitSettings = {}) {
    const duration = settings.windowSeconds ?? 900;
    const limiter = (keyPrefix: string, points: number): RateLimiterAbstract => {
      if (!settings.redis) return new RateLimiterMemory({ keyPrefix, points, duration });
      return new RateLimiterRedis({
        storeClient: settings.redis,
        useRedisPackage: true,
        keyPrefix: `p7g-example:${keyPrefix}`,
        points,
        duration,
        // Redis unreachable: keep limiting in this process rather than let guesses through.
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
      });
    };
    this.#account = limiter('login-account', settings.perAccount ?? 10);
    this.#address = limiter('login-address', settings.perAddress ?? 100);
  }

  /**
   * Counts an attempt. Resolves with `undefined` when it may go ahead, or with the seconds to wait
   * (for `Retry-After`) when the address or the account has used up its attempts.
   */
  async attempt(email: string | undefined, address: string): Promise<number | undefined> {
    try {
      await this.#address.consume(address);
      if (email) await this.#account.consume(accountKey(email));
      return undefined;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw err;
    }
  }

  /** A successful sign-in: the address gets its point back, and the account starts afresh. */
  async succeeded(email: string | undefined, address: string): Promise<void> {
    await this.#address.reward(address, 1);
    if (email) await this.#account.delete(accountKey(email));
  }
}

// Keys in Redis name no email address.
function accountKey(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('base64url');
}
