// Every request to 7Geese through a real local proxy: token, profile, refresh, revoke, REST,
// GraphQL and pagination, with an agent given to the strategy (setAgent) and to the client, and
// with HTTP_PROXY/NO_PROXY read from the environment.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordStrategy, SevenGeeseClient, Strategy } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { startForwardProxy, type ForwardProxy } from './helpers/forward-proxy.js';
import { createHarness, signIn } from './helpers/harness.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
let sim: Simulator;
let proxy: ForwardProxy;
const ENV = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];
let savedEnv: Record<string, string | undefined>;

beforeEach(async () => {
  savedEnv = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
  for (const k of ENV) delete process.env[k];
  sim = await startSimulator({ autoApprove: 1, objectivesPerUser: 5 });
  proxy = await startForwardProxy();
});
afterEach(async () => {
  for (const k of ENV) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  await proxy.close();
  await sim.close();
});

/** The API calls of the test: REST GET, POST, GraphQL and a listing of two pages. */
async function useAPI(client: SevenGeeseClient): Promise<void> {
  await client.get('/users/me/');
  await client.post('/objectives/', { name: 'Through the proxy' });
  await client.graphql('query { me { id } }');
  const items: unknown[] = [];
  for await (const item of client.paginate('/objectives/', { pageSize: 3 })) items.push(item);
  expect(items).toHaveLength(6);
}

const EVERY_REQUEST = [
  'POST /o/token/', // the code exchange
  'GET /api/v/2.0/users/me/', // the profile, then the REST GET
  'POST /o/token/', // refresh
  'POST /api/v/2.0/objectives/',
  'POST /graphql',
  'GET /api/v/2.0/objectives/',
  'POST /o/revoke_token/',
];

describe('an agent carries every request through a proxy', () => {
  it('strategy._oauth2.setAgent() with a CONNECT proxy agent carries token, profile, refresh and revoke; the client takes it from the strategy', async () => {
    const h = createHarness(sim, { scope: ['userprofile:read', 'objective:read', 'objective:write'] });
    const agent = new HttpsProxyAgent(proxy.url, { keepAlive: true });
    h.strategy._oauth2.setAgent(agent);
    const res = await signIn(sim, h.agent, 1);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/me');
    const { accessToken, refreshToken } = h.verifyCalls[0]!;
    const tokens = await h.strategy.refresh(refreshToken!);
    // Until the strategies expose their transport, a refresher that hands the client the strategy's.
    const refresher = { baseURL: h.strategy.baseURL, timeout: h.strategy.timeout, refresh: h.strategy.refresh.bind(h.strategy), transport: h.strategy._oauth2.transport };
    await useAPI(new SevenGeeseClient({ accessToken: tokens.accessToken, strategy: refresher }));
    await h.strategy.revoke(tokens.refreshToken!);
    expect(accessToken).not.toBe(tokens.accessToken);

    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(sim.baseURL).host]));
    for (const line of EVERY_REQUEST) expect(proxy.tunneled).toContain(line);
    // Nothing reached 7Geese other than through the proxy: as many requests there as in the tunnels.
    const upstream = sim.requests.filter((r) => !r.path.startsWith('/o/authorize/'));
    expect(proxy.tunneled).toHaveLength(upstream.length);
    agent.destroy();
  });

  it('the client option "agent" carries REST, GraphQL and every page through the proxy', async () => {
    const t = sim.issueToken({ user: 1 });
    const agent = new HttpsProxyAgent(proxy.url);
    await useAPI(new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL, agent }));
    expect(proxy.tunneled).toEqual(sim.requests.map((r) => `${r.method} ${r.path}`));
    expect(proxy.tunneled.filter((l) => l === 'GET /api/v/2.0/objectives/')).toHaveLength(2);
    agent.destroy();
  });

  it('the option "agent" of both strategies carries the token and profile requests', async () => {
    const agent = new HttpsProxyAgent(proxy.url);
    const strategy = new PasswordStrategy({ clientID: 'demo-client', clientSecret: 'x', baseURL: sim.baseURL, agent }, async () => false);
    const probe = strategy._oauth2;
    expect(probe.transport.agent).toBe(agent);
    const h = createHarness(sim, { agent });
    expect((await signIn(sim, h.agent, 1)).headers.location).toBe('/me');
    expect(proxy.tunneled).toEqual(['POST /o/token/', 'GET /api/v/2.0/users/me/']);
  });

  it('setAgent(false) opens a new connection per request; setAgent(undefined) goes back to the pool', () => {
    const h = createHarness(sim);
    h.strategy._oauth2.setAgent(false);
    expect(h.strategy._oauth2.transport.agent).toBe(false);
    h.strategy._oauth2.setAgent(undefined);
    expect(h.strategy._oauth2.transport.agent).toBe('pool');
  });

  it('an agent that is not an http.Agent is a TypeError naming the option', () => {
    const options = { clientID: 'c', clientSecret: 's', callbackURL: '/cb', agent: { addRequest() {} } as unknown as Agent };
    expect(() => new Strategy(options, async () => false)).toThrow(
      new TypeError('7Geese Strategy option "agent" must be an http.Agent or https.Agent (such as a proxy agent from https-proxy-agent), or false, got object.'),
    );
    expect(() => new SevenGeeseClient({ accessToken: 't', agent: 'http://proxy' as unknown as Agent })).toThrow(/SevenGeeseClient option "agent" must be an http.Agent/);
    expect(() => new PasswordStrategy({ clientID: 'c', clientSecret: 's', proxyFromEnv: 'yes' as unknown as boolean }, async () => false)).toThrow(
      new TypeError('7Geese PasswordStrategy option "proxyFromEnv" must be true or false, got "yes".'),
    );
  });
});

describe('proxyFromEnv', () => {
  it('sends an http URL to HTTP_PROXY in absolute form (http-proxy-agent), every request', async () => {
    process.env.HTTP_PROXY = proxy.url;
    const t = sim.issueToken({ user: 1 });
    await useAPI(new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL, proxyFromEnv: true }));
    expect(proxy.tunnels).toEqual([]);
    expect(proxy.forwarded).toEqual(sim.requests.map((r) => `${r.method} ${r.path}`));
    expect(proxy.forwarded).toHaveLength(5);
    expect(new Set(proxy.userAgents)).toEqual(new Set([`passport-7geese/${VERSION}`]));
  });

  it('reads the variables on every request, and NO_PROXY sends 7Geese\'s host direct', async () => {
    const t = sim.issueToken({ user: 1 });
    const client = new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL, proxyFromEnv: true });
    await client.get('/users/me/');
    expect(proxy.forwarded).toEqual([]);
    process.env.http_proxy = proxy.url;
    await client.get('/users/me/');
    expect(proxy.forwarded).toEqual(['GET /api/v/2.0/users/me/']);
    process.env.NO_PROXY = '127.0.0.1';
    await client.get('/users/me/');
    expect(proxy.forwarded).toHaveLength(1);
    expect(sim.requests).toHaveLength(3);
  });

  it('is off by default: HTTP_PROXY alone changes nothing', async () => {
    process.env.HTTP_PROXY = proxy.url;
    const t = sim.issueToken({ user: 1 });
    await new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL }).get('/users/me/');
    expect(proxy.forwarded).toEqual([]);
    expect(sim.requests).toHaveLength(1);
  });

  it('an explicit agent wins over proxyFromEnv', async () => {
    process.env.HTTP_PROXY = 'http://127.0.0.1:9'; // nothing listens there
    const t = sim.issueToken({ user: 1 });
    await new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL, proxyFromEnv: true, agent: new Agent() }).get('/users/me/');
    expect(sim.requests).toHaveLength(1);
  });
});
