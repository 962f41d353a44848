/**
 * Store conformance for 3-D Secure: attempts waiting for the cardholder are listed for expiry,
 * a challenge's deadline and action survive the round trip, and the move out of
 * `requires_action` (completion or expiry) applies once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types';
import { attemptRecord, txRecord } from './conformance';

const T0 = Date.UTC(2026, 10, 21, 12);

/** Run the 3-D Secure store tests against a store factory. */
export function runThreeDSecureConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: 3-D Secure`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('lists the attempts waiting for the cardholder, oldest first, and keeps the deadline and the action', async () => {
      const action = {
        type: 'redirect' as const,
        url: 'https://acs.example/c?x=1',
        method: 'POST' as const,
        data: { PaReq: 'abc', MD: 'm' },
      };
      const ids: string[] = [];
      for (const [i, status] of (['requires_action', 'pending', 'requires_action', 'approved'] as const).entries()) {
        const tx = txRecord({ status: status === 'requires_action' ? 'requires_action' : 'pending', action, expiresAt: T0 + 900_000 + i });
        const at = attemptRecord(tx.id, { status, startedAt: T0 + 10 - i, actionStep: i });
        expect((await store.write({ insertTransaction: tx, insertAttempt: at })).ok).toBe(true);
        ids.push(at.id);
        const back = await store.getTransaction(tx.id);
        expect(back?.action).toEqual(action);
        expect(back?.expiresAt).toBe(T0 + 900_000 + i);
      }
      const listed = await store.listActionAttempts();
      expect(listed.map((a) => a.id)).toEqual([ids[2], ids[0]]);
      expect(listed.map((a) => a.actionStep)).toEqual([2, 0]);
    });

    it('a challenged attempt settles once: the second writer finds it settled', async () => {
      const tx = txRecord({ status: 'requires_action', expiresAt: T0 + 1 });
      const at = attemptRecord(tx.id, { status: 'requires_action' });
      await store.write({ insertTransaction: tx, insertAttempt: at });
      const settle = () =>
        store.write({
          attempt: { id: at.id, from: ['requires_action'], patch: { status: 'approved', settledAt: T0 } },
          transaction: {
            id: tx.id,
            from: ['requires_action'],
            patch: { status: 'captured', action: undefined },
            add: { captured: tx.amount },
          },
        });
      const [a, b] = await Promise.all([settle(), settle()]);
      expect([a.ok, b.ok].sort()).toEqual([false, true]);
      const loser = a.ok ? b : a;
      expect(loser).toMatchObject({ ok: false, conflict: 'state', on: 'attempt', status: 'approved' });
      const back = await store.getTransaction(tx.id);
      expect(back).toMatchObject({ status: 'captured', capturedAmount: tx.amount, expiresAt: T0 + 1 });
      expect(back?.action).toBeUndefined();
      expect(await store.listActionAttempts()).toEqual([]);
    });
  });
}
