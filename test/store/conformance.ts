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
  StoreWrite,
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

/** What schema version 7 makes of a pin written before it: the initial transaction's ids are its MID's credential. */
export function migratedPin(pin: PinRecord, initial: { mid: string; gateway: string }): PinRecord {
  return {
    ...pin,
    credentials: [
      {
        mid: initial.mid,
        gateway: initial.gateway,
        ...(pin.gatewayToken !== undefined && { gatewayToken: pin.gatewayToken }),
        gatewayTransactionId: pin.gatewayTransactionId,
        ...(pin.networkTransactionId !== undefined && { networkTransactionId: pin.networkTransactionId }),
        transactionId: pin.transactionId,
        origin: 'customer',
        at: pin.createdAt,
      },
    ],
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

    const ok = async (w: StoreWrite) => expect(await store.write(w)).toMatchObject({ ok: true });
    const reserve = async (mid: string, counters: CapReservation[], amount: number) =>
      (await store.write({ reserveCap: { mid, counters, amount } })).ok;
    const release = (mid: string, counters: Array<{ window: 'daily' | 'monthly'; key: string }>, amount: number, count = 1) =>
      ok({ releaseCap: { mid, counters, amount, count } });
    const claim = (key: string, requestHash: string, over: { transactionId?: string; now?: number; leaseUntil?: number } = {}) =>
      store.write({
        claim: {
          key,
          requestHash,
          transactionId: over.transactionId ?? 'tx_1',
          now: over.now ?? T0,
          leaseUntil: over.leaseUntil ?? T0 + 60_000,
        },
      });

    /** A captured sale of `amount` (or an authorization with `captured` of it). */
    async function approved(amount: number, captured = amount): Promise<string> {
      const tx = txRecord({ amount });
      const a = attemptRecord(tx.id, { amount });
      await ok({ insertTransaction: tx, insertAttempt: a });
      await ok({
        attempt: { id: a.id, from: ['pending'], patch: { status: 'approved', settledAt: T0 } },
        transaction: { id: tx.id, from: ['pending'], patch: { status: captured ? 'captured' : 'authorized' }, add: { captured } },
      });
      return tx.id;
    }

    describe('caps', () => {
      it('reserves within the amount limit, refuses beyond it, and reports usage', async () => {
        expect(await reserve('mid-a', [monthly(5_000)], 3_000)).toBe(true);
        expect(await reserve('mid-a', [monthly(5_000)], 2_000)).toBe(true);
        expect(await store.write({ reserveCap: { mid: 'mid-a', counters: [monthly(5_000)], amount: 1 } })).toEqual({
          ok: false,
          conflict: 'cap',
        });
        expect(await store.capUsage('mid-a', keys(monthly()))).toEqual([
          { window: 'monthly', key: '2026-11:USD', amount: 5_000, count: 2 },
        ]);
      });

      it('refuses a single amount larger than an unused cap', async () => {
        expect(await reserve('mid-a', [monthly(500)], 501)).toBe(false);
        expect(await store.capUsage('mid-a', keys(monthly()))).toEqual([{ window: 'monthly', key: '2026-11:USD', amount: 0, count: 0 }]);
      });

      it('enforces count limits', async () => {
        for (let i = 0; i < 3; i++) expect(await reserve('mid-a', [daily(undefined, 3)], 100)).toBe(true);
        expect(await reserve('mid-a', [daily(undefined, 3)], 1)).toBe(false);
        expect((await store.capUsage('mid-a', keys(daily())))[0]).toMatchObject({ amount: 300, count: 3 });
      });

      it('is all or nothing across counters: a full daily cap leaves the monthly counter untouched', async () => {
        expect(await reserve('mid-a', [daily(1_000), monthly(100_000)], 900)).toBe(true);
        expect(await reserve('mid-a', [daily(1_000), monthly(100_000)], 200)).toBe(false);
        expect(await reserve('mid-a', [monthly(100_000), daily(1_000)], 200)).toBe(false);
        expect(await store.capUsage('mid-a', keys(daily(), monthly()))).toEqual([
          { window: 'daily', key: '2026-11-21:USD', amount: 900, count: 1 },
          { window: 'monthly', key: '2026-11:USD', amount: 900, count: 1 },
        ]);
      });

      it('keeps counters apart per MID, window and key, and reports zeros for unused ones', async () => {
        expect(await reserve('mid-a', [monthly(1_000)], 1_000)).toBe(true);
        expect(await reserve('mid-b', [monthly(1_000)], 1_000)).toBe(true);
        expect(await reserve('mid-a', [{ window: 'monthly', key: '2026-12:USD', amountLimit: 1_000 }], 1_000)).toBe(true);
        expect(await reserve('mid-a', [{ window: 'monthly', key: '2026-11:EUR', amountLimit: 1_000 }], 1_000)).toBe(true);
        expect(await store.capUsage('mid-c', [{ window: 'daily', key: '2026-01-01:USD' }])).toEqual([
          { window: 'daily', key: '2026-01-01:USD', amount: 0, count: 0 },
        ]);
      });

      it('gives a reservation back on release (amount, and the count when asked), never below zero', async () => {
        expect(await reserve('mid-a', [daily(1_000, 10), monthly(1_000)], 1_000)).toBe(true);
        await release('mid-a', keys(daily(), monthly()), 1_000);
        expect(await reserve('mid-a', [daily(1_000, 10), monthly(1_000)], 1_000)).toBe(true);
        await release('mid-a', keys(daily()), 400, 0);
        expect((await store.capUsage('mid-a', keys(daily())))[0]).toMatchObject({ amount: 600, count: 1 });
        await release('mid-a', keys(daily()), 5_000);
        await release('mid-a', keys(daily()), 5_000);
        expect((await store.capUsage('mid-a', keys(daily())))[0]).toMatchObject({ amount: 0, count: 0 });
        await release('mid-z', keys(daily()), 100); // a counter never used: nothing to give back
        expect((await store.capUsage('mid-z', keys(daily())))[0]).toMatchObject({ amount: 0, count: 0 });
      });

      it('never exceeds a cap under 100 concurrent reservations', async () => {
        const results = await Promise.all(Array.from({ length: 100 }, () => reserve('mid-a', [daily(10_000), monthly(5_000)], 100)));
        expect(results.filter(Boolean)).toHaveLength(50);
        expect(await store.capUsage('mid-a', keys(daily(), monthly()))).toEqual([
          { window: 'daily', key: '2026-11-21:USD', amount: 5_000, count: 50 },
          { window: 'monthly', key: '2026-11:USD', amount: 5_000, count: 50 },
        ]);
      });

      it('never exceeds a count cap under 100 concurrent reservations of mixed amounts', async () => {
        const results = await Promise.all(Array.from({ length: 100 }, (_, i) => reserve('mid-a', [monthly(undefined, 37)], i + 1)));
        expect(results.filter(Boolean)).toHaveLength(37);
        const reserved = results.reduce((sum, r, i) => sum + (r ? i + 1 : 0), 0);
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

      it('claims a new key once; a second claim sees it in progress with the first hash, transaction and lease', async () => {
        expect(await claim('sale:k1', 'hash-1', { transactionId: 'tx_9' })).toEqual({ ok: true });
        const inProgress = { status: 'in_progress', requestHash: 'hash-1', transactionId: 'tx_9', leaseUntil: T0 + 60_000 };
        expect(await claim('sale:k1', 'hash-1')).toEqual({ ok: false, conflict: 'idempotency', claim: inProgress });
        expect(await claim('sale:k1', 'hash-2')).toEqual({ ok: false, conflict: 'idempotency', claim: inProgress });
        expect(await store.getClaim('sale:k1')).toEqual(inProgress);
        expect(await store.getClaim('sale:none')).toBeUndefined();
      });

      it('replays the completed result, with the first request hash to detect a conflicting request', async () => {
        await claim('sale:k1', 'hash-1');
        await ok({ complete: { key: 'sale:k1', result } });
        const completed = { status: 'completed', requestHash: 'hash-1', result, transactionId: 'tx_1' };
        expect(await claim('sale:k1', 'hash-1')).toEqual({ ok: false, conflict: 'idempotency', claim: completed });
        expect(await claim('sale:k1', 'other')).toEqual({ ok: false, conflict: 'idempotency', claim: completed });
      });

      it('keeps keys apart', async () => {
        await claim('sale:k1', 'h');
        expect(await claim('authorize:k1', 'h')).toEqual({ ok: true });
      });

      it('releases an unfinished claim so the key can be used again, but never a completed one', async () => {
        await claim('sale:k1', 'hash-1');
        await ok({ release: { key: 'sale:k1' } });
        expect(await claim('sale:k1', 'hash-2')).toEqual({ ok: true });
        await ok({ complete: { key: 'sale:k1', result } });
        await ok({ release: { key: 'sale:k1' } });
        expect(await claim('sale:k1', 'hash-3')).toMatchObject({ ok: false, claim: { status: 'completed', requestHash: 'hash-2' } });
      });

      it('lets exactly one of 50 concurrent claimers of a key own it', async () => {
        const claims = await Promise.all(Array.from({ length: 50 }, () => claim('sale:race', 'h')));
        expect(claims.filter((c) => c.ok)).toHaveLength(1);
        expect(claims.filter((c) => !c.ok && c.conflict === 'idempotency' && c.claim.status === 'in_progress')).toHaveLength(49);
      });

      it('lists claims whose lease ran out without a result, and only those', async () => {
        await claim('sale:dead', 'h', { transactionId: 'tx_dead', leaseUntil: T0 + 10 });
        await claim('sale:alive', 'h', { transactionId: 'tx_alive', leaseUntil: T0 + 1_000 });
        await claim('sale:done', 'h', { transactionId: 'tx_done', leaseUntil: T0 + 10 });
        await ok({ complete: { key: 'sale:done', result } });
        expect(await store.listStaleClaims(T0 + 11)).toEqual([{ key: 'sale:dead', transactionId: 'tx_dead', leaseUntil: T0 + 10 }]);
        expect(await store.listStaleClaims(T0 + 5)).toEqual([]);
        expect((await store.listStaleClaims(T0 + 2_000)).map((c) => c.key).sort()).toEqual(['sale:alive', 'sale:dead']);
      });
    });

    describe('ledger', () => {
      it('stores and returns a transaction as written; unknown ids give undefined', async () => {
        const tx = txRecord({
          subscriptionId: 'sub-1',
          subscription: { id: 'sub-1', recurringAmount: 2999, physicalProduct: true },
          capKeys: [{ window: 'monthly', key: '2026-11:USD' }],
        });
        await ok({ insertTransaction: tx });
        expect(await store.getTransaction(tx.id)).toEqual(tx);
        expect(await store.getTransaction('tx_missing')).toBeUndefined();
      });

      it('refuses a second transaction or attempt with the same id, writing nothing of that write', async () => {
        const tx = txRecord();
        await ok({ insertTransaction: tx });
        await expect(store.write({ insertTransaction: { ...tx, amount: 5 } })).rejects.toThrow();
        expect((await store.getTransaction(tx.id))!.amount).toBe(tx.amount);
        const a = attemptRecord(tx.id);
        await ok({ insertAttempt: a });
        await expect(
          store.write({
            insertAttempt: { ...a },
            claim: { key: 'sale:dup', requestHash: 'h', transactionId: tx.id, now: T0, leaseUntil: T0 },
          }),
        ).rejects.toThrow();
        expect(await store.getClaim('sale:dup')).toBeUndefined();
      });

      it("lists a transaction's attempts in the order they were made", async () => {
        const tx = txRecord();
        await ok({ insertTransaction: tx });
        const ids = [];
        for (const mid of ['mid-c', 'mid-a', 'mid-b']) {
          const a = attemptRecord(tx.id, { mid, capKeys: [{ window: 'daily', key: '2026-11-21:USD' }] });
          ids.push(a.id);
          await ok({ insertAttempt: a });
        }
        await ok({ insertAttempt: attemptRecord('tx_other') });
        const listed = await store.listAttempts(tx.id);
        expect(listed.map((a) => a.id)).toEqual(ids);
        expect(listed[0]).toEqual(
          attemptRecord(tx.id, { id: ids[0], mid: 'mid-c', capKeys: [{ window: 'daily', key: '2026-11-21:USD' }] }),
        );
        expect(await store.listAttempts('tx_none')).toEqual([]);
      });

      it('lists pending attempts started before a time, for reconciliation', async () => {
        const tx = txRecord();
        const old = attemptRecord(tx.id, { startedAt: T0 - 60_000 });
        const settled = attemptRecord(tx.id, { startedAt: T0 - 60_000 });
        const recent = attemptRecord(tx.id, { startedAt: T0 });
        await ok({ insertTransaction: tx });
        for (const a of [old, settled, recent]) await ok({ insertAttempt: a });
        await ok({ attempt: { id: settled.id, from: ['pending'], patch: { status: 'declined', code: '05', settledAt: T0 } } });
        expect((await store.listPendingAttempts(T0 - 1)).map((a) => a.id)).toEqual([old.id]);
        expect((await store.listPendingAttempts(T0 + 1)).map((a) => a.id)).toEqual([old.id, recent.id]);
      });

      it('opens a payment in one write: claim, transaction, cap reservation, pending attempt', async () => {
        const tx = txRecord();
        const a = attemptRecord(tx.id, { key: 'sale:order-1' });
        await ok({
          claim: { key: 'sale:order-1', requestHash: 'h', transactionId: tx.id, now: T0, leaseUntil: T0 + 1 },
          insertTransaction: tx,
          insertAttempt: a,
          reserveCap: { mid: 'mid-a', counters: [monthly(10_000)], amount: 1999 },
        });
        expect(await store.getTransaction(tx.id)).toEqual(tx);
        expect(await store.listAttempts(tx.id)).toEqual([a]);
        expect((await store.capUsage('mid-a', keys(monthly())))[0]).toMatchObject({ amount: 1999, count: 1 });
        expect(await store.getClaim('sale:order-1')).toMatchObject({ status: 'in_progress', transactionId: tx.id });
      });

      it('writes nothing of an opening whose cap is full, or whose key is taken', async () => {
        await reserve('mid-a', [monthly(2_000)], 1_500);
        const tx = txRecord();
        const a = attemptRecord(tx.id);
        const open = (key: string) => ({
          claim: { key, requestHash: 'h', transactionId: tx.id, now: T0, leaseUntil: T0 + 1 },
          insertTransaction: tx,
          insertAttempt: a,
          reserveCap: { mid: 'mid-a', counters: [monthly(2_000)], amount: 1_000 },
        });
        expect(await store.write(open('sale:full'))).toEqual({ ok: false, conflict: 'cap' });
        expect(await store.getClaim('sale:full')).toBeUndefined();
        expect(await store.getTransaction(tx.id)).toBeUndefined();
        expect(await store.listAttempts(tx.id)).toEqual([]);
        await claim('sale:taken', 'h');
        await release('mid-a', keys(monthly()), 1_500);
        expect(await store.write(open('sale:taken'))).toMatchObject({ ok: false, conflict: 'idempotency' });
        expect(await store.getTransaction(tx.id)).toBeUndefined();
        expect((await store.capUsage('mid-a', keys(monthly())))[0]).toMatchObject({ amount: 0 });
      });

      it('settles atomically: attempt, transaction, amounts, pin, decline, idempotency record', async () => {
        const tx = txRecord({ subscriptionId: 'sub-1' });
        const a = attemptRecord(tx.id);
        await claim('sale:order-1', 'h', { transactionId: tx.id });
        await ok({ insertTransaction: tx, insertAttempt: a });
        expect(
          await store.write({
            attempt: { id: a.id, from: ['pending'], patch: { status: 'approved', gatewayTransactionId: 'gw_1', settledAt: T0 + 5 } },
            transaction: {
              id: tx.id,
              from: ['pending'],
              patch: { status: 'captured', mid: 'mid-a', gateway: 'sandbox', gatewayTransactionId: 'gw_1', updatedAt: T0 + 5 },
              add: { captured: 1999 },
            },
            createPin: pinRecord('sub-1', { transactionId: tx.id }),
            complete: { key: 'sale:order-1', result: { ok: true, value: { transactionId: tx.id } } },
          }),
        ).toEqual({ ok: true, pinCreated: true });
        expect(await store.listAttempts(tx.id)).toEqual([{ ...a, status: 'approved', gatewayTransactionId: 'gw_1', settledAt: T0 + 5 }]);
        expect(await store.getTransaction(tx.id)).toEqual({
          ...tx,
          status: 'captured',
          mid: 'mid-a',
          gateway: 'sandbox',
          gatewayTransactionId: 'gw_1',
          capturedAmount: 1999,
          updatedAt: T0 + 5,
        });
        expect(await store.getPin('sub-1')).toEqual(pinRecord('sub-1', { transactionId: tx.id }));
        expect(await store.getClaim('sale:order-1')).toMatchObject({
          status: 'completed',
          result: { ok: true, value: { transactionId: tx.id } },
        });
      });

      it('applies a settlement only while the attempt is in the expected state, and then nothing else of it', async () => {
        const tx = txRecord({ subscriptionId: 'sub-1' });
        const a = attemptRecord(tx.id);
        await claim('sale:order-1', 'h');
        await ok({ insertTransaction: tx, insertAttempt: a, reserveCap: { mid: 'mid-a', counters: [monthly(10_000)], amount: 1999 } });
        await ok({ attempt: { id: a.id, from: ['pending'], patch: { status: 'error', settledAt: T0 } } });
        const late = await store.write({
          attempt: { id: a.id, from: ['pending'], patch: { status: 'approved', settledAt: T0 + 9 } },
          transaction: { id: tx.id, from: ['pending'], patch: { status: 'captured' } },
          releaseCap: { mid: 'mid-a', counters: keys(monthly()), amount: 1999, count: 1 },
          createPin: pinRecord('sub-1'),
          decline: declineRecord(T0),
          complete: { key: 'sale:order-1', result: { ok: true, value: {} } },
        });
        expect(late).toEqual({ ok: false, conflict: 'state', on: 'attempt', status: 'error' });
        expect((await store.listAttempts(tx.id))[0]).toMatchObject({ status: 'error', settledAt: T0 });
        expect((await store.getTransaction(tx.id))!.status).toBe('pending');
        expect((await store.capUsage('mid-a', keys(monthly())))[0]).toMatchObject({ amount: 1999, count: 1 });
        expect(await store.getPin('sub-1')).toBeUndefined();
        expect(await store.declineHistory('fp_abc', 0)).toEqual([]);
        expect(await store.getClaim('sale:order-1')).toMatchObject({ status: 'in_progress' });
        expect(await store.write({ attempt: { id: 'at_missing', from: ['pending'], patch: { status: 'approved' } } })).toMatchObject({
          ok: false,
          conflict: 'state',
          on: 'attempt',
        });
      });

      it('applies a transaction patch only from the listed states', async () => {
        const id = await approved(1_000);
        expect(await store.write({ transaction: { id, from: ['authorized'], patch: { status: 'capture_pending' } } })).toEqual({
          ok: false,
          conflict: 'state',
          on: 'transaction',
          status: 'captured',
        });
        await ok({ transaction: { id, from: ['authorized', 'captured'], patch: { status: 'void_pending' } } });
        expect((await store.getTransaction(id))!.status).toBe('void_pending');
        expect(await store.write({ transaction: { id: 'tx_missing', from: ['pending'], patch: {} } })).toMatchObject({
          ok: false,
          conflict: 'state',
        });
      });

      it('records a gateway message with control characters and a NUL byte (a broken body) without failing', async () => {
        const tx = txRecord();
        const a = attemptRecord(tx.id);
        await ok({ insertTransaction: tx, insertAttempt: a });
        const message = 'malformed answer: {"resp\u0000<garbage';
        await ok({
          attempt: { id: a.id, from: ['pending'], patch: { status: 'error', message, settledAt: T0 } },
          complete: { key: 'sale:nul', result: { ok: false, value: { message } } },
        });
        const [stored] = await store.listAttempts(tx.id);
        expect(stored.status).toBe('error');
        expect(stored.message?.replace('\u0000', '')).toBe('malformed answer: {"resp<garbage');
      });

      it('lets only one of two concurrent settlements of a pending attempt win', async () => {
        const tx = txRecord();
        const a = attemptRecord(tx.id);
        await ok({ insertTransaction: tx, insertAttempt: a });
        const settle = (status: 'approved' | 'declined', txStatus: 'captured' | 'declined') =>
          store.write({
            attempt: { id: a.id, from: ['pending'], patch: { status } },
            transaction: { id: tx.id, from: ['pending'], patch: { status: txStatus } },
          });
        const [x, y] = await Promise.all([settle('approved', 'captured'), settle('declined', 'declined')]);
        expect([x, y].filter((r) => r.ok)).toHaveLength(1);
        const status = (await store.listAttempts(tx.id))[0].status;
        expect((await store.getTransaction(tx.id))!.status).toBe(status === 'approved' ? 'captured' : 'declined');
      });

      it('patches like Object.assign: listed fields replaced, fields set to undefined removed, others kept', async () => {
        const tx = txRecord({ mid: 'mid-a', authCode: 'A1', card: STORED_CARD });
        await ok({ insertTransaction: tx });
        await ok({
          transaction: {
            id: tx.id,
            from: ['pending'],
            patch: { authCode: undefined, card: { bin: '555555', last4: '4444', fingerprint: 'fp_2' } },
          },
        });
        const got = (await store.getTransaction(tx.id))!;
        expect(got.authCode).toBeUndefined();
        expect('authCode' in got).toBe(false);
        expect(got.card).toEqual({ bin: '555555', last4: '4444', fingerprint: 'fp_2' });
        expect(got.mid).toBe('mid-a');
        expect(got.amount).toBe(tx.amount);
      });

      it('keeps captured ≤ amount and refunded ≤ captured; gives amounts back, never below zero', async () => {
        const auth = await approved(1_000, 0);
        const add = (a: { captured?: number; refunded?: number }) =>
          store.write({ transaction: { id: auth, from: ['authorized', 'captured'], patch: {}, add: a } });
        expect(await add({ refunded: 1 })).toEqual({ ok: false, conflict: 'amount' });
        expect((await add({ captured: 600 })).ok).toBe(true);
        expect(await add({ captured: 401 })).toEqual({ ok: false, conflict: 'amount' });
        expect((await add({ captured: 400 })).ok).toBe(true);
        expect((await add({ refunded: 700 })).ok).toBe(true);
        expect((await add({ refunded: 301 })).ok).toBe(false);
        expect((await add({ refunded: -700 })).ok).toBe(true);
        expect((await add({ refunded: 1_000 })).ok).toBe(true);
        expect(await store.getTransaction(auth)).toMatchObject({ capturedAmount: 1_000, refundedAmount: 1_000 });
        expect((await add({ captured: -5_000, refunded: -5_000 })).ok).toBe(true);
        expect(await store.getTransaction(auth)).toMatchObject({ capturedAmount: 0, refundedAmount: 0 });
      });

      it('sets the refund state from the amounts when asked', async () => {
        const sale = await approved(1_000);
        const refund = (refunded: number) =>
          store.write({
            transaction: {
              id: sale,
              from: ['captured', 'partially_refunded', 'refunded'],
              patch: {},
              add: { refunded },
              refundStatus: true,
            },
          });
        await refund(400);
        expect((await store.getTransaction(sale))!.status).toBe('partially_refunded');
        await refund(600);
        expect((await store.getTransaction(sale))!.status).toBe('refunded');
        await refund(-600);
        expect((await store.getTransaction(sale))!.status).toBe('partially_refunded');
        await refund(-400);
        expect((await store.getTransaction(sale))!.status).toBe('captured');
      });

      it('refuses a move that needs nothing refunded once a refund is reserved', async () => {
        const sale = await approved(1_000);
        await ok({ transaction: { id: sale, from: ['captured'], patch: {}, add: { refunded: 10 } } });
        expect(
          await store.write({ transaction: { id: sale, from: ['captured'], patch: { status: 'void_pending' }, unrefunded: true } }),
        ).toEqual({ ok: false, conflict: 'amount' });
        const other = await approved(1_000);
        await ok({ transaction: { id: other, from: ['captured'], patch: { status: 'void_pending' }, unrefunded: true } });
      });

      it('never over-refunds under 60 concurrent partial refunds', async () => {
        const sale = await approved(2_000);
        const results = await Promise.all(
          Array.from({ length: 60 }, () =>
            store.write({
              transaction: {
                id: sale,
                from: ['captured', 'partially_refunded', 'refunded'],
                patch: {},
                add: { refunded: 100 },
                refundStatus: true,
              },
            }),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(20);
        expect(await store.getTransaction(sale)).toMatchObject({ refundedAmount: 2_000, status: 'refunded' });
      });

      it('never over-captures under 60 concurrent partial captures', async () => {
        const auth = await approved(3_000, 0);
        const results = await Promise.all(
          Array.from({ length: 60 }, () =>
            store.write({
              transaction: { id: auth, from: ['authorized', 'captured'], patch: { status: 'captured' }, add: { captured: 250 } },
            }),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(12);
        expect((await store.getTransaction(auth))!.capturedAmount).toBe(3_000);
      });
    });

    describe('pins', () => {
      it('creates a pin only if the subscription has none, and says whether it did', async () => {
        expect(await store.write({ createPin: pinRecord('sub-1', { mid: 'mid-a' }) })).toEqual({ ok: true, pinCreated: true });
        expect(await store.write({ createPin: pinRecord('sub-1', { mid: 'mid-b', gatewayTransactionId: 'gw_2' }) })).toEqual({
          ok: true,
          pinCreated: false,
        });
        expect(await store.getPin('sub-1')).toEqual(pinRecord('sub-1', { mid: 'mid-a' }));
        expect(await store.getPin('sub-none')).toBeUndefined();
      });

      it('updates status, data and stored credential, replacing data as a whole', async () => {
        await ok({ createPin: pinRecord('sub-1', { data: { consent: { at: 1, ip: '203.0.113.9' }, salvage: 2 } }) });
        await ok({
          updatePin: { subscriptionId: 'sub-1', patch: { data: { consent: { at: 2 } }, networkTransactionId: 'ntid_2' }, now: T0 + 1 },
        });
        expect(await store.getPin('sub-1')).toEqual(
          pinRecord('sub-1', { data: { consent: { at: 2 } }, networkTransactionId: 'ntid_2', updatedAt: T0 + 1 }),
        );
        await ok({ updatePin: { subscriptionId: 'sub-1', patch: { status: 'revoked' }, now: T0 + 2 } });
        expect(await store.getPin('sub-1')).toMatchObject({
          status: 'revoked',
          updatedAt: T0 + 2,
          mid: 'mid-a',
          networkTransactionId: 'ntid_2',
        });
        expect(await store.write({ updatePin: { subscriptionId: 'sub-none', patch: { status: 'cancelled' }, now: T0 } })).toEqual({
          ok: false,
          conflict: 'state',
          on: 'pin',
        });
        expect(await store.getPin('sub-none')).toBeUndefined();
      });

      it('re-pins to another MID with its audit record in the same write', async () => {
        await ok({ createPin: pinRecord('sub-1') });
        await ok({ createPin: pinRecord('sub-2') });
        const move = (sub: string, from: string, to: string, gateway: string, reason: string, at: number) =>
          store.write({
            updatePin: { subscriptionId: sub, patch: { mid: to, gateway }, now: at },
            repinAudit: { subscriptionId: sub, fromMid: from, toMid: to, reason, at },
          });
        await move('sub-1', 'mid-a', 'mid-b', 'nmi', 'MID closing', T0 + 10);
        await move('sub-1', 'mid-b', 'mid-c', 'stripe', 'second move', T0 + 20);
        await move('sub-2', 'mid-a', 'mid-b', 'nmi', 'load', T0 + 30);
        expect(await store.getPin('sub-1')).toEqual(pinRecord('sub-1', { mid: 'mid-c', gateway: 'stripe', updatedAt: T0 + 20 }));
        expect(await store.listRepinAudit('sub-1')).toEqual([
          { subscriptionId: 'sub-1', fromMid: 'mid-a', toMid: 'mid-b', reason: 'MID closing', at: T0 + 10 },
          { subscriptionId: 'sub-1', fromMid: 'mid-b', toMid: 'mid-c', reason: 'second move', at: T0 + 20 },
        ]);
        expect((await store.listRepinAudit()).map((a) => a.reason)).toEqual(['MID closing', 'second move', 'load']);
        expect(await move('sub-none', 'x', 'mid-b', 'nmi', 'r', T0)).toMatchObject({ ok: false, on: 'pin' });
        expect(await store.listRepinAudit('sub-none')).toEqual([]);
      });

      it('re-pins with `expectMid` only while the pin is on that MID: a move made since the pin was read is not undone', async () => {
        await ok({ createPin: pinRecord('sub-1', { mid: 'mid-a' }) });
        const move = (from: string, to: string, at: number) =>
          store.write({
            updatePin: { subscriptionId: 'sub-1', patch: { mid: to, gateway: 'sandbox' }, now: at, expectMid: from },
            repinAudit: { subscriptionId: 'sub-1', fromMid: from, toMid: to, reason: `to ${to}`, at },
          });
        expect(await move('mid-a', 'mid-c', T0 + 1)).toEqual({ ok: true });
        // A second mover read the pin on mid-a before the first moved it.
        expect(await move('mid-a', 'mid-b', T0 + 2)).toEqual({ ok: false, conflict: 'state', on: 'pin' });
        expect((await store.getPin('sub-1'))?.mid).toBe('mid-c');
        expect((await store.listRepinAudit('sub-1')).map((a) => a.toMid)).toEqual(['mid-c']);
        // Two movers at once from the same MID: exactly one wins.
        const both = await Promise.all([move('mid-c', 'mid-a', T0 + 3), move('mid-c', 'mid-b', T0 + 3)]);
        expect(both.filter((r) => r.ok)).toHaveLength(1);
        expect((await store.listRepinAudit('sub-1')).length).toBe(2);
        expect(['mid-a', 'mid-b']).toContain((await store.getPin('sub-1'))?.mid);
      });

      it('lists the pins on a MID', async () => {
        await ok({ createPin: pinRecord('sub-1', { mid: 'mid-a' }) });
        await ok({ createPin: pinRecord('sub-2', { mid: 'mid-b' }) });
        await ok({ createPin: pinRecord('sub-3', { mid: 'mid-a' }) });
        expect((await store.listPins('mid-a')).map((p) => p.subscriptionId)).toEqual(['sub-1', 'sub-3']);
        await ok({ updatePin: { subscriptionId: 'sub-1', patch: { mid: 'mid-b', gateway: 'sandbox' }, now: T0 } });
        expect((await store.listPins('mid-a')).map((p) => p.subscriptionId)).toEqual(['sub-3']);
        expect((await store.listPins('mid-b')).map((p) => p.subscriptionId).sort()).toEqual(['sub-1', 'sub-2']);
        expect(await store.listPins('mid-none')).toEqual([]);
      });
    });

    describe('decline history', () => {
      it("returns a card's declines since a time, across MIDs, in order", async () => {
        await ok({ decline: declineRecord(T0 - 2 * DAY, { mid: 'mid-a' }) });
        await ok({ decline: declineRecord(T0 - DAY, { mid: 'mid-b', advice: '24', retryAfter: T0, networkCategory: undefined }) });
        await ok({ decline: declineRecord(T0, { fingerprint: 'fp_other' }) });
        expect(await store.declineHistory('fp_abc', T0 - 3 * DAY)).toEqual([
          declineRecord(T0 - 2 * DAY, { mid: 'mid-a' }),
          declineRecord(T0 - DAY, { mid: 'mid-b', advice: '24', retryAfter: T0, networkCategory: undefined }),
        ]);
        expect((await store.declineHistory('fp_abc', T0 - DAY)).map((d) => d.mid)).toEqual(['mid-b']);
        expect(await store.declineHistory('fp_none', 0)).toEqual([]);
      });

      it('keeps 30 days: declines older than 30 days before a new one are dropped', async () => {
        await ok({ decline: declineRecord(T0 - 31 * DAY, { reason: 'old' }) });
        await ok({ decline: declineRecord(T0 - 29 * DAY, { reason: 'recent' }) });
        await ok({ decline: declineRecord(T0, { reason: 'new' }) });
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
