import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkout, type CheckoutOptions } from '../../../adapters/checkout';
import { checkoutDeclines } from '../../../adapters/checkout/declines';
import { CheckoutInputError, fromCheckoutAmount, parseClientError, toCheckoutAmount } from '../../../adapters/checkout/wire';
import type { GatewayAdapter, GatewayFollowUpRequest, GatewayPaymentRequest, GatewayResult } from '../../../src/adapter';
import { luhnValid } from '../../../src/card/pan';
import { normalizeDecline } from '../../../src/decline-registry';
import { ConfigError } from '../../../src/errors';
import { CHECKOUT_SPEC, checkoutFixture, startCheckoutFake, type CheckoutFake } from '../../fakes/checkout';
import { openApiValidator } from '../../support/openapi';

const SECRET = 'sk_sbox_m73dzbpy7cf3gfd46xr4yj5xo4e';
const CHANNEL = 'pc_q4dbxom5jbgudnjzjpz7j2z6uq';
const PAN = '4242424242424242';
const CVC = '987';

let fake: CheckoutFake;
let gw: GatewayAdapter;
let seq = 0;

const make = (over: Partial<CheckoutOptions> = {}) =>
  checkout({ secretKey: SECRET, processingChannelId: CHANNEL, baseUrl: fake.url, timeoutMs: 2_000, ...over });

function payment(over: Partial<GatewayPaymentRequest> = {}): GatewayPaymentRequest {
  seq++;
  return {
    reference: `at_ck${String(seq).padStart(6, '0')}`,
    transactionId: `tx_${seq}`,
    amount: 1999,
    currency: 'USD',
    card: { number: PAN, expMonth: 6, expYear: 2030, cvc: CVC, holderName: 'Test Cardholder' },
    customer: { email: 'cardholder@example.com', ip: '203.0.113.9' },
    merchant: { id: 'cko-1' },
    ...over,
  };
}

function followUp(gatewayTransactionId: string, amount: number, originalAmount: number, currency = 'USD'): GatewayFollowUpRequest {
  seq++;
  return {
    reference: `at_fu${String(seq).padStart(6, '0')}`,
    transactionId: `tx_${seq}`,
    gatewayTransactionId,
    amount,
    currency,
    originalAmount,
    merchant: { id: 'cko-1' },
  };
}

/** The JSON body of the n-th request from the end. */
const sent = (back = 1) => JSON.parse(fake.requests[fake.requests.length - back].body);
const approved = (r: GatewayResult) => {
  expect(r.status, JSON.stringify(r)).toBe('approved');
  return r as Extract<GatewayResult, { status: 'approved' }>;
};

beforeAll(async () => {
  fake = await startCheckoutFake({ secretKey: SECRET });
  gw = make();
});
afterAll(() => fake.close());
afterEach(() => {
  // Every request the adapter sent and every answer the fake gave must match the published spec.
  expect(fake.violations).toEqual([]);
});

describe('fixtures', () => {
  const api = openApiValidator(CHECKOUT_SPEC);
  it('are valid answers under the spec', () => {
    expect(api.response('POST', '/payments', 201, checkoutFixture('payment-authorized')).errors).toEqual([]);
    expect(api.response('POST', '/payments', 201, checkoutFixture('payment-declined')).errors).toEqual([]);
    expect(api.response('POST', '/payments', 422, checkoutFixture('validation-error')).errors).toEqual([]);
    expect(api.response('GET', '/payments/pay_mbabizu24mvu3mela5njyhpit4', 200, checkoutFixture('payment-details')).errors).toEqual([]);
    for (const action of ['captures', 'voids', 'refunds']) {
      expect(
        api.response('POST', `/payments/pay_mbabizu24mvu3mela5njyhpit4/${action}`, 202, checkoutFixture('action-accepted')).errors,
      ).toEqual([]);
    }
  });

  it('hold no PAN and no CVV (BIN and last four at most)', () => {
    const dir = resolve(__dirname, '../../../adapters/checkout/fixtures');
    for (const file of readdirSync(dir)) {
      const text = readFileSync(resolve(dir, file), 'utf8');
      for (const run of text.match(/\d{12,19}/g) ?? []) expect(luhnValid(run), `${file}: ${run}`).toBe(false);
      expect(text, file).not.toMatch(/"(cvv|cvc|number)"\s*:/);
    }
  });
});

describe('the fake checks requests against the spec', () => {
  it('answers 422 and records a violation for a card source without a number, or a bad channel id', async () => {
    const post = (body: unknown) =>
      fetch(`${fake.url}/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ source: { type: 'card', expiry_month: 6, expiry_year: 2030 }, amount: 100, currency: 'USD' })).status).toBe(422);
    expect((await post({ source: { type: 'id', id: 'src_x' }, amount: 100, currency: 'USD', processing_channel_id: 'pc_1' })).status).toBe(
      422,
    );
    expect(fake.violations.some((v) => v.includes('number'))).toBe(true);
    expect(fake.violations.some((v) => v.includes('processing_channel_id'))).toBe(true);
    fake.violations.length = 0;
  });
});

describe('payments', () => {
  it('a sale is approved with auth code, scheme id and source token; the wire carries capture, key and channel', async () => {
    const req = payment();
    const r = approved(await gw.sale(req));
    expect(r.gatewayTransactionId).toMatch(/^pay_\w{26}$/);
    expect(r.authCode).toBe('770687');
    const book = fake.payments.get(r.gatewayTransactionId)!;
    expect(r.networkTransactionId).toBe(book.schemeId);
    expect(r.gatewayToken).toBe(book.sourceId);
    expect(book.captured).toBe(1999);

    const last = fake.requests.at(-1)!;
    expect(last.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(last.headers['cko-idempotency-key']).toBe(req.reference);
    const body = sent();
    expect(body).toMatchObject({
      amount: 1999,
      currency: 'USD',
      capture: true,
      reference: req.reference,
      payment_type: 'Regular',
      processing_channel_id: CHANNEL,
      payment_ip: '203.0.113.9',
    });
    expect(body.source).toMatchObject({ type: 'card', number: PAN, expiry_month: 6, expiry_year: 2030, cvv: CVC, name: 'Test Cardholder' });
    expect(body.merchant_initiated).toBeUndefined();
  });

  it('an authorization is not captured; a partial capture then captures part of it', async () => {
    const a = approved(await gw.authorize(payment({ amount: 5000 })));
    expect(sent().capture).toBe(false);
    expect(fake.payments.get(a.gatewayTransactionId)!.captured).toBe(0);

    const c = approved(await gw.capture(followUp(a.gatewayTransactionId, 1200, 5000)));
    expect(c.gatewayTransactionId).toBe(a.gatewayTransactionId);
    expect(sent()).toEqual({ amount: 1200, reference: fake.requests.at(-1)!.headers['cko-idempotency-key'] });
    expect(fake.payments.get(a.gatewayTransactionId)!.captured).toBe(1200);
  });

  it('with multipleCaptures, a partial capture is NonFinal and the rest can be captured later', async () => {
    const multi = make({ multipleCaptures: true });
    const a = approved(await multi.authorize(payment({ amount: 3000 })));
    approved(await multi.capture(followUp(a.gatewayTransactionId, 1000, 3000)));
    expect(sent().capture_type).toBe('NonFinal');
    approved(await multi.capture(followUp(a.gatewayTransactionId, 2000, 3000)));
    expect(fake.payments.get(a.gatewayTransactionId)!.captured).toBe(3000);
  });

  it('a capture beyond the authorization is refused (HTTP 403), not approved', async () => {
    const a = approved(await gw.authorize(payment({ amount: 1000 })));
    const r = await gw.capture(followUp(a.gatewayTransactionId, 1001, 1000));
    expect(r).toMatchObject({ status: 'error', ambiguous: false, httpStatus: 403 });
  });

  it('voids an authorization; a void after capture is refused', async () => {
    const a = approved(await gw.authorize(payment()));
    approved(await gw.void(followUp(a.gatewayTransactionId, 1999, 1999)));
    expect(sent()).toEqual({ reference: fake.requests.at(-1)!.headers['cko-idempotency-key'] });
    expect(fake.payments.get(a.gatewayTransactionId)!.voided).toBe(true);

    const s = approved(await gw.sale(payment()));
    expect(await gw.void(followUp(s.gatewayTransactionId, 1999, 1999))).toMatchObject({
      status: 'error',
      ambiguous: false,
      httpStatus: 403,
    });
  });

  it('refunds partially, then the rest; nothing more', async () => {
    const s = approved(await gw.sale(payment({ amount: 2500 })));
    const r1 = approved(await gw.refund(followUp(s.gatewayTransactionId, 1000, 2500)));
    expect(r1.gatewayTransactionId).toMatch(/^act_\w{26}$/);
    expect(sent().amount).toBe(1000);
    approved(await gw.refund(followUp(s.gatewayTransactionId, 1500, 2500)));
    expect(fake.payments.get(s.gatewayTransactionId)!.refunded).toBe(2500);
    expect(await gw.refund(followUp(s.gatewayTransactionId, 1, 2500))).toMatchObject({ status: 'error', ambiguous: false });
  });

  it('an unknown payment id is a clear error (HTTP 404); a malformed one never leaves', async () => {
    const before = fake.requests.length;
    expect(await gw.refund(followUp('pay_aaaaaaaaaaaaaaaaaaaaaaaaaa', 100, 100))).toMatchObject({
      status: 'error',
      ambiguous: false,
      httpStatus: 404,
    });
    expect(await gw.capture(followUp('ch_123', 100, 100))).toMatchObject({ status: 'error', ambiguous: false, code: 'invalid_request' });
    expect(fake.requests.length).toBe(before + 1);
  });

  it('verify sends a zero-amount card verification and reports Card Verified as approved', async () => {
    const r = approved(await gw.verify!(payment({ amount: 0 })));
    const body = sent();
    expect(body.amount).toBe(0);
    expect(body.capture).toBeUndefined();
    expect(fake.payments.get(r.gatewayTransactionId)!.status).toBe('Card Verified');
  });

  it('a partial approval reports the approved amount in our minor units', async () => {
    fake.next({ type: 'partial', amount: 1000 });
    const r = approved(await gw.sale(payment({ amount: 2500, currency: 'KWD' })));
    expect(r.approvedAmount).toBe(1000);
  });

  it('declares its capabilities truthfully', () => {
    expect(gw.gateway).toBe('checkout');
    expect(gw.capabilities).toMatchObject({
      idempotencyKeys: true,
      verify: true,
      lookup: false,
      partialCapture: true,
      partialRefund: true,
      threeDS: true,
    });
  });
});

describe('declines', () => {
  const cases: [code: string, summary: string, reason: string, hard: boolean][] = [
    ['20005', 'Declined - Do not honour', 'do_not_honor', false],
    ['20051', 'Insufficient Funds', 'insufficient_funds', false],
    ['20054', 'Expired Card', 'expired_card', true],
    ['20014', 'Invalid account number (no such number)', 'incorrect_number', true],
    ['20087', 'Bad Track Data', 'incorrect_cvc', true],
    ['20091', 'Issuer unavailable or switch is inoperative', 'issuer_unavailable', false],
    ['20154', '3DS authentication required', 'authentication_required', false],
    ['200R1', 'Revocation of authorization order', 'revocation_of_authorization', true],
    ['200R3', 'Revocation of all authorizations order', 'revocation_of_authorization', true],
    ['30004', 'Pick up card (No fraud)', 'pickup_card', true],
    ['30041', 'Lost card - Pick up (Fraud account)', 'lost_card', true],
    ['30043', 'Stolen card - Pick up (Fraud account)', 'stolen_card', true],
    ['30046', 'Closed account', 'account_closed', true],
    ['40101', 'Risk Blocked Transaction', 'risk_blocked', false],
  ];

  it.each(cases)('%s (%s) is a decline that normalizes to %s', async (code, summary, reason, hard) => {
    fake.next({ type: 'decline', code, summary });
    const r = await gw.sale(payment());
    expect(r).toMatchObject({ status: 'declined', code, message: summary });
    expect((r as { gatewayTransactionId?: string }).gatewayTransactionId).toMatch(/^pay_/);
    const d = normalizeDecline({ gateway: 'checkout', code, message: summary });
    expect(d.reason).toBe(reason);
    expect(d.category).toBe(hard ? 'hard' : 'soft');
    if (hard) expect(d.cascade).toBe(false);
  });

  it('a soft decline (20005) may cascade; insufficient funds and 30xxx may not', () => {
    expect(normalizeDecline({ gateway: 'checkout', code: '20005' }).cascade).toBe(true);
    expect(normalizeDecline({ gateway: 'checkout', code: '20051' }).cascade).toBe(false);
    expect(normalizeDecline({ gateway: 'checkout', code: '30041' }).retry).toBe('never');
  });

  it('recommendation code 03 (do not retry) travels as advice and forbids any retry', async () => {
    fake.next({ type: 'decline', code: '20005', summary: 'Declined - Do not honour', recommendation: '03' });
    const r = await gw.sale(payment());
    expect(r).toMatchObject({ status: 'declined', advice: '03' });
    const d = normalizeDecline({ gateway: 'checkout', code: '20005', advice: (r as { advice?: string }).advice });
    expect(d).toMatchObject({ retry: 'never', cascade: false, category: 'hard' });
  });

  it('the table links to Checkout.com documentation and passes embedded ISO codes through', () => {
    expect(checkoutDeclines.docs).toMatch(/^https:\/\/www\.checkout\.com\/docs\//);
    expect(checkoutDeclines.isoCode?.({ code: '20057' })).toBe('57');
    expect(checkoutDeclines.isoCode?.({ code: '200N7' })).toBe('N7');
    expect(checkoutDeclines.isoCode?.({ code: '20150' })).toBeUndefined();
    expect(normalizeDecline({ gateway: 'checkout', code: '20057' })).toMatchObject({
      reason: 'transaction_not_allowed',
      networkCategory: 1,
      source: 'iso8583',
    });
  });
});

describe('3-D Secure', () => {
  it('a Pending payment with a redirect link is requires_action with the URL, never a decline', async () => {
    fake.next({ type: 'threeDS' });
    const r = await gw.sale(payment());
    expect(r.status).toBe('requires_action');
    const a = r as Extract<GatewayResult, { status: 'requires_action' }>;
    expect(a.action).toEqual({ type: 'redirect', url: `${fake.url}/3ds/${a.gatewayTransactionId}`, method: 'GET' });
  });

  it('requestThreeDS asks Checkout.com to authenticate customer-initiated payments', async () => {
    const g = make({ requestThreeDS: true, successUrl: 'https://shop.example/ok', failureUrl: 'https://shop.example/fail' });
    fake.next({ type: 'threeDS' });
    expect((await g.sale(payment())).status).toBe('requires_action');
    expect(sent()).toMatchObject({
      '3ds': { enabled: true },
      success_url: 'https://shop.example/ok',
      failure_url: 'https://shop.example/fail',
    });
  });

  it('a completed 3-D Secure result is passed as eci, cryptogram, xid and version', async () => {
    approved(
      await gw.authorize(
        payment({ threeDS: { eci: '05', cavv: 'AgAAAAAAAIR8CQrXcIhbQAAAAAA=', xid: 'MDAwMDAwMDAwMDAwMDAwMzIyNzY=', version: '2.2.0' } }),
      ),
    );
    expect(sent()['3ds']).toEqual({
      enabled: true,
      eci: '05',
      cryptogram: 'AgAAAAAAAIR8CQrXcIhbQAAAAAA=',
      xid: 'MDAwMDAwMDAwMDAwMDAwMzIyNzY=',
      version: '2.2.0',
    });
  });
});

describe('subscriptions', () => {
  it('initial sale is a customer-initiated Recurring payment; the rebill is merchant-initiated with previous_payment_id', async () => {
    const first = approved(await gw.sale(payment({ storedCredential: { type: 'initial', reason: 'recurring' } })));
    expect(sent()).toMatchObject({ payment_type: 'Recurring', merchant_initiated: false, source: { cvv: CVC } });

    const rebill = approved(
      await gw.sale(
        payment({
          card: { number: PAN, expMonth: 6, expYear: 2030 },
          storedCredential: {
            type: 'subsequent',
            initiator: 'merchant',
            reason: 'recurring',
            networkTransactionId: first.networkTransactionId,
            gatewayToken: first.gatewayToken,
            previousGatewayTransactionId: first.gatewayTransactionId,
          },
        }),
      ),
    );
    const body = sent();
    expect(body).toMatchObject({
      payment_type: 'Recurring',
      merchant_initiated: true,
      previous_payment_id: first.networkTransactionId,
      source: { type: 'card', stored: true },
    });
    expect(body.source.cvv).toBeUndefined();
    expect(fake.payments.get(rebill.gatewayTransactionId)).toMatchObject({
      merchantInitiated: true,
      previousPaymentId: first.networkTransactionId,
    });
  });

  it('a rebill without the card uses the src_ token of the initial payment; without either it is refused before sending', async () => {
    const first = approved(await gw.sale(payment({ storedCredential: { type: 'initial', reason: 'recurring' } })));
    approved(
      await gw.sale(
        payment({
          card: undefined,
          storedCredential: {
            type: 'subsequent',
            initiator: 'merchant',
            reason: 'recurring',
            gatewayToken: first.gatewayToken,
            previousGatewayTransactionId: first.gatewayTransactionId,
          },
        }),
      ),
    );
    expect(sent()).toMatchObject({
      source: { type: 'id', id: first.gatewayToken },
      previous_payment_id: first.gatewayTransactionId,
      merchant_initiated: true,
    });

    const before = fake.requests.length;
    const r = await gw.sale(
      payment({
        card: undefined,
        storedCredential: { type: 'subsequent', initiator: 'merchant', reason: 'recurring', networkTransactionId: '123456789012345' },
      }),
    );
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: 'invalid_request' });
    expect((r as { message: string }).message).toMatch(/^card: /);
    expect(fake.requests.length).toBe(before);
  });

  it('an unscheduled stored credential is a Regular payment, merchant-initiated on the rebill', async () => {
    approved(
      await gw.sale(
        payment({
          storedCredential: {
            type: 'subsequent',
            initiator: 'merchant',
            reason: 'unscheduled',
            previousGatewayTransactionId: 'pay_mbabizu24mvu3mela5njyhpit4',
          },
        }),
      ),
    );
    expect(sent()).toMatchObject({
      payment_type: 'Regular',
      merchant_initiated: true,
      previous_payment_id: 'pay_mbabizu24mvu3mela5njyhpit4',
    });
  });
});

describe('idempotency and transport failures', () => {
  it('a reset after processing is retried with the same Cko-Idempotency-Key and charges once', async () => {
    const before = fake.payments.size;
    const replays = fake.replays;
    fake.inject({ type: 'reset', afterProcessing: true });
    const req = payment();
    const r = approved(await gw.sale(req));
    const [a, b] = fake.requests.slice(-2);
    expect(a.headers['cko-idempotency-key']).toBe(req.reference);
    expect(b.headers['cko-idempotency-key']).toBe(req.reference);
    expect(a.body).toBe(b.body);
    expect(fake.replays).toBe(replays + 1);
    expect(fake.payments.size).toBe(before + 1);
    expect(fake.payments.get(r.gatewayTransactionId)!.reference).toBe(req.reference);
  });

  it('a timeout after processing is retried and replayed: one charge', async () => {
    const before = fake.payments.size;
    fake.inject({ type: 'timeout', afterProcessing: true });
    const g = make({ timeoutMs: 300 });
    approved(await g.sale(payment()));
    expect(fake.payments.size).toBe(before + 1);
  });

  it('a timeout without retries is ambiguous', async () => {
    fake.inject({ type: 'timeout', afterProcessing: true });
    const r = await make({ timeoutMs: 200, transportRetries: 0 }).sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: true });
  });

  it('HTTP 500/502 without a trusted body is ambiguous', async () => {
    fake.inject({ type: 'status', status: 502 });
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: true, httpStatus: 502 });
    fake.inject({ type: 'status', status: 500 });
    expect(await gw.refund(followUp('pay_mbabizu24mvu3mela5njyhpit4', 100, 100))).toMatchObject({
      status: 'error',
      ambiguous: true,
      httpStatus: 500,
    });
  });

  it('a malformed or truncated approval is ambiguous', async () => {
    fake.inject({ type: 'malformed' });
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: true });
    fake.inject({ type: 'truncate' }, { type: 'truncate' }, { type: 'truncate' });
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: true });
  });

  it('a refused connection never reached Checkout.com: not ambiguous', async () => {
    const r = await checkout({ secretKey: SECRET, baseUrl: 'http://127.0.0.1:9', transportRetries: 0 }).sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false });
  });

  it('a wrong secret key is a merchant error, not a decline', async () => {
    const r = await make({ secretKey: 'sk_sbox_wrong' }).sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, merchantError: true, httpStatus: 401 });
  });

  it('422 validation errors are clear errors naming Checkout.com error codes; 429 is ambiguous', () => {
    const r = parseClientError(422, checkoutFixture('validation-error'));
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: 'payment_source_required' });
    expect((r as { message: string }).message).toContain('request_invalid (payment_source_required)');
    expect(parseClientError(429, { error_type: 'too_many_requests' })).toMatchObject({ status: 'error', ambiguous: true });
  });
});

describe('amounts', () => {
  it.each([
    ['USD', 1999, 1999],
    ['JPY', 500, 500],
    ['KWD', 1230, 1230],
    ['CLP', 500, 50000],
  ])('%s %i minor units are sent as %i', async (currency, minor, wire) => {
    approved(await gw.sale(payment({ amount: minor, currency })));
    expect(sent()).toMatchObject({ amount: wire, currency });
  });

  it('a KWD amount Checkout.com cannot express (last digit not 0) is refused before sending, naming the field', async () => {
    const before = fake.requests.length;
    const r = await gw.sale(payment({ amount: 1005, currency: 'KWD' }));
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: 'invalid_request' });
    expect((r as { message: string }).message).toMatch(/^amount: /);
    expect(fake.requests.length).toBe(before);
    expect(() => toCheckoutAmount(1_000_000_000, 'USD')).toThrow(CheckoutInputError);
  });

  it('conversion is exact and round-trips for USD, JPY, KWD and CLP', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), fc.constantFrom('USD', 'JPY', 'KWD', 'CLP', 'BHD'), (n, currency) => {
        const minor = ['KWD', 'BHD'].includes(currency) ? n * 10 : n;
        const wire = toCheckoutAmount(minor, currency);
        expect(Number.isSafeInteger(wire)).toBe(true);
        expect(fromCheckoutAmount(wire, currency)).toBe(minor);
      }),
    );
  });
});

describe('card data never leaks', () => {
  it('results, messages and errors carry no PAN and no CVC; a PAN in a gateway message is masked', async () => {
    const results: unknown[] = [];
    results.push(await gw.sale(payment()));
    fake.next({ type: 'decline', code: '20014', summary: `Invalid card ${PAN} cvv=${CVC}` });
    const declined = await gw.sale(payment());
    results.push(declined);
    fake.inject({ type: 'status', status: 502 });
    results.push(await gw.sale(payment()));
    results.push(await gw.sale(payment({ amount: 1005, currency: 'KWD' })));
    results.push(await gw.sale(payment({ card: { number: '42424242', expMonth: 6, expYear: 2030, cvc: CVC } })));
    const text = JSON.stringify(results);
    expect(text).not.toContain(PAN);
    expect(text).not.toMatch(new RegExp(`\\b${CVC}\\b`));
    expect((declined as { message: string }).message).toContain('424242******4242');
  });
});

describe('lookup', () => {
  it('finds a payment by its pay_ id and checks our reference; cannot search by reference alone', async () => {
    const req = payment();
    const s = approved(await gw.sale(req));
    const found = await gw.lookup!({
      reference: req.reference,
      transactionId: req.transactionId,
      gatewayTransactionId: s.gatewayTransactionId,
      amount: 1999,
      currency: 'USD',
      merchant: req.merchant,
    });
    expect(found).toMatchObject({
      status: 'approved',
      gatewayTransactionId: s.gatewayTransactionId,
      networkTransactionId: s.networkTransactionId,
    });
    expect(
      await gw.lookup!({
        reference: 'at_other',
        transactionId: 't',
        gatewayTransactionId: s.gatewayTransactionId,
        amount: 1,
        currency: 'USD',
        merchant: req.merchant,
      }),
    ).toEqual({ status: 'not_found' });
    expect(
      await gw.lookup!({
        reference: 'x',
        transactionId: 't',
        gatewayTransactionId: 'pay_bbbbbbbbbbbbbbbbbbbbbbbbbb',
        amount: 1,
        currency: 'USD',
        merchant: req.merchant,
      }),
    ).toEqual({ status: 'not_found' });
    expect(await gw.lookup!({ reference: 'x', transactionId: 't', amount: 1, currency: 'USD', merchant: req.merchant })).toMatchObject({
      status: 'error',
      ambiguous: false,
    });
  });
});

describe('configuration', () => {
  it('a missing secret key or a malformed processing channel throws ConfigError naming the field', () => {
    expect(() => checkout({ secretKey: '' })).toThrow(ConfigError);
    try {
      checkout({ secretKey: SECRET, processingChannelId: 'pc_short' });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems[0].path).toBe('processingChannelId');
    }
  });
});

describe('decline families', () => {
  it('an unlisted 30xxx code is a hard, never-retry decline, not a soft generic one', () => {
    const d = normalizeDecline({ gateway: 'checkout', code: '30099', message: 'Hard decline' });
    expect(d).toMatchObject({ reason: 'do_not_retry', retry: 'never', cascade: false });
    expect(normalizeDecline({ gateway: 'checkout', code: '30051', message: 'Insufficient Funds' }).reason).toBe('insufficient_funds');
    expect(normalizeDecline({ gateway: 'checkout', code: '20099' }).reason).toBe('generic_decline');
  });
});
