import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import * as testing from '../src/testing/index.js';

describe('the public API', () => {
  it('exports exactly these names from passport-7geese', () => {
    expect(Object.keys(api).sort()).toEqual([
      'CHANNELS',
      'CookieStateStore',
      'MemoryTokenStore',
      'PasswordStrategy',
      'RedisTokenStore',
      'SCOPE_RESOURCES',
      'SIGN_IN_FAILURES',
      'SessionStateStore',
      'SevenGeeseAPIError',
      'SevenGeeseAuthorizationError',
      'SevenGeeseClient',
      'SevenGeeseError',
      'SevenGeeseNetworkError',
      'SevenGeeseResponseError',
      'SevenGeeseTimeoutError',
      'SevenGeeseTokenError',
      'SevenGeeseTokenStoreError',
      'SevenGeeseUnavailableError',
      'Strategy',
      'getAccessToken',
      'requireScopes',
    ]);
  });

  it('exports the simulator from passport-7geese/testing', () => {
    expect(Object.keys(testing).sort()).toEqual(['DEMO_CLIENT', 'DEMO_USERS', 'Simulator', 'describeScope', 'startSimulator']);
  });

  it('gives every error class its own name and keeps them instances of Error', () => {
    const e = new api.SevenGeeseTimeoutError('https://app.7geese.com/o/token/', 100);
    expect(e).toBeInstanceOf(api.SevenGeeseError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('SevenGeeseTimeoutError');
    const t = new api.SevenGeeseTokenError({ code: 'invalid_grant', status: 400, endpoint: 'x' });
    expect(t.name).toBe('SevenGeeseTokenError');
    expect(t).toBeInstanceOf(Error);
  });
});
