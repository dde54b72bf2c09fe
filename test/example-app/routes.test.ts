import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { consentAt, csrf, sid, signIn, startExample, type Example } from './setup.js';

let e: Example;
beforeEach(async () => {
  e = await startExample();
});
afterEach(async () => {
  await e.sim.close();
});

const noStack = (text: string) => expect(text).not.toMatch(/\bat .+:\d+:\d+\)?|Error:/);

describe('the example app', () => {
  it('shows the sign-in button and the password form to a signed-out visitor', async () => {
    const res = await e.agent.get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<a class="button" href="/auth/7geese">Sign in with 7Geese</a>');
    expect(res.text).toContain('action="/login/password"');
  });

  it('signs in through 7Geese and shows the name, photo, email, scopes and expiry', async () => {
    const user = e.sim.users[1]!;
    const res = await signIn(e, user.id);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const home = await e.agent.get('/');
    expect(home.text).toContain(`Hello, ${user.first_name} ${user.last_name}`);
    expect(home.text).toContain(user.email);
    expect(home.text).toContain(`<img src="${user.profile_img}"`);
    expect(home.text).toContain('userprofile:read, objective:read');
    expect(home.text).toMatch(/<time datetime="\d{4}-\d\d-\d\dT/);
    expect(home.text).not.toContain('Sign in with 7Geese</a>');
  });

  it('changes the session id at sign-in', async () => {
    const started = await e.agent.get('/auth/7geese');
    const before = sid(started);
    const callback = await consentAt(e.sim, started.headers.location as string, 1);
    const finished = await e.agent.get(callback);
    expect(before).toBeDefined();
    expect(sid(finished)).toBeDefined();
    expect(sid(finished)).not.toBe(before);
  });

  it('returns the user to a local returnTo after sign-in', async () => {
    const res = await signIn(e, 1, '/auth/7geese?returnTo=%2Fobjectives%3Fpage%3D1');
    expect(res.headers.location).toBe('/objectives?page=1');
  });

  it.each(['//evil.example', 'https://evil.example/', '/\\evil.example', '/\t/evil.example', 'http:evil.example'])(
    'ignores the non-local returnTo %s',
    async (returnTo) => {
      const res = await signIn(e, 1, `/auth/7geese?returnTo=${encodeURIComponent(returnTo)}`);
      expect(res.headers.location).toBe('/');
    },
  );

  it('sends a signed-out visitor of /profile to sign in and brings them back', async () => {
    const res = await e.agent.get('/profile');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/auth/7geese?returnTo=%2Fprofile');
    const back = await signIn(e, 2, res.headers.location as string);
    expect(back.headers.location).toBe('/profile');
    const profile = await e.agent.get('/profile');
    expect(profile.text).toContain('grace@example.com');
  });

  it('lists the objectives read from the 7Geese API with the token', async () => {
    await signIn(e, 1);
    const res = await e.agent.get('/objectives');
    expect(res.status).toBe(200);
    expect((res.text.match(/<tr><td>/g) ?? []).length).toBe(7);
    const call = e.sim.requests.find((r) => r.path === '/api/v/2.0/objectives/')!;
    expect(call.headers.authorization).toBe('Bearer [redacted]');
    expect(call.query).not.toHaveProperty('access_token');
  });

  it('refreshes an expired token on /objectives and keeps working', async () => {
    await signIn(e, 1);
    const token = e.sim.requests.filter((r) => r.path === '/o/token/').length;
    e.sim.fault('objectives', { status: 401, headers: { 'content-type': 'application/json' }, body: '{"detail":"Invalid token."}', times: 1 });
    const res = await e.agent.get('/objectives');
    expect(res.status).toBe(200);
    expect(e.sim.requests.filter((r) => r.path === '/o/token/')).toHaveLength(token + 1);
    expect(e.sim.requests.at(-2)!.form.grant_type).toBe('refresh_token');
  });

  it('logs out with a CSRF-protected POST that revokes the token and ends the session', async () => {
    // This test reuses the access token the app sent, so the simulator records it in clear.
    await e.sim.close();
    e = await startExample(2_000, {}, { recordCredentials: true });
    const oldSid = sid(await signIn(e, 1))!;
    expect((await request(e.app).get('/').set('Cookie', oldSid)).text).toContain('Hello,');
    const token = await csrf(e);
    const res = await e.agent.post('/logout').type('form').send({ _csrf: token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect((res.headers['set-cookie'] as unknown as string[]).some((c) => /^sid=;/.test(c))).toBe(true);
    const revoke = e.sim.requests.find((r) => r.path === '/o/revoke_token/')!;
    expect(revoke.form.token_type_hint).toBe('refresh_token');
    const me = await fetch(`${e.sim.baseURL}/api/v/2.0/users/me/`, { headers: { authorization: `Bearer ${e.sim.requests.find((r) => r.path === '/api/v/2.0/userprofiles/me/')!.headers.authorization!.slice(7)}` } });
    expect(me.status).toBe(401);
    const home = await request(e.app).get('/').set('Cookie', oldSid);
    expect(home.text).toContain('Sign in with 7Geese</a>');
  });

  it('refuses a logout without the CSRF token or from another site', async () => {
    await signIn(e, 1);
    const noToken = await e.agent.post('/logout').type('form').send({});
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('This request did not come from this site');
    const token = await csrf(e);
    const crossSite = await e.agent.post('/logout').set('Origin', 'https://evil.example').type('form').send({ _csrf: token });
    expect(crossSite.status).toBe(403);
    expect((await e.agent.get('/')).text).toContain('Hello,');
  });

  it('signs in with email and password, and shows the message for a wrong password', async () => {
    const user = e.sim.users[2]!;
    const first = await csrf(e);
    const wrong = await e.agent.post('/login/password').type('form').send({ _csrf: first, email: user.email, password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That 7Geese email and password do not match.');
    expect(wrong.text).not.toContain('nope');
    const second = await csrf(e);
    const ok = await e.agent.post('/login/password').type('form').send({ _csrf: second, email: user.email, password: user.password });
    expect(ok.headers.location).toBe('/');
    expect((await e.agent.get('/')).text).toContain(`Hello, ${user.first_name}`);
  });
});

describe('the example app error pages', () => {
  it('a denied consent shows a friendly page with a way to try again', async () => {
    const started = await e.agent.get('/auth/7geese');
    const res = await e.agent.get(await consentAt(e.sim, started.headers.location as string, 1, 'Deny'));
    expect(res.status).toBe(403);
    expect(res.text).toContain('You chose not to sign in with 7Geese');
    expect(res.text).toContain('href="/auth/7geese">Try again</a>');
  });

  it('a state mismatch shows a friendly page', async () => {
    const started = await e.agent.get('/auth/7geese');
    const callback = (await consentAt(e.sim, started.headers.location as string, 1)).replace(/state=[^&]+/, 'state=forged');
    const res = await e.agent.get(callback);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Your sign-in expired or was started in another window');
    noStack(res.text);
  });

  it('7Geese refusing the request (an unknown scope) shows a page naming its error code for the developer', async () => {
    const started = await e.agent.get('/auth/7geese');
    const authorize = new URL(started.headers.location as string);
    authorize.searchParams.set('scope', 'objective:read teams:read');
    const refused = await fetch(authorize, { redirect: 'manual' });
    const back = new URL(refused.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('invalid_scope');
    const res = await e.agent.get(back.pathname + back.search);
    expect(res.status).toBe(502);
    expect(res.text).toContain('7Geese refused the request');
    expect(res.text).toContain('invalid_scope');
    noStack(res.text);
  });

  it('7Geese not answering in time shows a friendly page', async () => {
    await e.sim.close();
    e = await startExample(300);
    const started = await e.agent.get('/auth/7geese');
    const callback = await consentAt(e.sim, started.headers.location as string, 1);
    e.sim.fault('token', { hang: true });
    const res = await e.agent.get(callback);
    expect(res.status).toBe(504);
    expect(res.text).toContain('7Geese did not answer in time');
    noStack(res.text);
  });

  it('7Geese answering with an error page shows a friendly page', async () => {
    const started = await e.agent.get('/auth/7geese');
    const callback = await consentAt(e.sim, started.headers.location as string, 1);
    e.sim.fault('token', { status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>Server Error</h1>' });
    const res = await e.agent.get(callback);
    expect(res.status).toBe(502);
    expect(res.text).toContain('7Geese is not answering properly right now');
    noStack(res.text);
  });

  it.each([
    '/auth/7geese/callback?code=a&code=b&state=x',
    '/auth/7geese/callback?state=x',
    '/auth/7geese/callback?error=access_denied&error=x',
    '/auth/7geese/callback?code=%E0%A4%A',
    '/auth/7geese?returnTo=%ZZ&returnTo=/x',
    '/profile?%',
    '/%E0%A4%A',
  ])('a bad query string gets a 4xx page, never a 500: %s', async (path) => {
    await e.agent.get('/auth/7geese');
    const res = await e.agent.get(path);
    expect(res.status).toBeLessThan(500);
    noStack(res.text);
  });

  it('an unknown page is a 404 page', async () => {
    const res = await e.agent.get('/nope');
    expect(res.status).toBe(404);
    expect(res.text).toContain('There is no page at this address.');
  });
});
