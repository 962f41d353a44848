/**
 * Against Adyen's real test environment. Skipped unless ADYEN_API_KEY and
 * ADYEN_MERCHANT_ACCOUNT are set (the web service user needs the "raw card data" permission).
 * Optional: ADYEN_RETURN_URL (default https://example.com/return).
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { adyen, ADYEN_TEST_BASE_URL } from '../../../adapters/adyen';
import type { GatewayAdapter, GatewayPaymentRequest } from '../../../src/adapter';

const apiKey = process.env.ADYEN_API_KEY;
const merchantAccount = process.env.ADYEN_MERCHANT_ACCOUNT;
const live = describe.skipIf(!apiKey || !merchantAccount);

live('Adyen test environment', () => {
  // Built on first use: the body of a skipped describe still runs.
  let built: GatewayAdapter | undefined;
  const gateway = () =>
    (built ??= adyen({
      apiKey: apiKey!,
      merchantAccount: merchantAccount!,
      baseUrl: ADYEN_TEST_BASE_URL,
      returnUrl: process.env.ADYEN_RETURN_URL ?? 'https://example.com/return',
      timeoutMs: 30_000,
    }));
  const req = (over: Partial<GatewayPaymentRequest> = {}): GatewayPaymentRequest => {
    const id = randomBytes(8).toString('hex');
    return {
      reference: `at_${id}`,
      transactionId: `tx_${id}`,
      amount: 1000,
      currency: 'EUR',
      card: { number: '4111111145551142', expMonth: 3, expYear: 2030, cvc: '737', holderName: 'Switchyard Test' },
      customer: { id: `shopper-${id}` },
      merchant: { id: 'adyen-live' },
      ...over,
    };
  };

  it('authorizes, captures part, refunds part', async () => {
    const auth = await gateway().authorize(req());
    expect(auth.status).toBe('approved');
    if (auth.status !== 'approved') return;
    const fu = (amount: number) => ({
      reference: `at_${randomBytes(8).toString('hex')}`,
      transactionId: 'tx',
      gatewayTransactionId: auth.gatewayTransactionId,
      amount,
      currency: 'EUR',
      originalAmount: 1000,
      merchant: { id: 'adyen-live' },
    });
    expect(await gateway().capture(fu(600))).toMatchObject({ status: 'approved' });
    expect(await gateway().refund(fu(200))).toMatchObject({ status: 'approved' });
  });

  it('declines with the documented test holder name', async () => {
    expect(
      await gateway().sale(req({ card: { number: '4111111145551142', expMonth: 3, expYear: 2030, cvc: '737', holderName: 'DECLINED' } })),
    ).toMatchObject({ status: 'declined', code: '2' });
  });

  it('stores the card on an initial payment and rebills with the token', async () => {
    const first = await gateway().sale(req({ storedCredential: { type: 'initial', reason: 'recurring' } }));
    expect(first).toMatchObject({ status: 'approved', gatewayToken: expect.stringContaining(':') });
    if (first.status !== 'approved') return;
    const rebill = await gateway().sale(
      req({
        card: undefined,
        storedCredential: { type: 'subsequent', initiator: 'merchant', reason: 'recurring', gatewayToken: first.gatewayToken },
      }),
    );
    expect(rebill.status).toBe('approved');
  });
});
