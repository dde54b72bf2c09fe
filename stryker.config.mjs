// Mutation testing of the guards (`npm run mutation`; not in CI: it takes minutes). Each mutant
// runs only the tests that cover it, from the list in vitest.mutation.config.ts. One at a time:
// the tests start real servers, and the machine is shared. One module at a time:
// `npm run mutation -- --mutate src/json.ts`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/json.ts',
    'src/api-paths.ts',
    'src/redact.ts',
    'src/scope.ts',
    'src/profile.ts',
    'src/state-store.ts',
    'src/cookie-state-store.ts',
    'src/pending-sign-in.ts',
  ],
  concurrency: 1,
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
