// passport-oauth2's contract, as apps and their tests rely on it, kept by our own flow: the
// `_oauth2` client stubbed or replaced, verify's arguments, the token-step errors, the override
// points, state stores of passport-oauth2's kind, the outcomes, and the authorize URL. The
// strategy is driven as Passport drives it, with no server and no network.
import { AuthorizationError, InternalOAuthError, Strategy as OAuth2Strategy, TokenError } from 'passport-oauth2';
import { describe, expect, it } from 'vitest';
import { PasswordStrategy, Strategy, type Profile, type StrategyOptions, type VerifyDone, type VerifyParams } from '../src/index.js';

type Outcome =
  | { success: { user: unknown; info: unknown } }
  | { fail: { info: unknown; status: number | undefined } }
  | { error: Error }
  | { redirect: string };

interface Req {
  headers: Record<string, string>;
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
  session?: Record<string, unknown>;
}

/** One pass of `authenticate` as Passport makes it: on a copy of the strategy with its actions. */
function run(strategy: object, req: Req, options: Record<string, unknown> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = Object.create(strategy) as Strategy & Record<string, unknown>;
    s.success = (user: unknown, info: unknown) => resolve({ success: { user, info } });
    s.fail = (info: unknown, status?: number) => resolve({ fail: { info, status } });
    s.error = (err: Error) => resolve({ error: err });
    s.redirect = (url: string) => resolve({ redirect: url });
    s.authenticate(req as never, options);
  });
}

const OPTIONS = { clientID: 'client-1', clientSecret: 'secret-1', callbackURL: 'https://app.test/cb', baseURL: 'https://7geese.invalid' } as const;
const PROFILE = JSON.stringify({ id: 42, username: 'ada', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' });

/** Stubs `_oauth2` as passport-oauth2 apps' tests do; every call is recorded, none leaves the process. */
function stub(strategy: Strategy | PasswordStrategy, answer: { err?: unknown; accessToken?: string; refreshToken?: string; params?: Record<string, unknown> } = {}) {
  const calls: { token: Array<[string, Record<string, unknown>]>; get: string[] } = { token: [], get: [] };
  const client = strategy._oauth2 as unknown as Loose;
  client.getOAuthAccessToken = (code, params, callback) => {
    calls.token.push([code, params]);
    if (answer.err) return callback(answer.err);
    callback(null, answer.accessToken ?? 'at-1', answer.refreshToken ?? 'rt-1', (answer.params ?? { token_type: 'Bearer' }) as never);
  };
  client.get = (url, _token, callback) => {
    calls.get.push(url);
    callback(null, PROFILE);
  };
  return calls;
}

/** A started sign-in's state and the session that holds it. */
async function started(strategy: Strategy, options: Record<string, unknown> = {}): Promise<{ session: Record<string, unknown>; state: string; url: URL }> {
  const session = {};
  const out = await run(strategy, { headers: { host: 'app.test' }, query: {}, session }, options);
  if (!('redirect' in out)) throw new Error(`expected a redirect, got ${JSON.stringify(out)}`);
  const url = new URL(out.redirect);
  return { session, state: url.searchParams.get('state')!, url };
}

async function signIn(strategy: Strategy, options: Record<string, unknown> = {}): Promise<Outcome> {
  const { session, state } = await started(strategy, options);
  return run(strategy, { headers: { host: 'app.test' }, query: { code: 'code-1', state }, session }, options);
}

const keep = (...args: unknown[]) => ({ args });

/** node-oauth's two methods, as a test writes stubs of them. */
interface Loose {
  getOAuthAccessToken(code: string, params: Record<string, unknown>, callback: (err: unknown, accessToken?: string, refreshToken?: string, params?: object) => void): void;
  get(url: string, token: string, callback: (err: unknown, body?: string) => void): void;
}

describe('the _oauth2 client, stubbed or replaced as in any passport-oauth2 strategy', () => {
  it('signs in with getOAuthAccessToken and get stubbed, without a network, verify getting what they answered', async () => {
    const strategy = new Strategy({ ...OPTIONS }, (accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone) => done(null, keep(accessToken, refreshToken, params.custom, profile.id, params.tokens.accessToken, params.tokens.refreshToken)));
    const calls = stub(strategy, { accessToken: 'stub-at', refreshToken: 'stub-rt', params: { access_token: 'not-this-one', custom: 'x' } });
    const out = await signIn(strategy, { state: { returnTo: '/here' } });
    expect(out).toEqual({ success: { user: { args: ['stub-at', 'stub-rt', 'x', '42', 'stub-at', 'stub-rt'] }, info: { state: { returnTo: '/here' } } } });
    expect(calls.get).toEqual(['https://7geese.invalid/api/v/2.0/users/me/']);
    const [code, params] = calls.token[0]!;
    expect(code).toBe('code-1');
    expect(params).toMatchObject({ grant_type: 'authorization_code', redirect_uri: 'https://app.test/cb' });
    expect(params.code_verifier).toMatch(/^[\w-]{43}$/);
  });

  it('uses a test double put in place of _oauth2 for the code, the profile and refresh', async () => {
    const strategy = new Strategy({ ...OPTIONS }, async (a: string, _r: string | undefined, p) => ({ a, name: p.displayName }));
    const double = {
      _authorizeUrl: 'https://7geese.invalid/o/authorize/',
      _accessTokenUrl: 'https://7geese.invalid/o/token/',
      _clientId: 'client-1',
      getOAuthAccessToken: (code: string, params: { grant_type?: string }, cb: (e: unknown, a?: string, r?: string, p?: object) => void) =>
        cb(null, `${params.grant_type}:${code}`, 'rt-2', {}),
      get: (_url: string, _token: string, cb: (e: unknown, body?: string) => void) => cb(null, PROFILE),
    };
    (strategy as unknown as { _oauth2: unknown })._oauth2 = double;
    expect(await signIn(strategy)).toEqual({ success: { user: { a: 'authorization_code:code-1', name: 'Ada Lovelace' }, info: undefined } });
    await expect(strategy.refresh('old-rt')).resolves.toMatchObject({ accessToken: 'refresh_token:old-rt', refreshToken: 'rt-2' });
  });

  it('the password grant goes through getOAuthAccessToken too', async () => {
    const strategy = new PasswordStrategy({ clientID: 'c', clientSecret: 's', baseURL: 'https://7geese.invalid' }, async (a: string) => ({ a }));
    const calls = stub(strategy);
    const out = await run(strategy, { headers: {}, body: { email: 'ada@example.com', password: 'pw' } });
    expect(out).toEqual({ success: { user: { a: 'at-1' }, info: undefined } });
    expect(calls.token[0]![1]).toMatchObject({ grant_type: 'password', username: 'ada@example.com', password: 'pw' });
  });
});

describe('token-step errors, as passport-oauth2 makes them', () => {
  const failing = async (err: unknown, subclass?: (s: Strategy) => void) => {
    const strategy = new Strategy({ ...OPTIONS, state: false, pkce: false }, () => undefined as never);
    subclass?.(strategy);
    stub(strategy, { err });
    const out = await run(strategy, { headers: { host: 'app.test' }, query: { code: 'c' } });
    if (!('error' in out)) throw new Error(`expected an error, got ${JSON.stringify(out)}`);
    return out.error;
  };

  it("node-oauth's { statusCode, data } with an OAuth error body becomes a TokenError through parseErrorResponse", async () => {
    const err = await failing({ statusCode: 400, data: '{"error":"invalid_grant","error_description":"Code used"}' });
    expect(err).toBeInstanceOf(TokenError);
    expect(err).toMatchObject({ code: 'invalid_grant', message: 'Code used' });
  });

  it('any other failure is an InternalOAuthError holding it', async () => {
    const text = await failing({ statusCode: 500, data: 'Internal error' });
    expect(text).toBeInstanceOf(InternalOAuthError);
    const cause = new Error('socket hang up');
    const wrapped = await failing(cause);
    expect(wrapped).toBeInstanceOf(InternalOAuthError);
    expect((wrapped as InternalOAuthError).oauthError).toBe(cause);
  });

  it('an override of parseErrorResponse decides, and one that throws leaves InternalOAuthError', async () => {
    const custom = await failing({ statusCode: 400, data: 'x' }, (s) => (s.parseErrorResponse = (body, status) => new Error(`custom ${status} ${body}`)));
    expect(custom.message).toBe('custom 400 x');
    const thrown = await failing({ statusCode: 400, data: 'x' }, (s) => (s.parseErrorResponse = () => { throw new Error('nope'); }));
    expect(thrown).toBeInstanceOf(InternalOAuthError);
  });

  it("this library's own errors keep their class, which extends passport-oauth2's", async () => {
    const { SevenGeeseTokenError } = await import('../src/errors.js');
    const own = new SevenGeeseTokenError({ code: 'invalid_grant', endpoint: 'https://7geese.invalid/o/token/', status: 400 });
    const err = await failing(own);
    expect(err).toBe(own);
    expect(err).toBeInstanceOf(TokenError);
  });
});

describe('skipUserProfile in each of its forms', () => {
  const forms: Array<[string, unknown, boolean]> = [
    ['true', true, true],
    ['(accessToken) returning false', (t: string) => t !== 'at-1', false],
    ['(accessToken) resolving true', async (t: string) => t === 'at-1', true],
    ['(accessToken, done) answering true', (t: string, done: (e: null, skip: boolean) => void) => done(null, t === 'at-1'), true],
    ['(accessToken, done) answering false', (_t: string, done: (e: null, skip: boolean) => void) => setImmediate(() => done(null, false)), false],
  ];
  for (const [name, skipUserProfile, skipped] of forms) {
    it(`${name} ${skipped ? 'skips' : 'loads'} the profile`, async () => {
      const strategy = new Strategy({ ...OPTIONS, skipUserProfile } as StrategyOptions, async (_a: string, _r: string | undefined, p: Profile | undefined) => ({ profile: p?.id ?? 'none' }));
      const calls = stub(strategy);
      expect(await signIn(strategy)).toMatchObject({ success: { user: { profile: skipped ? 'none' : '42' } } });
      expect(calls.get.length).toBe(skipped ? 0 : 1);
    });
  }

  it('(accessToken, done) answering an error is the sign-in error', async () => {
    const strategy = new Strategy({ ...OPTIONS, skipUserProfile: ((_t: string, done: (e: Error) => void) => done(new Error('flags down'))) as never }, async () => ({}));
    stub(strategy);
    expect(await signIn(strategy)).toEqual({ error: new Error('flags down') });
  });
});

describe('override points', () => {
  it('authorizationParams, tokenParams, userProfile and _loadUserProfile of a subclass are called', async () => {
    class Custom extends Strategy {
      override authorizationParams(options: Record<string, unknown>): object {
        return { ...super.authorizationParams(options), audience: 'objectives' };
      }
      override tokenParams(): object {
        return { resource: 'api' };
      }
      override userProfile(accessToken: string, done: (err?: Error | null, profile?: never) => void): void {
        super.userProfile(accessToken, (err, p) => done(err, { ...p, extra: true } as never));
      }
      override _loadUserProfile(accessToken: string, done: (err?: Error | null, profile?: never) => void): void {
        super._loadUserProfile(accessToken, (err, p) => done(err, { ...p, loaded: true } as never));
      }
    }
    const strategy = new Custom({ ...OPTIONS }, async (_a: string, _r: string | undefined, p: Profile) => p as never);
    const calls = stub(strategy);
    const { url, session, state } = await started(strategy);
    expect(url.searchParams.get('audience')).toBe('objectives');
    const out = await run(strategy, { headers: { host: 'app.test' }, query: { code: 'c', state }, session });
    expect(out).toMatchObject({ success: { user: { id: '42', extra: true, loaded: true } } });
    expect(calls.token[0]![1]).toMatchObject({ resource: 'api', grant_type: 'authorization_code' });
  });
});

describe("passport-oauth2's state stores, state option and outcomes", () => {
  it('calls a custom store by its arity with meta, and returns its app state in info.state', async () => {
    const seen: unknown[][] = [];
    const store = {
      store(_req: unknown, verifier: string, state: unknown, meta: unknown, cb: (e: null, h: string) => void) {
        seen.push(['store', verifier, state, meta]);
        cb(null, `h:${verifier}`);
      },
      verify(_req: unknown, handle: string, meta: unknown, cb: (e: null, ok: string, state: unknown) => void) {
        seen.push(['verify', handle, meta]);
        cb(null, handle.slice(2), { from: 'store' });
      },
    };
    const strategy = new Strategy({ ...OPTIONS, store }, async (a: string) => ({ a }));
    const calls = stub(strategy);
    const out = await signIn(strategy, { state: { app: 1 } });
    const meta = { authorizationURL: 'https://7geese.invalid/o/authorize/', tokenURL: 'https://7geese.invalid/o/token/', clientID: 'client-1', callbackURL: 'https://app.test/cb' };
    expect(seen[0]).toEqual(['store', expect.stringMatching(/^[\w-]{43}$/), { app: 1 }, meta]);
    expect(seen[1]).toEqual(['verify', `h:${seen[0]![1]}`, meta]);
    expect(calls.token[0]![1].code_verifier).toBe(seen[0]![1]);
    expect(out).toEqual({ success: { user: { a: 'at-1' }, info: { state: { from: 'store' } } } });
  });

  it("a store of the older, shorter arities and its refusal's info, given with a 403", async () => {
    const store = {
      store: (_req: unknown, cb: (e: null, h: string) => void) => cb(null, 'fixed'),
      verify: (_req: unknown, handle: string, cb: (e: null, ok: boolean, info: object) => void) => cb(null, false, { message: `no ${handle}` }),
    };
    const strategy = new Strategy({ ...OPTIONS, pkce: false, store }, async () => ({}));
    stub(strategy);
    const { state } = await started(strategy);
    expect(state).toBe('fixed');
    expect(await run(strategy, { headers: { host: 'app.test' }, query: { code: 'c', state } })).toEqual({ fail: { info: { message: 'no fixed' }, status: 403 } });
  });

  it('accepts store: true and pkce: "S256", and refuses pkce: "plain" naming the option', async () => {
    const strategy = new Strategy({ ...OPTIONS, store: true, pkce: 'S256' }, async () => ({}));
    const { url } = await started(strategy);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(() => new Strategy({ ...OPTIONS, pkce: 'plain' as never }, async () => ({}))).toThrow(/option "pkce" must be true, false or "S256"/);
  });

  it('sends a string state option as it is when the strategy keeps no state, and refuses it when it does', async () => {
    const bare = new Strategy({ ...OPTIONS, state: false, pkce: false }, async () => ({}));
    expect((await started(bare, { state: 'app-own' })).url.searchParams.get('state')).toBe('app-own');
    const out = await run(new Strategy({ ...OPTIONS }, async () => ({})), { headers: { host: 'app.test' }, session: {} }, { state: 'app-own' });
    expect(out).toMatchObject({ error: { message: expect.stringMatching(/option "state" is a string/) } });
  });

  it('a state that was never issued fails with 403 and a code; a callback with code and state in the body signs in', async () => {
    const strategy = new Strategy({ ...OPTIONS }, async (a: string) => ({ a }));
    stub(strategy);
    const { session, state } = await started(strategy);
    expect(await run(strategy, { headers: { host: 'app.test' }, query: { code: 'c', state: 'forged' }, session })).toMatchObject({ fail: { info: { code: 'state_mismatch' }, status: 403 } });
    expect(await run(strategy, { headers: { host: 'app.test' }, query: {}, body: { code: 'c', state }, session })).toEqual({ success: { user: { a: 'at-1' }, info: undefined } });
  });

  it('an error other than access_denied is an AuthorizationError once the state is spent', async () => {
    const strategy = new Strategy({ ...OPTIONS }, async () => ({}));
    const { session, state } = await started(strategy);
    const out = await run(strategy, { headers: { host: 'app.test' }, query: { error: 'invalid_scope', state }, session });
    expect(out).toMatchObject({ error: { code: 'invalid_scope' } });
    expect((out as { error: Error }).error).toBeInstanceOf(AuthorizationError);
  });
});

describe('the authorize URL', () => {
  it("has passport-oauth2's parameter order and encoding", async () => {
    const options = { ...OPTIONS, authorizationURL: 'https://7geese.invalid/o/authorize/?preset=1', state: false, pkce: false, scope: 'userprofile:read objective:read' } as const;
    const extra = { "a b": "x y!*'()~é", n: 1, list: ['p', 'q'], nothing: null };
    class Ours extends Strategy {
      override authorizationParams(): object {
        return extra;
      }
    }
    class Theirs extends OAuth2Strategy {
      override authorizationParams(): object {
        return extra;
      }
    }
    const ours = await run(new Ours(options, async () => ({})), { headers: { host: 'app.test' }, query: {} });
    const theirs = await run(
      new Theirs({ ...options, tokenURL: 'https://7geese.invalid/o/token/', authorizationURL: options.authorizationURL }, () => undefined),
      { headers: { host: 'app.test' }, query: {} },
    );
    expect(ours).toEqual(theirs);
  });
});
