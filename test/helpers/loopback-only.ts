// Every server a test starts listens on 127.0.0.1. supertest starts one per request with
// `app.listen(0)`, which would listen on every interface; this gives such calls (a port and no
// host) the loopback address. Calls that name a host are left alone.
import { Server } from 'node:http';

type Listen = (this: Server, ...args: unknown[]) => Server;
const listen = Server.prototype.listen as unknown as Listen;

Server.prototype.listen = function (this: Server, ...args: unknown[]) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
} as unknown as Server['listen'];
