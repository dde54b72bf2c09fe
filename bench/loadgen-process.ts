// The load generator, in a process of its own so that its CPU time is neither the app's nor
// the benchmark's: a fixed number of virtual users per app, each a browser with its own cookie
// jar, making complete sign-ins over keep-alive node:http connections.
import { Agent, get as httpGet } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

interface Answer {
  status: number;
  location: string | undefined;
  setCookie: string[];
}

/** A GET that does not follow redirects. */
function get(url: string, cookie: string): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = httpGet(url, { agent, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0, location: res.headers.location, setCookie: res.headers['set-cookie'] ?? [] }));
    });
    req.on('error', fail);
  });
}

/** One browser: a cookie jar kept across its sign-ins. */
class VirtualUser {
  readonly #jar = new Map<string, string>();
  #cookie = '';

  #take(res: Answer): void {
    if (res.setCookie.length === 0) return;
    for (const line of res.setCookie) {
      const pair = line.split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      this.#jar.set(pair.slice(0, eq), pair);
    }
    this.#cookie = [...this.#jar.values()].join('; ');
  }

  /** One complete sign-in; resolves with the callback's latency in milliseconds. */
  async signIn(app: string): Promise<number> {
    const start = await get(`${app}/auth/7geese`, this.#cookie);
    this.#take(start);
    if (start.status !== 302 || !start.location) throw new Error(`${app}: the start of sign-in answered ${start.status}`);
    const authorize = await get(start.location, '');
    if (authorize.status !== 302 || !authorize.location) throw new Error(`the simulator's authorize answered ${authorize.status}`);
    const t0 = performance.now();
    const done = await get(authorize.location, this.#cookie);
    const latency = performance.now() - t0;
    this.#take(done);
    if (done.status !== 302 || done.location !== '/') throw new Error(`${app}: sign-in failed: ${done.status} ${done.location}`);
    return latency;
  }
}

const users = new Map<string, VirtualUser[]>();
const latencies = new Map<string, number[]>();

/** `count` sign-ins shared among the app's virtual users; resolves with the wall time in ms. */
async function run(app: string, vus: number, count: number, record: boolean): Promise<number> {
  let crowd = users.get(app);
  if (!crowd) users.set(app, (crowd = Array.from({ length: vus }, () => new VirtualUser())));
  let kept = latencies.get(app);
  if (!kept) latencies.set(app, (kept = []));
  let left = count;
  const t0 = performance.now();
  await Promise.all(
    crowd.map(async (u) => {
      while (left > 0) {
        left -= 1;
        const ms = await u.signIn(app);
        if (record) kept.push(ms);
      }
    }),
  );
  return performance.now() - t0;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

type Message =
  | { type: 'run'; app: string; vus: number; count: number; record: boolean }
  | { type: 'start'; app: string }
  | { type: 'latency'; app: string }
  | { type: 'stop' };

process.on('message', (msg: Message) => {
  const fail = (err: Error) => process.send!({ type: 'error', message: err.message });
  if (msg.type === 'run') {
    run(msg.app, msg.vus, msg.count, msg.record).then((wallMs) => process.send!({ type: 'ran', wallMs }), fail);
  } else if (msg.type === 'start') {
    // The start leg alone, from a browser with no cookie: what a pending sign-in leaves in the session.
    get(`${msg.app}/auth/7geese`, '').then((res) => process.send!({ type: 'started', setCookie: res.setCookie }), fail);
  } else if (msg.type === 'latency') {
    const sorted = [...(latencies.get(msg.app) ?? [])].sort((x, y) => x - y);
    process.send!({ type: 'latency', p50: percentile(sorted, 50), p99: percentile(sorted, 99) });
  } else if (msg.type === 'stop') {
    agent.destroy();
    process.exit(0);
  }
});
process.send!({ type: 'ready' });
