// The simulator as a command (`npx passport-7geese-simulator`), as an end-to-end test in another
// stack would start it: a separate process, its URL read from what it prints.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { Strategy } from '../src/index.js';
import { stopChild } from './helpers/stop-child.js';

const bin = resolve(import.meta.dirname, '../dist/cjs/testing/cli.js');
const CALLBACK = 'http://app.test/auth/7geese/callback';
let child: ChildProcess | undefined;
/** Process groups started, each stopped whole after its test (what is left of them, if anything). */
const groups: number[] = [];

afterEach(async () => {
  if (child) await stopChild(child);
  child = undefined;
  for (const pid of groups.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Nothing of it is left.
    }
  }
});

/** Starts a command in a process group of its own, so that afterEach stops all it started. */
function spawnGroup(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const started = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (started.pid) groups.push(started.pid);
  return started;
}

/** Starts the command (or `launch`) and resolves with everything it printed up to its URL. */
async function startCommand(args: string[], launch: () => ChildProcess = () => spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })): Promise<{ baseURL: string; printed: string }> {
  child = launch();
  let printed = '';
  for await (const chunk of child.stdout!) {
    printed += String(chunk);
    const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(printed);
    if (match && printed.includes('demo people')) return { baseURL: match[1]!, printed };
  }
  throw new Error(`the simulator command exited without printing its URL: ${printed}`);
}

describe('passport-7geese-simulator', () => {
  it('prints its URL, the client and the demo people, signs a person in, and stops on SIGTERM', async () => {
    const { baseURL, printed } = await startCommand(['--port', '0', '--client', `e2e-app:e2e-secret:${CALLBACK}`, '--auto-approve', 'grace@example.com']);
    expect(printed).toContain(`e2e-app (secret e2e-secret) → ${CALLBACK}`);
    expect(printed).toContain('ada@example.com / ada-password');

    const passport = new Passport();
    passport.use(new Strategy({ clientID: 'e2e-app', clientSecret: 'e2e-secret', callbackURL: CALLBACK, baseURL }, async (_a, _r, profile) => ({ email: profile.emails[0]?.value })));
    passport.serializeUser((u, done) => done(null, u));
    passport.deserializeUser((u: Express.User, done) => done(null, u));
    const app = express();
    app.use(session({ secret: 'cli-test', resave: false, saveUninitialized: false }));
    app.use(passport.session());
    app.get('/auth/7geese', passport.authenticate('7geese'));
    app.get('/auth/7geese/callback', passport.authenticate('7geese'), (_req, res) => res.redirect('/me'));
    app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
    const agent = request.agent(app);

    const authorize = (await agent.get('/auth/7geese')).headers.location as string;
    expect(authorize.startsWith(`${baseURL}/o/authorize/`)).toBe(true);
    const approved = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(approved.headers.get('location')!);
    expect((await agent.get(callback.pathname + callback.search)).headers.location).toBe('/me');
    expect((await agent.get('/me')).body.user).toEqual({ email: 'grace@example.com' });

    child!.kill('SIGTERM');
    const [code] = (await once(child!, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses a malformed --client with a message that shows the expected form', async () => {
    child = spawn(process.execPath, [bin, '--client', 'only-an-id'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('--client must be ID:SECRET:URI');
  });
});

/** Whether something accepts connections at the URL's port. */
function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect(Number(port), hostname, () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

/** Passes once nothing answers at the URL any more, polling; fails if something still does after 30 s. */
async function expectClosed(url: string): Promise<void> {
  await expect.poll(() => answers(url), { timeout: 30_000, interval: 100 }).toBe(false);
}

describe('passport-7geese-simulator leaves nothing behind when what started it is stopped', () => {
  it('through npx: npx killed with SIGKILL (its `sh -c` lives on), the simulator stops', { timeout: 60_000 }, async () => {
    // A project with the package installed, its command in node_modules/.bin, as npx finds it.
    const dir = mkdtempSync(join(tmpdir(), 'p7g-npx-'));
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    symlinkSync(resolve(import.meta.dirname, '..'), join(dir, 'node_modules/passport-7geese'), 'dir');
    symlinkSync('../passport-7geese/dist/cjs/testing/cli.js', join(dir, 'node_modules/.bin/passport-7geese-simulator'));
    try {
      const launch = () => spawnGroup('npx', ['--no-install', 'passport-7geese-simulator', '--port', '0'], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' } });
      const { baseURL } = await startCommand([], launch);
      expect(await answers(baseURL)).toBe(true);
      child!.kill('SIGKILL');
      await expectClosed(baseURL);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('through a shell that passes no signal on: the shell killed, the simulator stops', { timeout: 60_000 }, async () => {
    // `; echo` keeps the shell from replacing itself with node: it stays the parent.
    const { baseURL } = await startCommand([], () => spawnGroup('sh', ['-c', `"${process.execPath}" "${bin}" --port 0; echo exited`]));
    child!.kill('SIGKILL');
    await expectClosed(baseURL);
  });

  it('exits when its standard input, a pipe, is closed, as when a Python or Java test runner ends', async () => {
    const launch = () => spawn(process.execPath, [bin, '--port', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const { baseURL } = await startCommand([], launch);
    let said = '';
    child!.stderr!.on('data', (chunk) => (said += String(chunk)));
    const exited = once(child!, 'exit');
    child!.stdin!.end();
    expect((await exited)[0]).toBe(0);
    expect(said).toContain('its standard input was closed; stopping.');
    expect(await answers(baseURL)).toBe(false);
  });

  it('with --detached, keeps running when its standard input closes', async () => {
    const launch = () => spawn(process.execPath, [bin, '--port', '0', '--detached'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const { baseURL } = await startCommand([], launch);
    child!.stdin!.end();
    // The simulator sees the end of its input before it sees a connection made after it: once one
    // request has been answered, a simulator that stopped on it would have stopped listening.
    await fetch(`${baseURL}/o/authorize/`, { redirect: 'manual' });
    expect(await answers(baseURL)).toBe(true);
    expect(child!.exitCode).toBe(null);
  });
});
