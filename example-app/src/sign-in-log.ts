import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS, type SignInEvent } from 'passport-7geese';

/**
 * Logs one line per finished sign-in: which way, the outcome (with the failure's code) and how
 * long the app took to finish it (token exchange, profile and verify). The events hold no token,
 * code or password, so the line cannot leak one. Returns a function that stops the logging.
 */
export function logSignIns(log: (line: string) => void = (line) => console.log(line)): () => void {
  const onEvent = (message: unknown): void => {
    const e = message as SignInEvent;
    // The authorize step only redirects to 7Geese; the sign-in ends on the callback (or the form).
    if (e.step === 'authorize' || (e.phase !== 'succeeded' && e.phase !== 'failed')) return;
    log(`sign-in: ${e.strategy} ${e.phase}${e.code ? ` (${e.code})` : ''} in ${Math.round(e.durationMs ?? 0)} ms`);
  };
  subscribe(CHANNELS.signIn, onEvent);
  return () => void unsubscribe(CHANNELS.signIn, onEvent);
}
