// Tokens and headers with line breaks or characters HTTP cannot carry: a library error with a
// code, or a constructor TypeError naming the option, never Node's raw ERR_INVALID_CHAR and never
// a split header. Issue 12, item 9.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordStrategy, SevenGeeseClient, SevenGeeseError, Strategy } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { createHarness, signIn } from '../helpers/harness.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

const tokenAnswer = (fields: Record<string, unknown>) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ token_type: 'Bearer', expires_in: 3600, scope: 'userprofile:read', ...fields }),
});

const BAD_TOKENS = {
  'a CR LF and a header': 'abc\r\nX-Injected: yes',
  'a lone LF': 'abc\ndef',
  'a character outside Latin-1': 'abc\u0100def',
  'a Latin-1 letter': 'abcédef',
  'a space': 'abc def',
  'a NUL': 'abc\u0000def',
};

describe('tokens from 7Geese that cannot go back into a header', () => {
  it.each(Object.entries(BAD_TOKENS))('an access_token with %s is refused as invalid_response', async (_what, token) => {
    const h = createHarness(sim);
    sim.fault('token', tokenAnswer({ access_token: token, refresh_token: 'fine-refresh-token' }));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ name: 'SevenGeeseResponseError', code: 'invalid_response' });
    expect(res.body.error.message).toContain('access_token that is not a token');
    expect(h.verifyCalls).toHaveLength(0);
  });

  it('a refresh_token with a line break is refused as invalid_response', async () => {
    const h = createHarness(sim);
    sim.fault('token', tokenAnswer({ access_token: 'fine-access-token', refresh_token: 'abc\r\ndef' }));
    const res = await signIn(sim, h.agent, sim.users[0]!.id);
    expect(res.body.error).toMatchObject({ code: 'invalid_response' });
    expect(res.body.error.message).toContain('refresh_token that is not a token');
  });

  it('a refreshed token with a line break fails the API call with invalid_response, not a raw Node error', async () => {
    const strategy = new Strategy({ clientID: 'c', clientSecret: 's', callbackURL: 'http://app.test/cb', baseURL: sim.baseURL }, async () => false);
    const client = new SevenGeeseClient({ accessToken: 'expired-token', refreshToken: 'some-refresh-token', strategy });
    sim.fault('token', tokenAnswer({ access_token: 'new\r\nX-Injected: 1' }));
    await expect(client.get('/users/me/')).rejects.toMatchObject({ name: 'SevenGeeseResponseError', code: 'invalid_response' });
  });

  it('a token handed to userProfile that cannot be sent is a SevenGeeseError with code invalid_header', async () => {
    const strategy = new Strategy({ clientID: 'c', clientSecret: 's', callbackURL: 'http://app.test/cb', baseURL: sim.baseURL }, async () => false);
    const before = sim.requests.length;
    const err = await new Promise((resolve) => strategy.userProfile('abc\r\nX-Injected: yes', (e) => resolve(e)));
    expect(err).toBeInstanceOf(SevenGeeseError);
    expect(err).toMatchObject({ code: 'invalid_header' });
    expect((err as Error).message).toContain('"Authorization" header');
    expect((err as Error).message).not.toContain('X-Injected');
    expect(sim.requests.length).toBe(before);
  });
});

describe('headers given as options', () => {
  const options = { clientID: 'c', clientSecret: 's', callbackURL: 'http://app.test/cb' };
  const bad: Array<[string, Record<string, string>]> = [
    ['a CR LF in a value', { 'X-Team': 'a\r\nX-Injected: yes' }],
    ['a LF in a value', { 'X-Team': 'a\nb' }],
    ['a non-ASCII value', { 'X-Team': 'équipe' }],
    ['a name with a space', { 'X Team': 'a' }],
    ['a name with a colon', { 'X-Team:': 'a' }],
    ['an empty name', { '': 'a' }],
  ];

  it.each(bad)('customHeaders with %s are refused by each constructor, naming the option', (_what, customHeaders) => {
    expect(() => new Strategy({ ...options, customHeaders }, async () => false)).toThrow(/^7Geese Strategy option "customHeaders" must be/);
    expect(() => new PasswordStrategy({ clientID: 'c', clientSecret: 's', customHeaders }, async () => false)).toThrow(/PasswordStrategy option "customHeaders" must be/);
    try {
      new Strategy({ ...options, customHeaders }, async () => false);
    } catch (err) {
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).not.toContain('X-Injected');
    }
  });

  it('ordinary customHeaders are accepted and sent', async () => {
    const h = createHarness(sim, { customHeaders: { 'X-Team': 'growth team', 'X-Trace': 'a=1; b=2' } });
    await signIn(sim, h.agent, sim.users[0]!.id);
    const token = sim.requests.find((r) => r.path === '/o/token/')!;
    expect(token.headers['x-team']).toBe('growth team');
  });

  it('SevenGeeseClient refuses an accessToken with a line break, naming the option', () => {
    expect(() => new SevenGeeseClient({ accessToken: 'abc\r\nX-Injected: 1' })).toThrow(/^SevenGeeseClient option "accessToken" must be visible ASCII/);
    expect(() => new SevenGeeseClient({ accessToken: 'abc\u0100' })).toThrow(TypeError);
  });
});
