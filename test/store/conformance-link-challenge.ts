/**
 * Store conformance for payment links with 3-D Secure: a link's pending payment that waits for
 * the cardholder's bank keeps its challenge (transaction, expiry) in the link state, replaced
 * whole by the next write (clearing the pending payment clears it), under the revision condition.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentLinkRecord, Store } from '../../src/store/types';

const T0 = Date.UTC(2026, 11, 2, 5);

function link(over: Partial<PaymentLinkRecord> = {}): PaymentLinkRecord {
  return {
    invoiceId: 'INV-3DS',
    version: 1,
    status: 'open',
    expiresAt: T0 + 3_600_000,
    attempts: 0,
    revision: 1,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

/** The 3-D Secure part of the payment-link store contract. */
export function runLinkChallengeConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: payment links waiting for the bank`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps a pending challenge, refuses a stale writer, and a settling write clears it', async () => {
      expect((await store.write({ link: { record: link(), expectRevision: 0 } })).ok).toBe(true);
      const pending = link({
        revision: 2,
        attempts: 1,
        pendingKey: 'link:INV-3DS:v1:a1',
        pendingSince: T0 + 1,
        challenge: { transactionId: 'tx_AAAABBBBCCCCDDDD', expiresAt: T0 + 900_000 },
      });
      expect((await store.write({ link: { record: pending, expectRevision: 1 } })).ok).toBe(true);
      expect(await store.getLink('INV-3DS')).toEqual(pending);
      // A writer that read revision 1 (e.g. a second return) changes nothing.
      const stale = await store.write({
        link: { record: link({ revision: 2, status: 'paid', transactionId: 'tx_other' }), expectRevision: 1 },
      });
      expect(stale).toMatchObject({ ok: false, conflict: 'state' });
      expect(await store.getLink('INV-3DS')).toEqual(pending);
      const { pendingKey: _k, pendingSince: _s, challenge: _c, ...rest } = pending;
      const paid = { ...rest, revision: 3, status: 'paid' as const, transactionId: 'tx_AAAABBBBCCCCDDDD', paidAt: T0 + 2, paidBy: 'card' };
      expect((await store.write({ link: { record: paid, expectRevision: 2 } })).ok).toBe(true);
      const read = await store.getLink('INV-3DS');
      expect(read).toEqual(paid);
      expect(read).not.toHaveProperty('challenge');
    });
  });
}
