import { createHash, randomBytes } from 'node:crypto';
import { SCOPE_RESOURCES } from '../scope.js';
import { seedObjectives } from './demo-data.js';
import type { IssuedTokens, SimulatedClient, SimulatedUser } from './types.js';

/** A random token of 30 characters, like django-oauth-toolkit's. */
export function randomToken(): string {
  return randomBytes(30).toString('base64url').replace(/[-_]/g, '').padEnd(30, '0').slice(0, 30);
}

/** Whether a scope string is made of valid 7Geese scopes (`all` or RESOURCE:read|write). */
export function validScopes(scope: string): string[] | undefined {
  const scopes = scope.split(' ').filter((s) => s !== '');
  const ok = scopes.every((s) => s === 'all' || /^(\w+):(read|write)$/.test(s) && (SCOPE_RESOURCES as readonly string[]).includes(s.split(':')[0]!));
  return ok && scopes.length > 0 ? [...new Set(scopes)] : undefined;
}

export function covers(granted: readonly string[], needed: string): boolean {
  return granted.includes('all') || granted.includes(needed);
}

interface Code {
  clientId: string;
  userId: number;
  redirectUri: string;
  scopes: string[];
  challenge?: string | undefined;
  method?: string | undefined;
  expiresAt: number;
}

interface AccessToken {
  clientId: string;
  userId: number;
  scopes: string[];
  expiresAt: number;
  refreshToken: string;
}

interface RefreshToken {
  clientId: string;
  userId: number;
  scopes: string[];
  accessToken: string;
}

/** Everything the simulated 7Geese keeps: users, clients, codes, tokens, grants, objectives. */
export class SimulatorStore {
  readonly users: SimulatedUser[];
  readonly clients: SimulatedClient[];
  readonly objectives = new Map<number, Record<string, unknown>>();
  #nextObjective = 1;
  readonly #codes = new Map<string, Code>();
  readonly #access = new Map<string, AccessToken>();
  readonly #refresh = new Map<string, RefreshToken>();
  /** userId:clientId → approved scopes, for approval_prompt=auto. */
  readonly #approvals = new Map<string, Set<string>>();

  constructor(
    users: SimulatedUser[],
    clients: SimulatedClient[],
    readonly codeLifetime: number,
    readonly accessLifetime: number,
    readonly objectivesPerUser: number,
    /** The most codes, and the most token pairs, kept at once. */
    readonly maxStored = 10_000,
  ) {
    this.users = [];
    this.clients = [...clients];
    for (const u of users) this.addUser(u);
  }

  addUser(user: SimulatedUser): void {
    this.users.push(user);
    for (const o of seedObjectives(user.id, this.objectivesPerUser, this.#nextObjective)) this.objectives.set(o.id as number, o);
    this.#nextObjective += this.objectivesPerUser;
  }

  createObjective(owner: number, fields: Record<string, unknown>): Record<string, unknown> {
    const o = { id: this.#nextObjective++, description: '', progress: 0, due_date: null, ...fields, owner };
    this.objectives.set(o.id, o);
    return o;
  }

  findUser(idOrEmail: string | number): SimulatedUser | undefined {
    return this.users.find((u) => u.id === Number(idOrEmail) || u.email === idOrEmail);
  }

  findClient(id: string | undefined): SimulatedClient | undefined {
    return this.clients.find((c) => c.clientId === id);
  }

  authenticateClient(creds: { id: string; secret: string } | undefined): SimulatedClient | undefined {
    const client = this.findClient(creds?.id);
    return client && client.clientSecret === creds?.secret ? client : undefined;
  }

  approve(userId: number, clientId: string, scopes: string[]): void {
    const key = `${userId}:${clientId}`;
    const set = this.#approvals.get(key) ?? new Set<string>();
    for (const s of scopes) set.add(s);
    this.#approvals.set(key, set);
  }

  approved(userId: number, clientId: string, scopes: string[]): boolean {
    const set = this.#approvals.get(`${userId}:${clientId}`);
    return !!set && scopes.every((s) => set.has(s) || set.has('all'));
  }

  /** How many codes and tokens are kept, for tests that check the simulator stays bounded. */
  size(): { codes: number; accessTokens: number; refreshTokens: number } {
    return { codes: this.#codes.size, accessTokens: this.#access.size, refreshTokens: this.#refresh.size };
  }

  issueCode(code: Omit<Code, 'expiresAt'>): string {
    dropExpired(this.#codes);
    dropOldest(this.#codes, this.maxStored - 1);
    const value = randomToken();
    this.#codes.set(value, { ...code, expiresAt: Date.now() + this.codeLifetime * 1000 });
    return value;
  }

  /** Takes a code: it works once, whatever happens next. */
  takeCode(value: string): Code | undefined {
    const code = this.#codes.get(value);
    this.#codes.delete(value);
    return code && code.expiresAt > Date.now() ? code : undefined;
  }

  issueTokens(clientId: string, userId: number, scopes: string[]): IssuedTokens {
    dropExpired(this.#access);
    // Past the cap, the oldest grants go, as if revoked: the refresh token with its access token.
    for (const [value, refresh] of this.#refresh) {
      if (this.#refresh.size < this.maxStored) break;
      this.#refresh.delete(value);
      this.#access.delete(refresh.accessToken);
    }
    dropOldest(this.#access, this.maxStored - 1);
    const access = randomToken();
    const refresh = randomToken();
    this.#access.set(access, { clientId, userId, scopes, expiresAt: Date.now() + this.accessLifetime * 1000, refreshToken: refresh });
    this.#refresh.set(refresh, { clientId, userId, scopes, accessToken: access });
    return { access_token: access, expires_in: this.accessLifetime, token_type: 'Bearer', scope: scopes.join(' '), refresh_token: refresh };
  }

  /** Rotates a refresh token: the old refresh token and its access token stop working. */
  rotate(clientId: string, refresh: string, scopes: string[] | undefined): IssuedTokens | 'invalid_grant' | 'invalid_scope' {
    const old = this.#refresh.get(refresh);
    if (!old || old.clientId !== clientId) return 'invalid_grant';
    if (scopes && !scopes.every((s) => covers(old.scopes, s))) return 'invalid_scope';
    this.#refresh.delete(refresh);
    this.#access.delete(old.accessToken);
    return this.issueTokens(clientId, old.userId, scopes ?? old.scopes);
  }

  revoke(clientId: string, token: string): void {
    const access = this.#access.get(token);
    if (access?.clientId === clientId) this.#access.delete(token);
    const refresh = this.#refresh.get(token);
    if (refresh?.clientId === clientId) {
      this.#refresh.delete(token);
      this.#access.delete(refresh.accessToken);
    }
  }

  accessToken(token: string): AccessToken | undefined {
    const t = this.#access.get(token);
    return t && t.expiresAt > Date.now() ? t : undefined;
  }
}

/**
 * Forgets expired entries, so that a long-running simulator does not grow with every sign-in.
 * Entries are inserted in the order they expire (one lifetime for all), so the expired ones are
 * at the front. Refresh tokens are kept until used, revoked or pushed out by the cap
 * (`maxStoredTokens`); django-oauth-toolkit keeps them until used or revoked, and its `cleartokens`
 * deletes the revoked ones.
 */
function dropExpired(entries: Map<string, { expiresAt: number }>): void {
  const now = Date.now();
  for (const [key, entry] of entries) {
    if (entry.expiresAt > now) return;
    entries.delete(key);
  }
}

/** Forgets the oldest entries (the first inserted) until at most `keep` are left. */
function dropOldest(entries: Map<string, unknown>, keep: number): void {
  for (const key of entries.keys()) {
    if (entries.size <= keep) return;
    entries.delete(key);
  }
}

/** RFC 7636: S256 is base64url(sha256(verifier)); plain compares as is. */
export function pkceMatches(verifier: string, challenge: string, method: string | undefined): boolean {
  const computed = method === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
  return computed === challenge;
}
