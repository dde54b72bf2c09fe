import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SevenGeeseClient, Strategy, type TokenSet } from '../src/index.js';
import { startSimulator, type Simulator } from '../src/testing/index.js';

let sim: Simulator;
let strategy: Strategy;
beforeEach(async () => {
  sim = await startSimulator({ objectivesPerUser: 7, recordCredentials: true });
  sim.addClient({ clientId: 'api-client', clientSecret: 'api-secret', redirectUris: ['http://app.test/cb'] });
  strategy = new Strategy(
    { clientID: 'api-client', clientSecret: 'api-secret', callbackURL: 'http://app.test/cb', baseURL: sim.baseURL, timeout: 5_000 },
    async () => false,
  );
});
afterEach(async () => {
  await sim.close();
});

const issue = (scope = 'userprofile:read objective:read objective:write') =>
  sim.issueToken({ user: sim.users[0]!.email, scope, clientId: 'api-client' });

describe('SevenGeeseClient', () => {
  it('GETs a path under /api/v/2.0/ with the bearer token in the header only', async () => {
    const t = issue();
    const client = new SevenGeeseClient({ accessToken: t.access_token, baseURL: sim.baseURL });
    const me = await client.get<{ id: number; email: string }>('/users/me/');
    expect(me).toMatchObject({ id: sim.users[0]!.id, email: sim.users[0]!.email });
    const sent = sim.requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${t.access_token}`);
    expect(sent.path + JSON.stringify(sent.query)).not.toContain(t.access_token);
  });

  it('iterates every item across three pages', async () => {
    const client = new SevenGeeseClient({ accessToken: issue().access_token, strategy });
    const names: string[] = [];
    for await (const o of client.paginate<{ name: string }>('/objectives/', { pageSize: 3 })) names.push(o.name);
    expect(names).toHaveLength(7);
    expect(new Set(names).size).toBe(7);
    expect(sim.requests.filter((r) => r.path === '/api/v/2.0/objectives/')).toHaveLength(3);
  });

  it('posts, patches and deletes', async () => {
    const client = new SevenGeeseClient({ accessToken: issue().access_token, strategy });
    const created = await client.post<{ id: number; name: string }>('/objectives/', { name: 'Ship the client' });
    expect(created.name).toBe('Ship the client');
    const patched = await client.patch<{ progress: number }>(`/objectives/${created.id}/`, { progress: 50 });
    expect(patched.progress).toBe(50);
    await client.delete(`/objectives/${created.id}/`);
    await expect(client.get(`/objectives/${created.id}/`)).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  it('runs a GraphQL query', async () => {
    const client = new SevenGeeseClient({ accessToken: issue().access_token, strategy });
    const data = await client.graphql<{ me: { email: string } }>('query { me { id email } }');
    expect(data.me.email).toBe(sim.users[0]!.email);
    await expect(client.graphql('query { nothing }')).rejects.toMatchObject({ name: 'SevenGeeseAPIError' });
  });

  it('on a 401 refreshes once, retries, and reports the new tokens', async () => {
    const t = issue();
    const seen: TokenSet[] = [];
    const client = new SevenGeeseClient({ accessToken: t.access_token, refreshToken: t.refresh_token, strategy, onTokens: (n) => void seen.push(n) });
    await strategy.revoke(t.access_token, { hint: 'access_token' });
    const me = await client.get<{ id: number }>('/users/me/');
    expect(me.id).toBe(sim.users[0]!.id);
    expect(seen).toHaveLength(1);
    expect(client.tokens.accessToken).toBe(seen[0]!.accessToken);
    expect(client.tokens.refreshToken).toBe(seen[0]!.refreshToken);
    expect(seen[0]!.refreshToken).not.toBe(t.refresh_token);
  });

  it('a 401 after the refresh is an error, not a loop', async () => {
    const t = issue();
    const client = new SevenGeeseClient({ accessToken: t.access_token, refreshToken: t.refresh_token, strategy });
    sim.fault('users/me', { status: 401, headers: { 'content-type': 'application/json' }, body: '{"detail":"Invalid token."}' });
    await expect(client.get('/users/me/')).rejects.toMatchObject({ name: 'SevenGeeseAPIError', code: 'invalid_token', status: 401 });
    expect(sim.requests.filter((r) => r.path === '/o/token/')).toHaveLength(1);
    expect(sim.requests.filter((r) => r.path === '/api/v/2.0/users/me/')).toHaveLength(2);
  });

  it('concurrent 401s share one refresh', async () => {
    const t = issue();
    const client = new SevenGeeseClient({ accessToken: t.access_token, refreshToken: t.refresh_token, strategy });
    await strategy.revoke(t.access_token, { hint: 'access_token' });
    sim.clearRequests();
    await Promise.all([client.get('/users/me/'), client.get('/objectives/'), client.get('/users/me/')]);
    expect(sim.requests.filter((r) => r.path === '/o/token/')).toHaveLength(1);
  });

  it('without a refresh token a 401 is reported as is', async () => {
    const client = new SevenGeeseClient({ accessToken: 'not-a-valid-token', strategy });
    const err = (await client.get('/users/me/').catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'invalid_token', status: 401 });
    expect(err.message).not.toContain('not-a-valid-token');
  });

  it('a 403 names the missing scope area and a timeout names the endpoint', async () => {
    const client = new SevenGeeseClient({ accessToken: issue('userprofile:read').access_token, strategy });
    await expect(client.get('/objectives/')).rejects.toMatchObject({ code: 'insufficient_scope', status: 403 });
    await expect(client.get('/objectives/')).rejects.toThrow(/requireScopes\(\)/);
    sim.fault('objectives', { hang: true });
    // 7Geese never answers, so any deadline would do: a short one keeps the test short.
    const full = new SevenGeeseClient({ accessToken: issue().access_token, strategy, timeout: 1_000 });
    await expect(full.get('/objectives/')).rejects.toThrow(/did not answer within 1000 ms at http:\/\/127\.0\.0\.1:\d+\/api\/v\/2\.0\/objectives\//);
  });

  it('refuses paths outside the API and next links to other origins', async () => {
    const client = new SevenGeeseClient({ accessToken: issue().access_token, strategy });
    await expect(client.get('objectives/')).rejects.toThrow(TypeError);
    await expect(client.get('//evil.example/x')).rejects.toThrow(TypeError);
    await expect(client.get('/../o/token/')).rejects.toThrow(TypeError);
    sim.fault('objectives', {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 2, next: 'https://evil.example/api/v/2.0/objectives/?offset=1', previous: null, results: [{ id: 1 }] }),
    });
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const o of client.paginate('/objectives/')) seen.push(o);
      })(),
    ).rejects.toThrow(/points to another origin \(https:\/\/evil\.example\)/);
    expect(seen).toHaveLength(1);
  });

  it('checks its options', () => {
    expect(() => new SevenGeeseClient({} as never)).toThrow('SevenGeeseClient option "accessToken" must be a non-empty string');
    expect(() => new SevenGeeseClient({ accessToken: 'a', strategy: {} as never })).toThrow('option "strategy" must be a 7Geese Strategy');
    expect(() => new SevenGeeseClient({ accessToken: 'a', baseURL: 'nope' })).toThrow('option "baseURL" must be an absolute URL');
  });
});
