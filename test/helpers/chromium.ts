// Headless Chromium for the browser tests: Debian's package driven by playwright-core (no
// browser download), reported as skipped when it is missing, except under CI=true.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, it } from 'vitest';
import { reportMissing } from './system-package.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = resolve(import.meta.dirname, '../artifacts');

/** True when Chromium is installed. */
export const hasChromium = existsSync(executablePath);

/** Why the browser tests cannot run, when they cannot. */
export const CHROMIUM_MISSING = `no Chromium at ${executablePath} (install Debian's package: apt-get install chromium)`;

/** Without Chromium: a failing test under CI=true, a warning otherwise. */
export function reportMissingChromium(suite: string): void {
  reportMissing(suite, hasChromium, CHROMIUM_MISSING);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Launches Chromium for the enclosing `describe` and opens a fresh page (its own cookies) for
 * each test; returns the current test's page.
 */
export function useChromium(): () => Page {
  let browser: Browser | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    page = await (await browser!.newContext()).newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(async () => {
    await page?.context().close();
  });
  return () => page!;
}

/** A browser test that saves a screenshot of the page to test/artifacts/ when it fails. */
export function browserTest(name: string, page: () => Page, body: () => Promise<void>): void {
  it(name, async () => {
    try {
      await body();
    } catch (err) {
      mkdirSync(artifacts, { recursive: true });
      const file = resolve(artifacts, `${name.replace(/[^\w]+/g, '-')}.png`);
      await page().screenshot({ path: file, fullPage: true }).catch(() => undefined);
      console.error(`screenshot of the failed page: ${file}`);
      throw err;
    }
  });
}
