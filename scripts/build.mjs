// Builds the package. The code: one CommonJS bundle per entry point (esbuild), so that a cold
// `require` reads and compiles one file instead of ~33 (issue 13). The types: tsc's declarations,
// one per module as before. Then the ES module entry points over the bundles: each re-exports the
// names of one CommonJS entry, so `import` and `require` share one copy of every class and
// `err instanceof SevenGeeseError` holds in apps that mix both.
//
// Bundlers cannot follow those wrappers (they load the CommonJS build with a `require` made at run
// time), so they get an ES module bundle of their own, dist/module/, through the `module` export
// condition (issue 18). esbuild, webpack, Rollup's node-resolve and Vite read `module` for both
// `import` and `require`; Node never does. So an app bundled with any of them holds one copy
// (dist/module/, whichever way its files load the package), and a plain Node app one copy too
// (dist/cjs/). Not chosen: making the ES module build the real one and the CommonJS entry a
// `require()` of it. Node 20.19 and 22 still call require(esm) experimental and warn, and Jest
// (NestJS's default runner) cannot require an ES module at all: `require` needs a real CommonJS
// build, and Node's `import` then must reach the same one.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const entries = ['index', 'testing/index'];
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Every package the code may import stays a `require` of that package, never a copy in ours.
const external = [
  ...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies }),
].flatMap((name) => [name, `${name}/*`]);

rmSync(join(root, 'dist'), { recursive: true, force: true });
// The declarations, one per module (tsc also writes its per-module .js, removed below).
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
for (const file of readdirSync(join(root, 'dist/cjs'), { recursive: true, encoding: 'utf8' })) {
  const path = join(root, 'dist/cjs', file);
  // Nothing loads tsc's per-module JavaScript any more: the bundles below replace it, and the
  // package must not ship two copies of the code.
  if (file.endsWith('.js')) rmSync(path);
  // tsc writes `#private;` into the declarations of classes with #fields, which apps compiling to
  // ES5 (tsc's default target) with skipLibCheck off cannot read; it says nothing they may use.
  else if (file.endsWith('.d.ts')) writeFileSync(path, readFileSync(path, 'utf8').replace(/^\s*#private;\n/gm, ''));
}
writeFileSync(join(root, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // No keepNames: it wraps every closure in a `__name()` call that runs each time the closure is
  // made (about 10 µs of a sign-in). Names survive anyway: nothing is minified, the errors set
  // `name` themselves, and the build fails if bundling renamed an exported class (see below).
  external,
  tsconfig: join(root, 'tsconfig.build.json'),
  // `import()` of the proxy modules stays a lazy `require`, as tsc wrote it: a real `import()` in
  // CommonJS fails under Jest without --experimental-vm-modules.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
};
// The package and its simulator. No class is in both: the testing entry takes only the constants
// SCOPE_RESOURCES from ../scope.ts and REDACTED from ../redact.ts (copies of constants are harmless).
for (const entry of entries) {
  await build({ ...common, entryPoints: [join(root, 'src', `${entry}.ts`)], outfile: join(root, 'dist/cjs', `${entry}.js`) });
}
// The simulator command: a thin file over the testing bundle, not a second copy of the simulator.
await build({
  ...common,
  entryPoints: [join(root, 'src/testing/cli.ts')],
  outfile: join(root, 'dist/cjs/testing/cli.js'),
  plugins: [
    {
      name: 'cli-over-testing-bundle',
      setup(build) {
        build.onResolve({ filter: /^\.\// }, (args) => {
          if (args.importer !== join(root, 'src/testing/cli.ts')) return undefined;
          if (!['./simulator.js', './demo-data.js', './types.js'].includes(args.path)) throw new Error(`cli.ts imports ${args.path}, which the testing bundle does not export`);
          return { path: './index.js', external: true };
        });
      },
    },
  ],
});
chmodSync(join(root, 'dist/cjs/testing/cli.js'), 0o755);
// The bundlers' entries: the same code as an ES module, its `import()` of the proxy modules kept
// for the app's bundler to resolve.
for (const entry of entries) {
  await build({ ...common, format: 'esm', supported: {}, entryPoints: [join(root, 'src', `${entry}.ts`)], outfile: join(root, 'dist/module', `${entry}.js`) });
}

for (const entry of entries) {
  const cjs = join(root, 'dist/cjs', `${entry}.js`);
  const esm = join(root, 'dist/esm', `${entry}.js`);
  const exported = require(cjs);
  const names = Object.keys(exported).filter((name) => name !== '__esModule' && name !== 'default');
  // esbuild renames a top-level name that two bundled modules both use; for a class that would
  // change the name apps and logs see. Exported functions and classes keep the names they export.
  const bundled = await import(pathToFileURL(join(root, 'dist/module', `${entry}.js`)).href);
  for (const [build, built] of [['dist/cjs', exported], ['dist/module', bundled]]) {
    const renamed = names.filter((name) => typeof built[name] === 'function' && built[name].name !== name);
    if (renamed.length > 0) throw new Error(`bundling renamed ${renamed.map((n) => `${n} (now "${built[n].name}")`).join(', ')} in ${build}/${entry}`);
  }
  if (Object.keys(bundled).sort().join() !== [...names].sort().join()) throw new Error(`dist/module/${entry}.js does not export the names dist/cjs/${entry}.js does`);
  const from = relative(dirname(esm), cjs.replace(/\.js$/, '')).replaceAll('\\', '/');
  mkdirSync(dirname(esm), { recursive: true });
  // Loaded with require(), not `import cjs from`: Node's ES module loader would scan the whole
  // bundle (and every file it requires) with its CommonJS export lexer first, which cost more than
  // the rest of the import together. require() shares the CommonJS module cache, so `import` and
  // `require` still get the same classes.
  writeFileSync(
    esm,
    `import { createRequire } from 'node:module';\n\nconst cjs = createRequire(import.meta.url)('${from}.js');\n\nexport const { ${names.join(', ')} } = cjs;\n`,
  );
  writeFileSync(esm.replace(/\.js$/, '.d.ts'), `export * from '${from}.js';\n`);
}
