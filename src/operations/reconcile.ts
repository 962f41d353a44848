/**
 * `router.reconcile()`: settle what is still open in the ledger, through the same `settle` as
 * the live loop:
 * - payment attempts left `pending` (an ambiguous outcome, a process that died between the
 *   gateway's answer and the store write) are looked up at their gateway by our reference:
 *   approved → the ledger, pin and cap usage; declined → a decline; not found → failed, cap
 *   released; no answer, or a gateway that cannot be asked → left pending for the next run;
 * - follow-ups left pending are sent again with the same reference where the gateway
 *   deduplicates by idempotency key (the answer is the first call's), else left for review;
 * - idempotency claims whose lease ran out (their process died) are finished: a transaction
 *   whose attempts are all settled gets its final state, and the key its result;
 * - follow-ups a gateway accepted and decides later (`accepted`: Adyen, Checkout.com) are asked
 *   about where the adapter can ask (`followUpStatus`); those still undecided past
 *   `staleAfterMs` are reported in `stale` (their notification never came);
 * - notifications that arrived before the ledger could take them (`deferred`) are applied again.
 *
 * Safe to run from several servers at once: a settlement applies only while its attempt is
 * still pending, so the first one wins and the others change nothing.
 * @module
 */
import { callAdapter } from '../attempt/call';
import { outcomeOf } from '../attempt/outcome';
import { settle } from '../attempt/settle';
import type { RouterContext } from '../context';
import type { AttemptRecord } from '../store/types';
import type { Operation } from '../types';
import { followUpRequest } from '../attempt/follow-up';
import { HOLD_RELEASE } from '../transaction/states';
import { expireAction } from './action';
import { finishClaim, resolveAttempt } from './recover';
import { applyNotification } from './webhook';

/** Options of `router.reconcile`. */
export interface ReconcileOptions {
  /**
   * Only attempts that started at least this long ago (ms). Default: the router's `timeouts.totalMs`,
   * so a transaction still running in some process is never judged by a lookup that cannot see it yet.
   */
  olderThanMs?: number | undefined;
  /** Accepted follow-ups still undecided after this long (ms since they started) are reported in `stale`. Default 24 h. */
  staleAfterMs?: number | undefined;
}

/** A follow-up a gateway accepted long ago and has not decided (no notification came). */
export interface StalePending {
  transactionId: string;
  attemptId: string;
  mid: string;
  operation: Operation;
  amount: number;
  currency: string;
  /** When it started (ms). */
  since: number;
}

/** What one reconciliation run did. */
export interface ReconcileReport {
  /** Pending attempts looked at (payments and follow-ups). */
  checked: number;
  /** Found approved at the gateway: now approved in the ledger. */
  approved: number;
  /** Found declined at the gateway. */
  declined: number;
  /** Unknown to the gateway: failed, cap released. */
  notFound: number;
  /** Still unknown (no answer, or the gateway cannot be asked): left pending. */
  unresolved: number;
  /** Settled by another server between our lookup and our write. */
  settledElsewhere: number;
  /** Verification-hold markers, left to `releaseHolds`. */
  skipped: number;
  /** Idempotency claims whose process died, finished from the ledger. */
  claimsFinished: number;
  /** 3-D Secure challenges past their deadline, failed as `authentication_abandoned` (those the gateway found approved or declined count there). */
  expired: number;
  /** Accepted follow-ups (the gateway decides later) looked at. */
  acceptedChecked: number;
  /** Of those, settled now with the gateway's answer. */
  acceptedSettled: number;
  /** Accepted follow-ups still undecided past `staleAfterMs`. */
  stale: StalePending[];
  /** Deferred notifications applied now. */
  deferredApplied: number;
  /** Deferred notifications the ledger still cannot take. */
  deferredLeft: number;
  /** Unmatched notifications that match a transaction now (its gateway id was learnt meanwhile). */
  unmatchedMatched: number;
}

const DAY = 24 * 3_600_000;
/** Unmatched notifications tried again per run, oldest first. */
const UNMATCHED_BATCH = 1_000;

/** Resolve pending attempts and dead claims. */
export async function reconcile(ctx: RouterContext, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const olderThanMs = options.olderThanMs ?? ctx.timeouts.totalMs;
  if (typeof olderThanMs !== 'number' || !Number.isFinite(olderThanMs) || olderThanMs < 0) {
    throw new RangeError('reconcile: olderThanMs: must be a non-negative number of milliseconds');
  }
  const report: ReconcileReport = {
    checked: 0,
    approved: 0,
    declined: 0,
    notFound: 0,
    unresolved: 0,
    settledElsewhere: 0,
    skipped: 0,
    claimsFinished: 0,
    expired: 0,
    acceptedChecked: 0,
    acceptedSettled: 0,
    stale: [],
    deferredApplied: 0,
    deferredLeft: 0,
    unmatchedMatched: 0,
  };
  const staleAfterMs = options.staleAfterMs ?? DAY;
  if (typeof staleAfterMs !== 'number' || !Number.isFinite(staleAfterMs) || staleAfterMs < 0) {
    throw new RangeError('reconcile: staleAfterMs: must be a non-negative number of milliseconds');
  }
  for (const attempt of await ctx.store.listPendingAttempts(ctx.clock() - olderThanMs + 1)) {
    if (attempt.marker === HOLD_RELEASE) {
      report.skipped++;
      continue;
    }
    report.checked++;
    report[await resolveAttempt(ctx, attempt)]++;
  }
  for (const attempt of await ctx.store.listActionAttempts(ctx.clock())) {
    const tx = await ctx.store.getTransaction(attempt.transactionId);
    if (!tx || tx.status !== 'requires_action' || ctx.clock() < (tx.expiresAt ?? 0)) continue;
    report.checked++;
    const { verdict } = await expireAction(ctx, tx, attempt, 'reconciliation');
    report[verdict]++;
  }
  for (const claim of await ctx.store.listStaleClaims(ctx.clock())) {
    if (await finishClaim(ctx, claim.key, claim.transactionId)) report.claimsFinished++;
  }
  for (const attempt of await ctx.store.listAcceptedAttempts(ctx.clock() - olderThanMs + 1)) {
    report.acceptedChecked++;
    if (await resolveAccepted(ctx, attempt)) report.acceptedSettled++;
    else if (attempt.startedAt <= ctx.clock() - staleAfterMs) {
      report.stale.push({
        transactionId: attempt.transactionId,
        attemptId: attempt.id,
        mid: attempt.mid,
        operation: attempt.operation,
        amount: attempt.amount,
        currency: attempt.currency,
        since: attempt.startedAt,
      });
    }
  }
  for (const record of await ctx.store.listNotifications({ status: 'deferred' })) {
    const mid = ctx.mids.get(record.mid);
    const r = mid ? await applyNotification(ctx, mid, record.notification, record) : undefined;
    if (r && r.outcome !== 'deferred') report.deferredApplied++;
    else report.deferredLeft++;
  }
  // Orphans received lately: one may name a payment whose gateway id reconciliation just learnt.
  const since = ctx.clock() - staleAfterMs;
  for (const record of await ctx.store.listNotifications({ status: 'unmatched', limit: UNMATCHED_BATCH })) {
    const mid = ctx.mids.get(record.mid);
    if (!mid || record.receivedAt < since) continue;
    const r = await applyNotification(ctx, mid, record.notification, record);
    if (r.outcome !== 'unmatched') report.unmatchedMatched++;
  }
  return report;
}

/** Ask the gateway about a follow-up it accepted, where the adapter can; settle it when decided. */
async function resolveAccepted(ctx: RouterContext, attempt: AttemptRecord): Promise<boolean> {
  const mid = ctx.mids.get(attempt.mid);
  const ask = mid?.adapter.followUpStatus?.bind(mid.adapter);
  if (!mid || !ask) return false;
  const tx = await ctx.store.getTransaction(attempt.transactionId);
  if (!tx || !tx.gatewayTransactionId) return false;
  const op = attempt.operation as 'capture' | 'void' | 'refund';
  const req = { ...followUpRequest(tx, attempt, mid.merchant), operation: op, acceptedId: attempt.gatewayTransactionId };
  const ms = ctx.timeouts.attemptMs;
  const answer = await callAdapter((signal) => ask(req, { signal, timeoutMs: ms }), ms);
  if (answer.status !== 'approved' && answer.status !== 'declined') return false;
  // Decided now: an approval here is final (no longer "accepted, decided later").
  const outcome = outcomeOf(ctx, mid, answer.status === 'approved' ? { ...answer, pending: false } : answer);
  if (outcome.kind !== 'approved' && outcome.kind !== 'declined') return false;
  const settled = await settle(ctx, { tx, attempt, mid, outcome, final: true, earlier: [], via: 'reconciliation' });
  if (settled.applied && outcome.kind === 'declined') {
    const payload = {
      transactionId: tx.id,
      attemptId: attempt.id,
      mid: mid.id,
      gateway: mid.adapter.gateway,
      amount: attempt.amount,
      currency: attempt.currency,
      message: outcome.answer.message,
    };
    ctx.events.emit(op === 'refund' ? 'refund:failed' : op === 'capture' ? 'capture:failed' : 'void:failed', payload);
  }
  return settled.applied;
}
