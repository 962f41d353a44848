/**
 * Live test against Braintree's sandbox. Skipped unless BRAINTREE_SANDBOX_PUBLIC_KEY and
 * BRAINTREE_SANDBOX_PRIVATE_KEY are set (BRAINTREE_SANDBOX_MERCHANT_ACCOUNT_ID optional, USD).
 */
import { describe, expect, it } from 'vitest';
import { braintree } from '../../../adapters/braintree';

const publicKey = process.env.BRAINTREE_SANDBOX_PUBLIC_KEY;
const privateKey = process.env.BRAINTREE_SANDBOX_PRIVATE_KEY;
const merchantAccountId = process.env.BRAINTREE_SANDBOX_MERCHANT_ACCOUNT_ID;

describe.skipIf(!publicKey || !privateKey)('Braintree sandbox (live)', () => {
  const adapter = () =>
    braintree({ publicKey: publicKey!, privateKey: privateKey!, environment: 'sandbox', ...(merchantAccountId && { merchantAccountId }) });
  const base = {
    transactionId: 'live',
    currency: 'USD',
    merchant: { id: 'live' },
    card: { number: '4111111111111111', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' },
  };

  it('authorizes, captures part, and voids another authorization', async () => {
    const bt = adapter();
    const auth = await bt.authorize({ ...base, reference: `live_${Date.now()}`, amount: 1000 });
    expect(auth.status).toBe('approved');
    if (auth.status !== 'approved') return;
    const cap = await bt.capture({
      reference: `cap_${Date.now()}`,
      transactionId: 'live',
      gatewayTransactionId: auth.gatewayTransactionId,
      amount: 600,
      currency: 'USD',
      originalAmount: 1000,
      merchant: { id: 'live' },
    });
    expect(cap.status).toBe('approved');
  }, 30_000);

  it('declines with the sandbox amount 2000.00 (Do Not Honor)', async () => {
    const r = await adapter().sale({ ...base, reference: `live_d_${Date.now()}`, amount: 200_000 });
    expect(r).toMatchObject({ status: 'declined', code: '2000' });
  }, 30_000);
});
