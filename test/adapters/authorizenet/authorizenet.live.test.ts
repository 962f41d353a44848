/**
 * Live tests against the Authorize.Net sandbox (apitest.authorize.net). Skipped unless
 * AUTHORIZENET_API_LOGIN_ID and AUTHORIZENET_TRANSACTION_KEY hold sandbox credentials.
 * Test cards and triggers: https://developer.authorize.net/hello_world/testing_guide/
 */
import { describe, expect, it } from 'vitest';
import { AUTHORIZENET_SANDBOX_URL, authorizenet } from '../../../adapters/authorizenet';
import type { GatewayPaymentRequest } from '../../../src/adapter';

const apiLoginId = process.env.AUTHORIZENET_API_LOGIN_ID;
const transactionKey = process.env.AUTHORIZENET_TRANSACTION_KEY;

describe.skipIf(!apiLoginId || !transactionKey)('authorizenet sandbox (live)', () => {
  // Built lazily: a skipped describe still runs its body.
  const live = () =>
    authorizenet({ apiLoginId: apiLoginId!, transactionKey: transactionKey!, baseUrl: AUTHORIZENET_SANDBOX_URL, timeoutMs: 30_000 });
  // A fresh amount and reference per run keeps clear of the duplicate window.
  const amount = 100 + Math.floor(Math.random() * 9_000);
  const request = (over: Partial<GatewayPaymentRequest> = {}): GatewayPaymentRequest => ({
    reference: `live${Date.now().toString(36)}`.slice(0, 20),
    transactionId: 'live',
    amount,
    currency: 'USD',
    card: { number: '4111111111111111', expMonth: 12, expYear: new Date().getFullYear() + 3, cvc: '123' },
    billing: { line1: '1 Main St', city: 'Bellevue', state: 'WA', postalCode: '98004', country: 'US' },
    merchant: { id: 'live' },
    ...over,
  });

  it('authorizes, looks the attempt up, captures part of it', async () => {
    const anet = live();
    const req = request({ storedCredential: { type: 'initial', reason: 'recurring' } });
    const auth = await anet.authorize(req);
    expect(auth.status).toBe('approved');
    const id = (auth as { gatewayTransactionId: string }).gatewayTransactionId;
    const found = await anet.lookup!({
      reference: req.reference,
      transactionId: 'live',
      gatewayTransactionId: id,
      amount,
      currency: 'USD',
      merchant: req.merchant,
    });
    expect(found.status).toBe('approved');
    const capture = await anet.capture({
      reference: `${req.reference}c`.slice(0, 20),
      transactionId: 'live',
      gatewayTransactionId: id,
      amount: amount - 50,
      currency: 'USD',
      originalAmount: amount,
      merchant: req.merchant,
    });
    expect(capture.status).toBe('approved');
  });

  it('declines with zip 46282 (sandbox trigger) as a decline, and voids a sale', async () => {
    const anet = live();
    const declined = await anet.sale(
      request({ reference: `lived${Date.now().toString(36)}`.slice(0, 20), billing: { postalCode: '46282', country: 'US' } }),
    );
    expect(declined).toMatchObject({ status: 'declined', code: '2' });
    const sale = await anet.sale(request({ reference: `livev${Date.now().toString(36)}`.slice(0, 20), amount: amount + 1 }));
    expect(sale.status).toBe('approved');
    const id = (sale as { gatewayTransactionId: string }).gatewayTransactionId;
    const voided = await anet.void({
      reference: `livex${Date.now().toString(36)}`.slice(0, 20),
      transactionId: 'live',
      gatewayTransactionId: id,
      amount: amount + 1,
      currency: 'USD',
      originalAmount: amount + 1,
      merchant: { id: 'live' },
    });
    expect(voided.status).toBe('approved');
  });

  it('refuses wrong credentials as a merchant error', async () => {
    const wrong = authorizenet({ apiLoginId: 'nobody', transactionKey: 'wrongwrongwrong1', baseUrl: AUTHORIZENET_SANDBOX_URL });
    expect(await wrong.sale(request())).toMatchObject({ status: 'error', merchantError: true });
  });
});
