import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { Target } from './exchange.js';
import { proxyFor } from './proxy.js';

/**
 * How requests reach 7Geese: the app's own agent (such as a proxy agent; `false` for a new
 * connection per request), the proxy named by `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, or this
 * library's keep-alive pool, whose connections close after `idleTimeout` ms unused.
 */
export type AgentChoice = { agent: HttpAgent | false } | { proxyFromEnv: true } | { pool: true; idleTimeout?: number | undefined };

/**
 * How long a connection in the keep-alive pool stays open unused, by default, in ms. Long enough
 * that the connection opened when a sign-in starts ({@link preconnect}) is still open when the
 * person comes back from 7Geese's consent page, typically tens of seconds later. Short enough to
 * close it before the servers in front of 7Geese commonly do, so that a request rarely goes out
 * on a connection the server is closing: an AWS load balancer drops a connection after 60 s idle,
 * nginx after 75 s (`keepalive_timeout`), or after 60 s (`client_header_timeout`) for a new
 * connection that has not sent a request yet. Servers that close sooner (Node's and Apache's
 * 5 s) are covered by Node's agent honouring their `Keep-Alive: timeout=N` (it closes a second
 * before), and otherwise by the one resend of a request that failed on a reused connection
 * without an answer (exchange.ts).
 */
export const DEFAULT_IDLE_TIMEOUT = 50_000;

/**
 * The keep-alive pool used unless the app passes its own agent: a sign-in's token and profile
 * requests share one connection, later sign-ins reuse it. Bounded: at most 16 connections per
 * 7Geese host (plus the one opened ahead, {@link preconnect}), each closed after `idleTimeout`
 * unused. Idle sockets do not keep the process alive. All 16 may stay idle: with fewer, the
 * connections of a burst of concurrent sign-ins beyond that number were closed as each request
 * ended and opened again by the next (0.45 new connections per sign-in at 16 concurrent
 * sign-ins, about 100 µs of CPU each); the idle timeout still closes them when traffic stops.
 */
const POOL_SHAPE = { keepAlive: true, maxSockets: 16, maxFreeSockets: 16, scheduling: 'lifo' } as const;

/** The options of the proxy agents: the pool's shape, with the idle timeout the pool had before `idleTimeout`. */
const POOL = { ...POOL_SHAPE, timeout: 4_000 } as const;

/** The options Node's agent hands `createConnection` (`_agentKey` is its name for the connection's origin). */
type ConnectionOptions = Parameters<HttpAgent['createConnection']>[0] & { _agentKey?: string; servername?: string };

/** Sockets a request got from those opened ahead: a failure on one is a failure on a reused connection. */
const openedAhead = new WeakSet<object>();
/** The origin (agent name) of each socket the pool opened, to find its idle siblings. */
const originOf = new WeakMap<object, string>();

/**
 * One keep-alive agent of the pool and the connections opened ahead of a request, at most one
 * per origin, kept outside the agent until a request needs a new connection: Node's agent has no
 * way to add an idle connection of one's own, but asks `createConnection` for each new one.
 */
class PoolAgent {
  readonly agent: HttpAgent;
  readonly #idleTimeout: number;
  readonly #defaultPort: number;
  /** Per origin, the connection opened ahead and the listener that ends it while unused. */
  readonly #ahead = new Map<string, { socket: Socket; forget: () => void }>();
  /** When each idle socket was last released, to tell one about to close from one that will last. */
  readonly #freedAt = new WeakMap<object, number>();
  readonly #open: (options: ConnectionOptions) => Socket;

  constructor(Agent: typeof HttpAgent | typeof HttpsAgent, idleTimeout: number) {
    const agent = new Agent({ ...POOL_SHAPE, timeout: idleTimeout });
    this.agent = agent;
    this.#idleTimeout = idleTimeout;
    this.#defaultPort = Agent === HttpsAgent ? 443 : 80;
    // The agent's own createConnection (net.connect or tls.connect, with TLS session reuse).
    const own = agent.createConnection.bind(agent) as (options: ConnectionOptions) => Socket;
    this.#open = (options) => {
      const socket = own(options);
      originOf.set(socket, options._agentKey ?? agent.getName(options));
      return socket;
    };
    agent.createConnection = (options: ConnectionOptions) => this.#take(options) ?? this.#open(options);
    agent.on('free', (socket: object) => this.#freedAt.set(socket, performance.now()));
    poolAgents.set(agent, this);
  }

  /**
   * Opens a connection to `target`'s origin unless one is idle that will outlive a consent (used
   * within the last half of the idle timeout) or one is already open or opening ahead: at most
   * one per origin, however many sign-ins start. Never throws; a failure leaves nothing behind.
   */
  preconnect(target: Target): void {
    const host = target.options.hostname;
    const port = target.options.port ?? this.#defaultPort;
    const name = this.agent.getName({ host, port });
    if (this.#ahead.has(name)) return;
    const recent = performance.now() - this.#idleTimeout / 2;
    if (this.agent.freeSockets[name]?.some((s) => (this.#freedAt.get(s) ?? 0) > recent)) return;
    let socket: Socket;
    try {
      // As Node's agent would open it: its options, the origin's name (TLS sessions are cached
      // under it), SNI unless the host is an address.
      const options = { ...(this.agent as unknown as { options: object }).options, host, port, _agentKey: name, keepAlive: true };
      socket = this.#open(isIP(host) === 0 ? { ...options, servername: host } : options);
    } catch {
      return;
    }
    const forget = () => {
      if (this.#ahead.get(name)?.socket === socket) this.#ahead.delete(name);
      socket.destroy();
    };
    // Unused, it closes after the idle timeout; the server closing it or an error ends it quietly.
    socket.setTimeout(this.#idleTimeout, forget);
    socket.on('error', forget).on('end', forget).on('close', forget);
    socket.unref();
    this.#ahead.set(name, { socket, forget });
  }

  /** The connection opened ahead for this origin, if any and still open, handed to the agent. */
  #take(options: ConnectionOptions): Socket | undefined {
    const name = options._agentKey ?? this.agent.getName(options);
    const ahead = this.#ahead.get(name);
    if (ahead === undefined) return undefined;
    this.#ahead.delete(name);
    const { socket, forget } = ahead;
    socket.off('timeout', forget).off('error', forget).off('end', forget).off('close', forget);
    if (socket.destroyed || !socket.writable) {
      socket.destroy();
      return undefined;
    }
    socket.setTimeout(this.#idleTimeout);
    socket.ref();
    openedAhead.add(socket);
    return socket;
  }

  /** Closes the idle connections, and the one opened ahead, to the origin of `socket`. */
  dropIdle(socket: object): void {
    const name = originOf.get(socket);
    if (name === undefined) return;
    for (const idle of [...(this.agent.freeSockets[name] ?? [])]) idle.destroy();
    this.#ahead.get(name)?.socket.destroy();
  }
}

/** Every agent of the pool, whatever its idle timeout. */
const poolAgents = new WeakMap<object, PoolAgent>();
/**
 * The pool's agents per idle timeout: strategies with the same `idleTimeout` share connections.
 * Bounded by the option's check: whole seconds up to 600 s.
 */
const pools = new Map<number, { http: PoolAgent; https: PoolAgent }>();

/** What the agent choice reads of a URL. */
type Where = Pick<URL, 'protocol' | 'hostname' | 'port' | 'href'>;

function poolFor(url: Pick<URL, 'protocol'>, idleTimeout = DEFAULT_IDLE_TIMEOUT): PoolAgent {
  let pool = pools.get(idleTimeout);
  if (pool === undefined) {
    pool = { http: new PoolAgent(HttpAgent, idleTimeout), https: new PoolAgent(HttpsAgent, idleTimeout) };
    pools.set(idleTimeout, pool);
  }
  return url.protocol === 'https:' ? pool.https : pool.http;
}

function pooled(url: Where, idleTimeout?: number): HttpAgent {
  return poolFor(url, idleTimeout).agent;
}

/**
 * Opens a connection to `target`'s origin in the keep-alive pool ahead of a request (see
 * {@link PoolAgent.preconnect}); for the pool only: an app's agent or a proxy is left alone.
 */
export function preconnect(target: Target, choice: AgentChoice): void {
  if ('pool' in choice) poolFor(target, choice.idleTimeout).preconnect(target);
}

/**
 * Whether a request that failed on `socket` without an answer may be sent once more: only if
 * the connection had been used before (`reused`) or opened ahead, when the server may have closed
 * it while it was idle, so that the request never reached 7Geese. The pool's other idle
 * connections to that origin are closed first (they were idle at least as long: the pool reuses
 * the most recent first), so that the resend goes out on a new connection.
 */
export function mayResend(agent: unknown, socket: object | null, reused: boolean): boolean {
  if (socket === null || !(reused || openedAhead.has(socket))) return false;
  if (agent) poolAgents.get(agent)?.dropIdle(socket);
  return true;
}

/**
 * Whether `agent` is this library's own pool: Node's plain agent, which sends headers given as
 * an array as they are. An app's agent (a proxy agent rewrites the request's headers) is given
 * them as an object.
 */
export function isPoolAgent(agent: unknown): boolean {
  return poolAgents.has(agent as object);
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
  if ('pool' in choice) return pooled(url, choice.idleTimeout);
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
