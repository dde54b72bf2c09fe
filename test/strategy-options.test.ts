import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Strategy, PasswordStrategy, type StrategyOptions } from '../src/index.js';

const verify = async () => ({ id: 'u' });
const base = { clientID: 'id', clientSecret: 'secret', callbackURL: 'http://localhost:3000/auth/7geese/callback' };
const make = (extra: Record<string, unknown>) => new Strategy({ ...base, ...extra } as StrategyOptions, verify);

describe('Strategy options', () => {
  it('is named 7geese and points at app.7geese.com by default', () => {
    const strategy = new Strategy(base, verify);
    expect(strategy.name).toBe('7geese');
    expect(strategy.baseURL).toBe('https://app.7geese.com');
    expect(strategy._oauth2._authorizeUrl).toBe('https://app.7geese.com/o/authorize/');
    expect(strategy._oauth2._accessTokenUrl).toBe('https://app.7geese.com/o/token/');
    expect(strategy.timeout).toBe(10_000);
  });

  it('derives every endpoint from baseURL, each overridable on its own', () => {
    const strategy = make({ baseURL: 'http://127.0.0.1:9/', tokenURL: 'http://127.0.0.1:8/token/' });
    expect(strategy._oauth2._authorizeUrl).toBe('http://127.0.0.1:9/o/authorize/');
    expect(strategy._oauth2._accessTokenUrl).toBe('http://127.0.0.1:8/token/');
  });

  it('requires an options object', () => {
    expect(() => new Strategy(undefined as unknown as StrategyOptions, verify)).toThrow(
      new TypeError('7Geese Strategy requires an options object with clientID, clientSecret and callbackURL.'),
    );
  });

  it.each([
    ['clientID', { clientID: undefined }, '7Geese Strategy option "clientID" must be a non-empty string, got undefined. Find it at https://app.7geese.com/account/applications/.'],
    ['clientSecret', { clientSecret: '' }, '7Geese Strategy option "clientSecret" must be a non-empty string, got "". Find it at https://app.7geese.com/account/applications/.'],
    ['callbackURL', { callbackURL: 5 }, '7Geese Strategy option "callbackURL" must be a non-empty string, got number. Use the redirect URI registered with your 7Geese application.'],
    ['baseURL', { baseURL: 'app.7geese.com' }, '7Geese Strategy option "baseURL" must be an absolute http:// or https:// URL, got "app.7geese.com".'],
    ['authorizationURL', { authorizationURL: 'ftp://x/' }, '7Geese Strategy option "authorizationURL" must be an absolute http:// or https:// URL, got "ftp://x/".'],
    ['tokenURL', { tokenURL: '/o/token/' }, '7Geese Strategy option "tokenURL" must be an absolute http:// or https:// URL, got "/o/token/".'],
    ['profileURL', { profileURL: {} }, '7Geese Strategy option "profileURL" must be an absolute http:// or https:// URL, got object.'],
    ['state', { state: 'yes' }, '7Geese Strategy option "state" must be true or false, got "yes".'],
    ['pkce', { pkce: 1 }, '7Geese Strategy option "pkce" must be true or false, got number.'],
    ['state with pkce', { state: false }, '7Geese Strategy option "state" must be true when "pkce" is on (PKCE keeps its verifier with the state), got boolean.'],
    ['clientAuth', { clientAuth: 'header' }, '7Geese Strategy option "clientAuth" must be "basic" or "body", got "header".'],
    ['approvalPrompt', { approvalPrompt: 'never' }, '7Geese Strategy option "approvalPrompt" must be "auto" or "force", got "never".'],
    ['timeout', { timeout: -1 }, '7Geese Strategy option "timeout" must be a whole number of milliseconds greater than 0, got number.'],
    ['timeout as text', { timeout: '5000' }, '7Geese Strategy option "timeout" must be a whole number of milliseconds greater than 0, got "5000".'],
    ['customHeaders', { customHeaders: { 'X-A': 1 } }, '7Geese Strategy option "customHeaders" must be an object whose values are strings, got object.'],
    ['skipUserProfile', { skipUserProfile: 'no' }, '7Geese Strategy option "skipUserProfile" must be true, false or a function, got "no".'],
    ['passReqToCallback', { passReqToCallback: 'true' }, '7Geese Strategy option "passReqToCallback" must be true or false, got "true".'],
    ['proxy', { proxy: 'yes' }, '7Geese Strategy option "proxy" must be true or false, got "yes".'],
    ['store', { store: {} }, '7Geese Strategy option "store" must be true, a sign-in store (save and take, such as CookieStateStore) or a passport-oauth2 state store (store and verify), got object.'],
    ['scope', { scope: 'objectives:read' }, /^7Geese Strategy option "scope": unknown scope "objectives:read"/],
  ])('refuses a bad %s with a TypeError that names it', (_name, extra, message) => {
    expect(() => make(extra)).toThrow(TypeError);
    expect(() => make(extra)).toThrow(message);
  });

  it('refuses a missing verify function', () => {
    expect(() => new Strategy(base, undefined as never)).toThrow('7Geese Strategy requires a verify function as its second argument.');
  });

  it('allows state and PKCE off together', () => {
    expect(() => make({ state: false, pkce: false })).not.toThrow();
  });

  // Each case is an error about the secret itself or about the options object that holds it:
  // the kinds a message built from the value, or from the whole options object, would quote.
  const SECRET = 'super-secret-value';
  it.each([
    ['a secret that is a String object', { clientSecret: new String(SECRET) }, /option "clientSecret" must be a non-empty string, got object/],
    ['a secret in a Buffer', { clientSecret: Buffer.from(SECRET) }, /option "clientSecret" must be a non-empty string, got object/],
    ['a secret in an array', { clientSecret: [SECRET] }, /option "clientSecret" must be a non-empty string, got object/],
    ['another bad option beside the secret', { clientSecret: SECRET, timeout: 0 }, /option "timeout"/],
  ])('never puts the client secret in an option error: %s', (_name, extra, message) => {
    expect.assertions(5);
    for (const construct of [() => make(extra), () => new PasswordStrategy({ clientID: 'id', ...extra } as never, verify)]) {
      try {
        construct();
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError);
        expect(`${(err as Error).stack} ${inspect(err, { depth: Infinity, showHidden: true })}`).not.toContain(SECRET);
      }
    }
    expect(() => make(extra)).toThrow(message);
  });
});

describe('PasswordStrategy options', () => {
  it('is named 7geese-password and needs no callbackURL', () => {
    expect(new PasswordStrategy({ clientID: 'id', clientSecret: 's' }, verify).name).toBe('7geese-password');
  });

  it('refuses bad options with a TypeError that names them', () => {
    expect(() => new PasswordStrategy({ clientID: 'id', clientSecret: 's', usernameField: '' }, verify)).toThrow(
      '7Geese PasswordStrategy option "usernameField" must be a non-empty string, got "".',
    );
    expect(() => new PasswordStrategy({ clientID: 'id' } as never, verify)).toThrow('7Geese PasswordStrategy option "clientSecret" must be a non-empty string');
    expect(() => new PasswordStrategy({ clientID: 'id', clientSecret: 's' }, 'verify' as never)).toThrow(
      '7Geese PasswordStrategy requires a verify function as its second argument.',
    );
  });
});
