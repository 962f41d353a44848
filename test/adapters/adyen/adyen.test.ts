/**
 * The Adyen adapter against a fake Adyen on loopback that validates every request against
 * Adyen's published Checkout v72 OpenAPI description.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { adyen } from '../../../adapters/adyen';
import type { GatewayAdapter, GatewayFollowUpRequest, GatewayPaymentRequest, GatewayResult } from '../../../src/adapter';
import { ConfigError } from '../../../src/errors';
import { normalizeDecline } from '../../../src/decline-registry';
import { DECLINE_REASONS, type DeclineReason } from '../../../src/declines/reasons';
import { detectBrand, luhnValid } from '../../../src/card/pan';
import { openApiValidator } from '../../support/openapi';
import { ADYEN_REFUSAL_REASONS, ADYEN_SPEC, startFakeAdyen, type FakeAdyen } from '../../fakes/adyen';

const PAN = '4111111145551142'; // Adyen's Visa test card
const CVC = '737';
const MERCHANT = 'SwitchyardECOM';
const API_KEY = 'test_api_key';
let seq = 0;

function payment(over: Partial<GatewayPaymentRequest> = {}): GatewayPaymentRequest {
  seq += 1;
  return {
    reference: `at_test${String(seq).padStart(6, '0')}`,
    transactionId: `tx_test${String(seq).padStart(6, '0')}`,
    amount: 1999,
    currency: 'USD',
    card: { number: PAN, expMonth: 3, expYear: 2030, cvc: CVC, holderName: 'J Smith' },
    customer: { id: 'cust-42', email: 'a@b.co', country: 'US', ip: '203.0.113.9' },
    merchant: { id: 'adyen-1', descriptor: 'ACME*SHOP' },
    ...over,
  };
}

function followUp(gatewayTransactionId: string, amount: number, originalAmount = amount, currency = 'USD'): GatewayFollowUpRequest {
  seq += 1;
  return {
    reference: `at_fu${String(seq).padStart(8, '0')}`,
    transactionId: 'tx_x',
    gatewayTransactionId,
    amount,
    currency,
    originalAmount,
    merchant: { id: 'adyen-1' },
  };
}

function approved(r: GatewayResult) {
  if (r.status !== 'approved') throw new Error(`expected approved, got ${JSON.stringify(r)}`);
  return r;
}

/** A Luhn-valid digit run of a length its brand uses (Adyen's 16-character pspReferences are neither). */
const isCardNumber = (run: string) => luhnValid(run) && (detectBrand(run)?.lengths.includes(run.length) ?? false);

/** The JSON bodies the fake received, in order. */
const bodies = (fake: FakeAdyen) => fake.server.requests.map((r) => JSON.parse(r.body));
const lastBody = (fake: FakeAdyen) => bodies(fake).at(-1);

let fake: FakeAdyen;
let gw: GatewayAdapter;

beforeAll(async () => {
  fake = await startFakeAdyen({ apiKey: API_KEY, merchantAccount: MERCHANT });
  gw = adyen({ apiKey: API_KEY, merchantAccount: MERCHANT, baseUrl: fake.url, returnUrl: 'https://shop.example/return', timeoutMs: 2_000 });
});
afterAll(() => fake.close());
afterEach(() => {
  // Every request the adapter sent must be valid against Adyen's spec.
  expect(fake.violations).toEqual([]);
});

describe('adyen(): configuration', () => {
  it('names each missing option in a ConfigError', () => {
    expect(() => adyen({ apiKey: '', merchantAccount: '' } as never)).toThrow(ConfigError);
    try {
      adyen({ apiKey: '', merchantAccount: 'X', returnUrl: 'nope' } as never);
    } catch (e) {
      const paths = (e as ConfigError).problems.map((p) => p.path);
      expect(paths).toEqual(['adyen.apiKey', 'adyen.returnUrl', 'adyen.baseUrl']);
    }
  });

  it('declares its capabilities truthfully: no lookup by reference, dedup by idempotency key', () => {
    expect(gw.gateway).toBe('adyen');
    expect(gw.capabilities).toMatchObject({
      lookup: false,
      idempotencyKeys: true,
      partialCapture: true,
      partialRefund: true,
      verify: true,
    });
    expect(gw.lookup).toBeUndefined();
  });
});

describe('the fake Adyen itself', () => {
  it('flags a request the spec does not allow (so the checks above can fail)', async () => {
    const res = await fetch(`${fake.url}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, 'idempotency-key': 'k-bad-1' },
      body: JSON.stringify({
        merchantAccount: MERCHANT,
        reference: 'r',
        amount: { value: '10', currency: 'USD' },
        paymentMethod: { type: 'scheme' },
        returnUrl: 'https://x',
        bogus: 1,
      }),
    });
    expect(res.status).toBe(422);
    expect(fake.violations.splice(0)).toEqual([expect.stringMatching(/additional properties|must be integer/)]);
  });
});

describe('payments', () => {
  it('approves a sale, captured in the same call, with the auth code and network transaction id', async () => {
    const req = payment();
    const r = approved(await gw.sale(req));
    const charge = fake.charges.get(r.gatewayTransactionId)!;
    expect(charge).toMatchObject({
      reference: req.reference,
      merchantOrderReference: req.transactionId,
      amount: { value: 1999, currency: 'USD' },
      captured: 1999,
    });
    expect(r.authCode).toMatch(/^\d{6}$/);
    expect(r.networkTransactionId).toBe(charge.networkTxReference);
    const sent = lastBody(fake);
    expect(sent).toMatchObject({
      captureDelayHours: 0,
      shopperInteraction: 'Ecommerce',
      shopperStatement: 'ACME*SHOP',
      paymentMethod: { type: 'scheme', expiryMonth: '03', expiryYear: '2030' },
    });
    expect(fake.server.requests.at(-1)!.headers['x-api-key']).toBe(API_KEY);
  });

  it('authorizes without capturing (manualCapture), then captures partially and refunds', async () => {
    const r = approved(await gw.authorize(payment({ amount: 5000 })));
    expect(lastBody(fake).additionalData).toEqual({ manualCapture: 'true' });
    expect(fake.charges.get(r.gatewayTransactionId)!.captured).toBe(0);

    const cap = approved(await gw.capture(followUp(r.gatewayTransactionId, 3000, 5000)));
    expect(cap.gatewayTransactionId).not.toBe(r.gatewayTransactionId); // the capture's own pspReference
    expect(fake.server.requests.at(-1)!.path).toBe(`/payments/${r.gatewayTransactionId}/captures`);
    expect(lastBody(fake)).toEqual({ merchantAccount: MERCHANT, reference: expect.any(String), amount: { value: 3000, currency: 'USD' } });

    approved(await gw.refund(followUp(r.gatewayTransactionId, 1000, 5000)));
    approved(await gw.refund(followUp(r.gatewayTransactionId, 2000, 5000)));
    const books = fake.charges.get(r.gatewayTransactionId)!;
    expect(books).toMatchObject({ captured: 3000, refunded: 3000 });
    expect(books.modifications.map((m) => [m.type, m.value, m.success])).toEqual([
      ['capture', 3000, true],
      ['refund', 1000, true],
      ['refund', 2000, true],
    ]);
  });

  it('voids an authorization with a cancel (no amount on the wire)', async () => {
    const r = approved(await gw.authorize(payment()));
    approved(await gw.void(followUp(r.gatewayTransactionId, 1999)));
    expect(fake.server.requests.at(-1)!.path).toBe(`/payments/${r.gatewayTransactionId}/cancels`);
    expect(lastBody(fake).amount).toBeUndefined();
    expect(fake.charges.get(r.gatewayTransactionId)!.cancelled).toBe(true);
  });

  it('refunds a sale in full', async () => {
    const r = approved(await gw.sale(payment({ amount: 2500 })));
    approved(await gw.refund(followUp(r.gatewayTransactionId, 2500)));
    expect(fake.charges.get(r.gatewayTransactionId)!.refunded).toBe(2500);
  });

  it("sends the billing address, customer and metadata in Adyen's shapes (spec-checked by the fake)", async () => {
    approved(
      await gw.sale(
        payment({
          billing: { line1: '1 Main St', line2: 'Apt 4', city: 'Springfield', state: 'IL', postalCode: '62701', country: 'us' },
          metadata: { funnel: 'a', 'a-key-longer-than-twenty-chars': 'dropped' },
        }),
      ),
    );
    expect(lastBody(fake)).toMatchObject({
      billingAddress: { street: '1 Main St, Apt 4', city: 'Springfield', stateOrProvince: 'IL', postalCode: '62701', country: 'US' },
      shopperEmail: 'a@b.co',
      shopperIP: '203.0.113.9',
      countryCode: 'US',
      metadata: { funnel: 'a' },
    });
  });

  it('verifies a card with a zero-amount authorization', async () => {
    approved(await gw.verify!(payment({ amount: 0 })));
    expect(lastBody(fake).amount).toEqual({ value: 0, currency: 'USD' });
  });

  it.each([
    ['USD', 1999, 1999],
    ['JPY', 1500, 1500],
    ['KWD', 1005, 1005],
    ['ISK', 500, 50000], // Adyen counts ISK in 2 decimals, ISO in 0
  ])('sends %s %i minor units as Adyen value %i, and refunds in the same units', async (currency, amount, wire) => {
    const r = approved(await gw.sale(payment({ amount, currency })));
    expect(fake.charges.get(r.gatewayTransactionId)!.amount).toEqual({ value: wire, currency });
    approved(await gw.refund(followUp(r.gatewayTransactionId, amount, amount, currency)));
    expect(lastBody(fake).amount).toEqual({ value: wire, currency });
  });

  it('refuses amounts Adyen cannot express, naming the field, without calling Adyen', async () => {
    const before = fake.server.requests.length;
    const r = await gw.sale(payment({ amount: 150, currency: 'CVE' })); // Adyen takes whole escudos
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: 'invalid_request' });
    expect((r as { message: string }).message).toMatch(/^amount: /);
    const bad = await gw.sale(payment({ card: { number: PAN, expMonth: 13, expYear: 2030 } }));
    expect((bad as { message: string }).message).toMatch(/^card\.expMonth: /);
    expect(fake.server.requests.length).toBe(before);
  });
});

describe('declines', () => {
  const classes: Array<[string, string | undefined, DeclineReason]> = [
    // refusalReasonCode, raw acquirer response, expected standard reason
    ['2', '05 : Do not honor', 'do_not_honor'],
    ['2', '5: Do not honor', 'do_not_honor'], // Adyen drops the leading zero at times
    ['2', '51 : Insufficient funds', 'insufficient_funds'],
    ['27', '14 : Invalid card number', 'incorrect_number'],
    ['12', '51 : Insufficient funds', 'insufficient_funds'],
    ['6', undefined, 'expired_card'],
    ['24', 'N7 : Decline for CVV2 failure', 'incorrect_cvc'],
    ['5', undefined, 'pickup_card'],
    ['26', 'R1 : Revocation of all authorizations', 'revocation_of_authorization'],
    ['38', '1A : Additional customer authentication required', 'authentication_required'],
    ['9', '91 : Issuer unavailable', 'issuer_unavailable'],
    ['4', undefined, 'processing_error'],
    ['20', undefined, 'risk_blocked'],
    ['31', undefined, 'fraud_suspected'],
    ['46', undefined, 'do_not_retry'],
  ];
  it.each(classes)('refusalReasonCode %s (raw %s) → %s', async (code, raw, reason) => {
    fake.next({ kind: 'refuse', code, raw });
    const r = await gw.sale(payment());
    expect(r.status).toBe('declined');
    if (r.status !== 'declined') return;
    expect(r.code).toBe(code);
    expect(r.gatewayTransactionId).toMatch(/^[A-Z0-9]{16}$/);
    if (raw) expect(r.message).toContain(raw);
    const d = normalizeDecline({ gateway: 'adyen', code: r.code, message: r.message, advice: r.advice });
    expect(d.reason).toBe(reason);
    expect(d.cascade).toBe(DECLINE_REASONS[reason].cascade);
  });

  it('46 "blocked by Adyen to prevent excessive retry fees" is never retried, anywhere', async () => {
    fake.next({ kind: 'refuse', code: '46' });
    const r = await gw.sale(payment());
    expect(r).toMatchObject({ status: 'declined', code: '46', message: 'Transaction blocked by Adyen to prevent excessive retry fees' });
    expect(normalizeDecline({ gateway: 'adyen', code: '46' })).toMatchObject({ retry: 'never', cascade: false, category: 'hard' });
  });

  it('every documented refusal reason code maps to a standard reason (2 and 27 via the raw ISO code)', () => {
    for (const code of Object.keys(ADYEN_REFUSAL_REASONS)) {
      const d = normalizeDecline({ gateway: 'adyen', code, message: `${ADYEN_REFUSAL_REASONS[code]} (raw: 05 : Do not honor)` });
      expect(d.source, code).toBe(code === '2' || code === '27' ? 'iso8583' : 'gateway');
    }
  });

  it('a generic refusal without a raw response is a generic decline', async () => {
    fake.next({ kind: 'refuse', code: '2' });
    const r = await gw.sale(payment());
    expect(r).toMatchObject({ status: 'declined', code: '2', message: 'Refused' });
    expect(normalizeDecline({ gateway: 'adyen', code: '2', message: 'Refused' }).reason).toBe('generic_decline');
  });

  it('passes the Mastercard Merchant Advice Code through: MAC 03 means never retry', async () => {
    fake.next({ kind: 'refuse', code: '2', raw: '05 : Do not honor', advice: '03: Do not try again' });
    const r = await gw.sale(payment());
    expect(r).toMatchObject({ status: 'declined', advice: '03' });
    if (r.status !== 'declined') return;
    expect(normalizeDecline({ gateway: 'adyen', code: r.code, message: r.message, advice: r.advice })).toMatchObject({
      retry: 'never',
      cascade: false,
    });
  });

  it('honours Adyen test holder names (DECLINED → refusalReasonCode 2)', async () => {
    const r = await gw.sale(payment({ card: { number: PAN, expMonth: 3, expYear: 2030, cvc: CVC, holderName: 'DECLINED' } }));
    expect(r).toMatchObject({ status: 'declined', code: '2' });
  });
});

describe('3-D Secure', () => {
  it('RedirectShopper comes back as requires_action with the redirect, never a decline', async () => {
    fake.next({ kind: 'redirect' });
    const r = await gw.sale(payment());
    expect(r).toMatchObject({
      status: 'requires_action',
      action: { type: 'redirect', method: 'GET', url: expect.stringMatching(/^https:\/\//) },
    });
  });

  it('IdentifyShopper (native 3DS2) comes back as requires_action with the SDK action data', async () => {
    fake.next({ kind: 'identify' });
    const r = await gw.sale(payment());
    expect(r).toMatchObject({
      status: 'requires_action',
      action: { type: 'sdk', data: { type: 'threeDS2', subtype: 'fingerprint', token: expect.any(String) } },
    });
  });

  it('sends a completed 3-D Secure result as mpiData', async () => {
    const threeDS = {
      version: '2.2.0',
      eci: '05',
      cavv: 'AAABBEg0VhI0VniQEjRWAAAAAAA=',
      dsTransactionId: 'f25084f0-5b16-4c0a-ae5d-b24808a95e4b',
    };
    const r = approved(await gw.sale(payment({ threeDS })));
    expect(fake.charges.get(r.gatewayTransactionId)!.mpiData).toEqual({
      cavv: threeDS.cavv,
      eci: '05',
      dsTransID: threeDS.dsTransactionId,
      threeDSVersion: '2.2.0',
      directoryResponse: 'Y',
    });
  });
});

describe('subscriptions: stored credentials', () => {
  it('stores the card on the initial payment and rebills with the token under ContAuth + Subscription', async () => {
    const first = approved(await gw.sale(payment({ storedCredential: { type: 'initial', reason: 'recurring' } })));
    expect(lastBody(fake)).toMatchObject({
      shopperInteraction: 'Ecommerce',
      recurringProcessingModel: 'Subscription',
      storePaymentMethod: true,
      shopperReference: 'cust-42',
    });
    const initial = fake.charges.get(first.gatewayTransactionId)!;
    expect(first.gatewayToken).toBe(`${initial.storedPaymentMethodId}:cust-42`);
    expect(first.networkTransactionId).toBe(initial.networkTxReference);

    const rebill = approved(
      await gw.sale(
        payment({
          card: undefined,
          customer: undefined,
          storedCredential: {
            type: 'subsequent',
            initiator: 'merchant',
            reason: 'recurring',
            gatewayToken: first.gatewayToken,
            networkTransactionId: first.networkTransactionId,
            previousGatewayTransactionId: first.gatewayTransactionId,
          },
        }),
      ),
    );
    expect(lastBody(fake)).toMatchObject({
      shopperInteraction: 'ContAuth',
      recurringProcessingModel: 'Subscription',
      shopperReference: 'cust-42',
      paymentMethod: { type: 'scheme', storedPaymentMethodId: initial.storedPaymentMethodId },
    });
    expect(fake.charges.get(rebill.gatewayTransactionId)!.paidWithStoredPaymentMethodId).toBe(initial.storedPaymentMethodId);
  });

  it('rebills with the card and the network transaction id when there is no token, without a CVC', async () => {
    const first = approved(await gw.sale(payment()));
    const rebill = approved(
      await gw.sale(
        payment({
          storedCredential: {
            type: 'subsequent',
            initiator: 'merchant',
            reason: 'recurring',
            networkTransactionId: first.networkTransactionId,
          },
        }),
      ),
    );
    const sent = lastBody(fake);
    expect(sent.shopperInteraction).toBe('ContAuth');
    expect(sent.paymentMethod.networkPaymentReference).toBe(first.networkTransactionId);
    expect(sent.paymentMethod.cvc).toBeUndefined();
    expect(fake.charges.get(rebill.gatewayTransactionId)!.networkPaymentReference).toBe(first.networkTransactionId);
  });

  it('unscheduled card-on-file uses UnscheduledCardOnFile', async () => {
    approved(await gw.sale(payment({ storedCredential: { type: 'initial', reason: 'unscheduled' } })));
    expect(lastBody(fake).recurringProcessingModel).toBe('UnscheduledCardOnFile');
  });

  it('a rebill with neither token nor card is refused locally, naming the field', async () => {
    const r = await gw.sale(
      payment({
        card: undefined,
        storedCredential: { type: 'subsequent', initiator: 'merchant', reason: 'recurring', networkTransactionId: '123' },
      }),
    );
    expect(r).toMatchObject({ status: 'error', ambiguous: false, message: expect.stringMatching(/^card: /) });
  });
});

describe('idempotency and transport failures', () => {
  it('sends Idempotency-Key = our reference, identical across a transport retry, and charges once', async () => {
    const req = payment();
    fake.server.inject({ type: 'reset', afterProcessing: true });
    const before = fake.charges.size;
    const r = approved(await gw.sale(req));
    const tries = fake.server.requests.filter((x) => JSON.parse(x.body).reference === req.reference);
    expect(tries).toHaveLength(2);
    expect(tries.map((t) => t.headers['idempotency-key'])).toEqual([req.reference, req.reference]);
    expect(fake.charges.size).toBe(before + 1); // Adyen replayed the first answer
    expect(fake.charges.has(r.gatewayTransactionId)).toBe(true);
  });

  it('retries modifications with the same key too: one refund only', async () => {
    const sale = approved(await gw.sale(payment({ amount: 1000 })));
    fake.server.inject({ type: 'reset', afterProcessing: true });
    approved(await gw.refund(followUp(sale.gatewayTransactionId, 400, 1000)));
    expect(fake.charges.get(sale.gatewayTransactionId)!.refunded).toBe(400);
  });

  it('a timeout after Adyen processed the payment is ambiguous', async () => {
    const quick = adyen({
      apiKey: API_KEY,
      merchantAccount: MERCHANT,
      baseUrl: fake.url,
      returnUrl: 'https://shop.example/return',
      timeoutMs: 200,
      transportRetries: 0,
    });
    fake.server.inject({ type: 'timeout', afterProcessing: true });
    expect(await quick.sale(payment())).toMatchObject({ status: 'error', ambiguous: true });
  });

  it('a connection reset on every try is ambiguous', async () => {
    fake.server.inject(
      { type: 'reset', afterProcessing: false },
      { type: 'reset', afterProcessing: false },
      { type: 'reset', afterProcessing: false },
    );
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: true });
  });

  it('a refused connection is not ambiguous: nothing reached Adyen', async () => {
    const closed = adyen({
      apiKey: API_KEY,
      merchantAccount: MERCHANT,
      baseUrl: 'http://127.0.0.1:1',
      returnUrl: 'https://shop.example/return',
      transportRetries: 0,
    });
    expect(await closed.sale(payment())).toMatchObject({ status: 'error', ambiguous: false });
  });

  it('an HTML 502 from a proxy is ambiguous; a malformed 200 is ambiguous', async () => {
    fake.server.inject({ type: 'status', status: 502 });
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: true, httpStatus: 502 });
    fake.server.inject({ type: 'malformed' });
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: true });
  });

  it('Pending is ambiguous: the outcome arrives by webhook', async () => {
    fake.next({ kind: 'pending' });
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: true, code: 'Pending' });
  });

  it('422 "request already processed or in progress" (704) is ambiguous', async () => {
    fake.next({ kind: 'error', status: 422, fixture: 'error-422-in-progress' });
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: true, code: '704' });
  });

  it('a 422 validation error is a clear, non-ambiguous error, not a decline', async () => {
    fake.next({ kind: 'error', status: 422 });
    expect(await gw.sale(payment())).toMatchObject({
      status: 'error',
      ambiguous: false,
      httpStatus: 422,
      code: '14_030',
      message: expect.stringContaining('Return URL is missing'),
    });
  });

  it('a 500 where Adyen says the request was refused for configuration is not ambiguous', async () => {
    fake.next({ kind: 'error', status: 500 });
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, merchantError: true, code: '905' });
  });

  it('a wrong API key is a merchant error (401), a wrong merchant account too (403)', async () => {
    const wrongKey = adyen({ apiKey: 'nope', merchantAccount: MERCHANT, baseUrl: fake.url, returnUrl: 'https://shop.example/return' });
    expect(await wrongKey.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, merchantError: true, httpStatus: 401 });
    const wrongAccount = adyen({
      apiKey: API_KEY,
      merchantAccount: 'OtherECOM',
      baseUrl: fake.url,
      returnUrl: 'https://shop.example/return',
    });
    expect(await wrongAccount.sale(payment())).toMatchObject({
      status: 'error',
      ambiguous: false,
      merchantError: true,
      httpStatus: 403,
      code: '901',
    });
  });
});

describe('card data never leaks', () => {
  it('no PAN or CVC in results or error messages, even when Adyen echoes them', async () => {
    const results: GatewayResult[] = [];
    results.push(await gw.sale(payment()));
    fake.next({ kind: 'refuse', code: '8', raw: `Invalid card ${PAN} cvc: ${CVC}` });
    results.push(await gw.sale(payment()));
    fake.server.inject({ type: 'status', status: 500, body: `upstream failed for card ${PAN}` });
    results.push(await gw.sale(payment()));
    fake.server.inject(
      { type: 'reset', afterProcessing: false },
      { type: 'reset', afterProcessing: false },
      { type: 'reset', afterProcessing: false },
    );
    results.push(await gw.sale(payment()));
    const text = JSON.stringify(results);
    expect(text).not.toContain(PAN);
    expect(text).not.toMatch(/cvc: 737/);
    expect(results[1]).toMatchObject({ status: 'declined', message: expect.stringContaining('411111******1142') });
  });

  it('the fake books and the fixtures hold BIN + last four at most, and the fixtures are spec-valid answers', () => {
    expect(JSON.stringify([...fake.charges.values()])).not.toContain(PAN);
    const dir = resolve(__dirname, '../../../adapters/adyen/fixtures');
    const spec = openApiValidator(ADYEN_SPEC);
    const route: Record<string, [string, number]> = {
      'payment-': ['/payments', 200],
      'capture-': ['/payments/X/captures', 201],
      'cancel-': ['/payments/X/cancels', 201],
      'refund-': ['/payments/X/refunds', 201],
    };
    for (const file of readdirSync(dir)) {
      const text = readFileSync(resolve(dir, file), 'utf8');
      for (const run of text.match(/\d{12,19}/g) ?? []) expect(isCardNumber(run), `${file} holds a card number ${run}`).toBe(false);
      const body = JSON.parse(text);
      // Notifications are not API answers: their signatures are checked in test/webhooks/signatures.test.ts.
      if (file.startsWith('webhook-')) continue;
      const error = /^error-(\d{3})/.exec(file);
      const [path, status] = error ? ['/payments', Number(error[1])] : route[Object.keys(route).find((p) => file.startsWith(p))!];
      expect(spec.response('POST', path, status, body).errors, file).toEqual([]);
    }
  });
});
