import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest request body the simulator reads. */
export const MAX_BODY = 1024 * 1024;

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a form or query string; a key given twice makes its value an array. */
export function parseParams(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Only single values: a repeated parameter is an invalid request in OAuth (RFC 6749 3.1). */
export function singles(params: Record<string, string | string[]>): Record<string, string> | undefined {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) return undefined;
    out[k] = v;
  }
  return out;
}

export function sendJSON(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendHTML(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string, status = 302, headers: Record<string, string> = {}): void {
  res.writeHead(status, { Location: location, 'Content-Type': 'text/plain', 'Content-Length': '0', ...headers });
  res.end();
}

export function escapeHTML(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Client credentials from HTTP Basic (form-encoded parts, RFC 6749 2.3.1) or the body. */
export function clientCredentials(
  header: string | undefined,
  form: Record<string, string>,
): { id: string; secret: string } | undefined {
  if (header?.startsWith('Basic ')) {
    try {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return undefined;
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return { id: dec(decoded.slice(0, colon)), secret: dec(decoded.slice(colon + 1)) };
    } catch {
      return undefined;
    }
  }
  if (form.client_id !== undefined && form.client_secret !== undefined) return { id: form.client_id, secret: form.client_secret };
  return undefined;
}

export function cookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
