/** A person the simulator knows: they sign in on its consent page or with the password grant. */
export interface SimulatedUser {
  /** The 7Geese user id. */
  id: number;
  /** The email they sign in with. */
  email: string;
  /** Their password, for the password grant. */
  password: string;
  /** First name, as 7Geese's API names it. */
  first_name: string;
  /** Last name, as 7Geese's API names it. */
  last_name: string;
  /** The 7Geese username. */
  username: string;
  /** Job title, shown on the consent page. */
  position?: string;
  /** A URL the browser can load; the demo users' are served by the simulator itself. */
  profile_img?: string;
}

/** An application registered with the simulator, as at https://app.7geese.com/account/applications/. */
export interface SimulatedClient {
  /** The application's client ID. */
  clientId: string;
  /** The application's client secret. */
  clientSecret: string;
  /** Redirect URIs, compared exactly as django-oauth-toolkit does. */
  redirectUris: string[];
  /** Shown on the consent page. */
  name?: string;
  /**
   * The grant types the client may use. A 7Geese application is registered with one of them;
   * another grant is refused with `unauthorized_client`, as django-oauth-toolkit does.
   * @default ['authorization-code', 'password'] (so that one demo client serves both sign-in forms)
   */
  grantTypes?: Array<'authorization-code' | 'password'>;
}

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** @default 0 (the operating system picks a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default DEMO_USERS */
  users?: SimulatedUser[];
  /** @default [DEMO_CLIENT] */
  clients?: SimulatedClient[];
  /** Approve at once as this user (email or id), without the consent page. @default false */
  autoApprove?: string | number | false;
  /** How long an authorization code works. @default 60 (django-oauth-toolkit's default) */
  codeLifetimeSeconds?: number;
  /** @default 36000 (7Geese's ten hours) */
  accessTokenLifetimeSeconds?: number;
  /** Objectives seeded for each user. @default 7 */
  objectivesPerUser?: number;
  /**
   * How many requests `sim.requests` keeps, the newest; older ones are dropped. `0` keeps none.
   * @default 1000
   */
  requestLogSize?: number;
  /**
   * Keep credentials in clear in `sim.requests`, for a test that compares a secret, code, token or
   * password exactly. By default they are replaced with `[redacted]`: `Authorization` header values
   * (the scheme stays: `Basic [redacted]`), and the fields `client_secret`, `password`, `code`,
   * `code_verifier`, `refresh_token`, `access_token` and `token` of forms and query strings.
   * @default false
   */
  recordCredentials?: boolean;
  /**
   * The most authorization codes, and the most token pairs, kept at once; past it the oldest are
   * forgotten (a forgotten refresh token is `invalid_grant`), so that a long-running simulator
   * stays bounded. Expired codes and access tokens, and rotated or revoked refresh tokens, are
   * forgotten anyway, as django-oauth-toolkit's `cleartokens` does.
   * @default 10000
   */
  maxStoredTokens?: number;
}

/** The endpoints a fault can be set on. */
export type EndpointName =
  | 'authorize'
  | 'token'
  | 'revoke'
  | 'introspect'
  | 'users/me'
  | 'userprofiles/me'
  | 'objectives'
  | 'graphql';

/** Something going wrong at an endpoint, for tests. `times` limits it to the next N requests. */
export type Fault = (
  | {
      /** Answer normally, this many milliseconds late. */
      delayMs: number;
    }
  | {
      /** Never answer (until the simulator closes). */
      hang: true;
    }
  | {
      /** Answer with this status… */
      status: number;
      /** …this body… */
      body: string;
      /** …and these headers. */
      headers?: Record<string, string>;
    }
  | {
      /** Redirect to this URL… */
      redirect: string;
      /** …with this status. @default 302 */
      status?: 301 | 302 | 303 | 307 | 308;
    }
  | {
      /** Close the connection without an answer. */
      drop: true;
    }
  | {
      /** Answer 200 with a body that never ends: this chunk again and again. */
      drip: {
        /** What each write sends. */
        chunk: string;
        /** The pause between writes, in milliseconds. */
        intervalMs: number;
      };
    }
  /**
   * Answers as a throttled Django REST Framework view does: 429 (or 503) with
   * `{"detail": "Request was throttled."}` and, when given, `Retry-After` (seconds or an HTTP-date).
   */
  | {
      /** Answer as a throttled view. */
      rateLimited: true;
      /** The `Retry-After` header: seconds or an HTTP-date. */
      retryAfter?: number | string;
      /** @default 429 */
      status?: 429 | 503;
    }
) & {
  /** Only the next this many requests; every one when absent. */
  times?: number;
};

/** A request the simulator received, for tests to assert what an app sent. */
export interface RecordedRequest {
  /** The HTTP method. */
  method: string;
  /** The path, without the query string. */
  path: string;
  /** The query string's fields. */
  query: Record<string, string | string[]>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body (its first 8 KiB); a form's is rebuilt from the redacted fields. */
  body: string;
  /** The body parsed as a form, when it is one. */
  form: Record<string, string>;
  /** The client id the request names, from HTTP Basic or the form's `client_id`, even when redacted. */
  clientId: string | undefined;
}

/** Tokens as the token endpoint answers them. */
export interface IssuedTokens {
  /** The access token. */
  access_token: string;
  /** The refresh token, which works once. */
  refresh_token: string;
  /** Always `Bearer`. */
  token_type: 'Bearer';
  /** The access token's lifetime in seconds. */
  expires_in: number;
  /** The granted scopes, space-separated. */
  scope: string;
}
