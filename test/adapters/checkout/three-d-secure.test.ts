/**
 * 3-D Secure on Checkout.com through the router, against two fake accounts on loopback (each
 * hosting the issuer's challenge page behind `_links.redirect`): the pending payment finishes on
 * the account that started it, read with `GET /payments/{id}` (by the `cko-session-id` of the
 * return); a failed one declines as authentication_failed without a cascade; an abandoned one
 * lapses at Checkout.com and expires in the ledger; a step-up asks for a challenge on the same
 * account. Each fake's books equal the ledger.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkout } from '../../../adapters/checkout';
import { createRouter } from '../../../src/router';
import { memoryStore } from '../../../src/store/memory';
import type { Store } from '../../../src/store/types';
import type { RequiresActionFailure } from '../../../src/types';
import { type CheckoutFake, startCheckoutFake } from '../../fakes/checkout';
import { saleRequest } from '../../support/router';

const SECRET = 'sk_sbox_threedstestkey000000000000';
const SUCCESS = 'https://shop.example/3ds/success';
const FAILURE = 'https://shop.example/3ds/failure';
let fakes: Record<string, CheckoutFake>;
let now = Date.UTC(2026, 5, 1);
beforeEach(async () => {
  fakes = { 'cko-a': await startCheckoutFake({ secretKey: SECRET }), 'cko-b': await startCheckoutFake({ secretKey: SECRET }) };
});
afterEach(async () => {
  for (const f of Object.values(fakes)) {
    await f.close();
    expect(f.violations, f.violations.join('\n')).toEqual([]);
  }
});

function setup(requestThreeDS = true) {
  const store = memoryStore();
  const router = createRouter({
    merchantAccounts: Object.entries(fakes).map(([id, f]) => ({
      id,
      adapter: checkout({ secretKey: SECRET, baseUrl: f.url, timeoutMs: 3_000, requestThreeDS, successUrl: SUCCESS, failureUrl: FAILURE }),
      caps: { monthly: { amount: 1_000_000 } },
    })),
    profiles: [
      {
        id: 'default',
        pools: {
          main: {
            strategy: 'weighted',
            members: [
              { mid: 'cko-a', weight: 1 },
              { mid: 'cko-b', weight: 1 },
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

function challengeOf(r: { isErr(): boolean }): RequiresActionFailure {
  const f = (r as unknown as { error: RequiresActionFailure }).error;
  if (!r.isErr() || f.kind !== 'requires_action') throw new Error(`expected requires_action: ${JSON.stringify(r)}`);
  return f;
}

async function answerChallenge(url: string, outcome: 'complete' | 'fail'): Promise<URL> {
  expect((await fetch(url)).status).toBe(200);
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams({ outcome }), redirect: 'manual' });
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location')!);
}

async function booksMatchLedger(store: Store, txIds: string[]) {
  const ledger: string[] = [];
  for (const id of txIds) {
    const tx = await store.getTransaction(id);
    if (tx?.status === 'captured' || tx?.status === 'authorized') ledger.push(`${tx.mid}:${tx.gatewayTransactionId}`);
  }
  const books: string[] = [];
  for (const [mid, f] of Object.entries(fakes))
    for (const p of f.payments.values()) if (p.status === 'Authorized') books.push(`${mid}:${p.id}`);
  expect(books.sort()).toEqual(ledger.sort());
}

const urlOf = (c: RequiresActionFailure) => (c.action.type === 'redirect' ? c.action.url : '');
const other = (c: RequiresActionFailure) => fakes[c.mid === 'cko-a' ? 'cko-b' : 'cko-a'];

describe('3-D Secure on Checkout.com', () => {
  it('pending payment → challenge page → return with cko-session-id → completion: approved on the same payment and MID; replay makes no call', async () => {
    const { router, store } = setup();
    const c = challengeOf(await router.sale(saleRequest({ amount: 4200 })));
    expect(urlOf(c).startsWith(fakes[c.mid].url)).toBe(true);
    const back = await answerChallenge(urlOf(c), 'complete');
    expect(back.origin + back.pathname).toBe(SUCCESS);
    const sessionId = back.searchParams.get('cko-session-id')!;
    expect(sessionId).toMatch(/^sid_/);
    const done = (await router.completeAction(c.transactionId, { sessionId })).unwrap();
    const tx = (await store.getTransaction(c.transactionId))!;
    expect(done).toMatchObject({ transactionId: c.transactionId, mid: c.mid, gatewayTransactionId: tx.gatewayTransactionId });
    expect(fakes[c.mid].payments.get(done.gatewayTransactionId)!.captured).toBe(4200);
    expect(other(c).requests).toHaveLength(0);
    const reads = () => fakes[c.mid].requests.filter((r) => r.method === 'GET' && r.path.startsWith('/payments/')).length;
    const before = reads();
    expect((await router.completeAction(c.transactionId, { sessionId })).unwrap().replayed).toBe(true);
    expect(reads()).toBe(before);
    await booksMatchLedger(store, [c.transactionId]);
  });

  it('a completion before the cardholder finished leaves the transaction waiting with the same action', async () => {
    const { router, store } = setup();
    const c = challengeOf(await router.sale(saleRequest()));
    const early = challengeOf(await router.completeAction(c.transactionId, {}));
    expect(early.action).toEqual(c.action);
    expect((await store.getTransaction(c.transactionId))!.status).toBe('requires_action');
    await answerChallenge(urlOf(c), 'complete');
    expect((await router.completeAction(c.transactionId, {})).isOk()).toBe(true);
  });

  it('a failed challenge (20151) declines as authentication_failed on its MID, with no cascade', async () => {
    const { router, store } = setup();
    const c = challengeOf(await router.sale(saleRequest()));
    const back = await answerChallenge(urlOf(c), 'fail');
    expect(back.origin + back.pathname).toBe(FAILURE);
    const r = await router.completeAction(c.transactionId, { sessionId: back.searchParams.get('cko-session-id')! });
    expect(r.isErr() && r.error).toMatchObject({ kind: 'declined', decline: { reason: 'authentication_failed', raw: { code: '20151' } } });
    expect(other(c).requests).toHaveLength(0);
    await booksMatchLedger(store, [c.transactionId]);
  });

  it('an abandoned challenge expires after Checkout.com lapsed it: failed, cap released, nothing charged', async () => {
    const { router, store } = setup();
    const c = challengeOf(await router.sale(saleRequest()));
    expect(c.expiresAt - now).toBe(16 * 60_000);
    // Still Pending at Checkout.com (its 15 minutes not reached in the fake): unresolved, asked again later.
    now += 16 * 60_000;
    expect((await router.reconcile()).unresolved).toBe(1);
    const tx = (await store.getTransaction(c.transactionId))!;
    const p = fakes[c.mid].payments.get(tx.gatewayTransactionId!)!;
    p.status = 'Declined';
    p.responseCode = '20152';
    expect((await router.reconcile()).expired).toBe(1);
    expect((await store.getTransaction(c.transactionId))!.status).toBe('failed');
    const key = `${new Date(now).toISOString().slice(0, 7)}:${tx.currency}`;
    expect((await store.capUsage(c.mid, [{ window: 'monthly', key }]))[0]).toMatchObject({ amount: 0, count: 0 });
    await booksMatchLedger(store, [c.transactionId]);
  });

  it('step-up: a 20154 decline asks for a challenge (challenge_requested) on the same account', async () => {
    const { router, store } = setup(false);
    for (const f of Object.values(fakes)) f.next({ type: 'decline', code: '20154', summary: '3DS authentication required' });
    const c = challengeOf(await router.sale(saleRequest()));
    const mine = fakes[c.mid];
    const bodies = mine.requests.filter((r) => r.method === 'POST' && r.path === '/payments').map((r) => JSON.parse(r.body));
    expect(bodies).toHaveLength(2);
    expect(bodies[1]['3ds']).toEqual({ enabled: true, challenge_indicator: 'challenge_requested' });
    expect(mine.requests.filter((r) => r.path === '/payments').map((r) => r.headers['cko-idempotency-key'])[1]).toMatch(/-3ds$/);
    expect(other(c).requests).toHaveLength(0);
    await answerChallenge(urlOf(c), 'complete');
    expect((await router.completeAction(c.transactionId, {})).unwrap().mid).toBe(c.mid);
    await booksMatchLedger(store, [c.transactionId]);
  });
});
