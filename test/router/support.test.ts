/**
 * Support reads through the public router: the order's facts on the ledger, the routing decision
 * (rule or default route, pools, scores, draws, ineligible and skipped MIDs) as it was made,
 * search with a cursor, attempts with notes for people, subscriptions, MID status; the two
 * writes of a sale stay two.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { DECLINE_ADVICE, OUTCOME_ADVICE } from '../../src/declines/advice';
import { FilterError } from '../../src/errors';
import { createRouter } from '../../src/router';
import { orderRoute } from '../../src/selection/order';
import { compileProfile } from '../../src/profile/compile';
import { profileSchema } from '../../src/profile/schema';
import { memoryStore } from '../../src/store/memory';
import type { Store, StoreWrite } from '../../src/store/types';
import { CARDS, saleRequest, sandboxMids, testRouter } from '../support/router';

const T0 = Date.UTC(2026, 10, 21, 12);

/** A store that keeps its writes and whether each applied. */
function countingStore(inner: Store = memoryStore()) {
  const writes: Array<StoreWrite & { applied?: boolean }> = [];
  const store: Store = {
    ...inner,
    write: async (w) => {
      const r = await inner.write(w);
      writes.push({ ...w, applied: r.ok });
      return r;
    },
  };
  return { store, writes };
}

describe('the ledger remembers the order', () => {
  it('keeps order id, customer (e-mail lower case, country upper case), tags, metadata, BIN, last four and brand', async () => {
    const { accounts } = sandboxMids(['m1']);
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'm1' }] } }, route: ['p'] }, accounts);
    const r = await router.sale(
      saleRequest({
        orderId: 'ORD-1001',
        customer: { id: 'cust-7', email: 'Ada.Lovelace@Example.COM', country: 'gb', ip: '203.0.113.9' },
        tags: ['vip'],
        metadata: { campaign: 'spring' },
        number: CARDS.mastercard,
      }),
    );
    const tx = await router.transaction(r.unwrap().transactionId);
    expect(tx).toMatchObject({
      orderId: 'ORD-1001',
      customer: { id: 'cust-7', email: 'ada.lovelace@example.com', country: 'GB', ip: '203.0.113.9' },
      tags: ['vip'],
      metadata: { campaign: 'spring' },
      card: { bin: '555555', last4: '4444', brand: 'mastercard' },
      mid: 'm1',
    });
    for (const f of [
      { orderId: 'ORD-1001' },
      { email: 'ADA.LOVELACE@example.com' },
      { customerId: 'cust-7' },
      { last4: '4444' },
      { bin: '555555' },
    ])
      expect(
        (await router.transactions(f)).transactions.map((t) => t.id),
        JSON.stringify(f),
      ).toEqual([tx!.id]);
  });

  it('validates orderId like other ids: a card number, a non-string or more than 255 characters is refused, naming the field', async () => {
    const { accounts, adapters } = sandboxMids(['m1']);
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'm1' }] } }, route: ['p'] }, accounts);
    for (const orderId of [`order 4111 1111 1111 1111`, 42, '', 'x'.repeat(256)]) {
      const r = await router.sale(saleRequest({ orderId: orderId as string }));
      expect(r.isErr() && r.error).toMatchObject({ kind: 'rejected', rejection: 'validation', field: 'orderId' });
      expect(JSON.stringify(r)).not.toContain('4111 1111 1111 1111');
    }
    expect(adapters.m1.calls.sale ?? 0).toBe(0);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 255 }).filter((s) => !/\d/.test(s)),
        async (orderId) => {
          const r = await router.sale(saleRequest({ orderId }));
          expect((await router.transaction(r.unwrap().transactionId))?.orderId).toBe(orderId);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('an order id is part of the request: the same key with another order id is a conflict, not a replay', async () => {
    const { accounts } = sandboxMids(['m1']);
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'm1' }] } }, route: ['p'] }, accounts);
    const req = saleRequest({ orderId: 'A' });
    expect((await router.sale(req)).isOk()).toBe(true);
    expect((await router.sale(req)).unwrap().replayed).toBe(true);
    const other = await router.sale({ ...req, orderId: 'B' });
    expect(other.isErr() && other.error).toMatchObject({ rejection: 'idempotency_conflict' });
  });
});

describe('the routing decision is recorded as made', () => {
  const profile = {
    pools: {
      eu: {
        strategy: 'weighted' as const,
        members: [
          { mid: 'a', weight: 60 },
          { mid: 'b', weight: 30 },
          { mid: 'c', weight: 10 },
        ],
      },
      backup: { strategy: 'priority' as const, members: [{ mid: 'd' }, { mid: 'e' }] },
    },
    route: ['eu', 'backup'],
    rules: [
      { name: 'no-b-for-gb', when: { customer: { country: 'GB' } }, exclude: ['b'] },
      { name: 'eur', when: { currency: 'EUR' }, route: ['backup'] },
    ],
    cascade: { maxAttempts: 5 },
  };

  it('weighted draws, scores, pools, the default route and the ineligible MIDs with their reasons', async () => {
    const draws = [0.95, 0.1, 0.4];
    let i = 0;
    const { accounts } = sandboxMids(['a', 'b', 'c', 'd']);
    accounts.push({ id: 'e', adapter: sandbox({ id: 'e' }), currencies: ['EUR'] });
    const { router } = testRouter(profile, accounts, { random: () => draws[i++ % draws.length] });
    const r = await router.sale(saleRequest({ customer: { country: 'GB' } }));
    const tx = await router.transaction(r.unwrap().transactionId);
    const routing = tx!.routing!;
    expect(routing).toMatchObject({ source: 'default', filters: ['no-b-for-gb'], pools: ['eu', 'backup'] });
    expect(routing.rule).toBeUndefined();
    // b excluded: a (60) and c (10) share the pool; 0.95 × 70 = 66.5 falls on c.
    expect(routing.candidates).toEqual([
      { mid: 'c', pool: 'eu', strategy: 'weighted', score: 0.1429 },
      { mid: 'a', pool: 'eu', strategy: 'weighted', score: 0.8571 },
      { mid: 'd', pool: 'backup', strategy: 'priority' },
    ]);
    expect(routing.draws).toEqual([0.95, 0.1]);
    expect(routing.ineligible).toEqual([
      { mid: 'b', reasons: [{ code: 'excluded_by_rule', message: 'excluded by rule "no-b-for-gb"' }] },
      { mid: 'e', reasons: [{ code: 'currency_not_accepted', message: 'does not accept USD' }] },
    ]);
    expect(tx!.mid).toBe('c');
    // The draws reproduce the order.
    const compiled = compileProfile(profileSchema.parse({ id: 'x', ...profile }));
    let j = 0;
    const { candidates: replay } = orderRoute(
      routing.pools,
      compiled.pools,
      () => routing.draws![j++],
      (m) => !['b', 'e'].includes(m),
    );
    expect(replay).toEqual(routing.candidates.map((c) => c.mid));
  });

  it('names the rule that chose the route', async () => {
    const { accounts } = sandboxMids(['a', 'b', 'c', 'd', 'e']);
    const { router } = testRouter(profile, accounts);
    const r = await router.sale(saleRequest({ currency: 'EUR' }));
    const routing = (await router.transaction(r.unwrap().transactionId))!.routing!;
    expect(routing).toMatchObject({ source: 'rule', rule: { name: 'eur', index: 1 }, pools: ['backup'] });
    expect(routing.candidates.map((c) => c.mid)).toEqual(['d', 'e']);
    expect(routing.draws).toBeUndefined();
  });

  it('records the MIDs the loop skipped (cap reached, network rule) within the two writes of the sale', async () => {
    const { store, writes } = countingStore();
    const router = createRouter({
      merchantAccounts: [
        { id: 'a', adapter: sandbox({ id: 'a' }), caps: { daily: { amount: 1_000 } } },
        { id: 'b', adapter: sandbox({ id: 'b' }) },
        { id: 'c', adapter: sandbox({ id: 'c' }) },
      ],
      profiles: [
        {
          id: 'default',
          pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }, { mid: 'c' }] } },
          route: ['p'],
          cascade: { maxAttempts: 3 },
        },
      ],
      store,
      clock: () => T0,
    });
    // A stolen card declined on b: the network rules refuse it there for 30 days.
    expect((await router.sale(saleRequest({ number: CARDS.stolen, amount: 2_000 }))).unwrap).toBeDefined();
    writes.length = 0;
    const r = await router.sale(saleRequest({ number: CARDS.stolen, amount: 1_500 }));
    expect(r.isErr() && r.error.kind).toBe('declined');
    // The refused cap reservation on a, then the two writes of every sale: opening (with the skips) and settlement.
    expect(writes.map((w) => [w.applied, !!w.insertTransaction, !!w.attempt])).toEqual([
      [false, true, false],
      [true, true, false],
      [true, false, true],
    ]);
    const tx = await router.transaction(r.isErr() ? r.error.transactionId! : '');
    expect(tx?.mid).toBe('c');
    expect(tx?.routing?.skipped).toEqual([
      { mid: 'a', reason: 'cap reached', at: T0 },
      { mid: 'b', reason: expect.stringMatching(/never|declined|30 days|network/i), at: T0 },
    ]);
  });

  it('an open circuit makes a MID ineligible, with the reason, in the decision', async () => {
    const { router } = testRouter(
      { pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] } }, route: ['p'], cascade: { maxAttempts: 2 } },
      [
        { id: 'a', adapter: sandbox({ id: 'a', respond: () => ({ status: 'error', ambiguous: false, message: 'bad gateway' }) }) },
        { id: 'b', adapter: sandbox({ id: 'b' }) },
      ],
      { circuit: { threshold: 1 } },
    );
    await router.sale(saleRequest());
    const r = await router.sale(saleRequest());
    const routing = (await router.transaction(r.unwrap().transactionId))!.routing!;
    expect(routing.candidates.map((c) => c.mid)).toEqual(['b']);
    expect(routing.ineligible).toEqual([
      { mid: 'a', reasons: [{ code: 'circuit_open', message: expect.stringMatching(/^circuit open/) }] },
    ]);
  });

  it('records skips after a cascade in the settlement, and a rebill routes by its pin', async () => {
    const adapters = { a: sandbox({ id: 'a' }), b: sandbox({ id: 'b' }) };
    const { router } = testRouter(
      { pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] } }, route: ['p'], cascade: { maxAttempts: 2 } },
      [
        { id: 'a', adapter: adapters.a },
        { id: 'b', adapter: adapters.b, caps: { daily: { amount: 100 } } },
      ],
    );
    // A soft decline on a cascades to b, which has no room: the loop ends after a, and finish() records the skip.
    const r = await router.sale(saleRequest({ number: CARDS.doNotHonor }));
    const tx = await router.transaction(r.isErr() ? r.error.transactionId! : '');
    expect(tx?.status).toBe('declined');
    expect(tx?.routing?.skipped).toEqual([{ mid: 'b', reason: 'cap reached', at: expect.any(Number) }]);

    const sub = await router.sale(
      saleRequest({
        orderId: 'SUB-1',
        customer: { id: 'c9', email: 'Sub@Example.com', ip: '198.51.100.1' },
        subscription: { id: 'sub-9' },
      }),
    );
    const rb = await router.rebill({ subscriptionId: 'sub-9', amount: 2_999, currency: 'USD', idempotencyKey: 'rb-1', orderId: 'INV-2' });
    const rebill = await router.transaction(rb.unwrap().transactionId);
    expect(rebill).toMatchObject({
      orderId: 'INV-2',
      customer: { id: 'c9', email: 'sub@example.com' },
      routing: { source: 'pin', pools: [], candidates: [{ mid: sub.unwrap().mid }], ineligible: [] },
    });
    expect(rebill?.customer?.ip).toBeUndefined();
  });
});

describe('router.transactions, attempts, subscription, midStatus', () => {
  it('pages newest first with a cursor, and refuses what it cannot search, naming the field', async () => {
    let now = T0;
    const { accounts } = sandboxMids(['m1']);
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'm1' }] } }, route: ['p'] }, accounts, {
      clock: () => now,
    });
    const ids: string[] = [];
    for (let i = 1; i <= 7; i++) {
      now = T0 + i * 1_000;
      ids.unshift((await router.sale(saleRequest({ customer: { email: 'p@x.io' } }))).unwrap().transactionId);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await router.transactions({ email: 'p@x.io', limit: 3, ...(cursor && { cursor }) });
      seen.push(...page.transactions.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect((await router.transactions({ email: 'p@x.io', limit: 7 })).nextCursor).toBeUndefined();
    expect((await router.transactions({ from: T0 + 3_500, to: T0 + 6_500 })).transactions).toHaveLength(3);
    for (const [filter, field] of [
      [{ last4: '12' }, 'last4'],
      [{ bin: '4111' }, 'bin'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 501 }, 'limit'],
      [{ status: 'approved' }, 'status'],
      [{ operation: 'charge' }, 'operation'],
      [{ cursor: 'not-a-cursor' }, 'cursor'],
      [{ orderID: 'A' }, 'orderID'],
      [{ from: 'yesterday' }, 'from'],
    ] as const) {
      await expect(router.transactions(filter as never), field).rejects.toThrow(FilterError);
      await expect(router.transactions(filter as never)).rejects.toMatchObject({ field });
    }
  });

  it('gives every attempt with notes for support and the shopper, naming the accepted brands for card_not_supported', async () => {
    const { router } = testRouter(
      { pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] } }, route: ['p'], cascade: { maxAttempts: 2 } },
      [
        {
          id: 'a',
          adapter: sandbox({ id: 'a', respond: () => ({ status: 'declined', code: '05', message: 'Do Not Honor' }) }),
          brands: ['visa', 'mastercard'],
        },
        {
          id: 'b',
          adapter: sandbox({ id: 'b', respond: () => ({ status: 'declined', code: '51', message: 'Insufficient Funds' }) }),
          brands: ['visa'],
        },
      ],
    );
    const r = await router.sale(saleRequest());
    const attempts = await router.attempts(r.isErr() ? r.error.transactionId! : '');
    expect(attempts.map((a) => [a.mid, a.status, a.reason])).toEqual([
      ['a', 'declined', 'do_not_honor'],
      ['b', 'declined', 'insufficient_funds'],
    ]);
    expect(attempts[0].advice).toEqual(DECLINE_ADVICE.do_not_honor);
    expect(attempts[1].advice).toEqual(DECLINE_ADVICE.insufficient_funds);
    const { router: r2 } = testRouter(
      { pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] },
      [
        {
          id: 'a',
          adapter: sandbox({
            id: 'a',
            respond: () => ({ status: 'declined', code: 'brand_not_supported', message: 'Card brand not supported' }),
          }),
          brands: ['visa', 'mastercard'],
        },
      ],
      { declineRules: [{ code: 'brand_not_supported', reason: 'card_not_supported' }] },
    );
    const r3 = await r2.sale(saleRequest());
    const [att] = await r2.attempts(r3.isErr() ? r3.error.transactionId! : '');
    expect(att.advice).toEqual({
      support: DECLINE_ADVICE.card_not_supported.support,
      shopper: 'This card network is not accepted on this shop (Visa and Mastercard only).',
    });
  });

  it('approved attempts carry no advice; an unknown outcome carries the reconcile note', async () => {
    const { accounts } = sandboxMids(['m1'], { latencyMs: 0 });
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'm1' }] } }, route: ['p'] }, accounts, {
      timeouts: { attemptMs: 50, totalMs: 100 },
    });
    const ok = await router.sale(saleRequest());
    expect((await router.attempts(ok.unwrap().transactionId))[0].advice).toBeUndefined();
    const unknown = await router.sale(saleRequest({ number: CARDS.timeout }));
    const [pending] = await router.attempts(unknown.isErr() ? unknown.error.transactionId! : '');
    expect(pending.status).toBe('pending');
    expect(pending.advice).toEqual(OUTCOME_ADVICE.pending);
  });

  it('shows a subscription with its pin, rebills, salvage state and charges, newest first', async () => {
    let now = T0;
    const { accounts } = sandboxMids(['m1']);
    const { router } = testRouter(
      {
        pools: { p: { strategy: 'priority', members: [{ mid: 'm1' }] } },
        route: ['p'],
        salvage: { attempts: [{ afterDays: 3 }] },
      },
      accounts,
      { clock: () => (now += 1_000) },
    );
    const first = await router.sale(saleRequest({ subscription: { id: 'sub-1' } }));
    const rb1 = await router.rebill({ subscriptionId: 'sub-1', amount: 999, currency: 'USD', idempotencyKey: 'r1' });
    const rb2 = await router.rebill({
      subscriptionId: 'sub-1',
      amount: 999,
      currency: 'USD',
      idempotencyKey: 'r2',
      card: { number: CARDS.insufficientFunds, expMonth: 12, expYear: 2030 },
    });
    expect(rb2.isErr()).toBe(true);
    const view = await router.subscription('sub-1');
    expect(view).toMatchObject({ subscriptionId: 'sub-1', status: 'active', mid: 'm1', rebillCount: 1, salvage: { declines: 1 } });
    expect(view!.transactions.map((t) => t.id)).toEqual([
      rb2.isErr() && rb2.error.transactionId,
      rb1.unwrap().transactionId,
      first.unwrap().transactionId,
    ]);
    expect(await router.subscription('sub-none')).toBeUndefined();
  });

  it('midStatus: approval rates today and this month, cap use, circuit state', async () => {
    let now = Date.UTC(2026, 10, 20, 12);
    const a = sandbox({ id: 'a' });
    const b = sandbox({ id: 'b' });
    const router = createRouter({
      merchantAccounts: [
        { id: 'a', adapter: a, currencies: ['USD'], caps: { monthly: { amount: 100_000, count: 50 } } },
        { id: 'b', adapter: b },
      ],
      profiles: [
        {
          id: 'default',
          pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] } },
          route: ['p'],
          cascade: { maxAttempts: 1 },
        },
      ],
      store: memoryStore(),
      circuit: { threshold: 2, cooldownMs: 60_000 },
      clock: () => now,
    });
    await router.sale(saleRequest({ amount: 1_000 })); // yesterday: approved
    now += 86_400_000;
    await router.sale(saleRequest({ amount: 2_000 }));
    await router.sale(saleRequest({ amount: 3_000, number: CARDS.doNotHonor }));
    await router.sale(saleRequest({ amount: 500, number: CARDS.cleanError }));
    await router.sale(saleRequest({ amount: 500, number: CARDS.cleanError }));
    const status = await router.midStatus();
    const sa = status.find((s) => s.mid === 'a')!;
    expect(sa.today).toEqual({ answered: 2, approved: 1, declined: 1, errors: 2, approvalRate: 0.5 });
    expect(sa.month).toEqual({ answered: 3, approved: 2, declined: 1, errors: 2, approvalRate: 2 / 3 });
    expect(sa.circuit).toMatchObject({ state: 'open', openUntil: now + 60_000, consecutiveFailures: 2 });
    expect(sa.caps).toEqual([
      { window: 'monthly', key: '2026-11:USD', currency: 'USD', amount: 3_000, count: 2, amountLimit: 100_000, countLimit: 50 },
    ]);
    expect(status.find((s) => s.mid === 'b')).toMatchObject({
      enabled: true,
      circuit: { state: 'closed' },
      caps: [],
      today: { answered: 0 },
    });
    now += 61_000;
    expect((await router.midStatus()).find((s) => s.mid === 'a')!.circuit.state).toBe('half_open');
  });
});
