import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../example-app/src/return-to.js';

describe('returnTo', () => {
  it.each(['/profile', '/objectives?x=1', '/a/b#c'])('keeps the local path %s', (path) => {
    expect(safeReturnTo(path)).toBe(path);
  });

  it.each([
    '//evil.example',
    '//evil.example/path',
    'https://evil.example/',
    'http:/evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    'javascript:alert(1)',
    'profile',
    '',
    ['/profile'],
    undefined,
  ])('ignores %j', (value) => {
    expect(safeReturnTo(value)).toBeUndefined();
  });
});
