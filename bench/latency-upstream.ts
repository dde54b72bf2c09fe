// `npm run bench:latency`'s 7Geese, in a process of its own: a TLS stand-in answering the token
// exchange and the profile, behind a TCP relay that adds a round-trip time as a distant network
// would: each way's data waits half of it, and a new connection's first bytes wait one more
// round trip, the TCP handshake a relay on loopback does not pay. One relay per app, each
// counting the connections it accepts; reports their URLs, and their counts when asked.
// Arguments: the round-trip time in ms, the certificate and key files (made by latency.ts), the
// number of relays.
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

const [rttArg, certFile, keyFile, relaysArg] = process.argv.slice(2) as [string, string, string, string];
const rtt = Number(rttArg);

const TOKENS = JSON.stringify({ access_token: 'bench-access-token', token_type: 'Bearer', expires_in: 3600, refresh_token: 'bench-refresh-token', scope: 'userprofile:read' });
const ME = JSON.stringify({ id: 4242, first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', username: 'ada' });

const standIn = createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
  req.resume();
  req.on('end', () => {
    const path = (req.url ?? '').split('?')[0];
    const body = req.method === 'POST' && path === '/o/token/' ? TOKENS : req.method === 'GET' && path === '/api/v/2.0/users/me/' ? ME : undefined;
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
  });
});
// 7Geese's own idle timeout is not what is measured: the clients' idle timeouts decide.
standIn.keepAliveTimeout = 600_000;
standIn.headersTimeout = 601_000;

/** Writes `chunk` to `to` at `at` (performance.now() time): timers of one delay fire in order. */
function later(to: Socket, chunk: Buffer, at: number): void {
  setTimeout(() => to.write(chunk), Math.max(0, at - performance.now()));
}

/** A relay to the stand-in; `counted` is called for each connection it accepts. */
const relay = (counted: () => void) => createServer((client) => {
  counted();
  const established = performance.now() + rtt;
  const upstream = connect((standIn.address() as AddressInfo).port, '127.0.0.1');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.on('data', (chunk: Buffer) => later(upstream, chunk, Math.max(performance.now(), established) + rtt / 2));
  upstream.on('data', (chunk: Buffer) => later(client, chunk, performance.now() + rtt / 2));
  // A close travels half a round trip too, after the data before it.
  client.on('end', () => setTimeout(() => upstream.end(), rtt / 2));
  upstream.on('end', () => setTimeout(() => client.end(), rtt / 2));
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => setTimeout(() => upstream.destroy(), rtt / 2));
  upstream.on('close', () => setTimeout(() => client.destroy(), rtt / 2));
});

const connections = Array.from({ length: Number(relaysArg) }, () => 0);
const listening = (server: ReturnType<typeof relay> | typeof standIn) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
await listening(standIn);
const ports = await Promise.all(connections.map((_, i) => listening(relay(() => (connections[i]! += 1)))));
process.send!({ type: 'ready', urls: ports.map((port) => `https://127.0.0.1:${port}`) });
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'connections') process.send!({ type: 'connections', connections });
  if (msg.type === 'stop') process.exit(0);
});
