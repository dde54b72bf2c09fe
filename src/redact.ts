/** What a secret is replaced with in anything kept from an answer. */
export const REDACTED = '[redacted]';

/** Removes secrets from text; built per request from the values that request sent. */
export type Redact = (text: string) => string;

/** Secrets this long or longer are also found in part: an upstream may cut what it echoes. */
const GRAM = 8;

/**
 * A function that replaces every secret a request sent (client secret, Basic header, code,
 * code verifier, refresh or access token, password) with `[redacted]`, in each form an
 * upstream that echoes the request could show it in: as sent, URL- or form-encoded, or
 * JSON-escaped, whole or in part (any run of 8 or more of its characters). Used on every piece
 * of an answer that is kept in an error, so that a hostile or broken 7Geese cannot put a secret
 * into a message, a log or an error page.
 */
export function redactor(secrets: readonly (string | undefined)[]): Redact {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  const grams = new Set<string>();
  const short: string[] = [];
  for (const form of forms) {
    if (form.length < GRAM) short.push(form);
    else for (let i = 0; i + GRAM <= form.length; i++) grams.add(form.slice(i, i + GRAM));
  }
  // Longest first, so that a short secret containing another is replaced whole.
  short.sort((a, b) => b.length - a.length);
  if (grams.size === 0 && short.length === 0) return (text) => text;
  return (text) => {
    // Mark every character inside a run of 8 that belongs to a secret, then replace each marked stretch.
    const marked = new Uint8Array(text.length);
    let any = false;
    for (let i = 0; i + GRAM <= text.length; i++) {
      if (grams.has(text.slice(i, i + GRAM))) {
        marked.fill(1, i, i + GRAM);
        any = true;
      }
    }
    let out = text;
    if (any) {
      out = '';
      for (let i = 0; i < text.length; i++) {
        if (!marked[i]) out += text[i];
        else if (i === 0 || !marked[i - 1]) out += REDACTED;
      }
    }
    for (const form of short) if (out.includes(form)) out = out.split(form).join(REDACTED);
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
