// What every TokenStore promises, run against each implementation.
import { expect, it } from 'vitest';
import type { TokenSet, TokenStore } from '../../src/index.js';

export interface ContractSubject {
  /** A fresh store, or one whose keys the test does not share with another. */
  store: () => TokenStore;
  /** The name the store gives itself in TypeErrors. */
  name: string;
  /** Lets at least `ms` pass on the clock the store's leases expire by. */
  pass: (ms: number) => Promise<void>;
}

const tokens = (n: number): TokenSet => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresAt: 1_700_000_000_000 + n, scopes: ['userprofile:read'] });

let unique = 0;
const key = () => `user-${process.pid}-${++unique}`;

export function tokenStoreContract(s: ContractSubject): void {
  it('loads nothing for a key never saved', async () => {
    expect(await s.store().load(key())).toBeUndefined();
  });

  it('saves and loads the tokens as they were, a copy each time', async () => {
    const store = s.store();
    const k = key();
    expect(await store.save(k, tokens(1))).toBe(true);
    const loaded = (await store.load(k))!;
    expect(loaded).toEqual(tokens(1));
    loaded.scopes.push('objective:write');
    expect(await store.load(k)).toEqual(tokens(1));
  });

  it('keeps a missing refresh token and expiry as undefined', async () => {
    const store = s.store();
    const k = key();
    await store.save(k, { accessToken: 'a', refreshToken: undefined, expiresAt: undefined, scopes: [] });
    expect(await store.load(k)).toEqual({ accessToken: 'a', refreshToken: undefined, expiresAt: undefined, scopes: [] });
  });

  it('saves with an expected refresh token only while that one is stored (compare-and-swap)', async () => {
    const store = s.store();
    const k = key();
    expect(await store.save(k, tokens(2), 'refresh-1')).toBe(false);
    expect(await store.load(k)).toBeUndefined();
    await store.save(k, tokens(1));
    expect(await store.save(k, tokens(2), 'refresh-1')).toBe(true);
    expect(await store.save(k, tokens(3), 'refresh-1')).toBe(false);
    expect(await store.load(k)).toEqual(tokens(2));
  });

  it('refuses an empty expected refresh token or an empty refresh token, so that "none" has one form in every store', async () => {
    const store = s.store();
    const k = key();
    await store.save(k, { ...tokens(1), refreshToken: undefined });
    await expect(store.save(k, tokens(2), '')).rejects.toThrow(
      new TypeError(`${s.name}.save() needs "expected" as the stored refresh token (a non-empty string) or undefined.`),
    );
    await expect(store.save(k, { ...tokens(2), refreshToken: '' })).rejects.toThrow(new TypeError(`${s.name}.save() needs "refreshToken" as a non-empty string or undefined.`));
    expect(await store.load(k)).toEqual({ ...tokens(1), refreshToken: undefined });
  });

  it('refuses a token that could not be sent in a header', async () => {
    const store = s.store();
    await expect(store.save(key(), { ...tokens(1), accessToken: 'a\r\nX-Evil: 1' })).rejects.toThrow(
      new TypeError(`${s.name}.save() needs "accessToken" and "refreshToken" as tokens (visible ASCII characters, at most 4096).`),
    );
    await expect(store.save(key(), { ...tokens(1), refreshToken: 'r é' })).rejects.toThrow(TypeError);
  });

  it('keeps each key apart and forgets a deleted one', async () => {
    const store = s.store();
    const [a, b] = [key(), key()];
    await store.save(a, tokens(1));
    await store.save(b, tokens(2));
    await store.delete(a);
    expect(await store.load(a)).toBeUndefined();
    expect(await store.load(b)).toEqual(tokens(2));
  });

  it('gives the lease to one holder at a time, and only its holder releases it', async () => {
    const store = s.store();
    const k = key();
    const lease = await store.acquire(k, 10_000);
    expect(lease).toEqual(expect.any(String));
    expect(await store.acquire(k, 10_000)).toBeUndefined();
    expect(await store.acquire(key(), 10_000)).toEqual(expect.any(String));
    await store.release(k, 'not-the-lease');
    expect(await store.acquire(k, 10_000)).toBeUndefined();
    await store.release(k, lease!);
    const next = await store.acquire(k, 10_000);
    expect(next).toEqual(expect.any(String));
    expect(next).not.toBe(lease);
  });

  it('ends a lease its holder never releases after its ttl', async () => {
    const store = s.store();
    const k = key();
    const crashed = await store.acquire(k, 100);
    expect(crashed).toEqual(expect.any(String));
    expect(await store.acquire(k, 100)).toBeUndefined();
    await s.pass(150);
    const taken = await store.acquire(k, 10_000);
    expect(taken).toEqual(expect.any(String));
    // The crashed holder's late release does not end the new holder's lease.
    await store.release(k, crashed!);
    expect(await store.acquire(k, 10_000)).toBeUndefined();
  });

  it('refuses a key that is not a non-empty string, naming the method', async () => {
    const store = s.store();
    await expect(store.load('' as string)).rejects.toThrow(new TypeError(`${s.name}.load() needs the key as a non-empty string of at most 512 characters, got 0 characters.`));
    await expect(store.save(42 as unknown as string, tokens(1))).rejects.toThrow(`${s.name}.save() needs the key as a non-empty string`);
    await expect(store.save(key(), { accessToken: '' } as TokenSet)).rejects.toThrow(`${s.name}.save() needs tokens with a non-empty "accessToken" string.`);
    await expect(store.acquire(key(), 0)).rejects.toThrow(`${s.name}.acquire() needs a positive ttl in milliseconds, got 0.`);
  });
}
