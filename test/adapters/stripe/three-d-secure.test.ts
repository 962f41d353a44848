/**
 * 3-D Secure on Stripe through the router, against two fake Stripe accounts on loopback (each
 * with its hosted challenge page): the challenge finishes on the PaymentIntent that started it,
 * on the MID that issued it; a failed one declines without a cascade; an abandoned one is
 * cancelled at Stripe; one completed at Stripe but never returned is booked at expiry; a
 * step-up asks Stripe for a challenge on the same account. Each fake's books equal the ledger.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRouter } from '../../../src/router';
import { memoryStore } from '../../../src/store/memory';
import type { Store } from '../../../src/store/types';
import type { PaymentRequest, RequiresActionFailure } from '../../../src/types';
import { type StripeFake, startStripeFake } from '../../fakes/stripe';
import { STRIPE_CARDS, adapterFor } from './support';

const RETURN = 'https://shop.example/3ds/return';
let fakes: Record<string, StripeFake>;
let now = Date.UTC(2026, 5, 1);
beforeEach(async () => {
  fakes = { 'stripe-a': await startStripeFake(), 'stripe-b': await startStripeFake() };
});
afterEach(async () => {
  for (const f of Object.values(fakes)) {
    await f.close();
    expect(f.violations, f.violations.join('\n')).toEqual([]);
  }
});

function setup() {
  const store = memoryStore();
  const router = createRouter({
    merchantAccounts: Object.entries(fakes).map(([id, f]) => ({
      id,
      adapter: adapterFor(f, { returnUrl: RETURN }),
      currencies: ['USD'],
      caps: { monthly: { amount: 1_000_000 } },
    })),
    profiles: [
      {
        id: 'default',
        pools: {
          main: {
            strategy: 'weighted',
            members: [
              { mid: 'stripe-a', weight: 1 },
              { mid: 'stripe-b', weight: 1 },
            ],
          },
        },
        route: ['main'],
        cascade: { maxAttempts: 2, on: 'soft' },
      },
    ],
    store,
    clock: () => now,
  });
  return { router, store };
}

let n = 0;
const sale = (number: string): PaymentRequest => ({
  profile: 'default',
  idempotencyKey: `order-3ds-${++n}`,
  amount: 4200,
  currency: 'USD',
  card: { number, expMonth: 12, expYear: 2030, cvc: '123' },
  customer: { id: 'c-1', email: 'jenny@example.com', country: 'DE' },
});

function challengeOf(r: { isErr(): boolean; error?: unknown }): RequiresActionFailure {
  const f = (r as { error: RequiresActionFailure }).error;
  if (!r.isErr() || f.kind !== 'requires_action') throw new Error(`expected requires_action: ${JSON.stringify(r)}`);
  return f;
}

/** The cardholder on the fake's challenge page: opens it, presses a button, follows the redirect to the return URL. */
async function answerChallenge(url: string, outcome: 'complete' | 'fail'): Promise<URL> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain(`value="${outcome}"`);
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams({ outcome }), redirect: 'manual' });
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location')!);
}

/** Stripe's books (PaymentIntents that charged or hold funds) equal the ledger's approved transactions, per MID. */
async function booksMatchLedger(store: Store, txIds: string[]) {
  const ledger: string[] = [];
  for (const id of txIds) {
    const tx = await store.getTransaction(id);
    if (tx?.status === 'captured' || tx?.status === 'authorized') ledger.push(`${tx.mid}:${tx.gatewayTransactionId}`);
  }
  const books: string[] = [];
  for (const [mid, f] of Object.entries(fakes))
    for (const pi of f.intents.values()) if (pi.status === 'succeeded' || pi.status === 'requires_capture') books.push(`${mid}:${pi.id}`);
  expect(books.sort()).toEqual(ledger.sort());
}

const mine = (c: RequiresActionFailure) => fakes[c.mid];
const other = (c: RequiresActionFailure) => fakes[c.mid === 'stripe-a' ? 'stripe-b' : 'stripe-a'];

describe('3-D Secure on Stripe', () => {
  it('challenge → hosted page → return → completion: approved on the same MID and PaymentIntent, one charge; replay makes no call', async () => {
    const { router, store } = setup();
    const c = challengeOf(await router.sale(sale(STRIPE_CARDS.threeDSOnSession)));
    expect(c.action.type).toBe('redirect');
    const url = c.action.type === 'redirect' ? c.action.url : '';
    expect(url.startsWith(mine(c).url)).toBe(true);
    const back = await answerChallenge(url, 'complete');
    expect(back.origin + back.pathname).toBe(RETURN);
    const pi = back.searchParams.get('payment_intent')!;
    const done = await router.completeAction(c.transactionId, { paymentIntent: pi });
    expect(done.isOk()).toBe(true);
    expect(done.unwrap()).toMatchObject({ transactionId: c.transactionId, mid: c.mid, gatewayTransactionId: pi, amount: 4200 });
    expect(mine(c).intents.get(pi)!.status).toBe('succeeded');
    expect(other(c).requests).toHaveLength(0);
    const gets = () => mine(c).calls(`/v1/payment_intents/${pi}`, 'GET').length;
    const before = gets();
    const again = await router.completeAction(c.transactionId, { paymentIntent: pi });
    expect(again.isOk() && again.value.replayed).toBe(true);
    expect(gets()).toBe(before);
    await booksMatchLedger(store, [c.transactionId]);
  });

  it('a failed challenge declines as authentication_failed on its MID; the other account is never asked', async () => {
    const { router, store } = setup();
    const c = challengeOf(await router.sale(sale(STRIPE_CARDS.threeDSOnSession)));
    await answerChallenge(c.action.type === 'redirect' ? c.action.url : '', 'fail');
    const r = await router.completeAction(c.transactionId, {});
    expect(r.isErr() && r.error).toMatchObject({ kind: 'declined', decline: { reason: 'authentication_failed' } });
    expect(other(c).requests).toHaveLength(0);
    expect((await store.getTransaction(c.transactionId))!.status).toBe('declined');
    await booksMatchLedger(store, [c.transactionId]);
  });

  it('a wrong paymentIntent in the return is refused and the challenge stays open', async () => {
    const { router } = setup();
    const c = challengeOf(await router.sale(sale(STRIPE_CARDS.threeDSOnSession)));
    const r = await router.completeAction(c.transactionId, { paymentIntent: 'pi_someoneElse' });
    expect(r.isErr() && r.error.kind).toBe('error');
    expect(r.isErr() && r.error.message).toMatch(/paymentIntent/);
    // Not yet answered at Stripe: the PaymentIntent still waits, and so does the ledger.
    const still = await router.completeAction(c.transactionId, {});
    expect(still.isErr() && still.error.kind).toBe('requires_action');
  });

  it('an abandoned challenge is cancelled at Stripe on expiry: failed, nothing charged, cap released', async () => {
    const { router, store } = setup();
    const c = challengeOf(await router.sale(sale(STRIPE_CARDS.threeDSOnSession)));
    now += 15 * 60_000;
    const report = await router.reconcile();
    expect(report.expired).toBe(1);
    const pi = (await store.getTransaction(c.transactionId))!.gatewayTransactionId!;
    expect(mine(c).intents.get(pi)!.status).toBe('canceled');
    expect(mine(c).calls(`/v1/payment_intents/${pi}/cancel`, 'POST')).toHaveLength(1);
    expect((await store.getTransaction(c.transactionId))!.status).toBe('failed');
    const key = `${new Date(now).toISOString().slice(0, 7)}:USD`;
    expect((await store.capUsage(c.mid, [{ window: 'monthly', key }]))[0]).toMatchObject({ amount: 0, count: 0 });
    await booksMatchLedger(store, [c.transactionId]);
  });

  it('a challenge completed at Stripe whose shopper never came back is booked at expiry (Stripe charged), not cancelled', async () => {
    const { router, store } = setup();
    const c = challengeOf(await router.sale(sale(STRIPE_CARDS.threeDSOnSession)));
    await answerChallenge(c.action.type === 'redirect' ? c.action.url : '', 'complete');
    now += 15 * 60_000;
    const report = await router.reconcile();
    expect(report).toMatchObject({ approved: 1, expired: 0 });
    expect(await store.getTransaction(c.transactionId)).toMatchObject({ status: 'captured', mid: c.mid });
    await booksMatchLedger(store, [c.transactionId]);
  });

  it('step-up: an authentication_required decline asks Stripe for a challenge on the same account, never the other', async () => {
    const { router, store } = setup();
    for (const f of Object.values(fakes)) f.declineNext({ code: 'card_declined', declineCode: 'authentication_required' });
    const c = challengeOf(await router.sale(sale(STRIPE_CARDS.visa)));
    const form = mine(c).form(mine(c).calls('/v1/payment_intents', 'POST').at(-1)!);
    expect(form.payment_method_options.card.request_three_d_secure).toBe('any');
    expect(other(c).requests).toHaveLength(0);
    await answerChallenge(c.action.type === 'redirect' ? c.action.url : '', 'complete');
    const done = await router.completeAction(c.transactionId, {});
    expect(done.isOk() && done.value.mid).toBe(c.mid);
    await booksMatchLedger(store, [c.transactionId]);
  });
});
