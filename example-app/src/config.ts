import { randomBytes } from 'node:crypto';
import { Strategy } from 'passport-7geese';

/** How the example app reaches 7Geese: the built-in simulator, or the real service. */
export type Upstream =
  | { kind: 'simulator' }
  | { kind: 'real'; clientID: string; clientSecret: string; callbackURL: string; baseURL: string | undefined };

export interface Config {
  port: number;
  /** The built-in simulator's port, when set; else the app's port + 1 if free, else any. */
  simulatorPort: number | undefined;
  /** The address to listen on; every interface when unset. */
  host: string | undefined;
  upstream: Upstream;
  sessionSecret: string;
  /** Behind a proxy that terminates HTTPS: trust X-Forwarded-Proto so cookies become Secure. */
  trustProxy: boolean;
  /** The 7Geese API endpoint for the signed-in user, when not the library's default. */
  profileURL: string | undefined;
  /** Share sessions between instances through Redis. */
  redisURL: string | undefined;
  /** A second 7Geese application registered for the password grant, when there is one. */
  password: { clientID: string; clientSecret: string } | undefined;
  /** The scopes to ask for, space-separated, when not the app's default. */
  scope: string | undefined;
}

/** A setting that stops start-up, with a message naming it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function absoluteURL(name: string, value: string): string {
  try {
    if (/^https?:$/.test(new URL(value).protocol)) return value;
  } catch {
    // reported below
  }
  throw new ConfigError(`${name} must be an absolute http:// or https:// URL, got ${JSON.stringify(value)}.`);
}

/** Reads the example app's settings from environment variables; see docs/example-app.md. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };
  const portOf = (name: string, text: string) => {
    const port = Number(text);
    if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
      throw new ConfigError(`${name} must be a whole number from 1 to 65535, got ${JSON.stringify(text)}.`);
    }
    return port;
  };
  const port = portOf('PORT', get('PORT') ?? '3000');
  const simulatorPortText = get('SIMULATOR_PORT');
  const simulatorPort = simulatorPortText === undefined ? undefined : portOf('SIMULATOR_PORT', simulatorPortText);

  const clientID = get('SEVENGEESE_CLIENT_ID');
  const clientSecret = get('SEVENGEESE_CLIENT_SECRET');
  if ((clientID === undefined) !== (clientSecret === undefined)) {
    const missing = clientID === undefined ? 'SEVENGEESE_CLIENT_ID' : 'SEVENGEESE_CLIENT_SECRET';
    throw new ConfigError(`${missing} is missing: set both SEVENGEESE_CLIENT_ID and SEVENGEESE_CLIENT_SECRET to use 7Geese, or neither to use the built-in simulator.`);
  }

  let upstream: Upstream = { kind: 'simulator' };
  let sessionSecret = get('SESSION_SECRET');
  if (clientID !== undefined && clientSecret !== undefined) {
    const callback = get('SEVENGEESE_CALLBACK_URL');
    if (!callback) {
      throw new ConfigError('SEVENGEESE_CALLBACK_URL is missing: set it to the redirect URI registered with your 7Geese application, such as https://app.example.com/auth/7geese/callback.');
    }
    const base = get('SEVENGEESE_BASE_URL');
    upstream = {
      kind: 'real',
      clientID,
      clientSecret,
      callbackURL: absoluteURL('SEVENGEESE_CALLBACK_URL', callback),
      baseURL: base === undefined ? undefined : absoluteURL('SEVENGEESE_BASE_URL', base),
    };
    if (sessionSecret === undefined) {
      throw new ConfigError('SESSION_SECRET is missing: set it to a long random string (at least 32 characters) that signs session cookies.');
    }
  }
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET is too short: use at least 32 random characters.');
  }
  // With the simulator nothing outlives the process, so a fresh secret per start is fine.
  sessionSecret ??= randomBytes(32).toString('hex');

  const trust = get('TRUST_PROXY') ?? 'false';
  if (!['true', 'false', '1', '0'].includes(trust)) throw new ConfigError(`TRUST_PROXY must be true or false, got ${JSON.stringify(trust)}.`);
  const redis = get('REDIS_URL');
  if (redis !== undefined && !/^rediss?:\/\//.test(redis)) throw new ConfigError('REDIS_URL must start with redis:// or rediss://.');

  const pwID = get('SEVENGEESE_PASSWORD_CLIENT_ID');
  const pwSecret = get('SEVENGEESE_PASSWORD_CLIENT_SECRET');
  if ((pwID === undefined) !== (pwSecret === undefined)) {
    throw new ConfigError('Set both SEVENGEESE_PASSWORD_CLIENT_ID and SEVENGEESE_PASSWORD_CLIENT_SECRET, or neither.');
  }
  const password = pwID !== undefined && pwSecret !== undefined ? { clientID: pwID, clientSecret: pwSecret } : undefined;

  const profile = get('SEVENGEESE_PROFILE_URL');
  const profileURL = profile === undefined ? undefined : absoluteURL('SEVENGEESE_PROFILE_URL', profile);

  const scope = get('SEVENGEESE_SCOPE');
  if (scope !== undefined) {
    try {
      // The strategy checks its scopes on construction: one built here only for that stops
      // start-up naming the setting, before anything listens.
      new Strategy({ clientID: 'check', clientSecret: 'check', callbackURL: '/', scope }, async () => false);
    } catch (err) {
      throw new ConfigError(`SEVENGEESE_SCOPE: ${(err as Error).message}`);
    }
  }

  const host = get('HOST');
  if (host !== undefined && !/^[\w.:-]+$/.test(host)) throw new ConfigError(`HOST must be an address or host name to listen on, such as 127.0.0.1, got ${JSON.stringify(host)}.`);

  return { port, simulatorPort, host, upstream, sessionSecret, profileURL, trustProxy: trust === 'true' || trust === '1', redisURL: redis, password, scope };
}
