// Each host app under test/hosts/ signs in against the simulator with its own test runner,
// with passport-7geese installed from the packed tarball as a user installs it.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { installHosts } from './install.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Each host and the command that runs its tests. */
const HOSTS: ReadonlyArray<{ dir: string; what: string; command: string[] }> = [
  { dir: 'nest11', what: 'NestJS 11, Jest and ts-jest, CommonJS', command: ['npm', 'run', 'test:e2e'] },
  { dir: 'nest12', what: 'NestJS 12, vitest, ES modules', command: ['npm', 'run', 'test:e2e'] },
  { dir: 'express4-cjs', what: 'Express 4, CommonJS JavaScript', command: ['npm', 'test'] },
  { dir: 'express5-ts', what: 'Express 5, strict TypeScript with skipLibCheck off', command: ['npm', 'test'] },
  { dir: 'cjs-node16', what: 'CommonJS TypeScript (module node16, and moduleResolution node10)', command: ['npm', 'test'] },
  { dir: 'fastify5', what: 'Fastify 5 with @fastify/passport', command: ['npm', 'test'] },
  { dir: 'koa3', what: 'Koa 3 with koa-passport', command: ['npm', 'test'] },
];

const HOST_TIMEOUT = 120_000;

function run(command: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const [cmd = '', ...args] = command;
    // Its own process group, so that a runner that hangs is stopped with everything it started.
    const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true', FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[hosts.test] ${command.join(' ')} still running after ${HOST_TIMEOUT / 1000}s: stopped`;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, HOST_TIMEOUT);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('host apps sign in with passport-7geese from its packed tarball', () => {
  beforeAll(async () => {
    await installHosts({ only: HOSTS.map((h) => h.dir) });
  }, 600_000);

  for (const host of HOSTS) {
    it(`${host.what} (test/hosts/${host.dir})`, { timeout: HOST_TIMEOUT + 10_000 }, async () => {
      const { code, output } = await run(host.command, join(here, host.dir));
      if (code !== 0) console.error(`--- test/hosts/${host.dir}: ${host.command.join(' ')} exited with ${code}\n${output}`);
      expect(code, `test/hosts/${host.dir} failed; its output is printed above`).toBe(0);
    });
  }
});
