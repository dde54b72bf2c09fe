// 7Geese (or something pretending to be it) answering with hostile bodies: each is a clear
// error within the deadline, and nothing pollutes Object.prototype.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { createHarness, signIn, type Harness } from '../helpers/harness.js';
import { startHostile } from './hostile-server.js';

let sim: Simulator;
let h: Harness;
beforeEach(async () => {
  sim = await startSimulator();
  h = createHarness(sim, { timeout: 5_000 });
});
afterEach(async () => {
  await sim.close();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
});

const json = (body: string) => ({ status: 200, headers: { 'content-type': 'application/json' }, body });

async function profileAnswer(body: string) {
  sim.fault('users/me', json(body));
  const res = await signIn(sim, h.agent, sim.users[0]!.id);
  const me = await h.agent.get('/me');
  return { res, user: me.body.user };
}

describe('hostile answers from the profile endpoint', () => {
  it('deeply nested JSON is a clear error', async () => {
    const { res, user } = await profileAnswer(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('invalid_profile');
    expect(user).toBeNull();
  });

  it('__proto__ and constructor keys pollute nothing', async () => {
    const { res, user } = await profileAnswer(
      '{"id": 5, "__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "user": {"__proto__": {"polluted": 1}, "id": 5}}',
    );
    expect(res.headers.location).toBe('/me');
    expect(user.id).toBe('5');
    expect(h.verifyCalls[0]!.profile).not.toHaveProperty('polluted');
  });

  it('numbers where strings belong are ignored, not trusted', async () => {
    const { user } = await profileAnswer('{"id": 6, "email": 6, "first_name": 7, "last_name": ["x"], "username": {"a": 1}}');
    expect(user).toEqual({ id: '6', name: '6' });
  });

  it('a profile id that is an object is a clear error', async () => {
    const { res, user } = await profileAnswer('{"id": {"$ne": null}, "email": "x@example.com"}');
    expect(res.body.error).toMatchObject({ code: 'invalid_profile' });
    expect(user).toBeNull();
  });

  it('a body of 1 MiB and one byte is refused', async () => {
    const filler = 'x'.repeat(1024 * 1024 - '{"id":1,"p":""}'.length + 1);
    const { res } = await profileAnswer(`{"id":1,"p":"${filler}"}`);
    expect(res.body.error).toMatchObject({ code: 'response_too_large' });
  });

  it('a body of exactly 1 MiB is read', async () => {
    const filler = 'x'.repeat(1024 * 1024 - '{"id":1,"p":""}'.length);
    const { res } = await profileAnswer(`{"id":1,"p":"${filler}"}`);
    expect(res.headers.location).toBe('/me');
  });
});

describe('answers that never finish', () => {
  it('a body that never ends is an error, not a hang', async () => {
    sim.fault('users/me', { drip: { chunk: 'x'.repeat(1024), intervalMs: 1 } });
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.status).toBe(502);
    expect(['timeout', 'response_too_large']).toContain(res.body.error.code);
  });

  it('an answer far over 1 MiB is refused without reading further', async () => {
    // The server offers 64 MiB as fast as the client reads it; the client must stop reading and
    // close the connection soon after 1 MiB, long before the server has written it all.
    const TOTAL = 64 * 1024 * 1024;
    let written = 0;
    let finished = false;
    const huge = await startHostile((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': TOTAL });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = () => {
        while (written < TOTAL && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        if (written >= TOTAL) res.end(() => (finished = true));
      };
      more();
    });
    try {
      const greedy = createHarness(sim, { tokenURL: `${huge.baseURL}/o/token/` });
      const res = await signIn(sim, greedy.agent, sim.users[0]!.id);
      expect(res.body.error).toMatchObject({ code: 'response_too_large' });
      await huge.seen[0]!.closed;
      expect(finished).toBe(false);
      // What the server got into the socket: 1 MiB read, plus what the kernel's buffers held.
      expect(written).toBeLessThan(TOTAL / 4);
    } finally {
      await huge.close();
    }
  });

  it('a slow drip that starts at once and never stops times out at the deadline', async () => {
    // The first byte goes out as the request arrives and one follows every 20 ms, far inside the
    // deadline: a timer reset on each byte would never fire, and the sign-in would hang.
    let written = 0;
    const drip = await startHostile((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const write = () => res.write(' ', () => written++);
      write();
      const t = setInterval(write, 20);
      res.on('close', () => clearInterval(t));
    });
    try {
      const slow = createHarness(sim, { tokenURL: `${drip.baseURL}/o/token/`, timeout: 1_000 });
      const res = await signIn(sim, slow.agent, sim.users[0]!.id);
      expect(res.body.error).toMatchObject({ name: 'SevenGeeseTimeoutError', code: 'timeout' });
      expect(res.body.error.message).toContain('within 1000 ms');
      await drip.seen[0]!.closed;
      // Bytes were still arriving when the deadline cut the connection.
      expect(written).toBeGreaterThan(1);
    } finally {
      await drip.close();
    }
  });

  it('a token response with __proto__ keys pollutes nothing', async () => {
    sim.fault('token', json('{"access_token":"a1b2c3d4e5f6a1b2c3d4e5f6","token_type":"Bearer","scope":"userprofile:read","__proto__":{"polluted":"yes"}}'));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    // The simulator never issued that token, so the profile call is refused: an error, not a session.
    expect(res.body.error).toMatchObject({ code: 'invalid_token' });
  });
});
