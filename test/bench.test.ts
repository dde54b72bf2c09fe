// The benchmark in its quick mode, end to end, so that it cannot silently rot: it must still
// start every process, finish its sign-ins, print its table and write its JSON. No figure is
// checked: on a shared machine any timing assertion would be a flaky test.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
/** The exit code of a run whose A/A control says the machine was too noisy: a result, not a failure. */
const NOISE_EXIT = 3;

beforeAll(() => {
  const build = spawnSync(process.execPath, [tsc, '-p', 'bench'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(build.status, build.stdout + build.stderr).toBe(0);
}, 90_000);

/** Runs a benchmark script with `env`, its JSON written to a fresh directory, and hands both to `check`. */
function quickRun(script: string, env: Record<string, string>, check: (run: SpawnSyncReturns<string>, out: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const out = join(dir, 'results.json');
    const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8', timeout: 90_000, env: { ...process.env, ...env, BENCH_OUT: out } });
    check(run, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('npm run bench', () => {
  it('runs its quick mode end to end, prints the table and ratios, and writes valid JSON', () => {
    quickRun('bench/dist/signin.js', { BENCH_QUICK: '1' }, (run, out) => {
      expect([0, NOISE_EXIT], run.stdout + run.stderr).toContain(run.status);
      for (const text of ['Sign-in benchmark', 'a: passport-7geese Strategy', 'b: passport-oauth2 by hand', 'c: node:http floor', 'd: least Passport strategy', 'e: least passport-oauth2 strategy', "a': passport-7geese again", 'a/b', 'a/c', 'd/b', 'e/b', 'a/d', 'a/e', "a/a'", 'Pending sign-in in the session', 'Cold import']) {
        expect(run.stdout).toContain(text);
      }
      const results = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, unknown>>;
      expect(Object.keys(results.setups!)).toEqual(['a', 'b', 'c', 'd', 'e', "a'"]);
      for (const ratio of ['a/b', 'a/b cpu', 'a/c', 'a/c cpu', 'd/b', 'd/b cpu', 'e/b', 'e/b cpu', 'a/d', 'a/d cpu', 'a/e', 'a/e cpu', "a/a'", "a/a' cpu"]) {
        expect(typeof results.ratios![ratio]).toBe('number');
        expect(results.ratioIQR![ratio]).toHaveLength(2);
      }
      expect(results.machine).toMatchObject({ cpuModel: expect.any(String), cores: expect.any(Number), node: process.version });
      expect(Object.keys(results.session!)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(Object.keys(results.importMs!)).toEqual(['passport-7geese', 'passport-oauth2']);
      expect(results.importDifferenceMs).toMatchObject({ median: expect.any(Number), q1: expect.any(Number), q3: expect.any(Number) });
      expect(results.noise).toBe(run.status === NOISE_EXIT);
    });
  }, 180_000);
});

describe('npm run bench:latency', () => {
  it('runs a few sign-ins of each setup through the TLS stand-in and relay, prints its tables and writes valid JSON', () => {
    // No consent pause and no gap: the run checks the plumbing, not the figures.
    quickRun('bench/dist/latency.js', { BENCH_QUICK: '1', BENCH_RTTS: '2', BENCH_CONSENT_MS: '0', BENCH_GAP_MS: '0' }, (run, out) => {
      expect(run.status, run.stdout + run.stderr).toBe(0);
      for (const text of ['Round trip 2 ms', 'warm a', 'cold b', "cold a'", 'new connections per sign-in', 'cold a/b', "warm a/a'", 'cold a/b p50']) {
        expect(run.stdout).toContain(text);
      }
      const results = JSON.parse(readFileSync(out, 'utf8')) as Record<string, { warm: { latency: Record<string, number[]> }; cold: { connections: Record<string, number> } }>;
      expect(results['2ms']!.warm.latency.a).toHaveLength(3);
      expect(Object.keys(results['2ms']!.cold.connections)).toEqual(['a', 'b', 'a2']);
    });
  }, 120_000);
});
