import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/** The session's CSRF token, made on first use; forms that change state carry it. */
export function csrfToken(req: Request): string {
  req.session.csrf ??= randomBytes(24).toString('base64url');
  return req.session.csrf;
}

/**
 * True when a state-changing POST comes from this site: the form's token matches the session's,
 * and the browser's Origin, when it sends one, is this site's.
 */
export function sameSiteRequest(req: Request): boolean {
  const origin = req.get('origin');
  if (origin !== undefined && origin !== `${req.protocol}://${req.get('host')}`) return false;
  const sent: unknown = (req.body as Record<string, unknown> | undefined)?._csrf;
  const expected = req.session.csrf;
  if (typeof sent !== 'string' || expected === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
