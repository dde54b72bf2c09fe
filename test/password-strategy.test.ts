import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { PasswordStrategy, type PasswordStrategyOptions, type Profile, type VerifyDone, type VerifyParams } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ recordCredentials: true });
  sim.addClient({ clientId: 'pw-client', clientSecret: 'pw-client-secret-value', redirectUris: ['http://app.test/cb'] });
});
afterEach(async () => {
  await sim.close();
});

function createApp(options: Partial<PasswordStrategyOptions> = {}) {
  const calls: Array<{ params: VerifyParams; profile: Profile }> = [];
  const strategy = new PasswordStrategy(
    { clientID: 'pw-client', clientSecret: 'pw-client-secret-value', baseURL: sim.baseURL, timeout: 5_000, ...options },
    async (_accessToken: string, _refreshToken: string | undefined, params: VerifyParams, profile: Profile, _done: VerifyDone) => {
      calls.push({ params, profile });
      return { id: profile.id, email: profile.emails[0]?.value };
    },
  );
  const passport = new Passport();
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ secret: 'pw-test', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/login', (req, res, next) => {
    passport.authenticate('7geese-password', (err: Error | null, user: Express.User | false, info: { message?: string } | undefined, status?: number) => {
      if (err) return next(err);
      if (!user) return res.status(status ?? 401).json({ message: info?.message });
      req.logIn(user, (e) => (e ? next(e) : res.json({ user })));
    })(req, res, next);
  });
  app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
  const onError: ErrorRequestHandler = (err: Error & { code?: string }, _req, res, _next) => {
    res.status(502).json({ error: { name: err.name, code: err.code, message: err.message } });
  };
  app.use(onError);
  return { app, agent: request.agent(app), calls, strategy };
}

describe('PasswordStrategy', () => {
  it('signs in with the right email and password and loads the normalised profile', async () => {
    const { agent, calls } = createApp({ scope: 'userprofile:read objective:read' });
    const user = sim.users[0]!;
    const res = await agent.post('/login').type('form').send({ email: user.email, password: user.password });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: String(user.id), email: user.email });
    expect((await agent.get('/me')).body.user.id).toBe(String(user.id));
    expect(calls[0]!.params.scopes).toEqual(['userprofile:read', 'objective:read']);
    expect(calls[0]!.profile.displayName).toBe(`${user.first_name} ${user.last_name}`);
  });

  it('sends the password grant with HTTP Basic client authentication and no secret in the body or URL', async () => {
    const { agent } = createApp();
    const user = sim.users[0]!;
    await agent.post('/login').type('form').send({ email: user.email, password: user.password });
    const token = sim.requests.find((r) => r.path === '/o/token/')!;
    expect(token.headers.authorization).toBe(`Basic ${Buffer.from('pw-client:pw-client-secret-value').toString('base64')}`);
    expect(token.form).toEqual({ grant_type: 'password', username: user.email, password: user.password, scope: 'userprofile:read' });
    expect(token.body).not.toContain('pw-client-secret-value');
    expect(token.path + JSON.stringify(token.query)).not.toContain('secret');
  });

  it('a wrong password fails with a message and status 401, and the password appears nowhere', async () => {
    const { agent } = createApp();
    const res = await agent.post('/login').type('form').send({ email: sim.users[0]!.email, password: 'wrong-password-123' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: 'That 7Geese email and password do not match.' });
    expect((await agent.get('/me')).body.user).toBeNull();
    expect(res.text).not.toContain('wrong-password-123');
  });

  it('an unknown email fails the same way', async () => {
    const { agent } = createApp();
    const res = await agent.post('/login').type('form').send({ email: 'nobody@example.com', password: 'whatever' });
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('That 7Geese email and password do not match.');
  });

  it('missing fields fail with status 400 without calling 7Geese', async () => {
    const { agent } = createApp();
    for (const body of [{}, { email: sim.users[0]!.email }, { password: 'x' }, { email: '', password: '' }]) {
      const res = await agent.post('/login').type('form').send(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Enter your 7Geese email and password.');
    }
    const noBody = await agent.post('/login');
    expect(noBody.status).toBe(400);
    expect(sim.requests.some((r) => r.path === '/o/token/')).toBe(false);
  });

  it('reads configurable field names', async () => {
    const { agent } = createApp({ usernameField: 'login', passwordField: 'secret' });
    const user = sim.users[1]!;
    const res = await agent.post('/login').type('form').send({ login: user.email, secret: user.password });
    expect(res.body.user.id).toBe(String(user.id));
  });

  it('7Geese not answering is an error naming the endpoint, without the password', async () => {
    // 7Geese never answers, so any deadline would do: a short one keeps the test short.
    const { agent } = createApp({ timeout: 1_000 });
    sim.fault('token', { hang: true });
    const res = await agent.post('/login').type('form').send({ email: sim.users[0]!.email, password: 'pw-that-must-not-leak' });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ name: 'SevenGeeseTimeoutError', code: 'timeout' });
    expect(res.text).not.toContain('pw-that-must-not-leak');
  });

  it('a client 7Geese does not know is an error, not a failed password', async () => {
    const { agent } = createApp({ clientSecret: 'not-the-secret' });
    const res = await agent.post('/login').type('form').send({ email: sim.users[0]!.email, password: sim.users[0]!.password });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ name: 'SevenGeeseTokenError', code: 'invalid_client' });
  });
});
