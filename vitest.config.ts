import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The host apps run their own tests with their own runners, from test/hosts/hosts.test.ts.
    exclude: [...configDefaults.exclude, 'test/hosts/*/**'],
    setupFiles: ['test/helpers/loopback-only.ts'],
    // The built package, loaded by its name as an app loads it: by Node itself, not transformed
    // by Vite (which would not link its ES module entry to the CommonJS build underneath). Vite
    // reads the `module` export condition, so imports by name get dist/module/ here.
    server: { deps: { external: [/\/dist\/(cjs|esm|module)\//] } },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests start real servers on 127.0.0.1:0; two cores means two forks is the useful maximum.
    pool: 'forks',
    maxWorkers: 2,
  },
});
