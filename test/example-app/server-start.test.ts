// `npm start` as a newcomer runs it: the real entry point, with no settings, against the
// built-in simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { startExampleProcess, type ExampleProcess } from '../helpers/example-process.js';
import { freePort } from '../helpers/free-port.js';

let running: ExampleProcess | undefined;
afterEach(async () => {
  await running?.stop();
});

async function start(env: Record<string, string>): Promise<ExampleProcess> {
  running = await startExampleProcess(env);
  return running;
}

describe('starting the example app', () => {
  it('starts against the built-in simulator with no settings, and a person can sign in', async () => {
    const port = await freePort();
    const { output } = await start({ PORT: String(port) });
    expect(output).toContain(`open http://localhost:${port}`);
    expect(output).toContain('Using the built-in 7Geese simulator at http://127.0.0.1:');

    const base = `http://127.0.0.1:${port}`;
    const started = await fetch(`${base}/auth/7geese`, { redirect: 'manual' });
    const cookie = started.headers.get('set-cookie')!.split(';')[0]!;
    const authorize = new URL(started.headers.get('location')!);
    const consent = await fetch(authorize);
    expect(await consent.text()).toContain('Read your objectives');
    const form = new URLSearchParams(authorize.searchParams);
    form.set('user', '2');
    form.set('allow', 'Approve');
    const approved = await fetch(new URL('/o/authorize/', authorize), { method: 'POST', body: form, redirect: 'manual' });
    const callback = await fetch(approved.headers.get('location')!, { headers: { cookie }, redirect: 'manual' });
    expect(callback.status).toBe(302);
    const signedIn = callback.headers.get('set-cookie')!.split(';')[0]!;
    const home = await (await fetch(`${base}/`, { headers: { cookie: signedIn } })).text();
    expect(home).toContain('Hello, Grace Hopper');
  });

  it('stops with a message naming a missing setting', async () => {
    const { output, exitCode } = await start({ SEVENGEESE_CLIENT_ID: 'only-the-id' });
    expect(exitCode).toBe(1);
    expect(output).toContain('example-app: SEVENGEESE_CLIENT_SECRET is missing');
  });

  it('says so when its port is taken, and how to pick another', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const { port } = taken.address() as { port: number };
      const { output, exitCode } = await start({ PORT: String(port) });
      expect(exitCode).toBe(1);
      expect(output).toContain(`example-app could not start: port ${port} is in use.`);
      expect(output).toContain('PORT=');
    } finally {
      taken.close();
    }
  });
});
