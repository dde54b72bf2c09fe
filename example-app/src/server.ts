// Starts the example app: against the built-in 7Geese simulator by default, or against 7Geese
// when SEVENGEESE_CLIENT_ID and SEVENGEESE_CLIENT_SECRET are set. See docs/example-app.md.
import type { AddressInfo } from 'node:net';
import { RedisTokenStore, type RedisScriptClient } from 'passport-7geese';
import { DEMO_CLIENT, startSimulator, type Simulator } from 'passport-7geese/testing';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { LoginLimits } from './login-limits.js';
import { createSessionStore } from './session-store.js';
import { logSignIns } from './sign-in-log.js';
import { createStrategies } from './strategies.js';

/**
 * Starts the built-in simulator on SIMULATOR_PORT, else on the port after the app's when it is
 * free, else on any free port. A known port can be forwarded with the app's (the browser opens
 * the simulator's consent page itself); the fallback keeps `npm start` working when it is taken.
 */
async function embeddedSimulator(config: Config, client: typeof DEMO_CLIENT): Promise<Simulator> {
  if (config.simulatorPort !== undefined) {
    return startSimulator({ port: config.simulatorPort, clients: [client] }).catch((err: unknown) => {
      throw Object.assign(err as Error, { setting: 'SIMULATOR_PORT' });
    });
  }
  if (config.port < 65535) {
    try {
      return await startSimulator({ port: config.port + 1, clients: [client] });
    } catch (err) {
      if (!['EADDRINUSE', 'EACCES'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  return startSimulator({ port: 0, clients: [client] });
}

async function main(config: Config): Promise<void> {
  // The simulator checks redirect URIs exactly, as 7Geese does: register this port's.
  const demoClient = {
    ...DEMO_CLIENT,
    redirectUris: [`http://localhost:${config.port}/auth/7geese/callback`, `http://127.0.0.1:${config.port}/auth/7geese/callback`],
  };
  const sim = config.upstream.kind === 'simulator' ? await embeddedSimulator(config, demoClient) : undefined;
  const settings =
    config.upstream.kind === 'real'
      ? { ...config.upstream, profileURL: config.profileURL, password: config.password, scope: config.scope }
      : {
          clientID: DEMO_CLIENT.clientId,
          clientSecret: DEMO_CLIENT.clientSecret,
          // Relative: resolved against the host the browser used (localhost or 127.0.0.1), so the
          // session cookie set at the start of sign-in comes back on the callback.
          callbackURL: '/auth/7geese/callback',
          baseURL: sim!.baseURL,
          // The userprofile carries the photo; the flat user of /users/me/ does not.
          profileURL: `${sim!.baseURL}/api/v/2.0/userprofiles/me/`,
          password: { clientID: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret },
        };
  const { signIn, password } = createStrategies(settings);
  logSignIns();
  const sessions = await createSessionStore(config.redisURL);
  const app = createApp({
    strategy: signIn,
    passwordStrategy: password,
    sessionSecret: config.sessionSecret,
    sessionStore: sessions.store,
    // With Redis, every instance counts the same password attempts.
    loginLimits: new LoginLimits({ redis: sessions.redis }),
    // With Redis, every instance reads and refreshes each sign-in's tokens through one store, so
    // that two of them refreshing the same rotating token at once make one refresh between them.
    ...(sessions.redis ? { tokenStore: new RedisTokenStore({ client: sessions.redis as RedisScriptClient, prefix: 'p7g-example:' }) } : {}),
    trustProxy: config.trustProxy,
    usingSimulator: !!sim,
  });
  const server = config.host === undefined ? app.listen(config.port) : app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  console.log(`passport-7geese example app: open http://localhost:${port}`);
  if (sim) console.log(`Using the built-in 7Geese simulator at ${sim.baseURL} (no 7Geese account needed: pick a demo person on its consent page).`);
  else console.log(`Using 7Geese at ${settings.baseURL ?? 'https://app.7geese.com'}.`);
  if (!config.redisURL) console.log('Sessions are kept in memory (development only; set REDIS_URL to share them).');

  const stop = () => {
    server.close();
    server.closeAllConnections();
    void Promise.all([sim?.close(), sessions.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

try {
  await main(loadConfig(process.env));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`example-app: ${err.message}`);
  } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    const { port, setting = 'PORT' } = err as { port?: number; setting?: string };
    console.error(`example-app could not start: port ${port} is in use. Stop what is using it, or choose another port: ${setting}=${setting === 'PORT' ? 3100 : 3101} npm start`);
  } else {
    console.error(`example-app could not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
}
