/**
 * Adyen through the router: captures, cancels and refunds are only `received` by Adyen, so they
 * are recorded pending until the fake's signed webhook (real HTTP, delivered in the order each
 * test chooses) settles them; a failed REFUND gives the amount back; early, late and repeated
 * notifications land where the state machine allows; orphans are kept; expiry and 3-D Secure
 * completions arrive by webhook.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '../../src/router';
import type { RouterEvents } from '../../src/events';
import { adyenBody } from '../support/webhook-signing';
import { CARD, deliver, type Fakes, heldOf, SECRETS, startFakes } from './support';

let f: Fakes;
let failing: Fakes;
beforeAll(async () => {
  [f, failing] = await Promise.all([startFakes(), startFakes({ adyenRefundFailure: 1 })]);
});
afterAll(async () => {
  await Promise.all([f.close(), failing.close()]);
});
afterEach(() => {
  f.forget();
  failing.forget();
});

let n = 0;
const pay = (router: Router, op: 'sale' | 'authorize', amount = 5000) =>
  router[op]({ profile: 'adyen-1', idempotencyKey: `ad-${n++}`, amount, currency: 'USD', card: CARD });

function events<K extends keyof RouterEvents>(router: Router, name: K): RouterEvents[K][] {
  const out: RouterEvents[K][] = [];
  router.on(name, (e) => out.push(e));
  return out;
}

describe('Adyen follow-ups are pending until their webhook', () => {
  it('a capture is recorded pending (Approval.pending, capture_pending, attempt accepted), then settled by CAPTURE', async () => {
    const router = f.router();
    const auth = (await pay(router, 'authorize')).unwrap();
    await deliver(f.senders.adyen, 'AUTHORISATION:true');
    const accepted = events(router, 'accepted');
    const cap = (await router.capture(auth.transactionId)).unwrap();
    expect(cap.pending).toBe(true);
    expect(accepted).toHaveLength(1);
    expect((await router.transaction(auth.transactionId))?.status).toBe('capture_pending');
    const psp = auth.gatewayTransactionId;
    expect(f.adyen.charges.get(psp)!.captured).toBe(5000);

    const approved = events(router, 'approved');
    await deliver(f.senders.adyen, 'CAPTURE:true');
    const tx = await router.transaction(auth.transactionId);
    expect(tx).toMatchObject({ status: 'captured', capturedAmount: 5000 });
    expect(approved.map((e) => e.operation)).toEqual(['capture']);
    // The idempotency record of the capture now holds the final approval.
    expect((await router.notifications({ status: 'applied' })).map((x) => x.notification.eventType)).toEqual(['CAPTURE']);
  });

  it('a refund is recorded pending (refund_pending, the amount reserved), then settled by REFUND', async () => {
    const router = f.router();
    const sale = (await pay(router, 'sale')).unwrap();
    const refund = (await router.refund(sale.transactionId, { amount: 1500 })).unwrap();
    expect(refund.pending).toBe(true);
    expect(await router.transaction(sale.transactionId)).toMatchObject({ status: 'refund_pending', refundedAmount: 1500 });
    // Nothing more can be refunded than is left while it is pending.
    const tooMuch = await router.refund(sale.transactionId, { amount: 3600 });
    expect(tooMuch.isErr() && tooMuch.error.kind === 'rejected' && tooMuch.error.rejection).toBe('amount_exceeds_captured');
    await deliver(f.senders.adyen);
    expect(await router.transaction(sale.transactionId)).toMatchObject({ status: 'partially_refunded', refundedAmount: 1500 });
  });

  it('a REFUND with success=false gives the amount back (refundable again) and emits refund:failed', async () => {
    const router = failing.router();
    const sale = (
      await router.sale({ profile: 'adyen-1', idempotencyKey: `adf-${n++}`, amount: 5000, currency: 'USD', card: CARD })
    ).unwrap();
    const failed = events(router, 'refund:failed');
    expect((await router.refund(sale.transactionId, { amount: 2000 })).unwrap().pending).toBe(true);
    await deliver(failing.senders.adyen, 'REFUND:false');
    expect(failed).toEqual([expect.objectContaining({ transactionId: sale.transactionId, amount: 2000, currency: 'USD' })]);
    expect(failing.adyen.charges.get(sale.gatewayTransactionId)!.refunded).toBe(0);
    expect(await router.transaction(sale.transactionId)).toMatchObject({ status: 'captured', refundedAmount: 0 });
    // The whole amount is refundable again.
    expect((await router.refund(sale.transactionId)).isOk()).toBe(true);
    expect((await router.transaction(sale.transactionId))?.refundedAmount).toBe(5000);
  });

  it('the same notification delivered twice changes the ledger once, and answers success both times', async () => {
    const router = f.router();
    const sale = (await pay(router, 'sale')).unwrap();
    await router.refund(sale.transactionId, { amount: 1000 });
    const [refund] = heldOf(f.senders.adyen, 'REFUND:true');
    await f.senders.adyen.release([refund, refund]);
    const second = await router.handleWebhook({ mid: 'adyen-1', headers: refund.headers, body: refund.body });
    expect(second.unwrap().notifications[0].outcome).toBe('duplicate');
    expect(second.unwrap().response).toEqual({ status: 202, body: '[accepted]', headers: { 'content-type': 'text/plain' } });
    expect(await router.transaction(sale.transactionId)).toMatchObject({ refundedAmount: 1000, status: 'partially_refunded' });
    expect((await router.notifications({})).filter((x) => x.notification.eventType === 'REFUND')).toHaveLength(1);
  });

  it('a REFUND that arrives before our own refund call returned settles it; the call then answers from the ledger', async () => {
    const router = f.router();
    const sale = (await pay(router, 'sale')).unwrap();
    await deliver(f.senders.adyen);
    f.adyen.server.inject({ type: 'slow', ms: 400 });
    const refunding = router.refund(sale.transactionId, { amount: 700 });
    // The fake has processed the refund and sent its webhook; our call is still waiting for the answer.
    while (heldOf(f.senders.adyen, 'REFUND:true').length === 0) await new Promise((r) => setTimeout(r, 10));
    await deliver(f.senders.adyen, 'REFUND:true');
    expect(await router.transaction(sale.transactionId)).toMatchObject({ status: 'partially_refunded', refundedAmount: 700 });
    const r = await refunding;
    expect(r.isOk() && r.value.amount).toBe(700);
    expect(r.isOk() && r.value.pending).toBeFalsy();
    expect(await router.transaction(sale.transactionId)).toMatchObject({ status: 'partially_refunded', refundedAmount: 700 });
    expect(f.adyen.charges.get(sale.gatewayTransactionId)!.refunded).toBe(700);
  });

  it('a CANCELLATION settles a pending void', async () => {
    const router = f.router();
    const auth = (await pay(router, 'authorize')).unwrap();
    expect((await router.void(auth.transactionId)).unwrap().pending).toBe(true);
    expect((await router.transaction(auth.transactionId))?.status).toBe('void_pending');
    await deliver(f.senders.adyen, 'CANCELLATION:true');
    expect((await router.transaction(auth.transactionId))?.status).toBe('voided');
  });

  it('accepted follow-ups whose webhook never came are reported by reconcile past staleAfterMs', async () => {
    const router = f.router();
    const auth = (await pay(router, 'authorize')).unwrap();
    await router.capture(auth.transactionId);
    f.senders.adyen.discard();
    const report = await router.reconcile({ olderThanMs: 0, staleAfterMs: 0 });
    expect(report.stale).toEqual([expect.objectContaining({ transactionId: auth.transactionId, operation: 'capture', amount: 5000 })]);
    expect((await router.reconcile({ olderThanMs: 0 })).stale).toEqual([]);
    expect((await router.transaction(auth.transactionId))?.status).toBe('capture_pending');
  });
});

describe('order and orphans', () => {
  it('a dispute before the capture: both land (the dispute on its transaction, the capture after it)', async () => {
    const router = f.router();
    const auth = (await pay(router, 'authorize')).unwrap();
    await router.capture(auth.transactionId);
    const opened = events(router, 'dispute:opened');
    f.adyen.dispute(auth.gatewayTransactionId, { reasonCode: '13.1' });
    const [capture] = heldOf(f.senders.adyen, 'CAPTURE:true');
    await deliver(f.senders.adyen, /CHARGEBACK/);
    expect((await router.transaction(auth.transactionId))?.status).toBe('capture_pending');
    const [d] = await router.disputes({ transactionId: auth.transactionId });
    expect(d).toMatchObject({
      mid: 'adyen-1',
      status: 'needs_response',
      reasonCode: '13.1',
      category: 'not_received',
      amount: 5000,
      currency: 'USD',
    });
    expect(opened).toHaveLength(1);
    await f.senders.adyen.release([capture]);
    expect((await router.transaction(auth.transactionId))?.status).toBe('captured');
  });

  it('dispute stages out of order: the latest stage (by the gateway time) wins, an older one never regresses it', async () => {
    const router = f.router();
    const sale = (await pay(router, 'sale')).unwrap();
    const won = events(router, 'dispute:won');
    const d = f.adyen.dispute(sale.gatewayTransactionId, { outcome: 'won' });
    const stages = heldOf(f.senders.adyen, /CHARGEBACK/);
    expect(stages).toHaveLength(3);
    await f.senders.adyen.release([...stages].reverse());
    const [record] = await router.disputes({ mid: 'adyen-1', status: 'won' });
    expect(record).toMatchObject({
      gatewayDisputeId: d.pspReference,
      transactionId: sale.transactionId,
      status: 'won',
      lastEventType: 'CHARGEBACK_REVERSED',
    });
    expect(record.closedAt).toBeDefined();
    expect(won).toHaveLength(1);
    expect(await router.disputes({ status: 'needs_response' })).toEqual([]);
  });

  it('a notification for a payment the ledger does not know is kept for review (unmatched) and answered with success', async () => {
    const router = f.router();
    const unmatched = events(router, 'webhook:unmatched');
    const body = adyenBody(SECRETS.adyen, {
      pspReference: 'ZZ0000000000000A',
      merchantAccountCode: 'AcmeECOM',
      merchantReference: 'at_not_ours',
      amount: { value: 1234, currency: 'USD' },
      eventCode: 'AUTHORISATION',
      success: 'true',
    });
    const r = (await router.handleWebhook({ mid: 'adyen-1', headers: {}, body })).unwrap();
    expect(r.notifications[0]).toMatchObject({ outcome: 'unmatched' });
    expect(r.response.status).toBe(202);
    expect(unmatched).toEqual([expect.objectContaining({ mid: 'adyen-1', reference: 'at_not_ours', eventType: 'AUTHORISATION' })]);
    expect(await router.notifications({ status: 'unmatched' })).toHaveLength(1);
    // Redelivered: tried again (the payment may be known by now), still one record and one event.
    const again = (await router.handleWebhook({ mid: 'adyen-1', headers: {}, body })).unwrap();
    expect(again.notifications[0]).toMatchObject({ outcome: 'unmatched', change: 'still no transaction of ours matches it' });
    expect(again.response.status).toBe(202);
    expect(await router.notifications({ status: 'unmatched' })).toHaveLength(1);
    expect(unmatched).toHaveLength(1);
  });

  it('EXPIRE of an authorization: expired, and its cap reservation given back', async () => {
    const router = f.router();
    const auth = (await pay(router, 'authorize')).unwrap();
    const expired = events(router, 'authorization:expired');
    f.adyen.expire(auth.gatewayTransactionId);
    await deliver(f.senders.adyen, 'EXPIRE:true');
    expect((await router.transaction(auth.transactionId))?.status).toBe('expired');
    expect(expired).toEqual([expect.objectContaining({ transactionId: auth.transactionId, amount: 5000 })]);
  });

  it('an asynchronous payment (Pending) is approved by its AUTHORISATION; an EXPIRE that came first is deferred, then applied by reconcile()', async () => {
    const router = f.router();
    f.adyen.next({ kind: 'pending' });
    const r = await pay(router, 'authorize');
    expect(r.isErr() && r.error.kind).toBe('ambiguous');
    const txId = r.isErr() ? r.error.transactionId! : '';
    const psp = lastPendingPsp(f);
    f.adyen.completePayment(psp, true);
    f.adyen.expire(psp);
    await deliver(f.senders.adyen, 'EXPIRE:true');
    expect((await router.notifications({ status: 'deferred' })).map((x) => x.notification.eventType)).toEqual(['EXPIRE']);
    expect((await router.transaction(txId))?.status).toBe('pending');
    await deliver(f.senders.adyen, 'AUTHORISATION:true');
    expect((await router.transaction(txId))?.status).toBe('authorized');
    const report = await router.reconcile({ olderThanMs: 0 });
    expect(report.deferredApplied).toBe(1);
    expect((await router.transaction(txId))?.status).toBe('expired');
    expect(await router.notifications({ status: 'deferred' })).toEqual([]);
  });

  it('a 3-D Secure challenge finished and reported by webhook approves the transaction before the shopper returns', async () => {
    const router = f.router();
    f.adyen.next({ kind: 'redirect' });
    const key = `ad-3ds-${n++}`;
    const r = await router.authorize({ profile: 'adyen-1', idempotencyKey: key, amount: 2500, currency: 'USD', card: CARD });
    expect(r.isErr() && r.error.kind).toBe('requires_action');
    const txId = r.isErr() ? r.error.transactionId! : '';
    const completed = events(router, 'threeds:completed');
    f.adyen.completePayment(lastPendingPsp(f), true);
    await deliver(f.senders.adyen, 'AUTHORISATION:true');
    expect(await router.transaction(txId)).toMatchObject({ status: 'authorized', mid: 'adyen-1' });
    expect(completed).toEqual([{ transactionId: txId, mid: 'adyen-1', gateway: 'adyen', outcome: 'approved' }]);
    // The same request again answers the approval from the idempotency record.
    const again = await router.authorize({ profile: 'adyen-1', idempotencyKey: key, amount: 2500, currency: 'USD', card: CARD });
    expect(again.isOk() && again.value.replayed).toBe(true);
  });
});

/** The pspReference of the payment the fake left open most recently (Pending or waiting for 3-D Secure). */
function lastPendingPsp(fakes: Fakes): string {
  const last = [...fakes.adyen.server.requests].reverse().find((r) => r.path === '/payments');
  const reference = JSON.parse(last!.body).reference as string;
  for (const [psp, p] of fakes.adyen.openPayments) if (p.reference === reference) return psp;
  throw new Error(`no open payment for ${reference}`);
}
