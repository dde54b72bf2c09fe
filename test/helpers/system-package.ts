import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

/**
 * Whether missing system packages fail the suite: under any CI (CI set to anything, as each CI
 * service spells it: `true`, `1`, `yes`), a package CI forgot to install must not pass as skipped.
 */
export const underCI = (process.env.CI ?? '') !== '';

/**
 * Tests that need a Debian package are skipped with the reason when it is missing, except under
 * CI, where the missing package is a failing test: CI must install it (.ci/run does).
 */
export function reportMissing(suite: string, available: boolean, missing: string): void {
  if (available) return;
  if (underCI) {
    describe(suite, () => {
      it('needs its system package under CI', () => {
        throw new Error(`${suite} cannot run: ${missing}. CI must install it (.ci/run does).`);
      });
    });
  } else {
    console.warn(`Skipping ${suite}: ${missing}.`);
  }
}

/** Whether `file` exists and may be executed. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first of `names` that is an executable file in a directory of `PATH`, as a shell finds it. */
export function findOnPath(names: readonly string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.flatMap((dir) => names.map((name) => join(dir, name))).find(isExecutable);
}
