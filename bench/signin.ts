// `npm run bench`: complete sign-ins (start → authorize → approve → callback → session) through
// six setups against one 7Geese simulator on loopback: (a) our Strategy, (b) passport-oauth2 by
// hand, (c) a bare node:http floor, (d) the least Passport strategy on Express, (e) the least
// strategy that keeps passport-oauth2's flow, and (a') a second process of (a) as an A/A control
// (see apps.ts). Every app, the simulator and the load generator run in processes of their own.
// Rounds visit the setups in rotating order; each round yields paired ratios of sign-ins/s and of
// app CPU per sign-in, reported as median and interquartile range. Also measures the session a
// pending sign-in leaves, and cold import time. Prints a table and writes bench/results.json.
//
// Knobs: BENCH_QUICK=1 (a few seconds, for the smoke test), BENCH_ROUNDS, BENCH_ROUND_SIGN_INS,
// BENCH_WARM_UP, BENCH_VUS, BENCH_IMPORT_REPS, BENCH_OUT (where to write the JSON),
// BENCH_SETUPS=a,b,a2 (run only those setups; a, b and a2 at least),
// BENCH_PROFILE=a,b (CPU profiles of those apps in bench/profiles/; see profile.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { SETUP_LABELS, SETUP_NAMES, type Setup } from './apps.js';
import { importTimes } from './import-time.js';
import { round, spread, table, type Spread } from './stats.js';

const QUICK = process.env.BENCH_QUICK === '1';
const knob = (name: string, full: number, quick: number) => Number(process.env[name] ?? (QUICK ? quick : full));
const ROUNDS = knob('BENCH_ROUNDS', 160, 4);
const ROUND_SIGN_INS = knob('BENCH_ROUND_SIGN_INS', 200, 40);
const WARM_UP = knob('BENCH_WARM_UP', 1500, 40);
const VUS = knob('BENCH_VUS', 16, 4);
const IMPORT_REPS = knob('BENCH_IMPORT_REPS', 40, 3);
const PROFILED = new Set((process.env.BENCH_PROFILE ?? '').split(',').filter(Boolean));
/** The A/A ratio outside these bounds means the machine was too noisy for the run to say anything. */
const AA_BOUNDS = [0.97, 1.03] as const;
/** The exit code of a run whose A/A control failed. */
const NOISE_EXIT = 3;

/** The ratios reported, each when both its setups ran: numerator, denominator. */
const RATIOS: Array<[Setup, Setup]> = [['a', 'b'], ['a', 'c'], ['d', 'b'], ['e', 'b'], ['a', 'd'], ['a', 'e'], ['a', 'a2']];

/** The setups of a run, by default all; `BENCH_SETUPS=a,b,a2` (a, b and the A/A control at least) runs fewer. */
const SETUPS = (process.env.BENCH_SETUPS ?? 'a,b,c,d,e,a2').split(',').filter((s): s is Setup => s in SETUP_NAMES);
for (const required of ['a', 'b', 'a2'] as const) if (!SETUPS.includes(required)) throw new Error(`BENCH_SETUPS must include ${required}`);
const CLIENT = { clientId: 'bench-client', clientSecret: 'bench-client-secret' };
const here = import.meta.dirname; // bench/dist
const root = resolve(here, '..', '..');
const profileDir = resolve(here, '..', 'profiles');
// A profiled run is not a benchmark run: its figures go beside the profiles, not to results.json.
const out = process.env.BENCH_OUT ? resolve(process.env.BENCH_OUT) : PROFILED.size > 0 ? resolve(profileDir, 'results.json') : resolve(here, '..', 'results.json');

/** Sends a message to a child and resolves with its answer of type `answer`. */
function ask<T>(child: ChildProcess, message: object, answer: string): Promise<T> {
  return new Promise((done, fail) => {
    const on = (msg: { type: string; message?: string }) => {
      if (msg.type === 'error') {
        child.off('message', on);
        fail(new Error(msg.message));
      } else if (msg.type === answer) {
        child.off('message', on);
        done(msg as T);
      }
    };
    child.on('message', on);
    child.send(message);
  });
}

async function spawn(script: string, args: string[], ready: string, execArgv: string[] = []): Promise<{ child: ChildProcess; msg: Record<string, unknown> }> {
  const child = fork(resolve(here, script), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${script} ${args[0] ?? ''} exited with code ${code as number} before it was ready`);
  });
  const [msg] = (await Promise.race([once(child, 'message'), exited])) as [Record<string, unknown>];
  if (msg.type !== ready) throw new Error(`unexpected message from ${script}: ${JSON.stringify(msg)}`);
  return { child, msg };
}

interface AppStats {
  cpuMicros: number;
  rss: number;
  upstreamConnections: number;
}

interface App {
  child: ChildProcess;
  url: string;
  /** Per measured round: sign-ins/s and app CPU µs per sign-in. */
  throughput: number[];
  cpu: number[];
  signIns: number;
  connections: number;
  rss: number;
}

function machine() {
  return { cpuModel: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: `${process.platform} ${process.arch}` };
}

async function main(): Promise<void> {
  const began = performance.now();
  const sim = await spawn('sim-process.js', [], 'ready');
  const baseURL = sim.msg.baseURL as string;
  const load = await spawn('loadgen-process.js', [], 'ready');
  if (PROFILED.size > 0) mkdirSync(profileDir, { recursive: true });
  const apps = new Map<Setup, App>();
  for (const s of SETUPS) {
    const profile = PROFILED.has(s) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${s}.cpuprofile`, '--cpu-prof-interval=200'] : [];
    const { child, msg } = await spawn('app-process.js', [s, baseURL, CLIENT.clientId, CLIENT.clientSecret], 'port', profile);
    apps.set(s, { child, url: `http://127.0.0.1:${msg.port as number}`, throughput: [], cpu: [], signIns: 0, connections: 0, rss: 0 });
  }
  await ask(sim.child, { type: 'addClient', client: { ...CLIENT, redirectUris: [...apps.values()].map((a) => `${a.url}/auth/7geese/callback`) } }, 'added');

  const stats = (app: App) => ask<AppStats>(app.child, { type: 'stats' }, 'stats');
  const signIns = async (app: App, count: number, record: boolean) => {
    const { wallMs } = await ask<{ wallMs: number }>(load.child, { type: 'run', app: app.url, vus: VUS, count, record }, 'ran');
    app.signIns += count;
    return wallMs;
  };

  // What a pending sign-in leaves in the session: the start leg alone, from a new browser.
  const session: Record<string, { sessionBytes: number; pendingBytes: number; pending: unknown }> = {};
  for (const s of SETUPS.filter((x) => x !== 'a2')) {
    const app = apps.get(s)!;
    const { setCookie } = await ask<{ setCookie: string[] }>(load.child, { type: 'start', app: app.url }, 'started');
    const { json } = await ask<{ json: string | undefined }>(app.child, { type: 'session', setCookie: setCookie[0] ?? '' }, 'session');
    if (json === undefined) throw new Error(`${s}: the start of sign-in left no session`);
    const pending = JSON.parse(json) as Record<string, unknown>;
    delete pending.cookie;
    session[SETUP_LABELS[s]] = { sessionBytes: Buffer.byteLength(json), pendingBytes: Buffer.byteLength(JSON.stringify(pending)), pending };
  }

  for (const s of SETUPS) await signIns(apps.get(s)!, WARM_UP, false);
  process.stderr.write(`warmed up (${WARM_UP} sign-ins each) in ${((performance.now() - began) / 1000).toFixed(0)} s; ${ROUNDS} rounds of ${ROUND_SIGN_INS} sign-ins per setup\n`);

  for (let r = 0; r < ROUNDS; r += 1) {
    // Rotating order: a b c d e a' / b c d e a' a / c d e a' a b / ...
    const order = SETUPS.map((_, i) => SETUPS[(i + r) % SETUPS.length]!);
    for (const s of order) {
      const app = apps.get(s)!;
      const before = await stats(app);
      const wallMs = await signIns(app, ROUND_SIGN_INS, true);
      const after = await stats(app);
      app.throughput.push(ROUND_SIGN_INS / (wallMs / 1000));
      app.cpu.push((after.cpuMicros - before.cpuMicros) / ROUND_SIGN_INS);
      app.connections = after.upstreamConnections;
      app.rss = after.rss;
    }
    const step = process.stderr.isTTY ? 1 : Math.max(1, Math.round(ROUNDS / 8));
    if ((r + 1) % step === 0 || r + 1 === ROUNDS) {
      const line = `round ${r + 1}/${ROUNDS}, ${((performance.now() - began) / 1000).toFixed(0)} s`;
      process.stderr.write(process.stderr.isTTY ? `\r${line} ` : `${line}\n`);
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');

  const latency = new Map<Setup, { p50: number; p99: number }>();
  for (const s of SETUPS) latency.set(s, await ask(load.child, { type: 'latency', app: apps.get(s)!.url }, 'latency'));
  const stopped = [...apps.values(), sim, load].map(({ child }) => once(child, 'exit'));
  for (const { child } of apps.values()) child.send({ type: 'stop' });
  sim.child.send({ type: 'stop' });
  load.child.send({ type: 'stop' });
  await Promise.all(stopped);
  const signInSeconds = (performance.now() - began) / 1000;

  // Cold import, with nothing else running.
  const imports = importTimes(['passport-7geese', 'passport-oauth2'], IMPORT_REPS, root);
  const importMs = Object.fromEntries([...imports].map(([name, times]) => [name, { ...roundSpread(spread(times), 2), repetitions: times.length }]));
  // Repetition i of each ran back to back: their difference is paired, as the sign-in ratios are.
  const ours = imports.get('passport-7geese')!;
  const theirs = imports.get('passport-oauth2')!;
  const importDifference = { ...roundSpread(spread(ours.map((t, i) => t - theirs[i]!)), 2), repetitions: ours.length };

  // Paired, per-round ratios: round r of one setup against round r of the other.
  const paired = (x: Setup, y: Setup, key: 'throughput' | 'cpu') => {
    const xs = apps.get(x)![key];
    const ys = apps.get(y)![key];
    return roundSpread(spread(xs.map((v, i) => v / ys[i]!)), 3);
  };
  const ratioSpreads: Record<string, Spread> = {};
  for (const [x, y] of RATIOS) {
    if (!apps.has(x) || !apps.has(y)) continue;
    const name = `${SETUP_LABELS[x]}/${SETUP_LABELS[y]}`;
    ratioSpreads[name] = paired(x, y, 'throughput');
    ratioSpreads[`${name} cpu`] = paired(x, y, 'cpu');
  }
  const ratios = Object.fromEntries(Object.entries(ratioSpreads).map(([k, v]) => [k, v.median]));
  const inBounds = (v: number) => v >= AA_BOUNDS[0] && v <= AA_BOUNDS[1];
  const profiling = PROFILED.size > 0;
  const noise = !profiling && !(inBounds(ratios["a/a'"]!) && inBounds(ratios["a/a' cpu"]!));

  const setups = Object.fromEntries(
    SETUPS.map((s) => {
      const app = apps.get(s)!;
      const thr = spread(app.throughput);
      const cpu = spread(app.cpu);
      return [
        SETUP_LABELS[s],
        {
          name: SETUP_NAMES[s],
          signIns: app.throughput.length * ROUND_SIGN_INS,
          signInsPerSecond: round(thr.median, 1),
          signInsPerSecondIQR: [round(thr.q1, 1), round(thr.q3, 1)],
          cpuMicrosPerSignIn: round(cpu.median, 1),
          cpuMicrosPerSignInIQR: [round(cpu.q1, 1), round(cpu.q3, 1)],
          p50Ms: round(latency.get(s)!.p50, 2),
          p99Ms: round(latency.get(s)!.p99, 2),
          upstreamConnectionsPerSignIn: round(app.connections / app.signIns, 4),
          rssMB: round(app.rss / 2 ** 20, 1),
        },
      ];
    }),
  );
  const seconds = Math.round((performance.now() - began) / 1000);
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    config: { quick: QUICK, rounds: ROUNDS, signInsPerRound: ROUND_SIGN_INS, warmUp: WARM_UP, virtualUsers: VUS, importRepetitions: IMPORT_REPS, profiled: [...PROFILED] },
    seconds,
    setups,
    ratios,
    ratioIQR: Object.fromEntries(Object.entries(ratioSpreads).map(([k, v]) => [k, [v.q1, v.q3]])),
    aaBounds: AA_BOUNDS,
    noise,
    session,
    importMs,
    importDifferenceMs: importDifference,
  };
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  if (profiling) {
    const served = Object.fromEntries([...PROFILED].map((s) => [s, apps.get(s as Setup)?.signIns ?? 0]));
    writeFileSync(resolve(profileDir, 'meta.json'), `${JSON.stringify({ signIns: served }, null, 2)}\n`);
  }

  const m = results.machine;
  console.log(`\nSign-in benchmark: ${ROUNDS} rounds × ${ROUND_SIGN_INS} sign-ins per setup (rotating order), ${VUS} virtual users; ${m.cpuModel}, ${m.cores} cores, Node ${m.node}; ${seconds} s (sign-ins ${Math.round(signInSeconds)} s)`);
  table(
    ['setup', 'sign-ins/s', 'IQR', 'app CPU µs/sign-in', 'IQR', 'p50 ms', 'p99 ms', 'upstream conns/sign-in', 'RSS MB'],
    SETUPS.map((s) => {
      const r = setups[SETUP_LABELS[s]] as (typeof setups)[string];
      return [`${SETUP_LABELS[s]}: ${SETUP_NAMES[s]}`, r.signInsPerSecond, r.signInsPerSecondIQR.join('–'), r.cpuMicrosPerSignIn, r.cpuMicrosPerSignInIQR.join('–'), r.p50Ms, r.p99Ms, r.upstreamConnectionsPerSignIn, r.rssMB];
    }),
  );
  console.log('\nPer-round paired ratios (median, interquartile range):');
  table(
    ['ratio', 'sign-ins/s', 'IQR', 'app CPU/sign-in', 'IQR'],
    Object.keys(ratioSpreads).filter((k) => !k.endsWith(' cpu')).map((k) => [k, ratioSpreads[k]!.median, `${ratioSpreads[k]!.q1}–${ratioSpreads[k]!.q3}`, ratioSpreads[`${k} cpu`]!.median, `${ratioSpreads[`${k} cpu`]!.q1}–${ratioSpreads[`${k} cpu`]!.q3}`]),
  );
  console.log('\nPending sign-in in the session (after the start leg):');
  table(
    ['setup', 'session JSON bytes', 'without the cookie'],
    Object.entries(session).map(([k, v]) => [k, v.sessionBytes, v.pendingBytes]),
  );
  console.log(`\nCold import (${IMPORT_REPS} fresh processes each, median and IQR, ms):`);
  table(
    ['package', 'median', 'IQR'],
    [...Object.entries(importMs), ['passport-7geese − passport-oauth2, paired', importDifference] as const].map(([k, v]) => [k, v.median, `${v.q1}–${v.q3}`]),
  );
  console.log(`\nfigures written to ${out}`);
  if (profiling) console.log(`CPU profiles of ${[...PROFILED].join(', ')} in ${profileDir}: summarise them with node bench/dist/profile.js (the A/A check is off while profiling)`);
  if (noise) {
    console.log(`\nnoise: the A/A ratio (a/a' sign-ins/s ${ratios["a/a'"]}, CPU ${ratios["a/a' cpu"]}) is outside ${AA_BOUNDS[0]}–${AA_BOUNDS[1]}: this machine was too noisy for the run to tell the setups apart. Run it again, or longer (BENCH_ROUNDS).`);
    process.exitCode = NOISE_EXIT;
  }
}

function roundSpread(s: Spread, digits: number): Spread {
  return { median: round(s.median, digits), q1: round(s.q1, digits), q3: round(s.q3, digits) };
}

await main();
