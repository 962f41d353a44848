/** Pure conversions of the Adyen adapter: amounts, raw acquirer codes, advice codes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { adyenIsoCode } from '../../../adapters/adyen/declines';
import { AdyenInputError, fromAdyenAmount, merchantAdvice, toAdyenAmount } from '../../../adapters/adyen/wire';

describe('amounts', () => {
  it('round-trips every amount exactly in USD, JPY, KWD, and in CLP/ISK where Adyen adds decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.constantFrom('USD', 'JPY', 'KWD', 'CLP', 'ISK'), (minor, currency) => {
        expect(fromAdyenAmount(toAdyenAmount(minor, currency))).toBe(minor);
      }),
    );
  });

  it('uses Adyen minor units where they differ from ISO 4217', () => {
    expect(toAdyenAmount(1005, 'KWD')).toEqual({ value: 1005, currency: 'KWD' });
    expect(toAdyenAmount(1500, 'JPY')).toEqual({ value: 1500, currency: 'JPY' });
    expect(toAdyenAmount(1000, 'CLP')).toEqual({ value: 100000, currency: 'CLP' });
    expect(toAdyenAmount(12300, 'CVE')).toEqual({ value: 123, currency: 'CVE' });
  });

  it('refuses an amount Adyen cannot express, and bad input, naming the field', () => {
    expect(() => toAdyenAmount(12345, 'CVE')).toThrow(AdyenInputError);
    expect(() => toAdyenAmount(1.5, 'USD')).toThrow(/^amount: /);
    expect(() => toAdyenAmount(100, 'usd')).toThrow(/^currency: /);
  });
});

describe('raw acquirer responses and advice codes', () => {
  it.each([
    ['Refused (raw: 05 : Do not honor)', '05'],
    ['Refused (raw: 5 : Do not honor)', '05'],
    ['51 : Insufficient funds', '51'],
    ['CVC Declined (raw: N7 : Decline for CVV2 failure)', 'N7'],
    ['Refused (raw: DECLINED Non-Honour)', undefined],
    ['Refused', undefined],
  ])('%s → ISO %s', (message, iso) => {
    expect(adyenIsoCode({ message })).toBe(iso);
  });

  it.each([
    ['03', '03'],
    ['3', '03'],
    ['21: Payment Cancellation', '21'],
    ['01 : New account information available', '01'],
    ['', undefined],
    [undefined, undefined],
  ])('merchantAdviceCode %s → %s', (raw, mac) => {
    expect(merchantAdvice(raw)).toBe(mac);
  });
});
