// `npm run docs:check`: the reference in docs/reference is what `npm run docs` makes of the code
// today. Regenerates it in a temporary folder (TypeDoc's validation fails on any undocumented
// public name, see typedoc.json) and fails, naming the files, when the checked-in copy differs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const checkedIn = join(root, 'docs/reference');
const fresh = mkdtempSync(join(tmpdir(), 'p7g-reference-'));
// typedoc's package exports no path to its command.
const typedoc = join(root, 'node_modules/typedoc/bin/typedoc');

const files = (dir) => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }) : [])
  .filter((f) => f.endsWith('.md'))
  .sort();

try {
  run();
} finally {
  rmSync(fresh, { recursive: true, force: true });
}

function run() {
  try {
    execFileSync(process.execPath, [typedoc, '--out', fresh, '--logLevel', 'Warn'], { cwd: root, stdio: 'inherit' });
  } catch {
    console.error('TypeDoc refused the code (its warnings are above): document each name it lists, in TSDoc.');
    process.exitCode = 1;
    return;
  }
  const made = files(fresh);
  const kept = files(checkedIn);
  const differ = [
    ...made.filter((f) => !kept.includes(f)).map((f) => `missing: docs/reference/${f}`),
    ...kept.filter((f) => !made.includes(f)).map((f) => `no longer generated: docs/reference/${f}`),
    ...made.filter((f) => kept.includes(f) && readFileSync(join(fresh, f), 'utf8') !== readFileSync(join(checkedIn, f), 'utf8'))
      .map((f) => `out of date: docs/reference/${f}`),
  ];
  if (differ.length) {
    console.error(`The reference differs from the code's TSDoc; run \`npm run docs\` and commit docs/reference:\n  ${differ.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`docs/reference is up to date (${made.length} pages, every public name documented)`);
  }
}
