// Headless Chromium for the browser tests: Debian's package driven by playwright-core (no
// browser download), reported as skipped when it is missing, except under CI.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, it } from 'vitest';
import { findOnPath, isExecutable, reportMissing } from './system-package.js';

// Debian names it chromium; other systems chromium-browser. CHROMIUM_PATH picks one explicitly.
const executablePath = process.env.CHROMIUM_PATH ?? findOnPath(['chromium', 'chromium-browser']);
const artifacts = resolve(import.meta.dirname, '../artifacts');

/** True when Chromium is installed. */
export const hasChromium = executablePath !== undefined && isExecutable(executablePath);

/** Why the browser tests cannot run, when they cannot. */
export const CHROMIUM_MISSING = process.env.CHROMIUM_PATH
  ? `no executable Chromium at CHROMIUM_PATH=${process.env.CHROMIUM_PATH}`
  : "no chromium or chromium-browser on PATH (install Debian's package: apt-get install chromium)";

/** Without Chromium: a failing test under CI, a warning otherwise. */
export function reportMissingChromium(suite: string): void {
  reportMissing(suite, hasChromium, CHROMIUM_MISSING);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: executablePath ?? CHROMIUM_MISSING,
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
