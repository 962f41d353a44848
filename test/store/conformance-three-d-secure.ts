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

    it('lists the attempts waiting for the cardholder whose deadline has come, earliest first, and keeps the deadline and the action', async () => {
      const action = {
        type: 'redirect' as const,
        url: 'https://acs.example/c?x=1',
        method: 'POST' as const,
        data: { PaReq: 'abc', MD: 'm' },
      };
      const rows: Array<[string, number | undefined]> = [
        ['requires_action', T0 + 300],
        ['pending', T0 + 100],
        ['requires_action', T0 + 200],
        ['approved', T0 + 100],
        ['requires_action', T0 + 900],
        ['requires_action', undefined],
      ];
      const ids: string[] = [];
      for (const [i, [status, expiresAt]] of rows.entries()) {
        const tx = txRecord({ status: status === 'requires_action' ? 'requires_action' : 'pending', action, expiresAt });
        const at = attemptRecord(tx.id, { status: status as never, startedAt: T0 + 10 - i, actionStep: i, expiresAt });
        expect((await store.write({ insertTransaction: tx, insertAttempt: at })).ok).toBe(true);
        ids.push(at.id);
        const back = await store.getTransaction(tx.id);
        expect(back?.action).toEqual(action);
        expect(back?.expiresAt).toBe(expiresAt);
      }
      // A deadline at the given time counts; one without a deadline (written before 3-D Secure expiry existed) counts as expired.
      const listed = await store.listActionAttempts(T0 + 300);
      expect(listed.map((a) => a.id)).toEqual([ids[5], ids[2], ids[0]]);
      expect(listed.map((a) => [a.actionStep, a.expiresAt])).toEqual([
        [5, undefined],
        [2, T0 + 200],
        [0, T0 + 300],
      ]);
      expect((await store.listActionAttempts(T0 + 299)).map((a) => a.id)).toEqual([ids[5], ids[2]]);
      expect((await store.listActionAttempts(T0 + 900)).map((a) => a.id)).toEqual([ids[5], ids[2], ids[0], ids[4]]);
    });

    it('a challenged attempt settles once: the second writer finds it settled', async () => {
      const tx = txRecord({ status: 'requires_action', expiresAt: T0 + 1 });
      const at = attemptRecord(tx.id, { status: 'requires_action', expiresAt: T0 + 1 });
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
      expect(await store.listActionAttempts(T0 + 1)).toEqual([]);
    });
  });
}
