import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJSON } from './http-util.js';
import { covers, type SimulatorStore } from './store.js';
import type { SimulatedUser } from './types.js';

const NOT_AUTHENTICATED = { detail: 'Authentication credentials were not provided.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };
const NOT_FOUND = { detail: 'Not found.' };

function flatUser(u: SimulatedUser) {
  return { id: u.id, email: u.email, first_name: u.first_name, last_name: u.last_name, username: u.username };
}

/** The user behind a bearer token with a scope, or an answer already sent (401/403, as DRF does). */
function authorized(store: SimulatorStore, req: IncomingMessage, res: ServerResponse, scope: string | undefined): SimulatedUser | undefined {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? store.accessToken(header.slice(7).trim()) : undefined;
  const user = token && store.findUser(token.userId);
  if (!token || !user) {
    sendJSON(res, 401, NOT_AUTHENTICATED, { 'WWW-Authenticate': 'Bearer realm="api"' });
    return undefined;
  }
  if (scope && !covers(token.scopes, scope)) {
    sendJSON(res, 403, FORBIDDEN);
    return undefined;
  }
  return user;
}

export function usersMe(store: SimulatorStore, req: IncomingMessage, res: ServerResponse): void {
  const user = authorized(store, req, res, 'userprofile:read');
  if (user) sendJSON(res, 200, flatUser(user));
}

export function userprofilesMe(store: SimulatorStore, req: IncomingMessage, res: ServerResponse): void {
  const user = authorized(store, req, res, 'userprofile:read');
  if (!user) return;
  sendJSON(res, 200, {
    id: 1000 + user.id,
    activated: true,
    profile_img: user.profile_img ?? null,
    position: user.position ?? '',
    user: flatUser(user),
  });
}

/** `/api/v/2.0/objectives/` and `/api/v/2.0/objectives/{id}/`, DRF-paginated with limit and offset. */
export function objectives(store: SimulatorStore, req: IncomingMessage, res: ServerResponse, url: URL, id: number | undefined, body: string): void {
  const write = req.method !== 'GET' && req.method !== 'HEAD';
  const user = authorized(store, req, res, write ? 'objective:write' : 'objective:read');
  if (!user) return;
  if (id === undefined) {
    if (req.method === 'POST') {
      let fields: unknown;
      try {
        fields = JSON.parse(body);
      } catch {
        return sendJSON(res, 400, { detail: 'JSON parse error.' });
      }
      const name = (fields as { name?: unknown } | null)?.name;
      if (typeof name !== 'string' || name === '') return sendJSON(res, 400, { name: ['This field is required.'] });
      return sendJSON(res, 201, store.createObjective(user.id, { name, description: String((fields as { description?: unknown }).description ?? '') }));
    }
    if (req.method !== 'GET') return sendJSON(res, 405, { detail: `Method "${req.method}" not allowed.` });
    const mine = [...store.objectives.values()].filter((o) => o.owner === user.id);
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit')) || 20, 1), 100);
    const offset = Math.max(Number(url.searchParams.get('offset')) || 0, 0);
    const link = (o: number) => {
      const u = new URL(url.href);
      u.searchParams.set('limit', String(limit));
      u.searchParams.set('offset', String(o));
      return u.href;
    };
    return sendJSON(res, 200, {
      count: mine.length,
      next: offset + limit < mine.length ? link(offset + limit) : null,
      previous: offset > 0 ? link(Math.max(offset - limit, 0)) : null,
      results: mine.slice(offset, offset + limit),
    });
  }
  const objective = store.objectives.get(id);
  if (!objective || objective.owner !== user.id) return sendJSON(res, 404, NOT_FOUND);
  if (req.method === 'GET') return sendJSON(res, 200, objective);
  if (req.method === 'DELETE') {
    store.objectives.delete(id);
    res.writeHead(204);
    return void res.end();
  }
  if (req.method === 'PATCH' || req.method === 'PUT') {
    let fields: unknown;
    try {
      fields = JSON.parse(body);
    } catch {
      return sendJSON(res, 400, { detail: 'JSON parse error.' });
    }
    if (typeof fields !== 'object' || fields === null) return sendJSON(res, 400, { detail: 'Expected an object.' });
    for (const key of ['name', 'description', 'progress', 'due_date']) {
      if (Object.hasOwn(fields, key)) objective[key] = (fields as Record<string, unknown>)[key];
    }
    return sendJSON(res, 200, objective);
  }
  sendJSON(res, 405, { detail: `Method "${req.method}" not allowed.` });
}

/** POST /graphql: a sliver of 7Geese's unpublished schema, enough to show the client works. */
export function graphql(store: SimulatorStore, req: IncomingMessage, res: ServerResponse, body: string): void {
  const user = authorized(store, req, res, undefined);
  if (!user) return;
  let query: unknown;
  try {
    query = (JSON.parse(body) as { query?: unknown }).query;
  } catch {
    return sendJSON(res, 400, { errors: [{ message: 'Body must be JSON.' }] });
  }
  if (typeof query === 'string' && /\bme\b/.test(query)) {
    return sendJSON(res, 200, { data: { me: { id: String(user.id), email: user.email, firstName: user.first_name, lastName: user.last_name } } });
  }
  sendJSON(res, 200, { errors: [{ message: 'Cannot query field on type "Query".' }] });
}
