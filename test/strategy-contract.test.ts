// The options that both strategies share, held to the same behaviour in both: skipUserProfile
// as a value, a sync function and an async function of the access token, and a userProfile
// override, which each strategy honours.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordStrategy, Strategy, type Profile } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { bothStrategies } from './helpers/both-strategies.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

const verify = async (_a: string, _r: string | undefined, profile: Profile | undefined) => ({ profile: profile ? profile.emails[0]?.value : 'skipped' });

for (const [name, run] of Object.entries(bothStrategies)) {
  describe(`${name}: shared options`, () => {
    it('skipUserProfile: true hands verify no profile and never asks 7Geese for it', async () => {
      expect(await run(sim, verify, { skipUserProfile: true })).toEqual({ user: { profile: 'skipped' } });
      expect(sim.requests.some((r) => r.path.startsWith('/api/'))).toBe(false);
    });

    it('skipUserProfile as a function gets the access token', async () => {
      const seen: string[] = [];
      const outcome = await run(sim, verify, { skipUserProfile: (token: string) => (seen.push(token), true) });
      expect(outcome).toEqual({ user: { profile: 'skipped' } });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatch(/^\S{20,}$/);
    });

    it('skipUserProfile as an async function is awaited: resolving false loads the profile', async () => {
      expect(await run(sim, verify, { skipUserProfile: async () => false })).toEqual({ user: { profile: 'ada@example.com' } });
      expect(await run(sim, verify, { skipUserProfile: async () => true })).toEqual({ user: { profile: 'skipped' } });
    });

    it('a failing skipUserProfile is an error, not a sign-in', async () => {
      const outcome = await run(sim, verify, { skipUserProfile: async () => { throw new Error('feature flags down'); } });
      expect(outcome).toEqual({ error: 'feature flags down' });
    });
  });
}

describe('a userProfile override', () => {
  const emails = (p: Profile | undefined) => (p ? [p.emails[0]?.value, p._json.extra] : []);

  it('is honoured by both strategies, with super.userProfile loading the profile first', async () => {
    for (const Base of [Strategy, PasswordStrategy] as const) {
      const original = Base.prototype.userProfile;
      Base.prototype.userProfile = function (this: Strategy, accessToken: string, done: (err?: Error | null, p?: Profile) => void) {
        original.call(this, accessToken, (err?: Error | null, p?: Profile) => (err ? done(err) : done(null, { ...p!, _json: { ...p!._json, extra: Base.name } })));
      };
      try {
        const run = Base === Strategy ? bothStrategies.Strategy : bothStrategies.PasswordStrategy;
        expect(await run(sim, async (_a: string, _r: string | undefined, p: Profile) => ({ got: emails(p) }))).toEqual({ user: { got: ['ada@example.com', Base.name] } });
      } finally {
        Base.prototype.userProfile = original;
      }
    }
  });
});
