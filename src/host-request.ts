import type { IncomingHttpHeaders } from 'node:http';

/**
 * The request as a Passport host hands it to a strategy: Express's `req`, Fastify's `request`
 * or koa-passport's `req`. All have `headers` and `url`; not all have `connection` (which
 * passport-oauth2 reads) or `res`. Annotate `req` with your host's own type in a verify function.
 */
export interface StrategyRequest {
  /** The request's headers (`Host`, `X-Forwarded-*`, `Cookie`). */
  headers: IncomingHttpHeaders;
  /** The HTTP method. */
  method?: string | undefined;
  /** The request's URL, path and query. */
  url?: string | undefined;
  /** The parsed query string: `code`, `state` and `error` on the callback. */
  query?: unknown;
  /** The parsed body: the email and password of `PasswordStrategy`. */
  body?: unknown;
  /** The session, where the default store keeps pending sign-ins. */
  session?: unknown;
}

/** What the functions below read of a request, on any host. */
interface HostRequest {
  headers: Record<string, string | string[] | undefined>;
  url?: string | undefined;
  originalUrl?: string | undefined;
  protocol?: unknown;
  socket?: object | undefined;
  /** The Express app, whose `trust proxy` setting passport-oauth2 honours. */
  app?: { get?: (setting: string) => unknown } | undefined;
  /** Node's older name of `socket`, which passport-oauth2 reads. */
  connection?: object | undefined;
  raw?: object | undefined;
}

// A Host header is a name or an IP literal, and an optional port: nothing that could end the
// authority and start a path, a user or a second host.
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function firstValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const comma = text.indexOf(',');
  return (comma === -1 ? text : text.slice(0, comma)).trim() || undefined;
}

function protocolOf(req: HostRequest, trustProxy: boolean): 'http' | 'https' {
  if (trustProxy) {
    const forwarded = firstValue(req.headers['x-forwarded-proto'])?.toLowerCase();
    if (forwarded === 'https' || forwarded === 'http') return forwarded;
  }
  // Each host's own `protocol` already honours its trust-proxy setting.
  if (req.protocol === 'https' || req.protocol === 'http') return req.protocol;
  const socket = (req.socket ?? req.connection ?? (req.raw as { socket?: object } | undefined)?.socket) as { encrypted?: unknown } | undefined;
  return socket?.encrypted ? 'https' : 'http';
}

/**
 * Resolves a relative `callbackURL` against the request, as passport-oauth2 does, on any host.
 * An absolute one is returned as it is.
 */
export function resolveCallbackURL(req: HostRequest, callbackURL: string, proxy: boolean): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(callbackURL)) return callbackURL;
  // As passport-oauth2 does: an Express app's own `trust proxy` setting trusts the headers too.
  const trustProxy = proxy || Boolean(req.app?.get?.('trust proxy'));
  const host = (trustProxy ? firstValue(req.headers['x-forwarded-host']) : undefined) ?? firstValue(req.headers.host);
  if (host === undefined || host.length > 255 || !HOST.test(host)) {
    throw new Error(
      'The 7Geese Strategy cannot resolve its relative callbackURL: the request has no valid Host header. ' +
        'Set callbackURL to the absolute redirect URI registered with your 7Geese application.',
    );
  }
  const origin = `${protocolOf(req, trustProxy)}://${host}`;
  const path = req.originalUrl ?? req.url ?? '/';
  return new URL(callbackURL, `${origin}${path.startsWith('/') ? path : '/'}`).href;
}

const FASTIFY_REPLY = Symbol.for('passport-7geese.fastify-reply');

interface CookieTargets {
  [FASTIFY_REPLY]?: { header?: (name: string, value: string) => unknown } | undefined;
  res?: { append?: (name: string, value: string) => unknown; appendHeader?: (name: string, value: string) => unknown };
  ctx?: { append?: (name: string, value: string) => unknown };
  raw?: unknown;
}

/**
 * A Fastify `onRequest` hook that lets a strategy's state store set cookies through Fastify's
 * reply: `@fastify/passport` gives strategies the request only, and a header set on the raw
 * response would be overwritten by the reply's own `Set-Cookie`.
 */
export function fastifyHook(request: object, reply: object, done: () => void): void {
  (request as CookieTargets)[FASTIFY_REPLY] = reply;
  done();
}

/** Adds a `Set-Cookie` header to the response of `req`, on Express, Fastify, Koa or node:http. */
export function appendSetCookie(req: object, cookie: string, owner: string): void {
  const host = req as CookieTargets;
  const reply = host[FASTIFY_REPLY];
  // Fastify appends to an existing Set-Cookie rather than replacing it.
  if (typeof reply?.header === 'function') return void reply.header('set-cookie', cookie);
  if (typeof host.res?.append === 'function') return void host.res.append('Set-Cookie', cookie);
  // koa-passport's `req.res` is a stand-in whose setHeader replaces; Koa's context appends.
  if (typeof host.ctx?.append === 'function') return void host.ctx.append('Set-Cookie', cookie);
  if (typeof host.res?.appendHeader === 'function') return void host.res.appendHeader('Set-Cookie', cookie);
  if (host.raw !== undefined) {
    throw new Error(`${owner} needs one line under Fastify to set its cookies: fastify.addHook('onRequest', CookieStateStore.fastifyHook).`);
  }
  throw new Error(`${owner} cannot set its cookie: the request has no response to add a Set-Cookie header to (Express, Fastify, Koa and node:http are supported).`);
}

/** Whether the request came over HTTPS, as the host sees it. */
export function isSecure(req: object): boolean {
  const r = req as { secure?: unknown; protocol?: unknown };
  return typeof r.secure === 'boolean' ? r.secure : r.protocol === 'https';
}
