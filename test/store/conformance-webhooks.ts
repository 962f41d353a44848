/**
 * Store conformance for webhooks: a notification is recorded exactly once, atomically with the
 * change it causes (a refused part refuses the whole write); a deferred one is replaced only
 * while deferred; disputes change only from the revision the writer read; the indexed lookups
 * by our reference and by gateway id, the dispute filters and accepted follow-ups.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DisputeRecord, NotificationRecord, Store } from '../../src/store/types';
import { attemptRecord, txRecord } from './conformance';

const T0 = Date.UTC(2026, 10, 21, 12);

function note(id: string, over: Partial<NotificationRecord> = {}): NotificationRecord {
  return {
    id: `mid-a:${id}`,
    mid: 'mid-a',
    gateway: 'adyen',
    status: 'applied',
    notification: { id, kind: 'refund_succeeded', eventType: 'REFUND', reference: 'at_1', amount: 500, currency: 'USD' },
    receivedAt: T0,
    updatedAt: T0,
    ...over,
  };
}

function dispute(over: Partial<DisputeRecord> = {}): DisputeRecord {
  return {
    id: 'mid-a:dp_1',
    gatewayDisputeId: 'dp_1',
    mid: 'mid-a',
    gateway: 'stripe',
    transactionId: 'tx_d',
    amount: 4999,
    currency: 'USD',
    reasonCode: '10.4',
    category: 'fraud',
    status: 'needs_response',
    openedAt: T0,
    lastEventAt: T0,
    lastEventType: 'charge.dispute.created',
    revision: 1,
    ...over,
  };
}

/** Run the webhook part of the Store conformance suite on a store factory. */
export function runWebhooksConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store conformance (webhooks): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('records a notification once: the same id again is a conflict naming its status', async () => {
      expect(await store.write({ notification: { record: note('n1') } })).toEqual({ ok: true });
      expect(await store.write({ notification: { record: note('n1', { status: 'recorded' }) } })).toEqual({
        ok: false,
        conflict: 'notification',
        status: 'applied',
      });
      expect(await store.getNotification('mid-a:n1')).toEqual(note('n1'));
      expect(await store.getNotification('mid-a:nope')).toBeUndefined();
    });

    it('a duplicate notification refuses the whole write: the change it came with is not applied', async () => {
      const tx = txRecord({ status: 'captured', capturedAmount: 1999 });
      await store.write({ insertTransaction: tx });
      await store.write({ notification: { record: note('n2') } });
      const r = await store.write({
        transaction: { id: tx.id, from: ['captured'], patch: { updatedAt: T0 + 1 }, add: { refunded: 500 }, refundStatus: true },
        notification: { record: note('n2') },
      });
      expect(r).toMatchObject({ ok: false, conflict: 'notification' });
      expect(await store.getTransaction(tx.id)).toMatchObject({ status: 'captured', refundedAmount: 0, updatedAt: T0 });
    });

    it('a refused change refuses the notification with it (recorded only with its change)', async () => {
      const tx = txRecord({ status: 'captured', capturedAmount: 1999 });
      await store.write({ insertTransaction: tx });
      const r = await store.write({
        transaction: { id: tx.id, from: ['authorized'], patch: { status: 'voided', updatedAt: T0 + 1 } },
        notification: { record: note('n3') },
      });
      expect(r).toMatchObject({ ok: false, conflict: 'state' });
      expect(await store.getNotification('mid-a:n3')).toBeUndefined();
    });

    it('replaces a deferred notification only while it is deferred', async () => {
      await store.write({ notification: { record: note('n4', { status: 'deferred' }) } });
      expect(await store.write({ notification: { record: note('n4', { status: 'applied', note: 'later' }), from: ['deferred'] } })).toEqual(
        {
          ok: true,
        },
      );
      expect(await store.getNotification('mid-a:n4')).toMatchObject({ status: 'applied', note: 'later' });
      expect(await store.write({ notification: { record: note('n4', { status: 'applied' }), from: ['deferred'] } })).toEqual({
        ok: false,
        conflict: 'notification',
        status: 'applied',
      });
      expect(await store.write({ notification: { record: note('n-none'), from: ['deferred'] } })).toMatchObject({
        ok: false,
        conflict: 'notification',
      });
    });

    it('lists notifications by status and MID, oldest first, with a limit', async () => {
      await store.write({ notification: { record: note('a', { status: 'unmatched' }) } });
      await store.write({ notification: { record: note('b', { status: 'deferred' }) } });
      await store.write({ notification: { record: note('c', { status: 'unmatched', mid: 'mid-b', id: 'mid-b:c' }) } });
      await store.write({ notification: { record: note('d', { status: 'unmatched' }) } });
      expect((await store.listNotifications({ status: 'unmatched' })).map((n) => n.id)).toEqual(['mid-a:a', 'mid-b:c', 'mid-a:d']);
      expect((await store.listNotifications({ status: 'unmatched', mid: 'mid-a' })).map((n) => n.id)).toEqual(['mid-a:a', 'mid-a:d']);
      expect((await store.listNotifications({ limit: 2 })).map((n) => n.id)).toEqual(['mid-a:a', 'mid-a:b']);
      expect(await store.listNotifications({ status: 'conflict' })).toEqual([]);
    });

    it('disputes change only from the revision the writer read', async () => {
      expect(await store.write({ dispute: dispute() })).toEqual({ ok: true });
      expect(await store.write({ dispute: dispute() })).toEqual({ ok: false, conflict: 'dispute' });
      const won = dispute({ status: 'won', revision: 2, lastEventAt: T0 + 5, lastEventType: 'charge.dispute.closed', closedAt: T0 + 5 });
      expect(await store.write({ dispute: won })).toEqual({ ok: true });
      expect(await store.write({ dispute: { ...won, status: 'lost' } })).toEqual({ ok: false, conflict: 'dispute' });
      expect(await store.write({ dispute: dispute({ revision: 5 }) })).toEqual({ ok: false, conflict: 'dispute' });
      expect(await store.getDispute('mid-a:dp_1')).toEqual(won);
    });

    it('a dispute is written with its notification or not at all', async () => {
      await store.write({ notification: { record: note('dn') } });
      expect(
        await store.write({ dispute: dispute({ id: 'mid-a:dp_x', gatewayDisputeId: 'dp_x' }), notification: { record: note('dn') } }),
      ).toMatchObject({
        ok: false,
        conflict: 'notification',
      });
      expect(await store.getDispute('mid-a:dp_x')).toBeUndefined();
    });

    it('lists disputes by MID, status, transaction and opening time (from inclusive, to exclusive), oldest opened first', async () => {
      await store.write({ dispute: dispute({ id: 'mid-a:2', openedAt: T0 + 2_000 }) });
      await store.write({ dispute: dispute({ id: 'mid-a:1', openedAt: T0 + 1_000, status: 'won' }) });
      await store.write({ dispute: dispute({ id: 'mid-b:3', mid: 'mid-b', openedAt: T0 + 3_000, transactionId: undefined }) });
      const ids = async (f: Parameters<Store['listDisputes']>[0]) => (await store.listDisputes(f)).map((d) => d.id);
      expect(await ids({})).toEqual(['mid-a:1', 'mid-a:2', 'mid-b:3']);
      expect(await ids({ mid: 'mid-a' })).toEqual(['mid-a:1', 'mid-a:2']);
      expect(await ids({ status: 'needs_response' })).toEqual(['mid-a:2', 'mid-b:3']);
      expect(await ids({ transactionId: 'tx_d' })).toEqual(['mid-a:1', 'mid-a:2']);
      expect(await ids({ from: T0 + 2_000 })).toEqual(['mid-a:2', 'mid-b:3']);
      expect(await ids({ to: T0 + 2_000 })).toEqual(['mid-a:1']);
      expect((await store.listDisputes({ mid: 'mid-b' }))[0].transactionId).toBeUndefined();
    });

    it('finds an attempt by our reference or by gateway id on its MID, and a transaction by its gateway id', async () => {
      const tx = txRecord({ status: 'captured', mid: 'mid-a', gatewayTransactionId: 'pay_1', capturedAmount: 1999 });
      const payment = attemptRecord(tx.id, { status: 'approved', gatewayTransactionId: 'pay_1' });
      const refund = attemptRecord(tx.id, { operation: 'refund', status: 'accepted', gatewayTransactionId: 're_1', amount: 500 });
      const other = txRecord({ status: 'captured', mid: 'mid-b', gatewayTransactionId: 'pay_2' });
      await store.write({ insertTransaction: tx, insertAttempt: payment });
      await store.write({ insertAttempt: refund });
      await store.write({ insertTransaction: other });
      const byRef = await store.findByGatewayReference('mid-a', { reference: refund.id });
      expect(byRef?.transaction.id).toBe(tx.id);
      expect(byRef?.attempt?.id).toBe(refund.id);
      expect(await store.findByGatewayReference('mid-b', { reference: refund.id })).toBeUndefined();
      const byTxId = await store.findByGatewayReference('mid-a', { gatewayTransactionId: 'pay_1' });
      expect(byTxId?.transaction.id).toBe(tx.id);
      expect(byTxId?.attempt).toBeUndefined();
      expect((await store.findByGatewayReference('mid-a', { gatewayTransactionId: 're_1' }))?.attempt?.id).toBe(refund.id);
      expect(await store.findByGatewayReference('mid-a', { gatewayTransactionId: 'pay_2' })).toBeUndefined();
      expect((await store.findByGatewayReference('mid-b', { gatewayTransactionId: 'pay_2' }))?.transaction.id).toBe(other.id);
      // An unknown reference falls back to the gateway id.
      expect((await store.findByGatewayReference('mid-a', { reference: 'at_nope', gatewayTransactionId: 're_1' }))?.attempt?.id).toBe(
        refund.id,
      );
      expect(await store.findByGatewayReference('mid-a', { reference: 'at_nope' })).toBeUndefined();
    });

    it('lists accepted attempts that started before a time', async () => {
      const tx = txRecord({ status: 'captured', capturedAmount: 1999 });
      const a1 = attemptRecord(tx.id, { operation: 'refund', status: 'accepted', startedAt: T0 });
      const a2 = attemptRecord(tx.id, { operation: 'refund', status: 'accepted', startedAt: T0 + 10 });
      const a3 = attemptRecord(tx.id, { operation: 'refund', status: 'pending', startedAt: T0 });
      await store.write({ insertTransaction: tx, insertAttempt: a1 });
      await store.write({ insertAttempt: a2 });
      await store.write({ insertAttempt: a3 });
      expect((await store.listAcceptedAttempts(T0 + 5)).map((a) => a.id)).toEqual([a1.id]);
      expect((await store.listAcceptedAttempts(T0 + 11)).map((a) => a.id)).toEqual([a1.id, a2.id]);
      await store.write({ attempt: { id: a1.id, from: ['accepted'], patch: { status: 'approved' } } });
      expect((await store.listAcceptedAttempts(T0 + 11)).map((a) => a.id)).toEqual([a2.id]);
    });
  });
}
