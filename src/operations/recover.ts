/**
 * Recovery of what a request left open: a pending attempt is asked about at its gateway (a
 * lookup by our reference, or a follow-up resent where the gateway deduplicates) and settled; a
 * claim whose process died is finished from the ledger. Used by `reconcile()` and by a retry
 * that finds its key's lease run out.
 * @module
 */
import type { CallOptions, GatewayLookupResult, GatewayResult } from '../adapter';
import { callAdapter } from '../attempt/call';
import { followUpRequest } from '../attempt/follow-up';
import { outcomeOf } from '../attempt/outcome';
import { finish, settle } from '../attempt/settle';
import type { RouterContext } from '../context';
import type { AttemptRecord } from '../store/types';
import { summaryOf } from '../transaction/results';
import { releaseHold } from './holds';

const PAYMENTS = new Set(['sale', 'authorize', 'verify', 'rebill']);

/** What asking about one pending attempt did (the counters of a reconciliation report). */
export type AttemptVerdict = 'approved' | 'declined' | 'notFound' | 'unresolved' | 'settledElsewhere';

/** Ask the gateway what became of a pending attempt, and settle it. */
export async function resolveAttempt(ctx: RouterContext, attempt: AttemptRecord): Promise<AttemptVerdict> {
  const mid = ctx.mids.get(attempt.mid);
  const tx = await ctx.store.getTransaction(attempt.transactionId);
  if (!mid || !tx) return 'unresolved';
  const ms = ctx.timeouts.attemptMs;
  let answer: GatewayResult | GatewayLookupResult;
  if (PAYMENTS.has(attempt.operation)) {
    const lookup = mid.adapter.lookup?.bind(mid.adapter);
    if (!lookup || !mid.adapter.capabilities.lookup) return 'unresolved';
    const req = {
      reference: attempt.id,
      transactionId: tx.id,
      gatewayTransactionId: attempt.gatewayTransactionId,
      amount: attempt.amount,
      currency: attempt.currency,
      merchant: mid.merchant,
    };
    answer = await callAdapter((signal) => lookup(req, { signal, timeoutMs: ms }), ms, true);
  } else {
    // A follow-up: the same request again, where the gateway answers a repeat with the first call's result.
    if (!mid.adapter.capabilities.idempotencyKeys || !tx.gatewayTransactionId) return 'unresolved';
    const op = attempt.operation as 'capture' | 'void' | 'refund';
    const req = followUpRequest(tx, attempt, mid.merchant);
    answer = await callAdapter((signal) => mid.adapter[op](req, { signal, timeoutMs: ms } satisfies CallOptions), ms);
  }
  const outcome = outcomeOf(ctx, mid, answer);
  if (outcome.kind === 'ambiguous' || outcome.kind === 'error' || outcome.kind === 'requires_action') return 'unresolved';
  const earlier = (await ctx.store.listAttempts(tx.id))
    .filter((a) => a.id !== attempt.id && a.marker === undefined && a.operation === attempt.operation)
    .map((a) => summaryOf(a));
  const settled = await settle(ctx, { tx, attempt, mid, outcome, final: true, earlier, via: 'reconciliation' });
  if (!settled.applied) return 'settledElsewhere';
  // A verification by pre-authorization: the hold found approved is released like any other.
  if (tx.operation === 'verify' && outcome.kind === 'approved' && attempt.amount > 0) await releaseHold(ctx, tx.id);
  return outcome.kind === 'approved' ? 'approved' : outcome.kind === 'declined' ? 'declined' : 'notFound';
}

/**
 * A claim whose lease ran out: settle the pending attempts it left (a dead process cannot be
 * mid-call any more), then give a transaction whose attempts are all settled its final state.
 * Returns true when the claim now has its result.
 */
export async function recoverClaim(ctx: RouterContext, key: string, transactionId: string | undefined): Promise<boolean> {
  if (!transactionId) return false;
  for (const a of await ctx.store.listAttempts(transactionId)) {
    if (a.status === 'pending' && a.marker === undefined && (a.key === undefined || a.key === key)) await resolveAttempt(ctx, a);
  }
  return finishClaim(ctx, key, transactionId);
}

/** Give a claim's transaction its final state once all its attempts are settled; true when the claim has its result. */
export async function finishClaim(ctx: RouterContext, key: string, transactionId: string | undefined): Promise<boolean> {
  if (!transactionId) return false;
  const claim = await ctx.store.getClaim(key);
  if (!claim || claim.status === 'completed') return claim !== undefined;
  const tx = await ctx.store.getTransaction(transactionId);
  if (!tx || tx.status !== 'pending') return false;
  const attempts = await ctx.store.listAttempts(tx.id);
  if (attempts.some((a) => a.status === 'pending' && a.marker === undefined)) return false;
  return (
    (await finish(
      ctx,
      tx,
      attempts.map((a) => summaryOf(a)),
      key,
    )) !== undefined
  );
}
