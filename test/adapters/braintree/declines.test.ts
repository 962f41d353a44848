/**
 * Braintree card-data validation errors are declines of the card, and its fraud tools' rejection
 * is the merchant's filter, not the issuer. The fake executes the real GraphQL schema and answers
 * validation errors the way Braintree does (errors[].extensions.errorClass/legacyCode).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { braintree } from '../../../adapters/braintree';
import type { GatewayAdapter, GatewayPaymentRequest, GatewayResult } from '../../../src/adapter';
import { type DeclineReason, normalizeDecline } from '../../../src/index';
import { FAKE_CARDS, startBraintreeFake, type BraintreeFake } from '../../fakes/braintree';

let fake: BraintreeFake;
let bt: GatewayAdapter;

const payment = (number: string = FAKE_CARDS.visa): GatewayPaymentRequest => ({
  reference: `att_${Math.random().toString(36).slice(2, 12)}`,
  transactionId: 'txn_1',
  amount: 1999,
  currency: 'USD',
  card: { number, expMonth: 12, expYear: 2030, cvc: '737' },
  merchant: { id: 'mid-bt' },
});
const declined = (r: GatewayResult) => {
  if (r.status !== 'declined') throw new Error(`expected a decline, got ${JSON.stringify(r)}`);
  return r;
};

beforeEach(async () => {
  fake = await startBraintreeFake({ merchantAccounts: { acme_usd: 'USD' } });
  bt = braintree({
    publicKey: 'pk_test_fake',
    privateKey: 'sk_test_fake',
    baseUrl: fake.url,
    timeoutMs: 2_000,
    merchantAccountId: 'acme_usd',
  });
});
afterEach(async () => {
  const violations = [...fake.violations];
  await fake.close();
  expect(violations).toEqual([]);
});

describe('card validation errors are declines of the card', () => {
  it('tokenizeCreditCard refusing the number (81715 "Credit card number is invalid.") is incorrect_number, never retried', async () => {
    const r = declined(await bt.sale(payment('4111')));
    expect(r).toMatchObject({ code: '81715', message: 'Credit card number is invalid.' });
    expect(normalizeDecline({ gateway: 'braintree', code: r.code, message: r.message })).toMatchObject({
      reason: 'incorrect_number',
      retry: 'never',
      cascade: false,
    });
  });

  it('a VALIDATION error on the card in the charge (81707 CVV) is incorrect_cvc; one about the amount stays an error', async () => {
    fake.next({
      graphQLError: {
        errorClass: 'VALIDATION',
        message: 'CVV must be 4 digits for American Express and 3 digits for other card types.',
        legacyCode: '81707',
      },
    });
    const r = declined(await bt.sale(payment()));
    expect(normalizeDecline({ gateway: 'braintree', code: r.code }).reason).toBe('incorrect_cvc');
    fake.next({ graphQLError: { errorClass: 'VALIDATION', message: 'Amount is too large.', legacyCode: '81528' } });
    expect(await bt.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, code: '81528' });
  });

  // Rows from Braintree's credit card validation errors (Ruby SDK ErrorCodes::CreditCard names).
  it.each([
    ['81715', 'Credit card number is invalid.', 'incorrect_number'],
    ['81716', 'Credit card number must be 12-19 digits.', 'incorrect_number'],
    ['81707', 'CVV must be 4 digits for American Express and 3 digits for other card types.', 'incorrect_cvc'],
    ['81710', 'Expiration date is invalid.', 'invalid_expiry_date'],
    ['81711', 'Expiration date year is invalid.', 'invalid_expiry_date'],
    ['81712', 'Expiration month is invalid.', 'invalid_expiry_date'],
    ['81713', 'Expiration year is invalid.', 'invalid_expiry_date'],
    ['81703', 'Credit card type is not accepted by this merchant account.', 'card_not_supported'],
  ] as Array<[string, string, DeclineReason]>)('%s (%s) → %s', (code, message, reason) => {
    expect(normalizeDecline({ gateway: 'braintree', code, message })).toMatchObject({ reason, source: 'gateway' });
  });
});

describe('who refused', () => {
  it("a FRAUD gateway rejection is Braintree's fraud tools (the merchant's filter): risk_blocked, not fraud_suspected", async () => {
    fake.next({ gatewayRejected: 'FRAUD' });
    const r = declined(await bt.sale(payment()));
    expect(normalizeDecline({ gateway: 'braintree', code: r.code, message: r.message })).toMatchObject({ reason: 'risk_blocked' });
    // The issuer's own fraud answer (processor 2014) stays fraud_suspected.
    expect(normalizeDecline({ gateway: 'braintree', code: '2014' }).reason).toBe('fraud_suspected');
  });
});
