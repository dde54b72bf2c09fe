import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { dirname, join } from 'node:path';
import { proxyFor } from './proxy.js';

/**
 * How requests reach 7Geese: the app's own agent (such as a proxy agent; `false` for a new
 * connection per request), the proxy named by `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, or this
 * library's keep-alive pool.
 */
export type AgentChoice = { agent: HttpAgent | false } | { proxyFromEnv: true } | { pool: true };

/**
 * The keep-alive pool used unless the app passes its own agent: a sign-in's token and profile
 * requests share one connection, later sign-ins reuse it. Bounded: at most 16 connections per
 * 7Geese host, each closed after 4 s idle (below the 5 s that Node's own servers
 * and many proxies keep an idle connection, so that a request never goes out on a connection the
 * server is closing; Node's agent also closes it a second before a server's `Keep-Alive:
 * timeout=N`). Idle sockets do not keep the process alive. All 16 may stay idle: with fewer, the
 * connections of a burst of concurrent sign-ins beyond that number were closed as each request
 * ended and opened again by the next (0.45 new connections per sign-in at 16 concurrent
 * sign-ins, about 100 µs of CPU each); the idle timeout still closes them when traffic stops.
 */
const POOL = { keepAlive: true, maxSockets: 16, maxFreeSockets: 16, timeout: 4_000, scheduling: 'lifo' } as const;
let pool: { http: HttpAgent; https: HttpsAgent } | undefined;

/** What the agent choice reads of a URL. */
type Where = Pick<URL, 'protocol' | 'hostname' | 'port' | 'href'>;

function pooled(url: Where): HttpAgent {
  pool ??= { http: new HttpAgent(POOL), https: new HttpsAgent(POOL) };
  return url.protocol === 'https:' ? pool.https : pool.http;
}

/**
 * Whether `agent` is this library's own pool: Node's plain agent, which sends headers given as
 * an array as they are. An app's agent (a proxy agent rewrites the request's headers) is given
 * them as an object.
 */
export function isPoolAgent(agent: unknown): boolean {
  return pool !== undefined && (agent === pool.http || agent === pool.https);
}

interface ProxyModules {
  HttpProxyAgent: new (proxy: URL, options: object) => HttpAgent;
  HttpsProxyAgent: new (proxy: URL, options: object) => HttpAgent;
}
let proxyModules: ProxyModules | Promise<ProxyModules> | undefined;
/** One agent per proxy and scheme, so that requests through a proxy share its connections. */
const proxyAgents = new Map<string, HttpAgent>();
/** The variables change rarely; should they change often, the agents of old values are dropped. */
const MAX_PROXY_AGENTS = 16;

/** Loaded on the first request with `proxyFromEnv`, so that apps without it never load them. */
function loadProxyModules(): ProxyModules | Promise<ProxyModules> {
  proxyModules ??= Promise.all([import('http-proxy-agent'), import('https-proxy-agent')]).then(
    ([http, https]) => (proxyModules = { HttpProxyAgent: http.HttpProxyAgent, HttpsProxyAgent: https.HttpsProxyAgent }),
  );
  return proxyModules;
}

/**
 * The agent for `proxyFromEnv`: the proxy that {@link proxyFor} reads from the environment on
 * every request, as curl does, so a change of `HTTPS_PROXY` applies without a restart. An https
 * URL goes through the proxy in a CONNECT tunnel (https-proxy-agent); an http URL is sent to the
 * proxy in absolute form (http-proxy-agent), as HTTP proxies expect. A URL that `NO_PROXY` matches, or with no proxy
 * set, uses the keep-alive pool.
 */
function fromEnv(url: Where, modules: ProxyModules): HttpAgent {
  const proxy = proxyFor(url)?.url;
  if (!proxy) return pooled(url);
  const key = `${url.protocol}${proxy.href}`;
  let agent = proxyAgents.get(key);
  if (!agent) {
    const Proxy = url.protocol === 'https:' ? modules.HttpsProxyAgent : modules.HttpProxyAgent;
    agent = new Proxy(proxy, POOL);
    if (proxyAgents.size >= MAX_PROXY_AGENTS) proxyAgents.clear();
    proxyAgents.set(key, agent);
  }
  return agent;
}

/** The agent for one request; a promise only while the proxy modules load, once. */
export function agentFor(url: Where, choice: AgentChoice): HttpAgent | false | Promise<HttpAgent> {
  if ('agent' in choice) return choice.agent;
  if ('pool' in choice) return pooled(url);
  const modules = loadProxyModules();
  return modules instanceof Promise ? modules.then((m) => fromEnv(url, m)) : fromEnv(url, modules);
}

let userAgent: string | undefined;

/**
 * `passport-7geese/<version>`, the version read once from this package's package.json: the
 * first one above this file whose name is ours (from the package's bundle in `dist/cjs/`, or from
 * `src/transport/`). Without one (a copy bundled into an app) the name alone.
 */
export function userAgentHeader(): string {
  if (userAgent !== undefined) return userAgent;
  // A bundle for ES modules has no __dirname; it gets the name alone.
  let dir = typeof __dirname === 'string' ? __dirname : '';
  for (let i = 0; dir !== '' && i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'passport-7geese' && typeof pkg.version === 'string') return (userAgent = `passport-7geese/${pkg.version}`);
    } catch {
      // No package.json here, or not JSON: look one folder up.
    }
  }
  return (userAgent = 'passport-7geese');
}
