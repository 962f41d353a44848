import { describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { CARDS, saleRequest, testRouter } from '../support/router';

function twoMids() {
  const a = sandbox();
  const b = sandbox();
  const { router, store } = testRouter(
    {
      pools: {
        p: {
          strategy: 'weighted',
          members: [
            { mid: 'a', weight: 50 },
            { mid: 'b', weight: 50 },
          ],
        },
      },
      route: ['p'],
    },
    [
      { id: 'a', adapter: a },
      { id: 'b', adapter: b },
    ],
  );
  return { router, store, adapters: { a, b } };
}

describe('follow-ups go to the MID that authorized', () => {
  it('capture, partial capture, refund and void are pinned, never routed', async () => {
    const { router, adapters } = twoMids();
    for (let i = 0; i < 10; i++) {
      const auth = (await router.authorize(saleRequest({ amount: 10_000 }))).unwrap();
      const own = adapters[auth.mid as 'a' | 'b'];
      const other = adapters[auth.mid === 'a' ? 'b' : 'a'];
      const otherCalls = { ...other.calls };
      // Routing changes must not matter: disable the MID, follow-ups still go there.
      router.setMidEnabled(auth.mid, false, 'test');
      const c1 = (await router.capture(auth.transactionId, { amount: 6000 })).unwrap();
      const c2 = (await router.capture(auth.transactionId, { amount: 4000 })).unwrap();
      const over = await router.capture(auth.transactionId, { amount: 1 });
      expect(over.isErr() && over.error.rejection).toBe('amount_exceeds_authorized');
      const r1 = (await router.refund(auth.transactionId, { amount: 2500 })).unwrap();
      expect([c1.mid, c2.mid, r1.mid]).toEqual([auth.mid, auth.mid, auth.mid]);
      const g = own.charges.get(auth.gatewayTransactionId)!;
      expect([g.captured, g.refunded]).toEqual([10_000, 2500]);
      expect(other.calls).toEqual(otherCalls);
      router.setMidEnabled(auth.mid, true);
    }
  });

  it('refunds never add up to more than was captured', async () => {
    const { router } = twoMids();
    const sale = (await router.sale(saleRequest({ amount: 5000 }))).unwrap();
    expect((await router.refund(sale.transactionId, { amount: 3000 })).isOk()).toBe(true);
    const tooMuch = await router.refund(sale.transactionId, { amount: 2001 });
    expect(tooMuch.isErr() && tooMuch.error).toMatchObject({ kind: 'rejected', rejection: 'amount_exceeds_captured', field: 'amount' });
    const rest = (await router.refund(sale.transactionId)).unwrap();
    expect(rest.amount).toBe(2000);
    expect((await router.refund(sale.transactionId, { amount: 1 })).isErr()).toBe(true);
  });

  it('concurrent refunds cannot over-refund', async () => {
    const { router, adapters } = twoMids();
    const sale = (await router.sale(saleRequest({ amount: 5000 }))).unwrap();
    const results = await Promise.all(Array.from({ length: 20 }, () => router.refund(sale.transactionId, { amount: 1000 })));
    expect(results.filter((r) => r.isOk())).toHaveLength(5);
    expect(adapters[sale.mid as 'a'].charges.get(sale.gatewayTransactionId)!.refunded).toBe(5000);
  });

  it('an authorization cannot be refunded before capture; a voided one cannot be captured', async () => {
    const { router } = twoMids();
    const auth = (await router.authorize(saleRequest())).unwrap();
    expect((await router.refund(auth.transactionId)).isErr()).toBe(true);
    expect((await router.void(auth.transactionId)).isOk()).toBe(true);
    const cap = await router.capture(auth.transactionId);
    expect(cap.isErr() && cap.error.rejection).toBe('invalid_state');
    const unknown = await router.capture('tx_nope');
    expect(unknown.isErr() && unknown.error.rejection).toBe('unknown_transaction');
  });
});

describe('subscriptions are pinned to the MID of their initial sale', () => {
  it('every rebill goes to the pinned MID with the stored credential', async () => {
    const { router, adapters } = twoMids();
    const pins: string[] = [];
    router.on('pin:created', (e) => pins.push(`${e.subscriptionId}@${e.mid}`));
    const subs = [];
    for (let i = 0; i < 20; i++) {
      const s = (await router.sale(saleRequest({ subscription: { id: `sub-${i}` } }))).unwrap();
      subs.push(s);
    }
    expect(new Set(subs.map((s) => s.mid))).toEqual(new Set(['a', 'b']));
    expect(pins).toEqual(subs.map((s, i) => `sub-${i}@${s.mid}`));
    for (const [i, s] of subs.entries()) {
      for (let k = 0; k < 3; k++) {
        const r = (
          await router.rebill({ subscriptionId: `sub-${i}`, amount: 2999, currency: 'USD', idempotencyKey: `rb-${i}-${k}` })
        ).unwrap();
        expect(r.mid).toBe(s.mid);
        expect(r.operation).toBe('rebill');
        const charge = adapters[s.mid as 'a'].charges.get(r.gatewayTransactionId)!;
        expect(charge.storedCredential).toEqual({
          type: 'subsequent',
          initiator: 'merchant',
          reason: 'recurring',
          networkTransactionId: s.networkTransactionId,
          gatewayToken: `tok_${s.gatewayTransactionId}`,
          previousGatewayTransactionId: s.gatewayTransactionId,
        });
      }
    }
    const initial = adapters.a.charges.size
      ? [...adapters.a.charges.values()].find((c) => c.operation === 'sale' && c.storedCredential?.type === 'initial')
      : undefined;
    expect(initial?.storedCredential).toEqual({ type: 'initial', reason: 'recurring' });
  });

  it('a rebill whose pinned MID is disabled, capped or gone fails clearly and never moves', async () => {
    const a = sandbox();
    const b = sandbox();
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a, caps: { daily: { amount: 5000 } } },
      { id: 'b', adapter: b },
    ]);
    await router.sale(saleRequest({ amount: 1000, subscription: { id: 's1' } }));
    router.setMidEnabled('a', false, 'closing');
    const disabled = await router.rebill({ subscriptionId: 's1', amount: 1000, currency: 'USD', idempotencyKey: 'r1' });
    expect(disabled.isErr() && disabled.error).toMatchObject({ kind: 'rejected', rejection: 'pinned_mid_unavailable' });
    expect(disabled.isErr() && disabled.error.message).toMatch(/pinned to a.*disabled \(closing\)/);
    router.setMidEnabled('a', true);
    const capped = await router.rebill({ subscriptionId: 's1', amount: 4500, currency: 'USD', idempotencyKey: 'r2' });
    expect(capped.isErr() && capped.error.rejection).toBe('pinned_mid_unavailable');
    expect(b.charges.size).toBe(0);
    const unknown = await router.rebill({ subscriptionId: 'nope', amount: 1000, currency: 'USD', idempotencyKey: 'r3' });
    expect(unknown.isErr() && unknown.error.rejection).toBe('unknown_subscription');
  });

  it('repin is the only way to move, and it is audited', async () => {
    const { router, store, adapters } = twoMids();
    const s = (await router.sale(saleRequest({ subscription: { id: 'sub-x' } }))).unwrap();
    const to = s.mid === 'a' ? 'b' : 'a';
    const noReason = await router.repin('sub-x', to, { reason: ' ' });
    expect(noReason.isErr() && noReason.error.field).toBe('reason');
    const moved: string[] = [];
    router.on('pin:moved', (e) => moved.push(`${e.fromMid}->${e.toMid}`));
    const audit = (await router.repin('sub-x', to, { reason: 'MID closing' })).unwrap();
    expect(audit).toMatchObject({ subscriptionId: 'sub-x', fromMid: s.mid, toMid: to, reason: 'MID closing' });
    expect(await store.listRepinAudit('sub-x')).toEqual([audit]);
    expect(moved).toEqual([`${s.mid}->${to}`]);
    // The new MID is another gateway (another sandbox): the old one's token and ids never go there.
    const before = { ...adapters[to as 'a'].calls };
    const noCard = await router.rebill({ subscriptionId: 'sub-x', amount: 100, currency: 'USD', idempotencyKey: 'after-move' });
    expect(noCard.isErr() && noCard.error).toMatchObject({ kind: 'rejected', rejection: 'credential_not_portable' });
    expect(adapters[to as 'a'].calls).toEqual(before);
    // With the card again, the new MID charges it with the portable network transaction id only.
    const card = { number: CARDS.visa, expMonth: 12, expYear: 2030 };
    const r = (
      await router.rebill({ subscriptionId: 'sub-x', amount: 100, currency: 'USD', idempotencyKey: 'after-move-2', card })
    ).unwrap();
    expect(r.mid).toBe(to);
    const charge = adapters[to as 'a'].charges.get(r.gatewayTransactionId)!;
    expect(charge.storedCredential).toEqual({
      type: 'subsequent',
      initiator: 'merchant',
      reason: 'recurring',
      networkTransactionId: s.networkTransactionId,
    });
  });

  it('a revocation (R1) on a rebill revokes the subscription and emits subscription:revoked', async () => {
    let revoke = false;
    const a = sandbox({ respond: () => (revoke ? { status: 'declined', code: 'R1' } : { status: 'approved' }) });
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a },
    ]);
    await router.sale(saleRequest({ subscription: { id: 's' } }));
    revoke = true;
    const events: string[] = [];
    router.on('subscription:revoked', (e) => events.push(e.subscriptionId));
    const r = await router.rebill({ subscriptionId: 's', amount: 100, currency: 'USD', idempotencyKey: 'x' });
    expect(r.isErr() && r.error.decline?.reason).toBe('revocation_of_authorization');
    expect(events).toEqual(['s']);
    expect((await router.pin('s'))?.status).toBe('revoked');
    const again = await router.rebill({ subscriptionId: 's', amount: 100, currency: 'USD', idempotencyKey: 'y' });
    expect(again.isErr() && again.error.rejection).toBe('invalid_state');
  });
});
