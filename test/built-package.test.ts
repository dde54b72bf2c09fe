// The package as users install it: the built dist/, loaded by name from CommonJS and from an
// ES module. `npm test` builds first.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, symlinkSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

function runIn(fileName: string, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'p7g-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'passport-7geese'), 'dir');
    writeFileSync(join(dir, fileName), source);
    return execFileSync(process.execPath, [fileName], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const construct = `
  const s = new Strategy({ clientID: 'id', clientSecret: 's', callbackURL: 'http://localhost/cb' }, async () => false);
  console.log(s.name, typeof startSimulator);
`;

describe('the built package', () => {
  it('loads with require() from CommonJS and constructs a Strategy', () => {
    const out = runIn('app.cjs', `const { Strategy } = require('passport-7geese'); const { startSimulator } = require('passport-7geese/testing');${construct}`);
    expect(out).toBe('7geese function');
  });

  it('loads with import from an ES module and constructs a Strategy', () => {
    const out = runIn('app.mjs', `import { Strategy } from 'passport-7geese'; import { startSimulator } from 'passport-7geese/testing';${construct}`);
    expect(out).toBe('7geese function');
  });

  it('has one copy of every class whichever way it is loaded, so instanceof holds in apps that mix both', () => {
    const out = runIn(
      'mixed.mjs',
      `import { createRequire } from 'node:module';
      import * as esm from 'passport-7geese';
      import * as esmTesting from 'passport-7geese/testing';
      const require = createRequire(import.meta.url);
      const cjs = require('passport-7geese');
      const cjsTesting = require('passport-7geese/testing');
      const same = Object.keys(cjs).filter((k) => k !== '__esModule').every((k) => esm[k] === cjs[k]);
      const sameTesting = Object.keys(cjsTesting).filter((k) => k !== '__esModule').every((k) => esmTesting[k] === cjsTesting[k]);
      const err = new cjs.SevenGeeseTimeoutError('https://app.7geese.com/o/token/', 5);
      console.log(same, sameTesting, Object.keys(esm).length === Object.keys(cjs).filter((k) => k !== '__esModule').length, err instanceof esm.SevenGeeseError);`,
    );
    expect(out).toBe('true true true true');
  });
});
