// `npm run bench`: complete sign-ins (start → authorize → approve → callback → session) through
// three Express apps against one simulator on loopback, interleaved, with a fixed number of
// concurrent virtual users. Prints a table and writes bench/results.json.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { SETUP_NAMES, type Setup } from './apps.js';

const VIRTUAL_USERS = Number(process.env.BENCH_VUS ?? 16);
const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 20_000);
const ROUND = 500;
const WARM_UP = 500;
const SETUPS: Setup[] = ['a', 'b', 'c'];
const CLIENT = { clientId: 'bench-client', clientSecret: 'bench-client-secret' };
const here = import.meta.dirname;

function request<T>(child: ChildProcess, message: object, answer: string): Promise<T> {
  return new Promise((done) => {
    const on = (msg: { type: string }) => {
      if (msg.type !== answer) return;
      child.off('message', on);
      done(msg as T);
    };
    child.on('message', on);
    child.send(message);
  });
}

async function spawn(script: string, args: string[], ready: string): Promise<{ child: ChildProcess; msg: Record<string, unknown> }> {
  // BENCH_PROFILE=a (or b, c) writes a CPU profile of that app to bench/profiles/.
  const profile = args[0] !== undefined && process.env.BENCH_PROFILE === args[0] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(here, '..', 'profiles')}`] : [];
  const child = fork(resolve(here, script), args, { execArgv: ['--expose-gc', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [msg] = (await once(child, 'message')) as [Record<string, unknown>];
  if (msg.type !== ready) throw new Error(`unexpected message from ${script}: ${JSON.stringify(msg)}`);
  return { child, msg };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

interface Answer {
  status: number;
  location: string | undefined;
  setCookie: string[];
}

/** A GET that does not follow redirects, on a keep-alive agent, so the load generator stays cheap. */
function get(url: string, cookie: string): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = httpGet(url, { agent, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0, location: res.headers.location, setCookie: res.headers['set-cookie'] ?? [] }));
    });
    req.on('error', fail);
  });
}

/** One browser: a cookie jar kept across its sign-ins. */
class VirtualUser {
  private cookie = '';
  private take(res: Answer): void {
    for (const line of res.setCookie) {
      const pair = line.split(';')[0]!;
      if (pair.startsWith('connect.sid=')) this.cookie = pair;
    }
  }
  /** One complete sign-in; resolves with the callback's latency in milliseconds. */
  async signIn(app: string): Promise<number> {
    const start = await get(`${app}/auth/7geese`, this.cookie);
    this.take(start);
    const authorize = await get(start.location!, '');
    const t0 = performance.now();
    const done = await get(authorize.location!, this.cookie);
    const latency = performance.now() - t0;
    this.take(done);
    if (done.status !== 302 || done.location !== '/') throw new Error(`sign-in failed: ${done.status} ${done.location}`);
    return latency;
  }
}

interface Tally {
  latencies: number[];
  cpuMicros: number;
  wallMs: number;
  rssBefore: number;
  rssAfter: number;
}

type Stats = { cpuMicros: number; rss: number };

async function round(app: string, users: VirtualUser[], count: number, latencies: number[] | undefined, onDone: () => void): Promise<void> {
  let left = count;
  await Promise.all(
    users.map(async (u) => {
      while (left > 0) {
        left -= 1;
        const ms = await u.signIn(app);
        latencies?.push(ms);
        onDone();
      }
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const began = performance.now();
  const sim = await spawn('sim-process.js', [], 'ready');
  const baseURL = sim.msg.baseURL as string;
  const apps = new Map<Setup, { child: ChildProcess; url: string; users: VirtualUser[] }>();
  for (const s of SETUPS) {
    const { child, msg } = await spawn('app-process.js', [s, baseURL, CLIENT.clientId, CLIENT.clientSecret], 'port');
    apps.set(s, { child, url: `http://127.0.0.1:${msg.port as number}`, users: Array.from({ length: VIRTUAL_USERS }, () => new VirtualUser()) });
  }
  const redirectUris = [...apps.values()].map((a) => `${a.url}/auth/7geese/callback`);
  await request(sim.child, { type: 'addClient', client: { ...CLIENT, redirectUris } }, 'added');

  const total = SETUPS.length * (SIGN_INS + WARM_UP);
  let finished = 0;
  const progress = () => {
    finished += 1;
    // Redrawn in place on a terminal; in a log (CI), one line per tenth of the run.
    const step = process.stderr.isTTY ? 100 : Math.ceil(total / 10);
    if (finished % step !== 0 && finished !== total) return;
    const width = 30;
    const filled = Math.round((finished / total) * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${finished}/${total} sign-ins, ${((performance.now() - began) / 1000).toFixed(0)} s `;
    process.stderr.write(process.stderr.isTTY ? `\r${bar}` : `${bar}\n`);
  };

  const tallies = new Map<Setup, Tally>();
  for (const s of SETUPS) {
    const app = apps.get(s)!;
    await round(app.url, app.users, WARM_UP, undefined, progress);
    const stats = await request<Stats>(app.child, { type: 'stats' }, 'stats');
    tallies.set(s, { latencies: [], cpuMicros: 0, wallMs: 0, rssBefore: stats.rss, rssAfter: stats.rss });
  }
  // Interleaved rounds, so that whatever else the machine does falls on all three alike.
  for (let done = 0; done < SIGN_INS; done += ROUND) {
    const n = Math.min(ROUND, SIGN_INS - done);
    for (const s of SETUPS) {
      const app = apps.get(s)!;
      const tally = tallies.get(s)!;
      const before = await request<Stats>(app.child, { type: 'stats' }, 'stats');
      const t0 = performance.now();
      await round(app.url, app.users, n, tally.latencies, progress);
      tally.wallMs += performance.now() - t0;
      const after = await request<Stats>(app.child, { type: 'stats' }, 'stats');
      tally.cpuMicros += after.cpuMicros - before.cpuMicros;
      tally.rssAfter = after.rss;
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');

  const setups: Record<string, object> = {};
  const throughput: Record<string, number> = {};
  for (const s of SETUPS) {
    const t = tallies.get(s)!;
    const sorted = [...t.latencies].sort((x, y) => x - y);
    throughput[s] = t.latencies.length / (t.wallMs / 1000);
    setups[s] = {
      name: SETUP_NAMES[s],
      signIns: t.latencies.length,
      signInsPerSecond: Math.round(throughput[s]! * 10) / 10,
      p50Ms: Math.round(percentile(sorted, 50) * 100) / 100,
      p99Ms: Math.round(percentile(sorted, 99) * 100) / 100,
      cpuMsPerSignIn: Math.round((t.cpuMicros / 1000 / t.latencies.length) * 1000) / 1000,
      rssBeforeMB: Math.round((t.rssBefore / 2 ** 20) * 10) / 10,
      rssAfterMB: Math.round((t.rssAfter / 2 ** 20) * 10) / 10,
    };
  }
  const ratios = { 'a/b': Math.round((throughput.a! / throughput.b!) * 1000) / 1000, 'a/c': Math.round((throughput.a! / throughput.c!) * 1000) / 1000 };
  const results = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, virtualUsers: VIRTUAL_USERS, signInsPerSetup: SIGN_INS, seconds: Math.round((performance.now() - began) / 1000), setups, ratios };
  writeFileSync(resolve(here, '..', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const rows = SETUPS.map((s) => setups[s] as Record<string, number | string>);
  const cols: Array<[string, string]> = [['name', 'setup'], ['signInsPerSecond', 'sign-ins/s'], ['p50Ms', 'p50 ms'], ['p99Ms', 'p99 ms'], ['cpuMsPerSignIn', 'CPU ms/sign-in'], ['rssBeforeMB', 'RSS before MB'], ['rssAfterMB', 'RSS after MB']];
  const widths = cols.map(([k, h]) => Math.max(h.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\nSign-in benchmark: ${SIGN_INS} sign-ins per setup, ${VIRTUAL_USERS} virtual users, Node ${process.version}, ${cpus().length} CPUs, ${results.seconds} s`);
  console.log(line(cols.map(([, h]) => h)));
  for (const r of rows) console.log(line(cols.map(([k]) => String(r[k]))));
  console.log(`\nthroughput ratios: a/b = ${ratios['a/b']}, a/c = ${ratios['a/c']}   (a: ${SETUP_NAMES.a}; b: ${SETUP_NAMES.b}; c: ${SETUP_NAMES.c})`);
  console.log('figures written to bench/results.json');

  for (const { child } of apps.values()) child.send({ type: 'stop' });
  sim.child.send({ type: 'stop' });
  agent.destroy();
}

await main();
