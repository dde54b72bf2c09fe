// SessionStateStore and the pending sign-in it keeps, called as the Strategy calls them: each
// refusal's reason, the slots it leaves in the session, the bounds on their number and lifetime.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionStateStore } from '../src/index.js';
import { newHandle, slotOf, takeSlot, type PendingSignIn } from '../src/pending-sign-in.js';
import { SpentStates } from '../src/spent-states.js';

afterEach(() => {
  vi.useRealTimers();
});

type Req = { session?: Record<string, unknown> };
const pending = (extra: Partial<PendingSignIn> = {}): PendingSignIn => ({ verifier: 'v', appState: undefined, scope: undefined, ...extra });

function save(store: SessionStateStore, req: Req, p = pending()): string {
  let handle: string | undefined;
  store.save(req as never, p, (err, h) => {
    if (err) throw err;
    handle = h;
  });
  return handle!;
}

function take(store: SessionStateStore, req: Req, handle: unknown): { pending: PendingSignIn | false; code: string | undefined; err: Error | null } {
  let out: { pending: PendingSignIn | false; code: string | undefined; err: Error | null } | undefined;
  store.take(req as never, handle, (err, p, why) => (out = { pending: p, code: why?.code, err }));
  return out!;
}

describe('SessionStateStore', () => {
  it('gives back what was saved, once, and leaves no key behind in the session', () => {
    const store = new SessionStateStore({ key: '7geese', spent: new SpentStates() });
    const req: Req = { session: {} };
    const handle = save(store, req, pending({ verifier: 'the-verifier', appState: { returnTo: '/x' }, scope: ['userprofile:read', 'objective:read'] }));
    expect(req.session!['7geese']).toHaveLength(1);
    const got = take(store, req, handle);
    expect(got.pending).toMatchObject({ verifier: 'the-verifier', appState: { returnTo: '/x' }, scope: ['userprofile:read', 'objective:read'] });
    expect(req.session).toEqual({});
    expect(take(store, req, handle)).toMatchObject({ pending: false, code: 'state_missing' });
  });

  it('tells a state this session never issued (mismatch) from a session with nothing pending (missing)', () => {
    const store = new SessionStateStore({ key: 'k', spent: new SpentStates() });
    const req: Req = { session: {} };
    expect(take(store, req, 'anything')).toMatchObject({ pending: false, code: 'state_missing' });
    save(store, req);
    expect(take(store, req, 'not-issued')).toMatchObject({ pending: false, code: 'state_mismatch' });
    expect(take(store, req, '')).toMatchObject({ pending: false, code: 'state_missing' });
    expect(take(store, req, ['x'])).toMatchObject({ pending: false, code: 'state_missing' });
    // A refused callback leaves the pending sign-in in place for its own callback.
    expect(req.session!.k).toHaveLength(1);
  });

  it('keeps at most max pending sign-ins, dropping the oldest, and max defaults to 8', () => {
    const three = new SessionStateStore({ key: 'k', max: 3, spent: new SpentStates() });
    const req: Req = { session: {} };
    const handles = Array.from({ length: 5 }, () => save(three, req));
    expect((req.session!.k as Array<{ h: string }>).map((s) => s.h)).toEqual(handles.slice(2));
    const byDefault = new SessionStateStore({ key: 'k', spent: new SpentStates() });
    const other: Req = { session: {} };
    for (let i = 0; i < 9; i++) save(byDefault, other);
    expect(other.session!.k).toHaveLength(8);
  });

  it("expires a state after the store's lifetime, and not before", () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new SessionStateStore({ key: 'k', lifetime: 60_000, spent: new SpentStates() });
    const req: Req = { session: {} };
    const a = save(store, req);
    const b = save(store, req);
    vi.advanceTimersByTime(58_000);
    expect(take(store, req, a).pending).toMatchObject({ verifier: 'v' });
    vi.advanceTimersByTime(3_000);
    expect(take(store, req, b)).toMatchObject({ pending: false, code: 'state_expired' });
    const c = save(store, req);
    vi.advanceTimersByTime(61_000);
    expect(take(store, req, c)).toMatchObject({ pending: false, code: 'state_expired' });
    expect(req.session).toEqual({});
    // An expired slot is dropped at the next save: its callback then finds nothing of it.
    const d = save(store, req);
    vi.advanceTimersByTime(61_000);
    save(store, req);
    expect(take(store, req, d)).toMatchObject({ pending: false, code: 'state_mismatch' });
  });

  it('forgets a slot at the very second it expires', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_800_000_000_000 });
    const store = new SessionStateStore({ key: 'k', lifetime: 60_000, spent: new SpentStates() });
    const req: Req = { session: {} };
    save(store, req);
    vi.advanceTimersByTime(60_000);
    save(store, req);
    expect(req.session!.k).toHaveLength(1);
  });

  it('finds a state among junk under its key', () => {
    const store = new SessionStateStore({ key: 'k', spent: new SpentStates() });
    const req: Req = { session: {} };
    const handle = save(store, req);
    (req.session!.k as unknown[]).unshift(null, 'junk');
    expect(take(store, req, handle).pending).toMatchObject({ verifier: 'v' });
  });

  it('drops whatever else it finds under its key', () => {
    const store = new SessionStateStore({ key: 'k', spent: new SpentStates() });
    const req: Req = { session: { k: [null, { h: 5, x: 1e12 }, { h: 'old', x: 1 }, 'junk'] } };
    const handle = save(store, req);
    expect((req.session!.k as Array<{ h: string }>).map((s) => s.h)).toEqual([handle]);
    const junk: Req = { session: { k: { h: 'x', x: 1e12 } } };
    expect(take(store, junk, 'x')).toMatchObject({ pending: false, code: 'state_missing' });
    expect(junk.session).toEqual({});
  });

  it('without a session, fails with an error that says what to add', () => {
    const store = new SessionStateStore({ key: 'k' });
    let saved: Error | null | undefined;
    store.save({} as never, pending(), (err) => (saved = err));
    expect(saved?.message).toBe('7Geese sign-in with state needs session support: add express-session (or cookie-session) before passport.');
    expect(take(store, {}, 'x')).toMatchObject({ pending: false, err: saved });
  });
});

describe('pending sign-ins', () => {
  it('hands out random, URL-safe, 144-bit handles, never the same twice', () => {
    const handles = Array.from({ length: 200 }, () => newHandle());
    expect(new Set(handles).size).toBe(200);
    for (const h of handles) expect(h).toMatch(/^[\w-]{24}$/);
  });

  it('keeps only what a sign-in has, in short names', () => {
    // Strict: a key holding undefined would still take room in every session it is kept in.
    expect(slotOf('h', { verifier: undefined, appState: undefined, scope: undefined }, 7)).toStrictEqual({ h: 'h', x: 7 });
    expect(slotOf('h', { verifier: 'v', appState: { a: 1 }, scope: ['a:read', 'b:read'] }, 7)).toStrictEqual({ h: 'h', v: 'v', s: { a: 1 }, sc: 'a:read b:read', x: 7 });
    expect(slotOf('h', pending({ appState: null }), 7)).toMatchObject({ s: null });
  });

  it('a slot is expired from the very millisecond it expires at', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_800_000_000_000 });
    const results: unknown[] = [];
    takeSlot({ h: 'at', x: 0 }, Date.now(), new SpentStates(), (_e, p, why) => results.push(p === false ? why!.code : 'taken'));
    takeSlot({ h: 'after', x: 0 }, Date.now() + 1, new SpentStates(), (_e, p, why) => results.push(p === false ? why!.code : 'taken'));
    expect(results).toEqual(['state_expired', 'taken']);
  });

  it('takes a slot once, refuses it expired, spent or when too many are spent at once', () => {
    const spent = new SpentStates(1);
    const results: Array<unknown> = [];
    const answer = (_err: Error | null, p: PendingSignIn | false, why?: { code: string }) => results.push(p === false ? why!.code : p);
    const later = Date.now() + 60_000;
    takeSlot({ h: 'a', x: 0 }, Date.now() - 1, spent, answer);
    takeSlot({ h: 'a', x: 0, v: 'v', sc: 'x:read y:read' }, later, spent, answer);
    takeSlot({ h: 'a', x: 0 }, later, spent, answer);
    takeSlot({ h: 'b', x: 0 }, later, spent, answer);
    takeSlot({ h: 'c', x: 0 }, later, new SpentStates(), answer);
    expect(results).toEqual([
      'state_expired',
      { verifier: 'v', appState: undefined, scope: ['x:read', 'y:read'] },
      'state_mismatch',
      'state_busy',
      { verifier: undefined, appState: undefined, scope: undefined },
    ]);
  });
});
