// The simulator behaves like 7Geese's django-oauth-toolkit server, so that what passes against
// it passes against the real service.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DEMO_USERS, startSimulator, type Simulator } from '../src/testing/index.js';

const REDIRECT = 'http://app.test/cb';
let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
  sim.addClient({ clientId: 'c1', clientSecret: 's1', redirectUris: [REDIRECT, 'http://app.test/other'], name: 'Test App' });
});
afterEach(async () => {
  await sim.close();
});

const authorizeURL = (params: Record<string, string>) =>
  `${sim.baseURL}/o/authorize/?${new URLSearchParams({ client_id: 'c1', response_type: 'code', redirect_uri: REDIRECT, ...params })}`;
const basic = (id = 'c1', secret = 's1') => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const post = (path: string, form: Record<string, string>, headers: Record<string, string> = { authorization: basic() }) =>
  fetch(`${sim.baseURL}${path}`, { method: 'POST', body: new URLSearchParams(form), headers, redirect: 'manual' });

async function code(extra: Record<string, string> = {}, userId = DEMO_USERS[0]!.id): Promise<string> {
  const form = { client_id: 'c1', response_type: 'code', redirect_uri: REDIRECT, scope: 'userprofile:read', user: String(userId), allow: 'Approve', ...extra };
  const res = await fetch(`${sim.baseURL}/o/authorize/`, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
  return new URL(res.headers.get('location')!).searchParams.get('code')!;
}

describe('the authorize endpoint', () => {
  it('shows a consent page naming the application, the scopes in words and the people', async () => {
    const res = await fetch(authorizeURL({ scope: 'userprofile:read objective:write', state: 'st' }));
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Authorize Test App');
    expect(html).toContain('Read your profile');
    expect(html).toContain('Change your objectives');
    expect(html).toContain('Signed in to 7Geese as');
    for (const u of DEMO_USERS) expect(html).toContain(u.email);
    expect(html).toMatch(/<button[^>]*>Approve<\/button>/);
    expect(html).toMatch(/<button[^>]*>Deny<\/button>/);
  });

  it('never redirects to an unregistered redirect URI', async () => {
    const res = await fetch(authorizeURL({ redirect_uri: 'https://evil.example/cb', scope: 'all' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('Mismatching redirect URI.');
    const unknown = await fetch(authorizeURL({ client_id: 'nobody' }), { redirect: 'manual' });
    expect(unknown.status).toBe(400);
  });

  it('redirects an unknown scope back with invalid_scope and the state', async () => {
    const res = await fetch(authorizeURL({ scope: 'objectives:read', state: 'st1' }), { redirect: 'manual' });
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(Object.fromEntries(back.searchParams)).toEqual({ error: 'invalid_scope', state: 'st1' });
  });

  it('redirects a denial back with access_denied and the state', async () => {
    const res = await post('/o/authorize/', { client_id: 'c1', response_type: 'code', redirect_uri: REDIRECT, scope: 'all', state: 'st2', user: '1', deny: 'Deny' }, {});
    expect(Object.fromEntries(new URL(res.headers.get('location')!).searchParams)).toEqual({ error: 'access_denied', state: 'st2' });
  });

  it('skips the page with approval_prompt=auto once the person has approved those scopes', async () => {
    const first = await post('/o/authorize/', { client_id: 'c1', response_type: 'code', redirect_uri: REDIRECT, scope: 'userprofile:read', user: '2', allow: 'Approve' }, {});
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const again = await fetch(authorizeURL({ scope: 'userprofile:read', approval_prompt: 'auto' }), { headers: { cookie }, redirect: 'manual' });
    expect(again.status).toBe(302);
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).toMatch(/^\w{30}$/);
    const forced = await fetch(authorizeURL({ scope: 'userprofile:read', approval_prompt: 'force' }), { headers: { cookie }, redirect: 'manual' });
    expect(forced.status).toBe(200);
    const more = await fetch(authorizeURL({ scope: 'objective:read', approval_prompt: 'auto' }), { headers: { cookie }, redirect: 'manual' });
    expect(more.status).toBe(200);
  });

  it('approves at once as the chosen person in auto-approve mode', async () => {
    sim.setAutoApprove('grace@example.com');
    const res = await fetch(authorizeURL({ scope: 'all', state: 'x' }), { redirect: 'manual' });
    const c = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const token = await (await post('/o/token/', { grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT })).json();
    const me = await (await fetch(`${sim.baseURL}/api/v/2.0/users/me/`, { headers: { authorization: `Bearer ${token.access_token}` } })).json();
    expect(me.email).toBe('grace@example.com');
  });
});

describe('the token endpoint', () => {
  it('exchanges a code once, with Basic or body client authentication', async () => {
    const c = await code();
    const res = await post('/o/token/', { grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT, state: 'echo' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ token_type: 'Bearer', expires_in: 36000, scope: 'userprofile:read', state: 'echo' });
    const again = await post('/o/token/', { grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_grant' });
    const viaBody = await post('/o/token/', { grant_type: 'authorization_code', code: await code(), redirect_uri: REDIRECT, client_id: 'c1', client_secret: 's1' }, {});
    expect(viaBody.status).toBe(200);
  });

  it('answers DOT errors: invalid_client 401, missing and mismatching redirect URI 400', async () => {
    const bad = await post('/o/token/', { grant_type: 'authorization_code', code: await code(), redirect_uri: REDIRECT }, { authorization: basic('c1', 'wrong') });
    expect([bad.status, await bad.json()]).toEqual([401, { error: 'invalid_client' }]);
    const missing = await post('/o/token/', { grant_type: 'authorization_code', code: await code() });
    expect([missing.status, await missing.json()]).toEqual([400, { error: 'invalid_request', error_description: 'Missing redirect URI.' }]);
    const other = await post('/o/token/', { grant_type: 'authorization_code', code: await code(), redirect_uri: 'http://app.test/other' });
    expect(await other.json()).toEqual({ error: 'invalid_request', error_description: 'Mismatching redirect URI.' });
    const grant = await post('/o/token/', { grant_type: 'client_credentials' });
    expect(await grant.json()).toEqual({ error: 'unsupported_grant_type' });
  });

  it('verifies PKCE when a challenge was sent', async () => {
    const verifier = 'v'.repeat(43);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const pk = { code_challenge: challenge, code_challenge_method: 'S256' };
    const none = await post('/o/token/', { grant_type: 'authorization_code', code: await code(pk), redirect_uri: REDIRECT });
    expect(await none.json()).toEqual({ error: 'invalid_request', error_description: 'Code verifier required.' });
    const wrong = await post('/o/token/', { grant_type: 'authorization_code', code: await code(pk), redirect_uri: REDIRECT, code_verifier: 'w'.repeat(43) });
    expect(await wrong.json()).toEqual({ error: 'invalid_grant' });
    const right = await post('/o/token/', { grant_type: 'authorization_code', code: await code(pk), redirect_uri: REDIRECT, code_verifier: verifier });
    expect(right.status).toBe(200);
  });

  it('refuses an expired code', async () => {
    await sim.close();
    sim = await startSimulator({ codeLifetimeSeconds: 0 });
    sim.addClient({ clientId: 'c1', clientSecret: 's1', redirectUris: [REDIRECT] });
    const res = await post('/o/token/', { grant_type: 'authorization_code', code: await code(), redirect_uri: REDIRECT });
    expect(await res.json()).toEqual({ error: 'invalid_grant' });
  });

  it('takes the password grant with the email', async () => {
    const u = DEMO_USERS[0]!;
    const ok = await post('/o/token/', { grant_type: 'password', username: u.email, password: u.password, scope: 'all' });
    expect((await ok.json()).scope).toBe('all');
    const wrong = await post('/o/token/', { grant_type: 'password', username: u.email, password: 'nope' });
    expect(await wrong.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid credentials given.' });
    const noPassword = await post('/o/token/', { grant_type: 'password', username: u.email });
    expect(await noPassword.json()).toEqual({ error: 'invalid_request', error_description: 'Request is missing password parameter.' });
  });

  it('refuses a grant the client is not registered for with unauthorized_client, as DOT does', async () => {
    const redirectUri = 'http://app.test/code-only/callback';
    sim.addClient({ clientId: 'code-only', clientSecret: 'code-only-secret', redirectUris: [redirectUri], grantTypes: ['authorization-code'] });
    sim.addClient({ clientId: 'password-only', clientSecret: 'password-only-secret', redirectUris: [redirectUri], grantTypes: ['password'] });
    const u = DEMO_USERS[0]!;
    const basic = (id: string) => `Basic ${Buffer.from(`${id}:${id}-secret`).toString('base64')}`;
    const password = await fetch(`${sim.baseURL}/o/token/`, {
      method: 'POST',
      headers: { authorization: basic('code-only') },
      body: new URLSearchParams({ grant_type: 'password', username: u.email, password: u.password }),
    });
    expect([password.status, await password.json()]).toEqual([400, { error: 'unauthorized_client' }]);
    const authorize = await fetch(`${sim.baseURL}/o/authorize/?${new URLSearchParams({ client_id: 'password-only', response_type: 'code', redirect_uri: redirectUri, state: 's1' })}`, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    expect(new URL(authorize.headers.get('location')!).search).toBe('?error=unauthorized_client&state=s1');
  });

  it('answers 301 to a path without its trailing slash, like Django', async () => {
    const res = await post('/o/token', { grant_type: 'password' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/o/token/');
  });
});

describe('the API', () => {
  it('needs a bearer token in the header and the scope of the resource', async () => {
    const t = sim.issueToken({ user: 1, scope: 'userprofile:read', clientId: 'c1' });
    const none = await fetch(`${sim.baseURL}/api/v/2.0/users/me/?access_token=${t.access_token}`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    const auth = { authorization: `Bearer ${t.access_token}` };
    expect((await fetch(`${sim.baseURL}/api/v/2.0/users/me/`, { headers: auth })).status).toBe(200);
    const forbidden = await fetch(`${sim.baseURL}/api/v/2.0/objectives/`, { headers: auth });
    expect([forbidden.status, await forbidden.json()]).toEqual([403, { detail: 'You do not have permission to perform this action.' }]);
    const profile = await (await fetch(`${sim.baseURL}/api/v/2.0/userprofiles/me/`, { headers: auth })).json();
    expect(profile.user.id).toBe(1);
    expect(profile.id).not.toBe(1);
  });

  it('paginates objectives the Django REST Framework way', async () => {
    const t = sim.issueToken({ user: 1, scope: 'objective:read' });
    const page = await (await fetch(`${sim.baseURL}/api/v/2.0/objectives/?limit=5`, { headers: { authorization: `Bearer ${t.access_token}` } })).json();
    expect(page).toMatchObject({ count: 7, previous: null });
    expect(page.results).toHaveLength(5);
    expect(new URL(page.next).searchParams.get('offset')).toBe('5');
  });
});

describe('faults and recording', () => {
  it('records requests and applies a fault only the given number of times', async () => {
    sim.fault('users/me', { status: 503, body: 'busy', times: 1 });
    const t = sim.issueToken({ user: 1 });
    const headers = { authorization: `Bearer ${t.access_token}` };
    expect((await fetch(`${sim.baseURL}/api/v/2.0/users/me/`, { headers })).status).toBe(503);
    expect((await fetch(`${sim.baseURL}/api/v/2.0/users/me/`, { headers })).status).toBe(200);
    expect(sim.requests.map((r) => r.headers.authorization)).toEqual(['Bearer [redacted]', 'Bearer [redacted]']);
    expect(sim.requests.map((r) => r.path)).toEqual(['/api/v/2.0/users/me/', '/api/v/2.0/users/me/']);
  });

  it('refuses a requestLogSize or maxStoredTokens that is not a whole number, naming the option', async () => {
    await expect(startSimulator({ requestLogSize: -1 })).rejects.toThrow(new TypeError('startSimulator: `requestLogSize` must be a whole number of at least 0, got -1.'));
    await expect(startSimulator({ maxStoredTokens: 0 })).rejects.toThrow(new TypeError('startSimulator: `maxStoredTokens` must be a whole number of at least 1, got 0.'));
    await expect(startSimulator({ maxStoredTokens: 1.5 })).rejects.toThrow('`maxStoredTokens` must be a whole number');
  });

  it('closes promptly with a request hanging', async () => {
    sim.fault('token', { hang: true });
    const pending = fetch(`${sim.baseURL}/o/token/`, { method: 'POST' }).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    await sim.close();
    expect(await pending).toBeInstanceOf(Error);
    sim = await startSimulator();
  });
});
