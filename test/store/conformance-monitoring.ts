/**
 * Store conformance for chargeback monitoring: monthly counters add up (created at zero, never
 * lost between concurrent writes), an entry is recorded exactly once and a refused write (entry
 * taken, or any other condition) adds nothing; entries by kind, MID and month; transactions by card.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MonitorEntry, Store } from '../../src/store/types';
import { txRecord } from './conformance';

const T0 = Date.UTC(2026, 10, 21, 12);

function entry(over: Partial<MonitorEntry> = {}): MonitorEntry {
  return {
    id: 'alert:a1',
    kind: 'alert',
    mid: 'mid-a',
    month: '2026-11',
    at: T0,
    transactionId: 'tx_1',
    data: { outcome: 'refunded' },
    ...over,
  };
}

/** Run the monitoring part of the Store conformance suite on a store factory. */
export function runMonitoringConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store conformance (chargeback monitoring): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('adds counts per MID, month and metric, starting at zero', async () => {
      expect(await store.monthCounts(['2026-11'])).toEqual([]);
      const c = { mid: 'mid-a', month: '2026-11', metric: 'sales', count: 1, amount: 1999 };
      expect(await store.write({ monitor: { counts: [c, { ...c, metric: 'sales.visa' }] } })).toEqual({ ok: true });
      await store.write({ monitor: { counts: [c, { ...c, mid: 'mid-b' }, { ...c, month: '2026-10' }] } });
      await store.write({
        monitor: {
          counts: [
            { ...c, count: -1, amount: -1999 },
            { ...c, amount: 500 },
          ],
        },
      });
      const nov = await store.monthCounts(['2026-11']);
      const find = (mid: string, metric: string, rows = nov) => rows.find((r) => r.mid === mid && r.metric === metric);
      expect(find('mid-a', 'sales')).toEqual({
        mid: 'mid-a',
        month: '2026-11',
        metric: 'sales',
        count: 2,
        amount: 1999 + 1999 - 1999 + 500,
      });
      expect(find('mid-a', 'sales.visa')?.count).toBe(1);
      expect(find('mid-b', 'sales')?.count).toBe(1);
      expect(nov.every((r) => r.month === '2026-11')).toBe(true);
      const both = await store.monthCounts(['2026-10', '2026-11'], ['mid-a']);
      expect(both.map((r) => `${r.month}/${r.metric}:${r.count}`).sort()).toEqual([
        '2026-10/sales:1',
        '2026-11/sales.visa:1',
        '2026-11/sales:2',
      ]);
    });

    it('records an entry once: the same id again refuses the whole write, counts included', async () => {
      const count = { mid: 'mid-a', month: '2026-11', metric: 'prevented', count: 1, amount: 1999 };
      expect(await store.write({ monitor: { entry: entry(), counts: [count] } })).toEqual({ ok: true });
      expect(await store.write({ monitor: { entry: entry({ data: { outcome: 'other' } }), counts: [count] } })).toEqual({
        ok: false,
        conflict: 'monitor',
      });
      expect(await store.getMonitorEntry('alert:a1')).toEqual(entry());
      expect((await store.monthCounts(['2026-11']))[0]).toMatchObject({ metric: 'prevented', count: 1 });
    });

    it('adds nothing when another part of the write is refused', async () => {
      const count = { mid: 'mid-a', month: '2026-11', metric: 'disputes', count: 1, amount: 100 };
      const r = await store.write({
        transaction: { id: 'tx_missing', from: ['captured'], patch: {} },
        monitor: { counts: [count], entry: entry() },
      });
      expect(r.ok).toBe(false);
      expect(await store.monthCounts(['2026-11'])).toEqual([]);
      expect(await store.getMonitorEntry('alert:a1')).toBeUndefined();
    });

    it('lists entries by kind, MID and month, oldest first', async () => {
      await store.write({ monitor: { entry: entry({ id: 'w2', kind: 'warning', at: T0 + 2 }) } });
      await store.write({ monitor: { entry: entry({ id: 'w1', kind: 'warning', at: T0 + 1 }) } });
      await store.write({ monitor: { entry: entry({ id: 'p1', kind: 'pause', mid: 'mid-b' }) } });
      await store.write({ monitor: { entry: entry({ id: 'w0', kind: 'warning', month: '2026-10' }) } });
      expect((await store.listMonitorEntries({ kind: 'warning', month: '2026-11' })).map((e) => e.id)).toEqual(['w1', 'w2']);
      expect((await store.listMonitorEntries({ mid: 'mid-b' })).map((e) => e.id)).toEqual(['p1']);
      expect((await store.listMonitorEntries({})).length).toBe(4);
    });

    it('finds the transactions of a card in a time window', async () => {
      const card = { bin: '411111', last4: '1111', fingerprint: 'fp' };
      const a = txRecord({ id: 'tx_c1', card, createdAt: T0 });
      const b = txRecord({ id: 'tx_c2', card, createdAt: T0 + 3_600_000 });
      const other = txRecord({ id: 'tx_c3', card: { ...card, last4: '2222' }, createdAt: T0 });
      const late = txRecord({ id: 'tx_c4', card, createdAt: T0 + 86_400_000 });
      for (const t of [b, a, other, late]) await store.write({ insertTransaction: t });
      const found = await store.findCardTransactions({ bin: '411111', last4: '1111', from: T0, to: T0 + 86_400_000 });
      expect(found.map((t) => t.id)).toEqual(['tx_c1', 'tx_c2']);
      expect(found[0]).toMatchObject({ amount: a.amount, status: a.status, card });
    });

    it('keeps every increment of concurrent writes', async () => {
      const c = { mid: 'mid-a', month: '2026-11', metric: 'disputes', count: 1, amount: 10 };
      await Promise.all(Array.from({ length: 40 }, () => store.write({ monitor: { counts: [c] } })));
      expect((await store.monthCounts(['2026-11']))[0]).toMatchObject({ count: 40, amount: 400 });
    });
  });
}
