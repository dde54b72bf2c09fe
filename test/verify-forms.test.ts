// Every verify form of the README's table, through both strategies, compiled as an app's
// TypeScript would be: to ES2022 (native async functions) and to ES2016 (async functions turned
// into generators behind a plain function that returns a promise). The arguments follow
// passport-oauth2's rule (five declared parameters, six with req, mean `params`), `done` comes
// last always, and every outcome settles: nothing hangs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import ts from 'typescript';
import { PasswordStrategy } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { createHarness, signIn } from './helpers/harness.js';

type AnyVerifyFunction = (...args: any[]) => any;

type Expected =
  | { user: { id: string; scopes?: string[]; req?: boolean } }
  | { refused: string }
  | { error: RegExp };

interface Form {
  name: string;
  source: string;
  expected: Expected;
}

const NOT_ACCEPTED = 'The application did not accept this 7Geese account.';

// `user(profile, params, req)` builds what the app signs in; it throws on arguments in the wrong
// places, so a form that got the profile where it expected params cannot pass.
const forms: Form[] = [
  { name: 'callback: (accessToken, refreshToken, profile, done)', source: `function (accessToken, refreshToken, profile, done) { done(null, user(profile)); }`, expected: { user: { id: '1' } } },
  { name: 'callback: (accessToken, refreshToken, params, profile, done)', source: `function (accessToken, refreshToken, params, profile, done) { done(null, user(profile, params)); }`, expected: { user: { id: '1', scopes: ['userprofile:read'] } } },
  { name: 'callback refusing: done(null, false, { message })', source: `function (accessToken, refreshToken, profile, done) { done(null, false, { message: 'Not in our company.' }); }`, expected: { refused: 'Not in our company.' } },
  { name: 'callback later: done called after an await', source: `function (accessToken, refreshToken, profile, done) { setImmediate(() => done(null, user(profile))); }`, expected: { user: { id: '1' } } },
  { name: 'async: (accessToken, refreshToken, profile) => user', source: `async (accessToken, refreshToken, profile) => { await null; return user(profile); }`, expected: { user: { id: '1' } } },
  { name: 'async: (accessToken, refreshToken, params, profile, done) => user', source: `async (accessToken, refreshToken, params, profile, _done) => { await null; return user(profile, params); }`, expected: { user: { id: '1', scopes: ['userprofile:read'] } } },
  { name: 'async calling done: (accessToken, refreshToken, profile, done)', source: `async (accessToken, refreshToken, profile, done) => { await null; done(null, user(profile)); }`, expected: { user: { id: '1' } } },
  { name: 'async returning false', source: `async (accessToken, refreshToken, profile) => { await null; return false; }`, expected: { refused: NOT_ACCEPTED } },
  { name: 'async returning null', source: `async (accessToken, refreshToken, profile) => null`, expected: { refused: NOT_ACCEPTED } },
  { name: 'async throwing', source: `async (accessToken, refreshToken, profile) => { await null; throw new Error('database down'); }`, expected: { error: /database down/ } },
  { name: 'plain function returning a promise', source: `function (accessToken, refreshToken, profile) { return Promise.resolve(user(profile)); }`, expected: { user: { id: '1' } } },
  { name: 'plain function throwing', source: `function (accessToken, refreshToken, profile, done) { throw new Error('bad config'); }`, expected: { error: /bad config/ } },
  { name: 'async returning nothing without done is an error, not a hang', source: `async (accessToken, refreshToken, profile) => { await null; }`, expected: { error: /returned undefined and does not take `done`/ } },
  { name: 'plain function returning nothing without done is an error, not a hang', source: `function (accessToken, refreshToken, profile) { user(profile); }`, expected: { error: /returned undefined and does not take `done`/ } },
  // NestJS's PassportStrategy mixin: an async callback with rest parameters that calls done
  // with validate()'s result; told the arity (callbackArity: true), it sets its length.
  {
    name: 'NestJS mixin: validate(accessToken, refreshToken, profile)',
    source: `nest(function validate(accessToken, refreshToken, profile) { return user(profile); })`,
    expected: { user: { id: '1' } },
  },
  {
    name: 'NestJS mixin with callbackArity: validate(accessToken, refreshToken, params, profile)',
    source: `nest(async function validate(accessToken, refreshToken, params, profile) { return user(profile, params); }, true)`,
    expected: { user: { id: '1', scopes: ['userprofile:read'] } },
  },
  {
    name: 'NestJS mixin: validate returning null refuses',
    source: `nest(async function validate(accessToken, refreshToken, profile) { return null; })`,
    expected: { refused: NOT_ACCEPTED },
  },
];

/** The mixin's callback as @nestjs/passport 11 builds it, in plain JavaScript. */
function nest(validate: (...args: unknown[]) => unknown, callbackArity?: true): AnyVerifyFunction {
  const callback = async (...params: unknown[]) => {
    const done = params[params.length - 1] as (err: unknown, user?: unknown) => void;
    try {
      done(null, await validate(...params.slice(0, -1), done));
    } catch (err) {
      done(err, null);
    }
  };
  if (callbackArity) Object.defineProperty(callback, 'length', { value: validate.length + 1 });
  return callback as AnyVerifyFunction;
}

function user(profile: { id?: unknown; provider?: unknown }, params?: { scopes?: unknown }, req?: unknown) {
  if (profile?.provider !== '7geese') throw new Error(`profile in the wrong place: got ${typeof profile}`);
  if (params !== undefined && !Array.isArray(params.scopes)) throw new Error('params in the wrong place');
  return { id: String(profile.id), ...(params ? { scopes: params.scopes as string[] } : {}), ...(req ? { req: true } : {}) };
}

/** Compiles a form as an app's TypeScript build would, and returns the function. */
function compile(source: string, target: ts.ScriptTarget, withRequest: boolean): AnyVerifyFunction {
  // With passReqToCallback, `req` comes first; the form checks it is the request.
  const text = withRequest
    ? source
        .replace(/\(accessToken/, '(req, accessToken')
        .replace(/user\(profile(, params)?\)/g, (_m, p: string | undefined) => `user(profile, ${p ? 'params' : 'undefined'}, req && req.headers)`)
    : source;
  const { outputText } = ts.transpileModule(`module.exports = ${text};`, {
    compilerOptions: { target, module: ts.ModuleKind.CommonJS, strict: false },
  });
  if (target === ts.ScriptTarget.ES2016 && /\basync\b/.test(outputText)) throw new Error('ES2016 output still has native async');
  const module = { exports: undefined as unknown };
  new Function('module', 'exports', 'user', 'nest', outputText)(module, {}, user, nest);
  return module.exports as AnyVerifyFunction;
}

async function throughStrategy(sim: Simulator, verify: AnyVerifyFunction, withRequest: boolean) {
  const h = createHarness(sim, withRequest ? { passReqToCallback: true } : {}, verify);
  const res = await signIn(sim, h.agent, 1);
  if (res.status >= 500) return { error: res.body.error.message as string };
  const me = (await h.agent.get('/me')).body.user;
  if (me) return { user: me };
  return { refused: ((await h.agent.get('/login')).body.messages as string[]).join('') };
}

async function throughPasswordStrategy(sim: Simulator, verify: AnyVerifyFunction, withRequest: boolean) {
  sim.addClient({ clientId: 'forms-pw', clientSecret: 'forms-pw-secret-value', redirectUris: ['http://app.test/cb'] });
  const passport = new Passport();
  passport.use(
    new PasswordStrategy(
      { clientID: 'forms-pw', clientSecret: 'forms-pw-secret-value', baseURL: sim.baseURL, timeout: 2_000, passReqToCallback: withRequest },
      verify,
    ),
  );
  passport.serializeUser((u, done) => done(null, u));
  passport.deserializeUser((u: Express.User, done) => done(null, u));
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ secret: 'forms', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/login', passport.authenticate('7geese-password', { failureMessage: true, failureRedirect: '/login' }), (_req, res) => res.redirect('/me'));
  app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
  app.get('/login', (req, res) => res.json({ messages: (req.session as { messages?: string[] }).messages ?? [] }));
  const onError: ErrorRequestHandler = (err: Error, _req, res, _next) => void res.status(502).json({ error: { message: err.message } });
  app.use(onError);
  const agent = request.agent(app);
  const res = await agent.post('/login').type('form').send({ email: 'ada@example.com', password: 'ada-password' });
  if (res.status >= 500) return { error: res.body.error.message as string };
  const me = (await agent.get('/me')).body.user;
  if (me) return { user: me };
  return { refused: ((await agent.get('/login')).body.messages as string[]).join('') };
}

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

const strategies = { Strategy: throughStrategy, PasswordStrategy: throughPasswordStrategy };
const targets = { ES2022: ts.ScriptTarget.ES2022, ES2016: ts.ScriptTarget.ES2016 };

for (const [strategyName, run] of Object.entries(strategies)) {
  for (const [targetName, target] of Object.entries(targets)) {
    for (const withRequest of [false, true]) {
      describe(`${strategyName}, verify compiled to ${targetName}${withRequest ? ', passReqToCallback' : ''}`, () => {
        for (const form of forms) {
          it(form.name, async () => {
            const outcome = await run(sim, compile(form.source, target, withRequest), withRequest);
            if ('user' in form.expected) {
              const want = withRequest ? { ...form.expected.user, req: true } : form.expected.user;
              expect(outcome).toEqual({ user: want });
            } else if ('refused' in form.expected) {
              expect(outcome).toEqual({ refused: form.expected.refused });
            } else {
              expect(outcome).toHaveProperty('error');
              expect((outcome as { error: string }).error).toMatch(form.expected.error);
            }
          });
        }
      });
    }
  }
}
