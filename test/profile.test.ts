import { describe, expect, it } from 'vitest';
import { parseProfile } from '../src/profile.js';
import { SevenGeeseResponseError } from '../src/index.js';

const endpoint = 'https://app.7geese.com/api/v/2.0/users/me/';
const parse = (json: unknown) => parseProfile(json, JSON.stringify(json), endpoint);

describe('profile normalisation', () => {
  it('normalises a flat user object', () => {
    const json = { id: 42, email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', username: 'ada' };
    expect(parse(json)).toEqual({
      provider: '7geese',
      id: '42',
      username: 'ada',
      displayName: 'Ada Lovelace',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ value: 'ada@example.com' }],
      photos: [],
      _raw: JSON.stringify(json),
      _json: json,
    });
  });

  it('reads a userprofile with a nested user, using the user id and the profile image', () => {
    const json = {
      id: 1042,
      profile_img: 'https://cdn.example/ada.png',
      position: 'Analyst',
      user: { id: 42, email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace' },
    };
    const profile = parse(json);
    expect(profile.id).toBe('42');
    expect(profile.photos).toEqual([{ value: 'https://cdn.example/ada.png' }]);
    expect(profile.username).toBe('ada@example.com');
    expect(profile._json).toBe(json);
  });

  it('uses the profile id when the nested user has none, as the v1 API answers', () => {
    const json = { id: 7, resource_uri: '/api/v1/userprofile/7/', user: { email: 'b@example.com', first_name: 'B', last_name: '' } };
    expect(parse(json)).toMatchObject({ id: '7', displayName: 'B', emails: [{ value: 'b@example.com' }] });
  });

  it('unwraps a list envelope holding exactly one user', () => {
    const user = { id: 5, email: 'e@example.com' };
    expect(parse({ count: 1, next: null, previous: null, results: [user] })).toMatchObject({ id: '5', displayName: 'e@example.com' });
    expect(parse({ meta: { total_count: 1 }, objects: [{ id: 6, user: { email: 'f@example.com' } }] })).toMatchObject({ id: '6' });
  });

  it('refuses a list of two users instead of signing in as the first', () => {
    const json = { count: 2, results: [{ id: 1 }, { id: 2 }] };
    expect(() => parse(json)).toThrow(SevenGeeseResponseError);
    expect(() => parse(json)).toThrow(/a list of 2 entries .* Set the "profileURL" option/);
    expect(() => parse({ count: 0, results: [] })).toThrow(expect.objectContaining({ code: 'ambiguous_profile' }));
  });

  it('refuses a profile without a usable id', () => {
    expect(() => parse({ email: 'x@example.com' })).toThrow(expect.objectContaining({ code: 'invalid_profile' }));
    expect(() => parse({ id: { $gt: '' } })).toThrow(/has no usable "id"/);
    expect(() => parse({ id: '' })).toThrow(/has no usable "id"/);
    expect(() => parse({ id: 1.5 })).toThrow(/has no usable "id"/);
  });

  it('refuses something that is not an object', () => {
    expect(() => parse([{ id: 1 }])).toThrow(/is not a JSON object/);
    expect(() => parse('42')).toThrow(/is not a JSON object/);
  });

  it('keeps strings where strings belong and ignores values of the wrong type', () => {
    const profile = parse({ id: 9, email: 12, first_name: ['A'], last_name: { x: 1 }, username: 'nine' });
    expect(profile).toMatchObject({ id: '9', username: 'nine', displayName: 'nine', emails: [], name: { givenName: undefined, familyName: undefined } });
  });

  it('accepts an id as a whole string of word characters, dots, colons and dashes up to 128, and nothing else', () => {
    expect(parse({ id: 'usr_1.a:b-C' }).id).toBe('usr_1.a:b-C');
    expect(parse({ id: 'x'.repeat(128) }).id).toHaveLength(128);
    for (const id of ['42 junk', 'junk 42', '42\n', 'x'.repeat(129), '4/2', Number.MAX_SAFE_INTEGER + 2, Infinity, NaN]) {
      expect(() => parse({ id }), String(id)).toThrow(/has no usable "id"/);
    }
    expect(parse({ id: -3 }).id).toBe('-3');
  });

  it('prefers the nested user\'s id, and falls back to the entry\'s when the user\'s is not usable', () => {
    expect(parse({ id: 1, user: { id: 2 } }).id).toBe('2');
    expect(parse({ id: 1, user: { id: 'not usable!' } }).id).toBe('1');
    expect(parse({ id: 1, user: 'not an object' }).id).toBe('1');
  });

  it('a blank or padded name, email or username is treated as absent or trimmed', () => {
    const profile = parse({ id: 3, username: '   ', email: ' c@example.com ', first_name: ' ', last_name: '  Lee ' });
    expect(profile).toMatchObject({
      username: 'c@example.com',
      displayName: 'Lee',
      name: { givenName: undefined, familyName: 'Lee' },
      emails: [{ value: 'c@example.com' }],
    });
    expect(parse({ id: 4, username: '', first_name: '' })).toMatchObject({ username: undefined, displayName: '4', emails: [], photos: [] });
    expect(parse({ id: 5, first_name: 'Ann' }).displayName).toBe('Ann');
  });

  it('takes the photo from the entry first, then from the user', () => {
    expect(parse({ id: 1, profile_img: 'https://a/', user: { id: 2, profile_img: 'https://b/' } }).photos).toEqual([{ value: 'https://a/' }]);
    expect(parse({ id: 1, profile_img: ' ', user: { id: 2, profile_img: 'https://b/' } }).photos).toEqual([{ value: 'https://b/' }]);
  });

  it('names the endpoint and the list size in its errors, and unwraps only a list of one object', () => {
    expect(() => parse({ results: [5] })).toThrow(
      `7Geese answered a list of 1 entries at ${endpoint} where one signed-in user was expected. Set the "profileURL" option to the endpoint for the signed-in user (such as /api/v/2.0/users/me/).`,
    );
    expect(() => parse({ objects: [{ id: 1 }, { id: 2 }, { id: 3 }] })).toThrow(expect.objectContaining({ code: 'ambiguous_profile', endpoint }));
    expect(() => parse({ results: 'x', id: 8 })).not.toThrow();
    expect(() => parse({ email: 'x@example.com' })).toThrow(
      `7Geese's profile from ${endpoint} has no usable "id" (a number or a short string). Check that the "profileURL" option points at the endpoint for the signed-in user.`,
    );
    expect(() => parse(null)).toThrow(expect.objectContaining({ code: 'invalid_profile', endpoint }));
  });
});
