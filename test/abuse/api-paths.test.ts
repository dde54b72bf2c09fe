// The API client sends the user's token only to paths under /api/v/2.0/, however a path is
// spelled: escaped dots, tabs, backslashes, escaped slashes. Issue 12, item 3.
import { posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SevenGeeseClient } from '../../src/index.js';
import { sendJSON, startHostile, type HostileServer } from './hostile-server.js';

let server: HostileServer;
let client: SevenGeeseClient;
beforeAll(async () => {
  server = await startHostile((_req, res) => sendJSON(res, 200, { ok: true }));
  client = new SevenGeeseClient({ accessToken: 'the-users-access-token', baseURL: server.baseURL, timeout: 2_000 });
});
afterAll(async () => {
  await server.close();
});

/**
 * The path a lenient server would act on: decoded (twice, as a proxy then an app might),
 * backslashes read as slashes, dot segments resolved.
 */
function asServerReads(rawPath: string): string {
  let path = rawPath.split('?')[0]!;
  for (let i = 0; i < 2; i++) {
    try {
      path = decodeURIComponent(path);
    } catch {
      break;
    }
  }
  return posix.normalize(path.replace(/\\/g, '/').replace(/[\t\n\r]/g, ''));
}

describe('paths outside the API', () => {
  const hostile = [
    '/%2e%2e/%2e%2e/%2e%2e/o/token/',
    '/%2E%2E/%2E%2E/%2E%2E/admin/',
    '/.%2e/.%2e/.%2e/o/token/',
    '/.\t./.\t./.\t./o/token/',
    '/.\n./.\n./.\n./o/token/',
    '/..\\..\\..\\o/token/',
    '/..%2f..%2f..%2fo/token/',
    '/..%5c..%5c..%5co/token/',
    '/%252e%252e/%252e%252e/%252e%252e/o/token/',
    '/objectives/../../../../admin/',
    '/..;/..;/..;/admin/',
    '/objectives/%00/',
    '/objectives/%zz/',
    '//evil.example/x',
    'objectives/',
  ];

  it.each(hostile)('%j is refused with a rejected promise and nothing is sent', async (path) => {
    const before = server.seen.length;
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = client.get(path);
    }).not.toThrow();
    await expect(result).rejects.toThrow(TypeError);
    await expect(client.post(path, {})).rejects.toThrow(TypeError);
    await expect(client.patch(path, {})).rejects.toThrow(TypeError);
    await expect(client.delete(path)).rejects.toThrow(TypeError);
    expect(server.seen.length).toBe(before);
  });

  it('a plain path is still sent as it is', async () => {
    await client.get('/objectives/12/', { limit: 3 });
    expect(server.seen.at(-1)!.rawPath).toBe('/api/v/2.0/objectives/12/?limit=3');
  });

  it('whatever the path, the token only ever reaches a path under /api/v/2.0/ as a server reads it', async () => {
    const piece = fc.constantFrom('/', '.', '..', '%2e', '%2E', '%2f', '%5c', '%25', '%', '\t', '\n', '\\', ';', '?', '#', 'o', 'token', 'admin', 'api', 'v', '2.0', 'é', ' ', '%20', '%41');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 12 }), async (pieces) => {
        const path = `/${pieces.join('')}`;
        const before = server.seen.length;
        const outcome = await client.get(path).then(
          () => 'sent',
          (err: unknown) => err,
        );
        if (outcome === 'sent') {
          const sent = server.seen.at(-1)!;
          expect(server.seen.length).toBe(before + 1);
          expect(asServerReads(sent.rawPath).startsWith('/api/v/2.0/')).toBe(true);
          expect(sent.headers.authorization).toBe('Bearer the-users-access-token');
        } else {
          expect(outcome).toBeInstanceOf(TypeError);
          expect(server.seen.length).toBe(before);
        }
      }),
      { numRuns: 400 },
    );
  });
});
