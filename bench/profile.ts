// Summarises the CPU profiles that `BENCH_PROFILE=a,b npm run bench` leaves in bench/profiles/:
// self time per sign-in by where the code lives (passport-7geese's dist/, Node's internals,
// express, express-session, passport, passport-oauth2 and node-oauth, ...), the functions with
// the most self time in (a), and where (a) spends more than (b).
//
//   BENCH_PROFILE=a,b npm run bench && node bench/dist/profile.js [a b]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { table } from './stats.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const dir = resolve(import.meta.dirname, '..', 'profiles');
/** The repository: passport-7geese's build is its dist/, the benchmark's apps its bench/. */
const root = resolve(import.meta.dirname, '..', '..');
const [left = 'a', right = 'b'] = process.argv.slice(2);
const meta = JSON.parse(readFileSync(resolve(dir, 'meta.json'), 'utf8')) as { signIns: Record<string, number> };

/** Packages grouped as the issue names them; anything else under node_modules is "other packages". */
const GROUPS: Record<string, string> = {
  express: 'express (+ router, send, ...)',
  router: 'express (+ router, send, ...)',
  'path-to-regexp': 'express (+ router, send, ...)',
  finalhandler: 'express (+ router, send, ...)',
  send: 'express (+ router, send, ...)',
  'express-session': 'express-session (+ cookie, uid-safe, ...)',
  cookie: 'express-session (+ cookie, uid-safe, ...)',
  'cookie-signature': 'express-session (+ cookie, uid-safe, ...)',
  'uid-safe': 'express-session (+ cookie, uid-safe, ...)',
  'random-bytes': 'express-session (+ cookie, uid-safe, ...)',
  'on-headers': 'express-session (+ cookie, uid-safe, ...)',
  passport: 'passport (+ passport-strategy)',
  'passport-strategy': 'passport (+ passport-strategy)',
  'passport-oauth2': 'passport-oauth2 (+ oauth, uid2, ...)',
  oauth: 'passport-oauth2 (+ oauth, uid2, ...)',
  uid2: 'passport-oauth2 (+ oauth, uid2, ...)',
  base64url: 'passport-oauth2 (+ oauth, uid2, ...)',
  'utils-merge': 'passport-oauth2 (+ oauth, uid2, ...)',
};

/** The group a frame's self time is counted under: where its code lives. */
function where(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: V8 and native, outside JS)';
    return 'V8 builtins and native';
  }
  if (url.startsWith('node:')) return 'Node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return GROUPS[pkg] ?? 'other packages';
  }
  if (url.includes(`${root}/dist/`)) return "passport-7geese's dist/";
  if (url.includes(`${root}/bench/`)) return 'the benchmark app';
  return 'other';
}

function short(frame: CallFrame): string {
  const { url, functionName, lineNumber } = frame;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(`${root}/`, '');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

interface Summary {
  signIns: number;
  /** µs per sign-in by group, by function (self), and by function (inclusive). */
  groups: Map<string, number>;
  self: Map<string, number>;
  total: Map<string, number>;
  busy: number;
}

function summarise(setup: string): Summary {
  const profile = JSON.parse(readFileSync(resolve(dir, `${setup}.cpuprofile`), 'utf8')) as CpuProfile;
  const signIns = meta.signIns[setup];
  if (!signIns) throw new Error(`no sign-in count for ${setup} in ${dir}/meta.json`);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfById = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i]!;
    selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const groups = new Map<string, number>();
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v / signIns);
  for (const [id, micros] of selfById) {
    const node = byId.get(id)!;
    const group = where(node.callFrame);
    add(groups, group, micros);
    if (group !== '(idle)') busy += micros / signIns;
    add(self, short(node.callFrame), micros);
    // Inclusive time: each function once per stack, however often it recurs.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = short(byId.get(at)!.callFrame);
      if (!seen.has(key)) {
        seen.add(key);
        add(total, key, micros);
      }
    }
  }
  return { signIns, groups, self, total, busy };
}

const A = summarise(left);
const B = summarise(right);
const f = (v: number | undefined) => (v === undefined ? '' : v.toFixed(1));

console.log(`CPU profiles of ${left} (${A.signIns} sign-ins) and ${right} (${B.signIns} sign-ins), in µs of CPU per sign-in (the whole life of each app process, start-up and warm-up included)`);
const groupNames = [...new Set([...A.groups.keys(), ...B.groups.keys()])].filter((g) => g !== '(idle)');
console.log('\nSelf time by where the code lives');
table(
  ['where', left, right, `${left} − ${right}`],
  [
    ...groupNames.sort((x, y) => (A.groups.get(y) ?? 0) - (A.groups.get(x) ?? 0)).map((g) => [g, f(A.groups.get(g) ?? 0), f(B.groups.get(g) ?? 0), f((A.groups.get(g) ?? 0) - (B.groups.get(g) ?? 0))]),
    ['all but idle', f(A.busy), f(B.busy), f(A.busy - B.busy)],
  ],
);

const TOP = Number(process.env.PROFILE_TOP ?? 30);
const top = (m: Map<string, number>) => [...m].sort((x, y) => y[1] - x[1]).slice(0, TOP);
console.log(`\nTop ${TOP} functions by self time in ${left}`);
table(['function', left, right], top(A.self).map(([k, v]) => [k, f(v), f(B.self.get(k))]));
console.log(`\nTop ${TOP} functions by self time in ${left}'s own code (passport-7geese's dist/)`);
table(
  ['function', `${left} self`, `${left} inclusive`],
  top(new Map([...A.self].filter(([k]) => k.includes('dist/cjs/')))).map(([k, v]) => [k, f(v), f(A.total.get(k))]),
);
const keys = new Set([...A.self.keys(), ...B.self.keys()]);
const diff = [...keys].map((k) => [k, (A.self.get(k) ?? 0) - (B.self.get(k) ?? 0)] as const);
console.log(`\nTop ${TOP} functions where ${left} spends more self time than ${right}`);
table(
  ['function', left, right, `${left} − ${right}`],
  diff
    .filter(([, d]) => d > 0)
    .sort((x, y) => y[1] - x[1])
    .slice(0, TOP)
    .map(([k, d]) => [k, f(A.self.get(k) ?? 0), f(B.self.get(k) ?? 0), f(d)]),
);
console.log(`\nTop ${Math.round(TOP / 2)} functions where ${right} spends more self time than ${left}`);
table(
  ['function', left, right, `${right} − ${left}`],
  diff
    .filter(([, d]) => d < 0)
    .sort((x, y) => x[1] - y[1])
    .slice(0, Math.round(TOP / 2))
    .map(([k, d]) => [k, f(A.self.get(k) ?? 0), f(B.self.get(k) ?? 0), f(-d)]),
);

// Inclusive time of the functions the issue suspects, and of what calls JSON.parse/stringify.
const SUSPECTS = (process.env.PROFILE_FUNCTIONS ?? 'getSession,hash,set,generate,save,ClientRequest,urlToHttpOptions,URLSearchParams,runMicrotasks,parse,stringify').split(',');
const suspectKeys = [...new Set([...A.total.keys(), ...B.total.keys()])].filter((k) => SUSPECTS.includes(k.split(' ', 1)[0]!));
console.log('\nInclusive time (self + callees) of selected functions');
table(
  ['function', left, right, `${left} − ${right}`],
  suspectKeys
    .map((k) => [k, A.total.get(k) ?? 0, B.total.get(k) ?? 0] as const)
    .filter(([, a, b]) => a + b >= 1)
    .sort((x, y) => y[1] - y[2] - (x[1] - x[2]))
    .map(([k, a, b]) => [k, f(a), f(b), f(a - b)]),
);
