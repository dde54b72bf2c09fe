// The tests that guard the modules under mutation testing (stryker.config.mjs), and only those:
// the whole suite would take hours per run of mutants. Files whose tests wait on deadlines
// (hostile-7geese, pagination) are left out: their guards' behaviour is unit-tested in these.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Spread, not mergeConfig: that would add this list to the base's include of every test.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/abuse/api-paths.test.ts',
      'test/abuse/echoing-upstream.test.ts',
      'test/abuse/nested-json.test.ts',
      'test/abuse/spent-states.test.ts',
      'test/callback-errors.test.ts',
      'test/cookie-state-store.test.ts',
      'test/diagnostics.test.ts',
      'test/profile.test.ts',
      'test/scope.test.ts',
      'test/state-store.test.ts',
    ],
  },
});
