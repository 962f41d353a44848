import { describe, expect, it } from 'vitest';
import { BUILTIN_DECLINE_TABLES, DECLINE_REASONS, normalizeDecline } from '../../src/index';
import { PAYPAL_ISSUES, PAYPAL_PROCESSOR_CODES, paypalDeclines } from '../../src/declines/paypal';

const paypal = (code: string, extra: { message?: string; advice?: string } = {}) => normalizeDecline({ gateway: 'paypal', code, ...extra });

describe('PayPal processor response codes', () => {
  it('is registered under the adapter id "paypal" with a link to PayPal\'s documentation', () => {
    expect(BUILTIN_DECLINE_TABLES.get('paypal')).toBe(paypalDeclines);
    expect(paypalDeclines.docs).toMatch(/^https:\/\/developer\.paypal\.com\//);
  });

  // Codes and enum names from PayPal's Orders v2 processor_response.response_code.
  it.each([
    ['0500', 'do_not_honor'], // DO_NOT_HONOR
    ['5110', 'incorrect_cvc'], // CVV2_FAILURE
    ['00N7', 'incorrect_cvc'], // CVV2_FAILURE_POSSIBLE_RETRY_WITH_CVV
    ['5120', 'insufficient_funds'], // INSUFFICIENT_FUNDS
    ['5140', 'account_closed'], // CARD_CLOSED
    ['5150', 'pickup_card'], // PICKUP_CARD_SPECIAL_CONDITIONS
    ['5400', 'expired_card'], // EXPIRED_CARD
    ['5650', 'authentication_required'], // DECLINED_SCA_REQUIRED
    ['5920', 'issuer_unavailable'], // ISSUER_NOT_AVAILABLE_RETRIABLE
    ['5950', 'new_account_information'], // DECLINED_DUE_TO_UPDATED_ACCOUNT
    ['9500', 'fraud_suspected'], // SUSPECTED_FRAUD
    ['9520', 'stolen_card'], // LOST_OR_STOLEN
    ['0R00', 'revocation_of_authorization'], // CANCELLED_PAYMENT
    ['1350', 'invalid_merchant'], // INVALID_MERCHANT
    ['5200', 'duplicate_transaction'], // DUPLICATE_TRANSACTION
    ['PP06', 'account_closed'], // ACCOUNT_CLOSED
    ['PPRN', 'do_not_retry'], // REATTEMPT_NOT_PERMITTED
    ['PPCT', 'card_not_supported'], // CARD_TYPE_UNSUPPORTED
    ['PCNR', 'authentication_required'], // CONTINGENCIES_NOT_RESOLVED
  ])('%s → %s', (code, reason) => {
    const d = paypal(code);
    expect(d.reason).toBe(reason);
    expect(d.source).toBe('gateway');
  });

  it('never retries nor cascades after REATTEMPT_NOT_PERMITTED, lost/stolen, pickup or a cancelled payment', () => {
    for (const code of ['PPRN', '9520', '5150', '0R00', '5140', '5910']) {
      expect(paypal(code), code).toMatchObject({ retry: 'never', cascade: false, category: 'hard' });
    }
  });

  it('cascades after a PayPal-side or merchant-side problem, not after an issuer decline of the card', () => {
    expect(paypal('8000').cascade).toBe(true); // PROCESSOR_SYSTEM_ERROR
    expect(paypal('1350').cascade).toBe(true); // INVALID_MERCHANT
    expect(paypal('5120').cascade).toBe(false);
    expect(paypal('5110').cascade).toBe(false);
  });

  it('maps the card issues of Orders v2 UNPROCESSABLE_ENTITY errors', () => {
    expect(paypal('CARD_EXPIRED').reason).toBe('expired_card');
    expect(paypal('INSTRUMENT_DECLINED').reason).toBe('generic_decline');
    expect(paypal('DUPLICATE_INVOICE_ID').reason).toBe('duplicate_transaction');
  });

  it('reads codes case-insensitively', () => {
    expect(paypal('pprn').reason).toBe('do_not_retry');
    expect(paypal('0r00').reason).toBe('revocation_of_authorization');
  });

  it('applies the payment_advice_code (Mastercard MAC) on top of the code', () => {
    expect(paypal('5120', { advice: '21' })).toMatchObject({ reason: 'revocation_of_authorization', retry: 'never', cascade: false });
    expect(paypal('5120', { advice: '24' })).toMatchObject({ reason: 'insufficient_funds', retryDelayMs: 3_600_000 });
  });

  it('falls back to the message for a code it does not list', () => {
    expect(paypal('ZZZZ', { message: 'Card reported stolen' })).toMatchObject({ reason: 'stolen_card', source: 'message' });
  });

  it('holds only standard reasons and four-character processor codes', () => {
    for (const [code, reason] of Object.entries(PAYPAL_PROCESSOR_CODES)) {
      expect(code).toMatch(/^[0-9A-Z]{4}$/);
      expect(DECLINE_REASONS[reason], code).toBeDefined();
    }
    for (const reason of Object.values(PAYPAL_ISSUES)) expect(DECLINE_REASONS[reason]).toBeDefined();
  });
});
