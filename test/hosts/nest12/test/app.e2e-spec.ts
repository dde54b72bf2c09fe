import { Test, TestingModule } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { App } from 'supertest/types.js';
import { startSimulator, type Simulator } from 'passport-7geese/testing';
import { AppModule } from './../src/app.module.js';
import { setupApp } from './../src/setup-app.js';

describe('AppController (e2e)', () => {
  let app: INestApplication<App>;
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0 });
    process.env.SEVENGEESE_CLIENT_ID = 'nest12-app';
    process.env.SEVENGEESE_CLIENT_SECRET = 'nest12-secret';
    process.env.SEVENGEESE_BASE_URL = sim.baseURL;
  });

  beforeEach(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication();
    setupApp(app);
    await app.init();
    await app.listen(0, '127.0.0.1');
    const origin = await app.getUrl();
    sim.addClient({
      clientId: 'nest12-app',
      clientSecret: 'nest12-secret',
      redirectUris: [`${origin}/auth/7geese/callback`, `${origin}/auth/7geese-params/callback`],
    });
  });

  it('/ (GET)', () => {
    return request(app.getHttpServer())
      .get('/')
      .expect(200)
      .expect('Hello World!');
  });

  /** Starts a sign-in and answers the simulator's consent page with Approve or Deny. */
  async function consent(agent: ReturnType<typeof request.agent>, start: string, button: 'allow' | 'deny') {
    const started = await agent.get(start).expect(302);
    const authorize = new URL(started.headers.location);
    expect(authorize.origin + authorize.pathname).toBe(`${sim.baseURL}/o/authorize/`);
    const page = await request(sim.baseURL).get(authorize.pathname + authorize.search).expect(200);
    const form: Record<string, string> = { user: '1', [button]: button === 'allow' ? 'Approve' : 'Deny' };
    for (const [, name, value] of page.text.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
      form[name] = value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    }
    const answered = await request(sim.baseURL).post('/o/authorize/').type('form').send(form).expect(302);
    const callback = new URL(answered.headers.location);
    return agent.get(callback.pathname + callback.search);
  }

  it('signs in with 7Geese and shows the person', async () => {
    const agent = request.agent(app.getHttpServer());
    const callback = await consent(agent, '/auth/7geese', 'allow');
    expect(callback.status, callback.text).toBe(302);
    expect(callback.headers.location).toBe('/me');
    await agent.get('/me').expect(200).expect('Signed in as Ada Lovelace (ada@example.com)');
  });

  it('signs in with a strategy whose validate takes the token response (callbackArity)', async () => {
    const agent = request.agent(app.getHttpServer());
    const callback = await consent(agent, '/auth/7geese-params', 'allow');
    expect(callback.status, callback.text).toBe(302);
    await agent.get('/me').expect(200).expect('Signed in as Ada Lovelace (ada@example.com) with userprofile:read');
  });

  it('answers 401 and signs no one in when the person denies the consent', async () => {
    const agent = request.agent(app.getHttpServer());
    const callback = await consent(agent, '/auth/7geese', 'deny');
    expect(callback.status).toBe(401);
    await agent.get('/me').expect(401);
  });

  afterEach(async () => {
    await app.close();
  });

  afterAll(async () => {
    await sim.close();
  });
});
