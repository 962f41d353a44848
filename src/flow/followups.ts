/**
 * Capture, void and refund: pinned to the MID that authorized, never routed. Amount limits are
 * reserved atomically in the store before the gateway call (captured ≤ authorized, refunded ≤
 * captured) and given back if the gateway says no. An ambiguous outcome keeps the reservation and
 * the attempt pending: doing a refund twice is worse than not knowing for a while.
 * @module
 */
import { Err, Ok } from 'ts-results-es';
import type { CallOptions, GatewayFollowUpRequest } from '../adapter';
import { redact } from '../card/redact';
import { normalizeWithTables as normalizeDecline } from '../declines/normalize';
import type { Approval, AttemptSummary, Failure } from '../types';
import type { RouterContext } from './context';
import { callAdapter, callBudget, resolveAmbiguous } from './charge';
import { newId } from './ids';
import { claim, requestHash } from './idempotency';
import { rejected, toStored, type RouterResult } from './results';
import { validateAmount, validateIdempotencyKey } from './validate';

/** Options of capture, void and refund. */
export interface FollowUpOptions {
  /** Partial amount (minor units); default: the whole remaining amount. */
  amount?: number | undefined;
  /** Makes the call safe to repeat. */
  idempotencyKey?: string | undefined;
  /** Refunds: ignore the profile's refund window. */
  override?: boolean | undefined;
}

/** Run a capture, void or refund on the transaction's own MID. */
export async function followUp(
  ctx: RouterContext,
  op: 'capture' | 'void' | 'refund',
  transactionId: unknown,
  options: FollowUpOptions = {},
): Promise<RouterResult> {
  if (typeof transactionId !== 'string' || transactionId.length === 0)
    return rejected('validation', 'transactionId: is required', { field: 'transactionId' });
  if (typeof options !== 'object' || options === null) return rejected('validation', 'options: must be an object', { field: 'options' });
  if (op === 'void' && options.amount !== undefined)
    return rejected('validation', 'amount: a void is always for the whole transaction', { field: 'amount' });
  const bad =
    (options.amount !== undefined ? validateAmount(options.amount) : undefined) ??
    (options.idempotencyKey !== undefined ? validateIdempotencyKey(options.idempotencyKey) : undefined);
  if (bad) return rejected('validation', `${bad.field}: ${bad.message}`, { field: bad.field });

  const key = options.idempotencyKey === undefined ? undefined : `${op}:${options.idempotencyKey}`;
  if (key) {
    const early = await claim(ctx, key, requestHash([op, transactionId, options.amount ?? null]));
    if (early) return early;
  }
  const done = async (r: RouterResult) => {
    if (key) await ctx.store.commit({ idempotency: { key, result: toStored(r) } });
    return r;
  };

  const tx = await ctx.store.getTransaction(transactionId);
  if (!tx) return done(rejected('unknown_transaction', `no transaction ${transactionId}`, { field: 'transactionId' }));
  if (!tx.mid || !tx.gatewayTransactionId || tx.status !== 'approved') {
    return done(
      rejected(
        'invalid_state',
        `transaction ${transactionId} is ${tx.status}; only approved transactions can be ${op === 'capture' ? 'captured' : op === 'void' ? 'voided' : 'refunded'}`,
        { transactionId },
      ),
    );
  }
  const mid = ctx.mids.get(tx.mid);
  if (!mid)
    return done(
      rejected(
        'pinned_mid_unavailable',
        `MID ${tx.mid} that authorized ${transactionId} is no longer configured; ${op} it in the gateway's own console`,
        { transactionId },
      ),
    );

  const caps = mid.adapter.capabilities;
  let amount: number;
  if (op === 'capture') {
    if (tx.operation !== 'authorize')
      return done(rejected('invalid_state', `transaction ${transactionId} is a ${tx.operation}, not an authorization`, { transactionId }));
    amount = options.amount ?? tx.amount - tx.capturedAmount;
    if (!caps.capture || (amount !== tx.amount && !caps.partialCapture))
      return done(
        rejected('operation_not_supported', `${mid.adapter.gateway} cannot ${amount !== tx.amount ? 'partially ' : ''}capture`, {
          transactionId,
        }),
      );
    if (amount <= 0 || !(await ctx.store.reserveAmount(tx.id, 'captured', amount))) {
      return done(
        rejected(
          'amount_exceeds_authorized',
          `capture of ${amount} exceeds what is left of the authorization (${tx.amount - tx.capturedAmount} of ${tx.amount})`,
          { field: 'amount', transactionId },
        ),
      );
    }
  } else if (op === 'refund') {
    const profile = tx.profile ? ctx.profiles.get(tx.profile) : undefined;
    const windowHours = profile?.source.refundWindowHours;
    if (windowHours !== undefined && !options.override && ctx.clock() - tx.createdAt > windowHours * 3_600_000) {
      return done(
        rejected(
          'refund_window_closed',
          `profile ${profile!.id} allows refunds within ${windowHours} hours of the sale; pass { override: true } to refund anyway`,
          { transactionId },
        ),
      );
    }
    amount = options.amount ?? tx.capturedAmount - tx.refundedAmount;
    if (!caps.refund || (amount !== tx.capturedAmount && !caps.partialRefund))
      return done(
        rejected('operation_not_supported', `${mid.adapter.gateway} cannot ${amount !== tx.capturedAmount ? 'partially ' : ''}refund`, {
          transactionId,
        }),
      );
    if (amount <= 0 || !(await ctx.store.reserveAmount(tx.id, 'refunded', amount))) {
      return done(
        rejected(
          'amount_exceeds_captured',
          `refund of ${amount} exceeds what is left to refund (${tx.capturedAmount - tx.refundedAmount} of ${tx.capturedAmount} captured)`,
          { field: 'amount', transactionId },
        ),
      );
    }
  } else {
    amount = tx.amount;
    if (!caps.void) return done(rejected('operation_not_supported', `${mid.adapter.gateway} cannot void`, { transactionId }));
    if (!(await ctx.store.markVoided(tx.id, ctx.clock())))
      return done(
        rejected('invalid_state', `transaction ${transactionId} cannot be voided (already voided or refunded)`, { transactionId }),
      );
  }
  const undo = async () => {
    if (op === 'void') await ctx.store.commit({ transaction: { id: tx.id, patch: { status: 'approved', updatedAt: ctx.clock() } } });
    else await ctx.store.releaseAmount(tx.id, op === 'capture' ? 'captured' : 'refunded', amount);
  };

  const attemptId = newId('at');
  const startedAt = ctx.clock();
  await ctx.store.insertAttempt({
    id: attemptId,
    transactionId: tx.id,
    operation: op,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    amount,
    currency: tx.currency,
    status: 'pending',
    startedAt,
  });
  ctx.events.emit('attempt', {
    transactionId: tx.id,
    attemptId,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    operation: op,
    amount,
    currency: tx.currency,
  });
  const req: GatewayFollowUpRequest = {
    reference: attemptId,
    transactionId: tx.id,
    gatewayTransactionId: tx.gatewayTransactionId,
    amount,
    currency: tx.currency,
    originalAmount: tx.amount,
    card: tx.card && { bin: tx.card.bin, last4: tx.card.last4, expMonth: tx.card.expMonth, expYear: tx.card.expYear },
    merchant: mid.merchant,
  };
  // The whole follow-up, resends included, stays within the transaction budget.
  const deadline = startedAt + ctx.timeouts.totalMs;
  const send = (opts: CallOptions) => mid.adapter[op](req, opts);
  const budget = callBudget(ctx, deadline);
  let result = await callAdapter(ctx, (signal) => send({ signal, timeoutMs: budget }), budget);
  // Same MID, same reference: only where the gateway deduplicates. Lookups find payments, not follow-ups.
  if (result.status === 'error' && result.ambiguous) result = await resolveAmbiguous(ctx, mid, result, deadline, { resend: send });
  const at = ctx.clock();
  const base = {
    id: attemptId,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    operation: op,
    amount,
    currency: tx.currency,
    startedAt,
    durationMs: at - startedAt,
  } as const;

  if (result.status === 'approved') {
    const attempts: AttemptSummary[] = [{ ...base, outcome: 'approved', gatewayTransactionId: result.gatewayTransactionId }];
    const approval: Approval = {
      transactionId: tx.id,
      operation: op,
      mid: mid.id,
      gateway: mid.adapter.gateway,
      gatewayTransactionId: result.gatewayTransactionId,
      authCode: result.authCode,
      amount,
      currency: tx.currency,
      subscriptionId: tx.subscriptionId,
      attempts,
    };
    await ctx.store.commit({
      attempt: { id: attemptId, patch: { status: 'approved', gatewayTransactionId: result.gatewayTransactionId, settledAt: at } },
      ...(key && { idempotency: { key, result: toStored(Ok(approval)) } }),
    });
    if (op === 'void' && tx.capKeys?.length) await ctx.store.releaseCap(mid.id, tx.capKeys, tx.amount);
    ctx.events.emit('approved', {
      transactionId: tx.id,
      mid: mid.id,
      gateway: mid.adapter.gateway,
      operation: op,
      amount,
      currency: tx.currency,
      attempts,
    });
    return Ok(approval);
  }
  if (result.status === 'error' && result.ambiguous) {
    // Keep the reservation: the gateway may have done it, and doing it twice is worse.
    const message = redact(result.message);
    ctx.events.emit('ambiguous', { transactionId: tx.id, attemptId, mid: mid.id, gateway: mid.adapter.gateway, message });
    return done(
      Err({
        kind: 'ambiguous',
        transactionId: tx.id,
        attempts: [{ ...base, outcome: 'ambiguous', message }],
        message: `${op} outcome unknown on ${mid.id} (${message}); recorded for reconciliation`,
      }),
    );
  }
  await undo();
  let failure: Failure;
  if (result.status === 'declined') {
    const message = result.message === undefined ? undefined : redact(result.message);
    const decline = normalizeDecline(
      { gateway: mid.adapter.gateway, code: result.code, message, advice: result.advice },
      { rules: ctx.declineRules, mid: mid.id, table: mid.adapter.declineTable },
    );
    await ctx.store.commit({
      attempt: { id: attemptId, patch: { status: 'declined', code: result.code, message, reason: decline.reason, settledAt: at } },
    });
    ctx.events.emit('declined', { transactionId: tx.id, attemptId, mid: mid.id, gateway: mid.adapter.gateway, operation: op, decline });
    failure = {
      kind: 'declined',
      decline,
      transactionId: tx.id,
      attempts: [{ ...base, outcome: 'declined', code: result.code, message, decline }],
      message: `${op} declined: ${decline.reason}${message ? ` (${message})` : ''}`,
    };
  } else {
    const message = result.status === 'error' ? redact(result.message) : 'unexpected requires_action on a follow-up';
    await ctx.store.commit({ attempt: { id: attemptId, patch: { status: 'error', message, settledAt: at } } });
    failure = {
      kind: 'error',
      transactionId: tx.id,
      attempts: [{ ...base, outcome: 'error', message }],
      message: `${op} failed on ${mid.id}: ${message}`,
    };
  }
  return done(Err(failure));
}
