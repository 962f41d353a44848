/**
 * End to end across gateways, part 1: one router, one MID on each of the fake Stripe, Adyen and
 * Checkout.com servers (real HTTP on loopback, every request checked against the gateway's
 * published OpenAPI description), a memory store. A soft decline on one gateway cascades to an
 * approval on the next; the refund then goes to the gateway that approved, and only there.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adyen } from '../../adapters/adyen';
import { checkout } from '../../adapters/checkout';
import { stripe } from '../../adapters/stripe';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { PaymentRequest } from '../../src/types';
import { startFakeAdyen, type FakeAdyen } from '../fakes/adyen';
import { startCheckoutFake, type CheckoutFake } from '../fakes/checkout';
import { FAKE_STRIPE_KEY, startStripeFake, type StripeFake } from '../fakes/stripe';

/** Adyen's documented Visa test card (test/specs/test-cards.csv); Stripe's and Checkout.com's fakes approve it too. */
const PAN = '4111111145551142';
const CVC = '737';
const CKO_SECRET = 'sk_sbox_e2etestkey0000000000000000';

let stripeFake: StripeFake;
let adyenFake: FakeAdyen;
let ckoFake: CheckoutFake;

beforeAll(async () => {
  [stripeFake, adyenFake, ckoFake] = await Promise.all([
    startStripeFake(),
    startFakeAdyen({ apiKey: 'k_test_e2e', merchantAccount: 'AcmeECOM' }),
    startCheckoutFake({ secretKey: CKO_SECRET }),
  ]);
});
afterAll(() => Promise.all([stripeFake.close(), adyenFake.close(), ckoFake.close()]));
afterEach(() => {
  // Every request any adapter sent, and every answer, matched the gateway's published spec.
  expect([...stripeFake.violations, ...adyenFake.violations, ...ckoFake.violations]).toEqual([]);
});

/** A router over the three gateways, tried in this order, with a fresh memory store. */
function setup() {
  const router = createRouter({
    merchantAccounts: [
      { id: 'stripe-us', adapter: stripe({ secretKey: FAKE_STRIPE_KEY, baseUrl: stripeFake.url, timeoutMs: 3_000 }), currencies: ['USD'] },
      {
        id: 'adyen-eu',
        adapter: adyen({
          apiKey: 'k_test_e2e',
          merchantAccount: 'AcmeECOM',
          baseUrl: adyenFake.url,
          returnUrl: 'https://shop.example/return',
          timeoutMs: 3_000,
        }),
        currencies: ['USD'],
      },
      { id: 'cko-uk', adapter: checkout({ secretKey: CKO_SECRET, baseUrl: ckoFake.url, timeoutMs: 3_000 }), currencies: ['USD'] },
    ],
    profiles: [
      {
        id: 'default',
        pools: { main: { strategy: 'priority', members: [{ mid: 'stripe-us' }, { mid: 'adyen-eu' }, { mid: 'cko-uk' }] } },
        route: ['main'],
        cascade: { maxAttempts: 3, on: 'soft' },
      },
    ],
    store: memoryStore(),
  });
  const events: string[] = [];
  for (const e of ['attempt', 'approved', 'declined', 'cascade', 'ambiguous', 'pin:created'] as const)
    router.on(e, (p: unknown) => events.push(JSON.stringify(p)));
  return { router, events };
}

let n = 0;
const sale = (over: Partial<PaymentRequest> = {}): PaymentRequest => ({
  profile: 'default',
  idempotencyKey: `e2e-1-${++n}-${Date.now()}`,
  amount: 4200,
  currency: 'USD',
  card: { number: PAN, expMonth: 3, expYear: 2030, cvc: CVC },
  customer: { id: `cust-${n}`, email: 'a@b.co', country: 'US', ip: '203.0.113.9' },
  ...over,
});

/** Each fake's books and request count, to show what a step changed and where. */
function books() {
  return {
    stripe: {
      requests: stripeFake.requests.length,
      state: JSON.stringify({ intents: [...stripeFake.intents], refunds: [...stripeFake.refunds] }),
    },
    adyen: { requests: adyenFake.server.requests.length, state: JSON.stringify([...adyenFake.charges]) },
    cko: { requests: ckoFake.requests.length, state: JSON.stringify([...ckoFake.payments]) },
  };
}

describe('cascade across Stripe, Adyen and Checkout.com', () => {
  it('a soft decline on Stripe cascades to Adyen, which approves; the refund reaches Adyen only', async () => {
    const { router, events } = setup();
    stripeFake.declineNext({ code: 'card_declined', declineCode: 'do_not_honor' });
    const before = books();

    const ok = (await router.sale(sale())).unwrap();
    expect(ok).toMatchObject({ mid: 'adyen-eu', gateway: 'adyen', amount: 4200, currency: 'USD' });
    expect(ok.attempts.map((a) => [a.mid, a.gateway, a.outcome, a.decline?.reason, a.decline?.category])).toEqual([
      ['stripe-us', 'stripe', 'declined', 'do_not_honor', 'soft'],
      ['adyen-eu', 'adyen', 'approved', undefined, undefined],
    ]);
    // Stripe saw the attempt and declined it; Adyen holds the one captured charge; Checkout.com saw nothing.
    expect([...stripeFake.intents.values()].map((pi) => pi.status)).toEqual(['requires_payment_method']);
    expect(adyenFake.charges.get(ok.gatewayTransactionId)).toMatchObject({
      amount: { value: 4200, currency: 'USD' },
      captured: 4200,
      refunded: 0,
    });
    expect(books().cko).toEqual(before.cko);

    const afterSale = books();
    const refund = (await router.refund(ok.transactionId, { amount: 1500 })).unwrap();
    expect(refund).toMatchObject({ mid: 'adyen-eu', gateway: 'adyen', operation: 'refund', amount: 1500 });
    const after = books();
    expect(after.adyen.requests).toBe(afterSale.adyen.requests + 1);
    const refundCall = adyenFake.server.requests.at(-1)!;
    expect(refundCall.path).toMatch(new RegExp(`/payments/${ok.gatewayTransactionId}/refunds$`));
    expect(JSON.parse(refundCall.body)).toMatchObject({ amount: { value: 1500, currency: 'USD' } });
    expect(adyenFake.charges.get(ok.gatewayTransactionId)!.refunded).toBe(1500);
    expect(after.stripe).toEqual(afterSale.stripe);
    expect(after.cko).toEqual(afterSale.cko);
    expect(stripeFake.refunds.size).toBe(0);

    expect(events.join('\n')).not.toContain(PAN);
    expect(events.some((e) => e.includes('stripe-us') && e.includes('do_not_honor'))).toBe(true);
  });

  it('soft declines on Stripe and Adyen cascade to Checkout.com; a full refund reaches Checkout.com only', async () => {
    const { router, events } = setup();
    stripeFake.declineNext({
      code: 'processing_error',
      message: 'An error occurred while processing your card. Try again in a little bit.',
    });
    adyenFake.next({ kind: 'refuse', code: '2', raw: '05 : Do not honor' });

    const ok = (await router.sale(sale({ amount: 1999 }))).unwrap();
    expect(ok).toMatchObject({ mid: 'cko-uk', gateway: 'checkout', amount: 1999 });
    expect(ok.attempts.map((a) => [a.mid, a.outcome, a.decline?.category])).toEqual([
      ['stripe-us', 'declined', 'soft'],
      ['adyen-eu', 'declined', 'soft'],
      ['cko-uk', 'approved', undefined],
    ]);
    const payment = ckoFake.payments.get(ok.gatewayTransactionId)!;
    expect(payment).toMatchObject({ amount: 1999, currency: 'USD', captured: 1999 });
    expect(ok.networkTransactionId).toBe(payment.schemeId);

    const afterSale = books();
    (await router.refund(ok.transactionId)).unwrap();
    const after = books();
    expect(after.cko.requests).toBe(afterSale.cko.requests + 1);
    expect(ckoFake.requests.at(-1)!.path).toBe(`/payments/${ok.gatewayTransactionId}/refunds`);
    expect(ckoFake.payments.get(ok.gatewayTransactionId)!.refunded).toBe(1999);
    expect(after.stripe).toEqual(afterSale.stripe);
    expect(after.adyen).toEqual(afterSale.adyen);
    expect(events.join('\n')).not.toContain(PAN);
  });

  it('a hard decline on the first gateway stops the cascade: the others never see the card', async () => {
    const { router } = setup();
    stripeFake.declineNext({ code: 'card_declined', declineCode: 'stolen_card' });
    const before = books();
    const r = await router.sale(sale());
    expect(r.isErr() && r.error).toMatchObject({ kind: 'declined', decline: { reason: 'stolen_card', category: 'hard' } });
    const after = books();
    expect(after.adyen).toEqual(before.adyen);
    expect(after.cko).toEqual(before.cko);
  });

  it('no request body on any gateway carries the PAN except the one card field each spec defines for it', () => {
    // Stripe: payment_method_data / payment_methods card[number]; Adyen: paymentMethod.number; Checkout.com: source.number.
    const bodies = [...stripeFake.requests, ...adyenFake.server.requests, ...ckoFake.requests]
      .map((r) => r.body)
      .filter((b) => b.includes(PAN));
    for (const body of bodies) {
      const stripped = body
        .replace(new RegExp(`card%5Bnumber%5D=${PAN}`), '')
        .replace(new RegExp(`"(number|encryptedCardNumber)":"${PAN}"`), '');
      expect(stripped).not.toContain(PAN);
    }
    expect(bodies.length).toBeGreaterThan(0);
  });
});
