// The path every real sign-in takes: https to 7Geese on the library's keep-alive pool. The pool
// trusts only the system's certificate authorities, so the client runs in a child process that
// is told to trust this test's self-signed certificate (test/fixtures, for 127.0.0.1, valid
// until 2126) through NODE_EXTRA_CA_CERTS, read by Node at start-up.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const cert = resolve(fixtures, 'localhost-cert.pem');
const entry = resolve(import.meta.dirname, '../dist/esm/index.js');

interface Seen {
  method: string;
  path: string;
  rawHeaders: string[];
  body: string;
}

let server: Server;
let seen: Seen[];
let connections: number;
let base: string;

beforeEach(async () => {
  seen = [];
  connections = 0;
  server = createServer({ key: readFileSync(resolve(fixtures, 'localhost-key.pem')), cert: readFileSync(cert) }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, rawHeaders: req.rawHeaders, body });
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/o/token/') res.end(JSON.stringify({ access_token: 'new-access', token_type: 'Bearer', expires_in: 3600, refresh_token: 'new-refresh', scope: 'userprofile:read' }));
      else res.end(JSON.stringify({ id: 7, first_name: 'Ada', last_name: 'Lovelace' }));
    });
  });
  server.on('secureConnection', () => (connections += 1));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

/**
 * Runs `code` (an ES module body with `lib`, the built package, in scope) in a child process
 * that trusts the test's certificate, or does not; resolves with what it printed.
 */
function inChild(code: string, trust = true): Promise<string> {
  const script = `const lib = await import(${JSON.stringify(entry)});\n${code}`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', BASE: base };
  if (trust) env.NODE_EXTRA_CA_CERTS = cert;
  return new Promise((done, fail) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 20_000 }, (err, stdout, stderr) =>
      err ? fail(new Error(`${err.message}\n${stderr}`)) : done(stdout),
    );
  });
}

/** The values of a header in a raw header list, in order. */
const valuesOf = (raw: string[], name: string) => raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === name);

describe('https to 7Geese on the keep-alive pool', () => {
  it('sends the token and API requests with Host first and once, over one reused connection', async () => {
    const out = await inChild(`
      const strategy = new lib.Strategy({ clientID: 'app', clientSecret: 'app-secret', callbackURL: '/cb', baseURL: process.env.BASE }, async () => false);
      const tokens = await strategy.refresh('old-refresh');
      const client = new lib.SevenGeeseClient({ accessToken: tokens.accessToken, baseURL: process.env.BASE });
      const me = await client.get('/users/me/');
      process.stdout.write(JSON.stringify({ accessToken: tokens.accessToken, me }));
    `);
    expect(JSON.parse(out)).toEqual({ accessToken: 'new-access', me: { id: 7, first_name: 'Ada', last_name: 'Lovelace' } });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /o/token/', 'GET /api/v/2.0/users/me/']);
    const host = new URL(base).host;
    for (const { rawHeaders } of seen) {
      expect(rawHeaders[0]?.toLowerCase()).toBe('host');
      expect(valuesOf(rawHeaders, 'host')).toEqual([host]);
      expect(valuesOf(rawHeaders, 'user-agent')).toEqual([expect.stringMatching(/^passport-7geese\//)]);
    }
    expect(valuesOf(seen[0]!.rawHeaders, 'authorization')).toEqual([`Basic ${Buffer.from('app:app-secret').toString('base64')}`]);
    expect(new URLSearchParams(seen[0]!.body).get('refresh_token')).toBe('old-refresh');
    expect(valuesOf(seen[1]!.rawHeaders, 'authorization')).toEqual(['Bearer new-access']);
    // The strategy's and the client's requests share the library's pool: one TLS connection.
    expect(connections).toBe(1);
  });

  it('refuses a server whose certificate it does not trust, with a network error', async () => {
    const call = `
      try { await new lib.SevenGeeseClient({ accessToken: 'tok', baseURL: process.env.BASE }).get('/users/me/'); process.stdout.write('answered'); }
      catch (err) { process.stdout.write(JSON.stringify({ name: err.name, code: err.code })); }`;
    expect(await inChild(call)).toBe('answered');
    expect(JSON.parse(await inChild(call, false))).toEqual({ name: 'SevenGeeseNetworkError', code: 'network_error' });
    expect(seen).toHaveLength(1);
  });
});
