// Every request to 7Geese through a real local proxy: token, profile, refresh, revoke, REST,
// GraphQL and pagination, with an agent given to the strategy (setAgent) and to the client, and
// with HTTP_PROXY/NO_PROXY read from the environment. A proxy that answers CONNECT itself is
// never taken for 7Geese; NO_PROXY is read as curl reads it; proxies stay off unless asked for.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer as createTLSServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordStrategy, SevenGeeseClient, SevenGeeseNetworkError, Strategy, type Profile } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { proxyFor } from '../src/transport/proxy.js';
import { bothStrategies } from './helpers/both-strategies.js';
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

/** The proxy's password in HTTPS_PROXY: it must reach the proxy and appear in no error. */
const PROXY_PASSWORD = 'pr0xy-pa55word-9f3a';
const withCredentials = (url: string) => url.replace('http://', `http://proxy-user:${PROXY_PASSWORD}@`);
/** What a hostile proxy answers to CONNECT: a token answer and a profile in one body. */
const FORGED = JSON.stringify({
  access_token: 'forged-access-token', token_type: 'Bearer', expires_in: 3600, refresh_token: 'forged-refresh-token',
  scope: 'userprofile:read', id: 666, first_name: 'Mallory', last_name: 'Forged', email: 'mallory@example.com',
});
/** 7Geese over https: the proxy never connects to it, so it need not exist. */
const GEESE = 'https://7geese.invalid';
const verifyEmail = async (_a: string, _r: string | undefined, profile: Profile) => ({ email: profile.emails[0]?.value });

/** The error of a rejected promise, failing the test if it resolved. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => { throw new Error(`resolved with ${JSON.stringify(value)}`); },
    (err: Error) => err,
  );
}

describe('a proxy cannot answer for 7Geese', () => {
  let liar: ForwardProxy | undefined;
  afterEach(async () => {
    await liar?.close();
    liar = undefined;
  });
  async function lyingProxy(status: number): Promise<string> {
    liar = await startForwardProxy({ status, body: FORGED });
    process.env.HTTPS_PROXY = withCredentials(liar.url);
    return liar.url;
  }
  const expectRefused = (err: Error, proxyURL: string, status: number) => {
    expect(err).toBeInstanceOf(SevenGeeseNetworkError);
    expect(err).toMatchObject({ code: 'network_error', status: undefined });
    expect(err.message).toContain(`the proxy ${proxyURL} `);
    expect(err.message).toContain(`answered CONNECT with ${status}`);
    for (const secret of [PROXY_PASSWORD, 'proxy-user', 'forged-', 'Mallory']) expect(err.message).not.toContain(secret);
  };

  it('a 203 with a token and a profile signs no one in, through either strategy', async () => {
    const proxyURL = await lyingProxy(203);
    for (const run of Object.values(bothStrategies)) {
      const outcome = await run(sim, verifyEmail, { baseURL: GEESE, proxyFromEnv: true });
      expect(outcome).toEqual({ error: expect.stringContaining(`the proxy ${proxyURL} refused to open a tunnel (it answered CONNECT with 203)`) });
      expect(JSON.stringify(outcome)).not.toContain('mallory');
    }
    expect(liar!.tunnels).toEqual(['7geese.invalid:443', '7geese.invalid:443']);
    // The credentials reached the proxy, and nowhere else.
    expect(new Set(liar!.connectAuth)).toEqual(new Set([`Basic ${Buffer.from(`proxy-user:${PROXY_PASSWORD}`).toString('base64')}`]));
  });

  it('refresh, revoke and the API client refuse the proxy\'s answer too, and say which proxy', async () => {
    const proxyURL = await lyingProxy(203);
    const strategy = new Strategy({ clientID: 'app', clientSecret: 'app-secret', callbackURL: '/cb', baseURL: GEESE, proxyFromEnv: true }, async () => false);
    expectRefused(await rejectionOf(strategy.refresh('old-refresh')), proxyURL, 203);
    expectRefused(await rejectionOf(strategy.revoke('old-refresh')), proxyURL, 203);
    const client = new SevenGeeseClient({ accessToken: 'access', baseURL: GEESE, proxyFromEnv: true });
    expectRefused(await rejectionOf(client.get('/users/me/')), proxyURL, 203);
    expect(liar!.tunnels).toHaveLength(3);
  });

  it('a 407 is a network error saying the proxy wants credentials, not a 7Geese error', async () => {
    const proxyURL = await lyingProxy(407);
    const strategy = new Strategy({ clientID: 'app', clientSecret: 'app-secret', callbackURL: '/cb', baseURL: GEESE, proxyFromEnv: true }, async () => false);
    const err = await rejectionOf(strategy.refresh('old-refresh'));
    expectRefused(err, proxyURL, 407);
    expect(err.message).toContain('wants credentials');
    expect(err.message).toContain('HTTPS_PROXY');
  });

  it('an app\'s own HttpsProxyAgent whose proxy answers 203 is refused as well', async () => {
    const proxyURL = await lyingProxy(203);
    delete process.env.HTTPS_PROXY;
    const agent = new HttpsProxyAgent(withCredentials(proxyURL));
    const err = await rejectionOf(new SevenGeeseClient({ accessToken: 'access', baseURL: GEESE, agent }).get('/users/me/'));
    expectRefused(err, proxyURL, 203);
    agent.destroy();
  });

  it('any agent that answers an https URL without TLS is refused, even with 7Geese\'s own answer', async () => {
    // An agent that opens plain TCP connections for https URLs, here to the simulator's http port.
    const plain = Object.assign(new Agent(), { protocol: 'https:' });
    const t = sim.issueToken({ user: 1 });
    const client = new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL.replace('http:', 'https:'), agent: plain });
    const err = await rejectionOf(client.get('/users/me/'));
    expect(err).toBeInstanceOf(SevenGeeseNetworkError);
    expect(err.message).toContain('its answer (200) did not come over TLS');
    expect(sim.requests).toHaveLength(1);
    plain.destroy();
  });
});

describe('proxies stay off without proxyFromEnv', () => {
  it('neither strategy sends the token exchange, where the client secret travels, to HTTP_PROXY, HTTPS_PROXY or ALL_PROXY', async () => {
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) process.env[name] = proxy.url;
    for (const run of Object.values(bothStrategies)) {
      expect(await run(sim, verifyEmail)).toEqual({ user: { email: 'ada@example.com' } });
    }
    expect(sim.requests.filter((r) => r.path === '/o/token/')).toHaveLength(2);
    expect([...proxy.forwarded, ...proxy.tunnels]).toEqual([]);
  });
});

describe('a malformed proxy variable', () => {
  it('is an error naming the variable, without the password in any property', async () => {
    process.env.HTTPS_PROXY = `http://proxy-user:${PROXY_PASSWORD}@proxy host:3128`;
    const err = await rejectionOf(new SevenGeeseClient({ accessToken: 'access', baseURL: GEESE, proxyFromEnv: true }).get('/users/me/'));
    expect(err).toBeInstanceOf(SevenGeeseNetworkError);
    expect(err.message).toContain('HTTPS_PROXY is not a valid proxy URL');
    expect(JSON.stringify({ ...err, message: err.message, cause: String(err.cause) })).not.toContain(PROXY_PASSWORD);
  });

  it('a scheme other than http or https is named too', async () => {
    process.env.all_proxy = 'socks5://127.0.0.1:1080';
    const err = await rejectionOf(new SevenGeeseClient({ accessToken: 'access', baseURL: GEESE, proxyFromEnv: true }).get('/users/me/'));
    expect(err.message).toContain('all_proxy is not a valid proxy URL');
  });
});

describe('NO_PROXY matches as curl does', () => {
  const P = 'http://proxy.internal:3128';
  const via = (url: string, noProxy: string) => proxyFor(new URL(url), { HTTPS_PROXY: P, HTTP_PROXY: P, NO_PROXY: noProxy })?.url.href;
  it.each([
    ['https://example.com/', 'example.com'],
    ['https://api.example.com/', 'example.com'],
    ['https://API.Example.COM/', 'example.com'],
    ['https://example.com/', '.example.com'],
    ['https://a.b.example.com/', '.example.com'],
    ['https://api.example.com/', '*.example.com'],
    ['https://[::1]:8443/', '::1'],
    ['https://[::1]/', '[::1]'],
    ['https://[::1]:8443/', '[::1]:8443'],
    ['https://[0:0:0:0:0:0:0:1]/', '::1'],
    ['https://example.com./', 'example.com'],
    ['https://example.com:8443/', 'example.com:8443'],
    ['https://example.com/', 'example.com:443'],
    ['https://anything.test/', '*'],
    ['https://10.1.2.3/', '10.0.0.0/8'],
    ['https://[fd00::5]/', 'fc00::/7'],
    ['https://127.0.0.1/', 'localhost, 127.0.0.1'],
    ['http://example.com/', 'other.test,example.com'],
  ])('%s does not use the proxy with NO_PROXY=%s', (url, noProxy) => {
    expect(via(url, noProxy)).toBeUndefined();
  });
  it.each([
    ['https://notexample.com/', 'example.com'],
    ['https://example.com.evil.test/', 'example.com'],
    ['https://example.com:8443/', 'example.com:443'],
    ['https://11.0.0.1/', '10.0.0.0/8'],
    ['https://[fe80::1]/', 'fc00::/7'],
    ['https://[::2]/', '::1'],
    ['https://[::1]/', '[::1]:8443'],
    ['https://10.0.0.1/', '10.0.0.0/33'],
    ['https://example.com/', ''],
  ])('%s uses the proxy with NO_PROXY=%s', (url, noProxy) => {
    expect(via(url, noProxy)).toBe(`${P}/`);
  });
  it('takes lower-case names first, ALL_PROXY for either scheme, and http:// for a proxy without a scheme', () => {
    expect(proxyFor(new URL('https://a.test/'), { https_proxy: 'http://low:1', HTTPS_PROXY: 'http://up:1' })?.variable).toBe('https_proxy');
    expect(proxyFor(new URL('http://a.test/'), { ALL_PROXY: 'proxy.internal:3128' })).toMatchObject({ variable: 'ALL_PROXY', url: new URL('http://proxy.internal:3128') });
    expect(proxyFor(new URL('https://a.test/'), { HTTP_PROXY: P })).toBeUndefined();
  });
});

describe('a well-behaved proxy tunnels TLS to 7Geese for every call', () => {
  // 7Geese over TLS with the test's certificate; the client runs in a child process told to trust
  // it (see test/transport-https.test.ts), with HTTPS_PROXY pointing at the test's proxy.
  it('token exchange, password grant, profile, refresh, revoke and the API client', async () => {
    const fixtures = resolve(import.meta.dirname, 'fixtures');
    const seen: Array<{ line: string; port: number }> = [];
    const server = createTLSServer({ key: readFileSync(resolve(fixtures, 'localhost-key.pem')), cert: readFileSync(resolve(fixtures, 'localhost-cert.pem')) }, (req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push({ line: `${req.method} ${req.url}`, port: req.socket.remotePort! });
        res.setHeader('Content-Type', 'application/json');
        if (req.url === '/o/token/') res.end(JSON.stringify({ access_token: 'real-access', token_type: 'Bearer', expires_in: 3600, refresh_token: 'real-refresh', scope: 'userprofile:read' }));
        else if (req.url === '/o/revoke_token/') res.end();
        else res.end(JSON.stringify({ id: 7, first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const script = `
      const lib = await import(${JSON.stringify(resolve(import.meta.dirname, '../dist/esm/index.js'))});
      const options = { clientID: 'app', clientSecret: 'app-secret', baseURL: process.env.BASE, proxyFromEnv: true };
      const strategy = new lib.Strategy({ ...options, callbackURL: '/cb' }, async () => false);
      const exchanged = await new Promise((ok, fail) => strategy._oauth2.getOAuthAccessToken('the-code', { grant_type: 'authorization_code', redirect_uri: '/cb' }, (err, access) => err ? fail(err) : ok(access)));
      const password = new lib.PasswordStrategy(options, async (a, r, profile) => ({ name: profile.displayName }));
      const user = await new Promise((ok, fail) => {
        Object.assign(password, { success: ok, fail: () => fail(new Error('refused')), error: fail });
        password.authenticate({ body: { email: 'ada@example.com', password: 'pw' } }, {});
      });
      const refreshed = await strategy.refresh('old-refresh');
      await strategy.revoke(refreshed.refreshToken);
      const me = await new lib.SevenGeeseClient({ accessToken: refreshed.accessToken, baseURL: process.env.BASE, proxyFromEnv: true }).get('/users/me/');
      process.stdout.write(JSON.stringify({ exchanged, user, refreshed: refreshed.accessToken, me: me.id }));
    `;
    const env = { PATH: process.env.PATH ?? '', BASE: base, HTTPS_PROXY: withCredentials(proxy.url), NODE_EXTRA_CA_CERTS: resolve(fixtures, 'localhost-cert.pem') };
    try {
      const out = await new Promise<string>((done, fail) =>
        execFile(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 20_000 }, (err, stdout, stderr) => (err ? fail(new Error(`${err.message}\n${stderr}`)) : done(stdout))),
      );
      expect(JSON.parse(out)).toEqual({ exchanged: 'real-access', user: { name: 'Ada Lovelace' }, refreshed: 'real-access', me: 7 });
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
    expect(seen.map((s) => s.line)).toEqual(['POST /o/token/', 'POST /o/token/', 'GET /api/v/2.0/users/me/', 'POST /o/token/', 'POST /o/revoke_token/', 'GET /api/v/2.0/users/me/']);
    // Every request came out of one of the proxy's tunnels.
    for (const { port } of seen) expect(proxy.upstreamPorts).toContain(port);
    expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(base).host]));
  });
});
