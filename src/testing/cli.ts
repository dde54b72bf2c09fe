#!/usr/bin/env node
// `npx passport-7geese-simulator`: the 7Geese simulator as a command, for end-to-end tests in
// any stack (Playwright, Cypress, another language) and for pointing an app at it by hand.
import { fstatSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_CLIENT } from './demo-data.js';
import { startSimulator } from './simulator.js';
import type { SimulatedClient } from './types.js';

const USAGE = `Usage: passport-7geese-simulator [options]

  --port N                  the port to listen on (default 4000; 0 picks a free one)
  --host ADDRESS            the address to listen on (default 127.0.0.1)
  --client ID:SECRET:URI    register a client with this redirect URI; repeat the option or
                            separate several URIs with commas; without it, the demo client
                            (${DEMO_CLIENT.clientId}:${DEMO_CLIENT.clientSecret}) is registered
  --auto-approve EMAIL      approve every sign-in at once as this person, with no consent page
  --detached                keep running when the process that started it ends or its
                            standard input closes; stop it with SIGTERM
  --help                    show this help

It prints its URL and the demo people, then runs until it gets SIGINT, SIGTERM or SIGHUP, until
the process that started it ends (npx and \`sh -c\` count as part of the command), or until its
standard input, when that is a pipe, is closed.`;

/** Reads `ID:SECRET:URI[,URI…]`; a URI contains colons itself, so only the first two split. */
function parseClient(text: string): SimulatedClient {
  const first = text.indexOf(':');
  const second = text.indexOf(':', first + 1);
  const uris = second > 0 ? text.slice(second + 1).split(',').filter(Boolean) : [];
  const clientId = text.slice(0, first);
  const clientSecret = text.slice(first + 1, second);
  if (first <= 0 || second <= first + 1 || uris.length === 0 || uris.some((u) => !URL.canParse(u))) {
    throw new Error(`--client must be ID:SECRET:URI with an absolute redirect URI, such as my-app:my-secret:http://localhost:3000/auth/7geese/callback; got ${JSON.stringify(text)}.`);
  }
  return { clientId, clientSecret, name: clientId, redirectUris: uris };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535; got ${JSON.stringify(text)}.`);
  return port;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '4000' },
      host: { type: 'string', default: '127.0.0.1' },
      client: { type: 'string', multiple: true },
      'auto-approve': { type: 'string' },
      detached: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = parsePort(values.port);
  const clients = (values.client ?? []).map(parseClient);
  const sim = await startSimulator({
    port,
    host: values.host,
    ...(clients.length ? { clients } : {}),
    ...(values['auto-approve'] ? { autoApprove: values['auto-approve'] } : {}),
  });
  const registered = clients.length ? clients : [DEMO_CLIENT];
  console.log(`7Geese simulator running at ${sim.baseURL}`);
  for (const c of registered) console.log(`  client:       ${c.clientId} (secret ${c.clientSecret}) → ${c.redirectUris.join(' ')}`);
  console.log(`  demo people:  ${sim.users.map((u) => `${u.email} / ${u.password}`).join(', ')}`);
  console.log(`Point your app at it: baseURL ${sim.baseURL} (SEVENGEESE_BASE_URL for the example app).`);
  let stopping = false;
  const stop = (why?: string): void => {
    if (stopping) return;
    stopping = true;
    // Said, so that a CI log shows why a simulator went away without being told to.
    if (why) console.error(`passport-7geese-simulator: ${why}; stopping.`);
    void sim.close().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => stop());
  if (!values.detached) stopWithLauncher(stop, launcher);
}

/** The parent's parent, from /proc (Linux); undefined elsewhere, or once the parent is gone. */
function grandparent(): number | undefined {
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    // `pid (command) state ppid …`: the command may hold spaces and parentheses, so count from its end.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Stops the simulator when whatever started it is gone, so that a test runner that stops `npx`
 * leaves nothing serving the port: npx passes no signal on, and runs the command under `sh -c`,
 * which outlives an npx stopped with SIGKILL. So: when this process's parent changes (it was
 * re-parented), when its parent's parent changes (the `sh -c` was), and when standard input, if a
 * pipe or socket that another program holds, reaches its end (Python's `stdin=PIPE`, Java's
 * ProcessBuilder: their pipe closes when they exit, however they exit). A terminal, /dev/null or
 * a file as standard input is left alone.
 */
function stopWithLauncher(stop: (why: string) => void, { parent, itsParent }: typeof launcher): void {
  // Polling is the only way to learn of a parent's end without its help; twice a second is cheap.
  setInterval(() => {
    if (process.ppid !== parent || grandparent() !== itsParent) stop('the process that started it is gone');
  }, 500).unref();
  let stdin;
  try {
    stdin = fstatSync(0);
  } catch {
    return; // no standard input at all
  }
  if (stdin.isFIFO() || stdin.isSocket()) {
    const closed = () => stop('its standard input was closed');
    process.stdin.on('end', closed).on('error', closed).resume();
  }
}

// Read first thing: a launcher killed while the simulator starts must count as gone.
const launcher = { parent: process.ppid, itsParent: grandparent() };
main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`passport-7geese-simulator: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  process.exit(2);
});
