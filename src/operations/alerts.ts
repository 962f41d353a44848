/**
 * `router.resolveAlert`: a prevention alert (Ethoca, Verifi CDRN, RDR, an issuer's order inquiry)
 * lets the merchant refund before a chargeback is filed. The alert is matched to our transaction
 * (our id, then the gateway's id, then card, amount and date within a window; several matches are
 * refused, never guessed), refunded on the MID that took it (follow-ups are pinned), its
 * subscription cancelled when asked, and recorded as a prevented dispute: exactly once per
 * `alertId`. A second alert for a refunded transaction refunds nothing.
 * @module
 */
import { Err, Ok, type Result } from 'ts-results-es';
import type { RouterContext } from '../context';
import { increments } from '../monitoring/counts';
import { monthKey } from '../monitoring/month';
import type { MonitorEntry, StoreWrite, TransactionRecord } from '../store/types';
import { rejected } from '../transaction/results';
import type { Approval, Failure, RejectedFailure } from '../types';
import { followUp } from './followups';

/** What the merchant does about an alert. */
export type AlertAction = 'refund' | 'refund_and_cancel' | 'cancel' | 'record_only';

/** A prevention alert to resolve. */
export interface AlertInput {
  /** The alert's id at its provider: resolving it again returns the first resolution. */
  alertId: string;
  /** The alert service and type, e.g. `ethoca_dispute`, `cdrn_cancel`, `rdr` (free text, at most 50 characters). */
  kind: string;
  /** Our transaction id, when the alert carries our order reference. */
  transactionId?: string | undefined;
  /** The gateway's transaction id, when the alert carries it. */
  gatewayTransactionId?: string | undefined;
  /** The card as the alert masks it: BIN (6 or 8 digits) and last four; matched with `date` (and `amount`). */
  card?: { bin: string; last4: string } | undefined;
  /** The transaction's amount in minor units. */
  amount?: number | undefined;
  /** When the transaction was made (ms): card matching looks within `disputeMonitoring.alertWindowMs` of it. */
  date?: number | undefined;
  /**
   * `refund`: refund what is left on the transaction's MID; `refund_and_cancel`: and cancel its
   * subscription; `cancel`: cancel the subscription only; `record_only`: the money moved
   * elsewhere (RDR refunds over the network's rails): record it, call no gateway.
   */
  action: AlertAction;
}

/** How an alert was resolved. */
export type AlertOutcome =
  | 'refunded'
  | 'cancelled'
  | 'recorded'
  /** Nothing was left to refund (refunded before): no second refund. */
  | 'already_refunded'
  /** The transaction was charged back already: too late to prevent, nothing refunded. */
  | 'already_charged_back';

/** What `resolveAlert` returns. */
export interface AlertResolution {
  alertId: string;
  kind: string;
  action: AlertAction;
  outcome: AlertOutcome;
  transactionId: string;
  mid: string;
  matchedBy: 'transactionId' | 'gatewayTransactionId' | 'card';
  /** Refunded by this alert (minor units); 0 when nothing was. */
  refunded: number;
  /** The refund's transaction and attempt, when one was made. */
  refund?: { transactionId: string; amount: number; gatewayTransactionId?: string | undefined } | undefined;
  /** The subscription this alert cancelled. */
  cancelledSubscription?: string | undefined;
  /** Counted as a prevented dispute on the MID (not when it was charged back already). */
  prevented: boolean;
  /** True when this is the first resolution of the alert, returned again. */
  replayed: boolean;
  at: number;
}

const ACTIONS = new Set<AlertAction>(['refund', 'refund_and_cancel', 'cancel', 'record_only']);
const MONEY = new Set(['captured', 'partially_refunded', 'refunded', 'refund_pending', 'charged_back']);

function check(raw: unknown): { field: string; message: string } | undefined {
  if (typeof raw !== 'object' || raw === null) return { field: '(input)', message: 'must be an object' };
  const r = raw as Record<string, unknown>;
  const str = (k: string, max: number) => typeof r[k] === 'string' && (r[k] as string).length > 0 && (r[k] as string).length <= max;
  if (!str('alertId', 255)) return { field: 'alertId', message: 'must be a non-empty string of at most 255 characters' };
  if (!str('kind', 50)) return { field: 'kind', message: 'must name the alert service, e.g. "ethoca_dispute" (at most 50 characters)' };
  if (!ACTIONS.has(r.action as AlertAction)) return { field: 'action', message: `must be one of ${[...ACTIONS].join(', ')}` };
  for (const k of ['transactionId', 'gatewayTransactionId'])
    if (r[k] !== undefined && !str(k, 255)) return { field: k, message: 'must be a non-empty string of at most 255 characters' };
  if (r.amount !== undefined && !(Number.isSafeInteger(r.amount) && (r.amount as number) > 0))
    return { field: 'amount', message: 'must be a positive integer in minor units' };
  if (r.date !== undefined && !(typeof r.date === 'number' && Number.isFinite(r.date) && r.date > 0))
    return { field: 'date', message: 'must be a time in ms since epoch' };
  if (r.card !== undefined) {
    const c = r.card as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null) return { field: 'card', message: 'must be { bin, last4 }' };
    if (typeof c.bin !== 'string' || !/^\d{6}(\d{2})?$/.test(c.bin))
      return { field: 'card.bin', message: 'must be the 6 or 8 first digits' };
    if (typeof c.last4 !== 'string' || !/^\d{4}$/.test(c.last4)) return { field: 'card.last4', message: 'must be the 4 last digits' };
    if (r.date === undefined) return { field: 'date', message: 'is required to match by card (with amount where the alert has it)' };
  }
  if (r.transactionId === undefined && r.gatewayTransactionId === undefined && r.card === undefined)
    return { field: 'transactionId', message: 'the alert needs transactionId, gatewayTransactionId or card (with date) to be matched' };
  return undefined;
}

type Match = { tx: TransactionRecord; by: AlertResolution['matchedBy'] } | { failure: Failure };

/** Our transaction an alert is about: exact ids first, then the card, amount and date. */
async function match(ctx: RouterContext, a: AlertInput): Promise<Match> {
  if (a.transactionId !== undefined) {
    const tx = await ctx.store.getTransaction(a.transactionId);
    if (tx) return { tx, by: 'transactionId' };
  }
  if (a.gatewayTransactionId !== undefined) {
    const found = new Map<string, TransactionRecord>();
    for (const id of ctx.mids.keys()) {
      const hit = await ctx.store.findByGatewayReference(id, { gatewayTransactionId: a.gatewayTransactionId });
      if (hit) found.set(hit.transaction.id, hit.transaction);
    }
    if (found.size === 1) return { tx: [...found.values()][0]!, by: 'gatewayTransactionId' };
    if (found.size > 1) return { failure: ambiguous(a, [...found.keys()]) };
  }
  if (a.card && a.date !== undefined) {
    const w = ctx.monitoring.options.alertWindowMs;
    const txs = (
      await ctx.store.findCardTransactions({ bin: a.card.bin.slice(0, 6), last4: a.card.last4, from: a.date - w, to: a.date + w + 1 })
    )
      .filter((t) => MONEY.has(t.status) && t.card?.bin.startsWith(a.card!.bin.slice(0, Math.min(8, t.card.bin.length))))
      .filter((t) => a.amount === undefined || t.amount === a.amount);
    if (txs.length === 1) return { tx: txs[0]!, by: 'card' };
    if (txs.length > 1)
      return {
        failure: ambiguous(
          a,
          txs.map((t) => t.id),
        ),
      };
  }
  return {
    failure: rejectedFailure('alert_unmatched', `alert ${a.alertId}: no transaction of ours matches it (UnmatchedCannotFindTransaction)`),
  };
}

function ambiguous(a: AlertInput, ids: string[]): Failure {
  return rejectedFailure(
    'alert_ambiguous',
    `alert ${a.alertId}: ${ids.length} transactions match it (${ids.join(', ')}); none was refunded: resolve it with transactionId`,
  );
}

const rejectedFailure = (rejection: RejectedFailure['rejection'], message: string): Failure => ({
  kind: 'rejected',
  rejection,
  message,
  attempts: [],
});

const replay = (e: MonitorEntry): AlertResolution => ({ ...(e.data as unknown as AlertResolution), replayed: true });

/** Resolve a prevention alert (idempotent by `alertId`). */
export async function resolveAlert(ctx: RouterContext, input: AlertInput): Promise<Result<AlertResolution, Failure>> {
  const bad = check(input);
  if (bad) return rejected('validation', `${bad.field}: ${bad.message}`, { field: bad.field });
  const a: AlertInput = { ...input, ...(input.card && { card: { ...input.card } }) };
  const entryId = `alert:${a.alertId}`;
  const seen = await ctx.store.getMonitorEntry(entryId);
  if (seen) return Ok(replay(seen));
  const m = await match(ctx, a);
  if ('failure' in m) return Err(m.failure);
  let tx = m.tx;
  if (!tx.mid || !MONEY.has(tx.status))
    return rejected('invalid_state', `alert ${a.alertId}: transaction ${tx.id} moved no money (${tx.status}): nothing to refund`, {
      transactionId: tx.id,
    });
  const at = ctx.clock();
  let outcome: AlertOutcome = a.action === 'cancel' ? 'cancelled' : a.action === 'record_only' ? 'recorded' : 'refunded';
  let refund: AlertResolution['refund'];
  if (tx.status === 'charged_back') outcome = 'already_charged_back';
  else if (a.action === 'refund' || a.action === 'refund_and_cancel') {
    const left = tx.capturedAmount - tx.refundedAmount;
    if (left <= 0) outcome = 'already_refunded';
    else {
      // The key makes a retry of this alert (a crash after the refund) replay the same refund.
      const r = await followUp(ctx, 'refund', tx.id, { amount: left, idempotencyKey: entryId, override: true });
      if (r.isErr()) {
        // Refunded meanwhile by another refund (never this alert's own, still in flight: that one answers for it).
        const now = await ctx.store.getTransaction(tx.id);
        const other = r.error.kind === 'rejected' && r.error.rejection !== 'idempotency_in_progress';
        if (!(other && now && now.capturedAmount - now.refundedAmount <= 0)) return Err(r.error);
        tx = now;
        outcome = 'already_refunded';
      } else refund = refundOf(r.value);
    }
  }
  const w: StoreWrite = {};
  let cancelled: string | undefined;
  if ((a.action === 'cancel' || a.action === 'refund_and_cancel') && tx.subscriptionId) {
    const pin = await ctx.store.getPin(tx.subscriptionId);
    if (pin?.status === 'active') {
      w.updatePin = { subscriptionId: pin.subscriptionId, patch: { status: 'cancelled' }, now: at };
      cancelled = pin.subscriptionId;
    }
  }
  const prevented = outcome !== 'already_charged_back';
  const month = monthKey(at, ctx.monitoring.options.timeZone);
  const resolution: AlertResolution = {
    alertId: a.alertId,
    kind: a.kind,
    action: a.action,
    outcome,
    transactionId: tx.id,
    mid: tx.mid!,
    matchedBy: m.by,
    refunded: refund?.amount ?? 0,
    ...(refund && { refund }),
    ...(cancelled && { cancelledSubscription: cancelled }),
    prevented,
    replayed: false,
    at,
  };
  w.monitor = {
    entry: {
      id: entryId,
      kind: 'alert',
      mid: tx.mid!,
      month,
      at,
      transactionId: tx.id,
      data: resolution as unknown as Record<string, unknown>,
    },
    ...(prevented && { counts: increments(tx.mid!, month, 'prevented', tx.card?.brand, tx.amount) }),
  };
  const done = await ctx.store.write(w);
  if (!done.ok) {
    const first = done.conflict === 'monitor' ? await ctx.store.getMonitorEntry(entryId) : undefined;
    if (first) return Ok(replay(first));
    return Err({
      kind: 'error',
      transactionId: tx.id,
      attempts: [],
      message: `alert ${a.alertId}: not recorded (${done.conflict}); resolve it again`,
    });
  }
  if (cancelled)
    ctx.events.emit('subscription:revoked', {
      subscriptionId: cancelled,
      mid: tx.mid!,
      reason: `prevention alert ${a.alertId} (${a.kind})`,
    });
  return Ok(resolution);
}

function refundOf(v: Approval): NonNullable<AlertResolution['refund']> {
  return {
    transactionId: v.transactionId,
    amount: v.amount,
    ...(v.gatewayTransactionId !== undefined && { gatewayTransactionId: v.gatewayTransactionId }),
  };
}
