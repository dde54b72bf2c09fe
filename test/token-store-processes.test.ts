// Separate Node processes of an app (the BUILT package, loaded by name: test/fixtures/token-worker.mjs)
// refresh one person's rotating 7Geese token at the same moment, round after round. With the
// tokens in a real Redis (RedisTokenStore), exactly one refresh per rotation reaches 7Geese and
// every process ends with the newest tokens. With a memory store in each process, every process
// refreshes the same token and all but one get invalid_grant. `npm test` builds dist/ first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createClient } from 'redis';
import { RedisTokenStore, type TokenSet } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { hasRedis, noRedisReason, startRedisServer, type RedisServer } from './helpers/redis-server.js';
import { reportMissing } from './helpers/system-package.js';

const WORKER = resolve(import.meta.dirname, 'fixtures/token-worker.mjs');
const PROCESSES = 4;
const ROUNDS = 20;
const KEY = 'person-1';
const PREFIX = 'processes:';

reportMissing('the token store test across processes', hasRedis, noRedisReason);

type Result = { round: number; accessToken?: string; refreshToken?: string; error?: string };

class Worker {
  readonly #child: ChildProcess;
  readonly #waiting: Array<(msg: { type: string } & Result) => void> = [];

  constructor() {
    this.#child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } });
    this.#child.on('message', (msg: { type: string; message?: string } & Result) => {
      if (msg.type === 'crash') throw new Error(`token worker crashed: ${msg.message}`);
      this.#waiting.shift()?.(msg);
    });
  }

  /** Sends a message and resolves with the worker's answer. */
  ask(msg: object): Promise<{ type: string } & Result> {
    return new Promise((answer) => {
      this.#waiting.push(answer);
      this.#child.send(msg);
    });
  }

  send(msg: object): void {
    this.#child.send(msg);
  }

  exited(): Promise<unknown> {
    return this.#child.exitCode !== null ? Promise.resolve() : once(this.#child, 'exit');
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    if (this.#child.connected) this.#child.send({ type: 'exit' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

/** Every worker starts getting a token at the same moment; resolves with what each ended with. */
function round(workers: Worker[], n: number): Promise<Result[]> {
  const at = Date.now() + 20;
  return Promise.all(workers.map((w) => w.ask({ type: 'go', round: n, at })));
}

let sim: Simulator;
const refreshRequests = () => sim.requests.filter((r) => r.path === '/o/token/' && r.form.grant_type === 'refresh_token');

beforeAll(async () => {
  if (!existsSync(resolve(import.meta.dirname, '../dist/cjs/index.js'))) throw new Error('Run `npm run build` first: the workers load the built package.');
  sim = await startSimulator({ recordCredentials: true });
});
afterAll(async () => {
  await sim?.close();
});

describe.skipIf(!hasRedis)(`processes sharing a RedisTokenStore${hasRedis ? '' : ` (skipped: ${noRedisReason})`}`, () => {
  let server: RedisServer;
  let redis: ReturnType<typeof createClient>;
  let store: RedisTokenStore;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = createClient({ url: server.url });
    await redis.connect();
    store = new RedisTokenStore({ client: redis, prefix: PREFIX });
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  /** How many Lua scripts Redis has run: each load, save, acquire and release is one. */
  async function scriptCalls(): Promise<number> {
    const stats = await redis.info('commandstats');
    return [...stats.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  }

  async function startWorkers(): Promise<Worker[]> {
    const workers = Array.from({ length: PROCESSES }, () => new Worker());
    // Half get the token with getAccessToken(), half through SevenGeeseClient before an API call.
    await Promise.all(workers.map((w, i) => w.ask({ type: 'init', redisURL: server.url, prefix: PREFIX, baseURL: sim.baseURL, key: KEY, via: i % 2 ? 'client' : 'helper' })));
    return workers;
  }

  /** What happens when time passes: the stored access token now expires within the margin. */
  async function ageTokens(): Promise<TokenSet> {
    const current = (await store.load(KEY))!;
    expect(await store.save(KEY, { ...current, expiresAt: Date.now() + 30_000 }, current.refreshToken)).toBe(true);
    return current;
  }

  it(`${PROCESSES} processes refreshing the same rotating token ${ROUNDS} times make exactly one refresh per rotation, and all end with the newest tokens`, async () => {
    const issued = sim.issueToken({ user: 1, scope: 'userprofile:read' });
    await store.save(KEY, { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresAt: Date.now() + 36_000_000, scopes: ['userprofile:read'] });
    const workers = await startWorkers();
    try {
      const started = performance.now();
      for (let n = 1; n <= ROUNDS; n++) {
        const before = await ageTokens();
        const mark = refreshRequests().length;
        const results = await round(workers, n);
        const refreshes = refreshRequests().slice(mark);
        const after = (await store.load(KEY))!;
        expect(refreshes.map((r) => r.form.refresh_token), `round ${n}`).toEqual([before.refreshToken]);
        expect(after.refreshToken).not.toBe(before.refreshToken);
        expect(results, `round ${n}`).toEqual(workers.map(() => ({ type: 'done', round: n, accessToken: after.accessToken, refreshToken: after.refreshToken })));
        expect(sim.store.accessToken(after.accessToken)).toBeDefined();
        expect(sim.store.accessToken(before.accessToken)).toBeUndefined();
      }
      const used = refreshRequests().map((r) => r.form.refresh_token);
      expect(used).toHaveLength(ROUNDS);
      // No refresh token was ever sent twice, so 7Geese never had reason to answer invalid_grant.
      expect(new Set(used).size).toBe(ROUNDS);
      console.log(`${PROCESSES} processes, ${ROUNDS} rounds: ${used.length} refresh requests in ${Math.round(performance.now() - started)} ms`);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it('a process that crashes holding the refresh lease blocks the others only until the lease expires', async () => {
    const issued = sim.issueToken({ user: 1, scope: 'userprofile:read' });
    await store.save(KEY, { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresAt: Date.now(), scopes: ['userprofile:read'] });
    const workers = await startWorkers();
    const crashing = new Worker();
    const lease = `${PREFIX}lease:${KEY}`;
    try {
      await crashing.ask({ type: 'init', redisURL: server.url, prefix: PREFIX, baseURL: sim.baseURL, key: KEY, via: 'helper' });
      // A lease far longer than the test: it ends when the test ends it, not when a clock says.
      crashing.send({ type: 'take-lease-and-crash', ttl: 60_000 });
      await crashing.exited();
      expect(await redis.pTTL(lease)).toBeGreaterThan(0);
      const mark = refreshRequests().length;
      const scripts = await scriptCalls();
      const results = round(workers, 1);
      // Every worker has asked for the lease and been refused more than once; none refreshed.
      while ((await scriptCalls()) < scripts + 4 * PROCESSES) await new Promise((r) => setImmediate(r));
      expect(refreshRequests().length).toBe(mark);
      expect(await redis.exists(lease)).toBe(1);
      // The dead holder's lease expires (Redis drops an expired key just so), then one of them refreshes.
      await redis.pExpire(lease, 1);
      const after = await results.then(async (r) => ({ r, tokens: (await store.load(KEY))! }));
      expect(after.r.map((x) => x.accessToken)).toEqual(workers.map(() => after.tokens.accessToken));
      expect(refreshRequests().slice(mark).map((r) => r.form.refresh_token)).toEqual([issued.refresh_token]);
    } finally {
      await Promise.all([...workers, crashing].map((w) => w.stop()));
    }
  });
});

describe('processes each with their own MemoryTokenStore (what a shared store prevents)', () => {
  it(`${PROCESSES} processes refresh the same rotating token themselves: ${PROCESSES} refresh requests, all but one get invalid_grant`, async () => {
    const issued = sim.issueToken({ user: 1, scope: 'userprofile:read' });
    const tokens: TokenSet = { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresAt: Date.now() + 30_000, scopes: ['userprofile:read'] };
    const workers = Array.from({ length: PROCESSES }, () => new Worker());
    try {
      await Promise.all(workers.map((w, i) => w.ask({ type: 'init', redisURL: null, tokens, baseURL: sim.baseURL, key: KEY, via: i % 2 ? 'client' : 'helper' })));
      const mark = refreshRequests().length;
      const results = await round(workers, 1);
      expect(refreshRequests().slice(mark).map((r) => r.form.refresh_token)).toEqual(workers.map(() => issued.refresh_token));
      expect(results.filter((r) => r.error === 'invalid_grant')).toHaveLength(PROCESSES - 1);
      const winners = results.filter((r) => r.error === undefined);
      expect(winners).toHaveLength(1);
      expect(sim.store.accessToken(winners[0]!.accessToken!)).toBeDefined();
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});
