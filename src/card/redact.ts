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
const SEPARATOR_RUN = new RegExp(`${SEPARATOR}+`);

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

/** A written card number: one bare run of 12–19 digits, or groups of 3–6 digits as cards are printed (4-4-4-4, 4-6-5, 4-4-4-4-3). */
function writtenLikeACard(groups: string[]): boolean {
  if (groups.length === 1) return true;
  return groups.every((g, i) => g.length >= (i === 0 ? 4 : 3) && g.length <= 6);
}

/**
 * Whether a text holds something written as a card number: a plausible PAN (Luhn-valid, of a
 * known brand and length) that is a whole run of digits, or whole groups of one, as a card is
 * written. Stricter than `redact`, which also masks a PAN glued inside a longer number: this
 * one refuses a request, so `order-34-1796175208123` (a counter and a timestamp) must pass.
 * @example
 * containsCardNumber('order 4111-1111-1111-1111') // true
 * containsCardNumber('order 1001')                // false
 */
export function containsCardNumber(text: string): boolean {
  if (text.length < 12 || !/\d(?:\D{0,3}\d){11}/.test(text)) return false;
  for (const [run] of text.matchAll(CANDIDATE)) {
    const groups = run.split(SEPARATOR_RUN);
    for (let from = 0; from < groups.length; from++) {
      let digits = '';
      for (let to = from; to < groups.length && digits.length < 19; to++) {
        digits += groups[to];
        if (digits.length >= 12 && digits.length <= 19 && writtenLikeACard(groups.slice(from, to + 1)) && plausiblePan(digits)) return true;
      }
    }
  }
  return false;
}
