// JSON nested absurdly deep, from every 7Geese endpoint we parse: refused with a clear error
// before it can reach the app (profile._json, a session store). Issue 12, item 7.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SevenGeeseClient, SevenGeeseResponseError, type Profile } from '../../src/index.js';
import { isRecord, parseJSON, readJSON } from '../../src/json.js';
import type { HttpResponse } from '../../src/transport/exchange.js';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { createHarness, signIn } from '../helpers/harness.js';
import { sendJSON, startHostile, type HostileServer } from './hostile-server.js';

let sim: Simulator;
let server: HostileServer | undefined;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
  await server?.close();
  server = undefined;
});

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const json = (body: string) => ({ status: 200, headers: { 'content-type': 'application/json' }, body });

/** A verify that keeps the whole profile in the session, as many apps do. */
const keepProfile = async (_a: string, _r: string | undefined, profile: Profile) => ({ id: profile.id, profile });

describe('deeply nested JSON from 7Geese', () => {
  it('a profile field nested 50 000 deep is refused as invalid_profile, and the request answers', async () => {
    const h = createHarness(sim, {}, keepProfile);
    sim.fault('users/me', json(`{"id": 7, "email": "deep@example.com", "team": ${nested(50_000)}}`));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ name: 'SevenGeeseResponseError', code: 'invalid_profile' });
    expect(res.body.error.message).toContain('nested more than 32 levels deep');
    expect((await h.agent.get('/me')).body.user).toBeNull();
  }, 10_000);

  it('a profile nested as deep as 7Geese really nests still signs in with its _json', async () => {
    const h = createHarness(sim, {}, keepProfile);
    const deepButFine = `{"id": 8, "email": "ok@example.com", "team": ${nested(30)}}`;
    sim.fault('users/me', json(deepButFine));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.headers.location).toBe('/me');
    const user = (await h.agent.get('/me')).body.user;
    expect(user.profile).toMatchObject({ id: '8', emails: [{ value: 'ok@example.com' }], _json: { id: 8 } });
  });

  it('brackets inside strings do not count as nesting', async () => {
    const h = createHarness(sim, {}, keepProfile);
    sim.fault('users/me', json(JSON.stringify({ id: 9, bio: '['.repeat(1000), quote: '\\"[[[' })));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.headers.location).toBe('/me');
  });

  it('a token response nested deep is refused as invalid_response', async () => {
    const h = createHarness(sim);
    sim.fault('token', json(`{"access_token": "abc", "x": ${nested(100_000)}}`));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.body.error).toMatchObject({ name: 'SevenGeeseResponseError', code: 'invalid_response' });
    expect(res.body.error.message).toContain('nested more than 32 levels deep');
  });

  it('an API answer nested deep is refused by SevenGeeseClient', async () => {
    server = await startHostile((_req, res) => sendJSON(res, 200, `{"results": ${nested(40)}}`));
    const client = new SevenGeeseClient({ accessToken: 'a-token', baseURL: server.baseURL });
    await expect(client.get('/objectives/')).rejects.toMatchObject({ name: 'SevenGeeseResponseError', code: 'invalid_response' });
    await expect(client.graphql('{ me { id } }')).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

/** An answer as the transport hands it to the JSON reader. */
const answer = (body: string, status = 200, headers: Record<string, string> = { 'content-type': 'application/json' }): HttpResponse => ({
  status,
  body,
  headers: new Headers(headers),
  endpoint: 'https://7geese.test/api/v/2.0/x/',
  redact: (text) => text.replaceAll('SECRET', '[redacted]'),
  size: body.length,
});
/** The error `fn` throws; fails the test when it throws none. */
function caught(fn: () => unknown): SevenGeeseResponseError {
  try {
    fn();
  } catch (err) {
    return err as SevenGeeseResponseError;
  }
  throw new Error('expected an error, none was thrown');
}
const refused = (body: string) => () => parseJSON(answer(body), 'a test answer');

describe('the nesting check, exactly', () => {
  const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  it('accepts exactly 32 levels of arrays or objects and refuses 33', () => {
    expect(parseJSON(answer(nested(32)), 'x')).toHaveLength(1);
    expect(parseJSON(answer(objects(32)), 'x')).toHaveProperty('a');
    expect(refused(nested(33))).toThrow(/nested more than 32 levels deep where a test answer was expected/);
    expect(refused(objects(33))).toThrow(/nested more than 32 levels deep/);
    expect(refused(`[${objects(32)}]`)).toThrow(/nested more than 32 levels deep/);
    expect(caught(refused(nested(33)))).toMatchObject({ code: 'invalid_response', status: 200 });
    // More than 32 brackets in all, none deeper than 32: read.
    expect(parseJSON(answer(`[${nested(31)},[],{}]`), 'x')).toHaveLength(3);
  });

  it('counts depth, not brackets: a page of 40 objects side by side is read', () => {
    const page = JSON.stringify({ results: Array.from({ length: 40 }, (_, i) => ({ id: i, team: { name: `t${i}` } })) });
    expect((parseJSON(answer(page), 'x') as { results: unknown[] }).results).toHaveLength(40);
    const rows = JSON.stringify({ rows: Array.from({ length: 40 }, (_, i) => [i, [i]]) });
    expect((parseJSON(answer(rows), 'x') as { rows: unknown[] }).rows).toHaveLength(40);
  });

  it('an escaped quote does not end a string: brackets after it still do not count', () => {
    const text = `{"bio": "\\"${'['.repeat(40)}", "ok": 1}`;
    expect(parseJSON(answer(text), 'x')).toMatchObject({ ok: 1 });
    // And a string that ends is followed by brackets that do count.
    expect(refused(`["\\\\", ${nested(33)}]`)).toThrow(/nested more than 32/);
  });

  it('a body that is not JSON fails without quoting it', () => {
    expect(refused('{"a": SECRET}')).toThrow(new SyntaxError('The body (13 characters) is not valid JSON.'));
  });
});

describe('readJSON', () => {
  const read = (res: HttpResponse) => () => readJSON(res, 'the profile', 'invalid_profile');

  it('any 3xx, from 300 to 399, is a redirect that names its target, redacted and without its query', () => {
    for (const status of [300, 302, 399]) {
      expect(caught(read(answer('', status, { location: '/elsewhere/SECRET?code=SECRET' })))).toMatchObject({
        name: 'SevenGeeseResponseError',
        code: 'unexpected_redirect',
        status,
        message: `7Geese answered ${status} redirecting to https://7geese.test/elsewhere/[redacted] at https://7geese.test/api/v/2.0/x/ where the profile was expected. Check the URL: 7Geese paths end with a slash and use https.`,
      });
    }
    expect(read(answer('', 301, { location: 'http://[' }))).toThrow(/^7Geese answered 301 redirecting at https:/);
    expect(read(answer('', 301, {}))).toThrow(/^7Geese answered 301 redirecting at https:/);
    expect(read(answer(`https://x/${'a'.repeat(300)}`, 302, { location: `https://x/${'a'.repeat(300)}` }))).toThrow(new RegExp(`redirecting to https://x/a{190} at`));
  });

  it('200 and 400 with JSON are read as JSON', () => {
    expect(readJSON(answer('{"id": 1}', 200), 'x')).toEqual({ id: 1 });
    expect(readJSON(answer('{"detail": "no"}', 400), 'x')).toEqual({ detail: 'no' });
  });

  it('an HTML page, by its type or by its first character, is named as one', () => {
    for (const res of [answer('{"id": 1}', 500, { 'content-type': 'text/HTML; charset=utf-8' }), answer('  \n<html></html>', 500, { 'content-type': 'application/json' })]) {
      expect(caught(read(res))).toMatchObject({
        code: 'invalid_response',
        message: '7Geese answered 500 with an HTML page at https://7geese.test/api/v/2.0/x/ where the profile was expected. The URL may be wrong or 7Geese may be having trouble; check the URL and try again.',
      });
    }
    expect(read(answer('a<b', 200, {}))).toThrow(/with a body that is not JSON at/);
    expect(readJSON(answer('{"a": "<b>"}', 200, {}), 'x')).toEqual({ a: '<b>' });
  });

  it('deep nesting is refused with the caller\'s code, other failures are invalid_response with the cause', () => {
    expect(caught(read(answer(nested(33))))).toMatchObject({ code: 'invalid_profile', status: 200 });
    const err = caught(read(answer('nope', 502)));
    expect(err).toMatchObject({ code: 'invalid_response', status: 502, endpoint: 'https://7geese.test/api/v/2.0/x/' });
    expect((err as Error).cause).toEqual(new SyntaxError('The body (4 characters) is not valid JSON.'));
    expect(caught(read(answer('<p>', 500))).cause).toEqual(new SyntaxError('The body is an HTML page.'));
  });
});

describe('isRecord', () => {
  it('is true for a plain object only', () => {
    expect([{}, { a: 1 }, [], null, 'x', 1, undefined].map(isRecord)).toEqual([true, true, false, false, false, false, false]);
  });
});
