/**
 * Stripe decline quality on real answers: error codes outside the `card_declined` family have
 * their own reasons, the merchant's block list is not the issuer's fraud flag, and the card's
 * CVC / postal-code checks on the error name an unspecific decline. The fake validates every
 * request and answer (402 errors with their PaymentMethod included) against Stripe's spec.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayResult } from '../../../src/adapter';
import { type DeclineReason, normalizeDecline } from '../../../src/index';
import { startStripeFake, type StripeFake } from '../../fakes/stripe';
import { adapterFor, payment } from './support';

let fake: StripeFake;
beforeEach(async () => {
  fake = await startStripeFake();
});
afterEach(async () => {
  await fake.close();
  expect(fake.violations).toEqual([]);
});

const declined = (r: GatewayResult) => {
  if (r.status !== 'declined') throw new Error(`expected a decline, got ${JSON.stringify(r)}`);
  return r;
};
const normalize = (r: ReturnType<typeof declined>) =>
  normalizeDecline({
    gateway: 'stripe',
    code: r.code,
    message: r.message,
    advice: r.advice,
    cvvResult: r.cvvResult,
    avsResult: r.avsResult,
  });

describe('error codes outside the card_declined family', () => {
  // Each row with Stripe's own text (docs.stripe.com/error-codes; the same texts are the labels
  // of Juspay's gsm.csv rows for connector stripe).
  it.each([
    [
      'amount_too_large',
      'The specified amount is greater than the maximum amount allowed. Use a lower amount and try again.',
      'invalid_amount',
    ],
    ['amount_too_small', 'amount_too_small', 'invalid_amount'],
    ['payment_intent_authentication_failure', 'payment_intent_authentication_failure', 'authentication_failed'],
    [
      'setup_intent_authentication_failure',
      'The latest attempt to set up the payment method has failed because authentication failed.',
      'authentication_failed',
    ],
    ['testmode_charges_only', "Your account hasn't been activated and can only make test charges.", 'invalid_merchant'],
    [
      'livemode_mismatch',
      'Test and live mode API keys, requests, and objects are only available within the corresponding mode.',
      'invalid_merchant',
    ],
    [
      'payment_method_unactivated',
      'The operation cannot be performed as the payment method used has not been activated. Activate the payment method in the Dashboard, then try again.',
      'card_not_supported',
    ],
    ['incorrect_address', "The card's address is incorrect. Check the card's address or use a different card.", 'incorrect_address'],
    ['postal_code_invalid', 'The postal code provided was incorrect.', 'incorrect_address'],
  ] as Array<[string, string, DeclineReason]>)('%s → %s, not generic_decline', (code, message, reason) => {
    expect(normalizeDecline({ gateway: 'stripe', code, message })).toMatchObject({ reason, source: 'gateway' });
  });

  it('a failed 3-D Secure authentication comes back through the adapter as authentication_failed', async () => {
    fake.declineNext({
      code: 'payment_intent_authentication_failure',
      message:
        'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
    });
    const r = declined(await adapterFor(fake).sale(payment()));
    expect(r.code).toBe('payment_intent_authentication_failure');
    expect(normalize(r)).toMatchObject({ reason: 'authentication_failed', cascade: false });
  });
});

describe('who refused: the merchant block list is not the issuer', () => {
  it('merchant_blacklist is risk_blocked; fraudulent stays fraud_suspected', async () => {
    fake.declineNext({ code: 'card_declined', declineCode: 'merchant_blacklist', message: 'Your card was declined.' });
    expect(normalize(declined(await adapterFor(fake).sale(payment())))).toMatchObject({ reason: 'risk_blocked' });
    fake.declineNext({ code: 'card_declined', declineCode: 'fraudulent', message: 'Your card was declined.' });
    expect(normalize(declined(await adapterFor(fake).sale(payment())))).toMatchObject({ reason: 'fraud_suspected', cascade: false });
  });
});

describe("the card's checks on the error name an unspecific decline", () => {
  it('generic_decline with cvc_check fail is incorrect_cvc, with address_postal_code_check fail incorrect_address; passing checks and specific codes stay', async () => {
    fake.declineNext({ code: 'card_declined', declineCode: 'generic_decline', cvcCheck: 'fail' });
    const cvc = declined(await adapterFor(fake).sale(payment()));
    expect(cvc.cvvResult).toBe('fail');
    expect(normalize(cvc)).toMatchObject({ reason: 'incorrect_cvc', source: 'checks', cascade: false });

    fake.declineNext({ code: 'card_declined', declineCode: 'do_not_honor', cvcCheck: 'pass', postalCodeCheck: 'fail' });
    expect(normalize(declined(await adapterFor(fake).sale(payment())))).toMatchObject({ reason: 'incorrect_address', source: 'checks' });
    // Passing or unchecked results change nothing, and a specific decline code is never overridden.
    fake.declineNext({ code: 'card_declined', declineCode: 'generic_decline', cvcCheck: 'unchecked', postalCodeCheck: 'pass' });
    expect(normalize(declined(await adapterFor(fake).sale(payment()))).reason).toBe('generic_decline');
    fake.declineNext({ code: 'card_declined', declineCode: 'insufficient_funds', cvcCheck: 'fail' });
    expect(normalize(declined(await adapterFor(fake).sale(payment()))).reason).toBe('insufficient_funds');
  });
});
