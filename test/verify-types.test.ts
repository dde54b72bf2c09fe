// The verify callback's types promise only what passport-oauth2's arity rule does at run time.
// A strict TypeScript app is compiled against the built package (`npm test` builds first): the
// forms the rule serves compile, and a params-form function that leaves out `done` (which the
// rule calls with the profile third and `done` fourth, failing the sign-in) does not.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { typeErrors } from './helpers/type-errors.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
// Inside the repository, so that 'passport-7geese' resolves to the build, as in an app.
const dir = join(root, 'test/artifacts/verify-types');

const header = `import { PasswordStrategy, Strategy, type Profile, type StrategyOptions, type StrategyRequest, type VerifyDone, type VerifyFunction, type VerifyFunctionWithRequest, type VerifyParams } from 'passport-7geese';
const options = { clientID: 'id', clientSecret: 'secret', callbackURL: '/auth/7geese/callback' };
const withRequest = { ...options, passReqToCallback: true as const };
const password = { clientID: 'id', clientSecret: 'secret' };
`;

const files: Record<string, string> = {
  'good.ts': `${header}
new Strategy(options, async (accessToken, refreshToken, profile) => {
  const token: string = accessToken;
  const refresh: string | undefined = refreshToken;
  const p: Profile = profile;
  return { id: p.id, token, refresh };
});
new Strategy(options, (_accessToken, _refreshToken, profile, done) => {
  const d: VerifyDone = done;
  d(null, { id: profile.id });
});
new Strategy(options, async (_a: string, _r: string | undefined, params: VerifyParams, profile: Profile, _done: VerifyDone) => ({ id: profile.id, tokens: params.tokens }));
new Strategy(options, (_a: string, _r: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone) => done(null, { id: profile.id, scopes: params.scopes }));
new Strategy(withRequest, async (req, _accessToken, _refreshToken, profile) => {
  const r: StrategyRequest = req;
  return { id: profile.id, r };
});
new Strategy(withRequest, async (_req: StrategyRequest, _a: string, _r: string | undefined, params: VerifyParams, profile: Profile, _done: VerifyDone) => ({ id: profile.id, tokens: params.tokens }));
const verify: VerifyFunction = async (_accessToken, _refreshToken, profile) => ({ id: profile.id });
new Strategy(options, verify);
const paramsVerify: VerifyFunction<'params'> = async (_accessToken, _refreshToken, params, profile, _done) => ({ id: profile.id, tokens: params.tokens });
new Strategy(options, paramsVerify);
const requestVerify: VerifyFunctionWithRequest<'params'> = (_req, _accessToken, _refreshToken, params, _profile, done) => done(null, { id: params.access_token });
new Strategy(withRequest, requestVerify);
new PasswordStrategy(password, async (_accessToken, _refreshToken, profile) => ({ id: profile.id }));
new PasswordStrategy(password, async (_a: string, _r: string | undefined, params: VerifyParams, profile: Profile, _done: VerifyDone) => ({ id: profile.id, tokens: params.tokens }));
const built: StrategyOptions = { ...options, passReqToCallback: process.env.WITH_REQ === '1' };
new Strategy(built, verify);
declare const either: VerifyFunction<'profile' | 'params'>;
new Strategy(options, either);
new Strategy(built, either);
class Mine extends Strategy {
  constructor() {
    super(options, async (_accessToken, _refreshToken, profile) => ({ id: profile.id }));
  }
}
// NestJS's PassportStrategy(Strategy) takes any class: \`new (...args: any[]) => T\`.
const asType: new (...args: any[]) => Strategy = Strategy;
export { Mine, asType };
`,
  'trap.ts': `${header}
new Strategy(options, async (_accessToken: string, _refreshToken: string | undefined, params: VerifyParams, profile: Profile) => ({ id: profile.id, tokens: params.tokens }));
`,
  'trap-with-request.ts': `${header}
new Strategy(withRequest, async (_req: StrategyRequest, _accessToken: string, _refreshToken: string | undefined, params: VerifyParams, profile: Profile) => ({ id: profile.id, tokens: params.tokens }));
`,
  'trap-password.ts': `${header}
new PasswordStrategy(password, async (_accessToken: string, _refreshToken: string | undefined, params: VerifyParams, profile: Profile) => ({ id: profile.id, tokens: params.tokens }));
`,
  'trap-built-options.ts': `${header}
const built: StrategyOptions = options;
new Strategy(built, async (_accessToken: string, _refreshToken: string | undefined, params: VerifyParams, profile: Profile) => ({ id: profile.id, tokens: params.tokens }));
`,
};

/** Each file's type errors, as "line N: message". */
let errors = new Map<string, string[]>();

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code);
  errors = typeErrors(Object.keys(files).map((name) => join(dir, name)));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorsOf = (name: string): string[] => errors.get(join(dir, name)) ?? [];
const lastLine = (name: string): number => files[name]!.trimEnd().split('\n').length;

describe('the verify callback under strict TypeScript, against the built package', () => {
  it('compiles every form the arity rule serves: profile with a promise or done, five annotated parameters, req first, typed variables, PasswordStrategy, built options, a subclass', () => {
    expect(errorsOf('good.ts')).toEqual([]);
    expect(Object.keys(Object.fromEntries(errors)).filter((f) => !f.startsWith(dir))).toEqual([]);
  });

  it.each(['trap.ts', 'trap-password.ts', 'trap-with-request.ts', 'trap-built-options.ts'])(
    'refuses to compile %s: a params-form function annotated with VerifyParams that does not declare done',
    (name) => {
      const found = errorsOf(name);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(new RegExp(`^line ${lastLine(name)}: No overload matches this call\\.`));
    },
  );

  it('says what to do when the options are written out without req: declare all five parameters', () => {
    for (const name of ['trap.ts', 'trap-password.ts']) {
      expect(errorsOf(name)[0]).toContain("'declare all five parameters, done too: with four, verify gets (accessToken, refreshToken, profile, done)'");
    }
  });
});
