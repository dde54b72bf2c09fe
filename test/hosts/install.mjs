#!/usr/bin/env node
// Installs passport-7geese into every host app under test/hosts/ the way a user gets it: the
// tarball `npm pack` makes of the built package, installed over each host's own locked
// dependencies. Run `npm run build` first (or pass --build).
//
//   node test/hosts/install.mjs [--build] [host ...]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const packDir = join(here, '.pack');
const PARALLEL = 2;

/** The host apps: every folder here with a package.json and a package-lock.json. */
export function hostDirs() {
  return readdirSync(here, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .filter((name) => existsSync(join(here, name, 'package.json')) && existsSync(join(here, name, 'package-lock.json')))
    .sort();
}

function run(cmd, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${cmd} ${args.join(' ')} in ${cwd} exited with ${code}:\n${output}`));
    });
  });
}

async function pack() {
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  const out = await run('npm', ['pack', '--json', '--pack-destination', packDir], root);
  const [{ filename }] = JSON.parse(out.slice(out.indexOf('[')));
  return join(packDir, filename);
}

async function installHost(name, tarball) {
  const dir = join(here, name);
  const started = Date.now();
  const modules = join(dir, 'node_modules');
  // A host's own dependencies change only with its lock file; reinstall them only then.
  const stale = !existsSync(modules) || statSync(modules).mtimeMs < statSync(join(dir, 'package-lock.json')).mtimeMs;
  if (stale) await run('npm', ['ci', '--no-audit', '--no-fund'], dir);
  await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', tarball], dir);
  console.log(`${name}: ${stale ? 'npm ci + ' : ''}passport-7geese installed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

export async function installHosts({ build = false, only = [] } = {}) {
  if (build) await run('npm', ['run', 'build'], root);
  const { main } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (!existsSync(join(root, main))) throw new Error(`No ${main}: run \`npm run build\` in the repository root first.`);
  const tarball = await pack();
  const queue = hostDirs().filter((h) => only.length === 0 || only.includes(h));
  const failures = [];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      await installHost(name, tarball).catch((err) => failures.push(err));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  if (failures.length) throw new AggregateError(failures, failures.map((e) => e.message).join('\n\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const started = Date.now();
  installHosts({ build: args.includes('--build'), only: args.filter((a) => !a.startsWith('--')) }).then(
    () => console.log(`hosts installed in ${((Date.now() - started) / 1000).toFixed(1)}s`),
    (err) => {
      console.error(err.message);
      process.exitCode = 1;
    },
  );
}
