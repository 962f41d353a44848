/**
 * Counting through the router: settlement feeds sales and refunds (sales, rebills, captures,
 * voids), `recordDispute` feeds disputes and fraud reports once per id, a dispute's life is
 * followed (lost or accepted charges the transaction back; refunds are then refused), bad input
 * is refused naming its field, and `midHealth` adds MIDs up per merchant entity.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CARDS, saleRequest, sandboxMids, testRouter } from '../support/router';

const NOV = Date.UTC(2026, 10, 10, 12);

function setup(extra: Record<string, { entity?: string }> = {}) {
  let now = NOV;
  const { adapters, accounts } = sandboxMids(['a', 'b', 'c']);
  for (const acc of accounts) Object.assign(acc, extra[acc.id]);
  const { router, store } = testRouter(
    { pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }, { mid: 'c' }] } }, route: ['p'] },
    accounts,
    { clock: () => now },
  );
  return { router, store, adapters, at: (t: number) => (now = t) };
}

const byMid = async (router: ReturnType<typeof setup>['router'], mid: string) => (await router.midHealth(mid)).mids[0]!;

describe('settlement feeds the monthly counters', () => {
  it('counts settled sales and rebills per network, refunds, captures once, and takes a voided sale back', async () => {
    const { router } = setup();
    const visa = (await router.sale(saleRequest({ amount: 1000, subscription: { id: 'sub-1' } }))).unwrap();
    (await router.sale(saleRequest({ amount: 2000, number: CARDS.mastercard }))).unwrap();
    (await router.rebill({ subscriptionId: 'sub-1', amount: 1000, currency: 'USD', idempotencyKey: 'r1' })).unwrap();
    const auth = (await router.authorize(saleRequest({ amount: 3000 }))).unwrap();
    let h = await byMid(router, 'a');
    expect(h.counts.sales).toEqual({ count: 3, amount: 4000 }); // an authorization is not a settled sale
    (await router.capture(auth.transactionId, { amount: 1000 })).unwrap();
    (await router.capture(auth.transactionId, { amount: 2000 })).unwrap();
    (await router.refund(visa.transactionId, { amount: 400 })).unwrap();
    const voided = (await router.sale(saleRequest({ amount: 500 }))).unwrap();
    (await router.void(voided.transactionId)).unwrap();
    h = await byMid(router, 'a');
    expect(h.counts.sales).toEqual({ count: 4, amount: 7000 });
    expect(h.counts.byBrand.visa.sales).toEqual({ count: 3, amount: 5000 });
    expect(h.counts.byBrand.mastercard.sales).toEqual({ count: 1, amount: 2000 });
    expect(h.counts.refunds).toEqual({ count: 1, amount: 400 });
    expect((await byMid(router, 'b')).counts.sales.count).toBe(0);
  });

  it('counts nothing for a declined sale', async () => {
    const { router } = setup();
    expect((await router.sale(saleRequest({ number: CARDS.stolen }))).isErr()).toBe(true);
    expect((await byMid(router, 'a')).counts.sales.count).toBe(0);
  });
});

describe('recordDispute', () => {
  it('counts a dispute once per id, by network, category and reason code; a replay counts nothing', async () => {
    const { router } = setup();
    const sale = (await router.sale(saleRequest({ amount: 1999 }))).unwrap();
    const first = (await router.recordDispute({ transactionId: sale.transactionId, disputeId: 'CB-1', reasonCode: '13.2' })).unwrap();
    expect(first).toMatchObject({ kind: 'dispute', created: true, changed: true, countedIn: '2026-11', mid: 'a' });
    expect(first.dispute).toMatchObject({ status: 'needs_response', category: 'subscription_cancelled', amount: 1999, reasonCode: '13.2' });
    const again = (await router.recordDispute({ transactionId: sale.transactionId, disputeId: 'CB-1', reasonCode: '13.2' })).unwrap();
    expect(again).toMatchObject({ created: false, changed: false });
    const h = await byMid(router, 'a');
    expect(h.counts.disputes).toEqual({ count: 1, amount: 1999 });
    expect(h.counts.byBrand.visa.disputes.count).toBe(1);
    expect(h.counts.byCategory).toEqual({ subscription_cancelled: { count: 1, amount: 1999 } });
    expect(h.counts.byReasonCode).toEqual({ '13.2': { count: 1, amount: 1999 } });
    expect(h.visa).toMatchObject({ numerator: 1, denominator: 1, ratio: 1 });
    expect((await router.disputes({ mid: 'a' })).map((d) => d.gatewayDisputeId)).toEqual(['CB-1']);
  });

  it('counts a fraud report once; it adds to the Visa-style numerator, not to the disputes', async () => {
    const { router } = setup();
    const sale = (await router.sale(saleRequest())).unwrap();
    const fr = { transactionId: sale.transactionId, disputeId: 'TC40-9', kind: 'fraud_report' as const, reasonCode: '10.4' };
    expect((await router.recordDispute(fr)).unwrap()).toMatchObject({ kind: 'fraud_report', created: true });
    expect((await router.recordDispute(fr)).unwrap()).toMatchObject({ kind: 'fraud_report', created: false, changed: false });
    (await router.recordDispute({ transactionId: sale.transactionId, disputeId: 'CB-9', reasonCode: '10.4' })).unwrap();
    const h = await byMid(router, 'a');
    expect(h.counts.fraudReports.count).toBe(1);
    expect(h.counts.disputes.count).toBe(1);
    expect(h.visa.numerator).toBe(2); // one fraudulent sale counted twice, as VAMP does
  });

  it('counts an inquiry only when it becomes a chargeback, in that month', async () => {
    const { router, at } = setup();
    const sale = (await router.sale(saleRequest())).unwrap();
    const r = { transactionId: sale.transactionId, disputeId: 'RR-1' };
    expect((await router.recordDispute({ ...r, status: 'inquiry' })).unwrap().countedIn).toBeUndefined();
    expect((await byMid(router, 'a')).counts.disputes.count).toBe(0);
    at(Date.UTC(2026, 11, 2));
    expect((await router.recordDispute({ ...r, status: 'needs_response' })).unwrap().countedIn).toBe('2026-12');
    await router.recordDispute({ ...r, status: 'under_review' });
    const dec = await router.midHealth('a');
    expect(dec.month).toBe('2026-12');
    expect(dec.mids[0]!.counts.disputes.count).toBe(1);
    expect(dec.mids[0]!.previous.disputes.count).toBe(0);
  });

  it('follows the life of a dispute: lost charges the transaction back, refunds are refused, a reversal restores it', async () => {
    const { router } = setup();
    const sale = (await router.sale(saleRequest({ amount: 5000 }))).unwrap();
    (await router.refund(sale.transactionId, { amount: 1000 })).unwrap();
    const r = { transactionId: sale.transactionId, disputeId: 'CB-7' };
    const events: string[] = [];
    for (const e of ['dispute:opened', 'dispute:updated', 'dispute:won', 'dispute:lost'] as const)
      router.on(e, (p) => events.push(`${e}:${p.dispute.status}`));
    await router.recordDispute({ ...r, dueBy: Date.UTC(2026, 10, 30) });
    await router.recordDispute({ ...r, status: 'under_review' });
    const lost = (await router.recordDispute({ ...r, status: 'lost' })).unwrap();
    expect(lost.dispute).toMatchObject({ status: 'lost', dueBy: Date.UTC(2026, 10, 30) });
    expect(lost.dispute?.closedAt).toBeDefined();
    expect((await router.transaction(sale.transactionId))?.status).toBe('charged_back');
    const refund = await router.refund(sale.transactionId, { amount: 100 });
    expect(refund.isErr() && refund.error.kind).toBe('rejected');
    (await router.recordDispute({ ...r, status: 'won' })).unwrap();
    expect((await router.transaction(sale.transactionId))?.status).toBe('partially_refunded');
    expect(events).toEqual(['dispute:opened:needs_response', 'dispute:updated:under_review', 'dispute:lost:lost', 'dispute:won:won']);
    expect((await byMid(router, 'a')).counts.disputes.count).toBe(1);
    expect((await router.disputes({ status: 'won' })).length).toBe(1);
  });

  it('an accepted dispute is decided for the cardholder too', async () => {
    const { router } = setup();
    const sale = (await router.sale(saleRequest())).unwrap();
    await router.recordDispute({ transactionId: sale.transactionId, disputeId: 'CB-8', status: 'accepted' });
    expect((await router.transaction(sale.transactionId))?.status).toBe('charged_back');
  });

  it('refuses bad input naming the field, before anything is written', async () => {
    const { router } = setup();
    const sale = (await router.sale(saleRequest())).unwrap();
    const ok = { transactionId: sale.transactionId, disputeId: 'CB-1' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...ok, transactionId: '' }, 'transactionId'],
      [{ ...ok, disputeId: 42 }, 'disputeId'],
      [{ ...ok, amount: -5 }, 'amount'],
      [{ ...ok, amount: 1.5 }, 'amount'],
      [{ ...ok, reasonCode: '<script>' }, 'reasonCode'],
      [{ ...ok, category: 'angry' }, 'category'],
      [{ ...ok, kind: 'chargeback' }, 'kind'],
      [{ ...ok, at: 'yesterday' }, 'at'],
      [{ ...ok, status: 'closed' }, 'status'],
      [{ ...ok, kind: 'fraud_report', status: 'lost' }, 'status'],
      [{ ...ok, transactionId: 'tx_nope' }, 'transactionId'],
    ];
    for (const [input, field] of cases) {
      const r = await router.recordDispute(input as never);
      expect(r.isErr() && r.error.kind === 'rejected' && r.error.field, JSON.stringify(input)).toBe(field);
    }
    expect(await router.disputes()).toEqual([]);
    expect((await byMid(router, 'a')).counts.disputes.count).toBe(0);
  });

  it('refuses any non-string id, and any amount that is not a positive integer (property)', async () => {
    const { router } = setup();
    const sale = (await router.sale(saleRequest())).unwrap();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ max: 0 }), fc.double({ noInteger: true }), fc.string(), fc.constant(null)), async (amount) => {
        const r = await router.recordDispute({ transactionId: sale.transactionId, disputeId: 'CB-p', amount } as never);
        expect(r.isErr() && r.error.kind === 'rejected' && r.error.field).toBe('amount');
      }),
      { numRuns: 60 },
    );
    expect(await router.disputes()).toEqual([]);
  });
});

describe('midHealth', () => {
  it('adds up the MIDs of each merchant entity; MIDs naming none form one entity', async () => {
    const { router, adapters } = setup({ a: { entity: 'acme-llc' }, b: { entity: 'acme-llc' } });
    // a takes the sales until it is disabled, then b, then c.
    const sales = [];
    for (let i = 0; i < 4; i++) sales.push((await router.sale(saleRequest({ amount: 1000 }))).unwrap());
    router.setMidEnabled('a', false);
    for (let i = 0; i < 6; i++) sales.push((await router.sale(saleRequest({ amount: 1000 }))).unwrap());
    router.setMidEnabled('b', false);
    sales.push((await router.sale(saleRequest({ amount: 1000 }))).unwrap());
    expect(sales.map((s) => s.mid).join('')).toBe('aaaabbbbbbc');
    expect(adapters.c.calls.sale).toBe(1);
    await router.recordDispute({ transactionId: sales[0]!.transactionId, disputeId: 'd1' });
    await router.recordDispute({ transactionId: sales[5]!.transactionId, disputeId: 'd2' });
    const all = await router.midHealth();
    expect(all.mids.map((m) => [m.mid, m.entity, m.visa.ratio])).toEqual([
      ['a', 'acme-llc', 0.25],
      ['b', 'acme-llc', 1 / 6],
      ['c', 'default', 0],
    ]);
    const acme = all.entities.find((e) => e.entity === 'acme-llc')!;
    expect(acme.mids).toEqual(['a', 'b']);
    expect(acme.visa).toMatchObject({
      numerator: 2,
      denominator: 10,
      ratio: 0.2,
      threshold: 0.015,
      minimumCount: 1500,
      meetsMinimum: false,
    });
    const one = await router.midHealth('b');
    expect(one.mids.map((m) => m.mid)).toEqual(['b']);
    expect(one.entities.map((e) => [e.entity, e.visa.numerator])).toEqual([['acme-llc', 2]]);
    expect(() => router.midHealth('zz')).toThrow(/midId/);
  });

  it('projects the month’s end at its pace (Mastercard over last month’s sales)', async () => {
    const { router, at } = setup();
    at(Date.UTC(2026, 9, 20));
    const oct = [];
    for (let i = 0; i < 4; i++) oct.push((await router.sale(saleRequest({ number: CARDS.mastercard }))).unwrap());
    at(Date.UTC(2026, 10, 16)); // half of November
    await router.recordDispute({ transactionId: oct[0]!.transactionId, disputeId: 'mc1' });
    const h = await byMid(router, 'a');
    expect(h.mastercard).toMatchObject({ numerator: 1, denominator: 4, ratio: 0.25 });
    expect(h.projected.elapsed).toBe(0.5);
    expect(h.projected.mastercard).toMatchObject({ numerator: 2, denominator: 4, ratio: 0.5 });
  });
});
