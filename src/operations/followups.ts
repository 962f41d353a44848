/**
 * Capture, void and refund: pinned to the MID that authorized, never routed. The follow-up opens
 * with one store write (the key's claim, the pending attempt, and the transaction's move:
 * `capture_pending` with the amount reserved, `void_pending`, or the refund amount reserved, so
 * captured ≤ authorized and refunded ≤ captured however many run at once), then `settle` applies
 * the gateway's answer. An ambiguous outcome keeps the reservation and the attempt pending:
 * doing a refund twice is worse than not knowing for a while.
 * @module
 */
import { Err } from 'ts-results-es';
import type { CallOptions, GatewayFollowUpRequest } from '../adapter';
import { callAdapter, callBudget, resolveAmbiguous } from '../attempt/call';
import { outcomeOf } from '../attempt/outcome';
import { resultFromLedger, settle } from '../attempt/settle';
import type { RouterContext } from '../context';
import type { AttemptRecord, StoreWrite, TransactionRecord, WriteResult } from '../store/types';
import { newId } from '../transaction/ids';
import { rejected, type RouterResult, summaryOf } from '../transaction/results';
import { FOLLOW_UP_FROM } from '../transaction/states';
import type { Failure, RejectedFailure } from '../types';
import { answerClaim, requestHash } from './idempotency';
import { validateAmount, validateId, validateIdempotencyKey } from './validate';

/** Options of capture, void and refund. */
export interface FollowUpOptions {
  /** Partial amount (minor units); default: the whole remaining amount. */
  amount?: number | undefined;
  /** Makes the call safe to repeat. */
  idempotencyKey?: string | undefined;
  /** Refunds: ignore the profile's refund window. */
  override?: boolean | undefined;
}

type FollowUp = 'capture' | 'void' | 'refund';

const PAST: Record<FollowUp, string> = { capture: 'captured', void: 'voided', refund: 'refunded' };

/** Read the options once (a getter that throws is a validation failure). */
function readOptions(op: FollowUp, options: unknown): FollowUpOptions | RejectedFailure {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null)
    return { kind: 'rejected', rejection: 'validation', field: 'options', message: 'options: must be an object', attempts: [] };
  try {
    const o = options as Record<string, unknown>;
    const amount = o.amount;
    const idempotencyKey = o.idempotencyKey;
    const override = o.override;
    const bad =
      (op === 'void' && amount !== undefined ? { field: 'amount', message: 'a void is always for the whole transaction' } : undefined) ??
      (amount !== undefined ? validateAmount(amount) : undefined) ??
      (idempotencyKey !== undefined ? validateIdempotencyKey(idempotencyKey) : undefined) ??
      (override !== undefined && typeof override !== 'boolean' ? { field: 'override', message: 'must be true or false' } : undefined);
    if (bad) return { kind: 'rejected', rejection: 'validation', field: bad.field, message: `${bad.field}: ${bad.message}`, attempts: [] };
    return {
      amount: amount as number | undefined,
      idempotencyKey: idempotencyKey as string | undefined,
      override: override as boolean | undefined,
    };
  } catch {
    return {
      kind: 'rejected',
      rejection: 'validation',
      field: 'options',
      message: 'options: could not be read (a getter threw)',
      attempts: [],
    };
  }
}

/** Run a capture, void or refund on the transaction's own MID. */
export async function followUp(ctx: RouterContext, op: FollowUp, transactionId: unknown, options?: FollowUpOptions): Promise<RouterResult> {
  const badId = validateId(transactionId, 'transactionId');
  if (badId) return rejected('validation', `transactionId: ${badId.message}`, { field: 'transactionId' });
  const opts = readOptions(op, options);
  if ('kind' in opts) return Err(opts);
  const id = transactionId as string;
  const key = opts.idempotencyKey === undefined ? undefined : `${op}:${opts.idempotencyKey}`;
  const hash = requestHash([op, id, opts.amount ?? null]);
  const refuse = async (failure: Failure): Promise<RouterResult> => {
    const claim = key ? await ctx.store.getClaim(key).catch(() => undefined) : undefined;
    return claim ? answerClaim(ctx, op, key!, hash, claim) : Err(failure);
  };
  const no = (rejection: RejectedFailure['rejection'], message: string, extra: Partial<RejectedFailure> = {}) =>
    refuse({ kind: 'rejected', rejection, message, attempts: [], transactionId: id, ...extra });

  const tx = await ctx.store.getTransaction(id);
  if (!tx) return no('unknown_transaction', `no transaction ${id}`, { field: 'transactionId', transactionId: undefined });
  const from: readonly string[] = FOLLOW_UP_FROM[op];
  if (!tx.mid || !tx.gatewayTransactionId || !from.includes(tx.status)) {
    return no('invalid_state', `transaction ${id} is ${tx.status}; it cannot be ${PAST[op]}`);
  }
  const mid = ctx.mids.get(tx.mid);
  if (!mid)
    return no(
      'pinned_mid_unavailable',
      `MID ${tx.mid} that authorized ${id} is no longer configured; ${op} it in the gateway's own console`,
    );

  const caps = mid.adapter.capabilities;
  let amount: number;
  let move: NonNullable<StoreWrite['transaction']>;
  const now = ctx.clock();
  if (op === 'capture') {
    if (tx.operation !== 'authorize') return no('invalid_state', `transaction ${id} is a ${tx.operation}, not an authorization`);
    amount = opts.amount ?? tx.amount - tx.capturedAmount;
    if (!caps.capture || (amount !== tx.amount && !caps.partialCapture)) {
      return no('operation_not_supported', `${mid.adapter.gateway} cannot ${amount !== tx.amount ? 'partially ' : ''}capture`);
    }
    if (amount <= 0 || tx.capturedAmount + amount > tx.amount) {
      return no(
        'amount_exceeds_authorized',
        `capture of ${amount} exceeds what is left of the authorization (${tx.amount - tx.capturedAmount} of ${tx.amount})`,
        { field: 'amount' },
      );
    }
    move = { id, from: [tx.status], patch: { status: 'capture_pending', updatedAt: now }, add: { captured: amount } };
  } else if (op === 'refund') {
    const profile = tx.profile ? ctx.profiles.get(tx.profile) : undefined;
    const windowHours = profile?.source.refundWindowHours;
    if (windowHours !== undefined && !opts.override && now - tx.createdAt > windowHours * 3_600_000) {
      return no(
        'refund_window_closed',
        `profile ${profile!.id} allows refunds within ${windowHours} hours of the sale; pass { override: true } to refund anyway`,
      );
    }
    amount = opts.amount ?? tx.capturedAmount - tx.refundedAmount;
    if (!caps.refund || (amount !== tx.capturedAmount && !caps.partialRefund)) {
      return no('operation_not_supported', `${mid.adapter.gateway} cannot ${amount !== tx.capturedAmount ? 'partially ' : ''}refund`);
    }
    if (amount <= 0 || tx.refundedAmount + amount > tx.capturedAmount) {
      return no(
        'amount_exceeds_captured',
        `refund of ${amount} exceeds what is left to refund (${tx.capturedAmount - tx.refundedAmount} of ${tx.capturedAmount} captured)`,
        {
          field: 'amount',
        },
      );
    }
    move = { id, from: FOLLOW_UP_FROM.refund, patch: { updatedAt: now }, add: { refunded: amount } };
  } else {
    amount = tx.amount;
    if (!caps.void) return no('operation_not_supported', `${mid.adapter.gateway} cannot void`);
    if (tx.refundedAmount > 0) return no('invalid_state', `transaction ${id} cannot be voided (already voided or refunded)`);
    move = { id, from: [tx.status], patch: { status: 'void_pending', updatedAt: now }, unrefunded: true };
  }

  const attempt: AttemptRecord = {
    id: newId('at'),
    transactionId: tx.id,
    operation: op,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    amount,
    currency: tx.currency,
    status: 'pending',
    ...(key && { key }),
    fromStatus: tx.status,
    startedAt: now,
  };
  let opened: WriteResult;
  try {
    opened = await ctx.store.write({
      insertAttempt: attempt,
      transaction: move,
      ...(key && { claim: { key, requestHash: hash, transactionId: tx.id, now, leaseUntil: now + ctx.leaseMs } }),
    });
  } catch (e) {
    return Err({
      kind: 'error',
      transactionId: id,
      attempts: [],
      message: `the store failed before any gateway call, nothing was done: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`,
    });
  }
  if (!opened.ok) {
    if (opened.conflict === 'idempotency') return answerClaim(ctx, op, key!, hash, opened.claim);
    if (opened.conflict === 'amount') {
      return op === 'void'
        ? no('invalid_state', `transaction ${id} cannot be voided (already voided or refunded)`)
        : no(
            op === 'capture' ? 'amount_exceeds_authorized' : 'amount_exceeds_captured',
            `${op} of ${amount} exceeds what is left (another ${op} took it meanwhile)`,
            {
              field: 'amount',
            },
          );
    }
    return no(
      'invalid_state',
      `transaction ${id} changed meanwhile${'status' in opened && opened.status ? ` (now ${opened.status})` : ''}; it cannot be ${PAST[op]}`,
    );
  }
  if (move.patch.status && move.patch.status !== tx.status)
    ctx.observer.stateChanged({ transactionId: id, from: tx.status, to: move.patch.status, mid: tx.mid });
  try {
    const openedTx: TransactionRecord = {
      ...tx,
      ...(move.patch as Partial<TransactionRecord>),
      capturedAmount: tx.capturedAmount + (move.add?.captured ?? 0),
      refundedAmount: tx.refundedAmount + (move.add?.refunded ?? 0),
    };
    return await callAndSettle(ctx, op, openedTx, attempt);
  } catch (e) {
    ctx.events.report({
      source: 'store',
      transactionId: id,
      message: `${op} of ${id}: ${e instanceof Error ? e.message.slice(0, 300) : 'error'}`,
    });
    return Err({
      kind: 'ambiguous',
      transactionId: id,
      attempts: [summaryOf(attempt)],
      message: `${op} outcome of ${id} could not be recorded; reconcile() will settle it`,
    });
  }
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

async function callAndSettle(ctx: RouterContext, op: FollowUp, tx: TransactionRecord, attempt: AttemptRecord): Promise<RouterResult> {
  const mid = ctx.mids.get(attempt.mid)!;
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
  if (known) return known;
  return Err({
    kind: 'ambiguous',
    transactionId: tx.id,
    attempts: [summaryOf(attempt)],
    message: `${op} outcome of ${tx.id} could not be recorded; reconcile() will settle it`,
  });
}
