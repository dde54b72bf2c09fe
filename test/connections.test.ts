// Connections to 7Geese (issue 20): the connection opened when a sign-in starts, its bound, and
// the one resend of a request that met a connection the server had closed or dropped while idle.
// Connections are counted at a TCP relay in front of the simulator, or at a bare test server.
import { Agent as HttpAgent, createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SevenGeeseNetworkError, Strategy } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { Transport, basicCredentials } from '../src/transport/transport.js';
import { consent, createHarness, finish, signIn, startSignIn } from './helpers/harness.js';

/** What the relay does to a request arriving on a connection that has already carried one. */
type OnReused = 'pass' | 'hang up' | 'reset';

interface Relay {
  url: string;
  /** Connections accepted so far. */
  connections: number;
  onReused: OnReused;
  /** Requests cut without an answer. */
  cut: number;
  /** Closes, from the server's side, every connection with no request under way. */
  closeIdle(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay to the simulator that counts connections and can play a server or load balancer
 * that closed an idle connection as the next request arrives ('hang up': closes it on receiving
 * the request, without an answer) or had forgotten it ('reset': answers the request with a RST).
 */
async function startRelay(to: string): Promise<Relay> {
  const target = new URL(to);
  const open = new Set<{ client: Socket; upstream: Socket; busy: boolean }>();
  const server = createNetServer((client) => {
    relay.connections += 1;
    const upstream = connect(Number(target.port), target.hostname);
    const conn = { client, upstream, busy: false };
    let answered = false;
    open.add(conn);
    const end = () => {
      open.delete(conn);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (answered && !conn.busy && relay.onReused !== 'pass') {
        relay.cut += 1;
        open.delete(conn);
        upstream.destroy();
        return relay.onReused === 'reset' ? void client.resetAndDestroy() : void client.destroy();
      }
      conn.busy = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      answered = true;
      conn.busy = false;
      client.write(chunk);
    });
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relay: Relay = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: 0,
    onReused: 'pass',
    cut: 0,
    closeIdle() {
      for (const conn of open) if (!conn.busy) conn.client.destroy();
    },
    close() {
      for (const conn of open) conn.client.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return relay;
}

let sim: Simulator;
let relay: Relay;
beforeEach(async () => {
  sim = await startSimulator();
  relay = await startRelay(sim.baseURL);
});
afterEach(async () => {
  await relay.close();
  await sim.close();
});

/** A harness whose strategy reaches the simulator through the relay. */
function harness(options: Record<string, unknown> = {}) {
  return createHarness(sim, { baseURL: relay.url, ...options });
}

describe('a connection to 7Geese opened when a sign-in starts', () => {
  it('opens the connection at the start leg; the callback’s token and profile requests ride it', async () => {
    const h = harness();
    const authorize = await startSignIn(h.agent);
    await vi.waitFor(() => expect(relay.connections).toBe(1));
    const res = await finish(h.agent, await consent(sim, authorize, 1));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/me');
    expect(h.verifyCalls).toHaveLength(1);
    expect(relay.connections).toBe(1);
  });

  it('with preconnect: false, opens nothing until the callback, which opens one connection', async () => {
    const h = harness({ preconnect: false });
    const authorize = await startSignIn(h.agent);
    const callback = await consent(sim, authorize, 1);
    // Another start and its consent: time enough for a connection opened ahead to arrive.
    await consent(sim, await startSignIn(h.agent), 1);
    expect(relay.connections).toBe(0);
    expect((await finish(h.agent, callback)).headers.location).toBe('/me');
    expect(relay.connections).toBe(1);
  });

  it('opens none when a recently used connection is idle in the pool', async () => {
    const h = harness();
    expect((await signIn(sim, h.agent, 1)).headers.location).toBe('/me');
    expect(relay.connections).toBe(1);
    expect((await signIn(sim, h.agent, 2)).headers.location).toBe('/me');
    expect(relay.connections).toBe(1);
  });

  it('a burst of 1000 starts opens one connection, far below the pool’s 16', async () => {
    const h = harness();
    const server = createServer(h.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const agent = new HttpAgent({ keepAlive: true, maxSockets: 50 });
      // node:http rather than fetch, so that the burst's own connections are bounded by `agent`.
      const start = () =>
        new Promise<number>((resolve, reject) => {
          get(`${base}/auth/7geese`, { agent }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }).on('error', reject);
        });
      const statuses = await Promise.all(Array.from({ length: 1000 }, start));
      agent.destroy();
      expect(statuses.every((s) => s === 302)).toBe(true);
      await vi.waitFor(() => expect(relay.connections).toBeGreaterThan(0));
      // One more start after the burst: the connection opening or open ahead still counts.
      await startSignIn(h.agent);
      expect(relay.connections).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('opens nothing with the app’s own agent', async () => {
    const agent = new HttpAgent({ keepAlive: true });
    const h = harness({ agent });
    const authorize = await startSignIn(h.agent);
    const callback = await consent(sim, authorize, 1);
    expect(relay.connections).toBe(0);
    expect((await finish(h.agent, callback)).headers.location).toBe('/me');
    agent.destroy();
  });
});

describe('a connection the server closed or dropped while idle never fails a sign-in', () => {
  it.each<OnReused>(['hang up', 'reset'])('the server cuts every request on a reused connection (%s): sign-ins still succeed', async (onReused) => {
    const h = harness();
    expect((await signIn(sim, h.agent, 1)).headers.location).toBe('/me');
    relay.onReused = onReused;
    // The code exchange and the profile GET each meet a cut connection and are sent once more.
    const res = await signIn(sim, h.agent, 2);
    expect(res.headers.location).toBe('/me');
    expect(h.verifyCalls.map((c) => c.profile.id)).toEqual(['1', '2']);
    expect(relay.cut).toBe(2);
  });

  it('the server closes its idle connections, the one opened ahead included: the sign-in succeeds', async () => {
    const h = harness();
    expect((await signIn(sim, h.agent, 1)).headers.location).toBe('/me');
    const authorize = await startSignIn(h.agent);
    relay.closeIdle();
    expect((await finish(h.agent, await consent(sim, authorize, 2))).headers.location).toBe('/me');
    expect(h.verifyCalls).toHaveLength(2);
  });
});

/** A bare server: counts connections and requests, and handles each with `handle` (its socket's request count given). */
async function startServer(handle: (req: IncomingMessage, res: ServerResponse, nth: number) => void): Promise<{ url: string; connections: number; requests: number; server: Server }> {
  const counts = new WeakMap<Socket, number>();
  const state = { url: '', connections: 0, requests: 0, server: undefined as unknown as Server };
  state.server = createServer((req, res) => {
    state.requests += 1;
    const nth = (counts.get(req.socket) ?? 0) + 1;
    counts.set(req.socket, nth);
    handle(req, res, nth);
  });
  state.server.keepAliveTimeout = 60_000;
  state.server.on('connection', () => (state.connections += 1));
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/o/token/`;
  return state;
}

const TOKENS = JSON.stringify({ access_token: 'at', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt', scope: 'userprofile:read' });
const CLIENT = { id: 'c', secret: 's', auth: 'basic' as const, basic: basicCredentials('c', 's') };

describe('only a request that never reached the server is sent again', () => {
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  afterEach(async () => {
    server?.server.closeAllConnections();
    await new Promise((resolve) => server?.server.close(resolve));
    server = undefined;
  });
  const exchangeCode = (t: Transport, url: string) => t.postForm('token', url, { grant_type: 'authorization_code', code: 'the-code' }, CLIENT);

  it('a code exchange on a reused connection closed without an answer is sent once more, on a new connection', async () => {
    server = await startServer((req, res, nth) => (nth > 1 ? req.socket.destroy() : res.end(TOKENS)));
    const t = new Transport({ idleTimeout: 30_000 });
    expect((await exchangeCode(t, server.url)).status).toBe(200);
    expect((await exchangeCode(t, server.url)).status).toBe(200);
    expect(server.requests).toBe(3);
    expect(server.connections).toBe(2);
  });

  it('is sent once more at most: a resend that fails too is the error', async () => {
    let first = true;
    server = await startServer((req, res) => {
      if (first) return void ((first = false), res.end(TOKENS));
      req.socket.destroy();
    });
    const t = new Transport({ idleTimeout: 31_000 });
    await exchangeCode(t, server.url);
    await expect(exchangeCode(t, server.url)).rejects.toBeInstanceOf(SevenGeeseNetworkError);
    expect(server.requests).toBe(3);
  });

  it('is not sent again when the connection was new', async () => {
    server = await startServer((req) => req.socket.destroy());
    const t = new Transport({ idleTimeout: 32_000 });
    await expect(exchangeCode(t, server.url)).rejects.toBeInstanceOf(SevenGeeseNetworkError);
    expect(server.requests).toBe(1);
  });

  it('is not sent again when an answer had begun', async () => {
    server = await startServer((req, res, nth) => {
      if (nth === 1) return void res.end(TOKENS);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 500 });
      res.write('{"access_token":');
      setImmediate(() => req.socket.destroy());
    });
    const t = new Transport({ idleTimeout: 33_000 });
    await exchangeCode(t, server.url);
    await expect(exchangeCode(t, server.url)).rejects.toBeInstanceOf(SevenGeeseNetworkError);
    expect(server.requests).toBe(2);
  });
});

describe('the options', () => {
  const base = { clientID: 'id', clientSecret: 'secret', callbackURL: '/cb' };
  const verify = async () => ({ id: 1 });
  it.each([1500, 0, -1000, 601_000, '50000', Number.NaN])('refuses idleTimeout %s, naming the option and what it takes', (idleTimeout) => {
    expect(() => new Strategy({ ...base, idleTimeout } as never, verify)).toThrow(/option "idleTimeout" must be a whole number of seconds in milliseconds, from 1000 to 600000/);
  });
  it('refuses a preconnect that is not true or false', () => {
    expect(() => new Strategy({ ...base, preconnect: 'no' } as never, verify)).toThrow(/option "preconnect" must be true or false/);
  });
  it('keeps idleTimeout and preconnect in the transport settings a SevenGeeseClient built on the strategy inherits', () => {
    const strategy = new Strategy({ ...base, idleTimeout: 20_000 }, verify);
    expect(strategy.transport?.settings).toMatchObject({ idleTimeout: 20_000, preconnect: true });
  });
});
