// The sign-in setups the benchmark compares. Each runs in a process of its own (app-process.ts)
// and loads only what it uses, so that its CPU time, memory and CPU profile are its own.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Profile } from 'passport-7geese';

/** `a2` is the A/A control: a second, separate process running setup a. */
export type Setup = 'a' | 'b' | 'c' | 'd' | 'e' | 'a2';

export const SETUP_NAMES: Record<Setup, string> = {
  a: 'passport-7geese Strategy',
  b: 'passport-oauth2 by hand',
  c: 'node:http floor, no Express or Passport',
  d: 'least Passport strategy, on Express',
  e: 'least passport-oauth2 strategy',
  a2: 'passport-7geese again (A/A control)',
};

/** How the table and results.json label each setup. */
export const SETUP_LABELS: Record<Setup, string> = { a: 'a', b: 'b', c: 'c', d: 'd', e: 'e', a2: "a'" };

export interface Upstream {
  baseURL: string;
  clientID: string;
  clientSecret: string;
}

/** A running setup: its server, and the raw JSON its session store holds for a session id. */
export interface RunningApp {
  server: Server;
  /** The session id a `Set-Cookie` value names, as this app's session store keys it. */
  sessionId(setCookie: string): string | undefined;
  /** The session's JSON as stored, or undefined when there is none. */
  sessionJSON(id: string): string | undefined;
}

const CALLBACK = '/auth/7geese/callback';
const SECRET = 'benchmark-session-secret-0123456789';

/** (a), (b), (d) and (e): an Express app with express-session (memory store) and Passport. */
async function express(setup: 'a' | 'b' | 'd' | 'e', u: Upstream): Promise<RunningApp> {
  const { default: expressApp } = await import('express');
  const { default: session } = await import('express-session');
  const { Passport } = await import('passport');
  const store = new session.MemoryStore();
  const app = expressApp();
  app.use(session({ secret: SECRET, resave: false, saveUninitialized: false, store }));
  app.get('/', (_req, res) => res.send('ok'));
  const passport = new Passport();
  const strategies = { a: ours, b: byHand, d: least, e: leastOAuth2 };
  passport.use('7geese', await strategies[setup](u));
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  app.use(passport.session());
  app.get('/auth/7geese', passport.authenticate('7geese'));
  app.get(CALLBACK, passport.authenticate('7geese', { failureRedirect: '/failed' }), (_req, res) => res.redirect('/'));
  return {
    server: createServer(app),
    sessionId(setCookie) {
      // connect.sid=s%3A<id>.<signature>
      const match = /^connect\.sid=([^;]+)/.exec(setCookie);
      if (!match) return undefined;
      const value = decodeURIComponent(match[1]!);
      return value.startsWith('s:') ? value.slice(2, value.lastIndexOf('.')) : undefined;
    },
    sessionJSON(id) {
      // MemoryStore keeps each session as the JSON string express-session serialised.
      return (store as unknown as { sessions: Record<string, string> }).sessions[id];
    },
  };
}

/** (a) This library, with its defaults: state and PKCE on. */
async function ours(u: Upstream) {
  const { Strategy } = await import('passport-7geese');
  return new Strategy(
    {
      clientID: u.clientID,
      clientSecret: u.clientSecret,
      callbackURL: CALLBACK,
      baseURL: u.baseURL,
      // bench:latency shortens the idle timeout, so that a cold sign-in takes seconds, not a minute.
      idleTimeout: process.env.BENCH_IDLE_TIMEOUT ? Number(process.env.BENCH_IDLE_TIMEOUT) : undefined,
    },
    async (_a: string, _r: string | undefined, p: Profile) => ({ id: p.id, name: p.displayName }),
  );
}

/** passport-oauth2 pointed at 7Geese, state and PKCE on: what (b) and (e) start from, before their overrides. */
async function oauth2Strategy(u: Upstream) {
  const { default: OAuth2Strategy } = await import('passport-oauth2');
  return new OAuth2Strategy(
    {
      authorizationURL: `${u.baseURL}/o/authorize/`,
      tokenURL: `${u.baseURL}/o/token/`,
      clientID: u.clientID,
      clientSecret: u.clientSecret,
      callbackURL: CALLBACK,
      scope: 'userprofile:read',
      state: true,
      pkce: true,
    },
    (_a: string, _r: string, profile: { id: string; displayName: string }, done: (e: null, u: object) => void) => done(null, { id: profile.id, name: profile.displayName }),
  );
}

/** (b) What people write today: passport-oauth2 pointed at 7Geese, with a hand-written userProfile. */
async function byHand(u: Upstream) {
  const strategy = await oauth2Strategy(u);
  strategy.userProfile = function (this: typeof strategy, token: string, done: (err?: Error | null, profile?: unknown) => void) {
    const oauth2 = (this as unknown as { _oauth2: { useAuthorizationHeaderforGET(b: boolean): void; get(url: string, t: string, cb: (e: unknown, body?: string | Buffer) => void): void } })._oauth2;
    oauth2.useAuthorizationHeaderforGET(true);
    oauth2.get(`${u.baseURL}/api/v/2.0/users/me/`, token, (err, body) => {
      if (err) return done(new Error('failed to fetch the profile'));
      try {
        const json = JSON.parse(String(body)) as { id: number; first_name: string; last_name: string };
        done(null, { provider: '7geese', id: String(json.id), displayName: `${json.first_name} ${json.last_name}` });
      } catch (e) {
        done(e as Error);
      }
    });
  } as typeof strategy.userProfile;
  return strategy;
}

/** One upstream call on Node's global (keep-alive) agent; resolves with the parsed JSON. */
function call(base: URL, method: 'GET' | 'POST', path: string, headers: Record<string, string | number>, body?: string): Promise<Record<string, unknown>> {
  return new Promise((done, fail) => {
    const req = request({ host: base.hostname, port: base.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) return fail(new Error(`${path} answered ${res.statusCode}`));
        try {
          done(JSON.parse(text) as Record<string, unknown>);
        } catch (err) {
          fail(err as Error);
        }
      });
    });
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * The upstream pieces (c), (d) and (e) build by hand: the authorize URL up to the per-request
 * redirect_uri, state and code_challenge; the token exchange (HTTP Basic client authentication)
 * for a form already encoded; and the profile GET with a bearer token.
 */
function bareUpstream(u: Upstream) {
  const base = new URL(u.baseURL);
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(u.clientID)}:${encodeURIComponent(u.clientSecret)}`).toString('base64')}`;
  return {
    authorize: `${u.baseURL}/o/authorize/?client_id=${encodeURIComponent(u.clientID)}&response_type=code&scope=userprofile%3Aread&code_challenge_method=S256`,
    token: (form: string) => call(base, 'POST', '/o/token/', { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) }, form),
    me: (accessToken: string) => call(base, 'GET', '/api/v/2.0/users/me/', { authorization: `Bearer ${accessToken}` }),
  };
}

/** The display name of a 7Geese profile: first and last name. */
function displayName(me: Record<string, unknown>): string {
  return `${String(me.first_name)} ${String(me.last_name)}`;
}

/**
 * (d) The least a Passport strategy can do on Express: state and PKCE in the session, the token
 * exchange and the profile GET on bare node:http, and nothing else (no option checks, deadlines,
 * size limits, error codes or store contract). Not something to ship: it shows what Express,
 * express-session and Passport cost by themselves, below which no strategy on them can go.
 */
async function least(u: Upstream) {
  const { Strategy: PassportStrategy } = await import('passport-strategy');
  const upstream = bareUpstream(u);
  type Session = { least?: [state: string, verifier: string] };
  class Least extends PassportStrategy {
    name = '7geese';
    override authenticate(request: import('express').Request): void {
      const req = request as unknown as { query: Record<string, unknown>; session: Session; headers: { host?: string } };
      const callback = `http://${req.headers.host}${CALLBACK}`;
      const { code, state } = req.query;
      if (typeof code !== 'string') {
        const [handle, verifier] = [randomBytes(18).toString('base64url'), randomBytes(32).toString('base64url')];
        req.session.least = [handle, verifier];
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        return this.redirect(`${upstream.authorize}&redirect_uri=${encodeURIComponent(callback)}&state=${handle}&code_challenge=${challenge}`);
      }
      const pending = req.session.least;
      delete req.session.least;
      if (!pending || state !== pending[0]) return this.fail(403);
      const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback, code_verifier: pending[1] }).toString();
      upstream
        .token(form)
        .then((token) => upstream.me(String(token.access_token)))
        .then((me) => this.success({ id: String(me.id), name: displayName(me) }), (err: Error) => this.error(err));
    }
  }
  return new Least() as unknown as Parameters<import('passport').PassportStatic['use']>[1];
}

/**
 * (e) The least a strategy can do that keeps passport-oauth2's `authenticate()`: its flow, state
 * store and PKCE, with node-oauth's client replaced by (d)'s bare calls and the same bare profile
 * GET. Not something to ship either: the gap between (d) and (e) is what passport-oauth2's own
 * flow costs, which every strategy built on it pays.
 */
async function leastOAuth2(u: Upstream) {
  const upstream = bareUpstream(u);
  const strategy = await oauth2Strategy(u);
  type Done = (err: Error | null, accessToken?: string, refreshToken?: string, params?: object) => void;
  const client = (strategy as unknown as { _oauth2: { getOAuthAccessToken(code: string, params: Record<string, string>, done: Done): void } })._oauth2;
  client.getOAuthAccessToken = (code, params, done) => {
    const form = new URLSearchParams({ ...params, code }).toString();
    upstream.token(form).then(
      (token) => done(null, String(token.access_token), String(token.refresh_token), token),
      (err: Error) => done(err),
    );
  };
  strategy.userProfile = (token: string, done: (err?: Error | null, profile?: unknown) => void) => {
    upstream.me(token).then(
      (me) => done(null, { provider: '7geese', id: String(me.id), displayName: displayName(me) }),
      (err: Error) => done(err),
    );
  };
  return strategy;
}

interface FloorSession {
  pending?: { state: string; verifier: string; expiresAt: number };
  user?: { id: string; name: string };
}

/**
 * (c) The floor: a bare node:http server doing what a sign-in must (state and PKCE, the token
 * exchange, the profile GET, a session that survives the redirect and is renewed at login), with
 * a cookie session in a Map and nothing else: no Express, no Passport, no session middleware.
 */
function floor(u: Upstream): RunningApp {
  const sessions = new Map<string, FloorSession>();
  const upstream = bareUpstream(u);

  const newId = () => randomBytes(24).toString('base64url');
  const cookieOf = (req: IncomingMessage): string | undefined => {
    const header = req.headers.cookie;
    if (!header) return undefined;
    const at = header.indexOf('sid=');
    if (at === -1 || (at > 0 && header[at - 1] !== ' ' && header[at - 1] !== ';')) return undefined;
    const end = header.indexOf(';', at);
    return header.slice(at + 4, end === -1 ? undefined : end);
  };
  const redirect = (res: ServerResponse, location: string, sid?: string) => {
    const headers: Record<string, string> = { location };
    if (sid) headers['set-cookie'] = `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`;
    res.writeHead(302, headers).end();
  };
  const start = (req: IncomingMessage, res: ServerResponse) => {
    let sid = cookieOf(req);
    let session = sid === undefined ? undefined : sessions.get(sid);
    const fresh = !session;
    if (!session) sessions.set((sid = newId()), (session = {}));
    const state = newId();
    const verifier = randomBytes(32).toString('base64url');
    session.pending = { state, verifier, expiresAt: Date.now() + 600_000 };
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const callback = encodeURIComponent(`http://${req.headers.host}${CALLBACK}`);
    redirect(res, `${upstream.authorize}&redirect_uri=${callback}&state=${state}&code_challenge=${challenge}`, fresh ? sid : undefined);
  };

  const finish = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    const sid = cookieOf(req);
    const session = sid === undefined ? undefined : sessions.get(sid);
    const pending = session?.pending;
    const code = query.get('code');
    if (!session || !pending || query.get('state') !== pending.state || pending.expiresAt < Date.now() || !code) return redirect(res, '/failed');
    delete session.pending;
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `http://${req.headers.host}${CALLBACK}`, code_verifier: pending.verifier }).toString();
    const token = await upstream.token(form);
    const me = await upstream.me(String(token.access_token));
    // A new session id at login, against session fixation.
    sessions.delete(sid!);
    const renewed = newId();
    sessions.set(renewed, { user: { id: String(me.id), name: displayName(me) } });
    redirect(res, '/', renewed);
  };

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path === '/auth/7geese') return start(req, res);
    if (path === CALLBACK) {
      finish(req, res, new URLSearchParams(q === -1 ? '' : url.slice(q + 1))).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    if (path === '/') return void res.end('ok');
    res.writeHead(404).end();
  });
  return {
    server,
    sessionId: (setCookie) => /^sid=([^;]+)/.exec(setCookie)?.[1],
    sessionJSON(id) {
      const s = sessions.get(id);
      return s === undefined ? undefined : JSON.stringify(s);
    },
  };
}

export async function createSetup(setup: Setup, upstream: Upstream): Promise<RunningApp> {
  if (setup === 'c') return floor(upstream);
  return express(setup === 'a2' ? 'a' : setup, upstream);
}
