// A real Express app (express-session + passport) using the Strategy against the simulator,
// and the steps of a browser's sign-in, for the flow tests.
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { Strategy, type StrategyOptions, type VerifyFunction, type VerifyParams, type VerifyDone, type Profile } from '../../src/index.js';
import type { Simulator } from '../../src/testing/index.js';

export const CALLBACK_URL = 'http://app.test/auth/7geese/callback';

export interface VerifyCall {
  accessToken: string;
  refreshToken: string | undefined;
  params: VerifyParams;
  profile: Profile;
}

export type Agent = ReturnType<typeof request.agent>;

export interface Harness {
  app: express.Express;
  agent: Agent;
  strategy: Strategy;
  verifyCalls: VerifyCall[];
}

/** Registers the harness's client at the simulator; returns its credentials. */
export function registerClient(sim: Simulator, clientId = 'harness-client'): { clientID: string; clientSecret: string } {
  const clientSecret = `${clientId}-secret-value`;
  sim.addClient({ clientId, clientSecret, redirectUris: [CALLBACK_URL], name: 'Harness app' });
  return { clientID: clientId, clientSecret };
}

export function createHarness(
  sim: Simulator,
  options: Partial<StrategyOptions> = {},
  verify?: VerifyFunction<'profile' | 'params'>,
  callbackOptions: { keepSessionInfo?: boolean } = {},
): Harness {
  const verifyCalls: VerifyCall[] = [];
  const defaultVerify = async (accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile, _done: VerifyDone) => {
    verifyCalls.push({ accessToken, refreshToken, params, profile });
    return { id: profile.id, name: profile.displayName, email: profile.emails[0]?.value };
  };
  const strategy = new Strategy(
    { ...registerClient(sim), callbackURL: CALLBACK_URL, baseURL: sim.baseURL, timeout: 2_000, ...options } as StrategyOptions,
    verify ?? defaultVerify,
  );
  const passport = new Passport();
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));

  const app = express();
  app.use(session({ secret: 'harness-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.get('/auth/7geese', (req, res, next) => {
    const scope = typeof req.query.scope === 'string' ? req.query.scope : undefined;
    passport.authenticate('7geese', scope ? { scope } : {})(req, res, next);
  });
  app.get(
    '/auth/7geese/callback',
    passport.authenticate('7geese', { failureRedirect: '/login', failureMessage: true, ...callbackOptions }),
    (_req, res) => res.redirect('/me'),
  );
  app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
  app.get('/login', (req, res) => {
    const messages = (req.session as { messages?: string[] }).messages ?? [];
    res.status(401).json({ messages });
  });
  const onError: ErrorRequestHandler = (err: Error & { code?: string; status?: number }, _req, res, _next) => {
    res.status(502).json({ error: { name: err.name, code: err.code, status: err.status, message: err.message } });
  };
  app.use(onError);
  return { app, agent: request.agent(app), strategy, verifyCalls };
}

/** GET /auth/7geese and return the authorize URL it redirects to. */
export async function startSignIn(agent: Agent, path = '/auth/7geese'): Promise<URL> {
  const res = await agent.get(path);
  if (res.status !== 302) throw new Error(`expected a redirect from ${path}, got ${res.status}: ${res.text}`);
  return new URL(res.headers.location as string);
}

/** Submits the simulator's consent form as a person would; returns the callback URL. */
export async function consent(sim: Simulator, authorize: URL, userId: number, decision: 'Approve' | 'Deny' = 'Approve'): Promise<URL> {
  const form = new URLSearchParams();
  for (const name of ['client_id', 'redirect_uri', 'scope', 'state', 'response_type', 'code_challenge', 'code_challenge_method']) {
    const value = authorize.searchParams.get(name);
    if (value !== null) form.set(name, value);
  }
  form.set('user', String(userId));
  form.set(decision === 'Approve' ? 'allow' : 'deny', decision);
  const res = await fetch(`${sim.baseURL}/o/authorize/`, { method: 'POST', body: form, redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`the consent form answered ${res.status} without a redirect: ${await res.text()}`);
  return new URL(location);
}

/** Delivers the callback URL to the app, as the browser would after 7Geese redirects. */
export function finish(agent: Agent, callback: URL): request.Test {
  return agent.get(callback.pathname + callback.search);
}

/** The whole sign-in of one user; resolves with the app's answer to the callback. */
export async function signIn(sim: Simulator, agent: Agent, userId: number): Promise<request.Response> {
  const authorize = await startSignIn(agent);
  return finish(agent, await consent(sim, authorize, userId));
}
