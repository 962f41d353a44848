/**
 * Live tests against an NMI test account. Skipped unless NMI_SECURITY_KEY is set.
 *   NMI_SECURITY_KEY   security key of a test account (never a live merchant's key)
 *   NMI_BASE_URL       optional: a white-label host, default https://secure.nmi.com
 * Uses NMI's documented test card and triggers (test/specs/nmi-direct-post-api.md §7).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nmi } from '../../../adapters/nmi';
import type { GatewayPaymentRequest } from '../../../src/adapter';

const key = process.env.NMI_SECURITY_KEY;
const adapter = key ? nmi({ securityKey: key, baseUrl: process.env.NMI_BASE_URL, timeoutMs: 30_000 }) : undefined;

function payment(amount: number): GatewayPaymentRequest {
  const reference = `at_${randomBytes(8).toString('hex')}`;
  return {
    reference,
    transactionId: `tx_${reference}`,
    amount,
    currency: 'USD',
    card: { number: '4111111111111111', expMonth: 10, expYear: 2030, cvc: '999' },
    billing: { line1: '888', postalCode: '77777', country: 'US' },
    merchant: { id: 'nmi-live' },
  };
}
const cents = () => 100 + Math.floor(Math.random() * 900); // 1.00–9.99: distinct amounts dodge the duplicate check

describe.skipIf(!key)('NMI live (test account)', () => {
  it('authorizes, captures part, finds it by reference, and voids a sale', async () => {
    const req = payment(cents() + 1000);
    const auth = await adapter!.authorize(req);
    expect(auth.status).toBe('approved');
    if (auth.status !== 'approved') return;
    const cap = await adapter!.capture({
      reference: `${req.reference}c`,
      transactionId: req.transactionId,
      gatewayTransactionId: auth.gatewayTransactionId,
      amount: req.amount - 500,
      currency: 'USD',
      originalAmount: req.amount,
      merchant: req.merchant,
    });
    expect(cap.status).toBe('approved');
    expect(
      await adapter!.lookup!({
        reference: req.reference,
        transactionId: req.transactionId,
        amount: req.amount,
        currency: 'USD',
        merchant: req.merchant,
      }),
    ).toMatchObject({ status: 'approved', gatewayTransactionId: auth.gatewayTransactionId });

    const sale = await adapter!.sale(payment(cents()));
    expect(sale.status).toBe('approved');
    if (sale.status === 'approved') {
      expect(
        (
          await adapter!.void({
            reference: `${req.reference}v`,
            transactionId: 'tx',
            gatewayTransactionId: sale.gatewayTransactionId,
            amount: 0,
            currency: 'USD',
            originalAmount: 0,
            merchant: req.merchant,
          })
        ).status,
      ).toBe('approved');
    }
  });

  it('declines an amount below 1.00 (test trigger)', async () => {
    expect((await adapter!.sale(payment(50))).status).toBe('declined');
  });
});
