import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execute, parse } from 'graphql';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { braintree } from '../../../adapters/braintree';
import { DOCUMENTS } from '../../../adapters/braintree/wire';
import { normalizeDecline } from '../../../src/decline-registry';
import { redact } from '../../../src/card/redact';
import type { GatewayAdapter, GatewayPaymentRequest } from '../../../src/adapter';
import { FAKE_CARDS, braintreeSchema, startBraintreeFake, type BraintreeFake } from '../../fakes/braintree';

const KEYS = { publicKey: 'pk_test_fake', privateKey: 'sk_test_fake' };
const CVC = '737';
const FIXTURES = resolve(__dirname, '../../../adapters/braintree/fixtures');

let fake: BraintreeFake;
let bt: GatewayAdapter;

function payment(over: Partial<GatewayPaymentRequest> = {}): GatewayPaymentRequest {
  return {
    reference: `att_${Math.random().toString(36).slice(2, 12)}`,
    transactionId: 'txn_1',
    amount: 1999,
    currency: 'USD',
    card: { number: FAKE_CARDS.visa, expMonth: 12, expYear: 2030, cvc: CVC, holderName: 'Ada Lovelace' },
    customer: { email: 'ada@example.com', ip: '203.0.113.9', country: 'US' },
    billing: { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
    merchant: { id: 'mid-bt', descriptor: 'ACME*SHOP' },
    ...over,
  };
}

function followUp(gatewayTransactionId: string, amount: number, originalAmount: number, currency = 'USD') {
  return {
    reference: `fu_${Math.random().toString(36).slice(2, 10)}`,
    transactionId: 'txn_1',
    gatewayTransactionId,
    amount,
    currency,
    originalAmount,
    merchant: { id: 'mid-bt' },
  };
}

const varsOf = (op: string) => fake.variables[fake.operations.lastIndexOf(op)]?.input;

beforeEach(async () => {
  fake = await startBraintreeFake({ merchantAccounts: { acme_usd: 'USD', acme_jpy: 'JPY', acme_kwd: 'KWD' } });
  bt = braintree({
    ...KEYS,
    baseUrl: fake.url,
    timeoutMs: 2_000,
    merchantAccountId: { USD: 'acme_usd', JPY: 'acme_jpy', KWD: 'acme_kwd' },
  });
});

afterEach(async () => {
  const violations = [...fake.violations];
  await fake.close();
  expect(violations, 'requests violating the Braintree schema').toEqual([]);
});

describe('fixtures', () => {
  it('are exactly what the schema produces for our own documents, and hold no PAN', () => {
    const schema = braintreeSchema();
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      expect(redact(text), `${file} must not contain a PAN`).toBe(text);
      const fixture = JSON.parse(text);
      const field = Object.keys(fixture.data)[0];
      const [doc, input] = {
        tokenizeCreditCard: [DOCUMENTS.tokenize, { creditCard: {} }],
        chargeCreditCard: [DOCUMENTS.charge, { paymentMethodId: 'pm', transaction: { amount: '1.00' } }],
        refundTransaction: [DOCUMENTS.refund, { transactionId: 'tx' }],
      }[field] as [string, object];
      expect(doc, file).toBeDefined();
      const result = execute({
        schema,
        document: parse(doc),
        rootValue: { [field]: () => fixture.data[field] },
        variableValues: { input },
      }) as any;
      expect(result.errors, file).toBeUndefined();
      expect(result.data, file).toEqual(fixture.data);
    }
  });
});

describe('payments', () => {
  it('approves a sale: tokenizes the card, charges it, reports auth code, network transaction id and AVS/CVV', async () => {
    const r = await bt.sale(payment());
    expect(r).toMatchObject({ status: 'approved', cvvResult: 'M', avsResult: 'M' });
    if (r.status !== 'approved') throw new Error('not approved');
    expect(r.authCode).toMatch(/^[0-9A-F]{6}$/);
    expect(r.networkTransactionId).toMatch(/^\d{15}$/);
    expect(r.gatewayToken).toBeUndefined();
    expect(fake.operations).toEqual(['tokenizeCreditCard', 'chargeCreditCard']);
    const tx = fake.transactions.get(r.gatewayTransactionId)!;
    expect(tx).toMatchObject({ status: 'SUBMITTED_FOR_SETTLEMENT', captured: 1999, merchantAccountId: 'acme_usd' });
    const input = varsOf('chargeCreditCard');
    expect(input.transaction).toMatchObject({
      amount: '19.99',
      orderId: expect.stringMatching(/^att_/),
      descriptor: { name: 'ACME*SHOP' },
      riskData: { customerIp: '203.0.113.9' },
    });
    expect(input.transaction.paymentInitiator).toBeUndefined();
  });

  it.each([
    ['JPY', 1000, '1000', 'acme_jpy'],
    ['USD', 1999, '19.99', 'acme_usd'],
    ['KWD', 1005, '1.005', 'acme_kwd'],
  ])("converts %s %i minor units exactly (%s) on the currency's merchant account", async (currency, amount, wire, account) => {
    const r = await bt.sale(payment({ currency, amount }));
    expect(r.status).toBe('approved');
    expect(varsOf('chargeCreditCard').transaction).toMatchObject({ amount: wire, merchantAccountId: account });
    if (r.status === 'approved') expect(r.approvedAmount).toBeUndefined();
  });

  it('refuses a currency without a merchant account before calling Braintree', async () => {
    const r = await bt.sale(payment({ currency: 'EUR' }));
    expect(r).toMatchObject({ status: 'error', ambiguous: false, merchantError: true });
    expect(r.status === 'error' && r.message).toContain('merchantAccountId');
    expect(fake.server.requests).toHaveLength(0);
  });

  it('refuses an invalid amount with a message naming the field, without a call', async () => {
    const r = await bt.sale(payment({ amount: 10.5 }));
    expect(r).toMatchObject({ status: 'error', ambiguous: false });
    expect(r.status === 'error' && r.message).toContain('amount');
    expect(fake.server.requests).toHaveLength(0);
  });

  it('reports a charge in the wrong currency (single merchant account settling another currency) as ambiguous, not approved', async () => {
    const single = braintree({ ...KEYS, baseUrl: fake.url, merchantAccountId: 'acme_usd' });
    const r = await single.sale(payment({ currency: 'JPY', amount: 1000 }));
    // JPY 1000 would be sent as "1000" to a USD account: the fake accepts it as USD 1000.00.
    expect(r).toMatchObject({ status: 'error', ambiguous: true, code: 'CURRENCY_MISMATCH' });
  });
});

describe('declines', () => {
  it.each([
    ['2000', 'do_not_honor', true, 'soft'],
    ['2001', 'insufficient_funds', false, 'soft'],
    ['2004', 'expired_card', false, 'hard'],
    ['2010', 'incorrect_cvc', false, 'hard'],
    ['2015', 'transaction_not_allowed', false, 'hard'],
    ['2047', 'pickup_card', false, 'hard'],
    ['2053', 'lost_card', false, 'hard'],
    ['2108', 'account_closed', false, 'hard'],
    ['2046', 'do_not_honor', true, 'soft'],
  ])('processor code %s (Braintree sandbox amount) → %s', async (code, reason, cascade, category) => {
    const r = await bt.sale(payment({ amount: Number(code) * 100 }));
    expect(r).toMatchObject({ status: 'declined', code });
    if (r.status !== 'declined') throw new Error('not declined');
    expect(r.gatewayTransactionId).toBeTruthy();
    const n = normalizeDecline({ gateway: 'braintree', code: r.code, message: r.message, advice: r.advice });
    expect(n).toMatchObject({ reason, cascade, category, source: 'gateway' });
  });

  it('carries the Mastercard merchant advice code: MAC 03 forbids any retry', async () => {
    fake.next({ processorDeclined: '2000', advice: '03' });
    const r = await bt.sale(payment({ card: { number: FAKE_CARDS.mastercard, expMonth: 1, expYear: 2031 } }));
    expect(r).toMatchObject({ status: 'declined', code: '2000', advice: '03', message: 'Do Not Honor' });
    if (r.status !== 'declined') throw new Error('not declined');
    expect(normalizeDecline({ gateway: 'braintree', code: r.code, advice: r.advice })).toMatchObject({
      reason: 'do_not_retry',
      retry: 'never',
      cascade: false,
    });
  });

  it.each([
    ['CVV', 'incorrect_cvc'],
    ['AVS', 'incorrect_address'],
    ['FRAUD', 'risk_blocked'], // Braintree's fraud tools, the merchant's filter: not the issuer
    ['DUPLICATE', 'duplicate_transaction'],
    ['RISK_THRESHOLD', 'risk_blocked'],
  ])('gateway rejection %s → %s', async (reason, standard) => {
    fake.next({ gatewayRejected: reason });
    const r = await bt.sale(payment());
    expect(r).toMatchObject({ status: 'declined', code: reason });
    if (r.status === 'declined') expect(normalizeDecline({ gateway: 'braintree', code: r.code, message: r.message }).reason).toBe(standard);
  });

  it('a FAILED transaction (processor network down, 3000) is an error that did not charge', async () => {
    const r = await bt.sale(payment({ amount: 300_000 }));
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: '3000' });
  });
});

describe('3-D Secure', () => {
  it('asks for authentication instead of declining, then passes the completed 3DS result through', async () => {
    const card = { number: FAKE_CARDS.needs3ds, expMonth: 12, expYear: 2030, cvc: CVC };
    const first = await bt.sale(payment({ card }));
    expect(first).toMatchObject({
      status: 'requires_action',
      action: {
        type: 'sdk',
        data: { gateway: 'braintree', reason: '2099', amount: '19.99', currency: 'USD', merchantAccountId: 'acme_usd' },
      },
    });
    const second = await bt.sale(
      payment({
        card,
        threeDS: {
          eci: '05',
          cavv: 'AAABBEg0VhI0VniQEjRWAAAAAAA=',
          version: '2.2.0',
          dsTransactionId: 'f25084f0-5b16-4c0a-ae5d-b24808a95e4b',
        },
      }),
    );
    expect(second.status).toBe('approved');
    expect(varsOf('chargeCreditCard').options.threeDSecureAuthentication.passThrough).toEqual({
      eciFlag: '05',
      cavv: 'AAABBEg0VhI0VniQEjRWAAAAAAA=',
      version: '2.2.0',
      directoryServerTransactionId: 'f25084f0-5b16-4c0a-ae5d-b24808a95e4b',
    });
  });
});

describe('follow-ups', () => {
  it('authorizes, then captures part of the authorization', async () => {
    const auth = await bt.authorize(payment({ amount: 5000 }));
    expect(auth.status).toBe('approved');
    const id = auth.status === 'approved' ? auth.gatewayTransactionId : '';
    expect(fake.transactions.get(id)?.status).toBe('AUTHORIZED');
    const cap = await bt.capture(followUp(id, 3000, 5000));
    expect(cap).toMatchObject({ status: 'approved', gatewayTransactionId: id });
    expect(varsOf('captureTransaction')).toMatchObject({ transactionId: id, transaction: { amount: '30.00' } });
    expect(fake.transactions.get(id)).toMatchObject({ status: 'SUBMITTED_FOR_SETTLEMENT', captured: 3000 });
    const again = await bt.capture(followUp(id, 1000, 5000));
    expect(again).toMatchObject({ status: 'error', ambiguous: false, code: '91507' });
  });

  it('voids an authorization with reverseTransaction', async () => {
    const auth = await bt.authorize(payment());
    const id = auth.status === 'approved' ? auth.gatewayTransactionId : '';
    const v = await bt.void(followUp(id, 1999, 1999));
    expect(v).toMatchObject({ status: 'approved', gatewayTransactionId: id });
    expect(fake.transactions.get(id)?.status).toBe('VOIDED');
    expect(fake.operations.at(-1)).toBe('reverseTransaction');
  });

  it('refunds a settled sale partially, then the rest, and refuses more than was captured', async () => {
    const sale = await bt.sale(payment({ amount: 2500 }));
    const id = sale.status === 'approved' ? sale.gatewayTransactionId : '';
    fake.settle(id);
    const part = await bt.refund(followUp(id, 500, 2500));
    expect(part.status).toBe('approved');
    expect(varsOf('refundTransaction')).toMatchObject({ transactionId: id, refund: { amount: '5.00' } });
    const rest = await bt.refund(followUp(id, 2000, 2500));
    expect(rest.status).toBe('approved');
    expect(fake.transactions.get(id)?.refunded).toBe(2500);
    const over = await bt.refund(followUp(id, 1, 2500));
    expect(over).toMatchObject({ status: 'error', ambiguous: false, code: '91521' });
  });

  it('a full refund of a sale that has not settled yet becomes a void; a partial one is refused', async () => {
    const sale = await bt.sale(payment());
    const id = sale.status === 'approved' ? sale.gatewayTransactionId : '';
    const partial = await bt.refund(followUp(id, 100, 1999));
    expect(partial).toMatchObject({ status: 'error', ambiguous: false, code: '91506' });
    const full = await bt.refund(followUp(id, 1999, 1999));
    expect(full.status).toBe('approved');
    expect(fake.transactions.get(id)?.status).toBe('VOIDED');
  });
});

describe('subscriptions (stored credentials)', () => {
  it('vaults the card on the initial sale and rebills the token merchant-initiated, without card data', async () => {
    const initial = await bt.sale(payment({ storedCredential: { type: 'initial', reason: 'recurring' } }));
    if (initial.status !== 'approved') throw new Error(`initial: ${initial.status}`);
    expect(varsOf('chargeCreditCard').transaction).toMatchObject({
      paymentInitiator: 'RECURRING_FIRST',
      vaultPaymentMethodAfterTransacting: { when: 'ON_SUCCESSFUL_TRANSACTION' },
    });
    expect(initial.gatewayToken).toBeTruthy();
    expect(initial.networkTransactionId).toBeTruthy();

    const before = fake.server.requests.length;
    const rebill = await bt.sale(
      payment({
        card: undefined,
        customer: undefined,
        storedCredential: {
          type: 'subsequent',
          initiator: 'merchant',
          reason: 'recurring',
          gatewayToken: initial.gatewayToken,
          networkTransactionId: initial.networkTransactionId,
          previousGatewayTransactionId: initial.gatewayTransactionId,
        },
      }),
    );
    expect(rebill.status).toBe('approved');
    expect(fake.operations.slice(-1)).toEqual(['chargeCreditCard']);
    expect(fake.server.requests.length - before).toBe(1);
    const input = varsOf('chargeCreditCard');
    expect(input.paymentMethodId).toBe(initial.gatewayToken);
    expect(input.transaction).toMatchObject({ paymentInitiator: 'RECURRING' });
    expect(input.transaction.vaultPaymentMethodAfterTransacting).toBeUndefined();
    expect(fake.transactions.get((rebill as { gatewayTransactionId: string }).gatewayTransactionId)?.paymentInitiator).toBe('RECURRING');
  });

  it('rebills a card vaulted elsewhere with the network transaction id of the initial sale', async () => {
    const r = await bt.sale(
      payment({
        storedCredential: { type: 'subsequent', initiator: 'merchant', reason: 'unscheduled', networkTransactionId: '123456789012345' },
      }),
    );
    expect(r.status).toBe('approved');
    const input = varsOf('chargeCreditCard');
    expect(input.options.externalVault).toEqual({ status: 'VAULTED', verifyingNetworkTransactionId: '123456789012345' });
    expect(input.transaction.paymentInitiator).toBe('UNSCHEDULED');
  });
});

describe('errors and ambiguity', () => {
  it('a timeout after Braintree charged is ambiguous and never re-sent; lookup by our reference finds the charge', async () => {
    const req = payment();
    fake.server.inject({ type: 'slow', ms: 0 }, { type: 'timeout', afterProcessing: true });
    const r = await braintree({ ...KEYS, baseUrl: fake.url, timeoutMs: 300, merchantAccountId: 'acme_usd' }).sale(req);
    expect(r).toMatchObject({ status: 'error', ambiguous: true });
    expect(fake.operations.filter((o) => o === 'chargeCreditCard')).toHaveLength(1);
    expect(fake.transactions.size).toBe(1);
    const found = await bt.lookup!({
      reference: req.reference,
      transactionId: 'txn_1',
      amount: 1999,
      currency: 'USD',
      merchant: req.merchant,
    });
    expect(found).toMatchObject({ status: 'approved', gatewayTransactionId: [...fake.transactions.keys()][0] });
    expect(varsOf('search')).toEqual({ orderId: { is: req.reference }, merchantAccountId: { is: 'acme_usd' } });
    expect(await bt.lookup!({ reference: 'att_unknown', transactionId: 'x', amount: 1, currency: 'USD', merchant: req.merchant })).toEqual({
      status: 'not_found',
    });
  });

  it('re-sends a tokenization that timed out (it moves no money), then charges once', async () => {
    fake.server.inject({ type: 'timeout', afterProcessing: true });
    const r = await braintree({ ...KEYS, baseUrl: fake.url, timeoutMs: 300, merchantAccountId: 'acme_usd' }).sale(payment());
    expect(r.status).toBe('approved');
    expect(fake.operations).toEqual(['tokenizeCreditCard', 'tokenizeCreditCard', 'chargeCreditCard']);
    expect(bt.capabilities.idempotencyKeys).toBe(false);
  });

  it('a 5xx on the charge is ambiguous; a connection refused is not', async () => {
    fake.server.inject({ type: 'slow', ms: 0 }, { type: 'status', status: 502 });
    expect(await bt.sale(payment())).toMatchObject({ status: 'error', ambiguous: true, httpStatus: 502 });
    const closed = braintree({ ...KEYS, baseUrl: 'http://127.0.0.1:1', timeoutMs: 500, transportRetries: 0 });
    expect(await closed.sale(payment())).toMatchObject({ status: 'error', ambiguous: false });
  });

  it('GraphQL errors with HTTP 200 are errors, never approvals: validation is clear, internal is ambiguous', async () => {
    fake.next({ graphQLError: { errorClass: 'VALIDATION', message: 'Amount is too large.', legacyCode: '81528' } });
    expect(await bt.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, code: '81528' });
    fake.next({ graphQLError: { errorClass: 'INTERNAL', message: 'An unexpected error occurred.' } });
    expect(await bt.sale(payment())).toMatchObject({ status: 'error', ambiguous: true });
  });

  it('bad API keys are a merchant error, not a decline', async () => {
    const wrong = braintree({ publicKey: 'pk_test_fake', privateKey: 'wrong', baseUrl: fake.url, merchantAccountId: 'acme_usd' });
    expect(await wrong.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, merchantError: true, httpStatus: 401 });
  });

  it('rejects bad factory options with the field name', () => {
    expect(() => braintree({ publicKey: '', privateKey: 'x' })).toThrow(/publicKey/);
    expect(() => braintree({ publicKey: 'x', privateKey: 'y', braintreeVersion: 'latest' })).toThrow(/braintreeVersion/);
  });

  it('never lets the PAN or CVC out: results and messages hold neither, only tokenization carries the card', async () => {
    const results: unknown[] = [];
    results.push(await bt.sale(payment()));
    results.push(await bt.sale(payment({ amount: 200_100 })));
    fake.next({ graphQLError: { errorClass: 'VALIDATION', message: `Credit card number ${FAKE_CARDS.visa} cvv=${CVC} is invalid.` } });
    results.push(await bt.sale(payment()));
    fake.server.inject({ type: 'slow', ms: 0 }, { type: 'status', status: 500 });
    results.push(await bt.sale(payment()));
    const text = JSON.stringify(results);
    expect(text).not.toContain(FAKE_CARDS.visa);
    expect(text).not.toMatch(new RegExp(`cvv=${CVC}`));
    const withPan = fake.server.requests.filter((r) => r.body.includes(FAKE_CARDS.visa));
    expect(withPan.every((r) => JSON.parse(r.body).query.includes('tokenizeCreditCard'))).toBe(true);
    expect(fake.server.requests.filter((r) => r.body.includes(`"cvv":"${CVC}"`)).length).toBe(withPan.length);
  });
});

describe('the fake checks requests against the schema', () => {
  it('flags an unknown input field, a bad Amount and a wrong enum as violations', async () => {
    const body = {
      query: DOCUMENTS.charge,
      variables: { input: { paymentMethodId: 'pm', transaction: { amount: '19.9', currency: 'USD', paymentInitiator: 'SUBSCRIPTION' } } },
    };
    const res = await fetch(`${fake.url}/graphql`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        'braintree-version': '2024-08-01',
        authorization: `Basic ${Buffer.from('pk_test_fake:sk_test_fake').toString('base64')}`,
      },
    });
    const json = (await res.json()) as { errors: unknown[] };
    expect(json.errors.length).toBeGreaterThanOrEqual(3);
    const seen = fake.violations.splice(0).join('\n');
    expect(seen).toMatch(/currency/);
    expect(seen).toMatch(/Amount/);
    expect(seen).toMatch(/SUBSCRIPTION/);
  });
});
