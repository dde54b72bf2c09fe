// The simulator against the real thing: the same requests to our 7Geese simulator and to a real
// django-oauth-toolkit server (the OAuth 2.0 server 7Geese runs), and the same answers: status,
// OAuth error code and description, redirects. Whatever a test proves against the simulator
// then holds against DOT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { DjangoBrowser, hasDOT, reportMissingDOT, useDOT } from './dot-server.js';

const CALLBACK = 'http://app.test/parity/callback';
const ADA = { email: 'ada@example.com', password: 'ada-parity-password', first_name: 'Ada', last_name: 'Lovelace' };
const CODE = { id: 'parity-code', secret: 'parity-code-secret' };
const PASSWORD = { id: 'parity-password', secret: 'parity-password-secret' };

reportMissingDOT('the simulator parity tests');

const dot = useDOT(() => ({
  users: [ADA],
  applications: [
    { name: 'Code', client_id: CODE.id, client_secret: CODE.secret, grant_type: 'authorization-code', redirect_uris: [CALLBACK] },
    { name: 'Password', client_id: PASSWORD.id, client_secret: PASSWORD.secret, grant_type: 'password' },
  ],
}));
let sim: Simulator;

beforeAll(async () => {
  if (!hasDOT) return;
  sim = await startSimulator({
    users: [{ id: 1, email: ADA.email, password: ADA.password, first_name: ADA.first_name, last_name: ADA.last_name, username: ADA.email }],
    clients: [
      { clientId: CODE.id, clientSecret: CODE.secret, redirectUris: [CALLBACK], grantTypes: ['authorization-code'] },
      { clientId: PASSWORD.id, clientSecret: PASSWORD.secret, redirectUris: [], grantTypes: ['password'] },
    ],
    autoApprove: ADA.email,
  });
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

type Server = 'dot' | 'sim';
const base = (s: Server) => (s === 'dot' ? dot().baseURL : sim.baseURL);
const basic = (c: { id: string; secret: string }) => `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;

/** What a client sees of an answer: the status, where it redirects, and the JSON error if any. */
async function seen(res: Response) {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, location: res.headers.get('location'), json };
}

function post(s: Server, path: string, form: Record<string, string>, auth?: string) {
  return fetch(base(s) + path, { method: 'POST', headers: auth ? { authorization: auth } : {}, body: new URLSearchParams(form), redirect: 'manual' }).then(seen);
}

async function both(request: (s: Server) => Promise<Awaited<ReturnType<typeof seen>>>) {
  const [d, m] = [await request('dot'), await request('sim')];
  expect(m).toEqual(d);
  return d;
}

/** An authorization code from each server for the code client, with a PKCE challenge. */
async function codeFrom(s: Server, verifier: string): Promise<string> {
  const authorize = new URL(`${base(s)}/o/authorize/`);
  authorize.search = new URLSearchParams({
    client_id: CODE.id, response_type: 'code', redirect_uri: CALLBACK, scope: 'userprofile:read', state: 'parity-state',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  }).toString();
  let callback: URL;
  if (s === 'dot') {
    const browser = new DjangoBrowser(dot().baseURL);
    await browser.signIn(ADA);
    ({ callback } = await browser.authorize(authorize));
  } else {
    const res = await fetch(authorize, { redirect: 'manual' });
    callback = new URL(res.headers.get('location')!);
  }
  expect(callback.searchParams.get('state')).toBe('parity-state');
  return callback.searchParams.get('code')!;
}

const exchange = (code: string, extra: Record<string, string> = {}) => ({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, ...extra });

describe.runIf(hasDOT)('the simulator answers like django-oauth-toolkit', () => {
  it.each([
    ['no client authentication', { grant_type: 'authorization_code', code: 'x', redirect_uri: CALLBACK }, undefined],
    ['a wrong client secret', { grant_type: 'authorization_code', code: 'x', redirect_uri: CALLBACK }, basic({ id: CODE.id, secret: 'wrong' })],
    ['an unknown code', { grant_type: 'authorization_code', code: 'x', redirect_uri: CALLBACK }, basic(CODE)],
    ['no code', { grant_type: 'authorization_code', redirect_uri: CALLBACK }, basic(CODE)],
    ['an unknown grant type', { grant_type: 'client_credentials_x' }, basic(CODE)],
    ['no grant type', {}, basic(CODE)],
    ['credentials in the body and an unknown code', { grant_type: 'authorization_code', code: 'x', redirect_uri: CALLBACK, client_id: CODE.id, client_secret: CODE.secret }, undefined],
    ['a wrong password', { grant_type: 'password', username: ADA.email, password: 'wrong', scope: 'userprofile:read' }, basic(PASSWORD)],
    ['an unknown person', { grant_type: 'password', username: 'nobody@example.com', password: 'x', scope: 'userprofile:read' }, basic(PASSWORD)],
    ['an unknown scope', { grant_type: 'password', username: ADA.email, password: ADA.password, scope: 'objectives:read' }, basic(PASSWORD)],
    ['no password', { grant_type: 'password', username: ADA.email }, basic(PASSWORD)],
    ['the password grant on a code client', { grant_type: 'password', username: ADA.email, password: ADA.password }, basic(CODE)],
    ['an unknown refresh token', { grant_type: 'refresh_token', refresh_token: 'x' }, basic(CODE)],
  ] as const)('token endpoint: %s', async (_name, form, auth) => {
    const answer = await both((s) => post(s, '/o/token/', form, auth));
    expect(answer.status).toBeGreaterThanOrEqual(400);
  });

  it.each([
    ['an unknown token', { token: 'x' }, basic(CODE)],
    ['no client authentication', { token: 'x' }, undefined],
    ['a wrong client secret', { token: 'x' }, basic({ id: CODE.id, secret: 'wrong' })],
  ] as const)('revocation endpoint: %s', async (_name, form, auth) => {
    await both((s) => post(s, '/o/revoke_token/', form, auth));
  });

  it('redirects a path without its trailing slash', async () => {
    const answer = await both((s) => post(s, '/o/token', { grant_type: 'password' }));
    expect(answer).toMatchObject({ status: 301, location: '/o/token/' });
  });

  it('the code flow: PKCE, redirect URI, single use, rotation and revocation', async () => {
    const verifier = 'a-parity-verifier-of-forty-three-characters-or-more';
    const codes = { dot: await codeFrom('dot', verifier), sim: await codeFrom('sim', verifier) };
    // Each mistake is refused; oauthlib spends the code on some of them, so each gets a fresh one.
    await both((s) => post(s, '/o/token/', exchange(codes[s], { redirect_uri: 'http://app.test/elsewhere', code_verifier: verifier }), basic(CODE)));
    const fresh = { dot: await codeFrom('dot', verifier), sim: await codeFrom('sim', verifier) };
    await both((s) => post(s, '/o/token/', exchange(fresh[s]), basic(CODE)));
    const again = { dot: await codeFrom('dot', verifier), sim: await codeFrom('sim', verifier) };
    await both((s) => post(s, '/o/token/', exchange(again[s], { code_verifier: `${verifier}-wrong` }), basic(CODE)));

    const good = { dot: await codeFrom('dot', verifier), sim: await codeFrom('sim', verifier) };
    const tokens: Record<Server, Record<string, unknown>> = { dot: {}, sim: {} };
    for (const s of ['dot', 'sim'] as const) {
      const res = await post(s, '/o/token/', exchange(good[s], { code_verifier: verifier }), basic(CODE));
      expect(res.status).toBe(200);
      tokens[s] = res.json as Record<string, unknown>;
    }
    const shape = (t: Record<string, unknown>) => ({ ...t, access_token: typeof t.access_token, refresh_token: typeof t.refresh_token });
    expect(shape(tokens.sim)).toEqual(shape(tokens.dot));
    await both((s) => post(s, '/o/token/', exchange(good[s], { code_verifier: verifier }), basic(CODE)));

    const rotated: Record<Server, Record<string, unknown>> = { dot: {}, sim: {} };
    for (const s of ['dot', 'sim'] as const) {
      const res = await post(s, '/o/token/', { grant_type: 'refresh_token', refresh_token: tokens[s].refresh_token as string }, basic(CODE));
      expect(res.status).toBe(200);
      rotated[s] = res.json as Record<string, unknown>;
    }
    expect(shape(rotated.sim)).toEqual(shape(rotated.dot));
    await both((s) => post(s, '/o/token/', { grant_type: 'refresh_token', refresh_token: tokens[s].refresh_token as string }, basic(CODE)));
    const me = (s: Server, token: unknown) => fetch(`${base(s)}/api/v/2.0/users/me/`, { headers: { authorization: `Bearer ${String(token)}` } }).then(seen);
    await both((s) => me(s, tokens[s].access_token));
    expect((await both((s) => me(s, rotated[s].access_token))).status).toBe(200);
    await both((s) => post(s, '/o/revoke_token/', { token: rotated[s].access_token as string, token_type_hint: 'access_token' }, basic(CODE)));
    expect((await both((s) => me(s, rotated[s].access_token))).status).toBe(401);
  });
});
