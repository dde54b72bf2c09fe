// The 7Geese simulator for the benchmark, in its own process, approving at once.
import { startSimulator } from 'passport-7geese/testing';

const sim = await startSimulator({ autoApprove: 1 });
// The benchmark makes hundreds of thousands of requests: don't keep a record of them.
setInterval(() => sim.clearRequests(), 200).unref();
process.send!({ type: 'ready', baseURL: sim.baseURL });
process.on('message', (msg: { type: string; client?: { clientId: string; clientSecret: string; redirectUris: string[] } }) => {
  if (msg.type === 'addClient' && msg.client) {
    sim.addClient(msg.client);
    process.send!({ type: 'added' });
  }
  if (msg.type === 'stop') void sim.close().then(() => process.exit(0));
});
