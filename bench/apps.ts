// The three sign-in setups the benchmark compares, each a complete Express app with sessions.
import { createHash, randomBytes } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import OAuth2Strategy from 'passport-oauth2';
import { Strategy, type Profile } from 'passport-7geese';

export type Setup = 'a' | 'b' | 'c';

export const SETUP_NAMES: Record<Setup, string> = {
  a: 'passport-7geese Strategy',
  b: 'passport-oauth2 by hand',
  c: 'fetch, no Passport (floor)',
};

export interface Upstream {
  baseURL: string;
  clientID: string;
  clientSecret: string;
}

const CALLBACK = '/auth/7geese/callback';

function base(): express.Express {
  const app = express();
  app.use(session({ secret: 'benchmark-session-secret-0123456789', resave: false, saveUninitialized: false }));
  app.get('/', (_req, res) => res.send('ok'));
  return app;
}

function withPassport(app: express.Express, strategy: OAuth2Strategy): void {
  const passport = new Passport();
  passport.use('7geese', strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  app.use(passport.session());
  app.get('/auth/7geese', passport.authenticate('7geese'));
  app.get(CALLBACK, passport.authenticate('7geese', { failureRedirect: '/failed' }), (_req, res) => res.redirect('/'));
}

/** (a) This library, with its defaults: state and PKCE on. */
function ours(u: Upstream): express.Express {
  const app = base();
  withPassport(
    app,
    new Strategy({ clientID: u.clientID, clientSecret: u.clientSecret, callbackURL: CALLBACK, baseURL: u.baseURL }, async (_a: string, _r: string | undefined, p: Profile) => ({ id: p.id, name: p.displayName })),
  );
  return app;
}

/** (b) What people write today: passport-oauth2 pointed at 7Geese, with a hand-written userProfile. */
function byHand(u: Upstream): express.Express {
  const strategy = new OAuth2Strategy(
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
  strategy.userProfile = function (this: OAuth2Strategy, token: string, done: (err?: Error | null, profile?: unknown) => void) {
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
  } as OAuth2Strategy['userProfile'];
  const app = base();
  withPassport(app, strategy);
  return app;
}

/** (c) The floor: the same two upstream calls with fetch, state and PKCE by hand, no Passport. */
function floor(u: Upstream): express.Express {
  const app = base();
  const basic = `Basic ${Buffer.from(`${u.clientID}:${u.clientSecret}`).toString('base64')}`;
  app.get('/auth/7geese', (req, res) => {
    const state = randomBytes(24).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    (req.session as unknown as Record<string, unknown>).pending = { state, verifier };
    const url = new URL(`${u.baseURL}/o/authorize/`);
    const redirect = `${req.protocol}://${req.get('host')}${CALLBACK}`;
    url.search = new URLSearchParams({
      client_id: u.clientID, response_type: 'code', redirect_uri: redirect, scope: 'userprofile:read', state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    }).toString();
    res.redirect(url.href);
  });
  app.get(CALLBACK, async (req, res) => {
    const s = req.session as unknown as Record<string, unknown>;
    const pending = s.pending as { state: string; verifier: string } | undefined;
    if (!pending || req.query.state !== pending.state || typeof req.query.code !== 'string') return res.redirect('/failed');
    delete s.pending;
    const redirect = `${req.protocol}://${req.get('host')}${CALLBACK}`;
    const token = await fetch(`${u.baseURL}/o/token/`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: req.query.code, redirect_uri: redirect, code_verifier: pending.verifier }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const me = await fetch(`${u.baseURL}/api/v/2.0/users/me/`, { headers: { authorization: `Bearer ${token.access_token}` } }).then((r) => r.json() as Promise<{ id: number; first_name: string; last_name: string }>);
    req.session.regenerate(() => {
      (req.session as unknown as Record<string, unknown>).user = { id: String(me.id), name: `${me.first_name} ${me.last_name}` };
      res.redirect('/');
    });
  });
  return app;
}

export function createSetup(setup: Setup, upstream: Upstream): express.Express {
  return setup === 'a' ? ours(upstream) : setup === 'b' ? byHand(upstream) : floor(upstream);
}
