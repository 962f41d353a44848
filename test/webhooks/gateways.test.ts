/**
 * Every gateway through the router, with the fakes' own signed notifications over HTTP: per
 * gateway, a notification applies once (a redelivery changes nothing); a flipped byte, a wrong
 * secret, a missing signature (and Stripe's stale timestamp) are refused with nothing written.
 * Then what each gateway's notifications carry: Checkout.com's accepted actions (reconciled by
 * its actions list when a webhook never comes), Stripe's and Braintree's refunds that fail later
 * and their disputes, a refund made in NMI's console, Authorize.Net's confirmations.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RouterEvents } from '../../src/events';
import type { Router } from '../../src/router';
import type { Store } from '../../src/store/types';
import { memoryStore } from '../../src/store/memory';
import type { Delivery, WebhookSender } from '../support/webhook-sender';
import { nmiSignature, stripeSignatureHeader } from '../support/webhook-signing';
import { CARD, deliver, type Fakes, heldOf, SECRETS, startFakes } from './support';

let f: Fakes;
let failing: Fakes;
beforeAll(async () => {
  [f, failing] = await Promise.all([startFakes(), startFakes({ checkoutRefundFailure: 1 })]);
});
afterAll(async () => {
  await Promise.all([f.close(), failing.close()]);
});
afterEach(() => {
  f.forget();
  failing.forget();
});

let n = 0;
const sale = (router: Router, mid: string, amount = 4000) =>
  router.sale({ profile: mid, idempotencyKey: `gw-${n++}`, amount, currency: 'USD', card: CARD });
const authorize = (router: Router, mid: string, amount = 4000) =>
  router.authorize({ profile: mid, idempotencyKey: `gw-${n++}`, amount, currency: 'USD', card: CARD });

function events<K extends keyof RouterEvents>(router: Router, name: K): RouterEvents[K][] {
  const out: RouterEvents[K][] = [];
  router.on(name, (e) => out.push(e));
  return out;
}

/** Everything the store holds that a webhook could have written, to compare before and after. */
async function snapshot(store: Store, txId: string) {
  return {
    tx: await store.getTransaction(txId),
    attempts: await store.listAttempts(txId),
    notifications: await store.listNotifications({}),
    disputes: await store.listDisputes({}),
  };
}

interface GatewayCase {
  mid: string;
  sender: (x: Fakes) => WebhookSender;
  /** Make the gateway send one notification that changes the ledger; returns the transaction and what to check. */
  act(router: Router, x: Fakes): Promise<{ txId: string; check: (router: Router) => Promise<void> }>;
  /** Tamper the signature the wrong way (another secret) — the delivery's headers/body. */
  wrongSecret(d: Delivery): Delivery;
  /** Remove the signature. */
  unsigned(d: Delivery): Delivery;
}

const withHeader = (d: Delivery, name: string, value?: string): Delivery => {
  const headers = { ...d.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...d, headers };
};

const CASES: GatewayCase[] = [
  {
    mid: 'stripe-1',
    sender: (x) => x.senders.stripe,
    async act(router, x) {
      const s = (await sale(router, 'stripe-1')).unwrap();
      x.senders.stripe.discard();
      x.stripe.dispute(s.gatewayTransactionId);
      return {
        txId: s.transactionId,
        check: async (r) =>
          expect(await r.disputes({ transactionId: s.transactionId })).toEqual([
            expect.objectContaining({ status: 'needs_response', category: 'fraud' }),
          ]),
      };
    },
    wrongSecret: (d) => withHeader(d, 'stripe-signature', stripeSignatureHeader('whsec_wrong', d.body, Math.floor(Date.now() / 1000))),
    unsigned: (d) => withHeader(d, 'stripe-signature'),
  },
  {
    mid: 'adyen-1',
    sender: (x) => x.senders.adyen,
    async act(router, x) {
      const s = (await sale(router, 'adyen-1')).unwrap();
      await router.refund(s.transactionId, { amount: 1000 });
      x.senders.adyen.release(heldOf(x.senders.adyen, 'AUTHORISATION:true'));
      await x.senders.adyen.flush();
      return {
        txId: s.transactionId,
        check: async (r) =>
          expect(await r.transaction(s.transactionId)).toMatchObject({ status: 'partially_refunded', refundedAmount: 1000 }),
      };
    },
    wrongSecret: (d) => ({
      ...d,
      body: d.body.replace(/"hmacSignature":"[^"]*"/, '"hmacSignature":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="'),
    }),
    unsigned: (d) => ({ ...d, body: d.body.replace(/,?"hmacSignature":"[^"]*"/, '') }),
  },
  {
    mid: 'checkout-1',
    sender: (x) => x.senders.checkout,
    async act(router, x) {
      const a = (await authorize(router, 'checkout-1')).unwrap();
      expect((await router.capture(a.transactionId)).unwrap().pending).toBe(true);
      for (const d of heldOf(x.senders.checkout, 'payment_approved')) await x.senders.checkout.release([d]);
      return { txId: a.transactionId, check: async (r) => expect((await r.transaction(a.transactionId))?.status).toBe('captured') };
    },
    wrongSecret: (d) => withHeader(d, 'cko-signature', 'ab'.repeat(32)),
    unsigned: (d) => withHeader(d, 'cko-signature'),
  },
  {
    mid: 'braintree-1',
    sender: (x) => x.senders.braintree,
    async act(router, x) {
      const s = (await sale(router, 'braintree-1')).unwrap();
      x.braintree.dispute(s.gatewayTransactionId, { reason: 'product_not_received', reasonCode: '4853' });
      return {
        txId: s.transactionId,
        check: async (r) =>
          expect(await r.disputes({ transactionId: s.transactionId })).toEqual([
            expect.objectContaining({ status: 'needs_response', category: 'not_received', reasonCode: '4853' }),
          ]),
      };
    },
    wrongSecret: (d) => ({
      ...d,
      body: d.body.replace(/bt_signature=[^&]*/, 'bt_signature=pk_test_fake%7C0000000000000000000000000000000000000000'),
    }),
    unsigned: (d) => ({ ...d, body: d.body.replace(/bt_signature=[^&]*&?/, '') }),
  },
  {
    mid: 'nmi-1',
    sender: (x) => x.senders.nmi,
    async act(router, x) {
      const s = (await sale(router, 'nmi-1')).unwrap();
      x.senders.nmi.discard();
      // A refund made in NMI's own console: its notification names our order id and a new transaction.
      const body = JSON.stringify({
        event_id: `evt-console-${n++}`,
        event_type: 'transaction.refund.success',
        event_body: {
          transaction_id: '9900000001',
          order_id: s.attempts.at(-1)!.id,
          action: {
            amount: '15.00',
            action_type: 'refund',
            date: '20300115101500',
            success: '1',
            response_text: 'SUCCESS',
            response_code: '100',
          },
        },
      });
      x.senders.nmi.send({
        body,
        headers: { 'content-type': 'application/json', 'webhook-signature': nmiSignature(SECRETS.nmi, 'n0nce', body) },
        event: 'console refund',
      });
      return {
        txId: s.transactionId,
        check: async (r) => {
          expect(await r.transaction(s.transactionId)).toMatchObject({ status: 'partially_refunded', refundedAmount: 1500 });
          const refunds =
            (await r.transaction(s.transactionId)) &&
            (await (await routerStore(r)).listAttempts(s.transactionId)).filter((a) => a.operation === 'refund');
          expect(refunds).toEqual([expect.objectContaining({ status: 'approved', amount: 1500, gatewayTransactionId: '9900000001' })]);
        },
      };
    },
    wrongSecret: (d) => withHeader(d, 'webhook-signature', nmiSignature('another_key', 'n0nce', d.body)),
    unsigned: (d) => withHeader(d, 'webhook-signature'),
  },
  {
    mid: 'anet-1',
    sender: (x) => x.senders.anet,
    async act(router) {
      // Authorize.Net's notifications confirm what the API answered: recorded, the ledger unchanged.
      const s = (await sale(router, 'anet-1')).unwrap();
      return {
        txId: s.transactionId,
        check: async (r) => {
          expect((await r.transaction(s.transactionId))?.status).toBe('captured');
          expect((await r.notifications({ mid: 'anet-1' })).map((x) => x.status)).toEqual(['recorded']);
        },
      };
    },
    wrongSecret: (d) => withHeader(d, 'x-anet-signature', `sha512=${'AB'.repeat(64)}`),
    unsigned: (d) => withHeader(d, 'x-anet-signature'),
  },
];

const stores = new WeakMap<Router, Store>();
async function routerStore(r: Router): Promise<Store> {
  return stores.get(r)!;
}
function newRouter(x: Fakes): Router {
  const store = memoryStore();
  const r = x.router({}, store);
  stores.set(r, store);
  return r;
}

describe.each(CASES)('$mid', (c) => {
  it('a signed notification applies once; a redelivery changes nothing and answers success', async () => {
    const router = newRouter(f);
    const { txId, check } = await c.act(router, f);
    const held = heldOf(c.sender(f));
    expect(held.length).toBeGreaterThan(0);
    await c.sender(f).release([...held, ...held]);
    await check(router);
    const store = await routerStore(router);
    const before = await snapshot(store, txId);
    for (const d of held) {
      const again = (await router.handleWebhook({ mid: c.mid, headers: d.headers, body: d.body })).unwrap();
      expect(again.notifications.every((x) => x.outcome === 'duplicate')).toBe(true);
      expect(again.response.status).toBeLessThan(300);
    }
    expect(await snapshot(store, txId)).toEqual(before);
    await check(router);
  });

  it('a flipped byte, a wrong secret and a missing signature are refused, with nothing written', async () => {
    const router = newRouter(f);
    const { txId } = await c.act(router, f);
    const store = await routerStore(router);
    const [d] = heldOf(c.sender(f)).slice(-1);
    const before = await snapshot(store, txId);
    const flipped = Buffer.from(d.body);
    // A byte inside a value the gateway signs (Adyen signs fields, the others the whole body).
    const at = c.mid === 'adyen-1' ? d.body.indexOf('"eventCode":"') + 14 : Math.floor(d.body.length / 2);
    flipped[at] ^= 0x04;
    for (const bad of [{ ...d, body: flipped.toString('latin1') }, c.wrongSecret(d), c.unsigned(d)]) {
      const r = await router.handleWebhook({ mid: c.mid, headers: bad.headers, body: Buffer.from(bad.body, 'latin1') });
      expect(r.isErr() && r.error.kind === 'rejected' && ['webhook_signature', 'webhook_malformed'].includes(r.error.rejection)).toBe(true);
    }
    expect(await snapshot(store, txId)).toEqual(before);
    // The genuine one still applies afterwards.
    expect((await router.handleWebhook({ mid: c.mid, headers: d.headers, body: d.body })).isOk()).toBe(true);
  });
});

describe('Stripe', () => {
  it('a stale signature timestamp is refused (a replay), nothing written', async () => {
    const router = newRouter(f);
    const s = (await sale(router, 'stripe-1')).unwrap();
    f.senders.stripe.discard();
    f.stripe.dispute(s.gatewayTransactionId);
    const [d] = heldOf(f.senders.stripe);
    const old = withHeader(d, 'stripe-signature', stripeSignatureHeader(SECRETS.stripe, d.body, Math.floor(Date.now() / 1000) - 301));
    const r = await router.handleWebhook({ mid: 'stripe-1', headers: old.headers, body: old.body });
    expect(r.isErr() && r.error.kind === 'rejected' && r.error.rejection).toBe('webhook_signature');
    expect(await router.disputes({})).toEqual([]);
  });

  it('a refund that fails later (refund.failed) gives its amount back and emits refund:failed', async () => {
    const router = newRouter(f);
    const s = (await sale(router, 'stripe-1')).unwrap();
    const refund = (await router.refund(s.transactionId, { amount: 1200 })).unwrap();
    expect(refund.pending).toBeFalsy();
    await deliver(f.senders.stripe);
    expect(await router.transaction(s.transactionId)).toMatchObject({ status: 'partially_refunded', refundedAmount: 1200 });
    const failed = events(router, 'refund:failed');
    f.stripe.failRefund(refund.gatewayTransactionId);
    await deliver(f.senders.stripe, 'refund.failed');
    expect(await router.transaction(s.transactionId)).toMatchObject({ status: 'captured', refundedAmount: 0 });
    expect(failed).toEqual([expect.objectContaining({ transactionId: s.transactionId, amount: 1200 })]);
    const attempts = await (await routerStore(router)).listAttempts(s.transactionId);
    expect(attempts.find((a) => a.operation === 'refund')?.status).toBe('reversed');
  });

  it('a dispute closed before its creation event arrives stays closed (won)', async () => {
    const router = newRouter(f);
    const s = (await sale(router, 'stripe-1')).unwrap();
    f.senders.stripe.discard();
    f.stripe.dispute(s.gatewayTransactionId, { outcome: 'won' });
    await f.senders.stripe.release([...heldOf(f.senders.stripe)].reverse());
    expect(await router.disputes({})).toEqual([
      expect.objectContaining({ status: 'won', transactionId: s.transactionId, lastEventType: 'charge.dispute.closed' }),
    ]);
  });

  it('a 3-D Secure challenge finished at Stripe settles the transaction from its webhook', async () => {
    const router = newRouter(f);
    const r = await router.sale({
      profile: 'stripe-1',
      idempotencyKey: `gw-${n++}`,
      amount: 3000,
      currency: 'USD',
      card: { ...CARD, number: '4000002760003184' },
    });
    expect(r.isErr() && r.error.kind).toBe('requires_action');
    const txId = r.isErr() ? r.error.transactionId! : '';
    const pi = [...f.stripe.intents.values()].find((x) => x.status === 'requires_action')!;
    f.stripe.completeChallenge(pi.id, true);
    await deliver(f.senders.stripe, 'payment_intent.succeeded');
    expect(await router.transaction(txId)).toMatchObject({ status: 'captured', capturedAmount: 3000 });
  });
});

describe('Checkout.com', () => {
  it('an accepted refund the acquirer declines (payment_refund_declined) gives the amount back', async () => {
    const router = failing.router();
    const s = (await sale(router, 'checkout-1')).unwrap();
    const failed = events(router, 'refund:failed');
    expect((await router.refund(s.transactionId, { amount: 900 })).unwrap().pending).toBe(true);
    expect((await router.transaction(s.transactionId))?.status).toBe('refund_pending');
    await deliver(failing.senders.checkout);
    expect(await router.transaction(s.transactionId)).toMatchObject({ status: 'captured', refundedAmount: 0 });
    expect(failed).toHaveLength(1);
  });

  it('refund notifications that arrive before our refund calls returned never count a refund twice', async () => {
    const router = newRouter(f);
    const s = (await sale(router, 'checkout-1', 4000)).unwrap();
    f.senders.checkout.discard();
    // Two refunds of the same amount in flight: the first webhook cannot tell which of ours it is.
    f.checkout.inject({ type: 'slow', ms: 400 }, { type: 'slow', ms: 400 });
    const both = Promise.all([router.refund(s.transactionId, { amount: 1000 }), router.refund(s.transactionId, { amount: 1000 })]);
    while (heldOf(f.senders.checkout, 'payment_refunded').length < 2) await new Promise((r) => setTimeout(r, 10));
    const early = heldOf(f.senders.checkout, 'payment_refunded');
    for (const d of early) {
      const r = (await router.handleWebhook({ mid: 'checkout-1', headers: d.headers, body: d.body })).unwrap();
      expect(r.notifications[0].outcome).toBe('deferred');
    }
    expect((await router.transaction(s.transactionId))?.refundedAmount).toBe(2000);
    const results = await both;
    expect(results.every((r) => r.isOk() && r.value.pending)).toBe(true);
    const report = await router.reconcile({ olderThanMs: 0 });
    expect(report.deferredApplied).toBe(2);
    expect(await router.transaction(s.transactionId)).toMatchObject({ status: 'partially_refunded', refundedAmount: 2000 });
    const refunds = (await (await routerStore(router)).listAttempts(s.transactionId)).filter((a) => a.operation === 'refund');
    expect(refunds.map((a) => a.status)).toEqual(['approved', 'approved']);
    expect(f.checkout.payments.get(s.gatewayTransactionId)!.refunded).toBe(2000);
    f.senders.checkout.discard();
  });

  it('an accepted capture whose webhook never comes is settled by reconcile() from the actions list', async () => {
    const router = newRouter(f);
    const a = (await authorize(router, 'checkout-1')).unwrap();
    expect((await router.capture(a.transactionId, { amount: 2500 })).unwrap().pending).toBe(true);
    f.senders.checkout.discard();
    const report = await router.reconcile({ olderThanMs: 0 });
    expect(report).toMatchObject({ acceptedChecked: 1, acceptedSettled: 1, stale: [] });
    expect(await router.transaction(a.transactionId)).toMatchObject({ status: 'captured', capturedAmount: 2500 });
    expect(f.checkout.violations).toEqual([]);
  });
});

describe('Braintree', () => {
  it('refund_failed gives the refund back; dispute_won closes the dispute', async () => {
    const router = newRouter(f);
    const s = (await sale(router, 'braintree-1')).unwrap();
    f.braintree.settle(s.gatewayTransactionId);
    const refund = (await router.refund(s.transactionId, { amount: 1000 })).unwrap();
    f.braintree.failRefund(refund.gatewayTransactionId);
    f.braintree.dispute(s.gatewayTransactionId, { outcome: 'won' });
    await deliver(f.senders.braintree);
    expect(await router.transaction(s.transactionId)).toMatchObject({ refundedAmount: 0, status: 'captured' });
    expect(await router.disputes({ mid: 'braintree-1' })).toEqual([
      expect.objectContaining({ status: 'won', amount: 4000, currency: 'USD' }),
    ]);
  });
});

describe('what the fakes sent', () => {
  it('is valid for their specs', () => {
    expect([
      ...f.stripe.violations,
      ...f.checkout.violations,
      ...f.adyen.violations,
      ...f.nmi.violations,
      ...f.anet.violations,
      ...f.braintree.violations,
    ]).toEqual([]);
  });
});
