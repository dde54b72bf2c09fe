// One sign-in through each strategy, for the tests that hold both to the same behaviour: the
// person signed in, the refusal message, or the error, as an app sees them.
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { PasswordStrategy, type PasswordStrategyOptions, type StrategyOptions } from '../../src/index.js';
import type { Simulator } from '../../src/testing/index.js';
import { createHarness, registerClient, signIn, type Agent } from './harness.js';

export type AnyVerifyFunction = (...args: any[]) => any;
export type Outcome = { user: Record<string, unknown> } | { refused: string } | { error: string };
type Options = Partial<StrategyOptions> & Partial<PasswordStrategyOptions>;

/** What the app made of a sign-in whose last answer was `res`: an error, the person signed in, or the refusal. */
async function outcomeOf(agent: Agent, res: request.Response): Promise<Outcome> {
  if (res.status >= 500) return { error: res.body.error.message as string };
  const me = (await agent.get('/me')).body.user;
  if (me) return { user: me };
  return { refused: ((await agent.get('/login')).body.messages as string[]).join('') };
}

/** A sign-in through `Strategy`: the consent page approved by the first demo person. */
export async function throughStrategy(sim: Simulator, verify: AnyVerifyFunction, options: Options = {}): Promise<Outcome> {
  const h = createHarness(sim, options, verify);
  return outcomeOf(h.agent, await signIn(sim, h.agent, 1));
}

/** A sign-in through `PasswordStrategy` with the first demo person's email and password. */
export async function throughPasswordStrategy(sim: Simulator, verify: AnyVerifyFunction, options: Options = {}): Promise<Outcome> {
  const passport = new Passport();
  passport.use(new PasswordStrategy({ ...registerClient(sim, 'both-pw'), baseURL: sim.baseURL, timeout: 2_000, ...options }, verify));
  passport.serializeUser((u, done) => done(null, u));
  passport.deserializeUser((u: Express.User, done) => done(null, u));
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ secret: 'both', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/login', passport.authenticate('7geese-password', { failureMessage: true, failureRedirect: '/login' }), (_req, res) => res.redirect('/me'));
  app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
  app.get('/login', (req, res) => res.json({ messages: (req.session as { messages?: string[] }).messages ?? [] }));
  const onError: ErrorRequestHandler = (err: Error, _req, res, _next) => void res.status(502).json({ error: { message: err.message } });
  app.use(onError);
  const agent = request.agent(app);
  return outcomeOf(agent, await agent.post('/login').type('form').send({ email: 'ada@example.com', password: 'ada-password' }));
}

export const bothStrategies = { Strategy: throughStrategy, PasswordStrategy: throughPasswordStrategy };
