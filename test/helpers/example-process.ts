// The example app's real entry point (`npm start` without the build step) in a child process.
// Needs the built example app (`npm test` builds it first).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { stopChild } from './stop-child.js';

const entry = resolve(import.meta.dirname, '../../example-app/dist/server.js');

export interface ExampleProcess {
  /** What it printed until it was ready or exited. */
  output: string;
  /** Its exit code when it stopped at start-up; null while it runs. */
  exitCode: number | null;
  /** Stops it, when it still runs. */
  stop(): Promise<void>;
}

/**
 * Starts the example app with only these environment variables (and PATH), listening on
 * 127.0.0.1; resolves once it says it is ready, or when it exits.
 */
export function startExampleProcess(env: Record<string, string>): Promise<ExampleProcess> {
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => stopChild(child);
  let output = '';
  return new Promise((done) => {
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Sessions are kept')) done({ output, exitCode: null, stop });
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.once('exit', (code) => done({ output, exitCode: code, stop }));
  });
}
