// Type-checked with tsconfig.es5.json only: the package's declarations under older settings
// (ES5 target, no esModuleInterop, no allowSyntheticDefaultImports, skipLibCheck off).
import { CookieStateStore, PasswordStrategy, SevenGeeseClient, SevenGeeseError, Strategy, type Profile, type VerifyDone } from 'passport-7geese';
import { startSimulator } from 'passport-7geese/testing';

export const strategy = new Strategy(
  { clientID: 'id', clientSecret: 'secret', callbackURL: '/auth/7geese/callback', store: new CookieStateStore({ secret: 'x'.repeat(32) }) },
  (accessToken: string, refreshToken: string | undefined, profile: Profile, done: VerifyDone) => done(null, { id: profile.id }),
);
export const password = new PasswordStrategy({ clientID: 'id', clientSecret: 'secret' }, (_a: string, _r: string | undefined, profile: Profile, done: VerifyDone) => done(null, { id: profile.id }));
export const client = (accessToken: string) => new SevenGeeseClient({ accessToken, strategy });
export const isOurs = (err: unknown): boolean => err instanceof SevenGeeseError;
export const simulator = startSimulator;
