import { describe, expect, it } from 'vitest';
import { MemoryTokenStore, toStoredTokens, type TokenSet, type VerifyParams } from '../src/index.js';
import { tokenStoreContract } from './helpers/token-store-contract.js';

describe('MemoryTokenStore, as every token store', () => {
  let time = 1_700_000_000_000;
  const store = new MemoryTokenStore({ now: () => time });
  tokenStoreContract({
    name: 'MemoryTokenStore',
    store: () => store,
    pass: async (ms) => {
      time += ms;
    },
  });
});

describe('MemoryTokenStore', () => {
  const t = (n: number) => ({ accessToken: `a${n}`, refreshToken: `r${n}`, expiresAt: undefined, scopes: [] });

  it('keeps at most "max" people, forgetting the one saved longest ago', async () => {
    const store = new MemoryTokenStore({ max: 2 });
    await store.save('a', t(1));
    await store.save('b', t(2));
    await store.save('a', t(3));
    await store.save('c', t(4));
    expect(await store.load('b')).toBeUndefined();
    expect(await store.load('a')).toEqual(t(3));
    expect(await store.load('c')).toEqual(t(4));
  });

  it('holds at most "max" leases at once', async () => {
    const store = new MemoryTokenStore({ max: 1 });
    expect(await store.acquire('a', 1000)).toEqual(expect.any(String));
    expect(await store.acquire('b', 1000)).toBeUndefined();
  });

  it('names the option in each TypeError', () => {
    expect(() => new MemoryTokenStore({ max: 0 })).toThrow(new TypeError('MemoryTokenStore option "max" must be a positive integer, got 0.'));
    expect(() => new MemoryTokenStore({ now: 5 as unknown as () => number })).toThrow(new TypeError('MemoryTokenStore option "now" must be a function returning milliseconds.'));
    expect(() => new MemoryTokenStore(null as unknown as object)).toThrow(new TypeError('MemoryTokenStore options must be an object when given.'));
  });
});

describe('toStoredTokens', () => {
  it('reads the verify callback\'s params', () => {
    const params = { access_token: 'a', refresh_token: 'r', scopes: ['userprofile:read'], expiresAt: new Date(5000) } as VerifyParams;
    expect(toStoredTokens(params)).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 5000, scopes: ['userprofile:read'] });
  });

  it('reads a token answer by its access_token and refresh_token, never by camelCase fields 7Geese added', () => {
    const params = { access_token: 'a', refresh_token: 'r', accessToken: 'x\r\ny', refreshToken: 'z', scopes: [], expiresAt: undefined } as unknown as VerifyParams;
    expect(toStoredTokens(params)).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: undefined, scopes: [] });
  });

  it('checks the token characters of either form', () => {
    const set: TokenSet = { accessToken: 'a\r\nb', refreshToken: undefined, scopes: [], expiresAt: undefined, raw: {} as TokenSet['raw'] };
    expect(() => toStoredTokens(set)).toThrow(new TypeError('toStoredTokens() needs "accessToken" and "refreshToken" as tokens (visible ASCII characters, at most 4096).'));
  });

  it('reads a TokenSet from refresh()', () => {
    const set: TokenSet = { accessToken: 'a', refreshToken: undefined, scopes: [], expiresAt: undefined, raw: {} as TokenSet['raw'] };
    expect(toStoredTokens(set)).toEqual({ accessToken: 'a', refreshToken: undefined, expiresAt: undefined, scopes: [] });
  });
});
