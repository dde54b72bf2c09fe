// Every server a test starts listens on 127.0.0.1. supertest starts one per request with
// `app.listen(0)`, which would listen on every interface; this gives such calls (a port and no
// host) the loopback address. Calls that name a host are left alone.
import { Server } from 'node:http';

const listen = Server.prototype.listen;
Server.prototype.listen = function (this: Server, ...args: unknown[]) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    return listen.apply(this, [args[0], '127.0.0.1', ...args.slice(1)] as Parameters<typeof listen>);
  }
  return listen.apply(this, args as Parameters<typeof listen>);
} as typeof listen;
