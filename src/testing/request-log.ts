import type { IncomingMessage } from 'node:http';
import { REDACTED } from '../redact.js';
import { clientCredentials, parseParams, singles } from './http-util.js';
import type { RecordedRequest } from './types.js';

/** The most of a body that is recorded; the simulator reads up to 1 MiB. */
export const MAX_RECORDED_BODY = 8 * 1024;

/** Form and query fields that carry a secret: the client's, the person's, or a grant. */
const SECRET_FIELDS = new Set(['client_secret', 'password', 'code', 'code_verifier', 'refresh_token', 'access_token', 'token', 'assertion', 'client_assertion']);
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization']);

function redactParams(params: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of Object.entries(params)) out[k] = !SECRET_FIELDS.has(k) ? v : Array.isArray(v) ? v.map(() => REDACTED) : REDACTED;
  return out;
}

/** `Basic [redacted]`: the scheme says how the client authenticated, the rest is the secret. */
function redactAuthorization(value: string): string {
  const scheme = /^([A-Za-z][\w-]*) /.exec(value)?.[1];
  return scheme ? `${scheme} ${REDACTED}` : REDACTED;
}

/** One received request as `sim.requests` keeps it: credentials redacted unless asked otherwise, the body cut at 8 KiB. */
export function recordOf(req: IncomingMessage, url: URL, body: string, isForm: boolean, recordCredentials: boolean): RecordedRequest {
  const query = parseParams(url.search.slice(1));
  const formAll = isForm ? parseParams(body) : {};
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const form = singles(formAll) ?? {};
  const basic = req.headers.authorization?.startsWith('Basic ') ? clientCredentials(req.headers.authorization, {}) : undefined;
  const clientId = basic?.id ?? form.client_id;
  const entry = { method: req.method ?? 'GET', path: url.pathname, clientId };
  if (recordCredentials) return { ...entry, query: { ...query }, headers, body: body.slice(0, MAX_RECORDED_BODY), form: { ...form } };
  for (const name of SECRET_HEADERS) if (headers[name] !== undefined) headers[name] = redactAuthorization(headers[name]);
  const redactedForm = redactParams(formAll);
  const formBody = new URLSearchParams();
  for (const [k, v] of Object.entries(redactedForm)) for (const one of Array.isArray(v) ? v : [v]) formBody.append(k, one);
  return {
    ...entry,
    query: redactParams(query),
    headers,
    body: (isForm ? formBody.toString() : body).slice(0, MAX_RECORDED_BODY),
    form: { ...(singles(redactedForm) ?? {}) },
  };
}

/** Appends to a log that keeps only its newest `limit` entries. */
export function appendBounded<T>(log: T[], entry: T, limit: number): void {
  if (limit <= 0) return;
  log.push(entry);
  if (log.length > limit) log.splice(0, log.length - limit);
}
