import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { SIGN_IN_FAILURES } from 'passport-7geese';
import { startSimulator } from 'passport-7geese/testing';
import { createApp } from '../app.js';
import { Browser } from './browser.js';

const stores = {
  'the session state store': {},
  CookieStateStore: { stateSecret: 'a state secret of at least 32 characters' },
};

for (const [storeName, storeConfig] of Object.entries(stores)) {
  describe(`Koa with a relative callbackURL and ${storeName}`, () => {
    let sim;
    let server;
    let origin;

    before(async () => {
      sim = await startSimulator({ port: 0 });
      const app = createApp({
        clientID: 'koa-app',
        clientSecret: 'koa-secret',
        baseURL: sim.baseURL,
        sessionKeys: ['a session key'],
        ...storeConfig,
      });
      server = createServer(app.callback());
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${server.address().port}`;
      sim.addClient({ clientId: 'koa-app', clientSecret: 'koa-secret', redirectUris: [`${origin}/auth/7geese/callback`] });
    });

    after(async () => {
      server?.closeAllConnections();
      if (server?.listening) await new Promise((resolve) => server.close(resolve));
      await sim?.close();
    });

    async function startSignIn(browser) {
      const start = await browser.get(`${origin}/auth/7geese`);
      assert.equal(start.status, 302, await start.text());
      const stateCookie = start.headers.getSetCookie().some((c) => c.startsWith('7geese_oauth'));
      assert.equal(stateCookie, Boolean(storeConfig.stateSecret), 'CookieStateStore sets its cookie, the session store none');
      const authorize = new URL(start.headers.get('location'));
      assert.equal(authorize.origin + authorize.pathname, `${sim.baseURL}/o/authorize/`);
      assert.equal(authorize.searchParams.get('redirect_uri'), `${origin}/auth/7geese/callback`);
      const consentPage = await browser.get(authorize);
      assert.equal(consentPage.status, 200);
      return consentPage;
    }

    test('approving the consent signs the person in and shows who they are', { timeout: 20_000 }, async () => {
      const browser = new Browser();
      const back = await browser.consent(await startSignIn(browser), 'allow');
      assert.equal(back.status, 302);
      const callback = await browser.get(back.headers.get('location'));
      assert.equal(callback.status, 302, await callback.text());
      assert.equal(callback.headers.get('location'), '/');
      const home = await browser.get(`${origin}/`);
      assert.equal(home.status, 200);
      assert.match(await home.text(), /Signed in as Ada Lovelace \(ada@example\.com\)/);
    });

    test('denying the consent redirects to the failure page with the reason', { timeout: 20_000 }, async () => {
      const browser = new Browser();
      const back = await browser.consent(await startSignIn(browser), 'deny');
      assert.match(back.headers.get('location'), /[?&]error=access_denied/);
      const callback = await browser.get(back.headers.get('location'));
      assert.equal(callback.status, 302, await callback.text());
      assert.equal(callback.headers.get('location'), '/login');
      const failure = await browser.get(`${origin}/login`);
      assert.equal(failure.status, 401);
      assert.ok((await failure.text()).includes(SIGN_IN_FAILURES.access_denied));
    });
  });
}
