// 200 sign-ins of 20 people at once, interleaved with denials and forged callbacks: every
// session ends with the right person or nobody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Profile } from '../../src/index.js';
import { startSimulator, type Simulator, type SimulatedUser } from '../../src/testing/index.js';
import { consent, createHarness, finish, startSignIn, type Agent } from '../helpers/harness.js';

const people: SimulatedUser[] = Array.from({ length: 20 }, (_, i) => ({
  id: 500 + i,
  email: `p${i}@example.com`,
  password: `pw-${i}`,
  first_name: 'P',
  last_name: String(i),
  username: `p${i}`,
}));

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ users: people });
});
afterAll(async () => {
  await sim.close();
});

type Plan = 'approve' | 'deny' | 'forged-state' | 'no-state' | 'refused-by-app';

async function run(agent: Agent, person: SimulatedUser, plan: Plan): Promise<void> {
  const url = await startSignIn(agent);
  const back = await consent(sim, url, person.id, plan === 'deny' ? 'Deny' : 'Approve');
  if (plan === 'forged-state') back.searchParams.set('state', 'x'.repeat(32));
  if (plan === 'no-state') back.searchParams.delete('state');
  await finish(agent, back);
}

describe('interleaved sign-ins', () => {
  it('200 concurrent sign-ins of 20 people end with the right person or none', async () => {
    const h = createHarness(sim, { timeout: 10_000 }, async (_a: string, _r: string | undefined, profile: Profile) => {
      // The app refuses one person: a failure in verify, not in OAuth.
      return profile.id === String(people[7]!.id) ? false : { id: profile.id };
    });
    const plans: Plan[] = ['approve', 'deny', 'approve', 'forged-state', 'approve', 'no-state', 'approve'];
    const runs = Array.from({ length: 200 }, (_, i) => ({
      agent: request.agent(h.app),
      person: people[i % 20]!,
      plan: (people[i % 20] === people[7] ? 'refused-by-app' : plans[i % plans.length]!) as Plan,
    }));
    await Promise.all(runs.map((r) => run(r.agent, r.person, r.plan === 'refused-by-app' ? 'approve' : r.plan)));
    const sessions = await Promise.all(runs.map((r) => r.agent.get('/me')));
    runs.forEach((r, i) => {
      const user = sessions[i]!.body.user;
      if (r.plan === 'approve') expect(user, `run ${i}`).toEqual({ id: String(r.person.id) });
      else expect(user, `run ${i} (${r.plan})`).toBeNull();
    });
    expect(runs.filter((r) => r.plan === 'approve').length).toBeGreaterThan(80);
  });
});
