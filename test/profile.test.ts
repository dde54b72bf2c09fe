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
});
