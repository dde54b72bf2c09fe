/**
 * The resources a 7Geese scope can name. Every scope but `all` is `RESOURCE:read` or
 * `RESOURCE:write`.
 *
 * @see https://app.7geese.com/api-docs/ (7Geese "Restful APIs", section "Scopes")
 */
export const SCOPE_RESOURCES = [
  'userprofile',
  'network',
  'department',
  'recognition',
  'oneonone',
  'feedback',
  'privatenote',
  'objective',
  'review',
] as const;

/** The access level a scope grants on a resource. */
type ScopeAccess = 'read' | 'write';

/**
 * One 7Geese scope: `'all'`, or a resource with its access level, such as
 * `'userprofile:read'`. TypeScript rejects a misspelt scope such as `'objectives:read'`.
 */
export type Scope = 'all' | `${(typeof SCOPE_RESOURCES)[number]}:${'read' | 'write'}`;

/**
 * The ways a scope can be written in options: one scope, a space-separated string of scopes,
 * an array, or an object that maps resources to access levels.
 *
 * @example
 * 'userprofile:read objective:read'
 * ['userprofile:read', 'objective:write']
 * { objective: ['read', 'write'], userprofile: 'read' }
 */
export type ScopeInput =
  | Scope
  | (string & {})
  | readonly Scope[]
  | { readonly [R in (typeof SCOPE_RESOURCES)[number]]?: 'read' | 'write' | readonly ('read' | 'write')[] };

/** The scope asked for when none is configured: enough to load the signed-in user's profile. */
export const DEFAULT_SCOPE: readonly Scope[] = ['userprofile:read'];

const ACCESS_ORDER: readonly ScopeAccess[] = ['read', 'write'];
const VALID_SCOPES: readonly Scope[] = [
  'all',
  ...SCOPE_RESOURCES.flatMap((r) => ACCESS_ORDER.map((a) => `${r}:${a}` as const)),
];
const VALID_SET: ReadonlySet<string> = new Set(VALID_SCOPES);

/** Whether `value` is a scope this library knows (7Geese may grant others it added since). */
export function isScope(value: string): value is Scope {
  return VALID_SET.has(value);
}

function invalid(what: string, name: string): TypeError {
  return new TypeError(
    `${name}: ${what}. A 7Geese scope is "all" or RESOURCE:read / RESOURCE:write, ` +
      `where RESOURCE is one of ${SCOPE_RESOURCES.join(', ')}.`,
  );
}

function checkOne(scope: string, name: string): Scope {
  if (VALID_SET.has(scope)) return scope as Scope;
  const [resource, access, ...rest] = scope.split(':');
  const shown = JSON.stringify(scope);
  if (resource !== undefined && (SCOPE_RESOURCES as readonly string[]).includes(resource)) {
    if (access === undefined) {
      throw invalid(`scope ${shown} needs a :read or :write suffix`, name);
    }
    if (rest.length === 0) {
      throw invalid(`scope ${shown} has access "${access}", which is not read or write`, name);
    }
  }
  throw invalid(`unknown scope ${shown}`, name);
}

function collect(input: unknown, name: string): string[] {
  if (typeof input === 'string') return input.split(/\s+/).filter((s) => s !== '');
  if (Array.isArray(input)) {
    return input.flatMap((item: unknown) => {
      if (typeof item !== 'string') {
        throw new TypeError(`${name}: every scope in the array must be a string, got ${typeof item}.`);
      }
      return collect(item, name);
    });
  }
  if (typeof input === 'object' && input !== null) {
    return Object.entries(input).flatMap(([resource, access]) => {
      const levels: unknown[] = Array.isArray(access) ? access : [access];
      return levels.map((level) => {
        if (level !== 'read' && level !== 'write') {
          throw invalid(
            `resource ${JSON.stringify(resource)} has access ${JSON.stringify(level)}; use "read", "write" or both`,
            name,
          );
        }
        return `${resource}:${level}`;
      });
    });
  }
  throw new TypeError(
    `${name} must be a string, an array of strings or an object such as { objective: ['read'] }, got ${input === null ? 'null' : typeof input}.`,
  );
}

/**
 * Checks a scope as written in options and returns its scopes deduplicated, in a stable
 * order (the order of {@link SCOPE_RESOURCES}, read before write), so that the same request
 * always serialises to the same string.
 *
 * @param name - What to call the value in an error message, such as `'Strategy option "scope"'`.
 * @throws TypeError naming the bad scope and listing the valid ones.
 */
export function normalizeScope(input: unknown, name = 'scope'): Scope[] {
  const scopes = new Set(collect(input, name).map((s) => checkOne(s, name)));
  if (scopes.size === 0) {
    throw new TypeError(`${name} is empty. Ask for at least one scope, for example "userprofile:read".`);
  }
  if (scopes.has('all') && scopes.size > 1) {
    const others = [...scopes].filter((s) => s !== 'all').join(' ');
    throw new TypeError(
      `${name}: "all" already grants every scope and cannot be combined with ${others}. Ask for "all" alone or list the scopes you need.`,
    );
  }
  return VALID_SCOPES.filter((s) => scopes.has(s));
}

/** Serialises scopes the way 7Geese reads them: separated by single spaces. */
export function serializeScope(scopes: readonly Scope[]): string {
  return scopes.join(' ');
}

/**
 * Reads the `scope` field of a 7Geese token response into a list. Unknown entries are kept
 * (7Geese may add resources) so that nothing granted is silently dropped.
 */
export function parseGrantedScope(value: unknown): string[] {
  return typeof value === 'string' ? value.split(/\s+/).filter((s) => s !== '') : [];
}

/**
 * The requested scopes that a grant does not cover. `all` covers everything; a missing
 * `all` is reported as missing.
 */
export function missingScopes(requested: readonly string[], granted: readonly string[]): string[] {
  if (granted.includes('all')) return [];
  const have = new Set(granted);
  return requested.filter((s) => !have.has(s));
}
