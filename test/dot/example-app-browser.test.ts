// A person using the example app in headless Chromium, signed in by a real django-oauth-toolkit
// server (the OAuth 2.0 server 7Geese runs): Django's sign-in form, DOT's own consent page with
// its CSRF token, and back to the app; and the email-and-password form against DOT's password grant.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createApp } from '../../example-app/src/app.js';
import { createStrategies } from '../../example-app/src/strategies.js';
import { browserTest, hasChromium, useChromium, reportMissingChromium } from '../helpers/chromium.js';
import { freePort } from '../helpers/free-port.js';
import { hasDOT, reportMissingDOT, useDOT } from './dot-server.js';

const SUITE = 'the example app in a browser against django-oauth-toolkit';
const KATHERINE = { email: 'katherine@example.com', password: 'katherine-dot-password', first_name: 'Katherine', last_name: 'Johnson' };
const CODE_APP = { client_id: 'browser-code-client', client_secret: 'browser-code-client-secret' };
const PASSWORD_APP = { client_id: 'browser-password-client', client_secret: 'browser-password-client-secret' };

reportMissingChromium(SUITE);
reportMissingDOT(SUITE);
const ready = hasChromium && hasDOT;

describe.skipIf(!ready)(SUITE, () => {
  let server: Server;
  let port: number;
  let base: string;
  const dot = useDOT(async () => {
    port = await freePort();
    base = `http://localhost:${port}`;
    return {
      users: [KATHERINE],
      applications: [
        { name: 'Browser code app', ...CODE_APP, grant_type: 'authorization-code', redirect_uris: [`${base}/auth/7geese/callback`] },
        { name: 'Browser password app', ...PASSWORD_APP, grant_type: 'password' },
      ],
    };
  });

  beforeAll(async () => {
    const { signIn, password } = createStrategies({
      clientID: CODE_APP.client_id,
      clientSecret: CODE_APP.client_secret,
      callbackURL: `${base}/auth/7geese/callback`,
      baseURL: dot().baseURL,
      scope: 'userprofile:read',
      password: { clientID: PASSWORD_APP.client_id, clientSecret: PASSWORD_APP.client_secret },
    });
    server = createServer(createApp({ strategy: signIn, passwordStrategy: password, sessionSecret: 'dot-browser-test-session-secret-0123' }));
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
  });

  const page = useChromium();

  /** From the app's button to DOT's consent page, signing in to Django on the way. */
  async function toConsentPage() {
    await page().goto(base);
    await page().getByRole('link', { name: 'Sign in with 7Geese' }).click();
    await page().waitForURL(`${dot().baseURL}/login/**`);
    await page().locator('input[name="username"]').fill(KATHERINE.email);
    await page().locator('input[name="password"]').fill(KATHERINE.password);
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().getByRole('heading', { name: 'Authorize Browser code app?' }).waitFor();
  }

  browserTest('signs in through Django and DOT\'s consent page, and sees the name on the home page', page, async () => {
    await toConsentPage();
    await page().getByRole('button', { name: 'Authorize' }).click();
    await page().waitForURL(`${base}/`);
    expect(await page().getByRole('heading', { level: 1 }).textContent()).toBe('Hello, Katherine Johnson');
    expect(await page().textContent('body')).toContain('katherine@example.com');
    expect(await page().textContent('body')).toContain('userprofile:read');
  });

  browserTest('cancels on DOT\'s consent page and sees the friendly message', page, async () => {
    await toConsentPage();
    await page().getByRole('button', { name: 'Cancel' }).click();
    await page().waitForURL(/\/auth\/7geese\/callback/);
    expect(await page().textContent('main')).toContain('You chose not to sign in with 7Geese');
  });

  browserTest('signs in with email and password through DOT\'s password grant', page, async () => {
    await page().goto(base);
    await page().getByLabel('Email').fill(KATHERINE.email);
    await page().getByLabel('Password').fill('not-her-password');
    await page().getByRole('button', { name: 'Sign in with email and password' }).click();
    expect(await page().getByRole('alert').textContent()).toBe('That 7Geese email and password do not match.');
    await page().getByLabel('Password').fill(KATHERINE.password);
    await page().getByRole('button', { name: 'Sign in with email and password' }).click();
    await page().waitForURL(`${base}/`);
    expect(await page().getByRole('heading', { level: 1 }).textContent()).toBe('Hello, Katherine Johnson');
  });
});
