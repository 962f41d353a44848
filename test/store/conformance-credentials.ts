/**
 * Store conformance for cards on file: a pin's stored credentials per MID (`pinCredential`),
 * written atomically with the rest of a write, run against every store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PinCredential, Store } from '../../src/store/types';
import { pinRecord } from './conformance';

const T0 = Date.UTC(2026, 10, 21, 12);

/** A credential on `mid`; override any field. */
export function credential(mid: string, over: Partial<PinCredential> = {}): PinCredential {
  return {
    mid,
    gateway: 'sandbox',
    gatewayToken: `tok_${mid}`,
    gatewayTransactionId: `gw_${mid}`,
    networkTransactionId: `ntid_${mid}`,
    transactionId: `tx_${mid}`,
    origin: 'customer',
    at: T0,
    ...over,
  };
}

/** Run the credentials conformance tests against a store. */
export function runCredentialsConformance(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store conformance, cards on file: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('a credential per MID: a MID gets one, a second for that MID replaces it and goes last, others stay', async () => {
      const a = credential('mid-a');
      await store.write({ createPin: pinRecord('s1', { credentials: [a] }) });
      const b = credential('mid-b', { gateway: 'checkout', scope: 'cko-acct', gatewayToken: undefined, origin: 'merchant' });
      expect(await store.write({ pinCredential: { subscriptionId: 's1', credential: b, now: T0 + 1 } })).toEqual({ ok: true });
      const a2 = credential('mid-a', { gatewayToken: 'tok_new', transactionId: 'tx_2', at: T0 + 2 });
      await store.write({ pinCredential: { subscriptionId: 's1', credential: a2, now: T0 + 2, vaultReference: 'vault-ref-1' } });
      const pin = await store.getPin('s1');
      expect(pin?.credentials).toEqual([b, a2]);
      expect(pin?.vaultReference).toBe('vault-ref-1');
      expect(pin?.updatedAt).toBe(T0 + 2);
      // The pin's other fields are untouched.
      expect(pin).toMatchObject({ mid: 'mid-a', status: 'active', gatewayToken: 'tok_1' });
    });

    it('with createPin in the same write: a new pin keeps its credential; an existing pin gains the new one', async () => {
      const first = pinRecord('s2', { credentials: [credential('mid-a')] });
      expect(
        await store.write({ createPin: first, pinCredential: { subscriptionId: 's2', credential: credential('mid-a'), now: T0 } }),
      ).toEqual({
        ok: true,
        pinCreated: true,
      });
      expect((await store.getPin('s2'))?.credentials).toEqual([credential('mid-a')]);
      const again = pinRecord('s2', { mid: 'mid-b', credentials: [credential('mid-b')] });
      expect(
        await store.write({ createPin: again, pinCredential: { subscriptionId: 's2', credential: credential('mid-b'), now: T0 + 5 } }),
      ).toEqual({ ok: true, pinCreated: false });
      const pin = await store.getPin('s2');
      expect(pin?.mid).toBe('mid-a');
      expect(pin?.credentials).toEqual([credential('mid-a'), credential('mid-b')]);
    });

    it('with updatePin in the same write both apply; without a pin nothing is written and the write still applies', async () => {
      await store.write({ createPin: pinRecord('s3', { credentials: [credential('mid-a')] }) });
      await store.write({
        updatePin: { subscriptionId: 's3', patch: { data: { rebills: 1 } }, now: T0 + 1 },
        pinCredential: { subscriptionId: 's3', credential: credential('mid-c'), now: T0 + 1 },
      });
      const pin = await store.getPin('s3');
      expect(pin?.data).toEqual({ rebills: 1 });
      expect(pin?.credentials?.map((c) => c.mid)).toEqual(['mid-a', 'mid-c']);
      expect(
        await store.write({
          pinCredential: { subscriptionId: 'nobody', credential: credential('mid-a'), now: T0 },
          complete: { key: 'k-cred', result: { ok: true, value: 1 } },
        }),
      ).toEqual({ ok: true });
      expect(await store.getPin('nobody')).toBeUndefined();
      expect((await store.getClaim('k-cred'))?.status).toBe('completed');
    });

    it('concurrent credentials for different MIDs are all kept (no lost update)', async () => {
      await store.write({ createPin: pinRecord('s4', { credentials: [] }) });
      const mids = Array.from({ length: 12 }, (_, i) => `mid-${i}`);
      await Promise.all(
        mids.map((m, i) => store.write({ pinCredential: { subscriptionId: 's4', credential: credential(m), now: T0 + i } })),
      );
      const kept = (await store.getPin('s4'))?.credentials?.map((c) => c.mid).sort();
      expect(kept).toEqual([...mids].sort());
    });

    it('a pin written without credentials reads back without them; its first credential starts the list', async () => {
      await store.write({ createPin: pinRecord('s5') });
      expect((await store.getPin('s5'))?.credentials).toBeUndefined();
      await store.write({ pinCredential: { subscriptionId: 's5', credential: credential('mid-b'), now: T0 } });
      expect((await store.getPin('s5'))?.credentials).toEqual([credential('mid-b')]);
    });
  });
}
