// The example app's progress update: a write that needs objective:write, which the app does not
// sign in with, so requireScopes asks 7Geese for it (a step-up) and the callback finishes it.
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../example-app/src/app.js';
import { createStrategies } from '../../example-app/src/strategies.js';
import { CALLBACK, consentAt, csrf, signIn, startExample, type Example } from './setup.js';

let e: Example;
afterEach(async () => {
  await e?.sim.close();
});

const firstObjective = (userId: number) => [...e.sim.store.objectives.values()].find((o) => o.owner === userId)!;
const authorizeCalls = () => e.sim.requests.filter((r) => r.path === '/o/authorize/').length;

/** Posts the objectives page's form for one objective. */
async function update(id: unknown, progress: string, token?: string) {
  // The token first: the agent takes its cookies (the CSRF nonce among them) when the request is made.
  const _csrf = token ?? (await csrf(e));
  return e.agent.post(`/objectives/${String(id)}/progress`).type('form').send({ _csrf, progress });
}

describe('the example app: updating progress asks 7Geese for objective:write first', () => {
  it('sends the person to 7Geese for their scopes plus objective:write, then saves the update and shows it', async () => {
    e = await startExample();
    await signIn(e, 1);
    const objective = firstObjective(1);
    const page = await e.agent.get('/objectives');
    expect(page.text).toContain(`action="/objectives/${String(objective.id)}/progress"`);

    const started = await update(objective.id, '42');
    expect(started.status).toBe(302);
    const url = new URL(started.headers.location as string);
    expect(url.origin + url.pathname).toBe(`${e.sim.baseURL}/o/authorize/`);
    expect(url.searchParams.get('scope')).toBe('userprofile:read objective:read objective:write');
    expect(url.searchParams.get('approval_prompt')).toBe('auto');
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(objective.progress).not.toBe(42);

    const back = await e.agent.get(await consentAt(e.sim, url.href, 1));
    expect(back.status).toBe(302);
    expect(back.headers.location).toBe(`/objectives?updated=${String(objective.id)}`);
    expect(objective.progress).toBe(42);
    const patch = e.sim.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.path).toBe(`/api/v/2.0/objectives/${String(objective.id)}/`);
    expect(patch.headers.authorization).toBe('Bearer [redacted]');

    const shown = await e.agent.get(back.headers.location as string);
    expect(shown.text).toContain(`Saved: “${String(objective.name)}” is now at 42%.`);
    expect((await e.agent.get('/')).text).toContain('userprofile:read, objective:read, objective:write');

    // Now the token has objective:write: the next update goes straight through.
    const asked = authorizeCalls();
    const direct = await update(objective.id, '43');
    expect(direct.status).toBe(303);
    expect(direct.headers.location).toBe(`/objectives?updated=${String(objective.id)}`);
    expect(objective.progress).toBe(43);
    expect(authorizeCalls()).toBe(asked);
  });

  it('keeps a person who refuses the extra access signed in, changes nothing and does not ask again by itself', async () => {
    e = await startExample();
    await signIn(e, 1);
    const objective = firstObjective(1);
    const before = objective.progress;
    const started = await update(objective.id, '5');
    const back = await e.agent.get(await consentAt(e.sim, started.headers.location as string, 1, 'Deny'));
    expect(back.status).toBe(403);
    expect(back.headers.location).toBeUndefined();
    expect(back.text).toContain('You did not allow the extra access in 7Geese, so nothing was changed. You are still signed in');
    expect(objective.progress).toBe(before);
    expect((await e.agent.get('/objectives')).status).toBe(200);
    expect((await e.agent.get('/')).text).toContain('userprofile:read, objective:read</dd>');
  });

  it('shows a clear page instead of asking again when 7Geese grants less than asked for', async () => {
    e = await startExample();
    await signIn(e, 1);
    const objective = firstObjective(1);
    const before = objective.progress;
    const started = await update(objective.id, '77');
    const fewer = e.sim.store.issueTokens('example', 1, ['userprofile:read', 'objective:read']);
    e.sim.fault('token', { status: 200, body: JSON.stringify(fewer), headers: { 'Content-Type': 'application/json' }, times: 1 });
    const back = await e.agent.get(await consentAt(e.sim, started.headers.location as string, 1));
    expect(back.status).toBe(403);
    expect(back.headers.location).toBeUndefined();
    expect(back.text).toContain('7Geese did not give this app the extra access it asked for (objective:write), so nothing was changed.');
    expect(back.text).toContain('href="/objectives"');
    expect(objective.progress).toBe(before);
    // Its "Try again" page reads the objectives with the token 7Geese gave.
    expect((await e.agent.get('/objectives')).status).toBe(200);
  });

  it('does not save the update when the person comes back from 7Geese as someone else', async () => {
    e = await startExample();
    await signIn(e, 1);
    const objective = firstObjective(1);
    const before = objective.progress;
    const started = await update(objective.id, '9');
    const back = await e.agent.get(await consentAt(e.sim, started.headers.location as string, 2));
    expect(back.status).toBe(409);
    expect(back.text).toContain('You came back from 7Geese as a different person');
    expect(objective.progress).toBe(before);
    expect(e.sim.requests.some((r) => r.method === 'PATCH')).toBe(false);
  });

  it('updates at once, without a step-up, for a person signed in with "all"', async () => {
    const base = await startExample();
    const credentials = { clientID: 'example', clientSecret: 'example-secret' };
    const { signIn: strategy } = createStrategies({ ...credentials, callbackURL: CALLBACK, baseURL: base.sim.baseURL, profileURL: `${base.sim.baseURL}/api/v/2.0/userprofiles/me/`, scope: 'all' });
    const app = createApp({ strategy, sessionSecret: 'test-session-secret-that-is-long-enough' });
    e = { sim: base.sim, app, agent: request.agent(app) };
    await signIn(e, 3);
    const objective = firstObjective(3);
    const res = await update(objective.id, '64');
    expect(res.status).toBe(303);
    expect(objective.progress).toBe(64);
  });

  it('refuses an update from another site, or without its token, before 7Geese is asked', async () => {
    e = await startExample();
    await signIn(e, 1);
    const objective = firstObjective(1);
    const asked = authorizeCalls();
    const noToken = await e.agent.post(`/objectives/${String(objective.id)}/progress`).type('form').send({ progress: '50' });
    expect(noToken.status).toBe(403);
    const token = await csrf(e);
    const crossSite = await e.agent.post(`/objectives/${String(objective.id)}/progress`).set('Origin', 'https://evil.example').type('form').send({ _csrf: token, progress: '50' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain('This request did not come from this site');
    expect(authorizeCalls()).toBe(asked);
  });

  it('refuses a progress that is not a whole number from 0 to 100, and sends an anonymous visitor to sign in', async () => {
    e = await startExample();
    await signIn(e, 1);
    const objective = firstObjective(1);
    for (const bad of ['101', '-1', '4.5', 'abc', '']) {
      const res = await update(objective.id, bad);
      expect(res.status, bad).toBe(400);
      expect(res.text).toContain('Progress is a whole number from 0 to 100.');
    }
    expect((await update('0', '5')).status).toBe(400);
    const anonymous = await startExample();
    const token = await csrf(anonymous);
    const res = await anonymous.agent.post(`/objectives/${String(objective.id)}/progress`).type('form').send({ _csrf: token, progress: '5' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/auth/7geese?returnTo=%2Fobjectives');
    await anonymous.sim.close();
  });
});

describe('the simulator\'s objective endpoint', () => {
  it('changes an objective only with objective:write, as 7Geese does', async () => {
    e = await startExample();
    const objective = firstObjective(1);
    const patch = (token: string) =>
      fetch(`${e.sim.baseURL}/api/v/2.0/objectives/${String(objective.id)}/`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ progress: 11 }),
      });
    const read = e.sim.store.issueTokens('example', 1, ['objective:read']);
    const refused = await patch(read.access_token);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
    const write = e.sim.store.issueTokens('example', 1, ['objective:write']);
    const done = await patch(write.access_token);
    expect(done.status).toBe(200);
    expect(objective.progress).toBe(11);
  });
});
