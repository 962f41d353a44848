import axios from 'axios';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nmi } from '../../../adapters/nmi';
import type { GatewayAdapter, GatewayFollowUpRequest, GatewayPaymentRequest, GatewayResult } from '../../../src/adapter';
import { luhnValid } from '../../../src/card/pan';
import { normalizeDecline } from '../../../src/decline-registry';
import { ConfigError } from '../../../src/errors';
import { startNmiFake, type NmiFake } from '../../fakes/nmi';

const KEY = 'test_security_key_0001';
const PAN = '4111111111111111';
const CVC = '999';
const FIXTURES = join(__dirname, '../../../adapters/nmi/fixtures');

let fake: NmiFake;
let adapter: GatewayAdapter;
let n = 0;
let amountSeed = 1000;

/** A payment; amounts differ per call so NMI's duplicate check does not fire by accident. */
function payment(over: Partial<GatewayPaymentRequest> = {}): GatewayPaymentRequest {
  n++;
  return {
    reference: `at_test${String(n).padStart(6, '0')}`,
    transactionId: `tx_test${n}`,
    amount: ++amountSeed,
    currency: 'USD',
    card: { number: PAN, expMonth: 12, expYear: 2030, cvc: CVC, holderName: 'Jane Q Doe' },
    customer: { email: 'jane@example.com', ip: '203.0.113.9', country: 'US' },
    billing: { line1: '888', postalCode: '77777', country: 'US' },
    merchant: { id: 'nmi-a' },
    ...over,
  };
}

function followUp(gatewayTransactionId: string, amount: number, over: Partial<GatewayFollowUpRequest> = {}): GatewayFollowUpRequest {
  return {
    reference: `at_fu${++n}`,
    transactionId: 'tx_fu',
    gatewayTransactionId,
    amount,
    currency: 'USD',
    originalAmount: amount,
    merchant: { id: 'nmi-a' },
    ...over,
  };
}

const lastForm = (f = fake) => f.forms().at(-1)!;

function approved(r: GatewayResult) {
  if (r.status !== 'approved') throw new Error(`expected approved, got ${JSON.stringify(r)}`);
  return r;
}

beforeEach(async () => {
  fake = await startNmiFake({ securityKey: KEY });
  adapter = nmi({ securityKey: KEY, baseUrl: fake.url, timeoutMs: 2_000 });
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.close();
});

describe('nmi adapter: payments', () => {
  it('approves a sale with the documented fields and records the charge', async () => {
    const req = payment({ amount: 1999 });
    const r = approved(await adapter.sale(req));
    const form = lastForm();
    expect(form).toMatchObject({
      security_key: KEY,
      type: 'sale',
      ccnumber: PAN,
      ccexp: '1230',
      cvv: CVC,
      amount: '19.99',
      currency: 'USD',
      orderid: req.reference,
      first_name: 'Jane Q',
      last_name: 'Doe',
      address1: '888',
      zip: '77777',
      country: 'US',
      email: 'jane@example.com',
      ipaddress: '203.0.113.9',
    });
    const charge = fake.charges.get(r.gatewayTransactionId)!;
    expect(charge).toMatchObject({ type: 'sale', orderid: req.reference, amount: 1999, captured: 1999, success: true });
    expect(r).toMatchObject({ authCode: charge.authcode, avsResult: 'Y', cvvResult: 'M' });
  });

  it('authorizes, then captures part of it with the original transactionid', async () => {
    const auth = approved(await adapter.authorize(payment({ amount: 5000 })));
    expect(lastForm().type).toBe('auth');
    expect(fake.charges.get(auth.gatewayTransactionId)!.captured).toBe(0);
    const cap = approved(await adapter.capture(followUp(auth.gatewayTransactionId, 3000)));
    expect(lastForm()).toEqual({ security_key: KEY, type: 'capture', transactionid: auth.gatewayTransactionId, amount: '30.00' });
    expect(cap.gatewayTransactionId).toBe(auth.gatewayTransactionId);
    expect(fake.charges.get(auth.gatewayTransactionId)!.captured).toBe(3000);
  });

  it('reports a capture above the authorization as a clear, non-ambiguous error', async () => {
    const auth = approved(await adapter.authorize(payment({ amount: 2000 })));
    const r = await adapter.capture(followUp(auth.gatewayTransactionId, 2500));
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: '300' });
    expect(r.status === 'error' && r.message).toMatch(/exceeds the authorization amount/);
    expect(fake.charges.get(auth.gatewayTransactionId)!.captured).toBe(0);
  });

  it('voids an authorization before settlement, and refuses after it', async () => {
    const auth = approved(await adapter.authorize(payment()));
    approved(await adapter.void(followUp(auth.gatewayTransactionId, 0)));
    expect(lastForm()).toEqual({ security_key: KEY, type: 'void', transactionid: auth.gatewayTransactionId });
    expect(fake.charges.get(auth.gatewayTransactionId)!.voided).toBe(true);

    const sale = approved(await adapter.sale(payment()));
    fake.settle(sale.gatewayTransactionId);
    const late = await adapter.void(followUp(sale.gatewayTransactionId, 0));
    expect(late).toMatchObject({ status: 'error', ambiguous: false });
    expect(fake.charges.get(sale.gatewayTransactionId)!.voided).toBe(false);
  });

  it('refunds partially, then the rest, each with an explicit amount and its own refund id', async () => {
    const sale = approved(await adapter.sale(payment({ amount: 10_000 })));
    const part = approved(await adapter.refund(followUp(sale.gatewayTransactionId, 2_500)));
    expect(lastForm()).toEqual({ security_key: KEY, type: 'refund', transactionid: sale.gatewayTransactionId, amount: '25.00' });
    const rest = approved(await adapter.refund(followUp(sale.gatewayTransactionId, 7_500)));
    expect(new Set([sale.gatewayTransactionId, part.gatewayTransactionId, rest.gatewayTransactionId]).size).toBe(3);
    expect(fake.charges.get(sale.gatewayTransactionId)!.refunded).toBe(10_000);
    const over = await adapter.refund(followUp(sale.gatewayTransactionId, 1));
    expect(over.status).not.toBe('approved');
    expect(fake.charges.get(sale.gatewayTransactionId)!.refunded).toBe(10_000);
  });

  it('verifies a card with type=validate and no amount', async () => {
    const r = approved(await adapter.verify!(payment({ amount: 0 })));
    const form = lastForm();
    expect(form.type).toBe('validate');
    expect(form).not.toHaveProperty('amount');
    expect(fake.charges.get(r.gatewayTransactionId)!.type).toBe('validate');
  });

  it("sends the MID's descriptor and processor_id (option, or the MID's settings.processorId)", async () => {
    const routed = nmi({ securityKey: KEY, baseUrl: fake.url, processorId: 'proc-a' });
    approved(await routed.sale(payment({ merchant: { id: 'nmi-a', descriptor: 'ACME*SHOP' } })));
    expect(lastForm()).toMatchObject({ descriptor: 'ACME*SHOP', processor_id: 'proc-a' });
    approved(await routed.sale(payment({ merchant: { id: 'nmi-b', settings: { processorId: 'proc-b' } } })));
    expect(lastForm().processor_id).toBe('proc-b');
  });

  it('declares its capabilities truthfully: no idempotency key on NMI', () => {
    expect(adapter.gateway).toBe('nmi');
    expect(adapter.capabilities).toMatchObject({
      idempotencyKeys: false,
      lookup: true,
      verify: true,
      partialCapture: true,
      partialRefund: true,
      threeDS: true,
    });
  });
});

describe('nmi adapter: amounts', () => {
  it.each([
    ['USD', 1999, '19.99'],
    ['JPY', 500, '500.00'],
    ['JPY', 1, '1.00'],
    ['KWD', 1250, '1.25'],
    ['KWD', 100_000, '100.00'],
    ['USD', 5, '0.05'],
  ])('%s %i minor units go out as %s', async (currency, amount, wire) => {
    const r = await adapter.authorize(payment({ currency, amount }));
    expect(lastForm()).toMatchObject({ amount: wire, currency });
    if (amount >= 100 || currency === 'JPY') approved(r);
  });

  it('converts follow-up amounts exactly too (JPY partial capture and refund)', async () => {
    const auth = approved(await adapter.authorize(payment({ currency: 'JPY', amount: 12_000 })));
    approved(await adapter.capture(followUp(auth.gatewayTransactionId, 9_000, { currency: 'JPY' })));
    expect(lastForm().amount).toBe('9000.00');
    approved(await adapter.refund(followUp(auth.gatewayTransactionId, 1_500, { currency: 'JPY' })));
    expect(lastForm().amount).toBe('1500.00');
  });

  it('refuses an unknown currency as a clear error naming the field, never as an ambiguous one', async () => {
    const r = await adapter.sale(payment({ currency: 'XYZ' }));
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: 'invalid_request', message: expect.stringMatching(/^currency: /) });
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a KWD amount whose fils digit NMI cannot carry, naming the field, without calling NMI', async () => {
    const r = await adapter.sale(payment({ currency: 'KWD', amount: 1005 }));
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: 'invalid_request' });
    expect(r.status === 'error' && r.message).toMatch(/^amount: 1\.005 KWD/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('nmi adapter: declines', () => {
  // Documented 2xx codes with NMI's own texts, and the standard reason each must end up as.
  const documented: Array<[string, string]> = [
    ['201', 'do_not_honor'],
    ['202', 'insufficient_funds'],
    ['203', 'amount_limit_exceeded'],
    ['204', 'transaction_not_allowed'],
    ['220', 'incorrect_number'],
    ['221', 'invalid_account'],
    ['222', 'incorrect_number'],
    ['223', 'expired_card'],
    ['224', 'invalid_expiry_date'],
    ['225', 'incorrect_cvc'],
    ['226', 'pin_error'],
    ['240', 'call_issuer'],
    ['250', 'pickup_card'],
    ['251', 'lost_card'],
    ['252', 'stolen_card'],
    ['253', 'fraud_suspected'],
    ['261', 'revocation_of_authorization'],
    ['262', 'revocation_of_authorization'],
    ['263', 'new_account_information'],
    ['200', 'generic_decline'],
  ];
  it.each(documented)('response_code %s is a decline that normalizes to %s', async (code, reason) => {
    fake.script({ response_code: code });
    const r = await adapter.sale(payment());
    expect(r.status).toBe('declined');
    if (r.status !== 'declined') return;
    expect(r.code).toBe(code);
    expect(r.message).toBeTruthy();
    expect(r.gatewayTransactionId).toBeTruthy();
    expect(normalizeDecline({ gateway: 'nmi', code: r.code, message: r.message, advice: r.advice }).reason).toBe(reason);
  });

  // NMI often says it only in responsetext, under the generic 200 / 260 codes.
  const texts: Array<[string, string, string]> = [
    ['200', 'Insufficient funds', 'insufficient_funds'],
    ['200', 'Do Not Honor', 'do_not_honor'],
    ['200', 'DECLINE', 'generic_decline'],
    ['200', 'Pick up card - L/S', 'pickup_card'],
    ['200', 'Expired Card', 'expired_card'],
    ['200', 'CVV2 MISMATCH', 'incorrect_cvc'],
    ['200', 'Restricted Card', 'restricted_card'],
    ['260', 'Declined - Stop Recurring', 'revocation_of_authorization'],
    ['260', 'Lost Card', 'lost_card'],
    ['260', 'Card Type Not Accepted', 'card_not_supported'],
  ];
  it.each(texts)('code %s with responsetext "%s" reaches the classifier as %s', async (code, responsetext, reason) => {
    fake.script({ response_code: code, responsetext });
    const r = await adapter.sale(payment());
    expect(r).toMatchObject({ status: 'declined', code, message: responsetext });
    if (r.status === 'declined') expect(normalizeDecline({ gateway: 'nmi', code: r.code, message: r.message }).reason).toBe(reason);
  });

  it('carries the Mastercard merchant advice code, which makes the decline final', async () => {
    fake.script({ response_code: '201', responsetext: 'Do Not Honor', merchant_advice_code: '03' });
    const r = await adapter.sale(payment());
    expect(r).toMatchObject({ status: 'declined', advice: '03' });
    if (r.status === 'declined')
      expect(normalizeDecline({ gateway: 'nmi', code: r.code, message: r.message, advice: r.advice })).toMatchObject({
        reason: 'do_not_retry',
        retry: 'never',
        cascade: false,
      });
  });

  it('follows the test trigger: an amount below 1.00 declines', async () => {
    const r = await adapter.sale(payment({ amount: 50 }));
    expect(r).toMatchObject({ status: 'declined', code: '200', message: 'DECLINE' });
  });

  it.each([
    ['421', 'issuer_unavailable'],
    ['430', 'duplicate_transaction'],
    ['461', 'card_not_supported'],
  ])('response=3 code %s is about the card or issuer: a decline (%s)', async (code, reason) => {
    fake.script({ response_code: code });
    const r = await adapter.sale(payment());
    expect(r).toMatchObject({ status: 'declined', code });
    if (r.status === 'declined') expect(normalizeDecline({ gateway: 'nmi', code: r.code, message: r.message }).reason).toBe(reason);
  });

  it("NMI's duplicate check (same card and amount) is a decline that never cascades", async () => {
    approved(await adapter.sale(payment({ amount: 4321 })));
    const r = await adapter.sale(payment({ amount: 4321 }));
    expect(r).toMatchObject({ status: 'declined', code: '300' });
    if (r.status === 'declined')
      expect(normalizeDecline({ gateway: 'nmi', code: r.code, message: r.message })).toMatchObject({
        reason: 'duplicate_transaction',
        cascade: false,
      });
  });
});

describe('nmi adapter: errors', () => {
  it('rate limit in the body (response_code 301) is a transient, non-ambiguous error, not a decline', async () => {
    fake.script({ response_code: '301', responsetext: 'Rate limit exceeded' });
    const r = await adapter.sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: '301' });
    expect(r.status === 'error' && r.message).toMatch(/rate limit/i);
  });

  it('HTTP 429 is a transient, non-ambiguous error', async () => {
    fake.inject({ type: 'status', status: 429, body: 'Too Many Requests' });
    const r = await adapter.sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, httpStatus: 429 });
  });

  it('a wrong security key is a merchant error, not a decline', async () => {
    const wrong = nmi({ securityKey: 'not-the-key', baseUrl: fake.url });
    const r = await wrong.sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, merchantError: true });
    expect(r.status === 'error' && r.message).toMatch(/Authentication Failed/);
    expect(r.status === 'error' && r.message).not.toContain('not-the-key');
  });

  it.each(['410', '411'])('response_code %s (MID configuration) is a merchant error', async (code) => {
    fake.script({ response_code: code });
    expect(await adapter.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, merchantError: true, code });
  });

  it.each(['400', '420', '440', '441', '460'])('response_code %s (processor error) is a non-ambiguous error', async (code) => {
    fake.script({ response_code: code });
    const r = await adapter.sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code });
    expect(r).not.toHaveProperty('merchantError');
  });

  it('a gateway rejection of our data (300, not about the card) is a clear error', async () => {
    fake.script({ response_code: '300', responsetext: 'Invalid Currency REFID:11223344' });
    const r = await adapter.sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: '300' });
    expect(r.status === 'error' && r.message).toContain('Invalid Currency');
  });

  it('a timeout after NMI processed the sale is ambiguous, is not resent, and the lookup finds the charge', async () => {
    const quick = nmi({ securityKey: KEY, baseUrl: fake.url, timeoutMs: 300 });
    fake.inject({ type: 'timeout', afterProcessing: true });
    const req = payment();
    const r = await quick.sale(req);
    expect(r).toMatchObject({ status: 'error', ambiguous: true });
    expect(fake.forms()).toHaveLength(1); // no idempotency key on NMI: never resent
    expect(fake.charges.size).toBe(1);
    const found = await quick.lookup!({
      reference: req.reference,
      transactionId: req.transactionId,
      amount: req.amount,
      currency: 'USD',
      merchant: req.merchant,
    });
    expect(found).toMatchObject({ status: 'approved', gatewayTransactionId: [...fake.charges.keys()][0] });
  });

  it('a reset before processing is still ambiguous (the request left), and the lookup says not found', async () => {
    fake.inject({ type: 'reset', afterProcessing: false });
    const req = payment();
    expect(await adapter.sale(req)).toMatchObject({ status: 'error', ambiguous: true });
    expect(fake.charges.size).toBe(0);
    expect(
      await adapter.lookup!({
        reference: req.reference,
        transactionId: req.transactionId,
        amount: req.amount,
        currency: 'USD',
        merchant: req.merchant,
      }),
    ).toEqual({ status: 'not_found' });
  });

  it.each([
    ['HTTP 502', { type: 'status', status: 502 } as const],
    ['a malformed body', { type: 'malformed' } as const],
    ['a truncated body', { type: 'truncate' } as const],
    ['a reset after processing', { type: 'reset', afterProcessing: true } as const],
  ])('%s is ambiguous', async (_name, fault) => {
    fake.inject(fault);
    expect(await adapter.sale(payment())).toMatchObject({ status: 'error', ambiguous: true });
    expect(fake.forms()).toHaveLength(1);
  });

  it('a refused connection is not ambiguous: the request never left', async () => {
    const closed = await startNmiFake({ securityKey: KEY });
    const url = closed.url;
    await closed.close();
    const r = await nmi({ securityKey: KEY, baseUrl: url, transportRetries: 0 }).sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: 'ECONNREFUSED' });
  });

  it('retries only a request that never left, with the identical body (orderid = our reference)', async () => {
    const client = axios.create();
    const bodies: string[] = [];
    client.interceptors.request.use((config) => {
      bodies.push(String(config.data));
      if (bodies.length === 1) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return config;
    });
    const retrying = nmi({ securityKey: KEY, baseUrl: fake.url, axios: client });
    const req = payment();
    approved(await retrying.sale(req));
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(bodies[0]);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].body).toBe(bodies[0]);
    expect(lastForm().orderid).toBe(req.reference);
    expect(fake.charges.size).toBe(1);
  });

  it('refuses bad configuration with a typed error naming the option', () => {
    expect(() => nmi({ securityKey: '' })).toThrow(ConfigError);
    try {
      nmi({ securityKey: '  ' });
    } catch (e) {
      expect((e as ConfigError).problems[0].path).toBe('securityKey');
    }
  });
});

describe('nmi adapter: 3-D Secure', () => {
  it('an issuer asking for authentication comes back as requires_action, never a decline', async () => {
    fake.script({ response_code: '260', responsetext: 'Declined - Authentication required' });
    const r = await adapter.authorize(payment());
    expect(r.status).toBe('requires_action');
    if (r.status === 'requires_action') expect(r.action).toMatchObject({ type: 'sdk', data: { gateway: 'nmi', threeDS: 'required' } });
  });

  it('passes a completed 3-D Secure result through, and does not loop when the issuer still refuses', async () => {
    const threeDS = {
      version: '2.2.0',
      eci: '05',
      cavv: 'AAABBEg0VhI0VniQEjRWAAAAAAA=',
      dsTransactionId: 'c4e59ceb-a382-4d6a-bc87-385d591fa09d',
    };
    approved(await adapter.authorize(payment({ threeDS })));
    expect(lastForm()).toMatchObject({
      cardholder_auth: 'verified',
      cavv: threeDS.cavv,
      three_ds_version: '2.2.0',
      directory_server_id: threeDS.dsTransactionId,
    });
    approved(await adapter.authorize(payment({ threeDS: { ...threeDS, eci: '06' } })));
    expect(lastForm().cardholder_auth).toBe('attempted');
    fake.script({ response_code: '260', responsetext: 'Declined - Authentication required' });
    expect((await adapter.authorize(payment({ threeDS }))).status).toBe('declined');
  });
});

describe('nmi adapter: subscriptions (stored credentials)', () => {
  it('sends CIT fields on the initial sale and vaults the card; the rebill is a MIT on the vault id with initial_transaction_id', async () => {
    const first = approved(await adapter.sale(payment({ amount: 2900, storedCredential: { type: 'initial', reason: 'recurring' } })));
    expect(lastForm()).toMatchObject({
      initiated_by: 'customer',
      stored_credential_indicator: 'stored',
      billing_method: 'recurring',
      customer_vault: 'add_customer',
      ccnumber: PAN,
    });
    expect(first.gatewayToken).toBeTruthy();
    expect(fake.vault.get(first.gatewayToken!)).toMatchObject({ bin: '411111', last4: '1111' });

    const rebill = approved(
      await adapter.sale(
        payment({
          amount: 3900,
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
    const form = lastForm();
    expect(form).toMatchObject({
      customer_vault_id: first.gatewayToken,
      initiated_by: 'merchant',
      stored_credential_indicator: 'used',
      billing_method: 'recurring',
      initial_transaction_id: first.gatewayTransactionId,
      amount: '39.00',
    });
    expect(form).not.toHaveProperty('ccnumber');
    expect(form).not.toHaveProperty('cvv');
    expect(fake.charges.get(rebill.gatewayTransactionId)!.storedCredential).toMatchObject({
      initiated_by: 'merchant',
      initial_transaction_id: first.gatewayTransactionId,
    });
  });

  it('a rebill with the card from your own vault sends the card but never the CVC', async () => {
    const first = approved(await adapter.sale(payment({ storedCredential: { type: 'initial', reason: 'recurring' } })));
    approved(
      await adapter.sale(
        payment({
          storedCredential: {
            type: 'subsequent',
            initiator: 'merchant',
            reason: 'recurring',
            previousGatewayTransactionId: first.gatewayTransactionId,
          },
        }),
      ),
    );
    const form = lastForm();
    expect(form).toMatchObject({ ccnumber: PAN, initiated_by: 'merchant', initial_transaction_id: first.gatewayTransactionId });
    expect(form).not.toHaveProperty('cvv');
  });

  it('unscheduled stored credentials omit billing_method; vaultOnInitial: false does not vault', async () => {
    const own = nmi({ securityKey: KEY, baseUrl: fake.url, vaultOnInitial: false });
    const r = approved(await own.sale(payment({ storedCredential: { type: 'initial', reason: 'unscheduled' } })));
    expect(lastForm()).not.toHaveProperty('billing_method');
    expect(lastForm()).not.toHaveProperty('customer_vault');
    expect(r.gatewayToken).toBeUndefined();
  });

  it('a rebill with neither card nor vault id is refused before calling NMI, naming the field', async () => {
    const r = await adapter.sale(
      payment({
        card: undefined,
        storedCredential: { type: 'subsequent', initiator: 'merchant', reason: 'recurring', previousGatewayTransactionId: '1' },
      }),
    );
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: 'invalid_request' });
    expect(r.status === 'error' && r.message).toMatch(/^card\.number: /);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('nmi adapter: lookup by our reference (Query API)', () => {
  it('finds an approved and a declined attempt by order_id, and nothing for an unknown one', async () => {
    const ok = payment();
    const sale = approved(await adapter.sale(ok));
    fake.script({ response_code: '202', responsetext: 'Insufficient funds' });
    const bad = payment();
    await adapter.sale(bad);
    const look = (reference: string) =>
      adapter.lookup!({ reference, transactionId: 'tx', amount: 1, currency: 'USD', merchant: { id: 'nmi-a' } });
    expect(await look(ok.reference)).toMatchObject({
      status: 'approved',
      gatewayTransactionId: sale.gatewayTransactionId,
      authCode: sale.authCode,
    });
    expect(await look(bad.reference)).toMatchObject({ status: 'declined', code: '202', message: 'Insufficient funds' });
    expect(await look('at_unknown')).toEqual({ status: 'not_found' });
    expect(fake.forms('/api/query.php').at(-1)).toEqual({ security_key: KEY, order_id: 'at_unknown' });
  });

  it('a refused key on the Query API is a merchant error', async () => {
    const wrong = nmi({ securityKey: 'nope', baseUrl: fake.url });
    expect(
      await wrong.lookup!({ reference: 'at_x', transactionId: 'tx', amount: 1, currency: 'USD', merchant: { id: 'nmi-a' } }),
    ).toMatchObject({ status: 'error', merchantError: true });
  });
});

describe('nmi adapter: no PAN or CVC anywhere', () => {
  it('results and messages of every outcome carry no PAN and no CVC', async () => {
    const outcomes: unknown[] = [];
    outcomes.push(await adapter.sale(payment()));
    fake.script({ response_code: '200', responsetext: `Declined card ${PAN} cvv=${CVC}` });
    outcomes.push(await adapter.sale(payment()));
    fake.script({ response_code: '300', responsetext: `Invalid field ccnumber=${PAN}` });
    outcomes.push(await adapter.sale(payment()));
    fake.inject({ type: 'malformed' });
    outcomes.push(await adapter.sale(payment()));
    outcomes.push(await adapter.sale(payment({ card: { number: '4111111111111112', expMonth: 12, expYear: 2030, cvc: CVC } })));
    const text = JSON.stringify(outcomes);
    expect(text).not.toContain(PAN);
    expect(text).not.toMatch(/4111111111111112/);
    expect(text).not.toMatch(/cvv=999/);
    expect(outcomes[1]).toMatchObject({ status: 'declined' });
    // NMI rejects a bad number with response=3 / 300 and the reason only in the text: a decline, not a cascade-able error.
    expect(outcomes[4]).toMatchObject({ status: 'declined', code: '300', message: expect.stringContaining('Invalid Credit Card Number') });
    const d = outcomes[4] as { code: string; message: string };
    expect(normalizeDecline({ gateway: 'nmi', code: d.code, message: d.message })).toMatchObject({
      reason: 'incorrect_number',
      cascade: false,
    });
  });

  it('fixtures hold no card number (BIN + last four at most)', () => {
    for (const file of readdirSync(FIXTURES)) {
      const content = readFileSync(join(FIXTURES, file), 'utf8');
      for (const run of content.match(/\d{12,19}/g) ?? []) expect(luhnValid(run), `${file}: ${run}`).toBe(false);
      expect(content).not.toContain(PAN);
    }
  });
});
