// customHeaders and the User-Agent on every request to 7Geese, and the keep-alive pool.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordStrategy, SevenGeeseClient } from '../src/index.js';
import { DEMO_CLIENT, startSimulator, type Simulator } from '../src/testing/index.js';
import { createHarness, signIn } from './helpers/harness.js';
import { stopChild } from './helpers/stop-child.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const HEADERS = { 'X-Api-Gateway-Key': 'gateway-key-1', 'X-Tenant': 'acme' };

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ autoApprove: 1, objectivesPerUser: 4 });
});
afterEach(async () => {
  await sim.close();
});

/** Every request the simulator saw, but the browser's authorize page, with the headers asked about. */
const seen = () =>
  sim.requests
    .filter((r) => r.path !== '/o/authorize/')
    .map((r) => ({ line: `${r.method} ${r.path}`, ua: r.headers['user-agent'], key: r.headers['x-api-gateway-key'], tenant: r.headers['x-tenant'] }));

describe('customHeaders and User-Agent', () => {
  it('reach token, profile, refresh, revoke, REST, GraphQL and every page, from the strategy to the client it builds', async () => {
    const h = createHarness(sim, { customHeaders: HEADERS, scope: ['userprofile:read', 'objective:read', 'objective:write'] });
    expect((await signIn(sim, h.agent, 1)).headers.location).toBe('/me');
    const tokens = await h.strategy.refresh(h.verifyCalls[0]!.refreshToken!);
    // Until the strategies expose their transport (see the report), the client is handed it.
    const strategy = { baseURL: h.strategy.baseURL, timeout: h.strategy.timeout, refresh: h.strategy.refresh.bind(h.strategy), transport: h.strategy._oauth2.transport };
    const client = new SevenGeeseClient({ accessToken: tokens.accessToken, strategy });
    await client.get('/users/me/');
    await client.post('/objectives/', { name: 'Headers' });
    await client.graphql('query { me { id } }');
    for await (const _ of client.paginate('/objectives/', { pageSize: 3 })) void _;
    await h.strategy.revoke(tokens.refreshToken!);

    const lines = seen().map((r) => r.line);
    expect(lines).toEqual([
      'POST /o/token/',
      'GET /api/v/2.0/users/me/',
      'POST /o/token/',
      'GET /api/v/2.0/users/me/',
      'POST /api/v/2.0/objectives/',
      'POST /graphql',
      'GET /api/v/2.0/objectives/',
      'GET /api/v/2.0/objectives/',
      'POST /o/revoke_token/',
    ]);
    for (const r of seen()) expect(r, r.line).toMatchObject({ ua: `passport-7geese/${VERSION}`, key: 'gateway-key-1', tenant: 'acme' });
  });

  it('reach the password grant and its profile', async () => {
    const strategy = new PasswordStrategy({ clientID: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret, baseURL: sim.baseURL, customHeaders: HEADERS }, async (_a: string, _r: string | undefined, p: unknown) => p as object);
    const core = strategy._oauth2;
    await core.requestToken({ grant_type: 'password', username: 'ada@example.com', password: 'ada-password', scope: 'userprofile:read' });
    await new Promise((resolve, reject) => strategy.userProfile(sim.issueToken({ user: 1 }).access_token, (err, p) => (err ? reject(err) : resolve(p))));
    expect(seen().map((r) => r.line)).toEqual(['POST /o/token/', 'GET /api/v/2.0/users/me/']);
    for (const r of seen()) expect(r).toMatchObject({ ua: `passport-7geese/${VERSION}`, key: 'gateway-key-1', tenant: 'acme' });
  });

  it('a client built with either strategy takes its customHeaders and agent', async () => {
    const h = createHarness(sim, { customHeaders: HEADERS });
    const password = new PasswordStrategy({ clientID: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret, baseURL: sim.baseURL, customHeaders: { 'X-Tenant': 'pw' } }, async () => false);
    const t = sim.issueToken({ user: 1 });
    await new SevenGeeseClient({ accessToken: t.access_token, strategy: h.strategy }).get('/users/me/');
    await new SevenGeeseClient({ accessToken: t.access_token, strategy: password }).get('/users/me/');
    expect(seen().map((r) => [r.key, r.tenant])).toEqual([
      ['gateway-key-1', 'acme'],
      [undefined, 'pw'],
    ]);
  });

  it('the client option wins over the strategy\'s, and a client without a strategy sends its own', async () => {
    const h = createHarness(sim, { customHeaders: HEADERS });
    const t = sim.issueToken({ user: 1 });
    const strategy = { baseURL: sim.baseURL, timeout: 2000, refresh: h.strategy.refresh.bind(h.strategy), transport: h.strategy._oauth2.transport };
    await new SevenGeeseClient({ accessToken: t.access_token, strategy, customHeaders: { 'X-Tenant': 'other' } }).get('/users/me/');
    await new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL, customHeaders: { 'X-Api-Gateway-Key': 'own' } }).get('/users/me/');
    expect(seen()).toEqual([
      { line: 'GET /api/v/2.0/users/me/', ua: `passport-7geese/${VERSION}`, key: undefined, tenant: 'other' },
      { line: 'GET /api/v/2.0/users/me/', ua: `passport-7geese/${VERSION}`, key: 'own', tenant: undefined },
    ]);
  });

  it('the app may set its own User-Agent, never Authorization or Content-Type', async () => {
    const t = sim.issueToken({ user: 1 });
    const customHeaders = { 'User-Agent': 'my-app/2', authorization: 'Bearer stolen', 'content-type': 'text/plain' };
    const me = await new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL, customHeaders }).post('/objectives/', { name: 'x' });
    expect(me).toMatchObject({ name: 'x' });
    const r = sim.requests.at(-1)!;
    expect(r.headers['user-agent']).toBe('my-app/2');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers.authorization).toBe('Bearer [redacted]');
  });

  it('every request names its host once, as Node would; a Host in customHeaders replaces it', async () => {
    const raw: string[][] = [];
    const api = createHttpServer((req, res) => {
      raw.push(req.rawHeaders);
      res.setHeader('Content-Type', 'application/json').end('{}');
    });
    await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
    try {
      const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      await new SevenGeeseClient({ accessToken: 't', baseURL: base }).get('/users/me/');
      await new SevenGeeseClient({ accessToken: 't', baseURL: base, customHeaders: { host: 'api.7geese.internal' } }).get('/users/me/');
      const hosts = raw.map((headers) => headers.filter((_, i) => i % 2 === 1 && /^host$/i.test(headers[i - 1]!)));
      expect(hosts).toEqual([[new URL(base).host], ['api.7geese.internal']]);
    } finally {
      api.closeAllConnections();
      await new Promise((done) => api.close(done));
    }
  });

  it('a bad client customHeaders is a TypeError naming the option, without its value', () => {
    expect(() => new SevenGeeseClient({ accessToken: 't', customHeaders: { 'X-Key': 'secret\r\nInjected: 1' } })).toThrow(
      new TypeError(
        'SevenGeeseClient option "customHeaders" must be an object of header names (letters, digits and !#$%&\'*+.^_`|~-) and values of visible ASCII characters and spaces, without line breaks, got object. The value of "X-Key" is not.',
      ),
    );
  });
});

describe('the keep-alive pool', () => {
  let counter: Server;
  let connections: number;
  let base: string;
  beforeEach(async () => {
    // A TCP relay in front of the simulator that counts connections.
    connections = 0;
    const target = new URL(sim.baseURL);
    const sockets = new Set<Socket>();
    counter = createServer((socket) => {
      connections++;
      const upstream = connect(Number(target.port), target.hostname);
      for (const s of [socket, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      socket.pipe(upstream).pipe(socket);
    });
    counter.on('close', () => sockets.forEach((s) => s.destroy()));
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
    const address = counter.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => counter.close(resolve));
    };
  });

  it('a sign-in\'s token and profile requests share one connection, and the next sign-in reuses it', async () => {
    const h = createHarness(sim, { baseURL: base, authorizationURL: `${sim.baseURL}/o/authorize/` });
    expect((await signIn(sim, h.agent, 1)).headers.location).toBe('/me');
    expect(connections).toBe(1);
    expect((await signIn(sim, h.agent, 2)).headers.location).toBe('/me');
    expect(connections).toBe(1);
  });

  it('an idle pooled connection does not keep the process alive: a script ends on its own after its request', async () => {
    // The built package, loaded by name as an app does. The script never closes anything; it
    // reports, as it exits, whether its connection to 7Geese was still open (idle in the pool).
    const script = `
      import { subscribe } from 'node:diagnostics_channel';
      import { SevenGeeseClient } from 'passport-7geese';
      const sockets = [];
      subscribe('net.client.socket', ({ socket }) => sockets.push(socket));
      process.on('exit', () => console.log(JSON.stringify({ sockets: sockets.length, openAtExit: sockets.filter((s) => !s.destroyed).length })));
      const me = await new SevenGeeseClient({ accessToken: process.argv[1], baseURL: process.argv[2] }).get('/users/me/');
      console.log(JSON.stringify({ id: me.id }));
    `;
    const token = sim.issueToken({ user: 1 }).access_token;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, token, base], { cwd: resolve(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
      // Had the idle socket kept the process alive, the pool's idle timeout would have closed it first.
      expect(out.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([{ id: 1 }, { sockets: 1, openAtExit: 1 }]);
      expect(connections).toBe(1);
    } finally {
      await stopChild(child);
    }
  }, 20_000);

  it('agent: false opens a connection per request', async () => {
    const h = createHarness(sim, { baseURL: base, authorizationURL: `${sim.baseURL}/o/authorize/` });
    h.strategy._oauth2.setAgent(false);
    expect((await signIn(sim, h.agent, 1)).headers.location).toBe('/me');
    expect(connections).toBe(2);
  });
});
