import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

const COOKIE = 'csrf';

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * CSRF tokens that need no server-side session (a signed double-submit token), so that a page
 * with a form does not make a session for an anonymous visitor. The browser keeps a random nonce
 * in an HttpOnly cookie; the form carries HMAC(secret, nonce), which another site can neither
 * read nor compute. For a signed-in person the token is also bound to the session id, so it
 * changes at sign-in as the session id does.
 */
export class Csrf {
  readonly #secret: string;

  constructor(secret: string) {
    this.#secret = secret;
  }

  /** The token for this request's forms; sets the nonce cookie the first time. Call it only for a page with a form. */
  token(req: Request, res: Response): string {
    let nonce = cookieValue(req, COOKIE);
    if (!nonce || !/^[\w-]{32}$/.test(nonce)) {
      nonce = randomBytes(24).toString('base64url');
      res.cookie(COOKIE, nonce, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
    }
    return this.#sign(req, nonce);
  }

  /**
   * True when a state-changing POST comes from this site: the form's token matches the nonce
   * cookie (and the session, when signed in), and the browser's Origin, when it sends one, is this
   * site's.
   */
  verify(req: Request): boolean {
    const origin = req.get('origin');
    if (origin !== undefined && origin !== `${req.protocol}://${req.get('host')}`) return false;
    const sent: unknown = (req.body as Record<string, unknown> | undefined)?._csrf;
    const nonce = cookieValue(req, COOKIE);
    if (typeof sent !== 'string' || nonce === undefined) return false;
    const a = Buffer.from(sent);
    const b = Buffer.from(this.#sign(req, nonce));
    return a.length === b.length && timingSafeEqual(a, b);
  }

  #sign(req: Request, nonce: string): string {
    const session = req.user ? req.sessionID : '';
    return createHmac('sha256', this.#secret).update(`csrf\0${nonce}\0${session}`).digest('base64url');
  }
}
