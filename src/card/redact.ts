/**
 * Redaction of card numbers and security codes in free text: gateway messages and exception
 * texts pass through here before they reach an event, a log line, an error message or the store.
 * @module
 */
import { detectBrand, luhnValid, maskPan } from './pan';

/** What may stand between the digits of a written card number: spaces of any kind, tabs, dots, underscores, slashes, dashes. */
const SEPARATOR = '[ \\t\\u00a0\\u2007\\u202f._/-]';
/** A run of 12 or more digits with up to three separator characters between any two. */
const CANDIDATE = new RegExp(`\\d(?:${SEPARATOR}{0,3}\\d){11,}`, 'g');

/** Names gateways and forms give the card security code. */
const CVC_LABEL =
  'cvc2?|cvv2?|cvn2?|cv2|cid|csc|card[\\s_-]?code|security[\\s_-]?code|card[\\s_-]?verification(?:[\\s_-]?(?:value|code|number))?|verification[\\s_-]?(?:value|code)';
/** Label, then at most six tokens of punctuation, markup or filler words, then 3–4 digits (`card[cvc]=987`, `<cardCode>987`, `CVV2 value: 987`). */
const CVC = new RegExp(
  `(?:(?<=%5b)|\\b)(${CVC_LABEL})((?:[\\s"'\\[\\]<>:=(){}#.,;]|%[0-9a-f]{2}|\\b(?:value|number|no|is|was|of)\\b){0,6}?)(\\d{3,4})(?!\\d)`,
  'gi',
);

/** A window that is a plausible card number: Luhn-valid, of a known brand, of a length that brand issues. */
function plausiblePan(digits: string): boolean {
  if (!luhnValid(digits)) return false;
  const brand = detectBrand(digits);
  return brand !== undefined && brand.lengths.includes(digits.length);
}

/** Mask every plausible card number of 12–19 digits inside a run of digits and separators. */
function maskRun(run: string): string {
  const digits = run.replace(/\D/g, '');
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
 * Replace anything that may be a PAN (a Luhn-valid run of 12–19 digits of a known brand and
 * length, with spaces, tabs, no-break spaces, dots, underscores, slashes or dashes between them)
 * with BIN + last four, and a security code after a label (`cvc`, `cvv2`, `cardCode`,
 * `security code`…) with `***`. Control characters become spaces (tabs and line breaks stay).
 * @example
 * redact('card 4111 1111 1111 1111 declined') // 'card 411111******1111 declined'
 * redact('card[cvc]=987')                     // 'card[cvc]=***'
 */
export function redact(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]+/g, ' ')
    .replace(CANDIDATE, maskRun)
    .replace(CVC, '$1$2***');
}

/**
 * Whether a text holds something that may be a card number (as `redact` would mask it).
 * @example
 * containsCardNumber('order 4111-1111-1111-1111') // true
 * containsCardNumber('order 1001')                // false
 */
export function containsCardNumber(text: string): boolean {
  CANDIDATE.lastIndex = 0;
  for (const m of text.matchAll(CANDIDATE)) if (maskRun(m[0]) !== m[0]) return true;
  return false;
}
