// A small HTTP proxy on 127.0.0.1 for the transport tests, as a corporate proxy behaves: CONNECT
// opens a tunnel (what https-proxy-agent asks for), an absolute-form request is forwarded (what
// http-proxy-agent sends for an http URL). It records what passed through it: the request line
// of each forwarded request, and of each request inside a tunnel (the simulator speaks plain
// HTTP, so a tunnel's requests can be read). Told to, it answers CONNECT itself instead, as a
// hostile or misconfigured proxy would, with a status and body of its choosing.
import { createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface ForwardProxy {
  url: string;
  /** CONNECT targets, such as `127.0.0.1:41234`. */
  tunnels: string[];
  /** `METHOD /path` of every request seen inside a tunnel. */
  tunneled: string[];
  /** `METHOD /path` of every absolute-form request forwarded. */
  forwarded: string[];
  /** The `user-agent` of every forwarded request. */
  userAgents: string[];
  /** The `proxy-authorization` of every CONNECT, as sent. */
  connectAuth: string[];
  /** The local port of every connection the proxy opened to a CONNECT target. */
  upstreamPorts: number[];
  close(): Promise<void>;
}

const REQUEST_LINE = /^(GET|POST|PATCH|PUT|DELETE) (\S+) HTTP\/1\.1\r?$/gm;

/** The proxy's own answer to every CONNECT, instead of a tunnel. */
export interface ConnectAnswer {
  status: number;
  body: string;
}

export async function startForwardProxy(answer?: ConnectAnswer): Promise<ForwardProxy> {
  const sockets = new Set<Socket>();
  const proxy: Omit<ForwardProxy, 'url' | 'close'> = { tunnels: [], tunneled: [], forwarded: [], userAgents: [], connectAuth: [], upstreamPorts: [] };
  const server: Server = createServer((req, res) => {
    const target = new URL(req.url ?? '/');
    proxy.forwarded.push(`${req.method} ${target.pathname}`);
    proxy.userAgents.push(req.headers['user-agent'] ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = request(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    proxy.tunnels.push(req.url ?? '');
    proxy.connectAuth.push(req.headers['proxy-authorization'] ?? '');
    if (answer) {
      const head = `HTTP/1.1 ${answer.status} Whatever\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(answer.body)}\r\n`;
      const auth = answer.status === 407 ? 'Proxy-Authenticate: Basic realm="proxy"\r\n' : '';
      client.end(`${head}${auth}\r\n${answer.body}`);
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      proxy.upstreamPorts.push(upstream.localPort!);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) proxy.tunneled.push(`${m[1]} ${new URL(m[2]!, 'http://x').pathname}`);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    ...proxy,
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
