// Spent states are remembered until they would have expired, not until some count is reached;
// when memory is the limit, new callbacks are refused rather than old states forgotten.
// Issue 12, items 2 and 11.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Request } from 'express';
import { CookieStateStore, SessionStateStore, SIGN_IN_FAILURES, type SignInStore } from '../../src/index.js';
import { SpentStates } from '../../src/spent-states.js';

const pending = (verifier: string) => ({ verifier, appState: undefined, scope: undefined, expiresAt: Date.now() + 600_000 });

/** A store's take() in the shape passport-oauth2's verify answers: the verifier, or false and why. */
function take(store: SignInStore, req: Request, handle: string, answer: (e: Error | null, ok: unknown, info?: unknown) => void): void {
  store.take(req, handle, (e, p, why) => answer(e, p ? p.verifier : false, p ? undefined : why));
}

afterEach(() => {
  vi.useRealTimers();
});

type Outcome = { ok: unknown; info: unknown };

/** A request as the cookie store sees it, with the cookies a browser would send. */
function cookieRequest(cookie = ''): Request & { setCookies: string[] } {
  const setCookies: string[] = [];
  const req = { headers: { cookie }, secure: false, setCookies, res: { append: (_n: string, v: string) => setCookies.push(v) } };
  return req as unknown as Request & { setCookies: string[] };
}

function startCookieSignIn(store: CookieStateStore): { handle: string; cookie: string } {
  const req = cookieRequest();
  let handle = '';
  store.save(req, pending('a-verifier'), (_e, h) => (handle = h!));
  return { handle, cookie: req.setCookies[0]!.split(';')[0]! };
}

function verifyCookie(store: CookieStateStore, handle: string, cookie: string): Outcome {
  let outcome: Outcome = { ok: undefined, info: undefined };
  take(store, cookieRequest(cookie), handle, (_e, ok, info) => (outcome = { ok, info }));
  return outcome;
}

describe('CookieStateStore', () => {
  it('still refuses a replayed cookie after 10 001 other sign-ins on the instance', () => {
    const store = new CookieStateStore({ secret: 'a-state-secret-of-at-least-32-characters' });
    const first = startCookieSignIn(store);
    expect(verifyCookie(store, first.handle, first.cookie).ok).toBe('a-verifier');
    for (let i = 0; i < 10_001; i++) {
      const next = startCookieSignIn(store);
      expect(verifyCookie(store, next.handle, next.cookie).ok).toBe('a-verifier');
    }
    // The browser (or an attacker who copied it) sends the first, still unexpired, cookie again.
    expect(verifyCookie(store, first.handle, first.cookie)).toEqual({ ok: false, info: { code: 'state_mismatch', message: SIGN_IN_FAILURES.state_mismatch } });
  });

  it('forgets a spent state once its cookie has expired, which is then refused as expired', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new CookieStateStore({ secret: 'a-state-secret-of-at-least-32-characters', lifetime: 60_000 });
    const first = startCookieSignIn(store);
    verifyCookie(store, first.handle, first.cookie);
    vi.setSystemTime(Date.now() + 60_001);
    expect(verifyCookie(store, first.handle, first.cookie).info).toEqual({ code: 'state_expired', message: SIGN_IN_FAILURES.state_expired });
  });
});

describe('SpentStates', () => {
  it('remembers a state until it expires and then forgets it', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const spent = new SpentStates(10);
    const now = Date.now();
    expect(spent.spend('a', now + 1000)).toBe('ok');
    expect(spent.spend('a', now + 1000)).toBe('spent');
    vi.setSystemTime(now + 1001);
    expect(spent.spend('b', now + 5000)).toBe('ok');
    expect(spent.size).toBe(1);
  });

  it('when full of unexpired states refuses new ones rather than forgetting old ones', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const spent = new SpentStates(3);
    const now = Date.now();
    for (const h of ['a', 'b', 'c']) expect(spent.spend(h, now + 60_000)).toBe('ok');
    expect(spent.spend('d', now + 60_000)).toBe('full');
    expect(spent.spend('a', now + 60_000)).toBe('spent');
    vi.setSystemTime(now + 60_001);
    expect(spent.spend('d', now + 120_000)).toBe('ok');
  });

  it('frees states that expire out of order once the registry is full', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const spent = new SpentStates(2);
    const now = Date.now();
    spent.spend('long', now + 60_000);
    spent.spend('short', now + 1_000);
    vi.setSystemTime(now + 1_001);
    expect(spent.spend('next', now + 60_000)).toBe('ok');
    expect(spent.spend('long', now + 60_000)).toBe('spent');
  });
});

describe('SessionStateStore', () => {
  function sessionRequest(session: Record<string, unknown>): Request {
    return { session } as unknown as Request;
  }

  it('refuses, with a message saying so, a callback that would need to forget a spent state', () => {
    const store = new SessionStateStore({ key: 'k', spent: new SpentStates(1) });
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 2; i++) {
      const session: Record<string, unknown> = {};
      let handle = '';
      store.save(sessionRequest(session), pending('v'), (_e, h) => (handle = h!));
      take(store, sessionRequest(session), handle, (_e, ok, info) => outcomes.push({ ok, info }));
    }
    expect(outcomes).toEqual([
      { ok: 'v', info: undefined },
      { ok: false, info: { code: 'state_busy', message: SIGN_IN_FAILURES.state_busy } },
    ]);
  });

  it('refuses a state found in a stale copy of the session after it was used', () => {
    const store = new SessionStateStore({ key: 'k' });
    const session: Record<string, unknown> = {};
    let handle = '';
    store.save(sessionRequest(session), pending('v'), (_e, h) => (handle = h!));
    const stale = structuredClone(session);
    const results: unknown[] = [];
    take(store, sessionRequest(session), handle, (_e, ok) => results.push(ok));
    take(store, sessionRequest(stale), handle, (_e, ok, info) => results.push(ok, info));
    expect(results).toEqual(['v', false, { code: 'state_mismatch', message: SIGN_IN_FAILURES.state_mismatch }]);
  });
});
