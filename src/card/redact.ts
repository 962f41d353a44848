/**
 * Redaction of card numbers in free text: gateway messages and exception texts pass through
 * here before they reach an event, a log line, an error message or the store.
 * @module
 */
import { luhnValid, maskPan } from './pan';

const CANDIDATE = /\d(?:[ -]?\d){11,18}/g;

/**
 * Replace anything that looks like a PAN (12–19 digits, spaces or dashes allowed, Luhn-valid)
 * with BIN + last four, and CVC-like values after a `cvc`/`cvv` label with `***`.
 * @example
 * redact('card 4111 1111 1111 1111 declined') // 'card 411111******1111 declined'
 */
export function redact(text: string): string {
  return text
    .replace(CANDIDATE, (m) => {
      const digits = m.replace(/[ -]/g, '');
      return luhnValid(digits) ? maskPan(digits) : m;
    })
    .replace(/\b(cvc2?|cvv2?|cvn|cid|card_?code|security_?code)(["']?\s*[:=]\s*["']?)\d{3,4}/gi, '$1$2***');
}
