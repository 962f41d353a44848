/**
 * Capture, void and refund: pinned to the MID that authorized, never routed. The options are read
 * once and checked, then the follow-up (`attempt/follow-up.ts`) opens with one store write (the key's claim, the pending attempt, and the transaction's move:
 * `capture_pending` with the amount reserved, `void_pending`, or the refund amount reserved, so
 * captured ≤ authorized and refunded ≤ captured however many run at once), then `settle` applies
 * the gateway's answer. An ambiguous outcome keeps the reservation and the attempt pending:
 * doing a refund twice is worse than not knowing for a while.
 * @module
 */
import { Err } from 'ts-results-es';
import { type FollowUpOperation as FollowUp, planFollowUp, sendFollowUp } from '../attempt/follow-up';
import type { RouterContext } from '../context';
import { rejected, type RouterResult } from '../transaction/results';
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
  const plan = planFollowUp(ctx, op, tx, opts);
  if (!('move' in plan)) return no(plan.rejection, plan.message, plan.field ? { field: plan.field } : {});
  const sent = await sendFollowUp(ctx, plan, key ? { key, hash } : undefined);
  if (!('conflict' in sent)) return sent;
  if (sent.conflict === 'idempotency') return answerClaim(ctx, op, key!, hash, sent.claim);
  return no(sent.refusal.rejection, sent.refusal.message, sent.refusal.field ? { field: sent.refusal.field } : {});
}
