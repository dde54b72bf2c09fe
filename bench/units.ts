// Scope serialisation and profile normalisation on their own, in operations per second.
import { build } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
// Internal modules, which the package does not export and its bundle does not expose on its own:
// bundled from the TypeScript sources into bench/dist/internals.cjs (this file runs from bench/dist/).
const internals = fileURLToPath(new URL('./internals.cjs', import.meta.url));
await build({
  stdin: { contents: "export { parseProfile } from './src/profile.js';\nexport { normalizeScope, serializeScope } from './src/scope.js';\nexport { randomText } from './src/pending-sign-in.js';\n", resolveDir: fileURLToPath(new URL('../..', import.meta.url)), loader: 'ts' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // No keepNames, as in scripts/build.mjs: measure code built like what ships, without a `__name()` per closure.
  packages: 'external',
  outfile: internals,
  logLevel: 'warning',
});
const { parseProfile, normalizeScope, serializeScope, randomText } = createRequire(import.meta.url)(internals) as typeof import('../dist/cjs/profile.js') &
  typeof import('../dist/cjs/scope.js') &
  typeof import('../dist/cjs/pending-sign-in.js');

const flat = { id: 42, email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', username: 'ada' };
const nested = { id: 1042, activated: true, profile_img: 'https://cdn.example/ada.png', position: 'Analyst', user: flat };
const flatRaw = JSON.stringify(flat);
const nestedRaw = JSON.stringify(nested);
const endpoint = 'https://app.7geese.com/api/v/2.0/users/me/';

const bench = new Bench({ time: 500 });
bench
  .add('normalizeScope + serializeScope: string', () => serializeScope(normalizeScope('objective:write userprofile:read objective:read')))
  .add('normalizeScope + serializeScope: array', () => serializeScope(normalizeScope(['feedback:read', 'review:write', 'feedback:read'])))
  .add('normalizeScope + serializeScope: object', () => serializeScope(normalizeScope({ objective: ['read', 'write'], userprofile: 'read' })))
  .add('parseProfile: flat user', () => parseProfile(JSON.parse(flatRaw), flatRaw, endpoint))
  .add('parseProfile: userprofile with nested user', () => parseProfile(JSON.parse(nestedRaw), nestedRaw, endpoint))
  // A sign-in's state handle and PKCE verifier: from the pooled CSPRNG buffer, and from a
  // randomBytes() call each, which the pool replaces (the one micro-optimisation of the start leg).
  .add('state + verifier: pooled CSPRNG', () => randomText(18) + randomText(32))
  .add('state + verifier: randomBytes each', () => randomBytes(18).toString('base64url') + randomBytes(32).toString('base64url'));
await bench.run();
console.log('\nUnit benchmark (tinybench, 500 ms per task)');
for (const task of bench.tasks) {
  const r = task.result as { throughput?: { mean: number }; hz?: number } | undefined;
  const hz = r?.throughput?.mean ?? r?.hz ?? NaN;
  console.log(`${task.name.padEnd(48)} ${Math.round(hz).toLocaleString('en-US').padStart(12)} ops/s`);
}
