// requireScopes: the step-up middleware, in a real Express app with express-session, Passport
// (a `new Passport()` instance, and the global one) and the Strategy against the simulator.
import express, { type ErrorRequestHandler, type Request } from 'express';
import session from 'express-session';
import globalPassport, { Passport } from 'passport';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Strategy, requireScopes, type Profile, type RequireScopesOptions, type VerifyDone, type VerifyParams } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { CALLBACK_URL, registerClient } from './helpers/harness.js';

declare module 'express-session' {
  interface SessionData {
    scopes: string[];
  }
}

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

type Options = Partial<RequireScopesOptions<Request>>;

/**
 * An app whose session keeps the granted scopes: `/as?scopes=…` signs in with them (the session
 * id changes, as at a real sign-in); the real callback keeps `params.scopes` and goes to
 * `state.returnTo`, or shows `info.state` when there is none.
 */
function createApp(passport: InstanceType<typeof Passport> = new Passport(), options: Options = {}) {
  const strategy = new Strategy(
    { ...registerClient(sim), callbackURL: CALLBACK_URL, baseURL: sim.baseURL, scope: 'userprofile:read objective:read' },
    (_a: string, _r: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone) => done(null, { id: profile.id }, { scopes: params.scopes, missing: params.missingScopes }),
  );
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const declined: string[][] = [];
  const base = {
    passport,
    granted: (req: Request) => req.session.scopes,
    onDeclined: (_req: Request, res: unknown, _next: unknown, missing: string[]) => {
      declined.push(missing);
      (res as express.Response).status(403).send(`declined ${missing.join(' ')}`);
    },
    ...options,
  };

  const app = express();
  app.use(session({ secret: 'step-up-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.get('/as', (req, res, next) => {
    const scopes = String(req.query.scopes ?? '').split(' ').filter(Boolean);
    req.logIn({ id: 'someone' }, { keepSessionInfo: true, session: true }, (err) => {
      if (err) return next(err);
      req.session.scopes = scopes;
      res.send('signed in');
    });
  });
  app.get('/auth/7geese/callback', (req, res, next) => {
    passport.authenticate('7geese', (err: unknown, user: Express.User | false, info: { scopes?: string[]; missing?: string[]; state?: { returnTo?: string } }) => {
      if (err) return next(err);
      if (!user) return res.status(403).send('not signed in');
      req.logIn(user, { keepSessionInfo: true, session: true }, (e) => {
        if (e) return next(e);
        req.session.scopes = info.scopes!;
        if (info.state?.returnTo) return res.redirect(info.state.returnTo);
        res.json({ state: info.state, missing: info.missing });
      });
    })(req, res, next);
  });
  app.get('/report', requireScopes('objective:read', base), (_req, res) => res.send('report'));
  app.get('/write', requireScopes(['objective:write'], base), (_req, res) => res.send('write page'));
  app.post(
    '/objectives/1',
    express.urlencoded({ extended: false }),
    requireScopes({ objective: ['write'] }, { ...base, returnTo: () => '/objectives', state: (req) => ({ progress: req.body.progress }) }),
    (_req, res) => res.send('saved'),
  );
  const onError: ErrorRequestHandler = (err: Error & { code?: string; status?: number }, _req, res, _next) => {
    res.status(err.status ?? 500).json({ name: err.name, code: err.code, message: err.message });
  };
  app.use(onError);
  return { app, agent: request.agent(app), declined };
}

/** Answers the simulator's consent page for the authorize URL the app redirected to; returns the callback path. */
async function approve(location: string, userId = sim.users[0]!.id): Promise<string> {
  const form = new URLSearchParams(new URL(location).searchParams);
  form.delete('approval_prompt');
  form.set('user', String(userId));
  form.set('allow', 'Approve');
  const res = await fetch(`${sim.baseURL}/o/authorize/`, { method: 'POST', body: form, redirect: 'manual' });
  const back = new URL(res.headers.get('location')!);
  return back.pathname + back.search;
}

describe('requireScopes', () => {
  it('sends a person whose token lacks the scope to 7Geese for the union of both, with approval_prompt=auto', async () => {
    const { agent } = createApp();
    await agent.get('/as').query({ scopes: 'userprofile:read objective:read' });
    const res = await agent.get('/write');
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location as string);
    expect(url.origin + url.pathname).toBe(`${sim.baseURL}/o/authorize/`);
    expect(url.searchParams.get('scope')).toBe('userprofile:read objective:read objective:write');
    expect(url.searchParams.get('approval_prompt')).toBe('auto');
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{24}$/);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('lets a person whose token has the scope through to the route', async () => {
    const { agent } = createApp();
    await agent.get('/as').query({ scopes: 'userprofile:read objective:read objective:write' });
    expect((await agent.get('/write')).text).toBe('write page');
    expect((await agent.get('/report')).text).toBe('report');
  });

  it('treats an "all" grant as having every scope', async () => {
    const { agent } = createApp();
    await agent.get('/as').query({ scopes: 'all' });
    expect((await agent.get('/write')).text).toBe('write page');
  });

  it('asks for "all" alone when the route needs "all"', async () => {
    const passport = new Passport();
    const { app } = createApp(passport);
    app.get('/admin', requireScopes('all', { passport, granted: (req: Request) => req.session.scopes }), (_req, res) => res.send('admin'));
    const agent = request.agent(app);
    await agent.get('/as').query({ scopes: 'userprofile:read' });
    const res = await agent.get('/admin');
    expect(new URL(res.headers.location as string).searchParams.get('scope')).toBe('all');
  });

  it('leaves scopes it does not know out of the request, and counts a person with no token as having none', async () => {
    const { agent } = createApp();
    await agent.get('/as').query({ scopes: 'userprofile:read calendar:read' });
    const res = await agent.get('/write');
    expect(new URL(res.headers.location as string).searchParams.get('scope')).toBe('userprofile:read objective:write');
    const anonymous = await request(createApp().app).get('/write');
    expect(new URL(anonymous.headers.location as string).searchParams.get('scope')).toBe('objective:write');
  });

  it('brings a GET back to the same URL once 7Geese grants the scope', async () => {
    const { agent } = createApp();
    await agent.get('/as').query({ scopes: 'userprofile:read objective:read' });
    const started = await agent.get('/write?tab=2');
    const back = await agent.get(await approve(started.headers.location as string));
    expect(back.status).toBe(302);
    expect(back.headers.location).toBe('/write?tab=2');
    const page = await agent.get('/write?tab=2');
    expect(page.text).toBe('write page');
  });

  it('does not ask 7Geese again when a GET comes back from a sign-in still without the scope, and asks on the next request', async () => {
    const { agent, declined } = createApp();
    await agent.get('/as').query({ scopes: 'userprofile:read objective:read' });
    const started = await agent.get('/write');
    // 7Geese grants less than was asked for: its token response names only the old scopes.
    const user = sim.users[0]!;
    const fewer = sim.store.issueTokens('harness-client', user.id, ['userprofile:read', 'objective:read']);
    sim.fault('token', { status: 200, body: JSON.stringify(fewer), headers: { 'Content-Type': 'application/json' }, times: 1 });
    const back = await agent.get(await approve(started.headers.location as string));
    expect(back.headers.location).toBe('/write');
    const again = await agent.get('/write');
    expect(again.status).toBe(403);
    expect(again.text).toBe('declined objective:write');
    expect(declined).toEqual([['objective:write']]);
    // The person chose to try again: that is a new question for 7Geese, not a loop.
    const retry = await agent.get('/write');
    expect(retry.status).toBe(302);
    expect(retry.headers.location).toContain('/o/authorize/');
  });

  it('asks again after a refused or abandoned consent, since no sign-in completed', async () => {
    const { agent, declined } = createApp();
    await agent.get('/as').query({ scopes: 'userprofile:read' });
    expect((await agent.get('/write')).status).toBe(302);
    const again = await agent.get('/write');
    expect(again.status).toBe(302);
    expect(again.headers.location).toContain('/o/authorize/');
    expect(declined).toEqual([]);
  });

  it('answers a decline with a 403 insufficient_scope error when there is no onDeclined', async () => {
    const { agent } = createApp(new Passport(), { onDeclined: undefined });
    await agent.get('/as').query({ scopes: 'userprofile:read' });
    await agent.get('/write');
    await agent.get('/as').query({ scopes: 'userprofile:read' });
    const res = await agent.get('/write');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      name: 'SevenGeeseError',
      code: 'insufficient_scope',
      message: '7Geese did not grant objective:write when asked. Show the person a page that says so (the "onDeclined" option of requireScopes); the next request asks again.',
    });
  });

  it('returns a POST to the page returnTo names, with the state the app adds, and never reads a body field "code" as 7Geese\'s answer', async () => {
    const { agent } = createApp();
    await agent.get('/as').query({ scopes: 'userprofile:read objective:read' });
    const started = await agent.post('/objectives/1').type('form').send({ progress: '60', code: 'not-an-authorization-code' });
    expect(started.status).toBe(302);
    expect(new URL(started.headers.location as string).searchParams.get('scope')).toBe('userprofile:read objective:read objective:write');
    const back = await agent.get(await approve(started.headers.location as string));
    expect(back.headers.location).toBe('/objectives');
    const saved = await agent.post('/objectives/1').type('form').send({ progress: '60' });
    expect(saved.text).toBe('saved');
  });

  it('hands passport.authenticate the union, the prompt and a state with returnTo, stepUp and the app\'s fields, and drops a returnTo off this site', async () => {
    const calls: unknown[] = [];
    const fake: RequireScopesOptions['passport'] = {
      authenticate: (name, options) => ((_req: unknown, res: express.Response) => {
        calls.push({ name, options });
        res.send('started');
      }) as never,
    };
    const app = express();
    app.use((req, _res, next) => {
      (req as unknown as { session: object }).session = {};
      next();
    });
    app.get('/a', requireScopes(['objective:write', 'review:read'], { passport: fake, granted: () => ['objective:read', 'feedback:read'], strategy: 'seven', state: () => ({ item: 7, returnTo: '/ignored' }) }), (_q, r) => r.end());
    app.get('/b', requireScopes('objective:write', { passport: fake, granted: () => [], returnTo: () => 'https://evil.example/' }), (_q, r) => r.end());
    app.post('/c', requireScopes('objective:write', { passport: fake, granted: () => [] }), (_q, r) => r.end());
    app.get('/d', requireScopes('objective:write', { passport: fake, granted: () => [], returnTo: () => '/.//evil.example/' }), (_q, r) => r.end());
    await request(app).get('/a?x=1');
    await request(app).get('/b');
    await request(app).post('/c');
    await request(app).get('/d');
    expect(calls).toEqual([
      { name: 'seven', options: { scope: ['feedback:read', 'objective:read', 'objective:write', 'review:read'], approvalPrompt: 'auto', state: { item: 7, returnTo: '/a?x=1', stepUp: ['objective:write', 'review:read'] } } },
      { name: '7geese', options: { scope: ['objective:write'], approvalPrompt: 'auto', state: { stepUp: ['objective:write'] } } },
      { name: '7geese', options: { scope: ['objective:write'], approvalPrompt: 'auto', state: { stepUp: ['objective:write'] } } },
      { name: '7geese', options: { scope: ['objective:write'], approvalPrompt: 'auto', state: { stepUp: ['objective:write'] } } },
    ]);
  });

  it('works with the global passport as well as a new Passport()', async () => {
    const { agent } = createApp(globalPassport);
    await agent.get('/as').query({ scopes: 'userprofile:read' });
    const res = await agent.get('/write');
    expect(new URL(res.headers.location as string).searchParams.get('scope')).toBe('userprofile:read objective:write');
    globalPassport.unuse('7geese');
  });

  it('passes a throwing or malformed "granted", or a "state" that is not an object, to next as an error', async () => {
    const passport = new Passport();
    const app = express();
    app.get('/t', requireScopes('objective:read', { passport, granted: () => { throw new Error('no store'); } }), (_q, r) => r.end());
    app.get('/s', requireScopes('objective:read', { passport, granted: () => 'objective:read' as never }), (_q, r) => r.end());
    app.get('/u', requireScopes('objective:read', { passport, granted: () => [], state: () => 'progress=5' as never }), (_q, r) => r.end());
    app.use(((err: Error, _req, res, _next) => res.status(500).send(`${err.name}: ${err.message}`)) as ErrorRequestHandler);
    expect((await request(app).get('/t')).text).toBe('Error: no store');
    expect((await request(app).get('/s')).text).toBe('TypeError: requireScopes: "granted" must return an array of scopes, got string.');
    expect((await request(app).get('/u')).text).toBe('TypeError: requireScopes: "state" must return an object of fields to add to the sign-in\'s state, got string.');
  });

  it('refuses bad scopes and options with a TypeError that names them', () => {
    const passport = new Passport();
    const granted = () => [];
    expect(() => requireScopes('objectives:write', { passport, granted })).toThrow(
      new TypeError('requireScopes(scopes): unknown scope "objectives:write". A 7Geese scope is "all" or RESOURCE:read / RESOURCE:write, where RESOURCE is one of userprofile, network, department, recognition, oneonone, feedback, privatenote, objective, review.'),
    );
    expect(() => requireScopes([], { passport, granted })).toThrow(new TypeError('requireScopes(scopes) is empty. Ask for at least one scope, for example "userprofile:read".'));
    expect(() => requireScopes('objective:write', undefined as never)).toThrow(new TypeError("requireScopes needs options: { passport, granted: (req) => the scopes of the person's token }."));
    expect(() => requireScopes('objective:write', { granted } as never)).toThrow(
      new TypeError('requireScopes: the "passport" option must be the Passport instance the 7Geese strategy is registered with (the global passport, or your new Passport()).'),
    );
    expect(() => requireScopes('objective:write', { passport, granted: ['objective:read'] } as never)).toThrow(
      new TypeError('requireScopes: the "granted" option must be a function that returns the scopes of the signed-in person\'s token, such as (req) => req.session.tokens?.scopes.'),
    );
    expect(() => requireScopes('objective:write', { passport, granted, strategy: '' })).toThrow(
      new TypeError("requireScopes: the \"strategy\" option must be the name the strategy is registered under, such as '7geese'."),
    );
    expect(() => requireScopes('objective:write', { passport, granted, returnTo: '/objectives' as never })).toThrow(new TypeError('requireScopes: the "returnTo" option must be a function, got string.'));
    expect(() => requireScopes('objective:write', { passport, granted, onDeclined: true as never })).toThrow(new TypeError('requireScopes: the "onDeclined" option must be a function, got boolean.'));
  });
});
