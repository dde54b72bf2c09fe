// One benchmarked app in a process of its own, so that its CPU time and memory are its own.
// Talks to the benchmark over IPC: it reports its port; when asked, its CPU time, memory and
// the connections it has opened to 7Geese (read as they are, no gc() first), and the size of a
// session. The benchmark asks before and after each round, never during one.
import { subscribe } from 'node:diagnostics_channel';
import type { AddressInfo } from 'node:net';
import { createSetup, type Setup } from './apps.js';

const [setup, baseURL, clientID, clientSecret] = process.argv.slice(2) as [Setup, string, string, string];

// Every outgoing TCP connection this process opens: all of them go to the simulator.
let upstreamConnections = 0;
subscribe('net.client.socket', () => {
  upstreamConnections += 1;
});

const app = await createSetup(setup, { baseURL, clientID, clientSecret });
app.server.keepAliveTimeout = 60_000;
app.server.listen(0, '127.0.0.1', () => {
  process.send!({ type: 'port', port: (app.server.address() as AddressInfo).port });
});

type Message = { type: 'stats' } | { type: 'session'; setCookie: string } | { type: 'stop' };

process.on('message', (msg: Message) => {
  if (msg.type === 'stats') {
    const cpu = process.cpuUsage();
    process.send!({ type: 'stats', cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage.rss(), upstreamConnections });
  } else if (msg.type === 'session') {
    const id = app.sessionId(msg.setCookie);
    process.send!({ type: 'session', json: id === undefined ? undefined : app.sessionJSON(id) });
  } else if (msg.type === 'stop') {
    app.server.closeAllConnections();
    app.server.close(() => process.exit(0));
  }
});
