/** What a secret is replaced with in anything kept from an answer. */
export const REDACTED = '[redacted]';

/** Removes secrets from text; built per request from the values that request sent. */
export type Redact = (text: string) => string;

/**
 * A function that replaces every secret a request sent (client secret, Basic header, code,
 * code verifier, refresh or access token, password) with `[redacted]`, in each form an
 * upstream that echoes the request could show it in: as sent, URL- or form-encoded, or
 * JSON-escaped. Used on every piece of an answer that is kept in an error, so that a hostile
 * or broken 7Geese cannot put a secret into a message, a log or an error page.
 */
export function redactor(secrets: readonly (string | undefined)[]): Redact {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so that a secret containing another is replaced whole.
  const list = [...forms].filter((f) => f !== '').sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const form of list) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  };
}

/**
 * Text from 7Geese made fit for an error: secrets removed first (so a cut cannot leave half of
 * one), then control characters, then cut to `max` characters.
 */
export function clip(text: string, redact: Redact, max: number): string {
  const clean = redact(text).replace(/[\x00-\x1f\x7f]+/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
