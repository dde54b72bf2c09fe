// Builds the package: CommonJS with tsc, then the ES module entry points over it: each re-exports the
// names of one CommonJS entry, so `import` and `require` share one copy of every class and
// `err instanceof SevenGeeseError` holds in apps that mix both.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const entries = ['index', 'testing/index'];

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
// tsc writes `#private;` into the declarations of classes with #fields, which apps compiling to
// ES5 (tsc's default target) with skipLibCheck off cannot read; it says nothing they may use.
for (const file of readdirSync(join(root, 'dist/cjs'), { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const path = join(root, 'dist/cjs', file);
  writeFileSync(path, readFileSync(path, 'utf8').replace(/^\s*#private;\n/gm, ''));
}
writeFileSync(join(root, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
for (const entry of entries) {
  const cjs = join(root, 'dist/cjs', `${entry}.js`);
  const esm = join(root, 'dist/esm', `${entry}.js`);
  const names = Object.keys(require(cjs)).filter((name) => name !== '__esModule' && name !== 'default');
  const from = relative(dirname(esm), cjs.replace(/\.js$/, '')).replaceAll('\\', '/');
  mkdirSync(dirname(esm), { recursive: true });
  writeFileSync(esm, `import cjs from '${from}.js';\n\nexport const { ${names.join(', ')} } = cjs;\n`);
  writeFileSync(esm.replace(/\.js$/, '.d.ts'), `export * from '${from}.js';\n`);
}
