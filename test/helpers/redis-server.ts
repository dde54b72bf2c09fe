// A real redis-server for a test: on a free loopback port, nothing saved to disk, stopped by the
// test; every test that needs Redis starts it here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';
import { stopChild } from './stop-child.js';

/** Whether Debian's redis-server is installed (.ci/run installs it). */
export const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
export const noRedisReason = "no redis-server (install Debian's package: apt-get install redis-server)";

export interface RedisServer {
  /** Such as `redis://127.0.0.1:41234`. */
  url: string;
  stop(): Promise<void>;
}

/** Starts redis-server on 127.0.0.1 and a free port; resolves once it accepts connections. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const redis: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((ready, fail) => {
    redis.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) ready();
    });
    redis.once('exit', (code) => fail(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => stopChild(redis),
  };
}
