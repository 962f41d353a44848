/**
 * Redaction of card numbers in free text: gateway messages and exception texts pass through
 * here before they reach an event, a log line, an error message or the store.
 * @module
 */
import { detectBrand, luhnValid, maskPan } from './pan';

const CANDIDATE = /\d(?:[ -]?\d){11,}/g;

/** A window that is a plausible card number: Luhn-valid, of a known brand, of a length that brand issues. */
function plausiblePan(digits: string): boolean {
  if (!luhnValid(digits)) return false;
  const brand = detectBrand(digits);
  return brand !== undefined && brand.lengths.includes(digits.length);
}

/** Mask every plausible card number of 12–19 digits inside a run of digits and separators. */
function maskRun(run: string): string {
  const digits = run.replace(/[ -]/g, '');
  let out = '';
  let i = 0;
  let kept = 0; // digits of `digits` already written
  while (i + 12 <= digits.length) {
    let len = Math.min(19, digits.length - i);
    while (len >= 12 && !plausiblePan(digits.slice(i, i + len))) len--;
    if (len >= 12) {
      out += digits.slice(kept, i) + maskPan(digits.slice(i, i + len));
      i += len;
      kept = i;
    } else i++;
  }
  return kept === 0 ? run : out + digits.slice(kept);
}

/**
 * Replace anything that may be a PAN (a Luhn-valid run of 12–19 digits of a known brand and length, spaces or dashes allowed)
 * with BIN + last four, and CVC-like values after a `cvc`/`cvv` label with `***`.
 * @example
 * redact('card 4111 1111 1111 1111 declined') // 'card 411111******1111 declined'
 */
export function redact(text: string): string {
  return (
    text
      // Control characters (NUL from a broken body, escape sequences) become spaces; tabs and line
      // breaks stay, so a multi-line text keeps its shape.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]+/g, ' ')
      .replace(CANDIDATE, maskRun)
      .replace(/\b(cvc2?|cvv2?|cvn|cid|card_?code|security_?code)(["']?[\s:=]*["']?)\d{3,4}\b/gi, '$1$2***')
  );
}
