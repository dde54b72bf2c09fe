// `npm run bench:latency`: how long a sign-in's callback takes when 7Geese is a network away,
// warm (connections to 7Geese open) and cold (the gap between sign-ins longer than every idle
// timeout), for (a) our Strategy, (b) passport-oauth2 by hand and (a') a second process of (a) as
// an A/A control: the apps of bench/apps.ts, each in a process of its own (app-process.ts),
// against a TLS 7Geese stand-in behind a relay per app that adds the round-trip time and counts
// the app's connections (latency-upstream.ts), its certificate made for the run. Sign-ins visit the setups in rotating
// order; a cold round starts one sign-in in each, waits a consent pause, then calls back each.
// Reports callback latency p50/p90, paired ratios (median and interquartile range) and new
// connections to 7Geese per sign-in, at each round-trip time.
//
// Cold sign-ins in seconds rather than minutes: (a) runs with a 3 s idle timeout
// (BENCH_IDLE_TIMEOUT; the default is 50 s), (b) with Node's global agent (5 s), and the gap
// between sign-ins is 6 s. The consent pause (1.5 s) is shorter than (a)'s idle timeout, as a
// real consent is shorter than the default one.
//
// Knobs: BENCH_QUICK=1, BENCH_RTTS (ms, default 20,80), BENCH_WARM_ROUNDS, BENCH_COLD_ROUNDS,
// BENCH_CONSENT_MS, BENCH_GAP_MS, BENCH_IDLE_TIMEOUT.
import { execFileSync } from 'node:child_process';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SETUP_LABELS, SETUP_NAMES } from './apps.js';
import { quantile, round, spread, table } from './stats.js';

const QUICK = process.env.BENCH_QUICK === '1';
const knob = (name: string, full: number, quick: number) => Number(process.env[name] ?? (QUICK ? quick : full));
const RTTS = (process.env.BENCH_RTTS ?? (QUICK ? '20' : '20,80')).split(',').map(Number);
const WARM_ROUNDS = knob('BENCH_WARM_ROUNDS', 40, 3);
const COLD_ROUNDS = knob('BENCH_COLD_ROUNDS', 12, 2);
const CONSENT_MS = knob('BENCH_CONSENT_MS', 1_500, 1_500);
const GAP_MS = knob('BENCH_GAP_MS', 6_000, 6_000);
const IDLE_TIMEOUT = knob('BENCH_IDLE_TIMEOUT', 3_000, 3_000);
const SETUPS = ['a', 'b', 'a2'] as const;
type Setup = (typeof SETUPS)[number];
const CLIENT = { id: 'bench-client', secret: 'bench-client-secret' };
const here = import.meta.dirname; // bench/dist

/** A self-signed certificate for 127.0.0.1, made for this run. */
function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

async function spawn(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; msg: Record<string, unknown> }> {
  const child = fork(resolve(here, script), args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${script} exited with code ${code as number} before it was ready`);
  });
  const [msg] = (await Promise.race([once(child, 'message'), exited])) as [Record<string, unknown>];
  return { child, msg };
}

/** The connections each app has opened to 7Geese, counted at its relay. */
async function connections(upstream: ChildProcess): Promise<Record<Setup, number>> {
  upstream.send({ type: 'connections' });
  const [msg] = (await once(upstream, 'message')) as [{ connections: number[] }];
  return Object.fromEntries(SETUPS.map((s, i) => [s, msg.connections[i]!])) as Record<Setup, number>;
}

/** The driver's connection to each app stays open: only the app's connections to 7Geese are measured. */
const local = new Agent({ keepAlive: true, timeout: 600_000 });

function get(port: number, path: string, cookie?: string): Promise<{ status: number; location: string; cookie: string | undefined }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent: local, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0, location: String(res.headers.location ?? ''), cookie: res.headers['set-cookie']?.[0]?.split(';')[0] }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** The start leg: the session cookie and the state 7Geese would send back. */
async function start(port: number): Promise<{ cookie: string; state: string }> {
  const res = await get(port, '/auth/7geese');
  const state = new URL(res.location).searchParams.get('state');
  if (res.status !== 302 || !res.cookie || !state) throw new Error(`the start leg answered ${res.status}`);
  return { cookie: res.cookie, state };
}

/** The callback, timed: ms until the app's answer. */
async function callback(port: number, pending: { cookie: string; state: string }): Promise<number> {
  const t0 = performance.now();
  const res = await get(port, `/auth/7geese/callback?code=bench-code&state=${encodeURIComponent(pending.state)}`, pending.cookie);
  const ms = performance.now() - t0;
  if (res.status !== 302 || res.location !== '/') throw new Error(`the callback answered ${res.status} to ${res.location}`);
  return ms;
}

type Phase = 'warm' | 'cold';
interface Measured {
  latency: Record<Setup, number[]>;
  connections: Record<Setup, number>;
}

async function phase(kind: Phase, rounds: number, apps: Record<Setup, { child: ChildProcess; port: number }>, upstream: ChildProcess): Promise<Measured> {
  const latency = { a: [], b: [], a2: [] } as Record<Setup, number[]>;
  const before = await connections(upstream);
  for (let r = 0; r < rounds; r++) {
    const order = SETUPS.map((_, i) => SETUPS[(i + r) % SETUPS.length]!);
    if (kind === 'warm') {
      for (const s of order) latency[s].push(await callback(apps[s].port, await start(apps[s].port)));
    } else {
      const pending = new Map<Setup, { cookie: string; state: string }>();
      for (const s of order) pending.set(s, await start(apps[s].port));
      await sleep(CONSENT_MS);
      for (const s of order) latency[s].push(await callback(apps[s].port, pending.get(s)!));
      await sleep(GAP_MS);
    }
  }
  const after = await connections(upstream);
  const conns = Object.fromEntries(SETUPS.map((s) => [s, (after[s] - before[s]) / rounds])) as Record<Setup, number>;
  return { latency, connections: conns };
}

/** Paired ratios of one round's latencies, numerator over denominator. */
const ratios = (num: number[], den: number[]) => num.map((v, i) => v / den[i]!);
const fmt = (s: { median: number; q1: number; q3: number }) => `${round(s.median, 2)} [${round(s.q1, 2)}–${round(s.q3, 2)}]`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-latency-'));
  const results: Record<string, unknown> = {};
  try {
    const { cert, key } = makeCertificate(dir);
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: cert, BENCH_IDLE_TIMEOUT: String(IDLE_TIMEOUT) };
    console.log(`Callback latency with 7Geese a network away (TLS); ${WARM_ROUNDS} warm and ${COLD_ROUNDS} cold rounds per round trip, consent pause ${CONSENT_MS} ms, gap ${GAP_MS} ms`);
    for (const s of SETUPS) console.log(`  ${SETUP_LABELS[s]}: ${SETUP_NAMES[s]}`);
    for (const rtt of RTTS) {
      const upstream = await spawn('latency-upstream.js', [String(rtt), cert, key, String(SETUPS.length)], env);
      const urls = upstream.msg.urls as string[];
      const apps = {} as Record<Setup, { child: ChildProcess; port: number }>;
      for (const [i, s] of SETUPS.entries()) {
        const { child, msg } = await spawn('app-process.js', [s, urls[i]!, CLIENT.id, CLIENT.secret], env);
        apps[s] = { child, port: Number(msg.port) };
      }
      try {
        await phase('warm', 2, apps, upstream.child); // warm-up: code loaded, TLS sessions cached
        const warm = await phase('warm', WARM_ROUNDS, apps, upstream.child);
        await sleep(GAP_MS);
        const cold = await phase('cold', COLD_ROUNDS, apps, upstream.child);
        const rows: Array<Array<string | number>> = [];
        for (const [name, m] of [['warm', warm], ['cold', cold]] as const) {
          for (const s of SETUPS) {
            rows.push([`${name} ${SETUP_LABELS[s]}`, round(quantile(m.latency[s], 0.5), 1), round(quantile(m.latency[s], 0.9), 1), round(m.connections[s], 2)]);
          }
        }
        console.log(`\nRound trip ${rtt} ms`);
        table(['', 'p50 ms', 'p90 ms', 'new connections per sign-in'], rows);
        const p50 = (m: Measured, s: Setup) => quantile(m.latency[s], 0.5);
        const figures = {
          'warm a/b': spread(ratios(warm.latency.a, warm.latency.b)),
          "warm a/a'": spread(ratios(warm.latency.a, warm.latency.a2)),
          'cold a/b': spread(ratios(cold.latency.a, cold.latency.b)),
          "cold a/a'": spread(ratios(cold.latency.a, cold.latency.a2)),
        };
        const targets = [
          ['cold a/b p50 ≤ 0.45', p50(cold, 'a') / p50(cold, 'b'), 0.45],
          ['cold a / warm a p50 ≤ 1.15', p50(cold, 'a') / p50(warm, 'a'), 1.15],
          ['warm a/b p50 ≤ 1.02', p50(warm, 'a') / p50(warm, 'b'), 1.02],
        ] as const;
        console.log('');
        table(['paired ratio', 'median [IQR]'], Object.entries(figures).map(([k, v]) => [k, fmt(v)]));
        console.log('');
        table(['target', 'ratio of p50s', 'met'], targets.map(([k, v, bound]) => [k, round(v, 2), v <= bound ? 'yes' : 'no']));
        results[`${rtt}ms`] = { warm, cold, ratios: figures, targets: Object.fromEntries(targets.map(([k, v]) => [k, round(v, 3)])) };
      } finally {
        for (const s of SETUPS) apps[s].child.send({ type: 'stop' });
        upstream.child.send({ type: 'stop' });
        await Promise.all([...SETUPS.map((s) => once(apps[s].child, 'exit')), once(upstream.child, 'exit')]);
      }
    }
  } finally {
    local.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  if (process.env.BENCH_OUT) (await import('node:fs')).writeFileSync(process.env.BENCH_OUT, `${JSON.stringify(results, null, 2)}\n`);
}

await main();
