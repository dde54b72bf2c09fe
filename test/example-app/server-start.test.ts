// `npm start` as a newcomer runs it: the real entry point, with no settings, against the
// built-in simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { startExampleProcess, type ExampleProcess } from '../helpers/example-process.js';
import { freePort } from '../helpers/free-port.js';

let running: ExampleProcess | undefined;

async function isFree(port: number): Promise<boolean> {
  const probe = createServer();
  const free = await new Promise<boolean>((done) => {
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => done(true));
  });
  if (free) await new Promise((done) => probe.close(done));
  return free;
}
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

  it("puts the simulator on the port after the app's, on any free port when that one is taken, or on SIMULATOR_PORT", async () => {
    const simulatorAt = (output: string) => Number(/simulator at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    // Two neighbouring free ports: the app's, and the one after it.
    let port = 0;
    for (let tries = 0; tries < 20 && port === 0; tries++) {
      const candidate = await freePort();
      if (candidate < 65535 && (await isFree(candidate + 1))) port = candidate;
    }
    expect(port).toBeGreaterThan(0);
    expect(simulatorAt((await start({ PORT: String(port) })).output)).toBe(port + 1);
    await running!.stop();

    const taken = createServer().listen(port + 1, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const { output } = await start({ PORT: String(port) });
      expect(output).toContain(`open http://localhost:${port}`);
      expect(simulatorAt(output)).not.toBe(port + 1);
      await running!.stop();
      const { output: failed, exitCode } = await start({ PORT: String(port), SIMULATOR_PORT: String(port + 1) });
      expect(exitCode).toBe(1);
      expect(failed).toContain(`port ${port + 1} is in use`);
      expect(failed).toContain('SIMULATOR_PORT=');
    } finally {
      taken.close();
    }
    const chosen = await freePort();
    expect(simulatorAt((await start({ PORT: String(port), SIMULATOR_PORT: String(chosen) })).output)).toBe(chosen);
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
