/**
 * Optional tests against Stripe's real test mode. Skipped unless `STRIPE_TEST_SECRET_KEY`
 * (an `sk_test_…` key) is set. The raw-card sale also needs `STRIPE_TEST_RAW_CARDS=1`: Stripe
 * accepts raw card numbers only on accounts with raw card data APIs enabled. The other tests use
 * Stripe's test PaymentMethods (`pm_card_visa`…) as saved cards, which every test account has.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { stripe } from '../../../adapters/stripe';
import { normalizeDecline } from '../../../src/decline-registry';
import type { GatewayPaymentRequest } from '../../../src/adapter';

const key = process.env.STRIPE_TEST_SECRET_KEY;
const live = key?.startsWith('sk_test_') ? describe : describe.skip;
const rawCards = process.env.STRIPE_TEST_RAW_CARDS === '1' ? it : it.skip;

const request = (over: Partial<GatewayPaymentRequest>): GatewayPaymentRequest => ({
  reference: `at_${randomBytes(12).toString('base64url')}`.slice(0, 20),
  transactionId: 'tx_live',
  amount: 1099,
  currency: 'USD',
  merchant: { id: 'stripe-live' },
  ...over,
});
const savedCard = (token: string) => ({
  storedCredential: { type: 'subsequent' as const, initiator: 'merchant' as const, reason: 'recurring' as const, gatewayToken: token },
});

live('Stripe test mode (live HTTP)', () => {
  const adapter = stripe({ secretKey: key ?? 'sk_test_unset', timeoutMs: 20_000 });

  it('authorizes a saved test card, captures part, refunds part', async () => {
    const auth = await adapter.authorize(request(savedCard('pm_card_visa')));
    expect(auth.status).toBe('approved');
    if (auth.status !== 'approved') return;
    const follow = (amount: number) => ({
      reference: `at_${randomBytes(8).toString('hex')}`,
      transactionId: 'tx_live',
      gatewayTransactionId: auth.gatewayTransactionId,
      amount,
      currency: 'USD',
      originalAmount: 1099,
      merchant: { id: 'stripe-live' },
    });
    expect((await adapter.capture(follow(800))).status).toBe('approved');
    expect((await adapter.refund(follow(300))).status).toBe('approved');
  });

  it("declines Stripe's insufficient-funds test card with its code", async () => {
    const r = await adapter.sale(request(savedCard('pm_card_visa_chargeDeclinedInsufficientFunds')));
    expect(r).toMatchObject({ status: 'declined', code: 'insufficient_funds' });
    expect(normalizeDecline({ gateway: 'stripe', code: (r as { code: string }).code }).reason).toBe('insufficient_funds');
  });

  it('a wrong key is a merchant error', async () => {
    const r = await stripe({ secretKey: 'sk_test_invalid000' }).sale(request(savedCard('pm_card_visa')));
    expect(r).toMatchObject({ status: 'error', merchantError: true, ambiguous: false });
  });

  rawCards('sells with a raw test card number (two calls: PaymentMethod, PaymentIntent)', async () => {
    const r = await adapter.sale(
      request({ card: { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' } }),
    );
    expect(r.status).toBe('approved');
  });
});
