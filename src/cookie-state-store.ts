import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { appendSetCookie, fastifyHook, isSecure, type StrategyRequest } from './host-request.js';
import { failure, type SignInFailure } from './failures.js';
import { PENDING_LIFETIME, newHandle, slotOf, takeSlot, type PendingSignIn, type PendingSlot, type SignInStore } from './pending-sign-in.js';
import { SpentStates } from './spent-states.js';

/** Options of {@link CookieStateStore}. */
export interface CookieStateStoreOptions {
  /**
   * The secret the cookies are sealed with: at least 32 characters, the same on every instance.
   * An array rotates keys: new cookies are sealed with the first, any of them opens one.
   */
  secret: string | readonly string[];
  /** The prefix of the cookies' names. @default '7geese_oauth' */
  cookieName?: string | undefined;
  /** Mark the cookies Secure. @default true when the request came over HTTPS */
  secure?: boolean | undefined;
  /** @default '/' */
  path?: string | undefined;
  /** How long a started sign-in may take, in milliseconds. @default 600000 (10 minutes) */
  lifetime?: number | undefined;
  /** How many sign-ins may be pending at once in one browser; the oldest is dropped. @default 4 */
  maxPending?: number | undefined;
}

/** What a cookie seals: a pending sign-in's slot, its expiry `x` in epoch milliseconds. */
type Sealed = PendingSlot;

const VERSION = 1;
const MAX_APP_STATE = 1024;
const OWNER = 'CookieStateStore';

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Keeps each pending sign-in (its state, PKCE verifier and the app's `state` object) in a cookie
 * of its own, sealed with AES-256-GCM under a key derived from a shared secret, so that any
 * instance of an app can finish a sign-in that another started, with no shared session store.
 * Cookies expire after 10 minutes and are cleared when used; a tampered, expired, replayed or
 * foreign cookie is refused.
 *
 * A replayed cookie is refused by the instance that accepted it (it remembers used states until
 * they expire); across instances, 7Geese itself refuses the second use of the authorization code.
 *
 * @example
 * app.use(cookieSession({ name: 'session', keys: [process.env.SESSION_KEY] }));
 * passport.use(new Strategy({ ...options, store: new CookieStateStore({ secret: process.env.STATE_SECRET }) }, verify));
 */
export class CookieStateStore implements SignInStore {
  /**
   * Under Fastify (`@fastify/passport`), register this once so the store can set its cookies:
   * `fastify.addHook('onRequest', CookieStateStore.fastifyHook)`. Express and Koa need nothing.
   */
  static readonly fastifyHook: (request: object, reply: object, done: () => void) => void = fastifyHook;

  private readonly keys: Buffer[];
  private readonly prefix: string;
  private readonly secure: boolean | undefined;
  private readonly path: string;
  private readonly lifetime: number;
  private readonly maxPending: number;
  /** Spent handles until their cookie expires: bounded by lifetime, never forgotten early. */
  private readonly used = new SpentStates();

  constructor(options: CookieStateStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`${OWNER} requires an options object with a secret.`);
    const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
    if (!Array.isArray(secrets) || secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length < 32)) {
      throw new TypeError(`${OWNER} option "secret" must be a string of at least 32 characters (or an array of them), the same on every instance.`);
    }
    const name = options.cookieName ?? '7geese_oauth';
    if (typeof name !== 'string' || !/^[\w.-]{1,40}$/.test(name)) {
      throw new TypeError(`${OWNER} option "cookieName" must be 1 to 40 letters, digits, ".", "_" or "-".`);
    }
    if (options.secure !== undefined && typeof options.secure !== 'boolean') throw new TypeError(`${OWNER} option "secure" must be true or false.`);
    const path = options.path ?? '/';
    if (typeof path !== 'string' || !path.startsWith('/') || /[;\s]/.test(path)) throw new TypeError(`${OWNER} option "path" must be a path starting with "/".`);
    const lifetime = options.lifetime ?? PENDING_LIFETIME;
    if (!Number.isInteger(lifetime) || lifetime <= 0) throw new TypeError(`${OWNER} option "lifetime" must be a whole number of milliseconds greater than 0.`);
    const maxPending = options.maxPending ?? 4;
    if (!Number.isInteger(maxPending) || maxPending < 1 || maxPending > 20) throw new TypeError(`${OWNER} option "maxPending" must be a whole number from 1 to 20.`);
    this.keys = secrets.map((s) => Buffer.from(hkdfSync('sha256', s, 'passport-7geese', 'cookie-state-store v1', 32)));
    this.prefix = name;
    this.secure = options.secure;
    this.path = path;
    this.lifetime = lifetime;
    this.maxPending = maxPending;
  }

  /** Seals a new pending sign-in into a cookie of its own. */
  save(req: StrategyRequest, pending: PendingSignIn, callback: (err: Error | null, handle?: string) => void): void {
    if (pending.appState !== undefined && JSON.stringify(pending.appState).length > MAX_APP_STATE) {
      return callback(new Error(`${OWNER}: the state object passed to passport.authenticate is over ${MAX_APP_STATE} bytes as JSON; keep it small (such as a returnTo path).`));
    }
    const handle = newHandle();
    // The sealed expiry and the cookie's Max-Age both come from this store's lifetime alone.
    const payload = slotOf(handle, pending, Date.now() + this.lifetime);
    const name = this.cookieFor(handle);
    try {
      this.dropOldest(req);
      this.setCookie(req, name, this.seal(name, payload), Math.ceil(this.lifetime / 1000));
    } catch (err) {
      return callback(err as Error);
    }
    callback(null, handle);
  }

  /** Opens the cookie of a handle, once, and clears it. */
  take(req: StrategyRequest, provided: unknown, callback: (err: Error | null, pending: PendingSignIn | false, why?: SignInFailure) => void): void {
    if (typeof provided !== 'string' || provided === '' || provided.length > 100) {
      return callback(null, false, failure('state_missing'));
    }
    const name = this.cookieFor(provided);
    const value = parseCookies(req.headers.cookie).get(name);
    if (value === undefined) return callback(null, false, failure('state_missing'));
    try {
      this.setCookie(req, name, '', 0);
    } catch (err) {
      return callback(err as Error, false);
    }
    const payload = this.open(name, value);
    if (!payload || payload.h !== provided) return callback(null, false, failure('state_mismatch'));
    takeSlot(payload, payload.x, this.used, callback);
  }

  private cookieFor(handle: string): string {
    return `${this.prefix}.${createHash('sha256').update(handle).digest('base64url').slice(0, 16)}`;
  }

  private seal(name: string, payload: Sealed): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv);
    // The cookie's name is authenticated too, so a value cannot be moved to another cookie.
    cipher.setAAD(Buffer.from(name));
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  private open(name: string, value: string): Sealed | undefined {
    const raw = Buffer.from(value, 'base64url');
    if (raw.length < 1 + 12 + 16 + 2 || raw[0] !== VERSION) return undefined;
    const iv = raw.subarray(1, 13);
    const tag = raw.subarray(raw.length - 16);
    const body = raw.subarray(13, raw.length - 16);
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(Buffer.from(name));
        decipher.setAuthTag(tag);
        const payload = JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')) as Sealed;
        if (typeof payload?.h === 'string' && typeof payload.x === 'number') return payload;
      } catch {
        // Not sealed with this key: try the next one.
      }
    }
    return undefined;
  }

  /** Makes room for a new pending sign-in by clearing unreadable and then the oldest cookies. */
  private dropOldest(req: StrategyRequest): void {
    const mine = [...parseCookies(req.headers.cookie)].filter(([name]) => name.startsWith(`${this.prefix}.`));
    const ages = mine.map(([name, value]) => ({ name, x: this.open(name, value)?.x ?? 0 })).sort((a, b) => a.x - b.x);
    for (const { name } of ages.slice(0, Math.max(0, ages.length - this.maxPending + 1))) this.setCookie(req, name, '', 0);
  }

  private setCookie(req: StrategyRequest, name: string, value: string, maxAge: number): void {
    const secure = this.secure ?? isSecure(req);
    // SameSite=Lax: the redirect back from 7Geese is a top-level GET, which Lax lets through.
    appendSetCookie(req, `${name}=${value}; Path=${this.path}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`, OWNER);
  }
}
