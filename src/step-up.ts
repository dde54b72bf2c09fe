import { SevenGeeseError } from './errors.js';
import { PENDING_LIFETIME } from './pending-sign-in.js';
import { isScope, missingScopes, normalizeScope, type Scope, type ScopeInput } from './scope.js';

/** What {@link requireScopes} reads from a request; Express's `Request` has all of it. */
export interface StepUpRequest {
  /** The HTTP method: only GET and HEAD come back to the same URL. */
  method?: string | undefined;
  /** Express's URL of the request, where a GET returns. */
  originalUrl?: string | undefined;
  /** The URL of the request, when the host has no `originalUrl`. */
  url?: string | undefined;
  /** The parsed body, hidden from passport-oauth2 while the step-up starts. */
  body?: unknown;
  /** express-session's (or cookie-session's) session: where the loop guard keeps its note. */
  session?: object | undefined;
  /** express-session's session id: a new one after a completed sign-in. */
  sessionID?: string | undefined;
}

/** The per-request options {@link requireScopes} hands to `passport.authenticate`. */
interface StepUpAuthenticateOptions {
  /** The scopes the token has and those it lacks. */
  scope: Scope[];
  /** Lets 7Geese skip its consent page when the person already granted these scopes. */
  approvalPrompt: 'auto';
  /** What comes back on the callback as `info.state`: the option `state`'s fields and these. */
  state: Record<string, unknown> & {
    /** Where the person returns once the scopes are granted. */
    returnTo?: string;
    /** The scopes that were missing. */
    stepUp: Scope[];
  };
}

/** Options of {@link requireScopes}. */
export interface RequireScopesOptions<Req extends StepUpRequest = StepUpRequest, Res = unknown> {
  /**
   * The Passport instance the 7Geese strategy is registered with (`passport`, or your
   * `new Passport()`); typed loosely to accept Passport's own typings.
   */
  passport: {
    /** Passport's `authenticate(strategy, options)`, returning its middleware. */
    authenticate(strategy: string, options: object): (req: never, res: never, next: never) => unknown;
  };
  /**
   * The scopes the signed-in person's access token has, such as the `params.scopes` you kept at
   * sign-in. `undefined` counts as none: put `requireScopes` after your signed-in check.
   *
   * @example
   * granted: (req) => req.session.tokens?.scopes
   */
  granted: (req: Req) => readonly string[] | null | undefined;
  /** The name the strategy is registered under. @default '7geese' */
  strategy?: string | undefined;
  /**
   * Where the person returns after approving, sent in `state.returnTo`. Only a path on this site
   * is kept (`//other.site` and `https://…` are dropped); your callback must check it again
   * before redirecting. The default returns a GET or HEAD to the same URL and gives no `returnTo`
   * for other methods: a form's POST cannot be repeated by a redirect, so return the person to
   * the form's page (and pass what the action needs in `state`).
   *
   * @default for GET and HEAD, `req.originalUrl`; otherwise none
   */
  returnTo?: ((req: Req) => string | undefined) | undefined;
  /**
   * More fields for the `state` object that comes back on the callback (as `info.state`, or
   * `req.authInfo.state`), such as the action to finish once the scope is granted. It is kept
   * with the pending sign-in (in the session, or sealed by `CookieStateStore`), never in a URL.
   */
  state?: ((req: Req) => Record<string, unknown> | undefined) | undefined;
  /**
   * Called instead of asking 7Geese again when a step-up started from this GET URL came back,
   * with a completed sign-in, still without the scopes (7Geese granted fewer). Show a page that
   * says so. The next request asks 7Geese again.
   *
   * @default next(err), a `SevenGeeseError` with code `insufficient_scope` and status 403
   */
  onDeclined?: ((req: Req, res: Res, next: (err?: unknown) => void, missing: Scope[]) => void) | undefined;
}

/** Where the loop guard keeps the last step-up started from a GET in the session. */
const SESSION_KEY = '7geese:step-up';

interface StepUpNote {
  scopes?: string[];
  sessionID: string | undefined;
  at: number;
}

const NAME = 'requireScopes';

function optionalFunction(options: Record<string, unknown>, name: string): void {
  if (options[name] !== undefined && typeof options[name] !== 'function') {
    throw new TypeError(`${NAME}: the "${name}" option must be a function, got ${typeof options[name]}.`);
  }
}

function checkOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${NAME} needs options: { passport, granted: (req) => the scopes of the person's token }.`);
  }
  const o = options as Record<string, unknown>;
  if (typeof (o.passport as { authenticate?: unknown } | undefined)?.authenticate !== 'function') {
    throw new TypeError(`${NAME}: the "passport" option must be the Passport instance the 7Geese strategy is registered with (the global passport, or your new Passport()).`);
  }
  if (typeof o.granted !== 'function') {
    throw new TypeError(`${NAME}: the "granted" option must be a function that returns the scopes of the signed-in person's token, such as (req) => req.session.tokens?.scopes.`);
  }
  if (o.strategy !== undefined && (typeof o.strategy !== 'string' || o.strategy === '')) {
    throw new TypeError(`${NAME}: the "strategy" option must be the name the strategy is registered under, such as '7geese'.`);
  }
  for (const name of ['returnTo', 'state', 'onDeclined']) optionalFunction(o, name);
}

/** One leading slash, no second slash or backslash, no control characters. */
const looksLocal = (value: string) => value.length <= 2000 && /^\/(?![/\\])/.test(value) && !/[\u0000-\u001f\u007f\\]/.test(value);

/**
 * A path on this site, or undefined. Browsers resolve dot segments before following a Location,
 * and `/.//other.site` resolves to `//other.site`, another host: the resolved form is checked too.
 */
function localPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !looksLocal(value)) return undefined;
  const resolved = new URL(value, 'http://this.site');
  return resolved.origin === 'http://this.site' && looksLocal(resolved.pathname) ? value : undefined;
}

function isRead(method: string | undefined): boolean {
  return method === undefined || method === 'GET' || method === 'HEAD';
}

/**
 * Express middleware that lets a request through when the signed-in person's token has `scopes`
 * (`all` has every scope), and otherwise asks 7Geese for them: it starts a sign-in for the union
 * of what the token has and what is needed, with `approval_prompt=auto`, so that 7Geese skips its
 * consent page when the person already holds a token for all of them. `state.returnTo` brings the person
 * back (to the same URL for a GET) and `state.stepUp` lists the scopes that were missing; on the
 * callback, `params.missingScopes` says whether 7Geese granted them.
 *
 * A GET that comes back from a completed sign-in still without the scopes is not sent to 7Geese
 * again (that could loop without end): `onDeclined` answers it. This guard keeps a note in the
 * session, and knows a sign-in completed because the session id changed (passport regenerates
 * it at login); a session without an id (cookie-session) has no guard.
 *
 * @param scopes - The scopes the route needs, written as in the `scope` option.
 * @throws TypeError for a bad scope or option, when the middleware is made.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 (`insufficient_scope`)
 * @example
 * app.post('/objectives/:id/progress', form, checkCsrf,
 *   requireScopes(['objective:write'], {
 *     passport,
 *     granted: (req) => req.session.tokens?.scopes,
 *     returnTo: () => '/objectives',
 *   }),
 *   updateProgress);
 */
export function requireScopes<Req extends StepUpRequest = StepUpRequest, Res = unknown>(
  scopes: ScopeInput,
  options: RequireScopesOptions<Req, Res>,
): (req: Req, res: Res, next: (err?: unknown) => void) => void {
  const needed = normalizeScope(scopes, `${NAME}(scopes)`);
  checkOptions(options);
  const strategy = options.strategy ?? '7geese';
  const onDeclined =
    options.onDeclined ??
    ((_req: Req, _res: Res, next: (err?: unknown) => void, missing: Scope[]) =>
      next(
        new SevenGeeseError(
          `7Geese did not grant ${missing.join(' ')} when asked. Show the person a page that says so (the "onDeclined" option of requireScopes); the next request asks again.`,
          'insufficient_scope',
          { endpoint: '(7Geese consent)', status: 403 },
        ),
      ));

  return (req, res, next) => {
    let granted: string[];
    let missing: Scope[];
    let extra: Record<string, unknown> | undefined;
    let returnTo: string | undefined;
    try {
      const value = options.granted(req) ?? [];
      if (!Array.isArray(value)) throw new TypeError(`${NAME}: "granted" must return an array of scopes, got ${typeof value}.`);
      granted = value.filter((s): s is string => typeof s === 'string');
      missing = missingScopes(needed, granted) as Scope[];
      const session = req.session as Record<string, unknown> | undefined;
      const note = session?.[SESSION_KEY] as StepUpNote | undefined;
      if (missing.length === 0) {
        if (note) delete session![SESSION_KEY];
        return next();
      }
      // A sign-in completed since this GET last asked (the session id changed), and 7Geese still
      // did not grant the scopes: asking again could redirect without end.
      if (note && isRead(req.method) && note.sessionID !== req.sessionID && Date.now() - note.at < PENDING_LIFETIME && missing.every((s) => note.scopes?.includes(s))) {
        delete session![SESSION_KEY];
        return onDeclined(req, res, next, missing);
      }
      returnTo = localPath(options.returnTo ? options.returnTo(req) : isRead(req.method) ? (req.originalUrl ?? req.url) : undefined);
      extra = options.state?.(req);
      if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra))) {
        throw new TypeError(`${NAME}: "state" must return an object of fields to add to the sign-in's state, got ${Array.isArray(extra) ? 'an array' : extra === null ? 'null' : typeof extra}.`);
      }
      // Only a GET comes back to itself, so only a GET can loop.
      if (session && isRead(req.method)) session[SESSION_KEY] = { scopes: missing, sessionID: req.sessionID, at: Date.now() } satisfies StepUpNote;
    } catch (err) {
      return next(err);
    }
    // Unknown scopes (7Geese may add resources) cannot be asked for.
    const union = needed.includes('all') ? (['all'] as Scope[]) : normalizeScope([...granted.filter(isScope), ...needed]);
    const state = { ...extra, ...(returnTo === undefined ? {} : { returnTo }), stepUp: missing };
    const authenticateOptions: StepUpAuthenticateOptions = { scope: union, approvalPrompt: 'auto', state };
    const authenticate = options.passport.authenticate(strategy, authenticateOptions) as (req: Req, res: Res, next: (err?: unknown) => void) => void;
    // passport-oauth2 takes a `code` field in a POST body for 7Geese's answer and would exchange
    // it; a form's own field of that name must not turn this start into a callback. It reads the
    // body only synchronously, before anything is awaited.
    const body = req.body as Record<string, unknown> | undefined;
    const hide = typeof body === 'object' && body !== null && body.code !== undefined;
    if (hide) req.body = undefined;
    try {
      authenticate(req, res, next);
    } finally {
      if (hide) req.body = body;
    }
  };
}
