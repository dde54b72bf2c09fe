import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../example-app/src/config.js';

const real = { SEVENGEESE_CLIENT_ID: 'id', SEVENGEESE_CLIENT_SECRET: 'secret', SEVENGEESE_CALLBACK_URL: 'https://app.example.com/auth/7geese/callback', SESSION_SECRET: 's'.repeat(32) };

describe('example app settings', () => {
  it('uses the simulator on port 3000 when nothing is set', () => {
    const c = loadConfig({});
    expect(c.upstream).toEqual({ kind: 'simulator' });
    expect(c.port).toBe(3000);
    expect(c.sessionSecret).toHaveLength(64);
  });

  it('uses 7Geese when the client settings are given', () => {
    expect(loadConfig({ ...real, PORT: '8080', SEVENGEESE_BASE_URL: 'https://app.7geese.com' })).toMatchObject({
      port: 8080,
      upstream: { kind: 'real', clientID: 'id', clientSecret: 'secret', callbackURL: real.SEVENGEESE_CALLBACK_URL, baseURL: 'https://app.7geese.com' },
    });
  });

  it('asks for the scopes in SEVENGEESE_SCOPE when set', () => {
    expect(loadConfig({ ...real, SEVENGEESE_SCOPE: 'userprofile:read  objective:write' }).scope).toBe('userprofile:read  objective:write');
    expect(loadConfig(real).scope).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number from 1 to 65535, got "eighty".'],
    [{ PORT: '70000' }, 'PORT must be a whole number from 1 to 65535, got "70000".'],
    [{ SIMULATOR_PORT: '0' }, 'SIMULATOR_PORT must be a whole number from 1 to 65535, got "0".'],
    [{ SEVENGEESE_CLIENT_ID: 'id' }, 'SEVENGEESE_CLIENT_SECRET is missing'],
    [{ SEVENGEESE_CLIENT_SECRET: 's' }, 'SEVENGEESE_CLIENT_ID is missing'],
    [{ ...real, SEVENGEESE_CALLBACK_URL: '' }, 'SEVENGEESE_CALLBACK_URL is missing'],
    [{ ...real, SEVENGEESE_CALLBACK_URL: 'app.example.com/cb' }, 'SEVENGEESE_CALLBACK_URL must be an absolute http:// or https:// URL, got "app.example.com/cb".'],
    [{ ...real, SEVENGEESE_BASE_URL: 'ftp://x' }, 'SEVENGEESE_BASE_URL must be an absolute http:// or https:// URL'],
    [{ ...real, SESSION_SECRET: undefined }, 'SESSION_SECRET is missing'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET is too short'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY must be true or false, got "maybe".'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL must start with redis:// or rediss://.'],
    [{ SEVENGEESE_PASSWORD_CLIENT_ID: 'x' }, 'Set both SEVENGEESE_PASSWORD_CLIENT_ID and SEVENGEESE_PASSWORD_CLIENT_SECRET, or neither.'],
    [{ SEVENGEESE_SCOPE: 'objectives:read' }, 'SEVENGEESE_SCOPE'],
    [{ HOST: 'local host' }, 'HOST must be an address or host name to listen on'],
    [{ SEVENGEESE_SCOPE: 'all userprofile:read' }, 'SEVENGEESE_SCOPE'],
  ])('stops start-up naming a bad setting: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
