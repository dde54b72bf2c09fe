import { describe, it } from 'vitest';

/**
 * Tests that need a Debian package are skipped with the reason when it is missing, except under
 * CI=true, where the missing package is a failing test: CI must install it (.ci/run does).
 */
export function reportMissing(suite: string, available: boolean, missing: string): void {
  if (available) return;
  if (process.env.CI === 'true') {
    describe(suite, () => {
      it('needs its system package under CI', () => {
        throw new Error(`${suite} cannot run: ${missing}. CI must install it (.ci/run does).`);
      });
    });
  } else {
    console.warn(`Skipping ${suite}: ${missing}.`);
  }
}
