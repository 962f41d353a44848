/** Shared helpers of the Stripe adapter tests: requests and an adapter pointed at the fake. */
import { randomBytes } from 'node:crypto';
import type { GatewayFollowUpRequest, GatewayPaymentRequest } from '../../../src/adapter';
import { stripe, type StripeOptions } from '../../../adapters/stripe';
import { FAKE_STRIPE_KEY, type StripeFake } from '../../fakes/stripe';

/** Stripe's documented test cards used here (test/specs/test-cards.csv). */
export const STRIPE_CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  genericDecline: '4000000000000002',
  insufficientFunds: '4000000000009995',
  lost: '4000000000009987',
  stolen: '4000000000009979',
  expired: '4000000000000069',
  incorrectCvc: '4000000000000127',
  processingError: '4000000000000119',
  velocity: '4000000000006975',
  threeDSOnSession: '4000002500003155',
  threeDSAlways: '4000002760003184',
} as const;

/** A fresh attempt reference (at most 20 characters, like the router's attempt ids). */
export const ref = () => `at_${randomBytes(12).toString('base64url')}`.slice(0, 20);

/** A payment request with a fresh reference; override any field. */
export function payment(over: Partial<GatewayPaymentRequest> & { number?: string } = {}): GatewayPaymentRequest {
  const { number, ...rest } = over;
  return {
    reference: ref(),
    transactionId: `tx_${randomBytes(8).toString('hex')}`,
    amount: 1999,
    currency: 'USD',
    card: { number: number ?? STRIPE_CARDS.visa, expMonth: 12, expYear: 2030, cvc: '123', holderName: 'Jenny Rosen' },
    merchant: { id: 'stripe-a' },
    ...rest,
  };
}

/** A follow-up request on a gateway transaction. */
export function followUp(gatewayTransactionId: string, amount: number, originalAmount = amount, currency = 'USD'): GatewayFollowUpRequest {
  return {
    reference: ref(),
    transactionId: 'tx_follow',
    gatewayTransactionId,
    amount,
    currency,
    originalAmount,
    merchant: { id: 'stripe-a' },
  };
}

/** A Stripe adapter pointed at the fake. */
export function adapterFor(fake: StripeFake, over: Partial<StripeOptions> = {}) {
  return stripe({ secretKey: FAKE_STRIPE_KEY, baseUrl: fake.url, timeoutMs: 3_000, ...over });
}
