// A 7Geese whose list never ends: paginate() stops at a repeated page, a page cap, a deadline or
// an AbortSignal, and return()/break stops the request in flight. Issue 12, item 1.
import { afterEach, describe, expect, it } from 'vitest';
import { SevenGeeseClient } from '../../src/index.js';
import { requestsSeen, sendJSON, startHostile, type HostileServer } from './hostile-server.js';

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const LIST = '/api/v/2.0/objectives/';
const offsetOf = (rawPath: string) => Number(new URL(rawPath, 'http://x').searchParams.get('offset') ?? 0);

/** A list whose every page links to a next page, for ever. */
async function endlessList(): Promise<{ server: HostileServer; client: SevenGeeseClient }> {
  server = await startHostile((req, res) => {
    const offset = offsetOf(req.rawPath);
    sendJSON(res, 200, { count: null, next: `${server!.baseURL}${LIST}?offset=${offset + 1}`, results: [{ id: offset }] });
  });
  return { server, client: new SevenGeeseClient({ accessToken: 'a-valid-token', baseURL: server.baseURL }) };
}

async function drain<T>(it: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of it) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

describe('paginate() against a list that never ends', () => {
  it('a next link that points to its own page fails with pagination_loop after one request', async () => {
    server = await startHostile((req, res) => sendJSON(res, 200, { count: 1, next: `${server!.baseURL}${req.rawPath}`, results: [] }));
    const client = new SevenGeeseClient({ accessToken: 'a-valid-token', baseURL: server.baseURL });
    const { items, error } = await drain(client.paginate('/objectives/'));
    expect(items).toEqual([]);
    expect(error).toMatchObject({ name: 'SevenGeeseResponseError', code: 'pagination_loop' });
    expect((error as Error).message).toContain('repeats');
    expect(server.seen).toHaveLength(1);
  }, 5_000);

  it('a loop through two pages is detected too', async () => {
    server = await startHostile((req, res) => {
      const other = offsetOf(req.rawPath) === 0 ? 1 : 0;
      sendJSON(res, 200, { count: 2, next: `${server!.baseURL}${LIST}?offset=${other}`, results: [{ id: other }] });
    });
    const client = new SevenGeeseClient({ accessToken: 'a-valid-token', baseURL: server.baseURL });
    const { error } = await drain(client.paginate('/objectives/'));
    expect(error).toMatchObject({ code: 'pagination_loop' });
    expect(server.seen.length).toBeLessThanOrEqual(3);
  }, 5_000);

  it('pages that never end stop at the maxPages option with too_many_pages', async () => {
    const { client } = await endlessList();
    const { items, error } = await drain(client.paginate<{ id: number }>('/objectives/', { maxPages: 5 }));
    expect(items.map((i) => i.id)).toEqual([0, 1, 2, 3, 4]);
    expect(error).toMatchObject({ name: 'SevenGeeseError', code: 'too_many_pages' });
    expect((error as Error).message).toContain('maxPages');
    expect(server!.seen).toHaveLength(5);
  }, 5_000);

  it('by default stops after 1000 pages', async () => {
    const { client } = await endlessList();
    const { items, error } = await drain(client.paginate('/objectives/'));
    expect(items).toHaveLength(1000);
    expect(error).toMatchObject({ code: 'too_many_pages' });
    expect(server!.seen).toHaveLength(1000);
  }, 20_000);

  it('the deadline option ends a listing whose next page never comes, with deadline_exceeded', async () => {
    server = await startHostile((req, res) => {
      if (offsetOf(req.rawPath) === 0) sendJSON(res, 200, { count: 2, next: `${server!.baseURL}${LIST}?offset=1`, results: [{ id: 0 }] });
      // The second page never answers.
    });
    const client = new SevenGeeseClient({ accessToken: 'a-valid-token', baseURL: server.baseURL, timeout: 10_000 });
    // The second page never comes, so any deadline would do; this one leaves the first page time on a busy machine.
    const { items, error } = await drain(client.paginate('/objectives/', { deadline: 1_500 }));
    expect(items).toHaveLength(1);
    expect(error).toMatchObject({ name: 'SevenGeeseTimeoutError', code: 'deadline_exceeded' });
    expect((error as Error).message).toContain('1500 ms');
    await server.seen[1]!.closed;
  }, 8_000);

  it('an AbortSignal stops the listing and closes the request in flight', async () => {
    server = await startHostile((req, res) => {
      if (offsetOf(req.rawPath) === 0) sendJSON(res, 200, { count: 2, next: `${server!.baseURL}${LIST}?offset=1`, results: [{ id: 0 }] });
    });
    const client = new SevenGeeseClient({ accessToken: 'a-valid-token', baseURL: server.baseURL });
    const controller = new AbortController();
    const listing = drain(client.paginate('/objectives/', { signal: controller.signal }));
    await requestsSeen(server, 2);
    controller.abort(new Error('the browser went away'));
    const { items, error } = await listing;
    expect(items).toHaveLength(1);
    expect(error).toMatchObject({ name: 'SevenGeeseError', code: 'aborted' });
    await server.seen[1]!.closed;
    expect(server.seen).toHaveLength(2);
  }, 5_000);

  it('a signal aborted before the first page sends nothing', async () => {
    const { client } = await endlessList();
    const { error } = await drain(client.paginate('/objectives/', { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ code: 'aborted' });
    expect(server!.seen).toHaveLength(0);
  });

  it('return() on the iterator stops a request in flight and ends a pending next()', async () => {
    server = await startHostile(() => {
      // Never answers.
    });
    const client = new SevenGeeseClient({ accessToken: 'a-valid-token', baseURL: server.baseURL, timeout: 10_000 });
    const pages = client.paginate('/objectives/');
    const pending = pages.next();
    await requestsSeen(server, 1);
    await expect(pages.return!(undefined)).resolves.toEqual({ done: true, value: undefined });
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await server.seen[0]!.closed;
    await expect(pages.next()).resolves.toEqual({ done: true, value: undefined });
    expect(server.seen).toHaveLength(1);
  }, 5_000);

  it('break after the first item makes no further request', async () => {
    const { client } = await endlessList();
    for await (const item of client.paginate('/objectives/')) {
      expect(item).toEqual({ id: 0 });
      break;
    }
    expect(server!.seen).toHaveLength(1);
  });

  it('a next link on the same origin but outside the API is not followed with the token', async () => {
    server = await startHostile((_req, res) => sendJSON(res, 200, { count: 2, next: `${server!.baseURL}/o/token/`, results: [{ id: 1 }] }));
    const client = new SevenGeeseClient({ accessToken: 'a-valid-token', baseURL: server.baseURL });
    const { items, error } = await drain(client.paginate('/objectives/'));
    expect(items).toHaveLength(1);
    expect(error).toMatchObject({ name: 'SevenGeeseResponseError', code: 'invalid_response' });
    expect(server.seen.map((r) => r.rawPath)).toEqual([LIST]);
  });

  it('checks its options', async () => {
    const { client } = await endlessList();
    for (const bad of [{ maxPages: 0 }, { maxPages: 1.5 }, { deadline: -1 }, { signal: {} }, { pageSize: 0 }]) {
      await expect(drain(client.paginate('/objectives/', bad as never)).then((r) => { throw r.error; })).rejects.toThrow(TypeError);
    }
    expect(server!.seen).toHaveLength(0);
  });
});
