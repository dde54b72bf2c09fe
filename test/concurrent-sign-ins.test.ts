import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startSimulator, type Simulator, type SimulatedUser } from '../src/testing/index.js';
import { createHarness, signIn } from './helpers/harness.js';

const users: SimulatedUser[] = Array.from({ length: 50 }, (_, i) => ({
  id: 100 + i,
  email: `person${i}@example.com`,
  password: `password-${i}`,
  first_name: `Person`,
  last_name: `Number${i}`,
  username: `person${i}`,
}));

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ users });
});
afterAll(async () => {
  await sim.close();
});

describe('many sign-ins at once', () => {
  it('50 concurrent sign-ins of different users each end with their own profile in their own session', async () => {
    const h = createHarness(sim, { timeout: 10_000 });
    const agents = users.map(() => request.agent(h.app));
    const results = await Promise.all(users.map((u, i) => signIn(sim, agents[i]!, u.id)));
    expect(results.map((r) => r.headers.location)).toEqual(users.map(() => '/me'));
    const sessions = await Promise.all(agents.map((a) => a.get('/me')));
    expect(sessions.map((s) => s.body.user?.email)).toEqual(users.map((u) => u.email));
    expect(new Set(h.verifyCalls.map((c) => c.accessToken)).size).toBe(50);
  });
});
