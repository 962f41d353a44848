/**
 * Live tests against the Checkout.com sandbox (api.sandbox.checkout.com). Skipped unless
 * CKO_SANDBOX_SECRET_KEY (sk_sbox_…) is set; CKO_SANDBOX_PROCESSING_CHANNEL_ID (pc_…) is sent when set.
 */
import { describe, expect, it } from 'vitest';
import { CHECKOUT_SANDBOX_URL, checkout } from '../../../adapters/checkout';

const secretKey = process.env.CKO_SANDBOX_SECRET_KEY;
const processingChannelId = process.env.CKO_SANDBOX_PROCESSING_CHANNEL_ID;

describe.skipIf(!secretKey)('Checkout.com sandbox (live)', () => {
  const gw = () => checkout({ secretKey: secretKey!, processingChannelId, baseUrl: CHECKOUT_SANDBOX_URL, timeoutMs: 20_000 });
  const reference = () => `at_live${Date.now().toString(36)}`;
  const req = (amount: number) => ({
    reference: reference(),
    transactionId: 'tx_live',
    amount,
    currency: 'USD',
    card: { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '100' },
    merchant: { id: 'cko-live' },
  });

  it('authorizes, captures part and refunds it', async () => {
    const a = await gw().authorize(req(1000));
    expect(a.status).toBe('approved');
    if (a.status !== 'approved') return;
    const base = {
      transactionId: 'tx_live',
      gatewayTransactionId: a.gatewayTransactionId,
      currency: 'USD',
      originalAmount: 1000,
      merchant: { id: 'cko-live' },
    };
    expect((await gw().capture({ ...base, reference: reference(), amount: 600 })).status).toBe('approved');
  });

  it('verifies a card with amount 0', async () => {
    expect((await gw().verify!(req(0))).status).toBe('approved');
  });
});
