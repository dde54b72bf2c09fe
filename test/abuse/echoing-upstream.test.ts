// A 7Geese that echoes our request back in every field it answers with: no secret we sent (the
// client secret, the Basic header, the code, the PKCE verifier, a refresh or access token, a
// password) may reach an error's message, stack, JSON or inspection. Issue 12, item 8.
import { inspect } from 'node:util';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PasswordStrategy, SevenGeeseClient, Strategy } from '../../src/index.js';
import { clip, redactor } from '../../src/redact.js';
import { sendJSON, startHostile, type HostileServer, type SeenRequest } from './hostile-server.js';

const SECRETS = {
  clientSecret: 'CSECRET-0a1b2c3d4e5f',
  code: 'THECODE-9f8e7d6c5b4a',
  verifier: 'VERIFIER-abcdefabcdefabcdefabcdefabcdefabcdef0123',
  refreshToken: 'REFRESHTOK-11223344556677',
  accessToken: 'ACCESSTOK-8899aabbccddeeff',
  password: 'PASSWORDX p@ss+w&rd=é~',
  revoked: 'REVOKETOK-5566778899',
};
const basic = `Basic ${Buffer.from(`seven-client:${encodeURIComponent(SECRETS.clientSecret)}`).toString('base64')}`;

/** Everything an error shows: what a log, an error page or a JSON API response could print. */
function shown(err: unknown): string {
  const e = err as Error;
  return [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: Infinity, showHidden: true }), String(e)].join('\n');
}

function expectNoSecret(err: unknown): void {
  expect(err).toBeInstanceOf(Error);
  const text = shown(err);
  for (const secret of [...Object.values(SECRETS), basic, basic.slice(6)]) {
    for (const form of [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]) {
      expect(text, `${secret} as ${form}`).not.toContain(form);
    }
  }
  // The part of each secret that no encoding changes.
  for (const marker of ['CSECRET', 'THECODE', 'VERIFIER', 'REFRESHTOK', 'ACCESSTOK', 'PASSWORDX', 'REVOKETOK']) expect(text).not.toContain(marker);
}

type Mode = 'oauth-error' | 'code-echo' | 'not-json' | 'html' | 'redirect' | 'detail-401' | 'detail-500' | 'graphql' | 'deep';
let mode: Mode = 'oauth-error';
let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  echoes = [];
});

/** The request as a server that echoes it would quote it: decoded form first, then everything raw. */
function echo(req: SeenRequest): string {
  const decoded = decodeURIComponent(req.body.replace(/\+/g, ' '));
  return `${decoded} | ${req.headers.authorization ?? ''} | ${req.body} | ${JSON.stringify(req.headers)} | ${req.rawPath}`;
}

/** The first secret the request carries: a form field, else the header's credential. */
function firstSecret(req: SeenRequest): string {
  const form = new URLSearchParams(req.body);
  for (const name of ['code', 'refresh_token', 'password', 'token']) {
    const value = form.get(name);
    if (value) return value;
  }
  return (req.headers.authorization ?? '').split(' ')[1] ?? '';
}

/** What the upstream echoed, request by request: proof that a secret was sent and came back. */
let echoes: string[] = [];

/** The request reached the upstream carrying each of `sent`, and its answer echoed them. */
function expectSentAndEchoed(...sent: string[]): void {
  expect(server!.seen.length).toBeGreaterThan(0);
  for (const secret of sent) expect(echoes.join('\n')).toContain(secret);
}

function answer(req: SeenRequest, res: ServerResponse): void {
  const text = echo(req);
  echoes.push(text);
  switch (mode) {
    case 'oauth-error':
      return sendJSON(res, 400, { error: 'invalid_grant', error_description: text, error_uri: `https://7geese.example/${text}` });
    case 'code-echo':
      return sendJSON(res, 400, { error: text.slice(0, 60) });
    case 'not-json':
      // JSON.parse quotes the text around where it fails: make that a secret.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(`{"echo": ${firstSecret(req)} ${text}}`);
    case 'html':
      res.writeHead(500, { 'Content-Type': 'text/html' });
      return void res.end(`<p>${text}</p>`);
    case 'redirect':
      res.writeHead(302, { Location: `/${encodeURIComponent(text.slice(0, 300))}`, 'Content-Length': '0' });
      return void res.end();
    case 'detail-401':
      return sendJSON(res, 401, { detail: text });
    case 'detail-500':
      return sendJSON(res, 500, { detail: text });
    case 'graphql':
      return sendJSON(res, 200, { errors: [{ message: text }] });
    case 'deep':
      return sendJSON(res, 200, `{"detail": ${JSON.stringify(text)}, "x": ${'['.repeat(100)}${']'.repeat(100)}}`);
  }
}

async function start(): Promise<string> {
  server = await startHostile(answer);
  return server.baseURL;
}

const TOKEN_MODES: Mode[] = ['oauth-error', 'code-echo', 'not-json', 'html', 'redirect', 'deep'];

describe('an upstream that echoes the request into its answer', () => {
  for (const clientAuth of ['basic', 'body'] as const) {
    it.each(TOKEN_MODES)(`the code exchange (clientAuth ${clientAuth}) keeps no secret in its error: %s`, async (m) => {
      mode = m;
      const baseURL = await start();
      const strategy = new Strategy(
        { clientID: 'seven-client', clientSecret: SECRETS.clientSecret, callbackURL: 'http://app.test/cb', baseURL, clientAuth, timeout: 2_000 },
        async () => false,
      );
      const err = await new Promise((resolve) => {
        strategy._oauth2.getOAuthAccessToken(SECRETS.code, { grant_type: 'authorization_code', redirect_uri: 'http://app.test/cb', code_verifier: SECRETS.verifier }, (e) => resolve(e));
      });
      expectSentAndEchoed(SECRETS.code, SECRETS.verifier, clientAuth === 'basic' ? basic : SECRETS.clientSecret);
      expectNoSecret(err);
      if (m === 'oauth-error') expect(err).toMatchObject({ code: 'invalid_grant', description: expect.stringContaining('[redacted]') });
    });
  }

  it.each(TOKEN_MODES)('a refresh keeps no secret in its error: %s', async (m) => {
    mode = m;
    const baseURL = await start();
    const strategy = new Strategy({ clientID: 'seven-client', clientSecret: SECRETS.clientSecret, callbackURL: 'http://app.test/cb', baseURL }, async () => false);
    const err = await strategy.refresh(SECRETS.refreshToken).catch((e: unknown) => e);
    expectSentAndEchoed(SECRETS.refreshToken, basic);
    expectNoSecret(err);
  });

  // A revocation answered 200 succeeded, whatever its body (RFC 7009 section 2.2).
  it.each(['oauth-error', 'code-echo', 'html', 'redirect'] as Mode[])('a revocation keeps no secret in its error: %s', async (m) => {
    mode = m;
    const baseURL = await start();
    const strategy = new Strategy({ clientID: 'seven-client', clientSecret: SECRETS.clientSecret, callbackURL: 'http://app.test/cb', baseURL }, async () => false);
    const err = await strategy.revoke(SECRETS.revoked).catch((e: unknown) => e);
    expectSentAndEchoed(SECRETS.revoked, basic);
    expectNoSecret(err);
  });

  it.each(TOKEN_MODES)('a password sign-in keeps no secret in its error: %s', async (m) => {
    mode = m;
    const baseURL = await start();
    const strategy = new PasswordStrategy({ clientID: 'seven-client', clientSecret: SECRETS.clientSecret, baseURL }, async () => false);
    const err = await new Promise((resolve) => {
      const run = Object.assign(Object.create(strategy) as PasswordStrategy, {
        error: resolve,
        fail: (info: unknown) => resolve(Object.assign(new Error('failed'), { info })),
        success: () => resolve(new Error('unexpected success')),
      });
      run.authenticate({ body: { email: 'someone@example.com', password: SECRETS.password } } as never);
    });
    expectSentAndEchoed(SECRETS.password, basic);
    expectNoSecret(err);
  });

  it.each(['not-json', 'html', 'redirect', 'detail-401', 'detail-500', 'graphql', 'deep'] as Mode[])('an API call keeps no access token in its error: %s', async (m) => {
    mode = m;
    const baseURL = await start();
    const client = new SevenGeeseClient({ accessToken: SECRETS.accessToken, baseURL });
    // GraphQL errors come with status 200: for get() that is a success.
    if (m !== 'graphql') {
      const err = await client.get('/users/me/').catch((e: unknown) => e);
      expectSentAndEchoed(`Bearer ${SECRETS.accessToken}`);
      expectNoSecret(err);
      echoes = [];
    }
    const err = await client.graphql('{ me { id } }').catch((e: unknown) => e);
    expectSentAndEchoed(`Bearer ${SECRETS.accessToken}`);
    expectNoSecret(err);
  });

  it("7Geese's error_description is kept short", async () => {
    mode = 'oauth-error';
    const baseURL = await start();
    const strategy = new Strategy({ clientID: 'seven-client', clientSecret: SECRETS.clientSecret, callbackURL: 'http://app.test/cb', baseURL }, async () => false);
    const err = (await strategy.refresh(SECRETS.refreshToken).catch((e: unknown) => e)) as Error & { description: string };
    expect(err.description.length).toBeLessThanOrEqual(201);
    expect(err.message.length).toBeLessThan(400);
  });
});

describe('redactor and clip, the pieces every error goes through', () => {
  it('replaces a secret and keeps every character around it', () => {
    const redact = redactor(['CSECRET-0a1b2c3d']);
    expect(redact('CSECRET-0a1b2c3d')).toBe('[redacted]');
    expect(redact('before CSECRET-0a1b2c3d, after')).toBe('before [redacted], after');
    expect(redact('a CSECRET-0a1b2c3d and CSECRET-0a1b2c3d again')).toBe('a [redacted] and [redacted] again');
    expect(redact('nothing secret here')).toBe('nothing secret here');
  });

  it('finds any run of 8 characters of a secret, at either end of the text, and no run of 7', () => {
    const redact = redactor(['CSECRET-0a1b2c3d']);
    expect(redact('cut: CSECRET-0a')).toBe('cut: [redacted]');
    expect(redact('0a1b2c3d was echoed')).toBe('[redacted] was echoed');
    expect(redact('ET-0a1b2 and ET-0a1b')).toBe('[redacted] and ET-0a1b');
  });

  it('finds a secret in each form an echo can show it in', () => {
    const secret = 'a b!c d!e f"g/é';
    const redact = redactor([secret]);
    for (const form of [
      secret,
      'a%20b!c%20d!e%20f%22g%2F%C3%A9', // URL-encoded
      'a+b!c+d!e+f%22g%2F%C3%A9', // URL-encoded with + for spaces
      'a+b%21c+d%21e+f%22g%2F%C3%A9', // form-encoded
      'a b!c d!e f\\"g/é', // JSON-escaped
    ]) {
      expect(redact(`[${form}]`), form).toBe('[[redacted]]');
    }
  });

  it('finds a short secret in each of its encoded forms too', () => {
    expect(redactor(['a!b'])('a!b, a%21b')).toBe('[redacted], [redacted]');
    expect(redactor(['a"b'])('a"b, a\\"b')).toBe('[redacted], [redacted]');
  });

  it('a secret of exactly 8 characters is found as a run: repeated, it is one stretch', () => {
    expect(redactor(['ABCDEFGH'])('x ABCDEFGHABCDEFGH x')).toBe('x [redacted] x');
  });

  it('replaces short secrets whole, the longest first, and ignores empty ones', () => {
    expect(redactor(['ab', 'abcd'])('xabcdx ab')).toBe('x[redacted]x [redacted]');
    expect(redactor(['pw 1'])('pw+1 and pw%201')).toBe('[redacted] and [redacted]');
    expect(redactor(['', undefined])('text stays')).toBe('text stays');
  });

  it('clip removes secrets, then control characters, then cuts to the length', () => {
    const redact = redactor(['CSECRET-0a1b2c3d']);
    expect(clip('a\r\n\tb\x7fc', redact, 10)).toBe('a b c');
    expect(clip('0123456789', redact, 10)).toBe('0123456789');
    expect(clip('0123456789X', redact, 10)).toBe('0123456789…');
    // Redacted before the cut: no half of the secret is left at the end.
    expect(clip('xxxxxxxx CSECRET-0a1b2c3d', redact, 12)).toBe('xxxxxxxx [re…');
  });
});
