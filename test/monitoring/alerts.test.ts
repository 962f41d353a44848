/**
 * Prevention alerts: exact match, fuzzy match (card, amount, date), ambiguous match refused,
 * replayed alert id, alert for an already refunded transaction (no second refund), alert for a
 * rebill (subscription cancelled), refunds on the MID that took the sale, and concurrent alerts
 * that can never refund twice.
 */
import { describe, expect, it } from 'vitest';
import { CARDS, saleRequest, sandboxMids, testRouter } from '../support/router';

const NOV = Date.UTC(2026, 10, 10, 12);
const VISA = { bin: '411111', last4: '1111' };

function setup() {
  let now = NOV;
  const { adapters, accounts } = sandboxMids(['a', 'b']);
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
    accounts,
    { clock: () => now },
  );
  const refunds = () => (adapters.a.calls.refund ?? 0) + (adapters.b.calls.refund ?? 0);
  return { router, store, adapters, refunds, tick: (ms: number) => (now += ms) };
}

describe('resolveAlert', () => {
  it('matches our transaction id exactly and refunds on the MID that took the sale, once per alert id', async () => {
    const { router, adapters, refunds } = setup();
    const sale = (await router.sale(saleRequest({ amount: 2500 }))).unwrap();
    const other = sale.mid === 'a' ? adapters.b : adapters.a;
    const alert = { alertId: 'eth-1', kind: 'ethoca_dispute', transactionId: sale.transactionId, action: 'refund' as const };
    const r = (await router.resolveAlert(alert)).unwrap();
    expect(r).toMatchObject({
      outcome: 'refunded',
      matchedBy: 'transactionId',
      mid: sale.mid,
      refunded: 2500,
      prevented: true,
      replayed: false,
    });
    expect(adapters[sale.mid as 'a' | 'b'].calls.refund).toBe(1);
    expect(other.calls.refund ?? 0).toBe(0);
    const again = (await router.resolveAlert(alert)).unwrap();
    expect(again).toMatchObject({ outcome: 'refunded', refunded: 2500, replayed: true });
    expect(refunds()).toBe(1);
    expect((await router.transaction(sale.transactionId))?.status).toBe('refunded');
    const h = (await router.midHealth(sale.mid)).mids[0]!;
    expect(h.counts.prevented).toEqual({ count: 1, amount: 2500 });
    expect(h.counts.disputes.count).toBe(0);
  });

  it('matches by the gateway’s transaction id', async () => {
    const { router } = setup();
    const sale = (await router.sale(saleRequest())).unwrap();
    const r = (
      await router.resolveAlert({
        alertId: 'cdrn-1',
        kind: 'cdrn_dispute',
        gatewayTransactionId: sale.gatewayTransactionId,
        action: 'refund',
      })
    ).unwrap();
    expect(r).toMatchObject({ matchedBy: 'gatewayTransactionId', transactionId: sale.transactionId, outcome: 'refunded' });
  });

  it('matches by card, amount and date within the window; refuses an ambiguous match and finds nothing outside the window', async () => {
    const { router, tick, refunds } = setup();
    const one = (await router.sale(saleRequest({ amount: 1500 }))).unwrap();
    tick(3_600_000);
    const twinA = (await router.sale(saleRequest({ amount: 4200 }))).unwrap();
    const twinB = (await router.sale(saleRequest({ amount: 4200 }))).unwrap();
    (await router.sale(saleRequest({ amount: 1500, number: CARDS.visa2 }))).unwrap(); // another card, same amount
    tick(3_600_000);
    const fuzzy = (
      await router.resolveAlert({ alertId: 'f-1', kind: 'ethoca_fraud', card: VISA, amount: 1500, date: NOV, action: 'refund' })
    ).unwrap();
    expect(fuzzy).toMatchObject({ matchedBy: 'card', transactionId: one.transactionId, outcome: 'refunded' });
    const amb = await router.resolveAlert({ alertId: 'f-2', kind: 'ethoca_fraud', card: VISA, amount: 4200, date: NOV, action: 'refund' });
    expect(amb.isErr() && amb.error).toMatchObject({ kind: 'rejected', rejection: 'alert_ambiguous' });
    expect(amb.isErr() && amb.error.message).toContain(twinA.transactionId);
    expect(amb.isErr() && amb.error.message).toContain(twinB.transactionId);
    const far = await router.resolveAlert({
      alertId: 'f-3',
      kind: 'ethoca_fraud',
      card: VISA,
      amount: 1500,
      date: NOV + 3 * 86_400_000,
      action: 'refund',
    });
    expect(far.isErr() && far.error).toMatchObject({ rejection: 'alert_unmatched' });
    expect(refunds()).toBe(1);
    // Refused alerts are not recorded: the same id resolves later with a precise reference.
    const exact = (
      await router.resolveAlert({ alertId: 'f-2', kind: 'ethoca_fraud', transactionId: twinB.transactionId, action: 'refund' })
    ).unwrap();
    expect(exact).toMatchObject({ transactionId: twinB.transactionId, outcome: 'refunded', replayed: false });
  });

  it('refunds nothing for a second alert on a refunded transaction, nor for a charged-back one', async () => {
    const { router, refunds } = setup();
    const sale = (await router.sale(saleRequest())).unwrap();
    (await router.refund(sale.transactionId)).unwrap();
    const r = (
      await router.resolveAlert({ alertId: 'x-1', kind: 'cdrn_dispute', transactionId: sale.transactionId, action: 'refund' })
    ).unwrap();
    expect(r).toMatchObject({ outcome: 'already_refunded', refunded: 0, prevented: true });
    expect(refunds()).toBe(1);
    const lost = (await router.sale(saleRequest())).unwrap();
    await router.recordDispute({ transactionId: lost.transactionId, disputeId: 'cb', status: 'lost' });
    const late = (
      await router.resolveAlert({ alertId: 'x-2', kind: 'ethoca_dispute', transactionId: lost.transactionId, action: 'refund' })
    ).unwrap();
    expect(late).toMatchObject({ outcome: 'already_charged_back', refunded: 0, prevented: false });
    expect(refunds()).toBe(1);
  });

  it('refunds what is left of a partly refunded sale', async () => {
    const { router } = setup();
    const sale = (await router.sale(saleRequest({ amount: 3000 }))).unwrap();
    (await router.refund(sale.transactionId, { amount: 1000 })).unwrap();
    const r = (
      await router.resolveAlert({ alertId: 'p-1', kind: 'cdrn_dispute', transactionId: sale.transactionId, action: 'refund' })
    ).unwrap();
    expect(r.refunded).toBe(2000);
  });

  it('an alert for a rebill refunds it on the pinned MID and cancels the subscription', async () => {
    const { router, adapters } = setup();
    const first = (await router.sale(saleRequest({ subscription: { id: 'sub-9' } }))).unwrap();
    const rebill = (await router.rebill({ subscriptionId: 'sub-9', amount: 1999, currency: 'USD', idempotencyKey: 'r-1' })).unwrap();
    expect(rebill.mid).toBe(first.mid);
    const revoked: string[] = [];
    router.on('subscription:revoked', (e) => revoked.push(e.subscriptionId));
    const r = (
      await router.resolveAlert({ alertId: 'rb-1', kind: 'cdrn_cancel', transactionId: rebill.transactionId, action: 'refund_and_cancel' })
    ).unwrap();
    expect(r).toMatchObject({ outcome: 'refunded', cancelledSubscription: 'sub-9', mid: first.mid });
    expect(adapters[first.mid as 'a' | 'b'].calls.refund).toBe(1);
    expect((await router.pin('sub-9'))?.status).toBe('cancelled');
    expect(revoked).toEqual(['sub-9']);
    const next = await router.rebill({ subscriptionId: 'sub-9', amount: 1999, currency: 'USD', idempotencyKey: 'r-2' });
    expect(next.isErr()).toBe(true);
  });

  it('cancel and record_only call no gateway', async () => {
    const { router, refunds } = setup();
    const sale = (await router.sale(saleRequest({ subscription: { id: 'sub-c' } }))).unwrap();
    const c = (
      await router.resolveAlert({ alertId: 'c-1', kind: 'cdrn_cancel', transactionId: sale.transactionId, action: 'cancel' })
    ).unwrap();
    expect(c).toMatchObject({ outcome: 'cancelled', cancelledSubscription: 'sub-c', refunded: 0 });
    const rdr = (
      await router.resolveAlert({ alertId: 'rdr-1', kind: 'rdr', transactionId: sale.transactionId, action: 'record_only' })
    ).unwrap();
    expect(rdr).toMatchObject({ outcome: 'recorded', refunded: 0, prevented: true });
    expect(refunds()).toBe(0);
    expect((await router.midHealth(sale.mid)).mids[0]!.counts.prevented.count).toBe(2);
  });

  it('never refunds twice when alerts race: the same id, or two ids for one transaction', async () => {
    const { router, refunds } = setup();
    const sale = (await router.sale(saleRequest())).unwrap();
    const same = { alertId: 'race-1', kind: 'ethoca_dispute', transactionId: sale.transactionId, action: 'refund' as const };
    const results = await Promise.all([
      router.resolveAlert(same),
      router.resolveAlert(same),
      router.resolveAlert({ ...same, alertId: 'race-2' }),
    ]);
    expect(refunds()).toBe(1);
    const refunded = results.filter((r) => r.isOk() && r.value.refunded > 0 && !r.value.replayed);
    expect(refunded.length).toBe(1);
    expect((await router.transaction(sale.transactionId))?.refundedAmount).toBe(sale.amount);
  });

  it('refuses bad input naming the field', async () => {
    const { router } = setup();
    const ok = { alertId: 'v', kind: 'ethoca_dispute', transactionId: 'tx_1', action: 'refund' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...ok, alertId: '' }, 'alertId'],
      [{ ...ok, kind: undefined }, 'kind'],
      [{ ...ok, action: 'chargeback' }, 'action'],
      [{ ...ok, amount: 0 }, 'amount'],
      [{ ...ok, transactionId: undefined }, 'transactionId'],
      [{ ...ok, card: { bin: '4111', last4: '1111' }, date: NOV }, 'card.bin'],
      [{ ...ok, card: { bin: '411111', last4: '11' }, date: NOV }, 'card.last4'],
      [{ ...ok, card: VISA }, 'date'],
      [{ ...ok, date: 'today' }, 'date'],
    ];
    for (const [input, field] of cases) {
      const r = await router.resolveAlert(input as never);
      expect(r.isErr() && r.error.kind === 'rejected' && r.error.field, JSON.stringify(input)).toBe(field);
    }
    const none = await router.resolveAlert(ok as never);
    expect(none.isErr() && none.error).toMatchObject({ rejection: 'alert_unmatched' });
  });
});
