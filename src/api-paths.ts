import { SevenGeeseResponseError, endpointOf } from './errors.js';

/** Where the 7Geese REST API lives under `baseURL`. */
const API_PREFIX = '/api/v/2.0';

/**
 * Percent-escapes that a server or a proxy in front of it may decode into something that changes
 * which resource a path names: `.` (dot segments), `/` and `\` (separators), `%` (a second round
 * of decoding) and control characters. The URL parser leaves most of them as they are, so a check
 * of the parsed path alone would not see them.
 */
const AMBIGUOUS_ESCAPE = /%(?:2e|2f|5c|25|[01][0-9a-f]|7f)/i;
/** A `%` that does not start an escape: servers disagree on what it means. */
const BROKEN_ESCAPE = /%(?![0-9a-f]{2})/i;
/**
 * Characters the URL parser drops or rewrites (tab, newline and carriage return are removed, so
 * `.\t.` becomes `..`; `\` becomes `/`), other control characters, spaces and `#`.
 */
const REWRITTEN = /[\x00-\x20\x7f\\#]/;
/** `.` or `..` as a segment, also with a `;parameter` some servers strip. */
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:;[^/]*)?(?:\/|$)/;

function apiRoot(base: URL): string {
  return `${base.pathname.replace(/\/+$/, '')}${API_PREFIX}/`;
}

/** True when a parsed URL is on 7Geese's origin and, as a server would read it, under the API. */
function isUnderAPI(url: URL, base: URL): boolean {
  const path = url.pathname;
  return (
    url.origin === base.origin &&
    url.username === '' &&
    url.password === '' &&
    path.startsWith(apiRoot(base)) &&
    !AMBIGUOUS_ESCAPE.test(path) &&
    !BROKEN_ESCAPE.test(path) &&
    !DOT_SEGMENT.test(path)
  );
}

/**
 * The URL of a path under `/api/v/2.0/`. The path is refused, rather than normalised, when the
 * URL parser or the server could read it as something else: dot segments (plain or escaped),
 * escaped separators, backslashes, tabs and newlines, control characters. The result is checked
 * again after parsing, so whatever the parser does, the token only goes to the API.
 *
 * @throws TypeError naming the path when it is not plainly under the API.
 */
export function apiURL(base: URL, path: unknown, query?: Record<string, string | number>): URL {
  const refuse = (): never => {
    const shown = typeof path === 'string' ? JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path) : typeof path;
    throw new TypeError(
      `SevenGeeseClient path must be a plain path under /api/v/2.0/ such as "/objectives/" (no dot segments, escaped dots or slashes, backslashes or control characters), got ${shown}.`,
    );
  };
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) return refuse();
  const q = path.indexOf('?');
  const pathPart = q === -1 ? path : path.slice(0, q);
  if (REWRITTEN.test(path) || AMBIGUOUS_ESCAPE.test(pathPart) || BROKEN_ESCAPE.test(pathPart) || DOT_SEGMENT.test(pathPart)) {
    return refuse();
  }
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}${API_PREFIX}${path}`, base);
  if (!isUnderAPI(url, base)) return refuse();
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
  return url;
}

/** A `next` link from a page, followed only when it stays on 7Geese's origin and under the API. */
export function nextPageURL(next: string, from: URL, base: URL): URL {
  let url: URL | undefined;
  try {
    url = new URL(next, from);
  } catch {
    // Reported below as a link that cannot be followed.
  }
  if (!url || !isUnderAPI(url, base)) {
    const where = url === undefined ? 'is not a URL' : url.origin === base.origin ? 'points outside the API' : `points to another origin (${url.origin.slice(0, 100)})`;
    throw new SevenGeeseResponseError(`7Geese's next page link ${where}; not following it with the user's token.`, 'invalid_response', {
      endpoint: endpointOf(from),
    });
  }
  return url;
}
