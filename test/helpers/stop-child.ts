// Stopping a child process a test started: SIGTERM, then wait until it has exited.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** Stops the child with SIGTERM and resolves once it has exited; at once when it already has. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
