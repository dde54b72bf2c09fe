// One benchmarked app in a process of its own, so that its CPU time and memory are its own.
// Talks to the benchmark over IPC: it reports its port, and its CPU and RSS when asked.
import type { AddressInfo } from 'node:net';
import { createSetup, type Setup } from './apps.js';

const [setup, baseURL, clientID, clientSecret] = process.argv.slice(2) as [Setup, string, string, string];
const server = createSetup(setup, { baseURL, clientID, clientSecret }).listen(0, '127.0.0.1', () => {
  process.send!({ type: 'port', port: (server.address() as AddressInfo).port });
});
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'stats') {
    (globalThis as { gc?: () => void }).gc?.();
    const cpu = process.cpuUsage();
    process.send!({ type: 'stats', cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage().rss });
  }
  if (msg.type === 'stop') server.close(() => process.exit(0));
});
