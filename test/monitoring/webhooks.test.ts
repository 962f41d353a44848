/**
 * Disputes arriving as gateway notifications over real HTTP (the fake Stripe and Braintree):
 * counted once however often they are delivered, in any order, and a lost dispute charges its
 * transaction back in the same write as the notification's record.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '../../src/router';
import { CARD, deliver, type Fakes, heldOf, startFakes } from '../webhooks/support';

let f: Fakes;
beforeAll(async () => {
  f = await startFakes();
});
afterAll(async () => {
  await f.close();
});
afterEach(() => f.forget());

let n = 0;
const sale = (router: Router, mid: string, amount = 4000) =>
  router.sale({ profile: mid, idempotencyKey: `mon-${n++}`, amount, currency: 'USD', card: CARD });

describe('dispute notifications feed the counters', () => {
  it('a Stripe dispute lost: counted once across redeliveries, the transaction charged back', async () => {
    const router = f.router();
    const s = (await sale(router, 'stripe-1')).unwrap();
    f.senders.stripe.discard();
    f.stripe.dispute(s.gatewayTransactionId, { outcome: 'lost', reasonCode: '10.4' });
    const held = heldOf(f.senders.stripe);
    expect(held.length).toBeGreaterThanOrEqual(2);
    await f.senders.stripe.release(held);
    await f.senders.stripe.release(held); // redelivered
    await f.senders.stripe.release([...held].reverse());
    const h = (await router.midHealth('stripe-1')).mids[0]!;
    expect(h.counts.disputes).toEqual({ count: 1, amount: 4000 });
    expect(h.counts.byCategory).toEqual({ fraud: { count: 1, amount: 4000 } });
    expect(h.counts.byReasonCode).toEqual({ '10.4': { count: 1, amount: 4000 } });
    expect(h.counts.byBrand.visa.disputes.count).toBe(1);
    expect(h.visa).toMatchObject({ numerator: 1, denominator: 1 });
    expect(await router.transaction(s.transactionId)).toMatchObject({ status: 'charged_back' });
    expect(await router.disputes({ transactionId: s.transactionId })).toEqual([
      expect.objectContaining({ status: 'lost', countedIn: expect.stringMatching(/^\d{4}-\d{2}$/) }),
    ]);
  });

  it('a Braintree dispute won: counted, the transaction keeps its state', async () => {
    const router = f.router();
    const s = (await sale(router, 'braintree-1')).unwrap();
    f.senders.braintree.discard();
    f.braintree.dispute(s.gatewayTransactionId, { outcome: 'won', reason: 'product_not_received', reasonCode: '4853' });
    await deliver(f.senders.braintree);
    const h = (await router.midHealth('braintree-1')).mids[0]!;
    expect(h.counts.disputes.count).toBe(1);
    expect((await router.transaction(s.transactionId))?.status).toBe('captured');
  });
});
