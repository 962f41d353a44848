/**
 * A capture, void or refund once it is asked for: the rules that decide whether the transaction
 * can take it and for how much (`planFollowUp`), the one store write that opens it (the pending
 * attempt, the transaction's move reserving the amount, the key's claim), and the gateway call
 * on the pinned MID, settled through `settle` (`sendFollowUp`). Used by the follow-up operations
 * and by the release of verification holds; answering a taken idempotency key is the caller's.
 * @module
 */
import { Err } from 'ts-results-es';
import type { MidRuntime } from '../accounts';
import type { CallOptions, GatewayFollowUpRequest } from '../adapter';
import type { RouterContext } from '../context';
import type { AttemptRecord, IdempotencyClaim, StoreWrite, TransactionRecord, WriteConflict, WriteResult } from '../store/types';
import { newId } from '../transaction/ids';
import { type RouterResult, summaryOf } from '../transaction/results';
import { FOLLOW_UP_FROM } from '../transaction/states';
import type { RejectedFailure } from '../types';
import { callAdapter, callBudget, resolveAmbiguous } from './call';
import { outcomeOf } from './outcome';
import { resultFromLedger, settle } from './settle';

/** The three follow-ups of a payment. */
export type FollowUpOperation = 'capture' | 'void' | 'refund';

/** Why a follow-up cannot be done: nothing was written and no gateway called. */
export interface FollowUpRefusal {
  rejection: RejectedFailure['rejection'];
  message: string;
  field?: string | undefined;
}

/** An allowed follow-up: its MID, amount, and the transaction's move that reserves it. */
export interface FollowUpPlan {
  op: FollowUpOperation;
  tx: TransactionRecord;
  mid: MidRuntime;
  amount: number;
  move: NonNullable<StoreWrite['transaction']>;
}

/** What `sendFollowUp` gives when its opening write did not apply. */
export type FollowUpConflict = { conflict: 'idempotency'; claim: IdempotencyClaim } | { conflict: 'refused'; refusal: FollowUpRefusal };

const PAST: Record<FollowUpOperation, string> = { capture: 'captured', void: 'voided', refund: 'refunded' };

/**
 * Decide a follow-up against the transaction as read: state, pinned MID, gateway capabilities,
 * refund window and amounts. The amounts are checked again atomically by the opening write.
 */
export function planFollowUp(
  ctx: RouterContext,
  op: FollowUpOperation,
  tx: TransactionRecord,
  opts: { amount?: number | undefined; override?: boolean | undefined } = {},
): FollowUpPlan | FollowUpRefusal {
  const id = tx.id;
  const from: readonly string[] = FOLLOW_UP_FROM[op];
  if (!tx.mid || !tx.gatewayTransactionId || !from.includes(tx.status)) {
    return { rejection: 'invalid_state', message: `transaction ${id} is ${tx.status}; it cannot be ${PAST[op]}` };
  }
  const mid = ctx.mids.get(tx.mid);
  if (!mid) {
    return {
      rejection: 'pinned_mid_unavailable',
      message: `MID ${tx.mid} that authorized ${id} is no longer configured; ${op} it in the gateway's own console`,
    };
  }
  const caps = mid.adapter.capabilities;
  const now = ctx.clock();
  if (op === 'capture') {
    if (tx.operation !== 'authorize')
      return { rejection: 'invalid_state', message: `transaction ${id} is a ${tx.operation}, not an authorization` };
    const amount = opts.amount ?? tx.amount - tx.capturedAmount;
    if (!caps.capture || (amount !== tx.amount && !caps.partialCapture)) {
      return {
        rejection: 'operation_not_supported',
        message: `${mid.adapter.gateway} cannot ${amount !== tx.amount ? 'partially ' : ''}capture`,
      };
    }
    if (amount <= 0 || tx.capturedAmount + amount > tx.amount) {
      return {
        rejection: 'amount_exceeds_authorized',
        message: `capture of ${amount} exceeds what is left of the authorization (${tx.amount - tx.capturedAmount} of ${tx.amount})`,
        field: 'amount',
      };
    }
    return {
      op,
      tx,
      mid,
      amount,
      move: { id, from: [tx.status], patch: { status: 'capture_pending', updatedAt: now }, add: { captured: amount } },
    };
  }
  if (op === 'refund') {
    const profile = tx.profile ? ctx.profiles.get(tx.profile) : undefined;
    const windowHours = profile?.source.refundWindowHours;
    if (windowHours !== undefined && !opts.override && now - tx.createdAt > windowHours * 3_600_000) {
      return {
        rejection: 'refund_window_closed',
        message: `profile ${profile!.id} allows refunds within ${windowHours} hours of the sale; pass { override: true } to refund anyway`,
      };
    }
    const amount = opts.amount ?? tx.capturedAmount - tx.refundedAmount;
    if (!caps.refund || (amount !== tx.capturedAmount && !caps.partialRefund)) {
      return {
        rejection: 'operation_not_supported',
        message: `${mid.adapter.gateway} cannot ${amount !== tx.capturedAmount ? 'partially ' : ''}refund`,
      };
    }
    if (amount <= 0 || tx.refundedAmount + amount > tx.capturedAmount) {
      return {
        rejection: 'amount_exceeds_captured',
        message: `refund of ${amount} exceeds what is left to refund (${tx.capturedAmount - tx.refundedAmount} of ${tx.capturedAmount} captured)`,
        field: 'amount',
      };
    }
    return { op, tx, mid, amount, move: { id, from: FOLLOW_UP_FROM.refund, patch: { updatedAt: now }, add: { refunded: amount } } };
  }
  if (!caps.void) return { rejection: 'operation_not_supported', message: `${mid.adapter.gateway} cannot void` };
  if (tx.refundedAmount > 0)
    return { rejection: 'invalid_state', message: `transaction ${id} cannot be voided (already voided or refunded)` };
  return {
    op,
    tx,
    mid,
    amount: tx.amount,
    move: { id, from: [tx.status], patch: { status: 'void_pending', updatedAt: now }, unrefunded: true },
  };
}

/**
 * Open the follow-up (one write: attempt, move, and the key's claim when there is a key), call
 * the gateway and settle its answer. An ambiguous outcome keeps the reservation and the attempt
 * pending for `reconcile()`. A write that did not apply is returned as a conflict.
 */
export async function sendFollowUp(
  ctx: RouterContext,
  plan: FollowUpPlan,
  claim?: { key: string; hash: string },
): Promise<RouterResult | FollowUpConflict> {
  const { op, tx, mid, amount, move } = plan;
  const now = ctx.clock();
  const attempt: AttemptRecord = {
    id: newId('at'),
    transactionId: tx.id,
    operation: op,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    amount,
    currency: tx.currency,
    status: 'pending',
    ...(claim && { key: claim.key }),
    fromStatus: tx.status,
    startedAt: now,
  };
  let opened: WriteResult;
  try {
    opened = await ctx.store.write({
      insertAttempt: attempt,
      transaction: move,
      ...(claim && { claim: { key: claim.key, requestHash: claim.hash, transactionId: tx.id, now, leaseUntil: now + ctx.leaseMs } }),
    });
  } catch (e) {
    return Err({
      kind: 'error',
      transactionId: tx.id,
      attempts: [],
      message: `the store failed before any gateway call, nothing was done: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`,
    });
  }
  if (!opened.ok) {
    if (opened.conflict === 'idempotency') return { conflict: 'idempotency', claim: opened.claim };
    return { conflict: 'refused', refusal: refusalOf(op, tx.id, amount, opened) };
  }
  if (move.patch.status && move.patch.status !== tx.status)
    ctx.observer.stateChanged({ transactionId: tx.id, from: tx.status, to: move.patch.status, mid: tx.mid });
  try {
    const openedTx: TransactionRecord = {
      ...tx,
      ...(move.patch as Partial<TransactionRecord>),
      capturedAmount: tx.capturedAmount + (move.add?.captured ?? 0),
      refundedAmount: tx.refundedAmount + (move.add?.refunded ?? 0),
    };
    return await callAndSettle(ctx, op, openedTx, attempt, mid);
  } catch (e) {
    ctx.events.report({
      source: 'store',
      transactionId: tx.id,
      message: `${op} of ${tx.id}: ${e instanceof Error ? e.message.slice(0, 300) : 'error'}`,
    });
    return unrecorded(op, tx.id, attempt);
  }
}

/** The refusal for an opening write that lost a race (the amount or the state changed meanwhile). */
function refusalOf(op: FollowUpOperation, id: string, amount: number, opened: WriteConflict): FollowUpRefusal {
  if (opened.conflict === 'amount') {
    return op === 'void'
      ? { rejection: 'invalid_state', message: `transaction ${id} cannot be voided (already voided or refunded)` }
      : {
          rejection: op === 'capture' ? 'amount_exceeds_authorized' : 'amount_exceeds_captured',
          message: `${op} of ${amount} exceeds what is left (another ${op} took it meanwhile)`,
          field: 'amount',
        };
  }
  const now = 'status' in opened && opened.status ? ` (now ${opened.status})` : '';
  return { rejection: 'invalid_state', message: `transaction ${id} changed meanwhile${now}; it cannot be ${PAST[op]}` };
}

/** The gateway request of a follow-up attempt (also rebuilt by reconciliation to resend it). */
export function followUpRequest(
  tx: TransactionRecord,
  attempt: AttemptRecord,
  merchant: GatewayFollowUpRequest['merchant'],
): GatewayFollowUpRequest {
  return {
    reference: attempt.id,
    transactionId: tx.id,
    gatewayTransactionId: tx.gatewayTransactionId!,
    amount: attempt.amount,
    currency: tx.currency,
    originalAmount: tx.amount,
    ...(tx.card && { card: { bin: tx.card.bin, last4: tx.card.last4, expMonth: tx.card.expMonth, expYear: tx.card.expYear } }),
    merchant,
  };
}

function unrecorded(op: FollowUpOperation, id: string, attempt: AttemptRecord): RouterResult {
  return Err({
    kind: 'ambiguous',
    transactionId: id,
    attempts: [summaryOf(attempt)],
    message: `${op} outcome of ${id} could not be recorded; reconcile() will settle it`,
  });
}

async function callAndSettle(
  ctx: RouterContext,
  op: FollowUpOperation,
  tx: TransactionRecord,
  attempt: AttemptRecord,
  mid: MidRuntime,
): Promise<RouterResult> {
  const watch = ctx.observer.attempt({
    transactionId: tx.id,
    attemptId: attempt.id,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    operation: op,
    amount: attempt.amount,
    currency: tx.currency,
    orderId: tx.orderId,
    email: tx.customer?.email,
  });
  ctx.events.emit('attempt', {
    transactionId: tx.id,
    attemptId: attempt.id,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    operation: op,
    amount: attempt.amount,
    currency: tx.currency,
  });
  const req = followUpRequest(tx, attempt, mid.merchant);
  // The whole follow-up, resends included, stays within the transaction budget.
  const deadline = attempt.startedAt + ctx.timeouts.totalMs;
  const send = (opts: CallOptions) => mid.adapter[op](req, opts);
  const budget = callBudget(ctx, deadline);
  let answer = await callAdapter((signal) => send({ signal, timeoutMs: budget }), budget);
  // Same MID, same reference: only where the gateway deduplicates. Lookups find payments, not follow-ups.
  if (answer.status === 'error' && answer.ambiguous) answer = await resolveAmbiguous(ctx, mid, answer, deadline, { resend: send });
  watch.answered(answer.status);
  const outcome = outcomeOf(ctx, mid, answer);
  if (outcome.kind === 'ambiguous') {
    watch.end('ambiguous');
    ctx.events.emit('ambiguous', {
      transactionId: tx.id,
      attemptId: attempt.id,
      mid: mid.id,
      gateway: mid.adapter.gateway,
      message: outcome.message,
    });
    return Err({
      kind: 'ambiguous',
      transactionId: tx.id,
      attempts: [{ ...summaryOf(attempt, ctx.clock()), outcome: 'ambiguous', message: outcome.message }],
      message: `${op} outcome unknown on ${mid.id} (${outcome.message}); recorded for reconciliation`,
    });
  }
  const settled = await settle(ctx, { tx, attempt, mid, outcome, final: true, earlier: [] });
  watch.end(settled.applied ? settled.attempt.status : 'unrecorded', settled.applied ? settled.attempt.reason : undefined);
  if (settled.applied && settled.result) return settled.result;
  // The gateway's notification settled it before our own call returned: the ledger has the answer.
  const known = !settled.applied && settled.why === 'already_settled' ? await resultFromLedger(ctx, tx.id, attempt.id) : undefined;
  return known ?? unrecorded(op, tx.id, attempt);
}
