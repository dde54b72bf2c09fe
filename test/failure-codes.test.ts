// Every failure carries a machine-readable `info.code` besides its message, every error the
// library raises is `instanceof SevenGeeseError`, and stores speak an explicit contract that
// carries the scopes of each sign-in.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import OAuth2Strategy, { AuthorizationError, TokenError } from 'passport-oauth2';
import request from 'supertest';
import {
  PasswordStrategy,
  SevenGeeseAuthorizationError,
  SevenGeeseError,
  SevenGeeseTokenError,
  Strategy,
  type PendingSignIn,
  type SignInStore,
  type VerifyDone,
  type VerifyParams,
  type Profile,
} from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { CALLBACK_URL, consent, createHarness, registerClient, signIn, startSignIn } from './helpers/harness.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

/** An app whose callback answers with what Passport handed it: the user, or the failure's info. */
function appFor(strategy: Strategy | PasswordStrategy, name: string) {
  const passport = new Passport();
  passport.use(strategy);
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ secret: 'codes', resave: false, saveUninitialized: false }));
  app.get('/auth/7geese', passport.authenticate(name));
  const finish: express.RequestHandler = (req, res, next) =>
    passport.authenticate(name, { session: false }, (err: Error | null, user: unknown, info: unknown) => {
      if (err) return next(err);
      res.json({ user, info });
    })(req, res, next);
  app.get('/auth/7geese/callback', finish);
  app.post('/login', finish);
  return request.agent(app);
}

describe('failure codes', () => {
  const strategy = (verify = async () => ({ id: 1 }) as Express.User | false) =>
    new Strategy({ ...registerClient(sim), callbackURL: CALLBACK_URL, baseURL: sim.baseURL }, verify);

  it('a denied consent fails with access_denied', async () => {
    const agent = appFor(strategy(), '7geese');
    const back = await consent(sim, await startSignIn(agent), 1, 'Deny');
    expect((await agent.get(back.pathname + back.search)).body.info).toEqual({ code: 'access_denied', message: 'You did not allow access to your 7Geese account.' });
  });

  it('a callback without state, with a foreign state, or twice fails with state_missing, state_mismatch', async () => {
    const agent = appFor(strategy(), '7geese');
    const back = await consent(sim, await startSignIn(agent), 1);
    const stateless = new URL(back);
    stateless.searchParams.delete('state');
    expect((await agent.get(stateless.pathname + stateless.search)).body.info.code).toBe('state_missing');
    const forged = new URL(back);
    forged.searchParams.set('state', 'not-ours');
    expect((await agent.get(forged.pathname + forged.search)).body.info.code).toBe('state_mismatch');
  });

  it('repeated callback parameters fail with malformed_callback', async () => {
    const agent = appFor(strategy(), '7geese');
    expect((await agent.get('/auth/7geese/callback?code=a&code=b')).body.info.code).toBe('malformed_callback');
  });

  it('a verify that refuses without a message fails with rejected_by_app', async () => {
    const agent = appFor(strategy(async () => false), '7geese');
    const back = await consent(sim, await startSignIn(agent), 1);
    expect((await agent.get(back.pathname + back.search)).body.info.code).toBe('rejected_by_app');
  });

  it('the password strategy fails with missing_credentials and invalid_credentials', async () => {
    sim.addClient({ clientId: 'codes-pw', clientSecret: 'codes-pw-secret', redirectUris: ['http://app.test/cb'] });
    const agent = appFor(new PasswordStrategy({ clientID: 'codes-pw', clientSecret: 'codes-pw-secret', baseURL: sim.baseURL }, async () => ({ id: 1 })), '7geese-password');
    expect((await agent.post('/login').type('form').send({ email: 'ada@example.com' })).body.info.code).toBe('missing_credentials');
    expect((await agent.post('/login').type('form').send({ email: 'ada@example.com', password: 'wrong' })).body.info.code).toBe('invalid_credentials');
  });
});

describe('errors', () => {
  it('the OAuth errors stay passport-oauth2 classes and are instanceof SevenGeeseError', () => {
    const token = new SevenGeeseTokenError({ code: 'invalid_grant', status: 400, endpoint: 'https://app.7geese.com/o/token/' });
    const authorization = new SevenGeeseAuthorizationError('invalid_scope', 'Invalid\r\nscope');
    expect(token).toBeInstanceOf(TokenError);
    expect(token).toBeInstanceOf(SevenGeeseError);
    expect(authorization).toBeInstanceOf(AuthorizationError);
    expect(authorization).toBeInstanceOf(SevenGeeseError);
    expect(authorization.code).toBe('invalid_scope');
    expect(authorization.message).not.toMatch(/[\r\n]/);
    // passport-oauth2 would answer 500 (502, 503 for server_error, temporarily_unavailable); 7Geese sent none.
    for (const code of ['invalid_scope', 'server_error', 'temporarily_unavailable', 'made_up']) {
      expect(new SevenGeeseAuthorizationError(code, undefined).status).toBeUndefined();
    }
    expect(new SevenGeeseAuthorizationError('temporarily_unavailable', undefined).code).toBe('temporarily_unavailable');
    expect(new SevenGeeseAuthorizationError('made_up', undefined).code).toBe('unregistered_error');
    expect(new Error('x')).not.toBeInstanceOf(SevenGeeseError);
    expect(new TokenError('x', 'invalid_grant')).not.toBeInstanceOf(SevenGeeseError);
  });
});

describe('sign-in stores', () => {
  it('a store of your own gets each sign-in with its scopes and hands them back to verify', async () => {
    const kept = new Map<string, PendingSignIn>();
    const store: SignInStore = {
      save: (_req, pending, cb) => {
        kept.set(`h${kept.size}`, pending);
        cb(null, `h${kept.size - 1}`);
      },
      take: (_req, handle, cb) => {
        const pending = kept.get(String(handle));
        kept.delete(String(handle));
        cb(null, pending ?? false, pending ? undefined : { code: 'state_mismatch', message: 'no' });
      },
    };
    const verify = async (_a: string, _r: string | undefined, params: VerifyParams, _p: Profile, _d: VerifyDone) => ({ requested: params.requestedScopes });
    const h = createHarness(sim, { store }, verify);
    const authorize = await startSignIn(h.agent, '/auth/7geese?scope=userprofile:read%20objective:read');
    expect([...kept.values()][0]).toMatchObject({ scope: ['userprofile:read', 'objective:read'], verifier: expect.stringMatching(/^[\w-]{43}$/) });
    const back = await consent(sim, authorize, 1);
    await h.agent.get(back.pathname + back.search);
    expect((await h.agent.get('/me')).body.user).toEqual({ requested: ['userprofile:read', 'objective:read'] });
  });

  it("keeps one pending sign-in in the session in no more room than passport-oauth2's own store", async () => {
    const sizes: Record<string, number> = {};
    const options = { ...registerClient(sim), callbackURL: CALLBACK_URL };
    const base = { authorizationURL: `${sim.baseURL}/o/authorize/`, tokenURL: `${sim.baseURL}/o/token/` };
    for (const [name, strategy] of [
      ['ours', new Strategy({ ...options, baseURL: sim.baseURL }, async () => false)],
      ['passport-oauth2', new OAuth2Strategy({ ...options, ...base, state: true, pkce: true }, () => undefined)],
    ] as const) {
      const passport = new Passport();
      passport.use('s', strategy);
      const app = express();
      app.use(session({ secret: 'size', resave: false, saveUninitialized: false }));
      app.get('/start', passport.authenticate('s'));
      app.get('/size', (req, res) => {
        const kept: Record<string, unknown> = { ...req.session };
        delete kept.cookie;
        res.json({ bytes: JSON.stringify(kept).length });
      });
      const agent = request.agent(app);
      expect((await agent.get('/start')).status).toBe(302);
      sizes[name] = (await agent.get('/size')).body.bytes;
    }
    expect(sizes.ours).toBeLessThanOrEqual(sizes['passport-oauth2']!);
  });

  it('accepts a passport-oauth2 state store as it is', async () => {
    const PKCESessionStore = createRequire(import.meta.url)('passport-oauth2/lib/state/pkcesession') as new (options: { key: string }) => never;
    const h = createHarness(sim, { store: new PKCESessionStore({ key: 'k' }) });
    expect((await signIn(sim, h.agent, 1)).headers.location).toBe('/me');
  });
});
