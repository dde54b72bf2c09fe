const MAX_LENGTH = 2000;
const BASE = 'http://this.site';

/** A path on this site as written: one leading slash, then no slash or backslash, no control characters. */
function looksLocal(value: string): boolean {
  return value.length <= MAX_LENGTH && /^\/(?![/\\])/.test(value) && !/[\u0000-\u001f\u007f\\]/.test(value);
}

/**
 * Where to send the user after sign-in: only a path on this site. Anything else (`//evil.example`,
 * `https://…`, `/\evil`, control characters, `/.//evil.example`) is ignored, so the sign-in link
 * cannot be turned into an open redirect. The result is safe on its own, used as a `Location`
 * header, and a second call returns it unchanged.
 *
 * @example
 * safeReturnTo('/objectives?page=2'); // '/objectives?page=2'
 * safeReturnTo('/a/../profile');      // '/profile'
 * safeReturnTo('/.//evil.example');   // undefined
 */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || !looksLocal(value)) return undefined;
  // Browsers resolve dot segments (also `%2e`) before following a Location, so check what they
  // would see; resolving can itself make a network-path reference: `/.//evil.example` becomes
  // `//evil.example`, another host. So the resolved form must pass the same check.
  const resolved = new URL(value, BASE);
  if (resolved.origin !== BASE) return undefined;
  const path = resolved.pathname + resolved.search + resolved.hash;
  return looksLocal(path) ? path : undefined;
}
