// One contract decides when a pending sign-in expires: its store's `lifetime`, whatever it is.
// A lifetime above ten minutes used to be cut to ten, and the cookie then outlived its seal.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CookieStateStore, SessionStateStore, type PendingSignIn, type SignInStore } from '../src/index.js';

afterEach(() => vi.useRealTimers());

const MINUTE = 60_000;
const pending: PendingSignIn = { verifier: 'v'.repeat(43), appState: { returnTo: '/x' }, scope: undefined };

/** A request as the stores see it, keeping the cookies they set as a browser would. */
function browser() {
  const cookies = new Map<string, string>();
  const setCookies: string[] = [];
  const req = {
    headers: {} as Record<string, string>,
    session: {} as Record<string, unknown>,
    res: {
      append(_name: string, line: string) {
        setCookies.push(line);
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      },
    },
  };
  const send = () => {
    req.headers.cookie = [...cookies].filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join('; ');
    return req;
  };
  return { req, send, setCookies };
}

const save = (store: SignInStore, req: object) =>
  new Promise<string>((resolve, reject) => store.save(req as never, pending, (err, handle) => (err ? reject(err) : resolve(handle!))));
const take = (store: SignInStore, req: object, handle: string) =>
  new Promise<unknown>((resolve, reject) => store.take(req as never, handle, (err, found, why) => (err ? reject(err) : resolve(found || why))));

describe("a pending sign-in lives as long as its store's lifetime", () => {
  const stores: Array<[string, (lifetime?: number) => SignInStore]> = [
    ['SessionStateStore', (lifetime) => new SessionStateStore({ key: '7geese:test', ...(lifetime ? { lifetime } : {}) })],
    ['CookieStateStore', (lifetime) => new CookieStateStore({ secret: 'a-state-secret-of-at-least-32-characters', ...(lifetime ? { lifetime } : {}) })],
  ];
  for (const [name, make] of stores) {
    it(`${name}: a 30-minute lifetime is kept, not cut to ten`, async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const store = make(30 * MINUTE);
      const b = browser();
      const handle = await save(store, b.req);
      vi.advanceTimersByTime(25 * MINUTE);
      expect(await take(store, b.send(), handle)).toEqual(pending);
    });

    it(`${name}: past its lifetime the state has expired`, async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const store = make(30 * MINUTE);
      const b = browser();
      const handle = await save(store, b.req);
      vi.advanceTimersByTime(31 * MINUTE);
      expect(await take(store, b.send(), handle)).toMatchObject({ code: 'state_expired' });
    });

    it(`${name}: the default lifetime is ten minutes`, async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const store = make();
      const b = browser();
      const handle = await save(store, b.req);
      vi.advanceTimersByTime(11 * MINUTE);
      expect(await take(store, b.send(), handle)).toMatchObject({ code: 'state_expired' });
    });
  }

  it("CookieStateStore's cookie lasts exactly as long as its sealed expiry", async () => {
    const b = browser();
    await save(new CookieStateStore({ secret: 'a-state-secret-of-at-least-32-characters', lifetime: 30 * MINUTE }), b.req);
    expect(b.setCookies.at(-1)).toMatch(/; Max-Age=1800;/);
  });

  it('SessionStateStore refuses a lifetime or bound it could not keep, naming the option', () => {
    expect(() => new SessionStateStore({ key: 'k', lifetime: 0 })).toThrow(/option "lifetime"/);
    expect(() => new SessionStateStore({ key: 'k', max: 0 })).toThrow(/option "max"/);
    expect(() => new SessionStateStore({ key: '' })).toThrow(/"key"/);
  });
});
