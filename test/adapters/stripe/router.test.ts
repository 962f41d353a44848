/**
 * The Stripe adapter through the router: a MID on the fake Stripe API beside a sandbox MID,
 * with a memory store. Sale + refund on Stripe, a cascade from a Stripe soft decline to the
 * sandbox, and a subscription whose rebill stays on the Stripe MID with the saved card.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRouter } from '../../../src/router';
import { memoryStore } from '../../../src/store/memory';
import { sandbox, type SandboxAdapter } from '../../../adapters/sandbox';
import type { PaymentRequest } from '../../../src/types';
import { startStripeFake, type StripeFake } from '../../fakes/stripe';
import { STRIPE_CARDS, adapterFor } from './support';

let fake: StripeFake;
let backup: SandboxAdapter;
beforeEach(async () => {
  fake = await startStripeFake();
  backup = sandbox({ id: 'sbx-b' });
});
afterEach(async () => {
  await fake.close();
  expect(fake.violations).toEqual([]);
});

function router() {
  const store = memoryStore();
  const r = createRouter({
    merchantAccounts: [
      { id: 'stripe-a', adapter: adapterFor(fake), currencies: ['USD', 'JPY'] },
      { id: 'sbx-b', adapter: backup, currencies: ['USD', 'JPY'] },
    ],
    profiles: [
      {
        id: 'default',
        pools: { main: { strategy: 'priority', members: [{ mid: 'stripe-a' }, { mid: 'sbx-b' }] } },
        route: ['main'],
        cascade: { maxAttempts: 2, on: 'soft' },
      },
    ],
    store,
  });
  return { router: r, store };
}

let n = 0;
const sale = (over: Partial<PaymentRequest> & { number?: string } = {}): PaymentRequest => {
  const { number, ...rest } = over;
  return {
    profile: 'default',
    idempotencyKey: `order-${++n}-${Date.now()}`,
    amount: 4200,
    currency: 'USD',
    card: { number: number ?? STRIPE_CARDS.visa, expMonth: 12, expYear: 2030, cvc: '123' },
    customer: { id: 'c-1', email: 'jenny@example.com', country: 'US' },
    ...rest,
  };
};

describe('Stripe through the router', () => {
  it('sells on the Stripe MID and refunds there, partially then fully', async () => {
    const { router: r } = router();
    const ok = (await r.sale(sale())).unwrap();
    expect(ok).toMatchObject({ mid: 'stripe-a', gateway: 'stripe', amount: 4200 });
    const pi = fake.intents.get(ok.gatewayTransactionId)!;
    expect(pi).toMatchObject({ status: 'succeeded', amountReceived: 4200 });
    expect(ok.networkTransactionId).toBe(pi.networkTransactionId);
    expect(pi.metadata.switchyard_transaction).toBe(ok.transactionId);
    expect(pi.metadata.switchyard_reference).toBe(ok.attempts[0].id);

    const part = (await r.refund(ok.transactionId, { amount: 1200 })).unwrap();
    expect(part).toMatchObject({ mid: 'stripe-a', operation: 'refund', amount: 1200 });
    (await r.refund(ok.transactionId)).unwrap();
    expect([...fake.refunds.values()].map((x) => [x.paymentIntent, x.amount])).toEqual([
      [pi.id, 1200],
      [pi.id, 3000],
    ]);
    expect(pi.refunded).toBe(4200);
    expect(backup.charges.size).toBe(0);
  });

  it('cascades from a Stripe soft decline (do_not_honor) to the sandbox MID; the refund follows the sandbox', async () => {
    const { router: r } = router();
    fake.declineNext({ code: 'card_declined', declineCode: 'do_not_honor' });
    const ok = (await r.sale(sale())).unwrap();
    expect(ok.mid).toBe('sbx-b');
    expect(ok.attempts.map((a) => [a.mid, a.outcome, a.code, a.decline?.reason])).toEqual([
      ['stripe-a', 'declined', 'do_not_honor', 'do_not_honor'],
      ['sbx-b', 'approved', undefined, undefined],
    ]);
    expect([...fake.intents.values()].map((x) => x.status)).toEqual(['requires_payment_method']);
    expect(backup.charges.size).toBe(1);

    (await r.refund(ok.transactionId)).unwrap();
    expect(fake.refunds.size).toBe(0);
    expect([...backup.charges.values()][0].refunded).toBe(4200);
  });

  it('does not cascade after a hard Stripe decline (lost_card)', async () => {
    const { router: r } = router();
    const res = await r.sale(sale({ number: STRIPE_CARDS.lost }));
    expect(res.isErr()).toBe(true);
    const f = res.isErr() ? res.error : undefined;
    expect(f).toMatchObject({ kind: 'declined', decline: { reason: 'lost_card', retry: 'never' } });
    expect(f?.attempts).toHaveLength(1);
    expect(backup.charges.size).toBe(0);
  });

  it('a subscription started on Stripe rebills on the same MID with the saved card, off-session', async () => {
    const { router: r } = router();
    const initial = (
      await r.sale(sale({ customer: { id: 'cus_Sub0001' }, subscription: { id: 'sub-1', recurringAmount: 1500 } }))
    ).unwrap();
    expect(initial.mid).toBe('stripe-a');
    expect(fake.form(fake.calls('/v1/payment_intents')[0])).toMatchObject({ setup_future_usage: 'off_session', customer: 'cus_Sub0001' });
    const pm = [...fake.paymentMethods.values()][0];

    const rebill = (await r.rebill({ subscriptionId: 'sub-1', amount: 1500, currency: 'USD', idempotencyKey: 'sub-1-cycle-2' })).unwrap();
    expect(rebill).toMatchObject({ mid: 'stripe-a', gateway: 'stripe', amount: 1500 });
    const last = fake.calls('/v1/payment_intents').at(-1)!;
    expect(fake.form(last)).toMatchObject({ off_session: 'true', payment_method: pm.id, customer: 'cus_Sub0001', amount: '1500' });
    expect(last.body).not.toContain('card%5Bnumber%5D');
    expect(fake.paymentMethods.size).toBe(1);
  });

  it('events carry no PAN or CVC', async () => {
    const { router: r } = router();
    const seen: string[] = [];
    for (const e of ['attempt', 'approved', 'declined', 'cascade', 'ambiguous'] as const)
      r.on(e, (x: unknown) => seen.push(JSON.stringify(x)));
    fake.declineNext({ code: 'card_declined', declineCode: 'do_not_honor', message: `card ${STRIPE_CARDS.visa} declined` });
    const res = await r.sale(sale());
    expect(seen.length).toBeGreaterThan(2);
    const all = seen.join('\n') + JSON.stringify(res);
    expect(all).not.toContain(STRIPE_CARDS.visa);
    expect(all).not.toMatch(/cvc\W+123/i);
  });
});
