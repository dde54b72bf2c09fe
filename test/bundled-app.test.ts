// The built package inside apps that bundle: a small app (test/fixtures/bundled-app) bundled with
// esbuild (ES module and CommonJS output, the latter as AWS CDK builds Lambda functions), webpack
// and Vite's SSR build, each with everything in it, started and signed in with. `npm test` builds
// the package first.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { stopChild } from './helpers/stop-child.js';

const root = resolve(import.meta.dirname, '..');
let work = '';

beforeAll(() => {
  // Inside the repository, so that the app finds express and passport in its node_modules; the
  // package by its name, as an installed dependency.
  mkdirSync(join(root, 'test/artifacts'), { recursive: true });
  work = mkdtempSync(join(root, 'test/artifacts/bundles-'));
  cpSync(join(import.meta.dirname, 'fixtures/bundled-app'), work, { recursive: true });
  mkdirSync(join(work, 'node_modules'));
  symlinkSync(root, join(work, 'node_modules/passport-7geese'), 'dir');
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const entry = () => join(work, 'app.mjs');

/** Each bundler, and the file it writes. */
const BUNDLERS: ReadonlyArray<{ name: string; bundle: () => Promise<string> }> = [
  {
    name: 'esbuild, ES module output',
    async bundle() {
      const { build } = await import('esbuild');
      const outfile = join(work, 'esbuild.mjs');
      // The banner that ES module bundles of CommonJS dependencies (express) need, as esbuild's issues give it.
      const banner = "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);";
      await build({ entryPoints: [entry()], bundle: true, platform: 'node', format: 'esm', banner: { js: banner }, outfile, logLevel: 'error' });
      return outfile;
    },
  },
  {
    name: 'esbuild, CommonJS output (as AWS CDK bundles a Lambda function)',
    async bundle() {
      const { build } = await import('esbuild');
      const outfile = join(work, 'esbuild.cjs');
      await build({ entryPoints: [entry()], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error' });
      return outfile;
    },
  },
  {
    name: 'webpack',
    async bundle() {
      const { default: webpack } = await import('webpack');
      const config = { entry: entry(), target: 'node', mode: 'production', optimization: { minimize: false }, output: { path: join(work, 'webpack'), filename: 'app.cjs' } } as const;
      const stats = await new Promise<import('webpack').Stats>((done, fail) => webpack(config, (err, result) => (err || !result ? fail(err) : done(result))));
      if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
      return join(work, 'webpack/app.cjs');
    },
  },
  {
    name: "Vite's SSR build, everything bundled",
    async bundle() {
      const { build } = await import('vite');
      await build({
        root: work,
        configFile: false,
        logLevel: 'error',
        ssr: { noExternal: true },
        build: { ssr: entry(), outDir: join(work, 'vite'), minify: false, rolldownOptions: { output: { entryFileNames: 'app.mjs' } } },
      });
      return join(work, 'vite/app.mjs');
    },
  },
];

describe('an app bundled with passport-7geese in it', () => {
  for (const bundler of BUNDLERS) {
    it(`starts, has one copy of every class, and signs in: ${bundler.name}`, { timeout: 60_000 }, async () => {
      const file = await bundler.bundle();
      const child = spawn(process.execPath, [file], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
      try {
        let printed = '';
        child.stderr.on('data', (chunk) => (printed += String(chunk)));
        let started: { url: string; oneCopy: boolean } | undefined;
        for await (const chunk of child.stdout) {
          printed += String(chunk);
          const line = /^\{.*\}$/m.exec(printed);
          if (line) {
            started = JSON.parse(line[0]) as { url: string; oneCopy: boolean };
            break;
          }
        }
        expect(started, `the bundled app did not start:\n${printed}`).toBeDefined();
        expect(started!.oneCopy).toBe(true);

        const agent = request.agent(started!.url);
        const authorize = (await agent.get('/auth/7geese').expect(302)).headers.location as string;
        const approved = await fetch(authorize, { redirect: 'manual' });
        const callback = new URL(approved.headers.get('location')!);
        expect(callback.origin).toBe(started!.url);
        expect((await agent.get(callback.pathname + callback.search)).headers.location).toBe('/me');
        expect((await agent.get('/me')).body).toEqual({ user: { email: 'grace@example.com' } });
      } finally {
        await stopChild(child);
      }
    });
  }
});
