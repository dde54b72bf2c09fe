// The example app wired to a simulator, and a browser's sign-in steps, for the example-app tests.
import request from 'supertest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/testing/index.js';
import { createApp, type AppDeps } from '../../example-app/src/app.js';
import { createStrategies } from '../../example-app/src/strategies.js';

export const CALLBACK = 'http://example.test/auth/7geese/callback';

export interface Example {
  sim: Simulator;
  app: ReturnType<typeof createApp>;
  agent: ReturnType<typeof request.agent>;
}

/** The example app against a fresh simulator; `deps` adds or replaces what createApp is given. */
export async function startExample(timeout = 2_000, deps: Partial<AppDeps> = {}, simulator: SimulatorOptions = {}): Promise<Example> {
  const sim = await startSimulator(simulator);
  sim.addClient({ clientId: 'example', clientSecret: 'example-secret', redirectUris: [CALLBACK] });
  const credentials = { clientID: 'example', clientSecret: 'example-secret' };
  const { signIn, password } = createStrategies({ ...credentials, callbackURL: CALLBACK, baseURL: sim.baseURL, profileURL: `${sim.baseURL}/api/v/2.0/userprofiles/me/`, password: credentials, timeout });
  const app = createApp({ strategy: signIn, passwordStrategy: password, sessionSecret: 'test-session-secret-that-is-long-enough', usingSimulator: true, ...deps });
  return { sim, app, agent: request.agent(app) };
}

export function sid(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return cookies.find((c) => c.startsWith('sid='))?.split(';')[0];
}

/** Follows the app's redirect to the simulator and answers its consent form; returns the callback path. */
export async function consentAt(sim: Simulator, authorize: string, userId: number, decision: 'Approve' | 'Deny' = 'Approve'): Promise<string> {
  const url = new URL(authorize);
  const form = new URLSearchParams();
  for (const [k, v] of url.searchParams) if (k !== 'approval_prompt') form.set(k, v);
  form.set('user', String(userId));
  form.set(decision === 'Approve' ? 'allow' : 'deny', decision);
  const res = await fetch(`${sim.baseURL}/o/authorize/`, { method: 'POST', body: form, redirect: 'manual' });
  const back = new URL(res.headers.get('location')!);
  return back.pathname + back.search;
}

/** The whole sign-in; resolves with the app's answer to the callback. */
export async function signIn(e: Example, userId = e.sim.users[0]!.id, start = '/auth/7geese') {
  const started = await e.agent.get(start);
  const callback = await consentAt(e.sim, started.headers.location as string, userId);
  return e.agent.get(callback);
}

/** The CSRF token of the current page's forms. */
export async function csrf(e: Example): Promise<string> {
  const home = await e.agent.get('/');
  return /name="_csrf" value="([^"]+)"/.exec(home.text)![1]!;
}
