import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { objectives, graphql, userprofilesMe, usersMe } from './api-endpoints.js';
import { DEMO_CLIENT, DEMO_USERS } from './demo-data.js';
import { Faults } from './faults.js';
import { BodyTooLarge, parseParams, readBody, redirect, sendJSON, singles } from './http-util.js';
import { appendBounded, recordOf } from './request-log.js';
import { authorize, introspect, revoke, token } from './oauth-endpoints.js';
import { SimulatorStore, validScopes } from './store.js';
import type { EndpointName, Fault, IssuedTokens, RecordedRequest, SimulatedClient, SimulatedUser, SimulatorOptions } from './types.js';

/** Paths that Django serves with a trailing slash, and the fault name of each. */
const ROUTES: ReadonlyArray<[RegExp, EndpointName]> = [
  [/^\/o\/authorize\/$/, 'authorize'],
  [/^\/o\/token\/$/, 'token'],
  [/^\/o\/revoke_token\/$/, 'revoke'],
  [/^\/o\/introspect\/$/, 'introspect'],
  [/^\/api\/v\/2\.0\/users\/me\/$/, 'users/me'],
  [/^\/api\/v\/2\.0\/userprofiles\/me\/$/, 'userprofiles/me'],
  [/^\/api\/v\/2\.0\/objectives\/(\d+\/)?$/, 'objectives'],
  [/^\/graphql\/?$/, 'graphql'],
];

/**
 * A running 7Geese simulator: a real HTTP server on 127.0.0.1 that behaves like 7Geese's
 * django-oauth-toolkit server and API, for tests and local development.
 */
export class Simulator {
  /** Where it listens, such as `http://127.0.0.1:43121`; use it as the strategy's `baseURL`. */
  readonly baseURL: string;
  /**
   * The requests received, oldest first: the last `requestLogSize` of them (1 000 by default),
   * with credentials redacted unless `recordCredentials` is set.
   */
  readonly requests: RecordedRequest[] = [];
  /** @internal The simulator's state, for this package's own tests; use the methods below. */
  readonly store: SimulatorStore;
  /** The person (email or id) every sign-in is approved as at once, or `false` for the consent page. */
  autoApprove: string | number | false;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #faults = new Faults();
  readonly #log: { size: number; recordCredentials: boolean };

  /** @internal Use {@link startSimulator}. */
  constructor(server: Server, baseURL: string, store: SimulatorStore, autoApprove: string | number | false, log = { size: 1_000, recordCredentials: false }) {
    this.#server = server;
    this.#log = log;
    this.baseURL = baseURL;
    this.store = store;
    this.autoApprove = autoApprove;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) sendJSON(res, 500, { detail: 'Simulator error.' });
        else res.destroy();
      });
    });
  }

  /** The seeded people. */
  get users(): readonly SimulatedUser[] {
    return this.store.users;
  }

  /** The registered applications. */
  get clients(): readonly SimulatedClient[] {
    return this.store.clients;
  }

  /** Adds a person who can sign in. */
  addUser(user: SimulatedUser): void {
    this.store.addUser(user);
  }

  /** Registers an application; one with the same client id is replaced. */
  addClient(client: SimulatedClient): void {
    const clients = this.store.clients;
    const at = clients.findIndex((c) => c.clientId === client.clientId);
    clients.splice(at < 0 ? clients.length : at, at < 0 ? 0 : 1, { ...client, redirectUris: [...client.redirectUris] });
  }

  /** Approve every authorize request at once as this person (email or id), or `false` to ask again. */
  setAutoApprove(user: string | number | false): void {
    this.autoApprove = user;
  }

  /** Makes an endpoint misbehave (or behave again, with `null`). */
  fault(endpoint: EndpointName, fault: Fault | null): void {
    this.#faults.set(endpoint, fault);
  }

  /** Makes every endpoint behave again. */
  clearFaults(): void {
    this.#faults.clear();
  }

  /** How many authorization codes, access tokens and refresh tokens it holds now. */
  sizes(): {
    /** Authorization codes not yet used nor expired. */
    codes: number;
    /** Access tokens not yet expired nor revoked. */
    accessTokens: number;
    /** Refresh tokens not yet rotated nor revoked. */
    refreshTokens: number;
  } {
    return this.store.size();
  }

  /** Empties `requests`. */
  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Tokens for a person without the browser dance, for tests of API calls. */
  issueToken(options: { user: string | number; scope?: string; clientId?: string }): IssuedTokens {
    const user = this.store.findUser(options.user);
    if (!user) throw new Error(`The simulator has no user ${String(options.user)}.`);
    const scopes = validScopes(options.scope ?? 'all');
    if (!scopes) throw new Error(`Invalid scope ${JSON.stringify(options.scope)}.`);
    return this.store.issueTokens(options.clientId ?? this.store.clients[0]?.clientId ?? 'none', user.id, scopes);
  }

  /** Stops the server, cutting open and hanging connections so that nothing waits on it. */
  close(): Promise<void> {
    this.#faults.stopTimers();
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseURL);
    let body = '';
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) return sendJSON(res, 413, { detail: 'Request body too large.' });
      throw err;
    }
    const query = parseParams(url.search.slice(1));
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const formAll = isForm ? parseParams(body) : {};
    appendBounded(this.requests, recordOf(req, url, body, isForm, this.#log.recordCredentials), this.#log.size);

    const route = ROUTES.find(([re]) => re.test(url.pathname));
    if (!route) {
      // Django's APPEND_SLASH: a known path without its slash answers 301.
      if (!url.pathname.endsWith('/') && ROUTES.some(([re]) => re.test(`${url.pathname}/`))) {
        return redirect(res, `${url.pathname}/${url.search}`, 301);
      }
      if (url.pathname.startsWith('/static/')) return sendJSON(res, 404, { detail: 'Not found.' });
      return sendJSON(res, 404, { detail: 'Not found.' });
    }
    const [, name] = route;
    const fault = this.#faults.take(name);
    if (fault && (await this.#faults.apply(fault, res))) return;

    const post = req.method === 'POST';
    switch (name) {
      case 'authorize':
        if (req.method !== 'GET' && !post) return sendJSON(res, 405, { detail: 'Method not allowed.' });
        return authorize(this, req, res, singles(post ? formAll : query));
      case 'token':
      case 'revoke':
      case 'introspect': {
        if (!post) return sendJSON(res, 405, { detail: `Method "${req.method}" not allowed.` });
        const handler = name === 'token' ? token : name === 'revoke' ? revoke : introspect;
        return handler(this, req, res, singles(formAll));
      }
      case 'users/me':
        return usersMe(this.store, req, res);
      case 'userprofiles/me':
        return userprofilesMe(this.store, req, res);
      case 'objectives': {
        const id = /\/(\d+)\/$/.exec(url.pathname)?.[1];
        return objectives(this.store, req, res, url, id === undefined ? undefined : Number(id), body);
      }
      case 'graphql':
        if (!post) return sendJSON(res, 405, { detail: 'Method not allowed.' });
        return graphql(this.store, req, res, body);
    }
  }
}

/**
 * Starts a 7Geese simulator on 127.0.0.1 (a free port by default). Close it when done.
 *
 * @example
 * const sim = await startSimulator({ autoApprove: 'ada@example.com' });
 * passport.use(new Strategy({ clientID: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret,
 *   callbackURL: DEMO_CLIENT.redirectUris[0], baseURL: sim.baseURL }, verify));
 * // …
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const count = (name: 'requestLogSize' | 'maxStoredTokens', fallback: number, least: number): number => {
    const value = options[name] ?? fallback;
    if (!Number.isSafeInteger(value) || value < least) throw new TypeError(`startSimulator: \`${name}\` must be a whole number of at least ${least}, got ${String(value)}.`);
    return value;
  };
  const log = { size: count('requestLogSize', 1_000, 0), recordCredentials: options.recordCredentials === true };
  const maxStored = count('maxStoredTokens', 10_000, 1);
  const store = new SimulatorStore(
    [...(options.users ?? DEMO_USERS)],
    (options.clients ?? [DEMO_CLIENT]).map((c) => ({ ...c, redirectUris: [...c.redirectUris] })),
    options.codeLifetimeSeconds ?? 60,
    options.accessTokenLifetimeSeconds ?? 36_000,
    options.objectivesPerUser ?? 7,
    maxStored,
  );
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return new Simulator(server, `http://${host.includes(':') ? `[${host}]` : host}:${port}`, store, options.autoApprove ?? false, log);
}
