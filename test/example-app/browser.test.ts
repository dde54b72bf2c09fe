// A person using the example app in headless Chromium (Debian's package, driven by
// playwright-core; no browser download). On failure each test saves a screenshot to test/artifacts/.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { createApp } from '../../example-app/src/app.js';
import { createStrategies } from '../../example-app/src/strategies.js';
import { CHROMIUM_MISSING, browserTest, hasChromium, useChromium, reportMissingChromium } from '../helpers/chromium.js';

reportMissingChromium('the browser tests');

describe.skipIf(!hasChromium)(`the example app in a real browser${hasChromium ? '' : ` (skipped: ${CHROMIUM_MISSING})`}`, () => {
  let sim: Simulator;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    sim = await startSimulator();
    const credentials = { clientID: 'browser-app', clientSecret: 'browser-app-secret' };
    const { signIn, password } = createStrategies({
      ...credentials,
      callbackURL: '/auth/7geese/callback',
      baseURL: sim.baseURL,
      profileURL: `${sim.baseURL}/api/v/2.0/userprofiles/me/`,
      password: credentials,
    });
    const app = createApp({ strategy: signIn, passwordStrategy: password, sessionSecret: 'browser-test-session-secret-0123456789', usingSimulator: true });
    server = createServer(app);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    // As the README says to open it: on localhost, a different site from the simulator's
    // 127.0.0.1, so the session cookie must survive a cross-site redirect back (SameSite=Lax).
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
    sim.addClient({ clientId: credentials.clientID, clientSecret: credentials.clientSecret, redirectUris: [`${base}/auth/7geese/callback`], name: 'Browser test app' });
  }, 60_000);

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
    await sim?.close();
  });

  const page = useChromium();

  async function signInAs(name: string) {
    await page().goto(base);
    await page().getByRole('link', { name: 'Sign in with 7Geese' }).click();
    await page().getByRole('heading', { name: 'Authorize Browser test app' }).waitFor();
    await page().getByLabel(name).check();
    await page().getByRole('button', { name: 'Approve' }).click();
    await page().waitForURL(`${base}/`);
  }

  browserTest('signs in with 7Geese: approve on the consent page, then see the name on the home page', page, async () => {
    await signInAs('Grace Hopper');
    expect(await page().getByRole('heading', { level: 1 }).textContent()).toBe('Hello, Grace Hopper');
    expect(await page().textContent('body')).toContain('grace@example.com');
    expect(await page().textContent('body')).toContain('userprofile:read, objective:read');
  });

  browserTest('denies on the consent page and sees the friendly message', page, async () => {
    await page().goto(base);
    await page().getByRole('link', { name: 'Sign in with 7Geese' }).click();
    await page().getByRole('button', { name: 'Deny' }).click();
    await page().waitForURL(/\/auth\/7geese\/callback/);
    expect(await page().textContent('main')).toContain('You chose not to sign in with 7Geese');
    expect(await page().getByRole('link', { name: 'Try again' }).getAttribute('href')).toBe('/auth/7geese');
  });

  browserTest('signs in, opens the objectives, logs out and is signed out', page, async () => {
    await signInAs('Ada Lovelace');
    await page().getByRole('link', { name: 'Objectives', exact: true }).click();
    await page().waitForURL(`${base}/objectives`);
    expect(await page().locator('tbody tr').count()).toBe(7);
    await page().getByRole('button', { name: 'Sign out' }).click();
    await page().waitForURL(`${base}/`);
    expect(await page().getByRole('link', { name: 'Sign in with 7Geese' }).isVisible()).toBe(true);
    await page().goto(`${base}/profile`);
    expect(page().url()).toContain(`${sim.baseURL}/o/authorize/`);
  });

  browserTest('updates an objective\'s progress: 7Geese asks for permission to change objectives, then the update is saved', page, async () => {
    await signInAs('Katherine Johnson');
    await page().getByRole('link', { name: 'Objectives', exact: true }).click();
    await page().waitForURL(`${base}/objectives`);
    const objective = [...sim.store.objectives.values()].find((o) => o.owner === 4)!;
    const name = String(objective.name);
    const row = page().locator('tbody tr', { hasText: name });
    await row.getByLabel(`Progress of ${name}, in percent`).fill('88');
    await row.getByRole('button', { name: 'Update' }).click();
    // The app signed in with objective:read only: 7Geese asks for the scope to change objectives.
    await page().getByRole('heading', { name: 'Authorize Browser test app' }).waitFor();
    const asked = new URL(page().url()).searchParams;
    expect(asked.get('scope')).toBe('userprofile:read objective:read objective:write');
    expect(asked.get('approval_prompt')).toBe('auto');
    expect(await page().textContent('main')).toContain('Change your objectives');
    expect(await page().getByLabel('Katherine Johnson').isChecked()).toBe(true);
    await page().getByRole('button', { name: 'Approve' }).click();
    await page().waitForURL(`${base}/objectives?updated=${String(objective.id)}`);
    expect(await page().getByRole('status').textContent()).toBe(`Saved: “${name}” is now at 88%.`);
    expect(await page().locator('tbody tr', { hasText: name }).getByLabel(`Progress of ${name}, in percent`).inputValue()).toBe('88');
    expect(objective.progress).toBe(88);
    // With objective:write granted, the next update is saved at once, without 7Geese.
    await page().locator('tbody tr', { hasText: name }).getByLabel(`Progress of ${name}, in percent`).fill('90');
    await page().locator('tbody tr', { hasText: name }).getByRole('button', { name: 'Update' }).click();
    await page().waitForURL(`${base}/objectives?updated=${String(objective.id)}`);
    expect(await page().getByRole('status').textContent()).toBe(`Saved: “${name}” is now at 90%.`);
  });

  browserTest('denies the permission to change objectives and stays signed in, with nothing changed', page, async () => {
    await signInAs('Alan Turing');
    await page().goto(`${base}/objectives`);
    const objective = [...sim.store.objectives.values()].find((o) => o.owner === 3)!;
    const before = objective.progress;
    const name = String(objective.name);
    const row = page().locator('tbody tr', { hasText: name });
    await row.getByLabel(`Progress of ${name}, in percent`).fill('3');
    await row.getByRole('button', { name: 'Update' }).click();
    await page().getByRole('button', { name: 'Deny' }).click();
    await page().waitForURL(/\/auth\/7geese\/callback/);
    expect(await page().getByRole('heading', { level: 1 }).textContent()).toBe('Permission not granted');
    expect(await page().textContent('main')).toContain('You are still signed in');
    expect(objective.progress).toBe(before);
    await page().getByRole('link', { name: 'Objectives', exact: true }).click();
    await page().waitForURL(`${base}/objectives`);
    expect(await page().locator('tbody tr').count()).toBe(7);
  });

  browserTest('signs in with email and password, and shows the message for a wrong password', page, async () => {
    await page().goto(base);
    await page().getByLabel('Email').fill('alan@example.com');
    await page().getByLabel('Password').fill('not-his-password');
    await page().getByRole('button', { name: 'Sign in with email and password' }).click();
    expect(await page().getByRole('alert').textContent()).toBe('That 7Geese email and password do not match.');
    await page().getByLabel('Password').fill('alan-password');
    await page().getByRole('button', { name: 'Sign in with email and password' }).click();
    await page().waitForURL(`${base}/`);
    expect(await page().getByRole('heading', { level: 1 }).textContent()).toBe('Hello, Alan Turing');
  });
});
