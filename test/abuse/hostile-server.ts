// A bare HTTP server on 127.0.0.1:0 standing in for a hostile or broken 7Geese: each test
// decides every answer, and sees every request as it arrived (raw path and headers).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface SeenRequest {
  method: string;
  /** The request target exactly as sent, before any decoding. */
  rawPath: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Resolves when the client closes this request's connection or the answer ends. */
  closed: Promise<void>;
}

export interface HostileServer {
  baseURL: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void;

/** Starts a server; `handle` answers (or leaves hanging) each request once its body is read. */
export async function startHostile(handle: Handler): Promise<HostileServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: SeenRequest = {
        method: req.method ?? 'GET',
        rawPath: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        closed: once(res, 'close').then(() => undefined),
      };
      seen.push(entry);
      handle(entry, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    baseURL: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Answers JSON. */
export function sendJSON(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Resolves once `server` has seen `count` requests. */
export async function requestsSeen(server: HostileServer, count: number): Promise<void> {
  while (server.seen.length < count) await new Promise((r) => setImmediate(r));
}
