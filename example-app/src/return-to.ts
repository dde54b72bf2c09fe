/**
 * Where to send the user after sign-in: only a path on this site. Anything else (`//evil.example`,
 * `https://…`, `/\evil`, control characters) is ignored, so the sign-in link cannot be turned into
 * an open redirect.
 */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  if (!/^\/(?![/\\])/.test(value)) return undefined;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  // Browsers treat a tab or newline inside a URL as absent, so check what they would see.
  const resolved = new URL(value, 'http://this.site');
  return resolved.origin === 'http://this.site' ? resolved.pathname + resolved.search + resolved.hash : undefined;
}
