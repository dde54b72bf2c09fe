import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGN_IN_FAILURES } from 'passport-7geese';
import { startSimulator, type Simulator } from 'passport-7geese/testing';
import { createApp } from '../src/app.js';
import { Browser } from './browser.js';

let sim: Simulator;
let server: Server;
let origin: string;

before(async () => {
  sim = await startSimulator({ port: 0 });
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const callbackURL = `${origin}/auth/7geese/callback`;
  sim.addClient({ clientId: 'express5-app', clientSecret: 'express5-secret', redirectUris: [callbackURL] });
  server.on('request', createApp({ clientID: 'express5-app', clientSecret: 'express5-secret', callbackURL, baseURL: sim.baseURL, sessionSecret: 'keyboard cat' }));
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await sim.close();
});

async function startSignIn(browser: Browser): Promise<Response> {
  const start = await browser.get(`${origin}/login/7geese`);
  assert.equal(start.status, 302);
  const authorize = new URL(start.headers.get('location') ?? '');
  assert.equal(authorize.origin + authorize.pathname, `${sim.baseURL}/o/authorize/`);
  const consentPage = await browser.get(authorize);
  assert.equal(consentPage.status, 200);
  return consentPage;
}

test('approving the consent signs the person in and shows who they are', { timeout: 20_000 }, async () => {
  const browser = new Browser();
  const back = await browser.consent(await startSignIn(browser), 'allow');
  assert.equal(back.status, 302);
  const callback = await browser.get(back.headers.get('location') ?? '');
  assert.equal(callback.status, 302, await callback.text());
  assert.equal(callback.headers.get('location'), '/');
  const home = await browser.get(`${origin}/`);
  assert.equal(home.status, 200);
  assert.match(await home.text(), /Signed in as Ada Lovelace \(ada@example\.com\)/);
});

test('denying the consent redirects to the failure page with the reason', { timeout: 20_000 }, async () => {
  const browser = new Browser();
  const back = await browser.consent(await startSignIn(browser), 'deny');
  assert.match(back.headers.get('location') ?? '', /[?&]error=access_denied/);
  const callback = await browser.get(back.headers.get('location') ?? '');
  assert.equal(callback.status, 302, await callback.text());
  assert.equal(callback.headers.get('location'), '/login');
  const failure = await browser.get(`${origin}/login`);
  assert.equal(failure.status, 401);
  assert.ok((await failure.text()).includes(SIGN_IN_FAILURES.access_denied));
});
