import { SevenGeeseResponseError } from './errors.js';
import type { SevenGeeseOAuth2 } from './oauth2-client.js';
import { isRecord } from './json.js';

/**
 * The signed-in 7Geese user, normalised to Passport's profile shape.
 *
 * @see https://www.passportjs.org/reference/normalized-profile/
 */
export interface Profile {
  /** Always `'7geese'`, as Passport's profile convention asks. */
  provider: '7geese';
  /** The 7Geese user id, as a string. */
  id: string;
  /** The 7Geese username, or the email when 7Geese sends no username. */
  username: string | undefined;
  /** The person's full name; else the username, else the id. */
  displayName: string;
  /** The person's name in parts, as Passport's profile convention has it. */
  name: {
    /** The first name (`first_name`). */
    givenName: string | undefined;
    /** The last name (`last_name`). */
    familyName: string | undefined;
  };
  /** The email address, when 7Geese sent one (one entry at most). */
  emails: Array<{
    /** The address. */
    value: string;
  }>;
  /** The photo (`profile_img`), when 7Geese sent one (one entry at most). */
  photos: Array<{
    /** Its URL. */
    value: string;
  }>;
  /** The body 7Geese answered with, as text. */
  _raw: string;
  /** The user object the profile was read from, after unwrapping any list envelope. */
  _json: Record<string, unknown>;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function identifier(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return typeof value === 'string' && /^[\w.:-]{1,128}$/.test(value) ? value : undefined;
}

/**
 * Unwraps a list envelope: Django REST Framework's `{count, results}` or the v1 API's
 * `{meta, objects}`. Exactly one entry is the user; any other count is refused, because signing
 * someone in as the first user of a list would give them another person's account.
 */
function unwrap(json: Record<string, unknown>, endpoint: string): Record<string, unknown> {
  const list = Array.isArray(json.results) ? json.results : Array.isArray(json.objects) ? json.objects : undefined;
  if (!list) return json;
  const [only] = list;
  if (list.length !== 1 || !isRecord(only)) {
    throw new SevenGeeseResponseError(
      `7Geese answered a list of ${list.length} entries at ${endpoint} where one signed-in user was expected. Set the "profileURL" option to the endpoint for the signed-in user (such as /api/v/2.0/users/me/).`,
      'ambiguous_profile',
      { endpoint },
    );
  }
  return only;
}

/**
 * Normalises what 7Geese's profile endpoint answered: a flat user (`/users/me/`), or a
 * userprofile with a nested `user` (`/userprofiles/me/`, or the v1 API), optionally inside a
 * list envelope holding exactly one entry.
 *
 * @throws SevenGeeseResponseError when there is no usable id or the list does not hold exactly one user.
 */
export function parseProfile(json: unknown, raw: string, endpoint: string): Profile {
  const invalid = (why: string) =>
    new SevenGeeseResponseError(
      `7Geese's profile from ${endpoint} ${why}. Check that the "profileURL" option points at the endpoint for the signed-in user.`,
      'invalid_profile',
      { endpoint },
    );
  if (!isRecord(json)) throw invalid('is not a JSON object');
  const entry = unwrap(json, endpoint);
  // A userprofile nests its user; the user's own id is the stable identity, so prefer it.
  const user = isRecord(entry.user) ? entry.user : entry;
  const id = identifier(user.id) ?? identifier(entry.id);
  if (id === undefined) throw invalid('has no usable "id" (a number or a short string)');

  const givenName = text(user.first_name);
  const familyName = text(user.last_name);
  const email = text(user.email);
  const username = text(user.username) ?? email;
  const photo = text(entry.profile_img) ?? text(user.profile_img);
  const fullName = [givenName, familyName].filter(Boolean).join(' ');
  return {
    provider: '7geese',
    id,
    username,
    displayName: fullName || username || id,
    name: { givenName, familyName },
    emails: email ? [{ value: email }] : [],
    photos: photo ? [{ value: photo }] : [],
    _raw: raw,
    _json: entry,
  };
}

/**
 * GETs the signed-in user from `profileURL` with the token in the `Authorization` header and
 * normalises it. The profile needs the `userprofile:read` scope, named in the error for a 403.
 */
export function loadProfile(client: SevenGeeseOAuth2, profileURL: string, accessToken: string): Promise<Profile> {
  return client.fetchAPI('GET', profileURL, accessToken, {
    operation: 'profile',
    scope: 'userprofile:read',
    tooDeepCode: 'invalid_profile',
    notFoundAdvice:
      'Set the "profileURL" option to the 7Geese endpoint for the signed-in user, such as /api/v/2.0/userprofiles/me/.',
  }).then(({ json, body, endpoint }) => parseProfile(json, body, endpoint));
}
