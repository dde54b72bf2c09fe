// Two instances of the example app behind one address: sign-in starts on A and 7Geese sends the
// browser back to B. With sessions in a real Redis both see the signed-in person; with two
// separate memory stores B cannot verify the state, and says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { RedisTokenStore, type RedisScriptClient, type TokenStore } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { createApp } from '../../example-app/src/app.js';
import { LoginLimits } from '../../example-app/src/login-limits.js';
import { createSessionStore } from '../../example-app/src/session-store.js';
import { createStrategies } from '../../example-app/src/strategies.js';
import { hasRedis, noRedisReason, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { reportMissing } from '../helpers/system-package.js';

const CALLBACK = 'http://example.test/auth/7geese/callback';
const reason = noRedisReason;

reportMissing('the Redis two-instance test', hasRedis, reason);

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
  sim.addClient({ clientId: 'scaled', clientSecret: 'scaled-secret', redirectUris: [CALLBACK] });
});
afterAll(async () => {
  await sim.close();
});

function instance(sessionStore?: Parameters<typeof createApp>[0]['sessionStore'], loginLimits?: LoginLimits, tokenStore?: TokenStore, on = sim) {
  const credentials = { clientID: 'scaled', clientSecret: 'scaled-secret' };
  const { signIn, password } = createStrategies({ ...credentials, callbackURL: CALLBACK, baseURL: on.baseURL, password: credentials });
  return createApp({ strategy: signIn, passwordStrategy: password, sessionSecret: 'the-same-session-secret-on-every-instance', sessionStore, loginLimits, tokenStore });
}

/** A wrong password on the form of `app`, from a new browser. */
async function wrongPassword(app: ReturnType<typeof instance>) {
  const page = await request(app).get('/');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  const cookie = (page.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
  return request(app).post('/login/password').set('Cookie', cookie).type('form').send({ _csrf: token, email: sim.users[0]!.email, password: 'guess' });
}

/** Starts on A, approves at the simulator, lands on B; returns B's answer and the cookie. */
async function acrossInstances(a: ReturnType<typeof instance>, b: ReturnType<typeof instance>, on = sim) {
  const started = await request(a).get('/auth/7geese');
  const cookie = (started.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
  const url = new URL(started.headers.location as string);
  const form = new URLSearchParams(url.searchParams);
  form.set('user', '4');
  form.set('allow', 'Approve');
  const approved = await fetch(`${on.baseURL}/o/authorize/`, { method: 'POST', body: form, redirect: 'manual' });
  const back = new URL(approved.headers.get('location')!);
  const res = await request(b).get(back.pathname + back.search).set('Cookie', cookie);
  const after = ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? [])[0]?.split(';')[0];
  return { res, cookie: after ?? cookie };
}

describe.skipIf(!hasRedis)(`two instances sharing sessions in Redis${hasRedis ? '' : ` (skipped: ${reason})`}`, () => {
  let redis: RedisServer;
  let url: string;
  beforeAll(async () => {
    redis = await startRedisServer();
    url = redis.url;
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a sign-in started on A and finished on B signs the person in on both', async () => {
    const storeA = await createSessionStore(url);
    const storeB = await createSessionStore(url);
    try {
      const a = instance(storeA.store);
      const b = instance(storeB.store);
      const { res, cookie } = await acrossInstances(a, b);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/');
      expect((await request(a).get('/').set('Cookie', cookie)).text).toContain('Hello, Katherine Johnson');
      expect((await request(b).get('/').set('Cookie', cookie)).text).toContain('Hello, Katherine Johnson');
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });

  it('A and B loading objectives at once, with the token about to expire, refresh it once between them through the token store', async () => {
    // Access tokens that live 59 s: always within the 60 s margin, so every load refreshes first.
    const shortLived = await startSimulator({ accessTokenLifetimeSeconds: 59 });
    shortLived.addClient({ clientId: 'scaled', clientSecret: 'scaled-secret', redirectUris: [CALLBACK] });
    const storeA = await createSessionStore(url);
    const storeB = await createSessionStore(url);
    try {
      const tokens = (s: typeof storeA) => new RedisTokenStore({ client: s.redis as RedisScriptClient, prefix: 'two-instances:' });
      const a = instance(storeA.store, undefined, tokens(storeA), shortLived);
      const b = instance(storeB.store, undefined, tokens(storeB), shortLived);
      const { cookie } = await acrossInstances(a, b, shortLived);
      const refreshes = () => shortLived.requests.filter((r) => r.form?.grant_type === 'refresh_token').length;
      for (let round = 1; round <= 3; round++) {
        const pages = await Promise.all([request(a).get('/objectives').set('Cookie', cookie), request(b).get('/objectives').set('Cookie', cookie)]);
        expect(pages.map((p) => p.status)).toEqual([200, 200]);
        expect(refreshes()).toBe(round);
      }
    } finally {
      await storeA.close();
      await storeB.close();
      await shortLived.close();
    }
  });

  it('password attempts on A and B count together against one limit', async () => {
    const storeA = await createSessionStore(url);
    const storeB = await createSessionStore(url);
    try {
      const limits = { perAccount: 4, perAddress: 100, windowSeconds: 600 };
      const a = instance(storeA.store, new LoginLimits({ ...limits, redis: storeA.redis }));
      const b = instance(storeB.store, new LoginLimits({ ...limits, redis: storeB.redis }));
      const statuses = [];
      for (const app of [a, b, a, b, a, b]) statuses.push((await wrongPassword(app)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });
});

describe('two instances with separate memory stores', () => {
  it('fails on B with the state error, as the README explains', async () => {
    const { res } = await acrossInstances(instance(), instance());
    expect(res.status).toBe(400);
    expect(res.text).toContain('Your sign-in expired or was started in another window');
    expect(res.text).toContain('Details: Unable to verify authorization request state.');
  });
});
