/**
 * Store conformance for support search (issue 19): the order's facts and routing decision kept
 * on a transaction, every search field, combinations, time windows, newest-first order with
 * ties, pagination without gaps or repeats, fields changed by later writes, and attempt counts
 * per MID. Run against every store.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RoutingDecision, Store, TransactionRecord, TransactionSearch } from '../../src/store/types';
import { utcDay } from '../../src/store/search';
import { attemptRecord, txRecord } from './conformance';

const T0 = Date.UTC(2026, 10, 21, 12);
const DAY = 86_400_000;
const MIN = 60_000;

/** A routing decision as the router records it. */
export const ROUTING: RoutingDecision = {
  source: 'rule',
  rule: { name: 'eu-cards', index: 2 },
  filters: ['no-prepaid-on-b'],
  pools: ['eu', 'fallback'],
  candidates: [
    { mid: 'mid-a', pool: 'eu', strategy: 'weighted', score: 0.7 },
    { mid: 'mid-c', pool: 'fallback', strategy: 'priority' },
  ],
  ineligible: [{ mid: 'mid-b', reasons: [{ code: 'excluded_by_rule', message: 'excluded by rule "no-prepaid-on-b"' }] }],
  draws: [0.123456789, 0.5],
  skipped: [{ mid: 'mid-a', reason: 'cap reached', at: T0 }],
};

/** Ten transactions over an hour: two customers, three cards, two MIDs, mixed states and operations; two share a timestamp. */
function ledger(): TransactionRecord[] {
  const card = (bin: string, last4: string) => ({ bin, last4, brand: 'visa', fingerprint: `fp_${last4}` });
  const rows: Array<Partial<TransactionRecord>> = [
    { orderId: 'A-1', customer: { id: 'c1', email: 'ada@example.com' }, card: card('411111', '1111'), mid: 'mid-a', status: 'captured' },
    { orderId: 'A-2', customer: { id: 'c1', email: 'ada@example.com' }, card: card('411111', '1111'), mid: 'mid-b', status: 'declined' },
    { orderId: 'A-2', customer: { id: 'c1', email: 'ada@example.com' }, card: card('555555', '4444'), mid: 'mid-a', status: 'captured' },
    { orderId: 'B-1', customer: { id: 'c2', email: 'bob@example.com' }, card: card('555555', '4444'), mid: 'mid-b', status: 'authorized' },
    {
      operation: 'rebill',
      subscriptionId: 'sub-1',
      customer: { id: 'c2' },
      card: card('555555', '4444'),
      mid: 'mid-b',
      status: 'captured',
    },
    {
      operation: 'rebill',
      subscriptionId: 'sub-1',
      customer: { id: 'c2' },
      card: card('555555', '4444'),
      mid: 'mid-b',
      status: 'declined',
    },
    { orderId: 'B-2', customer: { email: 'bob@example.com' }, card: card('400000', '0002'), status: 'pending' },
    { orderId: 'B-3', operation: 'verify', card: card('400000', '0002'), mid: 'mid-a', status: 'verified' },
    { orderId: 'C-1', card: card('411111', '1111'), mid: 'mid-a', status: 'failed' },
    { card: card('411111', '1111'), mid: 'mid-a', status: 'captured', subscriptionId: 'sub-2', subscription: { id: 'sub-2' } },
  ];
  return rows.map((over, i) =>
    txRecord({
      id: `tx_${String.fromCharCode(97 + i)}${i}`,
      // Rows 2 and 3 share a creation time: ties are ordered by id, descending.
      createdAt: T0 + (i === 3 ? 2 : i) * MIN,
      updatedAt: T0 + i * MIN,
      idempotencyKey: `key-${i}`,
      ...over,
    }),
  );
}

/** The expected answer: the ledger filtered by `keep`, newest first, ties by id descending. */
const expected = (rows: TransactionRecord[], keep: (t: TransactionRecord) => boolean, limit = 100) =>
  rows
    .filter(keep)
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
    .slice(0, limit)
    .map((t) => t.id);

/**
 * Run the search conformance suite on a store factory (fresh, empty store per test).
 * @example
 * runSearchConformance('memoryStore', async () => memoryStore());
 */
export function runSearchConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store search conformance: ${name}`, () => {
    let store: Store;
    let rows: TransactionRecord[];
    beforeEach(async () => {
      store = await makeStore();
      rows = ledger();
      for (const t of rows) expect(await store.write({ insertTransaction: t })).toEqual({ ok: true });
    });
    afterEach(async () => {
      await store.close();
    });
    const ids = async (q: Omit<TransactionSearch, 'limit'> & { limit?: number }) =>
      (await store.searchTransactions({ limit: 100, ...q })).map((t) => t.id);

    it('keeps the order facts and the routing decision of a transaction, as written', async () => {
      const t = txRecord({
        orderId: 'ORD-1001',
        customer: { id: 'cust-9', email: 'ada@example.com', country: 'GB', ip: '203.0.113.9' },
        tags: ['trial', 'vip'],
        metadata: { campaign: 'spring', note: 'a "quoted" <value>' },
        routing: ROUTING,
      });
      await store.write({ insertTransaction: t });
      expect(await store.getTransaction(t.id)).toEqual(t);
      expect(await store.searchTransactions({ orderId: 'ORD-1001', limit: 10 })).toEqual([t]);
    });

    it.each([
      ['orderId', 'A-2', (t: TransactionRecord) => t.orderId === 'A-2'],
      ['customerId', 'c2', (t: TransactionRecord) => t.customer?.id === 'c2'],
      ['email', 'bob@example.com', (t: TransactionRecord) => t.customer?.email === 'bob@example.com'],
      ['last4', '4444', (t: TransactionRecord) => t.card?.last4 === '4444'],
      ['bin', '411111', (t: TransactionRecord) => t.card?.bin === '411111'],
      ['mid', 'mid-b', (t: TransactionRecord) => t.mid === 'mid-b'],
      ['status', 'captured', (t: TransactionRecord) => t.status === 'captured'],
      ['operation', 'rebill', (t: TransactionRecord) => t.operation === 'rebill'],
      ['subscriptionId', 'sub-1', (t: TransactionRecord) => t.subscriptionId === 'sub-1'],
    ] as const)('finds by %s, newest first', async (field, value, keep) => {
      const want = expected(rows, keep);
      expect(want.length).toBeGreaterThan(1);
      expect(await ids({ [field]: value })).toEqual(want);
      expect(await ids({ [field]: `${value}-none` })).toEqual([]);
    });

    it('returns whole records, everything newest first without a filter, ties by id descending', async () => {
      const all = await store.searchTransactions({ limit: 100 });
      expect(all.map((t) => t.id)).toEqual(expected(rows, () => true));
      expect(all.find((t) => t.id === rows[0].id)).toEqual(rows[0]);
      // Rows 2 and 3 were created at the same time.
      const tied = all.map((t) => t.id).filter((id) => id === rows[2].id || id === rows[3].id);
      expect(tied).toEqual([rows[3].id, rows[2].id]);
    });

    it('combines fields (all must match) and a time window [from, to)', async () => {
      expect(await ids({ email: 'ada@example.com', status: 'captured' })).toEqual(
        expected(rows, (t) => t.customer?.email === 'ada@example.com' && t.status === 'captured'),
      );
      expect(await ids({ last4: '1111', mid: 'mid-a', operation: 'sale' })).toEqual(
        expected(rows, (t) => t.card?.last4 === '1111' && t.mid === 'mid-a' && t.operation === 'sale'),
      );
      expect(await ids({ status: 'declined', mid: 'mid-b', subscriptionId: 'sub-1' })).toEqual([rows[5].id]);
      const from = T0 + 3 * MIN;
      const to = T0 + 8 * MIN;
      expect(await ids({ from, to })).toEqual(expected(rows, (t) => t.createdAt >= from && t.createdAt < to));
      expect(await ids({ last4: '4444', from, to })).toEqual(
        expected(rows, (t) => t.card?.last4 === '4444' && t.createdAt >= from && t.createdAt < to),
      );
      expect(await ids({ from: T0 + 2 * MIN, to: T0 + 2 * MIN + 1 })).toEqual([rows[3].id, rows[2].id]);
    });

    it('pages through with `after` and `limit`: every match once, in order, through ties', async () => {
      for (const q of [{}, { mid: 'mid-a' }, { last4: '4444' }, { status: 'captured' as const }]) {
        const want = await ids(q);
        const seen: string[] = [];
        let after: TransactionSearch['after'];
        for (let page = 0; page < 20; page++) {
          const got = await store.searchTransactions({ ...q, limit: 2, ...(after && { after }) });
          expect(got.length).toBeLessThanOrEqual(2);
          if (got.length === 0) break;
          seen.push(...got.map((t) => t.id));
          const last = got.at(-1)!;
          after = { createdAt: last.createdAt, id: last.id };
        }
        expect(seen, JSON.stringify(q)).toEqual(want);
      }
      expect(await ids({ limit: 3 })).toHaveLength(3);
    });

    it('searches the values later writes gave (MID on settlement, status changes)', async () => {
      const t = rows[6];
      expect(await ids({ mid: 'mid-z' })).toEqual([]);
      await store.write({
        transaction: { id: t.id, from: ['pending'], patch: { status: 'captured', mid: 'mid-z', updatedAt: T0 + 99 * MIN } },
      });
      expect(await ids({ mid: 'mid-z' })).toEqual([t.id]);
      expect(await ids({ status: 'pending' })).toEqual([]);
      expect(await ids({ status: 'captured', orderId: 'B-2' })).toEqual([t.id]);
      // Creation time, not the update time, orders and windows results.
      expect(await ids({ from: t.createdAt, to: t.createdAt + 1 })).toEqual([t.id]);
    });

    it('finds a transaction by every fact a later write set, changed or removed, and no longer by the old value (property)', async () => {
      const t = rows[6];
      const value = fc.constantFrom('x1', 'x2', undefined);
      const patchArb = fc.record(
        {
          orderId: value,
          mid: value,
          subscriptionId: value,
          gatewayTransactionId: value,
          customer: fc.option(fc.record({ id: value, email: fc.constantFrom('p@q.co', 'r@s.co', undefined) }), { nil: undefined }),
          card: fc.constantFrom(undefined, { bin: '222222', last4: '9999', brand: 'mastercard', fingerprint: 'fp_9' }, t.card),
          status: fc.constantFrom('pending' as const, 'captured' as const, 'failed' as const),
        },
        { requiredKeys: [] },
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(patchArb, { minLength: 1, maxLength: 5 }), async (patches) => {
          let current: TransactionRecord = { ...t, id: `tx_prop${run++}` };
          expect(await store.write({ insertTransaction: current })).toEqual({ ok: true });
          for (const patch of patches) {
            expect(await store.write({ transaction: { id: current.id, from: [current.status], patch } })).toEqual({ ok: true });
            current = { ...current, ...patch };
            for (const k of Object.keys(patch) as Array<keyof typeof patch>) if (patch[k] === undefined) delete current[k];
          }
          expect(await store.getTransaction(current.id)).toEqual(current);
          const finds = async (q: Omit<TransactionSearch, 'limit'>) => (await ids(q)).includes(current.id);
          for (const [field, v] of [
            ['orderId', current.orderId],
            ['mid', current.mid],
            ['subscriptionId', current.subscriptionId],
            ['customerId', current.customer?.id],
            ['email', current.customer?.email],
            ['last4', current.card?.last4],
            ['bin', current.card?.bin],
          ] as const) {
            if (v !== undefined) expect(await finds({ [field]: v }), `${field} = ${v}`).toBe(true);
            for (const other of ['x1', 'x2', 'p@q.co', 'r@s.co', '9999', '222222'].filter((o) => o !== v))
              expect(await finds({ [field]: other }), `${field} = ${other} (now ${v})`).toBe(false);
          }
          expect(await finds({ status: current.status })).toBe(true);
          if (current.mid && current.gatewayTransactionId) {
            const found = await store.findByGatewayReference(current.mid, { gatewayTransactionId: current.gatewayTransactionId });
            expect(found?.transaction.id).toBe(current.id);
          }
          // Written for this run only: the next run starts from the ledger of ten.
          await store.write({
            transaction: {
              id: current.id,
              from: [current.status],
              patch: {
                mid: `gone-${run}`,
                gatewayTransactionId: undefined,
                orderId: undefined,
                subscriptionId: undefined,
                customer: undefined,
                card: undefined,
              },
            },
          });
        }),
        { numRuns: 25 },
      );
    });

    it('treats search values as data: quotes, wildcards and SQL are matched literally', async () => {
      const odd = txRecord({ id: 'tx_odd', orderId: "O'Brien%_\\; DROP TABLE transactions;--", createdAt: T0 + 50 * MIN });
      await store.write({ insertTransaction: odd });
      expect(await ids({ orderId: odd.orderId! })).toEqual(['tx_odd']);
      expect(await ids({ orderId: 'O%' })).toEqual([]);
      expect(await ids({ email: "' OR '1'='1" })).toEqual([]);
      expect((await ids({})).length).toBe(rows.length + 1);
    });

    it('counts payment attempts per MID, currency and status over UTC days, follow-ups left out, as statuses change', async () => {
      const t = rows[0];
      const day = utcDay(T0);
      const at = (mid: string, status: 'approved' | 'declined' | 'error' | 'pending', startedAt: number, operation = 'sale' as const) =>
        attemptRecord(t.id, { id: `at_${mid}_${status}_${startedAt}_${operation}`, mid, status, startedAt, operation });
      const list = [
        at('mid-a', 'approved', T0),
        at('mid-a', 'approved', T0 + 1),
        at('mid-a', 'declined', T0 + 2),
        at('mid-b', 'error', T0 + 3),
        at('mid-b', 'approved', T0 + 4),
        at('mid-a', 'approved', T0 - DAY), // the day before
        at('mid-a', 'approved', T0 + DAY), // the day after (excluded)
        attemptRecord(t.id, { id: 'at_refund', mid: 'mid-a', status: 'approved', startedAt: T0 + 5, operation: 'refund' }),
        attemptRecord(t.id, { id: 'at_rebill', mid: 'mid-b', status: 'declined', startedAt: T0 + 6, operation: 'rebill' }),
      ];
      for (const a of list) await store.write({ insertAttempt: a });
      const sorted = async (from: number, to: number) =>
        [...(await store.countAttempts(from, to))].sort((x, y) => (x.mid + x.currency + x.status < y.mid + y.currency + y.status ? -1 : 1));
      expect(await sorted(day, day + 1)).toEqual([
        { mid: 'mid-a', currency: 'USD', status: 'approved', count: 2 },
        { mid: 'mid-a', currency: 'USD', status: 'declined', count: 1 },
        { mid: 'mid-b', currency: 'USD', status: 'approved', count: 1 },
        { mid: 'mid-b', currency: 'USD', status: 'declined', count: 1 },
        { mid: 'mid-b', currency: 'USD', status: 'error', count: 1 },
      ]);
      expect((await sorted(day - 1, day + 1))[0]).toEqual({ mid: 'mid-a', currency: 'USD', status: 'approved', count: 3 });
      // An attempt counts under its status of now: pending, then approved.
      await store.write({
        insertAttempt: attemptRecord(t.id, { id: 'at_eur', mid: 'mid-a', currency: 'EUR', status: 'pending', startedAt: T0 + 7 }),
      });
      expect((await sorted(day, day + 1)).filter((c) => c.currency === 'EUR')).toEqual([
        { mid: 'mid-a', currency: 'EUR', status: 'pending', count: 1 },
      ]);
      const done = await store.write({ attempt: { id: 'at_eur', from: ['pending'], patch: { status: 'approved', settledAt: T0 + 8 } } });
      expect(done.ok).toBe(true);
      expect((await sorted(day, day + 1)).filter((c) => c.currency === 'EUR')).toEqual([
        { mid: 'mid-a', currency: 'EUR', status: 'approved', count: 1 },
      ]);
      // A write refused by its condition counts nothing.
      expect((await store.write({ attempt: { id: 'at_eur', from: ['pending'], patch: { status: 'declined' } } })).ok).toBe(false);
      expect((await sorted(day, day + 1)).filter((c) => c.currency === 'EUR')).toHaveLength(1);
      expect(await store.countAttempts(day + 2, day + 30)).toEqual([]);
    });
  });
}
