// Cold `import` time of a package: each measurement a fresh Node process that imports it once
// and reports how long the import took (Node's own start-up is not counted).
import { execFileSync } from 'node:child_process';

function once(specifier: string, cwd: string): number {
  const code = `const t0 = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t0));`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8' }));
}

/** `repetitions` cold imports of each package, alternating between them; the times in ms. */
export function importTimes(specifiers: readonly string[], repetitions: number, cwd: string): Map<string, number[]> {
  const times = new Map<string, number[]>(specifiers.map((s) => [s, []]));
  for (let i = 0; i < repetitions; i += 1) {
    // Alternate which goes first, so that neither always follows the other's disk cache warm-up.
    const order = i % 2 === 0 ? specifiers : [...specifiers].reverse();
    for (const s of order) times.get(s)!.push(once(s, cwd));
  }
  return times;
}
