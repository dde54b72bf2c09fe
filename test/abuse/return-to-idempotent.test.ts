// safeReturnTo() is copied into other apps, so it must be safe on its own: whatever it returns,
// used as a Location header on this site, stays on this site, and a second pass changes nothing
// (issue 12, item 4: one pass turned `/.//evil.com` into `//evil.com`).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { safeReturnTo } from '../../example-app/src/return-to.js';

const ORIGIN = 'https://app.example.test';

/** Pieces that URL parsers treat specially: dot segments, encoded dots and slashes, separators. */
const piece = fc.constantFrom(
  '/', '//', '\\', '.', '..', '%2e', '%2E', '.%2e', '%2e%2e', '%2f', '%2F', '%5c', '%5C', '%00', '%0a',
  '\t', '\n', '\r', ' ', '@', ':', '?', '#', '&', '=', 'a', 'evil.com', 'http:', 'https:', '\u3002', 'é',
  '\u2028', '\uff0f', '\uff0e', '%',
);
const hostile = fc.oneof(
  fc.array(piece, { maxLength: 12 }).map((parts) => `/${parts.join('')}`),
  fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => `/${s}`),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('safeReturnTo on its own', () => {
  it('never returns anything that leaves the app\'s origin as a Location, and a second pass changes nothing', () => {
    fc.assert(
      fc.property(hostile, (input) => {
        const out = safeReturnTo(input);
        if (out === undefined) return;
        expect(out.startsWith('/')).toBe(true);
        expect(new URL(out, ORIGIN).origin).toBe(ORIGIN);
        expect(safeReturnTo(out)).toBe(out);
      }),
      { numRuns: 20_000 },
    );
  });

  it.each(['/.//evil.com', '/a/..//evil.com', '/%2e//evil.com', '/%2E%2E//evil.com', '/a/%2e%2e//evil.com', '/./\t/evil.com'])(
    'refuses %j, which resolves to a path starting with //',
    (input) => {
      expect(safeReturnTo(input)).toBeUndefined();
    },
  );

  it('keeps a path whose dot segments resolve to a local path, in its resolved form', () => {
    expect(safeReturnTo('/a/./b/../c?x=1#top')).toBe('/a/c?x=1#top');
    expect(safeReturnTo('/%2e%2e/profile')).toBe('/profile');
  });

  it('refuses a path that percent-encoding makes longer than the limit', () => {
    expect(safeReturnTo(`/${'é'.repeat(900)}`)).toBeUndefined();
  });
});
