// Every code block of README.md and docs/ is true: each TypeScript or JavaScript block is
// type-checked against the built package, as an app importing 'passport-7geese' would, and the
// README's minimal example signs a person in against the simulator. A block that is only a
// piece of a program says so with `fragment` in its info string (```ts fragment) and is skipped.
// `npm test` builds first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import { freePort } from './helpers/free-port.js';
import { consent } from './helpers/harness.js';
import { stopChild } from './helpers/stop-child.js';
import { typeErrors } from './helpers/type-errors.js';

const root = resolve(import.meta.dirname, '..');
// Inside the repository, so that 'passport-7geese' resolves to this package's exports (the
// build) and express, passport and their types to its node_modules, as in an app.
const dir = join(root, 'test/artifacts/docs-blocks');
const LANGUAGES: Record<string, 'ts' | 'js'> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };

interface Block {
  /** Where it is, for the test's name: `docs/tokens.md:42`. */
  where: string;
  file: string;
  code: string;
}

function documents(): string[] {
  const guides = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  return ['README.md', ...guides.sort()];
}

/** The checked blocks of one Markdown file (fences of three backticks, as the docs write them). */
function blocksOf(doc: string): Block[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S+)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${doc}:${i + 1}: a code block that is never closed`);
    const body = lines.slice(i + 1, end);
    const language = LANGUAGES[open[1]!];
    const fragment = /\bfragment\b/.test(open[2]!) || body[0]?.trim() === '// fragment';
    if (language && !fragment) {
      const name = `${doc.replace(/[/.]/g, '_')}_${i + 1}.${language}`;
      // Each block its own module: its names and top-level await stay its own.
      blocks.push({ where: `${doc}:${i + 1}`, file: join(dir, name), code: `${body.join('\n')}\nexport {};\n` });
    }
    i = end;
  }
  return blocks;
}

const blocks = documents().flatMap(blocksOf);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the code blocks of README.md and docs/', () => {
  let diagnostics = new Map<string, string[]>();

  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const block of blocks) writeFileSync(block.file, block.code);
    // One program for every block; the guides are also read as JavaScript, with a browser's types.
    diagnostics = typeErrors(
      blocks.map((b) => b.file),
      { lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'], noImplicitOverride: true, esModuleInterop: true, allowJs: true, checkJs: true },
    );
  }, 120_000);

  it('finds the blocks to check: the README\'s and more than ten in all', () => {
    const docsWithBlocks = new Set(blocks.map((b) => b.where.split(':')[0]));
    expect(docsWithBlocks).toContain('README.md');
    expect(blocks.length).toBeGreaterThan(10);
  });

  it('reports no type error outside the blocks themselves', () => {
    const elsewhere = [...diagnostics.keys()].filter((file) => !blocks.some((b) => b.file === file));
    expect(elsewhere.map((f) => `${relative(root, f)}: ${diagnostics.get(f)!.join('; ')}`)).toEqual([]);
  });

  it.each(blocks.map((b) => [b.where, b] as const))('%s type-checks against the built package', (_where, block) => {
    expect(diagnostics.get(block.file) ?? []).toEqual([]);
  });
});

/** A Markdown file without its code blocks. */
function prose(doc: string): string {
  return readFileSync(join(root, doc), 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

describe('the links of README.md, docs/, bench/README.md and CONTRIBUTING.md', () => {
  const docs = [...documents(), 'bench/README.md', 'CONTRIBUTING.md'];
  it.each(docs)('%s links only to files and headings that exist', (doc) => {
    const text = prose(doc);
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue;
      const [path, anchor] = target!.split('#') as [string, string | undefined];
      const file = path === '' ? join(root, doc) : resolve(root, dirname(doc), path);
      if (!existsSync(file)) {
        broken.push(`${target}: no such file`);
      } else if (anchor && file.endsWith('.md')) {
        const headings = [...prose(relative(root, file)).matchAll(/^#+ (.*)$/gm)].map((m) => anchorOf(m[1]!));
        if (!headings.includes(anchor)) broken.push(`${target}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("the README's minimal example", () => {
  let sim: Simulator;
  let app: ChildProcess | undefined;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0 });
  });

  afterAll(async () => {
    if (app) await stopChild(app);
    await sim.close();
  });

  it('signs a person in against the simulator, run as it is pasted', async () => {
    const example = blocksOf('README.md').find((b) => b.code.startsWith('// app.ts'));
    expect(example, 'the README has a block that starts with "// app.ts"').toBeDefined();
    mkdirSync(dir, { recursive: true });
    const js = (source: string) => ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(dir, 'readme-app.mjs'), js(example!.code));
    // The example listens on every interface, as an app does; in a test it listens on loopback.
    writeFileSync(join(dir, 'loopback-only.mjs'), js(readFileSync(join(root, 'test/helpers/loopback-only.ts'), 'utf8')));

    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    sim.addClient({ clientId: 'readme-app', clientSecret: 'readme-app-secret', redirectUris: [`${origin}/auth/7geese/callback`] });
    app = spawn(process.execPath, ['--import', './loopback-only.mjs', 'readme-app.mjs'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        SEVENGEESE_BASE_URL: sim.baseURL,
        SEVENGEESE_CLIENT_ID: 'readme-app',
        SEVENGEESE_CLIENT_SECRET: 'readme-app-secret',
        SESSION_SECRET: 'a session secret for the readme test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((ready, failed) => {
      const take = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(`Open http://localhost:${port}`)) ready();
      };
      app!.stdout!.on('data', take);
      app!.stderr!.on('data', take);
      app!.once('exit', (code) => failed(new Error(`the example exited with ${code}: ${output}`)));
    });

    const home = await fetch(`${origin}/`);
    expect(await home.text()).toContain('<a href="/auth/7geese">Sign in with 7Geese</a>');

    const start = await fetch(`${origin}/auth/7geese`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin + authorize.pathname).toBe(`${sim.baseURL}/o/authorize/`);
    const pending = cookieOf(start);

    const callback = await consent(sim, authorize, 1);
    expect(callback.origin + callback.pathname).toBe(`${origin}/auth/7geese/callback`);
    const back = await fetch(callback, { redirect: 'manual', headers: { cookie: pending } });
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/');

    const signedIn = await fetch(`${origin}/`, { headers: { cookie: cookieOf(back) } });
    expect(await signedIn.json()).toEqual({ id: '1', name: 'Ada Lovelace' });
  });
});

/** The `name=value` of the session cookie a response set. */
function cookieOf(res: Response): string {
  const set = res.headers.getSetCookie();
  expect(set.length, 'the response sets the session cookie').toBeGreaterThan(0);
  return set[0]!.split(';')[0]!;
}
