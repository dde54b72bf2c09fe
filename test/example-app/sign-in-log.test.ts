// The example app's log: one line per finished sign-in, with its outcome and duration, and no
// secret in it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logSignIns } from '../../example-app/src/sign-in-log.js';
import { consentAt, signIn, startExample, type Example } from './setup.js';

let e: Example;
let lines: string[];
let stop: () => void;
beforeEach(async () => {
  e = await startExample();
  lines = [];
  stop = logSignIns((line) => lines.push(line));
});
afterEach(async () => {
  stop();
  await e.sim.close();
});

describe('the sign-in log', () => {
  it('logs one line for a sign-in, with its outcome and duration', async () => {
    await signIn(e);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sign-in: 7geese succeeded in \d+ ms$/);
  });

  it("logs a denied consent with its code, and no line for the redirect to 7Geese", async () => {
    const started = await e.agent.get('/auth/7geese');
    expect(lines).toEqual([]);
    await e.agent.get(await consentAt(e.sim, started.headers.location as string, 1, 'Deny'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sign-in: 7geese failed \(access_denied\) in \d+ ms$/);
  });

  it('logs a callback error of any other text as unregistered_error, and answers 502 without a stack', async () => {
    const started = await e.agent.get('/auth/7geese');
    const state = new URL(started.headers.location as string).searchParams.get('state')!;
    const res = await e.agent.get(`/auth/7geese/callback?error=written_into_your_logs&state=${state}`);
    expect(res.status).toBe(502);
    expect(res.text).not.toMatch(/\bat .+:\d+:\d+\)?/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sign-in: 7geese failed \(unregistered_error\) in \d+ ms$/);
  });
});
