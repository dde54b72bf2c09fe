import { describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '../src/index.js';
import { verifyParams } from '../src/verify.js';
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

describe("the verify callback's params.tokens", () => {
  it('holds the sign-in\'s tokens as a token store keeps them, the expiry in milliseconds', () => {
    const raw = { access_token: 'a', refresh_token: 'r', scope: 'userprofile:read', scopes: ['userprofile:read'], expiresAt: new Date(5000) };
    expect(verifyParams(raw, ['userprofile:read'], 'a', 'r').tokens).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 5000, scopes: ['userprofile:read'] });
  });

  it('reads the token answer by its access_token, never by camelCase fields 7Geese added, and has no refresh token when 7Geese sent none', () => {
    const raw = { access_token: 'a', accessToken: 'x', refreshToken: 'z', expiresAt: undefined };
    expect(verifyParams(raw, ['userprofile:read'], 'a', undefined).tokens).toEqual({ accessToken: 'a', refreshToken: undefined, expiresAt: undefined, scopes: ['userprofile:read'] });
  });
});
