/**
 * `redact()` as a property: a card number written with any of the separators people and
 * gateways use (spaces, double spaces, tabs, no-break spaces, dots, underscores, slashes,
 * dashes), anywhere in any text, comes out as BIN + last four; a security code after any of the
 * labels gateways use comes out as `***`; and redaction never throws, is idempotent and leaves
 * text without card data alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsCardNumber, redact } from '../../src/card/redact';
import { luhnValid } from '../../src/card/pan';

/** Complete a prefix into a Luhn-valid number of `length` digits. */
function withLuhn(prefix: string, body: string, length: number): string {
  const partial = (prefix + body).slice(0, length - 1).padEnd(length - 1, '0');
  for (let d = 0; d <= 9; d++) if (luhnValid(partial + d)) return partial + d;
  throw new Error('unreachable');
}

/** Plausible PANs: Visa 16, Mastercard 16 (5x and 2x), Amex 15, Discover 16. */
const pan = fc
  .tuple(
    fc.constantFrom(['4', 16], ['51', 16], ['55', 16], ['2221', 16], ['34', 15], ['37', 15], ['6011', 16]) as fc.Arbitrary<
      [string, number]
    >,
    fc.stringMatching(/^\d{15}$/),
  )
  .map(([[prefix, length], body]) => withLuhn(prefix, body, length));

const SEPARATORS = [' ', '  ', '\t', '\u00a0', '\u202f', '.', '_', '/', '-', ' - '];
/** The PAN written in groups of 4 (or 4-6-5 for Amex) with one separator kind, or not grouped at all. */
const written = fc.tuple(pan, fc.constantFrom('', ...SEPARATORS)).map(([p, sep]) => {
  const groups = p.length === 15 ? [p.slice(0, 4), p.slice(4, 10), p.slice(10)] : p.match(/.{4}/g)!;
  return { pan: p, text: groups.join(sep) };
});
/** Text around it that holds no digits (so it cannot extend the number). */
const prose = fc.stringMatching(/^[A-Za-z ,:;()[\]{}"'=<>!?\n]{0,30}$/);

const digitsOnly = (s: string) => s.replace(/\D/g, '');

describe('redact (property)', () => {
  it('masks a card number with any separator anywhere in a text to BIN + last four', () => {
    fc.assert(
      fc.property(prose, written, prose, (before, { pan: p, text }, after) => {
        const out = redact(`${before}${text}${after}`);
        expect(digitsOnly(out)).not.toContain(p);
        expect(out).toContain(`${p.slice(0, 6)}${'*'.repeat(p.length - 10)}${p.slice(-4)}`);
        expect(containsCardNumber(`${before}${text}${after}`)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  const LABELS = [
    'cvc',
    'CVC',
    'cvv',
    'CVV2',
    'cvc2',
    'cvn',
    'cid',
    'csc',
    'card_code',
    'cardCode',
    'card code',
    'security code',
    'Security_Code',
    'verification_value',
    'card_verification_value',
  ];
  const BETWEEN = ['=', ': ', ':', ' ', '"="', '":"', '": "', ']=', '%5D=', '>', ' value: ', ' is ', ' number: ', "='", '": '];
  it('masks a security code after any label gateways use, in any shape', () => {
    fc.assert(
      fc.property(
        prose,
        fc.constantFrom(...LABELS),
        fc.constantFrom(...BETWEEN),
        fc.stringMatching(/^\d{3,4}$/),
        fc.constantFrom('', '"', "'", '&x=1', '</cardCode>', ' ', ','),
        (before, label, between, cvc, after) => {
          const field = label === 'cvc' && between === ']=' ? `card[${label}` : label;
          const out = redact(`${before} ${field}${between}${cvc}${after}`);
          expect(out).toContain(`${field}${between}***`);
          expect(out.slice(before.length)).not.toMatch(new RegExp(`(?<!\\d)${cvc}(?!\\d)`));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('never throws, is idempotent, and leaves text without card data as it was (control characters aside)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (s) => {
        const once = redact(s);
        expect(redact(once)).toBe(once);
        if (!/\d/.test(s)) expect(once).toBe(s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]+/g, ' '));
      }),
      { numRuns: 3_000 },
    );
  });

  it('does not refuse an idempotency key or order reference made of a counter and a millisecond timestamp', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.nat({ max: 99_999 }),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom('-', '_', '.', '/', ' '),
        (word, n, ms, sep) => {
          expect(containsCardNumber(`${word}${sep}${n}${sep}${ms}`)).toBe(false);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('refuses a card number written bare or in its printed groups, with an expiry or other digits after it', () => {
    fc.assert(
      fc.property(written, fc.constantFrom('', ' 12/28', ' 123', '-1'), ({ text }, tail) => {
        expect(containsCardNumber(`key ${text}${tail}`)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps numbers that are not card numbers: amounts, dates, ids, short codes', () => {
    for (const s of [
      'amount 123456789012 USD',
      'at 2026-11-21 12:00:00',
      'tx 1764629709000',
      'code 05',
      'order 4111111111111112',
      'ref 411111',
    ]) {
      expect(redact(s)).toBe(s);
      expect(containsCardNumber(s)).toBe(false);
    }
  });
});
