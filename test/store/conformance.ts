/**
 * The Store conformance suite: the behaviour the router relies on, run against every store
 * (memory, SQLite, PostgreSQL). A store that passes it can back a router.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AttemptRecord,
  CapReservation,
  DeclineRecord,
  PinRecord,
  Store,
  StoredResult,
  TransactionRecord,
} from '../../src/store/types';

const DAY = 24 * 3_600_000;
const T0 = Date.UTC(2026, 10, 21, 12);

/** A stored card as the router keeps it: BIN, last four, fingerprint; never the PAN. */
export const STORED_CARD = { bin: '411111', last4: '1111', brand: 'visa', fingerprint: 'fp_abc', expMonth: 12, expYear: 2030 };

/** A pending sale transaction; override any field. */
export function txRecord(over: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    id: `tx_${Math.random().toString(36).slice(2)}`,
    operation: 'sale',
    status: 'pending',
    profile: 'default',
    amount: 1999,
    currency: 'USD',
    capturedAmount: 0,
    refundedAmount: 0,
    card: STORED_CARD,
    subscriptionId: undefined,
    idempotencyKey: 'order-1',
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

/** A pending attempt of a transaction; override any field. */
export function attemptRecord(transactionId: string, over: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    id: `at_${Math.random().toString(36).slice(2)}`,
    transactionId,
    operation: 'sale',
    mid: 'mid-a',
    gateway: 'sandbox',
    amount: 1999,
    currency: 'USD',
    status: 'pending',
    startedAt: T0,
    ...over,
  };
}

/** The pin an approved initial sale creates; override any field. */
export function pinRecord(subscriptionId: string, over: Partial<PinRecord> = {}): PinRecord {
  return {
    subscriptionId,
    mid: 'mid-a',
    gateway: 'sandbox',
    transactionId: 'tx_1',
    gatewayTransactionId: 'gw_1',
    networkTransactionId: 'ntid_1',
    gatewayToken: 'tok_1',
    card: STORED_CARD,
    currency: 'USD',
    initialAmount: 100,
    recurringAmount: 2999,
    status: 'active',
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

function declineRecord(at: number, over: Partial<DeclineRecord> = {}): DeclineRecord {
  return {
    fingerprint: 'fp_abc',
    mid: 'mid-a',
    brand: 'visa',
    at,
    reason: 'do_not_honor',
    retry: 'later',
    networkCategory: 2,
    amount: 1999,
    currency: 'USD',
    initiator: 'cit',
    ...over,
  };
}

const monthly = (amountLimit?: number, countLimit?: number): CapReservation => ({
  window: 'monthly',
  key: '2026-11:USD',
  amountLimit,
  countLimit,
});
const daily = (amountLimit?: number, countLimit?: number): CapReservation => ({
  window: 'daily',
  key: '2026-11-21:USD',
  amountLimit,
  countLimit,
});
const keys = (...c: CapReservation[]) => c.map(({ window, key }) => ({ window, key }));

/**
 * Run the Store conformance suite on a store factory. Each test gets a fresh, empty store and
 * closes it afterwards.
 * @example
 * runStoreConformance('memoryStore', async () => memoryStore());
 */
export function runStoreConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    /** An approved sale of `amount`, captured in full unless `captured` says otherwise. */
    async function approved(amount: number, captured = amount): Promise<string> {
      const tx = txRecord({ amount });
      await store.insertTransaction(tx);
      const a = attemptRecord(tx.id, { amount });
      await store.insertAttempt(a);
      expect(
        await store.commit({
          attempt: { id: a.id, patch: { status: 'approved', settledAt: T0 } },
          transaction: { id: tx.id, patch: { status: 'approved', capturedAmount: captured } },
        }),
      ).toBe(true);
      return tx.id;
    }

    describe('caps', () => {
      it('reserves within the amount limit, refuses beyond it, and reports usage', async () => {
        expect(await store.reserveCap('mid-a', [monthly(5_000)], 3_000)).toBe(true);
        expect(await store.reserveCap('mid-a', [monthly(5_000)], 2_000)).toBe(true);
        expect(await store.reserveCap('mid-a', [monthly(5_000)], 1)).toBe(false);
        expect(await store.capUsage('mid-a', keys(monthly()))).toEqual([
          { window: 'monthly', key: '2026-11:USD', amount: 5_000, count: 2 },
        ]);
      });

      it('refuses a single amount larger than an unused cap', async () => {
        expect(await store.reserveCap('mid-a', [monthly(500)], 501)).toBe(false);
        expect(await store.capUsage('mid-a', keys(monthly()))).toEqual([{ window: 'monthly', key: '2026-11:USD', amount: 0, count: 0 }]);
      });

      it('enforces count limits', async () => {
        for (let i = 0; i < 3; i++) expect(await store.reserveCap('mid-a', [daily(undefined, 3)], 100)).toBe(true);
        expect(await store.reserveCap('mid-a', [daily(undefined, 3)], 1)).toBe(false);
        expect((await store.capUsage('mid-a', keys(daily())))[0]).toMatchObject({ amount: 300, count: 3 });
      });

      it('is all or nothing across counters: a full daily cap leaves the monthly counter untouched', async () => {
        expect(await store.reserveCap('mid-a', [daily(1_000), monthly(100_000)], 900)).toBe(true);
        expect(await store.reserveCap('mid-a', [daily(1_000), monthly(100_000)], 200)).toBe(false);
        expect(await store.reserveCap('mid-a', [monthly(100_000), daily(1_000)], 200)).toBe(false);
        expect(await store.capUsage('mid-a', keys(daily(), monthly()))).toEqual([
          { window: 'daily', key: '2026-11-21:USD', amount: 900, count: 1 },
          { window: 'monthly', key: '2026-11:USD', amount: 900, count: 1 },
        ]);
      });

      it('keeps counters apart per MID, window and key, and reports zeros for unused ones', async () => {
        expect(await store.reserveCap('mid-a', [monthly(1_000)], 1_000)).toBe(true);
        expect(await store.reserveCap('mid-b', [monthly(1_000)], 1_000)).toBe(true);
        expect(await store.reserveCap('mid-a', [{ window: 'monthly', key: '2026-12:USD', amountLimit: 1_000 }], 1_000)).toBe(true);
        expect(await store.reserveCap('mid-a', [{ window: 'monthly', key: '2026-11:EUR', amountLimit: 1_000 }], 1_000)).toBe(true);
        expect(await store.capUsage('mid-c', [{ window: 'daily', key: '2026-01-01:USD' }])).toEqual([
          { window: 'daily', key: '2026-01-01:USD', amount: 0, count: 0 },
        ]);
      });

      it('gives a reservation back on release, never below zero', async () => {
        expect(await store.reserveCap('mid-a', [daily(1_000, 10), monthly(1_000)], 1_000)).toBe(true);
        await store.releaseCap('mid-a', keys(daily(), monthly()), 1_000);
        expect(await store.reserveCap('mid-a', [daily(1_000, 10), monthly(1_000)], 1_000)).toBe(true);
        await store.releaseCap('mid-a', keys(daily()), 5_000);
        await store.releaseCap('mid-a', keys(daily()), 5_000);
        expect((await store.capUsage('mid-a', keys(daily())))[0]).toMatchObject({ amount: 0, count: 0 });
        await store.releaseCap('mid-z', keys(daily()), 100); // a counter never used: nothing to give back
        expect((await store.capUsage('mid-z', keys(daily())))[0]).toMatchObject({ amount: 0, count: 0 });
      });

      it('never exceeds a cap under 100 concurrent reservations', async () => {
        const results = await Promise.all(
          Array.from({ length: 100 }, () => store.reserveCap('mid-a', [daily(10_000), monthly(5_000)], 100)),
        );
        expect(results.filter(Boolean)).toHaveLength(50);
        expect(await store.capUsage('mid-a', keys(daily(), monthly()))).toEqual([
          { window: 'daily', key: '2026-11-21:USD', amount: 5_000, count: 50 },
          { window: 'monthly', key: '2026-11:USD', amount: 5_000, count: 50 },
        ]);
      });

      it('never exceeds a count cap under 100 concurrent reservations of mixed amounts', async () => {
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.reserveCap('mid-a', [monthly(undefined, 37)], i + 1)),
        );
        expect(results.filter(Boolean)).toHaveLength(37);
        const reserved = results.reduce((sum, ok, i) => sum + (ok ? i + 1 : 0), 0);
        expect((await store.capUsage('mid-a', keys(monthly())))[0]).toMatchObject({ amount: reserved, count: 37 });
      });
    });

    describe('idempotency', () => {
      const result: StoredResult = {
        ok: true,
        value: {
          transactionId: 'tx_1',
          amount: 1999,
          attempts: [{ mid: 'mid-a', outcome: 'approved' }],
          replayed: false,
          nested: { a: [1, 'b', null] },
        },
      };

      it('claims a new key once; a second claim sees it in progress with the first request hash', async () => {
        expect(await store.claimIdempotencyKey('sale:k1', 'hash-1', T0)).toEqual({ status: 'claimed' });
        expect(await store.claimIdempotencyKey('sale:k1', 'hash-1', T0)).toEqual({ status: 'in_progress', requestHash: 'hash-1' });
        expect(await store.claimIdempotencyKey('sale:k1', 'hash-2', T0)).toEqual({ status: 'in_progress', requestHash: 'hash-1' });
      });

      it('replays the completed result, with the first request hash to detect a conflicting request', async () => {
        await store.claimIdempotencyKey('sale:k1', 'hash-1', T0);
        expect(await store.commit({ idempotency: { key: 'sale:k1', result } })).toBe(true);
        expect(await store.claimIdempotencyKey('sale:k1', 'hash-1', T0 + 1)).toEqual({
          status: 'completed',
          requestHash: 'hash-1',
          result,
        });
        expect(await store.claimIdempotencyKey('sale:k1', 'other', T0 + 1)).toEqual({ status: 'completed', requestHash: 'hash-1', result });
      });

      it('keeps keys apart', async () => {
        await store.claimIdempotencyKey('sale:k1', 'h', T0);
        expect(await store.claimIdempotencyKey('authorize:k1', 'h', T0)).toEqual({ status: 'claimed' });
      });

      it('releases an unfinished claim so the key can be used again, but never a completed one', async () => {
        await store.claimIdempotencyKey('sale:k1', 'hash-1', T0);
        await store.releaseIdempotencyKey('sale:k1');
        expect(await store.claimIdempotencyKey('sale:k1', 'hash-2', T0)).toEqual({ status: 'claimed' });
        await store.commit({ idempotency: { key: 'sale:k1', result } });
        await store.releaseIdempotencyKey('sale:k1');
        expect(await store.claimIdempotencyKey('sale:k1', 'hash-2', T0)).toMatchObject({ status: 'completed', requestHash: 'hash-2' });
      });

      it('lets exactly one of 50 concurrent claimers of a key own it', async () => {
        const claims = await Promise.all(Array.from({ length: 50 }, () => store.claimIdempotencyKey('sale:race', 'h', T0)));
        expect(claims.filter((c) => c.status === 'claimed')).toHaveLength(1);
        expect(claims.filter((c) => c.status === 'in_progress')).toHaveLength(49);
      });
    });

    describe('ledger', () => {
      it('stores and returns a transaction as written; unknown ids give undefined', async () => {
        const tx = txRecord({ subscriptionId: 'sub-1', capKeys: [{ window: 'monthly', key: '2026-11:USD' }] });
        await store.insertTransaction(tx);
        expect(await store.getTransaction(tx.id)).toEqual(tx);
        expect(await store.getTransaction('tx_missing')).toBeUndefined();
      });

      it('refuses a second transaction or attempt with the same id', async () => {
        const tx = txRecord();
        await store.insertTransaction(tx);
        await expect(store.insertTransaction({ ...tx, amount: 5 })).rejects.toThrow();
        expect((await store.getTransaction(tx.id))!.amount).toBe(tx.amount);
        const a = attemptRecord(tx.id);
        await store.insertAttempt(a);
        await expect(store.insertAttempt({ ...a })).rejects.toThrow();
      });

      it("lists a transaction's attempts in the order they were made", async () => {
        const tx = txRecord();
        await store.insertTransaction(tx);
        const ids = [];
        for (const mid of ['mid-c', 'mid-a', 'mid-b']) {
          const a = attemptRecord(tx.id, { mid });
          ids.push(a.id);
          await store.insertAttempt(a);
        }
        await store.insertAttempt(attemptRecord('tx_other'));
        const listed = await store.listAttempts(tx.id);
        expect(listed.map((a) => a.id)).toEqual(ids);
        expect(listed[0]).toEqual(attemptRecord(tx.id, { id: ids[0], mid: 'mid-c' }));
        expect(await store.listAttempts('tx_none')).toEqual([]);
      });

      it('lists pending attempts started before a time, for reconciliation', async () => {
        const tx = txRecord();
        await store.insertTransaction(tx);
        const old = attemptRecord(tx.id, { startedAt: T0 - 60_000 });
        const settled = attemptRecord(tx.id, { startedAt: T0 - 60_000 });
        const recent = attemptRecord(tx.id, { startedAt: T0 });
        for (const a of [old, settled, recent]) await store.insertAttempt(a);
        await store.commit({ attempt: { id: settled.id, patch: { status: 'declined', code: '05', settledAt: T0 } } });
        expect((await store.listPendingAttempts(T0 - 1)).map((a) => a.id)).toEqual([old.id]);
        expect((await store.listPendingAttempts(T0 + 1)).map((a) => a.id)).toEqual([old.id, recent.id]);
      });

      it('commits an approval atomically: attempt, transaction, pin, idempotency record', async () => {
        const tx = txRecord({ subscriptionId: 'sub-1' });
        await store.insertTransaction(tx);
        const a = attemptRecord(tx.id);
        await store.insertAttempt(a);
        await store.claimIdempotencyKey('sale:order-1', 'h', T0);
        const ok = await store.commit({
          attempt: { id: a.id, patch: { status: 'approved', gatewayTransactionId: 'gw_1', settledAt: T0 + 5 } },
          transaction: {
            id: tx.id,
            patch: {
              status: 'approved',
              mid: 'mid-a',
              gateway: 'sandbox',
              gatewayTransactionId: 'gw_1',
              capturedAmount: 1999,
              updatedAt: T0 + 5,
            },
          },
          pin: pinRecord('sub-1', { transactionId: tx.id }),
          idempotency: { key: 'sale:order-1', result: { ok: true, value: { transactionId: tx.id } } },
        });
        expect(ok).toBe(true);
        expect(await store.listAttempts(tx.id)).toEqual([{ ...a, status: 'approved', gatewayTransactionId: 'gw_1', settledAt: T0 + 5 }]);
        expect(await store.getTransaction(tx.id)).toEqual({
          ...tx,
          status: 'approved',
          mid: 'mid-a',
          gateway: 'sandbox',
          gatewayTransactionId: 'gw_1',
          capturedAmount: 1999,
          updatedAt: T0 + 5,
        });
        expect(await store.getPin('sub-1')).toEqual(pinRecord('sub-1', { transactionId: tx.id }));
        expect(await store.claimIdempotencyKey('sale:order-1', 'h', T0)).toMatchObject({
          status: 'completed',
          result: { ok: true, value: { transactionId: tx.id } },
        });
      });

      it('applies an attempt patch only while the attempt is pending, and then nothing else of the commit', async () => {
        const tx = txRecord({ subscriptionId: 'sub-1' });
        await store.insertTransaction(tx);
        const a = attemptRecord(tx.id);
        await store.insertAttempt(a);
        await store.claimIdempotencyKey('sale:order-1', 'h', T0);
        expect(await store.commit({ attempt: { id: a.id, patch: { status: 'ambiguous', settledAt: T0 } } })).toBe(true);
        const late = await store.commit({
          attempt: { id: a.id, patch: { status: 'approved', settledAt: T0 + 9 } },
          transaction: { id: tx.id, patch: { status: 'approved' } },
          pin: pinRecord('sub-1'),
          decline: declineRecord(T0),
          idempotency: { key: 'sale:order-1', result: { ok: true, value: {} } },
        });
        expect(late).toBe(false);
        expect((await store.listAttempts(tx.id))[0]).toMatchObject({ status: 'ambiguous', settledAt: T0 });
        expect((await store.getTransaction(tx.id))!.status).toBe('pending');
        expect(await store.getPin('sub-1')).toBeUndefined();
        expect(await store.declineHistory('fp_abc', 0)).toEqual([]);
        expect(await store.claimIdempotencyKey('sale:order-1', 'h', T0)).toEqual({ status: 'in_progress', requestHash: 'h' });
        expect(await store.commit({ attempt: { id: 'at_missing', patch: { status: 'approved' } } })).toBe(false);
      });

      it('records a gateway message with control characters and a NUL byte (a broken body) without failing', async () => {
        const tx = txRecord();
        await store.insertTransaction(tx);
        const a = attemptRecord(tx.id);
        await store.insertAttempt(a);
        const message = 'malformed answer: {"resp\u0000<garbage';
        expect(
          await store.commit({
            attempt: { id: a.id, patch: { status: 'ambiguous', message, settledAt: T0 } },
            idempotency: { key: 'sale:nul', result: { ok: false, value: { message } } },
          }),
        ).toBe(true);
        const [stored] = await store.listAttempts(tx.id);
        expect(stored.status).toBe('ambiguous');
        expect(stored.message?.replace('\u0000', '')).toBe('malformed answer: {"resp<garbage');
      });

      it('lets only one of two concurrent settlements of a pending attempt win', async () => {
        const tx = txRecord();
        await store.insertTransaction(tx);
        const a = attemptRecord(tx.id);
        await store.insertAttempt(a);
        const [x, y] = await Promise.all([
          store.commit({ attempt: { id: a.id, patch: { status: 'approved' } }, transaction: { id: tx.id, patch: { status: 'approved' } } }),
          store.commit({ attempt: { id: a.id, patch: { status: 'declined' } }, transaction: { id: tx.id, patch: { status: 'declined' } } }),
        ]);
        expect([x, y].filter(Boolean)).toHaveLength(1);
        const status = (await store.listAttempts(tx.id))[0].status;
        expect((await store.getTransaction(tx.id))!.status).toBe(status);
      });

      it('patches like Object.assign: listed fields replaced, fields set to undefined removed, others kept', async () => {
        const tx = txRecord({ mid: 'mid-a', authCode: 'A1', card: STORED_CARD });
        await store.insertTransaction(tx);
        await store.commit({
          transaction: { id: tx.id, patch: { authCode: undefined, card: { bin: '555555', last4: '4444', fingerprint: 'fp_2' } } },
        });
        const got = (await store.getTransaction(tx.id))!;
        expect(got.authCode).toBeUndefined();
        expect(got.card).toEqual({ bin: '555555', last4: '4444', fingerprint: 'fp_2' });
        expect(got.mid).toBe('mid-a');
        expect(got.amount).toBe(tx.amount);
      });

      it('keeps captured ≤ amount and refunded ≤ captured, on approved transactions only', async () => {
        const auth = await approved(1_000, 0);
        expect(await store.reserveAmount(auth, 'refunded', 1)).toBe(false);
        expect(await store.reserveAmount(auth, 'captured', 600)).toBe(true);
        expect(await store.reserveAmount(auth, 'captured', 401)).toBe(false);
        expect(await store.reserveAmount(auth, 'captured', 400)).toBe(true);
        expect(await store.reserveAmount(auth, 'refunded', 700)).toBe(true);
        expect(await store.reserveAmount(auth, 'refunded', 301)).toBe(false);
        await store.releaseAmount(auth, 'refunded', 700);
        expect(await store.reserveAmount(auth, 'refunded', 1_000)).toBe(true);
        expect(await store.getTransaction(auth)).toMatchObject({ capturedAmount: 1_000, refundedAmount: 1_000 });
        await store.releaseAmount(auth, 'captured', 5_000);
        expect((await store.getTransaction(auth))!.capturedAmount).toBe(0);

        const pending = txRecord();
        await store.insertTransaction(pending);
        expect(await store.reserveAmount(pending.id, 'captured', 1)).toBe(false);
        expect(await store.reserveAmount('tx_missing', 'captured', 1)).toBe(false);
      });

      it('never over-refunds under 60 concurrent partial refunds', async () => {
        const sale = await approved(2_000);
        const results = await Promise.all(Array.from({ length: 60 }, () => store.reserveAmount(sale, 'refunded', 100)));
        expect(results.filter(Boolean)).toHaveLength(20);
        expect((await store.getTransaction(sale))!.refundedAmount).toBe(2_000);
      });

      it('never over-captures under 60 concurrent partial captures', async () => {
        const auth = await approved(3_000, 0);
        const results = await Promise.all(Array.from({ length: 60 }, () => store.reserveAmount(auth, 'captured', 250)));
        expect(results.filter(Boolean)).toHaveLength(12);
        expect((await store.getTransaction(auth))!.capturedAmount).toBe(3_000);
      });

      it('voids an approved, unrefunded transaction once', async () => {
        const sale = await approved(1_000);
        expect(await store.markVoided(sale, T0 + 7)).toBe(true);
        expect(await store.getTransaction(sale)).toMatchObject({ status: 'voided', updatedAt: T0 + 7 });
        expect(await store.markVoided(sale, T0 + 8)).toBe(false);
        const refunded = await approved(1_000);
        expect(await store.reserveAmount(refunded, 'refunded', 10)).toBe(true);
        expect(await store.markVoided(refunded, T0)).toBe(false);
        expect(await store.markVoided('tx_missing', T0)).toBe(false);
      });
    });

    describe('pins', () => {
      it('creates a pin only if the subscription has none', async () => {
        expect(await store.commit({ pin: pinRecord('sub-1', { mid: 'mid-a' }) })).toBe(true);
        expect(await store.commit({ pin: pinRecord('sub-1', { mid: 'mid-b', gatewayTransactionId: 'gw_2' }) })).toBe(true);
        expect(await store.getPin('sub-1')).toEqual(pinRecord('sub-1', { mid: 'mid-a' }));
        expect(await store.getPin('sub-none')).toBeUndefined();
      });

      it('updates status, data and stored credential, replacing data as a whole', async () => {
        await store.commit({ pin: pinRecord('sub-1', { data: { consent: { at: 1, ip: '203.0.113.9' }, salvage: 2 } }) });
        await store.updatePin('sub-1', { data: { consent: { at: 2 } }, networkTransactionId: 'ntid_2' }, T0 + 1);
        expect(await store.getPin('sub-1')).toEqual(
          pinRecord('sub-1', { data: { consent: { at: 2 } }, networkTransactionId: 'ntid_2', updatedAt: T0 + 1 }),
        );
        await store.updatePin('sub-1', { status: 'revoked' }, T0 + 2);
        expect(await store.getPin('sub-1')).toMatchObject({
          status: 'revoked',
          updatedAt: T0 + 2,
          mid: 'mid-a',
          networkTransactionId: 'ntid_2',
        });
        await store.updatePin('sub-none', { status: 'cancelled' }, T0);
        expect(await store.getPin('sub-none')).toBeUndefined();
      });

      it('re-pins to another MID and keeps the audit trail', async () => {
        await store.commit({ pin: pinRecord('sub-1') });
        await store.commit({ pin: pinRecord('sub-2') });
        await store.repin(
          'sub-1',
          { mid: 'mid-b', gateway: 'nmi' },
          { subscriptionId: 'sub-1', fromMid: 'mid-a', toMid: 'mid-b', reason: 'MID closing', at: T0 + 10 },
        );
        await store.repin(
          'sub-1',
          { mid: 'mid-c', gateway: 'stripe' },
          { subscriptionId: 'sub-1', fromMid: 'mid-b', toMid: 'mid-c', reason: 'second move', at: T0 + 20 },
        );
        await store.repin(
          'sub-2',
          { mid: 'mid-b', gateway: 'nmi' },
          { subscriptionId: 'sub-2', fromMid: 'mid-a', toMid: 'mid-b', reason: 'load', at: T0 + 30 },
        );
        expect(await store.getPin('sub-1')).toEqual(pinRecord('sub-1', { mid: 'mid-c', gateway: 'stripe', updatedAt: T0 + 20 }));
        expect(await store.listRepinAudit('sub-1')).toEqual([
          { subscriptionId: 'sub-1', fromMid: 'mid-a', toMid: 'mid-b', reason: 'MID closing', at: T0 + 10 },
          { subscriptionId: 'sub-1', fromMid: 'mid-b', toMid: 'mid-c', reason: 'second move', at: T0 + 20 },
        ]);
        expect((await store.listRepinAudit()).map((a) => a.reason)).toEqual(['MID closing', 'second move', 'load']);
        await expect(
          store.repin(
            'sub-none',
            { mid: 'mid-b', gateway: 'nmi' },
            { subscriptionId: 'sub-none', fromMid: 'x', toMid: 'mid-b', reason: 'r', at: T0 },
          ),
        ).rejects.toThrow(/sub-none/);
        expect(await store.listRepinAudit('sub-none')).toEqual([]);
      });

      it('lists the pins on a MID', async () => {
        await store.commit({ pin: pinRecord('sub-1', { mid: 'mid-a' }) });
        await store.commit({ pin: pinRecord('sub-2', { mid: 'mid-b' }) });
        await store.commit({ pin: pinRecord('sub-3', { mid: 'mid-a' }) });
        expect((await store.listPins('mid-a')).map((p) => p.subscriptionId)).toEqual(['sub-1', 'sub-3']);
        await store.repin(
          'sub-1',
          { mid: 'mid-b', gateway: 'sandbox' },
          { subscriptionId: 'sub-1', fromMid: 'mid-a', toMid: 'mid-b', reason: 'r', at: T0 },
        );
        expect((await store.listPins('mid-a')).map((p) => p.subscriptionId)).toEqual(['sub-3']);
        expect((await store.listPins('mid-b')).map((p) => p.subscriptionId).sort()).toEqual(['sub-1', 'sub-2']);
        expect(await store.listPins('mid-none')).toEqual([]);
      });
    });

    describe('decline history', () => {
      it("returns a card's declines since a time, across MIDs, in order", async () => {
        await store.commit({ decline: declineRecord(T0 - 2 * DAY, { mid: 'mid-a' }) });
        await store.commit({
          decline: declineRecord(T0 - DAY, { mid: 'mid-b', advice: '24', retryAfter: T0, networkCategory: undefined }),
        });
        await store.commit({ decline: declineRecord(T0, { fingerprint: 'fp_other' }) });
        expect(await store.declineHistory('fp_abc', T0 - 3 * DAY)).toEqual([
          declineRecord(T0 - 2 * DAY, { mid: 'mid-a' }),
          declineRecord(T0 - DAY, { mid: 'mid-b', advice: '24', retryAfter: T0, networkCategory: undefined }),
        ]);
        expect((await store.declineHistory('fp_abc', T0 - DAY)).map((d) => d.mid)).toEqual(['mid-b']);
        expect(await store.declineHistory('fp_none', 0)).toEqual([]);
      });

      it('keeps 30 days: declines older than 30 days before a new one are dropped', async () => {
        await store.commit({ decline: declineRecord(T0 - 31 * DAY, { reason: 'old' }) });
        await store.commit({ decline: declineRecord(T0 - 29 * DAY, { reason: 'recent' }) });
        await store.commit({ decline: declineRecord(T0, { reason: 'new' }) });
        expect((await store.declineHistory('fp_abc', 0)).map((d) => d.reason)).toEqual(['recent', 'new']);
      });
    });

    describe('secrets', () => {
      it('creates a secret once and returns the same one afterwards', async () => {
        const first = await store.getOrCreateSecret('fingerprint');
        expect(first).toMatch(/^[A-Za-z0-9_-]{32,}$/);
        expect(await store.getOrCreateSecret('fingerprint')).toBe(first);
        expect(await store.getOrCreateSecret('other')).not.toBe(first);
      });

      it('agrees on one secret when asked concurrently', async () => {
        const all = await Promise.all(Array.from({ length: 20 }, () => store.getOrCreateSecret('fingerprint')));
        expect(new Set(all).size).toBe(1);
      });
    });
  });
}
