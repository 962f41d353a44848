/**
 * Store conformance for success-rate routing: approval windows counted with a settlement write
 * (once, atomically, with the window arithmetic of `approval-window.ts`) and read back in one
 * batched read. Run against memory, SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WindowCounts, withOutcome } from '../../src/store/approval-window';
import type { ApprovalOutcome, Store } from '../../src/store/types';
import { attemptRecord, txRecord } from './conformance';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 21, 12);
const WINDOW = { outcomes: 200, maxAgeMs: 72 * HOUR };

const outcome = (over: Partial<ApprovalOutcome> = {}): ApprovalOutcome => ({
  mid: 'mid-a',
  segments: ['brand=visa|cardType=debit', 'brand=visa', '*'],
  approved: true,
  at: T0,
  window: WINDOW,
  ...over,
});

/** Store conformance of the approval windows. */
export function runSuccessRateConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: approval windows`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const read = async (mid: string, segment: string) => (await store.approvalWindows([{ mid, segment }]))[0];

    it('reads nothing for pairs never counted, and an empty batch', async () => {
      expect(await store.approvalWindows([])).toEqual([]);
      expect(await store.approvalWindows([{ mid: 'mid-a', segment: '*' }])).toEqual([]);
    });

    it('counts one outcome in every segment of the write, read back in one batch', async () => {
      expect((await store.write({ approvalOutcome: outcome() })).ok).toBe(true);
      const rows = await store.approvalWindows([
        { mid: 'mid-a', segment: '*' },
        { mid: 'mid-a', segment: 'brand=visa' },
        { mid: 'mid-a', segment: 'brand=visa|cardType=debit' },
        { mid: 'mid-b', segment: '*' },
        { mid: 'mid-a', segment: 'brand=mastercard' },
      ]);
      expect(rows.map((r) => r.segment).sort()).toEqual(['*', 'brand=visa', 'brand=visa|cardType=debit']);
      for (const r of rows) expect(r).toEqual({ mid: 'mid-a', segment: r.segment, approved: 1, total: 1, at: T0 });
    });

    it('discounts older outcomes per outcome and with age, as the reference arithmetic does', async () => {
      // Approvals and declines at growing gaps, one late outcome (reconciliation), and a restart after maxAge.
      const steps: Array<[boolean, number]> = [
        [true, 0],
        [false, 1_000],
        [true, HOUR],
        [true, 5 * HOUR],
        [false, 4 * HOUR], // late: older than the newest
        [false, 30 * HOUR],
        [true, 30 * HOUR],
        [true, 30 * HOUR - 80 * HOUR], // older than maxAge before the newest: ignored
        [false, 31 * HOUR],
      ];
      let ref: WindowCounts | undefined;
      for (const [approved, dt] of steps) {
        ref = withOutcome(ref, approved, T0 + dt, WINDOW);
        expect((await store.write({ approvalOutcome: outcome({ approved, at: T0 + dt, segments: ['*'] }) })).ok).toBe(true);
      }
      const got = await read('mid-a', '*');
      expect(got.approved).toBeCloseTo(ref!.approved, 9);
      expect(got.total).toBeCloseTo(ref!.total, 9);
      expect(got.at).toBe(ref!.at);
      // A newest outcome more than maxAge later starts the window again.
      await store.write({ approvalOutcome: outcome({ approved: false, at: T0 + 200 * HOUR, segments: ['*'] }) });
      expect(await read('mid-a', '*')).toEqual({ mid: 'mid-a', segment: '*', approved: 0, total: 1, at: T0 + 200 * HOUR });
    });

    it('keeps MIDs and segments apart', async () => {
      await store.write({ approvalOutcome: outcome({ mid: 'mid-a', segments: ['brand=visa'], approved: true }) });
      await store.write({ approvalOutcome: outcome({ mid: 'mid-b', segments: ['brand=visa'], approved: false }) });
      await store.write({ approvalOutcome: outcome({ mid: 'mid-a', segments: ['brand=mastercard'], approved: false }) });
      expect((await read('mid-a', 'brand=visa')).approved).toBe(1);
      expect((await read('mid-b', 'brand=visa')).approved).toBe(0);
      expect((await read('mid-a', 'brand=mastercard')).total).toBe(1);
    });

    it('counts with the settlement or not at all: a refused settlement adds nothing', async () => {
      const tx = txRecord();
      const at = attemptRecord(tx.id);
      expect((await store.write({ insertTransaction: tx, insertAttempt: at })).ok).toBe(true);
      const settle = () =>
        store.write({
          attempt: { id: at.id, from: ['pending'], patch: { status: 'approved', settledAt: T0 } },
          transaction: { id: tx.id, from: ['pending'], patch: { status: 'captured', updatedAt: T0 }, add: { captured: tx.amount } },
          approvalOutcome: outcome({ segments: ['*'] }),
        });
      expect((await settle()).ok).toBe(true);
      // The same outcome settled again (a second server reconciling it): refused, not counted twice.
      const again = await settle();
      expect(again).toMatchObject({ ok: false, conflict: 'state', on: 'attempt' });
      expect((await read('mid-a', '*')).total).toBe(1);
    });

    it('loses no outcome when servers count on the same window at once', async () => {
      const n = 40;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          store.write({ approvalOutcome: outcome({ segments: ['*', 'brand=visa'], approved: i % 2 === 0 }) }),
        ),
      );
      // Same time for all: the total is the discounted sum of n outcomes whatever their order.
      const g = 1 - 1 / WINDOW.outcomes;
      const total = (1 - g ** n) / (1 - g);
      expect((await read('mid-a', '*')).total).toBeCloseTo(total, 9);
      expect((await read('mid-a', 'brand=visa')).total).toBeCloseTo(total, 9);
    });

    it('never underflows: a long run of declines ends at zero approvals, and writes still apply', async () => {
      // Each step keeps 0.5 × e^-0.999 of the counts: without the floor, PostgreSQL's float8 product underflows (an error) near step 420.
      const small = { outcomes: 2, maxAgeMs: 1_000 };
      let ref = withOutcome(undefined, true, T0, small);
      await store.write({ approvalOutcome: outcome({ segments: ['*'], window: small, approved: true }) });
      for (let i = 1; i <= 450; i++) {
        ref = withOutcome(ref, false, T0 + 999 * i, small);
        const w = await store.write({ approvalOutcome: outcome({ segments: ['*'], window: small, approved: false, at: T0 + 999 * i }) });
        expect(w.ok).toBe(true);
      }
      const got = await read('mid-a', '*');
      expect(got.approved).toBe(0);
      expect(got.total).toBeCloseTo(ref.total, 9);
    });
  });
}
