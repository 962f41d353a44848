import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import axios from 'axios';
import { authorizenet } from '../../../adapters/authorizenet';
import type { GatewayAdapter, GatewayFollowUpRequest, GatewayPaymentRequest, GatewayResult } from '../../../src/adapter';
import { normalizeDecline } from '../../../src/decline-registry';
import { startAuthorizeNetFake, type AuthorizeNetFake } from '../../fakes/authorizenet';

const PAN = '4111111111111111';
const CVC = '987';
let fake: AuthorizeNetFake;
let anet: GatewayAdapter;
let seq = 0;

const payment = (over: Partial<GatewayPaymentRequest> = {}): GatewayPaymentRequest => ({
  reference: `at_${Date.now().toString(36)}${++seq}`.slice(0, 20),
  transactionId: `tx_${seq}`,
  amount: 1999,
  currency: 'USD',
  card: { number: PAN, expMonth: 12, expYear: 2030, cvc: CVC, holderName: 'Ellen Q Johnson' },
  customer: { id: 'cust-1', email: 'ellen@example.com', ip: '203.0.113.9' },
  billing: { line1: '14 Main Street', city: 'Pecan Springs', state: 'TX', postalCode: '44628', country: 'US' },
  merchant: { id: 'mid-anet' },
  ...over,
});
const followUp = (gatewayTransactionId: string, amount: number, over: Partial<GatewayFollowUpRequest> = {}): GatewayFollowUpRequest => ({
  reference: `fu_${++seq}`,
  transactionId: `tx_${seq}`,
  gatewayTransactionId,
  amount,
  currency: 'USD',
  originalAmount: amount,
  card: { bin: '411111', last4: '1111' },
  merchant: { id: 'mid-anet' },
  ...over,
});
const lastTransactionRequest = () => fake.bodies.at(-1)!.createTransactionRequest.transactionRequest;
const approvedId = (r: GatewayResult) => {
  expect(r.status).toBe('approved');
  return (r as { gatewayTransactionId: string }).gatewayTransactionId;
};
/** Every string an adapter result exposes. */
const noCardData = (r: unknown) => {
  const s = JSON.stringify(r);
  expect(s).not.toContain(PAN);
  expect(s).not.toContain(CVC);
};

beforeAll(async () => {
  fake = await startAuthorizeNetFake();
  anet = authorizenet({ apiLoginId: fake.apiLoginId, transactionKey: fake.transactionKey, baseUrl: fake.url, timeoutMs: 2_000 });
});
afterAll(() => fake.close());
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]); // every request the adapter sent was valid against the XSD, in order
});

describe('authorizenet adapter: payments', () => {
  it('declares its capabilities truthfully', () => {
    expect(anet.gateway).toBe('authorizenet');
    expect(anet.capabilities).toMatchObject({
      authorize: true,
      sale: true,
      capture: true,
      partialCapture: true,
      void: true,
      refund: true,
      partialRefund: true,
      verify: false,
      idempotencyKeys: false,
      threeDS: true,
      lookup: true,
    });
    expect(anet.verify).toBeUndefined();
  });

  it('approves a sale: authCaptureTransaction in XSD order, reference as refId and invoiceNumber, network transaction id back', async () => {
    const req = payment();
    const r = await anet.sale(req);
    const id = approvedId(r);
    expect(r).toMatchObject({ authCode: expect.any(String), networkTransactionId: `NTID${id}X`, avsResult: 'Y', cvvResult: 'P' });
    const body = fake.bodies.at(-1)!.createTransactionRequest;
    expect(Object.keys(body)).toEqual(['merchantAuthentication', 'refId', 'transactionRequest']);
    expect(body.refId).toBe(req.reference);
    expect(body.transactionRequest).toMatchObject({
      transactionType: 'authCaptureTransaction',
      amount: '19.99',
      currencyCode: 'USD',
      payment: { creditCard: { cardNumber: PAN, expirationDate: '2030-12', cardCode: CVC } },
      order: { invoiceNumber: req.reference },
      customer: { id: 'cust-1', email: 'ellen@example.com' },
      billTo: { firstName: 'Ellen Q', lastName: 'Johnson', address: '14 Main Street', zip: '44628' },
      customerIP: '203.0.113.9',
    });
    expect(fake.charges.get(id)).toMatchObject({ amount: 1999, captured: 1999, transactionType: 'authCaptureTransaction' });
    noCardData(r);
  });

  it('converts amounts exactly per currency: USD 2, JPY 0, KWD 3 decimals', async () => {
    for (const [currency, amount, wire] of [
      ['USD', 100_005, '1000.05'],
      ['JPY', 1500, '1500'],
      ['KWD', 12_345, '12.345'],
      ['USD', 1, '0.01'],
    ] as const) {
      const id = approvedId(await anet.authorize(payment({ currency, amount })));
      expect(lastTransactionRequest()).toMatchObject({ transactionType: 'authOnlyTransaction', amount: wire, currencyCode: currency });
      expect(fake.charges.get(id)!.amount).toBe(amount);
    }
  });

  it('passes a completed 3-D Secure result as cardholderAuthentication (no challenge flow: never requires_action)', async () => {
    const r = await anet.authorize(payment({ threeDS: { eci: '05', cavv: 'AAABBEg0VhI0VniQEjRWAAAAAAA' } }));
    expect(r.status).toBe('approved');
    expect(lastTransactionRequest().cardholderAuthentication).toEqual({
      authenticationIndicator: '05',
      cardholderAuthenticationValue: 'AAABBEg0VhI0VniQEjRWAAAAAAA',
    });
  });

  it('rejects bad input with a typed error naming the field, before any request', async () => {
    const before = fake.bodies.length;
    const cases: Array<[Partial<GatewayPaymentRequest>, string]> = [
      [{ amount: 19.99 }, 'amount'],
      [{ amount: 0 }, 'amount'],
      [{ currency: 'usd' }, 'currency'],
      [{ reference: 'r'.repeat(21) }, 'reference'],
      [{ card: undefined }, 'card.number'],
      [{ card: { number: PAN, expMonth: 13, expYear: 2030 } }, 'card.expMonth'],
      [{ card: { number: PAN, expMonth: 1, expYear: 2030, cvc: '12' } }, 'card.cvc'],
      [{ threeDS: { eci: '05' } }, 'threeDS'],
    ];
    for (const [over, field] of cases) {
      const r = await anet.sale(payment(over));
      expect(r).toMatchObject({ status: 'error', ambiguous: false, code: 'invalid_request' });
      expect((r as { message: string }).message.startsWith(`${field}:`)).toBe(true);
      noCardData(r);
    }
    expect(fake.bodies.length).toBe(before);
  });
});

describe('authorizenet adapter: declines and errors', () => {
  const declines: Array<[string, '2' | '3', string, string, boolean]> = [
    ['general issuer decline', '2', '2', 'generic_decline', true],
    ['referral', '2', '3', 'call_issuer', false],
    ['pick up card', '2', '4', 'pickup_card', false],
    ['AVS mismatch', '2', '27', 'incorrect_address', false],
    ['card code decline', '2', '44', 'incorrect_cvc', false],
    ['FDS filter', '2', '251', 'risk_blocked', true],
    ['expired card (error class)', '3', '8', 'expired_card', false],
    ['invalid number (error class)', '3', '6', 'incorrect_number', false],
    ['duplicate (error class)', '3', '11', 'duplicate_transaction', false],
    ['card type not accepted by this MID', '3', '17', 'card_not_supported', true],
    ['processor busy, try again', '3', '19', 'processing_error', true],
  ];
  it.each(declines)('%s: responseCode %s reason %s → declined → %s (cascade %s)', async (_n, responseCode, code, reason, cascade) => {
    fake.script({ responseCode, code, text: `Declined for reason ${code}. Card ${PAN}` });
    const r = await anet.sale(payment());
    expect(r).toMatchObject({ status: 'declined', code });
    noCardData(r); // the gateway's text is redacted
    const d = normalizeDecline({
      gateway: 'authorizenet',
      code: (r as { code: string }).code,
      message: (r as { message?: string }).message,
    });
    expect(d.reason).toBe(reason);
    expect(d.cascade).toBe(cascade);
    expect(d.source).toBe('gateway');
  });

  it('bad credentials are an error with merchantError, not a decline', async () => {
    const wrong = authorizenet({ apiLoginId: 'someone', transactionKey: 'wrongkey', baseUrl: fake.url });
    const r = await wrong.sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, merchantError: true, code: 'E00007' });
    noCardData(r);
  });

  it('processor setup errors (reason 13, 30…) are merchant errors; malformed requests (33) plain errors', async () => {
    fake.script({ responseCode: '3', code: '30', text: 'The configuration with processor is invalid. Call Merchant Service Provider.' });
    expect(await anet.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, merchantError: true, code: '30' });
    fake.script({ responseCode: '3', code: '33', text: 'Zip cannot be left blank.' });
    const r = await anet.sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: '33' });
    expect((r as { merchantError?: boolean }).merchantError).toBeUndefined();
  });

  it("held for review (responseCode 4) is its own state: authorized, held for the merchant's review, not a decline", async () => {
    fake.script({ responseCode: '4', code: '253' });
    const r = await anet.sale(payment());
    expect(r).toMatchObject({ status: 'approved', heldForReview: true, gatewayTransactionId: expect.stringMatching(/^\d+$/) });
    expect(r).toMatchObject({ authCode: '7M6LIT', avsResult: 'Y', cvvResult: 'P' }); // the held-for-review fixture's
  });

  it('a timeout after the gateway processed is ambiguous and is not resent (no idempotency key to dedupe it)', async () => {
    const before = fake.server.requests.length;
    const charges = fake.charges.size;
    fake.server.inject({ type: 'timeout', afterProcessing: true });
    const r = await authorizenet({
      apiLoginId: fake.apiLoginId,
      transactionKey: fake.transactionKey,
      baseUrl: fake.url,
      timeoutMs: 300,
    }).sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: true });
    expect(fake.server.requests.length - before).toBe(1);
    expect(fake.charges.size - charges).toBe(1); // charged once, reported as unknown
  });

  it('a connection reset, a 5xx and an unreadable 200 are ambiguous; a 4xx is not', async () => {
    fake.server.inject({ type: 'reset', afterProcessing: false });
    expect(await anet.sale(payment())).toMatchObject({ status: 'error', ambiguous: true });
    fake.server.inject({ type: 'status', status: 502 });
    expect(await anet.sale(payment())).toMatchObject({ status: 'error', ambiguous: true, httpStatus: 502 });
    fake.server.inject({ type: 'malformed' });
    expect(await anet.sale(payment())).toMatchObject({ status: 'error', ambiguous: true, httpStatus: 200 });
    fake.server.inject({ type: 'truncate' });
    expect(await anet.sale(payment())).toMatchObject({ status: 'error', ambiguous: true });
    fake.server.inject({ type: 'status', status: 403, body: 'Forbidden' });
    expect(await anet.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, httpStatus: 403 });
  });

  it('a connection refused before sending is retried with the identical body (same refId and invoiceNumber)', async () => {
    const client = axios.create();
    const sent: string[] = [];
    let refused = false;
    client.interceptors.request.use((config) => {
      sent.push(String(config.data));
      if (!refused) {
        refused = true;
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1'), { code: 'ECONNREFUSED' });
      }
      return config;
    });
    const retrying = authorizenet({ apiLoginId: fake.apiLoginId, transactionKey: fake.transactionKey, baseUrl: fake.url, axios: client });
    const before = fake.server.requests.length;
    const req = payment();
    expect((await retrying.sale(req)).status).toBe('approved');
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
    expect(JSON.parse(sent[0]).createTransactionRequest.refId).toBe(req.reference);
    expect(fake.server.requests.length - before).toBe(1);
    // A resend of the same reference inside the duplicate window is refused, never charged twice.
    const again = await retrying.sale(req);
    expect(again).toMatchObject({ status: 'declined', code: '11' });
    expect(normalizeDecline({ gateway: 'authorizenet', code: '11' }).cascade).toBe(false);
  });
});

describe('authorizenet adapter: follow-ups', () => {
  it('captures part of an authorization (priorAuthCaptureTransaction)', async () => {
    const id = approvedId(await anet.authorize(payment({ amount: 5000 })));
    const r = await anet.capture(followUp(id, 3000));
    expect(approvedId(r)).toBe(id);
    expect(lastTransactionRequest()).toEqual({ transactionType: 'priorAuthCaptureTransaction', amount: '30.00', refTransId: id });
    expect(fake.charges.get(id)!.captured).toBe(3000);
  });

  it('a capture above the authorization is declined with reason 47 (invalid_amount)', async () => {
    const id = approvedId(await anet.authorize(payment({ amount: 1000 })));
    const r = await anet.capture(followUp(id, 1001));
    expect(r).toMatchObject({ status: 'declined', code: '47' });
    expect(normalizeDecline({ gateway: 'authorizenet', code: '47' }).reason).toBe('invalid_amount');
  });

  it('voids an authorization', async () => {
    const id = approvedId(await anet.authorize(payment()));
    expect(approvedId(await anet.void(followUp(id, 1999)))).toBe(id);
    expect(lastTransactionRequest()).toEqual({ transactionType: 'voidTransaction', refTransId: id });
    expect(fake.charges.get(id)!.voided).toBe(true);
  });

  it('refunds part, then the rest, of a settled sale with the last four digits and XXXX expiry', async () => {
    const id = approvedId(await anet.sale(payment({ amount: 10_000 })));
    fake.settle(id);
    const partial = await anet.refund(followUp(id, 2500));
    expect(partial.status).toBe('approved');
    expect(lastTransactionRequest()).toMatchObject({
      transactionType: 'refundTransaction',
      amount: '25.00',
      payment: { creditCard: { cardNumber: '1111', expirationDate: 'XXXX' } },
      refTransId: id,
    });
    expect(approvedId(await anet.refund(followUp(id, 7500)))).not.toBe(id);
    expect(fake.charges.get(id)!.refunded).toBe(10_000);
    expect(await anet.refund(followUp(id, 1))).toMatchObject({ status: 'declined', code: '55' });
  });

  it('a refund without the last four digits is a typed error; an unknown transaction is an error, not a decline', async () => {
    expect(await anet.refund(followUp('60000000001', 100, { card: undefined }))).toMatchObject({
      status: 'error',
      ambiguous: false,
      message: expect.stringMatching(/^card\.last4:/),
    });
    expect(await anet.void(followUp('99999999999', 100))).toMatchObject({ status: 'error', ambiguous: false, code: '16' });
  });
});

describe('authorizenet adapter: subscriptions (stored credentials)', () => {
  it('initial sale sends isFirstRecurringPayment; the rebill sends isSubsequentAuth, isStoredCredentials, originalNetworkTransId and recurringBilling', async () => {
    const first = await anet.sale(payment({ storedCredential: { type: 'initial', reason: 'recurring' } }));
    const id = approvedId(first);
    const ntid = (first as { networkTransactionId: string }).networkTransactionId;
    expect(lastTransactionRequest().processingOptions).toEqual({ isFirstRecurringPayment: 'true' });
    expect(lastTransactionRequest().subsequentAuthInformation).toBeUndefined();

    const rebill = await anet.sale(
      payment({
        card: { number: PAN, expMonth: 12, expYear: 2030 },
        storedCredential: {
          type: 'subsequent',
          initiator: 'merchant',
          reason: 'recurring',
          networkTransactionId: ntid,
          previousGatewayTransactionId: id,
        },
      }),
    );
    expect(rebill.status).toBe('approved');
    const tr = lastTransactionRequest();
    expect(tr.processingOptions).toEqual({ isSubsequentAuth: 'true', isStoredCredentials: 'true' });
    expect(tr.subsequentAuthInformation).toEqual({ originalNetworkTransId: ntid });
    expect(tr.transactionSettings).toEqual({ setting: [{ settingName: 'recurringBilling', settingValue: 'true' }] });
    expect(tr.payment.creditCard.cardCode).toBeUndefined();
  });

  it('an unscheduled first use sends isFirstSubsequentAuth; an unscheduled MIT has no recurringBilling', async () => {
    await anet.sale(payment({ storedCredential: { type: 'initial', reason: 'unscheduled' } }));
    expect(lastTransactionRequest().processingOptions).toEqual({ isFirstSubsequentAuth: 'true' });
    await anet.sale(
      payment({ storedCredential: { type: 'subsequent', initiator: 'merchant', reason: 'unscheduled', networkTransactionId: 'ABC123' } }),
    );
    expect(lastTransactionRequest().transactionSettings).toBeUndefined();
    expect(lastTransactionRequest().subsequentAuthInformation).toEqual({ originalNetworkTransId: 'ABC123' });
  });

  it('a rebill without the card is a typed error (this adapter does not vault cards)', async () => {
    const r = await anet.sale(
      payment({
        card: undefined,
        storedCredential: { type: 'subsequent', initiator: 'merchant', reason: 'recurring', networkTransactionId: 'X1' },
      }),
    );
    expect(r).toMatchObject({
      status: 'error',
      ambiguous: false,
      code: 'invalid_request',
      message: expect.stringMatching(/^card\.number:/),
    });
  });
});

describe('authorizenet adapter: lookup by our reference', () => {
  it('finds an attempt by its gateway id (getTransactionDetailsRequest) and checks our reference', async () => {
    const req = payment();
    const id = approvedId(await anet.sale(req));
    const found = await anet.lookup!({
      reference: req.reference,
      transactionId: req.transactionId,
      gatewayTransactionId: id,
      amount: 1999,
      currency: 'USD',
      merchant: req.merchant,
    });
    expect(found).toMatchObject({ status: 'approved', gatewayTransactionId: id, networkTransactionId: `NTID${id}X` });
    expect(fake.bodies.at(-1)).toEqual({ getTransactionDetailsRequest: { merchantAuthentication: expect.any(Object), transId: id } });
    const other = await anet.lookup!({
      reference: 'someone-else',
      transactionId: 'x',
      gatewayTransactionId: id,
      amount: 1999,
      currency: 'USD',
      merchant: req.merchant,
    });
    expect(other).toMatchObject({ status: 'error', ambiguous: false });
    expect(
      await anet.lookup!({
        reference: 'r',
        transactionId: 'x',
        gatewayTransactionId: '123',
        amount: 1,
        currency: 'USD',
        merchant: req.merchant,
      }),
    ).toEqual({ status: 'not_found' });
  });

  it('resolves an ambiguous timeout by reference alone through the unsettled transaction list', async () => {
    const req = payment();
    fake.server.inject({ type: 'timeout', afterProcessing: true });
    const slow = authorizenet({ apiLoginId: fake.apiLoginId, transactionKey: fake.transactionKey, baseUrl: fake.url, timeoutMs: 300 });
    expect(await slow.sale(req)).toMatchObject({ status: 'error', ambiguous: true });
    const found = await anet.lookup!({
      reference: req.reference,
      transactionId: req.transactionId,
      amount: 1999,
      currency: 'USD',
      merchant: req.merchant,
    });
    expect(found.status).toBe('approved');
    expect(fake.bodies.at(-2)).toHaveProperty('getUnsettledTransactionListRequest');
  });

  it('never claims not_found from the list: a reference it cannot see stays ambiguous', async () => {
    const r = await anet.lookup!({ reference: 'never-sent-ref', transactionId: 'x', amount: 1, currency: 'USD', merchant: { id: 'm' } });
    expect(r).toMatchObject({ status: 'error', ambiguous: true });
  });
});

describe('authorizenet adapter: factory', () => {
  it('refuses missing or oversized credentials with a clear error', () => {
    expect(() => authorizenet({ apiLoginId: '', transactionKey: 'k' })).toThrow(/apiLoginId/);
    expect(() => authorizenet({ apiLoginId: 'a', transactionKey: 'k'.repeat(17) })).toThrow(/transactionKey/);
  });
});
