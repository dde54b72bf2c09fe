// JSON nested absurdly deep, from every 7Geese endpoint we parse: refused with a clear error
// before it can reach the app (profile._json, a session store). Issue 12, item 7.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SevenGeeseClient, type Profile } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { createHarness, signIn } from '../helpers/harness.js';
import { sendJSON, startHostile, type HostileServer } from './hostile-server.js';

let sim: Simulator;
let server: HostileServer | undefined;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
  await server?.close();
  server = undefined;
});

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const json = (body: string) => ({ status: 200, headers: { 'content-type': 'application/json' }, body });

/** A verify that keeps the whole profile in the session, as many apps do. */
const keepProfile = async (_a: string, _r: string | undefined, profile: Profile) => ({ id: profile.id, profile });

describe('deeply nested JSON from 7Geese', () => {
  it('a profile field nested 50 000 deep is refused as invalid_profile, and the request answers', async () => {
    const h = createHarness(sim, {}, keepProfile);
    sim.fault('users/me', json(`{"id": 7, "email": "deep@example.com", "team": ${nested(50_000)}}`));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ name: 'SevenGeeseResponseError', code: 'invalid_profile' });
    expect(res.body.error.message).toContain('nested more than 32 levels deep');
    expect((await h.agent.get('/me')).body.user).toBeNull();
  }, 10_000);

  it('a profile nested as deep as 7Geese really nests still signs in with its _json', async () => {
    const h = createHarness(sim, {}, keepProfile);
    const deepButFine = `{"id": 8, "email": "ok@example.com", "team": ${nested(30)}}`;
    sim.fault('users/me', json(deepButFine));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.headers.location).toBe('/me');
    const user = (await h.agent.get('/me')).body.user;
    expect(user.profile).toMatchObject({ id: '8', emails: [{ value: 'ok@example.com' }], _json: { id: 8 } });
  });

  it('brackets inside strings do not count as nesting', async () => {
    const h = createHarness(sim, {}, keepProfile);
    sim.fault('users/me', json(JSON.stringify({ id: 9, bio: '['.repeat(1000), quote: '\\"[[[' })));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.headers.location).toBe('/me');
  });

  it('a token response nested deep is refused as invalid_response', async () => {
    const h = createHarness(sim);
    sim.fault('token', json(`{"access_token": "abc", "x": ${nested(100_000)}}`));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.body.error).toMatchObject({ name: 'SevenGeeseResponseError', code: 'invalid_response' });
    expect(res.body.error.message).toContain('nested more than 32 levels deep');
  });

  it('an API answer nested deep is refused by SevenGeeseClient', async () => {
    server = await startHostile((_req, res) => sendJSON(res, 200, `{"results": ${nested(40)}}`));
    const client = new SevenGeeseClient({ accessToken: 'a-token', baseURL: server.baseURL });
    await expect(client.get('/objectives/')).rejects.toMatchObject({ name: 'SevenGeeseResponseError', code: 'invalid_response' });
    await expect(client.graphql('{ me { id } }')).rejects.toMatchObject({ code: 'invalid_response' });
  });
});
