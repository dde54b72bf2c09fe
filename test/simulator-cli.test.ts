// The simulator as a command (`npx passport-7geese-simulator`), as an end-to-end test in another
// stack would start it: a separate process, its URL read from what it prints.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { Strategy } from '../src/index.js';

const bin = resolve(import.meta.dirname, '../dist/cjs/testing/cli.js');
const CALLBACK = 'http://app.test/auth/7geese/callback';
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
});

/** Starts the command and resolves with everything it printed up to its URL. */
async function startCommand(args: string[]): Promise<{ baseURL: string; printed: string }> {
  child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
