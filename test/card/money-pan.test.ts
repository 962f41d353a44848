import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, fromDecimalString, isCurrency, toDecimalString } from '../../src/money';
import { canonicalBrand, detectBrand, luhnValid, maskPan } from '../../src/card/pan';
import { redact } from '../../src/card/redact';

describe('money', () => {
  it('knows ISO 4217 exponents', () => {
    expect([currencyExponent('USD'), currencyExponent('JPY'), currencyExponent('KWD'), currencyExponent('EUR')]).toEqual([2, 0, 3, 2]);
    expect(isCurrency('USD')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('XYZ')).toBe(false);
  });
  it('converts exactly', () => {
    expect(toDecimalString(1999, 'USD')).toBe('19.99');
    expect(toDecimalString(5, 'USD')).toBe('0.05');
    expect(toDecimalString(500, 'JPY')).toBe('500');
    expect(toDecimalString(1005, 'KWD')).toBe('1.005');
    expect(fromDecimalString('19.99', 'USD')).toBe(1999);
    expect(() => fromDecimalString('1.999', 'USD')).toThrow(/more decimals/);
    expect(() => fromDecimalString('1e3', 'USD')).toThrow(/not a decimal/);
  });
  it('round-trips every safe amount in every exponent (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom('USD', 'JPY', 'KWD', 'EUR', 'BHD', 'CLP'),
        (n, c) => {
          expect(fromDecimalString(toDecimalString(n, c), c)).toBe(n);
        },
      ),
    );
  });
});

describe('PAN handling', () => {
  it('Luhn, brand, aliases, mask', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(detectBrand('378282246310005')?.brand).toBe('american-express');
    expect(detectBrand('5555555555554444')).toMatchObject({ brand: 'mastercard', cvcLength: 3 });
    expect(canonicalBrand('amex')).toBe('american-express');
    expect(canonicalBrand('Visa')).toBe('visa');
    expect(canonicalBrand('bogus')).toBeUndefined();
    expect(maskPan('4111111111111111')).toBe('411111******1111');
  });
  it('redact masks any Luhn-valid card number in text and CVC values', () => {
    expect(redact('card 4111 1111 1111 1111 declined')).toBe('card 411111******1111 declined');
    expect(redact('ccnumber=4111-1111-1111-1111&cvv=123')).toBe('ccnumber=411111******1111&cvv=***');
    expect(redact('order 123456789012 ok')).toBe('order 123456789012 ok');
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(redact(`${a} 4242424242424242 ${b}`)).not.toContain('4242424242424242');
      }),
    );
  });
});

describe('redact, labelled CVCs and non-card references', () => {
  it('masks CVCs after a label with or without a separator, and leaves references that are no card number', () => {
    expect(redact('cvc 123 rejected')).toBe('cvc *** rejected');
    expect(redact('CVV2 1234 mismatch')).toBe('CVV2 *** mismatch');
    expect(redact('{"cvc":"987"}')).toBe('{"cvc":"***"}');
    expect(redact('CVV2 MISMATCH')).toBe('CVV2 MISMATCH');
    expect(redact('psp 993617895204576J')).toBe('psp 993617895204576J');
  });
});
