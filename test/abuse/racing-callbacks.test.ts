// Two callbacks for one sign-in arriving together (a consent form posted twice gives two codes
// for one state): with express-session's MemoryStore both requests load their own copy of the
// session before either saves it. The state must still sign in at most once. Issue 12, item 2.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { consent, createHarness, finish, startSignIn } from '../helpers/harness.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

describe('racing callbacks with the default session store', () => {
  it('two callbacks with one state sign in once, however they race', async () => {
    const h = createHarness(sim);
    const pairs = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const agent = request.agent(h.app);
        const authorize = await startSignIn(agent);
        // The consent form posted twice: two codes, one state.
        const first = await consent(sim, authorize, sim.users[0]!.id);
        const second = await consent(sim, authorize, sim.users[0]!.id);
        expect(first.searchParams.get('state')).toBe(second.searchParams.get('state'));
        return { agent, first, second };
      }),
    );
    const answers = await Promise.all(pairs.flatMap(({ agent, first, second }) => [finish(agent, first), finish(agent, second)]));
    const signedIn = answers.filter((res) => res.headers.location === '/me');
    expect(signedIn).toHaveLength(20);
    expect(h.verifyCalls).toHaveLength(20);
    expect(answers.filter((res) => res.headers.location === '/login')).toHaveLength(20);
  });

  it('one browser session is never signed in as two people by racing callbacks', async () => {
    const h = createHarness(sim);
    const [alice, bob] = [sim.users[0]!, sim.users[1]!];
    const authorize = await startSignIn(h.agent);
    const asAlice = await consent(sim, authorize, alice.id);
    const asBob = await consent(sim, authorize, bob.id);
    await Promise.all([finish(h.agent, asAlice), finish(h.agent, asBob)]);
    expect(h.verifyCalls).toHaveLength(1);
    const me = (await h.agent.get('/me')).body.user;
    expect(me.id).toBe(h.verifyCalls[0]!.profile.id);
  });
});
