// The API client sends the user's token only to paths under /api/v/2.0/, however a path is
// spelled: escaped dots, tabs, backslashes, escaped slashes. Issue 12, item 3.
import { posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SevenGeeseClient } from '../../src/index.js';
import { apiURL, nextPageURL } from '../../src/api-paths.js';
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

describe('apiURL and nextPageURL, as the client calls them', () => {
  const base = new URL('https://7geese.test/');
  const refusal = (shown: string) =>
    new TypeError(
      `SevenGeeseClient path must be a plain path under /api/v/2.0/ such as "/objectives/" (no dot segments, escaped dots or slashes, backslashes or control characters), got ${shown}.`,
    );

  it('refuses before parsing what the parser would quietly resolve within the API', () => {
    // Each of these resolves to a path still under /api/v/2.0/, but not the one written: refused all the same.
    for (const path of ['/objectives/%2e%2e/users/', '/objectives/.%2E/users/', '/objectives/./users/', '/objectives/../users/', '/objectives/%2e/', '/objectives/..', '/objectives/.', '/objectives/..?a=1', '/objectives/%4z/']) {
      expect(() => apiURL(base, path)).toThrow(refusal(JSON.stringify(path)));
    }
  });

  it('refuses a path that is not a string or not absolute, naming what it got and cutting it at 80 characters', () => {
    expect(() => apiURL(base, 5)).toThrow(refusal('number'));
    expect(() => apiURL(base, 'objectives/')).toThrow(refusal('"objectives/"'));
    expect(() => apiURL(base, '//evil.example/')).toThrow(refusal('"//evil.example/"'));
    const long = `/x\\${'a'.repeat(100)}`;
    expect(() => apiURL(base, long)).toThrow(refusal(JSON.stringify(`${long.slice(0, 80)}…`)));
    const eighty = `/x\\${'a'.repeat(77)}`;
    expect(() => apiURL(base, eighty)).toThrow(refusal(JSON.stringify(eighty)));
  });

  it('looks for escapes in the path only; the query may hold any of them, and the query option is added', () => {
    expect(apiURL(base, '/objectives/?q=%2e%2e%2F%25').href).toBe('https://7geese.test/api/v/2.0/objectives/?q=%2e%2e%2F%25');
    expect(apiURL(base, '/objectives/', { limit: 3, q: 'a b' }).href).toBe('https://7geese.test/api/v/2.0/objectives/?limit=3&q=a+b');
    expect(() => apiURL(base, '/objectives/?q=a b')).toThrow(TypeError);
    expect(() => apiURL(base, '/objectives/%41%zz/')).toThrow(TypeError);
    expect(apiURL(base, '/objectives/%41/').pathname).toBe('/api/v/2.0/objectives/%41/');
  });

  it('keeps a baseURL with a path, however many slashes it ends with', () => {
    expect(apiURL(new URL('https://7geese.test/tenant//'), '/users/me/').href).toBe('https://7geese.test/tenant/api/v/2.0/users/me/');
  });

  it('follows a next link only on the origin, under the API, without credentials', () => {
    const from = new URL('https://7geese.test/api/v/2.0/objectives/');
    expect(nextPageURL('/api/v/2.0/objectives/?offset=2', from, base).href).toBe('https://7geese.test/api/v/2.0/objectives/?offset=2');
    expect(nextPageURL('?offset=4', from, base).href).toBe('https://7geese.test/api/v/2.0/objectives/?offset=4');
    const refused = (next: string, where: string) =>
      expect(() => nextPageURL(next, from, base)).toThrow(`7Geese's next page link ${where}; not following it with the user's token.`);
    refused('https://user:pass@7geese.test/api/v/2.0/objectives/?offset=2', 'points outside the API');
    refused('https://user@7geese.test/api/v/2.0/objectives/?offset=2', 'points outside the API');
    refused('https://:pass@7geese.test/api/v/2.0/objectives/?offset=2', 'points outside the API');
    refused('https://7geese.test/o/token/', 'points outside the API');
    refused('https://7geese.test/api/v/2.0/objectives/%252e%252e/x/', 'points outside the API');
    refused('https://7geese.test/api/v/2.0/%zz/', 'points outside the API');
    refused('https://7geese.test/api/v/2.0/a/.;x/b/', 'points outside the API');
    refused('http://7geese.test/api/v/2.0/objectives/', 'points to another origin (http://7geese.test)');
    refused(`https://${'e'.repeat(120)}.test/api/v/2.0/`, `points to another origin (https://${'e'.repeat(92)})`);
    refused('http://[', 'is not a URL');
    expect(() => nextPageURL('http://[', from, base)).toThrow(expect.objectContaining({ code: 'invalid_response', endpoint: 'https://7geese.test/api/v/2.0/objectives/' }) as unknown as Error);
  });
});
