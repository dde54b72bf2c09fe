// Sign-ins against a real django-oauth-toolkit server, the OAuth 2.0 server 7Geese runs (Debian's
// python3-django-oauth-toolkit), rather than our simulator: the person signs in to Django, sees
// DOT's own consent page and submits its form with its CSRF token, and the strategy exchanges the
// code with state, PKCE and HTTP Basic client authentication as it would at app.7geese.com.
import { beforeAll, describe, expect, it } from 'vitest';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import {
  SIGN_IN_FAILURES,
  PasswordStrategy,
  SevenGeeseAPIError,
  SevenGeeseClient,
  SevenGeeseTokenError,
  Strategy,
  type Profile,
  type StrategyOptions,
  type VerifyDone,
  type VerifyParams,
} from '../../src/index.js';
import { createApp } from '../../example-app/src/app.js';
import { createStrategies } from '../../example-app/src/strategies.js';
import { startExampleProcess } from '../helpers/example-process.js';
import { freePort } from '../helpers/free-port.js';
import { DjangoBrowser, hasDOT, reportMissingDOT, useDOT } from './dot-server.js';

const CALLBACK = 'http://app.test/auth/7geese/callback';
const ADA = { email: 'ada@example.com', password: 'ada-dot-password', first_name: 'Ada', last_name: 'Lovelace' };
const GRACE = { email: 'grace@example.com', password: 'grace-dot-password', first_name: 'Grace', last_name: 'Hopper' };
const CODE_APP = { client_id: 'dot-code-client', client_secret: 'dot-code-client-secret-value' };
const PASSWORD_APP = { client_id: 'dot-password-client', client_secret: 'dot-password-client-secret-value' };

reportMissingDOT('the sign-ins against a real django-oauth-toolkit server');

/** The port the example app's real entry point will listen on, registered with DOT beforehand. */
let examplePort: number;
const dot = useDOT(async () => {
  examplePort = await freePort();
  return {
    users: [ADA, GRACE],
    applications: [
      { name: 'Code app', ...CODE_APP, grant_type: 'authorization-code', redirect_uris: [CALLBACK, `http://127.0.0.1:${examplePort}/auth/7geese/callback`] },
      { name: 'Password app', ...PASSWORD_APP, grant_type: 'password' },
    ],
  };
});
let baseURL: string;
beforeAll(() => {
  if (hasDOT) baseURL = dot().baseURL;
});

interface Verified {
  accessToken: string;
  refreshToken: string | undefined;
  params: VerifyParams;
  profile: Profile;
}

/**
 * An Express app with both ways in against the DOT server: the Strategy (code flow) and the
 * PasswordStrategy (its own 7Geese application), side by side as in a real multi-strategy app.
 */
function appWith(options: Partial<StrategyOptions> = {}) {
  const verified: Verified[] = [];
  const strategy = new Strategy(
    { clientID: CODE_APP.client_id, clientSecret: CODE_APP.client_secret, callbackURL: CALLBACK, baseURL, timeout: 5_000, ...options } as StrategyOptions,
    async (accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile, _done: VerifyDone) => {
      verified.push({ accessToken, refreshToken, params, profile });
      return { id: profile.id, name: profile.displayName };
    },
  );
  const passwordStrategy = new PasswordStrategy(
    { clientID: PASSWORD_APP.client_id, clientSecret: PASSWORD_APP.client_secret, baseURL, timeout: 5_000 },
    async (_accessToken: string, _refreshToken: string | undefined, _params: VerifyParams, profile: Profile, _done: VerifyDone) => ({ id: profile.id, name: profile.displayName }),
  );
  const passport = new Passport();
  passport.use(strategy);
  passport.use(passwordStrategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(session({ secret: 'dot-test-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.session());
  const failure = { failureRedirect: '/login', failureMessage: true };
  app.get('/auth/7geese', passport.authenticate('7geese'));
  app.get(new URL(CALLBACK).pathname, passport.authenticate('7geese', failure), (_req, res) => res.redirect('/me'));
  app.post('/login/password', express.urlencoded({ extended: false }), passport.authenticate('7geese-password', failure), (_req, res) => res.redirect('/me'));
  app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
  app.get('/login', (req, res) => res.status(401).json({ messages: (req.session as { messages?: string[] }).messages ?? [] }));
  const onError: ErrorRequestHandler = (err: Error & { code?: string }, _req, res, _next) => {
    res.status(502).json({ error: { name: err.name, code: err.code, message: err.message } });
  };
  app.use(onError);
  return { app, agent: request.agent(app), strategy, verified };
}

async function signInThroughDOT(person: typeof ADA, options: Partial<StrategyOptions> = {}, decision: 'Authorize' | 'Cancel' = 'Authorize') {
  const { agent, strategy, verified } = appWith(options);
  const browser = new DjangoBrowser(baseURL);
  await browser.signIn(person);
  const started = await agent.get('/auth/7geese');
  expect(started.status).toBe(302);
  const authorize = new URL(started.headers.location as string);
  const { callback } = await browser.authorize(authorize, decision);
  const finished = await agent.get(callback.pathname + callback.search);
  return { agent, strategy, verified, browser, authorize, callback, finished };
}

describe.runIf(hasDOT)('against a real django-oauth-toolkit server', () => {
  it('signs in through DOT\'s consent page with state, PKCE and HTTP Basic, and loads the profile', async () => {
    const { agent, authorize, finished, verified } = await signInThroughDOT(ADA);
    expect(authorize.origin + authorize.pathname).toBe(`${baseURL}/o/authorize/`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(finished.status, finished.text).toBe(302);
    expect(finished.headers.location).toBe('/me');
    const me = await agent.get('/me');
    expect(me.body.user).toEqual({ id: expect.stringMatching(/^\d+$/), name: 'Ada Lovelace' });
    const [call] = verified;
    expect(call!.profile).toMatchObject({ provider: '7geese', displayName: 'Ada Lovelace', username: ADA.email, emails: [{ value: ADA.email }], name: { givenName: 'Ada', familyName: 'Lovelace' } });
    expect(call!.params.scopes).toEqual(['userprofile:read']);
    expect(call!.params.missingScopes).toEqual([]);
    expect(call!.params.token_type).toBe('Bearer');
    const hours = (call!.params.expiresAt!.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(9.9);
    expect(hours).toBeLessThanOrEqual(10);
    expect(call!.refreshToken).toEqual(expect.any(String));
  });

  it('signs in with the client credentials in the body too', async () => {
    const { agent, finished } = await signInThroughDOT(GRACE, { clientAuth: 'body' });
    expect(finished.headers.location).toBe('/me');
    expect((await agent.get('/me')).body.user.name).toBe('Grace Hopper');
  });

  it('a person who cancels on DOT\'s consent page is not signed in, and is told why', async () => {
    const { agent, callback, finished } = await signInThroughDOT(ADA, {}, 'Cancel');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(finished.headers.location).toBe('/login');
    expect((await agent.get('/login')).body.messages).toEqual([SIGN_IN_FAILURES.access_denied]);
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('with approvalPrompt auto, a second sign-in skips the consent page', async () => {
    const first = await signInThroughDOT(GRACE, { approvalPrompt: 'auto' });
    expect(first.finished.headers.location).toBe('/me');
    const started = await first.agent.get('/auth/7geese');
    const authorize = new URL(started.headers.location as string);
    expect(authorize.searchParams.get('approval_prompt')).toBe('auto');
    const { callback, sawConsent } = await first.browser.authorize(authorize);
    expect(sawConsent).toBe(false);
    const finished = await first.agent.get(callback.pathname + callback.search);
    expect(finished.headers.location).toBe('/me');
  });

  it('DOT refuses a code used twice with invalid_grant, which keeps its code and status', async () => {
    const { strategy, callback, finished } = await signInThroughDOT(ADA);
    expect(finished.headers.location).toBe('/me');
    const err = await new Promise<unknown>((done) => {
      strategy._oauth2.getOAuthAccessToken(callback.searchParams.get('code')!, { grant_type: 'authorization_code', redirect_uri: CALLBACK }, (e) => done(e));
    });
    expect(err).toBeInstanceOf(SevenGeeseTokenError);
    expect(err).toMatchObject({ code: 'invalid_grant', status: 400 });
  });

  it('refreshes with rotation, then revokes: the API answers 401 and the error says so', async () => {
    const { strategy, verified } = await signInThroughDOT(ADA);
    const first = verified[0]!;
    const client = (accessToken: string) => new SevenGeeseClient({ accessToken, baseURL });
    expect(await client(first.accessToken).get('/users/me/')).toMatchObject({ email: ADA.email });

    const renewed = await strategy.refresh(first.refreshToken!);
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(renewed.refreshToken).not.toBe(first.refreshToken);
    expect(renewed.scopes).toEqual(['userprofile:read']);
    await expect(strategy.refresh(first.refreshToken!)).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(await client(renewed.accessToken).get('/users/me/')).toMatchObject({ email: ADA.email });

    await strategy.revoke(renewed.accessToken, { hint: 'access_token' });
    const after = await client(renewed.accessToken).get('/users/me/').catch((e: unknown) => e);
    expect(after).toBeInstanceOf(SevenGeeseAPIError);
    expect(after).toMatchObject({ code: 'invalid_token', status: 401 });
  });

  it('a token without the profile scope gets a 403 that names the scope', async () => {
    const { finished, agent } = await signInThroughDOT(GRACE, { scope: 'objective:read' });
    expect(finished.status).toBe(502);
    expect(finished.body.error).toMatchObject({ code: 'insufficient_scope' });
    expect(finished.body.error.message).toContain('userprofile:read');
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  describe('the password grant', () => {
    const passwordApp = () => appWith().agent;

    it('signs in with the right email and password', async () => {
      const agent = passwordApp();
      const res = await agent.post('/login/password').type('form').send({ email: ADA.email, password: ADA.password });
      expect(res.headers.location).toBe('/me');
      expect((await agent.get('/me')).body.user.name).toBe('Ada Lovelace');
    });

    it('fails a wrong password with the message, signing nobody in', async () => {
      const agent = passwordApp();
      const res = await agent.post('/login/password').type('form').send({ email: ADA.email, password: 'not-her-password' });
      expect(res.headers.location).toBe('/login');
      expect((await agent.get('/login')).body.messages).toEqual([SIGN_IN_FAILURES.invalid_credentials]);
      expect((await agent.get('/me')).body.user).toBeNull();
    });
  });

  it('the example app, pointed at it, signs the person in and out', async () => {
    const { signIn } = createStrategies({ clientID: CODE_APP.client_id, clientSecret: CODE_APP.client_secret, callbackURL: CALLBACK, baseURL });
    const agent = request.agent(createApp({ strategy: signIn, sessionSecret: 'example-app-session-secret-for-the-dot-test' }));
    const browser = new DjangoBrowser(baseURL);
    await browser.signIn(GRACE);
    const started = await agent.get('/auth/7geese?returnTo=/profile');
    const { callback } = await browser.authorize(new URL(started.headers.location as string));
    const finished = await agent.get(callback.pathname + callback.search);
    expect(finished.headers.location).toBe('/profile');
    const home = await agent.get('/');
    expect(home.text).toContain('Grace Hopper');
    expect(home.text).toContain('grace@example.com');
    expect(home.text).toContain('userprofile:read, objective:read');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1]!;
    const out = await agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(out.status).toBe(303);
    expect((await agent.get('/')).text).toContain('Sign in with 7Geese</a>');
  });

  it('npm start with the 7Geese settings pointed at it signs the person in, with the real entry point', async () => {
    const app = await startExampleProcess({
      PORT: String(examplePort),
      SEVENGEESE_CLIENT_ID: CODE_APP.client_id,
      SEVENGEESE_CLIENT_SECRET: CODE_APP.client_secret,
      SEVENGEESE_CALLBACK_URL: `http://127.0.0.1:${examplePort}/auth/7geese/callback`,
      SEVENGEESE_BASE_URL: baseURL,
      SEVENGEESE_SCOPE: 'userprofile:read',
      SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
    });
    try {
      const { output } = app;
      expect(app.exitCode, output).toBeNull();
      expect(output).toContain(`Using 7Geese at ${baseURL}.`);
      expect(output).not.toContain(CODE_APP.client_secret);

      const site = `http://127.0.0.1:${examplePort}`;
      const started = await fetch(`${site}/auth/7geese`, { redirect: 'manual' });
      const cookie = started.headers.get('set-cookie')!.split(';')[0]!;
      const browser = new DjangoBrowser(baseURL);
      await browser.signIn(ADA);
      const { callback } = await browser.authorize(new URL(started.headers.get('location')!));
      const finished = await fetch(callback, { headers: { cookie }, redirect: 'manual' });
      expect(finished.status).toBe(302);
      const signedIn = finished.headers.get('set-cookie')!.split(';')[0]!;
      const home = await (await fetch(`${site}/`, { headers: { cookie: signedIn } })).text();
      expect(home).toContain('Hello, Ada Lovelace');
      expect(home).toContain('ada@example.com');
    } finally {
      await app.stop();
    }
  });
});
