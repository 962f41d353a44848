/**
 * Properties of the page's parsers and escaping: a checked form accepts every valid card as
 * typed with spaces or dashes and names each bad field, and no error ever repeats the card
 * number; escaped text holds no markup character and reads back as it was.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luhnValid } from '../../src/card/pan';
import { checkCardForm } from '../../src/links/form';
import { escapeHtml } from '../../src/links/html';
import { text } from './support';

const NOW = Date.UTC(2026, 11, 2);

/** A Luhn-valid number of `length` digits from a prefix and random body. */
const cardNumber = fc
  .tuple(fc.integer({ min: 13, max: 19 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }))
  .map(([length, digits]) => {
    const body = ['4', ...digits.slice(0, length - 2).map(String)];
    for (let check = 0; check < 10; check++) if (luhnValid(body.join('') + check)) return body.join('') + check;
    throw new Error('unreachable');
  });

describe('payment form checks', () => {
  it('property: any valid card, however spaced, is accepted as its digits', () => {
    fc.assert(
      fc.property(
        cardNumber,
        fc.constantFrom(' ', '-', ''),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 2027, max: 2040 }),
        (number, sep, month, year) => {
          const typed = number.replace(/(\d{4})(?=\d)/g, `$1${sep}`);
          const r = checkCardForm(
            { name: ' Ada  Buyer ', number: typed, exp: `${String(month).padStart(2, '0')} / ${year % 100}`, cvc: '123' },
            NOW,
          );
          expect(r).toEqual({ ok: true, card: { holderName: 'Ada Buyer', number, expMonth: month, expYear: year, cvc: '123' } });
        },
      ),
    );
  });

  it('property: a bad number, expiry or CVC is named, and no error repeats the number', () => {
    fc.assert(
      fc.property(cardNumber, fc.integer({ min: 1, max: 9 }), fc.string({ maxLength: 6 }), (number, flip, cvc) => {
        const wrong = number.slice(0, -1) + ((Number(number.at(-1)) + flip) % 10);
        const r = checkCardForm({ name: 'A', number: wrong, exp: '13/99', cvc }, NOW);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.errors.number).toMatch(/^Card number: /);
        expect(r.errors.exp).toMatch(/^Expiry date: /);
        if (!/^\d{3,4}$/.test(cvc.trim())) expect(r.errors.cvc).toMatch(/^Security code \(CVC\): /);
        expect(JSON.stringify(r)).not.toContain(wrong.slice(6));
      }),
    );
  });

  it('refuses an expired month and accepts the current one', () => {
    expect(checkCardForm({ name: 'A', number: '4111111111111111', exp: '11/26', cvc: '123' }, NOW)).toMatchObject({
      ok: false,
      errors: { exp: 'Expiry date: this card has expired; use another card.' },
    });
    expect(checkCardForm({ name: 'A', number: '4111111111111111', exp: '12/2026', cvc: '123' }, NOW).ok).toBe(true);
  });
});

describe('escapeHtml', () => {
  it('property: no markup character survives, and the text reads back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        const out = escapeHtml(s);
        expect(out).not.toMatch(/[<>"'`]/);
        expect(out.replace(/&(amp|lt|gt|quot|#39|#96);/g, '')).not.toContain('&');
        expect(text(`<p>${out}</p>`).trim()).toBe(s.replace(/\s+/g, ' ').trim());
      }),
      { numRuns: 200 },
    );
  });
});
