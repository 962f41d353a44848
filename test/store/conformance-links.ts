/**
 * Store conformance for payment links: link state kept per invoice under an optimistic revision
 * (one writer wins a race, the loser writes nothing), and attempt counters that refuse past their
 * limit, all or none, atomically with the rest of a write. Run against every store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptCounter, PaymentLinkRecord, Store } from '../../src/store/types';
import { txRecord } from './conformance';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 2, 1);

function link(over: Partial<PaymentLinkRecord> = {}): PaymentLinkRecord {
  return {
    invoiceId: 'INV-1',
    version: 1,
    status: 'open',
    expiresAt: T0 + 72 * HOUR,
    attempts: 0,
    revision: 1,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}
const counter = (key: string, limit: number, windowEnd = T0 + HOUR): AttemptCounter => ({ key, limit, windowEnd });

/** The payment-link part of the store contract. */
export function runLinksConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: payment links`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('inserts a link once, then replaces it only from the revision the writer read', async () => {
      expect(await store.getLink('INV-1')).toBeUndefined();
      expect(await store.write({ link: { record: link(), expectRevision: 0 } })).toEqual({ ok: true });
      expect(await store.getLink('INV-1')).toEqual(link());
      // A second insert (another server creating the same invoice's first link) is refused.
      expect(await store.write({ link: { record: link({ version: 9 }), expectRevision: 0 } })).toMatchObject({
        ok: false,
        conflict: 'state',
        on: 'link',
        status: 'open',
      });
      const v2 = link({ version: 2, revision: 2, expiresAt: T0 + 100 * HOUR, updatedAt: T0 + 5 });
      expect(await store.write({ link: { record: v2, expectRevision: 1 } })).toEqual({ ok: true });
      // A writer that read revision 1 loses: nothing changes.
      expect(await store.write({ link: { record: link({ status: 'paid', revision: 2 }), expectRevision: 1 } })).toMatchObject({
        ok: false,
        conflict: 'state',
        on: 'link',
      });
      expect(await store.getLink('INV-1')).toEqual(v2);
      expect(await store.write({ link: { record: link({ invoiceId: 'INV-404', revision: 2 }), expectRevision: 1 } })).toMatchObject({
        ok: false,
        conflict: 'state',
        on: 'link',
      });
      expect(await store.getLink('INV-404')).toBeUndefined();
    });

    it('keeps every field of a paid link, and removes fields a new record leaves out', async () => {
      const pending = link({ attempts: 1, pendingKey: 'link:INV-1:1:1', revision: 1 });
      await store.write({ link: { record: pending, expectRevision: 0 } });
      expect((await store.getLink('INV-1'))?.pendingKey).toBe('link:INV-1:1:1');
      const paid = link({
        status: 'paid',
        attempts: 1,
        transactionId: 'tx_1',
        paidAt: T0 + 9,
        paidBy: 'card',
        revision: 2,
        updatedAt: T0 + 9,
      });
      await store.write({ link: { record: paid, expectRevision: 1 } });
      const got = await store.getLink('INV-1');
      expect(got).toEqual(paid);
      expect(got && 'pendingKey' in got).toBe(false);
    });

    it('a refused link write leaves the rest of the write unapplied, and the reverse', async () => {
      await store.write({ link: { record: link(), expectRevision: 0 } });
      const tx = txRecord({ id: 'tx_link_1' });
      expect(await store.write({ insertTransaction: tx, link: { record: link({ revision: 5 }), expectRevision: 4 } })).toMatchObject({
        ok: false,
        conflict: 'state',
      });
      expect(await store.getTransaction('tx_link_1')).toBeUndefined();
      // A link write with a counter at its limit applies neither.
      await store.write({ countAttempt: { counters: [counter('ip:a', 1)], now: T0 } });
      expect(
        await store.write({
          link: { record: link({ attempts: 1, revision: 2 }), expectRevision: 1 },
          countAttempt: { counters: [counter('ip:a', 1)], now: T0 },
        }),
      ).toEqual({ ok: false, conflict: 'rate' });
      expect((await store.getLink('INV-1'))?.revision).toBe(1);
    });

    it('counts attempts up to each limit, all counters or none', async () => {
      const both = [counter('link:INV-1:h1', 3), counter('ip:203.0.113.9:h1', 2)];
      expect(await store.write({ countAttempt: { counters: both, now: T0 } })).toEqual({ ok: true });
      expect(await store.write({ countAttempt: { counters: both, now: T0 + 1 } })).toEqual({ ok: true });
      expect(await store.attemptCounts(['link:INV-1:h1', 'ip:203.0.113.9:h1', 'never'], T0 + 2)).toEqual([2, 2, 0]);
      // The IP counter is full: the link counter is not raised either.
      expect(await store.write({ countAttempt: { counters: both, now: T0 + 2 } })).toEqual({ ok: false, conflict: 'rate' });
      expect(await store.attemptCounts(['link:INV-1:h1', 'ip:203.0.113.9:h1'], T0 + 3)).toEqual([2, 2]);
      // Another IP on the same link still has one attempt left.
      expect(
        await store.write({ countAttempt: { counters: [counter('link:INV-1:h1', 3), counter('ip:198.51.100.7:h1', 2)], now: T0 + 3 } }),
      ).toEqual({
        ok: true,
      });
      expect(await store.write({ countAttempt: { counters: [counter('link:INV-1:h1', 3)], now: T0 + 4 } })).toEqual({
        ok: false,
        conflict: 'rate',
      });
    });

    it('forgets a counter once its window has ended', async () => {
      await store.write({ countAttempt: { counters: [counter('ip:x:h1', 1, T0 + HOUR)], now: T0 } });
      expect(await store.write({ countAttempt: { counters: [counter('ip:x:h1', 1, T0 + HOUR)], now: T0 + 10 } })).toEqual({
        ok: false,
        conflict: 'rate',
      });
      expect(await store.attemptCounts(['ip:x:h1'], T0 + HOUR)).toEqual([0]);
      expect(await store.write({ countAttempt: { counters: [counter('ip:x:h1', 1, T0 + 2 * HOUR)], now: T0 + HOUR } })).toEqual({
        ok: true,
      });
      expect(await store.attemptCounts(['ip:x:h1'], T0 + HOUR + 1)).toEqual([1]);
    });

    it('lets exactly one of many concurrent writers move a link from one revision', async () => {
      await store.write({ link: { record: link(), expectRevision: 0 } });
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.write({ link: { record: link({ attempts: 1, pendingKey: `k${i}`, revision: 2 }), expectRevision: 1 } }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const winner = results.findIndex((r) => r.ok);
      expect((await store.getLink('INV-1'))?.pendingKey).toBe(`k${winner}`);
    });

    it('lets no more than the limit through when attempts are counted concurrently', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.write({ countAttempt: { counters: [counter('link:INV-2:h1', 4)], now: T0 } })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(4);
      expect(await store.attemptCounts(['link:INV-2:h1'], T0)).toEqual([4]);
    });
  });
}
