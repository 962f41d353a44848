/**
 * The webhook fault run: the fault suite's workload over the six fakes, now sending their signed
 * notifications to a loopback endpoint late, out of order, some twice and (where the router can
 * learn the effect another way) some never, while transport faults hit the API calls. Adyen and
 * Checkout.com accept captures and refunds and decide later (some are rejected); afterwards the
 * fakes open disputes (won, lost or still open) and fail some refunds late (Stripe, Braintree).
 * Then the gateways' retries drain, `reconcile()` runs until nothing moves, and the ledger is
 * audited against each fake's books: charges, captures, refunds and disputes, exactly.
 */
import type { Store } from '../../src/store/types';
import { startWebhookEndpoint } from '../support/webhook-endpoint';
import { webhookSender, type WebhookSender } from '../support/webhook-sender';
import { seeded } from '../support/router';
import { adapterFor } from './adapters';
import { type FakeGateway, type RunningFakes, startGateways } from './gateways';
import { audit, DAY_START, faultRouter, type Ledger, runWorkload } from './harness';
import { LOOKUP_GATEWAYS } from './suite';

/** Signing secrets of the fakes' webhooks, by gateway. */
export const WEBHOOK_SECRETS: Readonly<Record<string, string>> = {
  stripe: 'whsec_fault_run_secret',
  adyen: '5E1F3A9B7C2D4E6F8091A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7',
  checkout: 'cko_fault_run_signature_key',
  nmi: 'nmi_fault_run_signing_key',
  authorizenet: 'C1B2C3D4E5F60718293A4B5C6D7E8F90'.repeat(4),
};

/** Settings of a run (environment overrides scale it). */
export const WEBHOOK_RUN = {
  transactions: Number(process.env.SWITCHYARD_WEBHOOK_FAULT_TRANSACTIONS ?? 2_000),
  seed: Number(process.env.SWITCHYARD_WEBHOOK_FAULT_SEED ?? 16),
  faultRate: 0.06,
  concurrency: 8,
  /** Delivery delays (ms), redeliveries and drops of the droppable ones. */
  delayMs: [0, 120] as const,
  duplicateRate: 0.25,
  dropRate: 0.35,
  /** Adyen and Checkout.com reject this share of the captures and refunds they accepted. */
  failures: { capture: 0.05, refund: 0.15 },
  disputeRate: 0.05,
  lateRefundFailureRate: 0.1,
};

/** What the run found. */
export interface WebhookRunReport {
  transactions: number;
  violations: string[];
  counts: Record<string, number | string>;
}

/** Run it on a store; `ledger()` reads the store's database afterwards (for the fault suite's audit). */
export async function webhookFaultRun(name: string, store: Store, ledger: () => Promise<Ledger> | Ledger): Promise<WebhookRunReport> {
  const R = WEBHOOK_RUN;
  const t0 = Date.now();
  const clock = () => DAY_START + (Date.now() - t0);
  let routerRef: ReturnType<typeof faultRouter> | undefined;
  const endpoint = await startWebhookEndpoint(() => routerRef!);
  const senders = new Map<string, WebhookSender>();
  const fakes: Partial<RunningFakes> = {};
  const gateways: FakeGateway[] = await startGateways(
    {
      webhooks: (mid) => {
        const sender = webhookSender({
          url: endpoint.url(mid),
          delayMs: R.delayMs,
          duplicateRate: R.duplicateRate,
          dropRate: R.dropRate,
          seed: R.seed + senders.size,
        });
        senders.set(mid, sender);
        return { sender, secret: WEBHOOK_SECRETS[mid.replace(/-1$/, '').replace('anet', 'authorizenet')] ?? '', now: clock };
      },
      failures: { ...R.failures, seed: R.seed },
    },
    fakes,
  );
  const f = fakes as RunningFakes;
  const started = Date.now();
  try {
    const router = faultRouter(gateways, store, R.seed, t0, (g) => adapterFor(g, WEBHOOK_SECRETS));
    routerRef = router;
    const events: Record<string, number> = {};
    for (const e of [
      'webhook:unmatched',
      'refund:failed',
      'capture:failed',
      'dispute:opened',
      'dispute:won',
      'dispute:lost',
      'accepted',
    ] as const)
      router.on(e, () => {
        events[e] = (events[e] ?? 0) + 1;
      });
    const stats = await runWorkload(router, gateways, { ...R, tag: `${name}-wh-${R.seed}`, reconcileEvery: 500 });
    const leftover = gateways.reduce((n, g) => n + g.clearFaults(), 0);

    // Later at the gateways: disputes on captured payments, and refunds the networks return.
    const rnd = seeded(R.seed * 7);
    const outcome = (): 'won' | 'lost' | undefined => (rnd() < 0.4 ? 'won' : rnd() < 0.7 ? 'lost' : undefined);
    const disputed = { stripe: 0, adyen: 0, checkout: 0, braintree: 0 };
    for (const pi of f.stripe.intents.values())
      if (pi.status === 'succeeded' && pi.amountReceived > 0 && rnd() < R.disputeRate) {
        f.stripe.dispute(pi.id, { outcome: outcome() });
        disputed.stripe++;
      }
    for (const c of f.adyen.charges.values())
      if (c.captured > 0 && !c.cancelled && rnd() < R.disputeRate) {
        f.adyen.dispute(c.pspReference, { outcome: outcome() });
        disputed.adyen++;
      }
    for (const p of f.checkout.payments.values())
      if (p.captured > 0 && rnd() < R.disputeRate) {
        f.checkout.dispute(p.id, { outcome: outcome() });
        disputed.checkout++;
      }
    for (const t of f.braintree.transactions.values())
      if (t.captured > 0 && t.status !== 'VOIDED' && rnd() < R.disputeRate) {
        f.braintree.dispute(t.id, { outcome: outcome() });
        disputed.braintree++;
      }
    let lateFailures = 0;
    for (const [id, re] of f.stripe.refunds)
      if (rnd() < R.lateRefundFailureRate && f.stripe.intents.get(re.paymentIntent)) {
        try {
          f.stripe.failRefund(id);
          lateFailures++;
        } catch {
          // a refund the fake no longer counts as succeeded
        }
      }
    for (const [id, r] of f.braintree.refunds)
      if (!r.failed && rnd() < R.lateRefundFailureRate) {
        f.braintree.failRefund(id);
        lateFailures++;
      }

    // The gateways' retries drain; reconciliation runs until nothing moves.
    const rounds: string[] = [];
    for (let i = 0, idle = 0; idle < 2 && i < 30; i++) {
      await Promise.all([...senders.values()].map((s) => s.flush()));
      const r = await router.reconcile({ olderThanMs: 0 });
      rounds.push(
        `${r.approved + r.declined + r.notFound}/${r.unresolved}u acc ${r.acceptedSettled}/${r.acceptedChecked} def ${r.deferredApplied}/${r.deferredLeft} orph ${r.unmatchedMatched}`,
      );
      const moved = r.approved + r.declined + r.notFound + r.acceptedSettled + r.deferredApplied + r.unmatchedMatched + r.claimsFinished;
      idle = moved === 0 ? idle + 1 : 0;
    }
    await Promise.all([...senders.values()].map((s) => s.flush()));

    const book = await ledger();
    const report = audit(gateways, book, LOOKUP_GATEWAYS);
    const v = [...report.violations];
    const attempts = new Map(book.attempts.map((a) => [a.id, a]));

    // Exactly the gateways' books: captured and refunded per charge (follow-ups still pending
    // on a gateway that can neither be asked nor resent to are set aside for review).
    const openFollowUps = new Set(
      book.attempts.filter((a) => a.status === 'pending' || a.status === 'accepted').map((a) => a.transactionId),
    );
    let compared = 0;
    let setAside = 0;
    for (const g of gateways) {
      for (const e of g.book()) {
        const a = attempts.get(e.reference);
        const tx = a && book.transactions.get(a.transactionId);
        if (!a || a.status !== 'approved' || !tx || e.voided) continue;
        if (openFollowUps.has(tx.id)) {
          setAside++;
          continue;
        }
        compared++;
        if (tx.capturedAmount !== e.captured)
          v.push(`${g.mid}: ${tx.id} captured ${tx.capturedAmount} in the ledger, ${e.captured} at the gateway`);
        if (tx.refundedAmount !== e.refunded)
          v.push(`${g.mid}: ${tx.id} refunded ${tx.refundedAmount} in the ledger, ${e.refunded} at the gateway`);
      }
    }
    for (const tx of book.transactions.values())
      if (['capture_pending', 'refund_pending', 'void_pending'].includes(tx.status) && !openFollowUps.has(tx.id))
        v.push(`${tx.id} is still ${tx.status} with nothing open`);
    const accepted = book.attempts.filter((a) => a.status === 'accepted');
    for (const a of accepted)
      v.push(`${a.mid}: ${a.operation} ${a.id} still accepted (its webhook never came, and it is not stale-reported)`);

    // Disputes: each one a fake opened is in the ledger, on its transaction, with its status and amount.
    const disputes = await store.listDisputes({});
    const byId = new Map(disputes.map((d) => [d.id, d]));
    const expectDispute = (mid: string, id: string, reference: string | undefined, status: string, amount: number) => {
      const d = byId.get(`${mid}:${id}`);
      const tx = reference ? attempts.get(reference)?.transactionId : undefined;
      if (!d) v.push(`${mid}: dispute ${id} is not in the ledger`);
      else {
        if (d.status !== status) v.push(`${mid}: dispute ${id} is ${d.status} in the ledger, ${status} at the gateway`);
        if (d.amount !== amount) v.push(`${mid}: dispute ${id} amount ${d.amount}, gateway ${amount}`);
        if (!tx || d.transactionId !== tx) v.push(`${mid}: dispute ${id} on ${d.transactionId}, expected ${tx}`);
      }
    };
    for (const d of f.stripe.disputes.values())
      expectDispute('stripe-1', d.id, f.stripe.intents.get(d.paymentIntent)?.metadata.switchyard_reference, d.status, d.amount);
    for (const d of f.adyen.disputes.values())
      expectDispute('adyen-1', d.pspReference, f.adyen.charges.get(d.paymentPspReference)?.reference, d.status, d.amount);
    for (const d of f.checkout.disputes.values())
      expectDispute('checkout-1', d.id, f.checkout.payments.get(d.paymentId)?.reference, d.status, d.amount);
    for (const d of f.braintree.disputes.values())
      expectDispute('braintree-1', d.id, f.braintree.transactions.get(d.transactionId)?.orderId, d.status, d.amount);
    // A transaction is charged back only by a dispute it lost (or accepted), as the gateway decided it.
    const lostOn = new Set(disputes.filter((d) => d.status === 'lost' || d.status === 'accepted').map((d) => d.transactionId));
    for (const tx of book.transactions.values())
      if (tx.status === 'charged_back' && !lostOn.has(tx.id)) v.push(`${tx.id} is charged_back without a lost dispute`);
    const fakeDisputes = f.stripe.disputes.size + f.adyen.disputes.size + f.checkout.disputes.size + f.braintree.disputes.size;
    if (disputes.length !== fakeDisputes) v.push(`${disputes.length} disputes in the ledger, ${fakeDisputes} at the gateways`);

    const notes = await store.listNotifications({});
    const byStatus: Record<string, number> = {};
    for (const x of notes) byStatus[x.status] = (byStatus[x.status] ?? 0) + 1;
    for (const x of notes.filter((n) => n.status === 'deferred' || n.status === 'conflict').slice(0, 10))
      v.push(`notification ${x.id} (${x.notification.eventType}) left ${x.status}: ${x.note}`);
    const delivery = { queued: 0, delivered: 0, duplicates: 0, dropped: 0, retries: 0 };
    for (const s of senders.values()) for (const k of Object.keys(delivery) as Array<keyof typeof delivery>) delivery[k] += s.stats[k];

    const counts = {
      transactions: stats.transactions,
      seconds: ((Date.now() - started) / 1000).toFixed(1),
      gatewayCharges: report.gatewayCharges,
      approvedInLedger: report.approvedInLedger,
      pendingForReview: report.pendingForReview,
      chargesCompared: compared,
      setAsideWithOpenFollowUps: setAside,
      refundsAtGateways: report.refundsAtGateways,
      disputesOpened: fakeDisputes,
      lateRefundFailures: lateFailures,
      faultsLeftQueued: leftover,
      ...Object.fromEntries(Object.entries(delivery).map(([k, x]) => [`deliveries.${k}`, x])),
      ...Object.fromEntries(Object.entries(byStatus).map(([k, x]) => [`notifications.${k}`, x])),
      ...Object.fromEntries(Object.entries(events).map(([k, x]) => [`events.${k}`, x])),
      endpoint: JSON.stringify(endpoint.answers),
    };
    console.log(
      `\n[webhook fault run: ${name}] ${JSON.stringify(counts)}\n  outcomes: ${JSON.stringify(stats.outcomes)}\n  reconcile rounds: ${rounds.join(' | ')}\n  disputed: ${JSON.stringify(disputed)}\n  violations: ${v.length}${v.length ? `\n    ${v.slice(0, 25).join('\n    ')}` : ''}\n`,
    );
    return { transactions: stats.transactions, violations: v, counts };
  } finally {
    for (const s of senders.values()) s.close();
    await Promise.all([...gateways.map((g) => g.close()), endpoint.close()]);
  }
}
