/**
 * End to end across gateways, part 2: one router with MIDs on the fake NMI, Authorize.Net and
 * Braintree servers (real HTTP on loopback; NMI checked against its Direct Post description,
 * Authorize.Net against the XSD's element names and order, Braintree against its GraphQL
 * schema), a memory store. A subscription's first sale is soft-declined by NMI and approved by
 * Authorize.Net; its refund and its rebill stay on Authorize.Net, the rebill as a
 * merchant-initiated subsequent auth carrying the network transaction id of the first sale.
 * Braintree sits in the same router as a third MID and is never called.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorizenet } from '../../adapters/authorizenet';
import { braintree } from '../../adapters/braintree';
import { nmi } from '../../adapters/nmi';
import { createRouter, type Router } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { Approval, PaymentRequest } from '../../src/types';
import { startAuthorizeNetFake, type AuthorizeNetFake } from '../fakes/authorizenet';
import { startBraintreeFake, type BraintreeFake } from '../fakes/braintree';
import { startNmiFake, type NmiFake } from '../fakes/nmi';

const PAN = '4111111111111111';
const CVC = '123';
const NMI_KEY = 'e2e_nmi_security_key';

let nmiFake: NmiFake;
let anetFake: AuthorizeNetFake;
let btFake: BraintreeFake;
let router: Router;
const events: string[] = [];

beforeAll(async () => {
  [nmiFake, anetFake, btFake] = await Promise.all([startNmiFake({ securityKey: NMI_KEY }), startAuthorizeNetFake(), startBraintreeFake()]);
  router = createRouter({
    merchantAccounts: [
      { id: 'nmi-1', adapter: nmi({ securityKey: NMI_KEY, baseUrl: nmiFake.url, timeoutMs: 2_000 }), currencies: ['USD'] },
      {
        id: 'anet-1',
        adapter: authorizenet({
          apiLoginId: anetFake.apiLoginId,
          transactionKey: anetFake.transactionKey,
          baseUrl: anetFake.url,
          timeoutMs: 2_000,
        }),
        currencies: ['USD'],
      },
      {
        id: 'bt-1',
        adapter: braintree({
          publicKey: 'pk_test_fake',
          privateKey: 'sk_test_fake',
          merchantAccountId: 'acme_usd',
          baseUrl: btFake.url,
          timeoutMs: 2_000,
        }),
        currencies: ['USD'],
      },
    ],
    profiles: [
      {
        id: 'default',
        pools: { main: { strategy: 'priority', members: [{ mid: 'nmi-1' }, { mid: 'anet-1' }, { mid: 'bt-1' }] } },
        route: ['main'],
        cascade: { maxAttempts: 3, on: 'soft' },
      },
    ],
    store: memoryStore(),
  });
  for (const e of ['attempt', 'approved', 'declined', 'cascade', 'ambiguous', 'pin:created'] as const)
    router.on(e, (p: unknown) => events.push(JSON.stringify(p)));
});
afterAll(() => Promise.all([nmiFake.close(), anetFake.close(), btFake.close()]));
afterEach(() => {
  // Every request matched the gateway's published format, and Braintree was never called.
  expect([...nmiFake.violations, ...anetFake.violations, ...btFake.violations]).toEqual([]);
  expect(btFake.server.requests).toHaveLength(0);
  expect(btFake.transactions.size).toBe(0);
});

const card = { number: PAN, expMonth: 12, expYear: 2030, cvc: CVC };
const sale = (over: Partial<PaymentRequest> = {}): PaymentRequest => ({
  profile: 'default',
  idempotencyKey: `e2e-2-${Date.now()}`,
  amount: 2999,
  currency: 'USD',
  card,
  customer: { id: 'cust-e2e-2', email: 'a@b.co', country: 'US', ip: '203.0.113.9' },
  ...over,
});

/** Shared across the steps: the subscription's first sale. */
let first: Approval;

describe('NMI soft decline → Authorize.Net approval → refund and rebill pinned to Authorize.Net', () => {
  it('the initial sale of a subscription is soft-declined by NMI (201 Do Not Honor) and approved by Authorize.Net', async () => {
    nmiFake.script({ response_code: '201', responsetext: 'Do Not Honor' });
    const r = await router.sale(sale({ subscription: { id: 'sub-e2e-1' } }));
    first = r.unwrap();
    expect(first).toMatchObject({ mid: 'anet-1', gateway: 'authorizenet', amount: 2999, subscriptionId: 'sub-e2e-1' });
    expect(first.attempts.map((a) => [a.mid, a.outcome, a.decline?.reason, a.decline?.cascade])).toEqual([
      ['nmi-1', 'declined', 'do_not_honor', true],
      ['anet-1', 'approved', undefined, undefined],
    ]);

    // NMI recorded one unsuccessful sale; Authorize.Net holds the captured charge.
    expect([...nmiFake.charges.values()].map((c) => [c.type, c.success, c.responseCode])).toEqual([['sale', false, '201']]);
    const charge = anetFake.charges.get(first.gatewayTransactionId)!;
    expect(charge).toMatchObject({ transactionType: 'authCaptureTransaction', amount: 2999, captured: 2999, last4: '1111' });
    expect(first.networkTransactionId).toBe(charge.networkTransId);
    // Customer-initiated first payment of a series, on the MID that approved it.
    expect(anetFake.bodies.at(-1)!.createTransactionRequest.transactionRequest.processingOptions).toEqual({
      isFirstRecurringPayment: 'true',
    });
    expect(await router.pin('sub-e2e-1')).toMatchObject({
      mid: 'anet-1',
      gatewayTransactionId: first.gatewayTransactionId,
      networkTransactionId: charge.networkTransId,
    });
  });

  it('the refund is pinned to Authorize.Net, with the original transaction and the last four; NMI sees nothing', async () => {
    anetFake.settle(first.gatewayTransactionId);
    const nmiRequests = nmiFake.requests.length;
    const refund = (await router.refund(first.transactionId, { amount: 1000 })).unwrap();
    expect(refund).toMatchObject({ mid: 'anet-1', gateway: 'authorizenet', operation: 'refund', amount: 1000 });
    const wire = anetFake.bodies.at(-1)!.createTransactionRequest.transactionRequest;
    expect(wire).toMatchObject({
      transactionType: 'refundTransaction',
      amount: '10.00',
      refTransId: first.gatewayTransactionId,
      payment: { creditCard: { cardNumber: '1111' } },
    });
    expect(anetFake.charges.get(first.gatewayTransactionId)!.refunded).toBe(1000);
    expect(nmiFake.requests.length).toBe(nmiRequests);
  });

  it('the rebill goes to Authorize.Net as a subsequent auth with originalNetworkTransId of the first sale', async () => {
    const nmiRequests = nmiFake.requests.length;
    const rebill = (
      await router.rebill({
        subscriptionId: 'sub-e2e-1',
        amount: 2999,
        currency: 'USD',
        idempotencyKey: 'sub-e2e-1-cycle-2',
        card: { ...card, cvc: undefined },
      })
    ).unwrap();
    expect(rebill).toMatchObject({ mid: 'anet-1', gateway: 'authorizenet', amount: 2999 });
    expect(rebill.attempts.map((a) => a.mid)).toEqual(['anet-1']);

    // What went over the wire (element names as in the XSD: `originalNetworkTransId`).
    const tr = anetFake.bodies.at(-1)!.createTransactionRequest.transactionRequest;
    expect(tr).toMatchObject({ transactionType: 'authCaptureTransaction', amount: '29.99' });
    expect(tr.subsequentAuthInformation).toEqual({ originalNetworkTransId: first.networkTransactionId });
    expect(tr.processingOptions).toEqual({ isSubsequentAuth: 'true', isStoredCredentials: 'true' });
    expect(tr.payment.creditCard).not.toHaveProperty('cardCode');
    expect(anetFake.charges.get(rebill.gatewayTransactionId)).toMatchObject({ amount: 2999, captured: 2999 });
    expect(nmiFake.requests.length).toBe(nmiRequests);
  });

  it('no event carries the PAN or the CVC, and the fakes kept BIN and last four only', () => {
    const all = events.join('\n');
    expect(events.length).toBeGreaterThan(3);
    expect(all).not.toContain(PAN);
    expect(all).not.toMatch(/"cvc"\s*:/i);
    expect(JSON.stringify([...nmiFake.charges.values()])).not.toContain(PAN);
    expect(JSON.stringify([...anetFake.charges.values()])).not.toContain(PAN);
  });
});
