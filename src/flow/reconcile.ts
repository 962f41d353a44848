/**
 * `router.reconcile()`: settle the attempts still `pending` in the ledger (an ambiguous outcome, or
 * a process that died between the gateway's answer and the store write) by asking each gateway
 * by our reference, and record the truth:
 * - approved: the attempt and transaction are approved, the cap reservation is kept, the
 *   subscription is pinned (initial sales), the idempotency record replays the approval;
 * - declined: recorded as a decline (with the card's decline history), cap released;
 * - not found: the attempt and transaction fail, cap released, the idempotency record says so;
 * - no answer, or a gateway that cannot be asked: left pending for the next run.
 *
 * Safe to run from several servers at once: each settlement is one `store.commit` that patches
 * the attempt only while it is still pending, so the first resolver wins and the others, whose
 * commit returns false, change nothing (no second cap release, pin or event).
 *
 * Pending follow-ups (capture, void, refund) are left alone: lookups find payments, not
 * follow-ups, and their amount reservation already keeps refunds within captures. Verification
 * holds (`hold_release` markers) are `releaseHolds`'s job.
 * @module
 */
import type { GatewayApproved, GatewayDeclined, GatewayLookupResult } from '../adapter';
import { redact } from '../card/redact';
import { normalizeWithTables as normalizeDecline } from '../declines/normalize';
import type { AttemptRecord, DeclineRecord, PinRecord, StoreCommit, TransactionRecord } from '../store/types';
import type { Approval, AttemptOutcome, AttemptSummary, Failure } from '../types';
import { callAdapter } from './charge';
import { capCounters, type MidRuntime, type RouterContext } from './context';
import { releaseHold } from './holds';
import type { PinData } from './rebill';

/** Options of `router.reconcile`. */
export interface ReconcileOptions {
  /**
   * Only attempts that started at least this long ago (ms). Default: the router's `timeouts.totalMs`,
   * so a transaction still running in some process is never judged by a lookup that cannot see it yet.
   */
  olderThanMs?: number | undefined;
}

/** What one reconciliation run did. */
export interface ReconcileReport {
  /** Pending payment attempts looked at. */
  checked: number;
  /** Found approved at the gateway: now approved in the ledger. */
  approved: number;
  /** Found declined at the gateway. */
  declined: number;
  /** Unknown to the gateway: failed, cap released. */
  notFound: number;
  /** Still unknown (no answer, or the gateway cannot look up by our reference): left pending. */
  unresolved: number;
  /** Settled by another server between our lookup and our write. */
  settledElsewhere: number;
  /** Pending follow-ups and verification holds, left to their own flows. */
  skipped: number;
}

const PAYMENTS = new Set(['sale', 'authorize', 'verify', 'rebill']);

/** Resolve pending attempts through gateway lookups. */
export async function reconcile(ctx: RouterContext, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const olderThanMs = options.olderThanMs ?? ctx.timeouts.totalMs;
  if (typeof olderThanMs !== 'number' || !Number.isFinite(olderThanMs) || olderThanMs < 0) {
    throw new RangeError('reconcile: olderThanMs: must be a non-negative number of milliseconds');
  }
  const report: ReconcileReport = { checked: 0, approved: 0, declined: 0, notFound: 0, unresolved: 0, settledElsewhere: 0, skipped: 0 };
  for (const attempt of await ctx.store.listPendingAttempts(ctx.clock() - olderThanMs + 1)) {
    if (!PAYMENTS.has(attempt.operation)) {
      report.skipped++;
      continue;
    }
    report.checked++;
    const outcome = await settle(ctx, attempt);
    report[outcome]++;
  }
  return report;
}

type Outcome = 'approved' | 'declined' | 'notFound' | 'unresolved' | 'settledElsewhere';

async function settle(ctx: RouterContext, attempt: AttemptRecord): Promise<Outcome> {
  const mid = ctx.mids.get(attempt.mid);
  const tx = await ctx.store.getTransaction(attempt.transactionId);
  const lookup = mid?.adapter.lookup?.bind(mid.adapter);
  if (!mid || !tx || !lookup || !mid.adapter.capabilities.lookup) return 'unresolved';
  const found: GatewayLookupResult = await callAdapter(
    ctx,
    (signal) =>
      lookup(
        {
          reference: attempt.id,
          transactionId: tx.id,
          gatewayTransactionId: attempt.gatewayTransactionId,
          amount: attempt.amount,
          currency: attempt.currency,
          merchant: mid.merchant,
        },
        { signal, timeoutMs: ctx.timeouts.attemptMs },
      ),
    ctx.timeouts.attemptMs,
  );
  if (found.status === 'approved') return settleApproved(ctx, attempt, tx, mid, found);
  if (found.status === 'declined') return settleDeclined(ctx, attempt, tx, mid, found);
  if (found.status === 'not_found') return settleNotFound(ctx, attempt, tx, mid);
  return 'unresolved';
}

/** The idempotency record of the transaction (`sale:…`, `rebill:…`), as the flows key it. */
function idempotencyKey(tx: TransactionRecord): string | undefined {
  return tx.idempotencyKey === undefined ? undefined : `${tx.operation}:${tx.idempotencyKey}`;
}

function capKeysOf(mid: MidRuntime, attempt: AttemptRecord, tx: TransactionRecord) {
  // Reserved with the counters of the moment the attempt started (a verification takes none).
  if (tx.operation === 'verify') return [];
  return tx.capKeys ?? capCounters(mid, attempt.currency, attempt.startedAt).map((c) => ({ window: c.window, key: c.key }));
}

async function summaries(ctx: RouterContext, tx: TransactionRecord): Promise<AttemptSummary[]> {
  const outcome: Record<AttemptRecord['status'], AttemptOutcome> = {
    pending: 'ambiguous',
    ambiguous: 'ambiguous',
    approved: 'approved',
    declined: 'declined',
    requires_action: 'requires_action',
    error: 'error',
    failed: 'error',
  };
  return (await ctx.store.listAttempts(tx.id))
    .filter((a) => PAYMENTS.has(a.operation))
    .map((a) => ({
      id: a.id,
      mid: a.mid,
      gateway: a.gateway,
      operation: a.operation,
      outcome: outcome[a.status],
      amount: a.amount,
      currency: a.currency,
      code: a.code,
      message: a.message,
      gatewayTransactionId: a.gatewayTransactionId,
      startedAt: a.startedAt,
      durationMs: (a.settledAt ?? a.startedAt) - a.startedAt,
    }));
}

async function commitOnce(
  ctx: RouterContext,
  changes: StoreCommit,
  attempt: AttemptRecord,
  tx: TransactionRecord,
  mid: MidRuntime,
  outcome: 'approved' | 'declined' | 'not_found',
): Promise<boolean> {
  if (!(await ctx.store.commit(changes))) return false;
  ctx.events.emit('reconciled', {
    transactionId: tx.id,
    attemptId: attempt.id,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    operation: attempt.operation,
    outcome,
    amount: attempt.amount,
    currency: attempt.currency,
  });
  return true;
}

async function settleApproved(
  ctx: RouterContext,
  attempt: AttemptRecord,
  tx: TransactionRecord,
  mid: MidRuntime,
  found: GatewayApproved,
): Promise<Outcome> {
  const at = ctx.clock();
  const amount = found.approvedAmount ?? attempt.amount;
  const captured = tx.operation === 'sale' || tx.operation === 'rebill';
  const initial = tx.subscriptionId !== undefined && tx.operation !== 'rebill';
  const hadPin = initial && (await ctx.store.getPin(tx.subscriptionId!)) !== undefined;
  const pin: PinRecord | undefined = initial
    ? {
        subscriptionId: tx.subscriptionId!,
        mid: mid.id,
        gateway: mid.adapter.gateway,
        transactionId: tx.id,
        gatewayTransactionId: found.gatewayTransactionId,
        networkTransactionId: found.networkTransactionId,
        gatewayToken: found.gatewayToken,
        card: tx.card,
        currency: tx.currency,
        initialAmount: tx.operation === 'verify' ? 0 : tx.amount,
        status: 'active',
        createdAt: at,
        updatedAt: at,
        data: { profile: tx.profile },
      }
    : undefined;
  const attempts = (await summaries(ctx, tx)).map((s) =>
    s.id === attempt.id ? { ...s, outcome: 'approved' as const, gatewayTransactionId: found.gatewayTransactionId } : s,
  );
  const approval: Approval = {
    transactionId: tx.id,
    operation: tx.operation,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    gatewayTransactionId: found.gatewayTransactionId,
    authCode: found.authCode,
    amount,
    currency: tx.currency,
    networkTransactionId: found.networkTransactionId,
    maskedCard: tx.card && `${tx.card.bin}******${tx.card.last4}`,
    subscriptionId: tx.subscriptionId,
    attempts,
  };
  const key = idempotencyKey(tx);
  const won = await commitOnce(
    ctx,
    {
      attempt: {
        id: attempt.id,
        patch: {
          status: 'approved',
          gatewayTransactionId: found.gatewayTransactionId,
          message: 'approved (found by reconciliation)',
          settledAt: at,
        },
      },
      transaction: {
        id: tx.id,
        patch: {
          status: 'approved',
          mid: mid.id,
          gateway: mid.adapter.gateway,
          gatewayTransactionId: found.gatewayTransactionId,
          networkTransactionId: found.networkTransactionId,
          authCode: found.authCode,
          amount,
          capturedAmount: captured ? amount : 0,
          capKeys: capKeysOf(mid, attempt, tx),
          updatedAt: at,
        },
      },
      pin,
      ...(key && { idempotency: { key, result: { ok: true, value: approval } } }),
    },
    attempt,
    tx,
    mid,
    'approved',
  );
  if (!won) return 'settledElsewhere';
  if (pin && !hadPin) ctx.events.emit('pin:created', { subscriptionId: pin.subscriptionId, mid: mid.id, transactionId: tx.id });
  if (tx.operation === 'rebill' && tx.subscriptionId) {
    const current = await ctx.store.getPin(tx.subscriptionId);
    const data = (current?.data ?? {}) as PinData;
    if (current)
      await ctx.store.updatePin(
        tx.subscriptionId,
        { data: { ...data, rebills: (data.rebills ?? 0) + 1, salvage: undefined } },
        ctx.clock(),
      );
  }
  // A verification by pre-authorization: the hold found approved is released like any other.
  if (tx.operation === 'verify' && attempt.amount > 0) await releaseHold(ctx, tx.id);
  return 'approved';
}

async function settleDeclined(
  ctx: RouterContext,
  attempt: AttemptRecord,
  tx: TransactionRecord,
  mid: MidRuntime,
  found: GatewayDeclined,
): Promise<Outcome> {
  const at = ctx.clock();
  const message = found.message === undefined ? undefined : redact(found.message);
  const decline = normalizeDecline(
    { gateway: mid.adapter.gateway, code: found.code, message, advice: found.advice },
    { rules: ctx.declineRules, mid: mid.id, table: mid.adapter.declineTable },
  );
  const record: DeclineRecord | undefined = tx.card && {
    fingerprint: tx.card.fingerprint,
    mid: mid.id,
    brand: tx.card.brand,
    at,
    reason: decline.reason,
    retry: decline.retry,
    networkCategory: decline.networkCategory,
    advice: found.advice,
    retryAfter: decline.retryDelayMs ? at + decline.retryDelayMs : undefined,
    amount: attempt.amount,
    currency: attempt.currency,
    initiator: tx.operation === 'rebill' ? 'mit' : 'cit',
  };
  const failure: Failure = {
    kind: 'declined',
    decline,
    transactionId: tx.id,
    attempts: await summaries(ctx, tx),
    message: `declined: ${decline.reason}${message ? ` (${message})` : ''} (found by reconciliation)`,
  };
  const key = idempotencyKey(tx);
  const won = await commitOnce(
    ctx,
    {
      attempt: {
        id: attempt.id,
        patch: {
          status: 'declined',
          code: found.code,
          message,
          reason: decline.reason,
          gatewayTransactionId: found.gatewayTransactionId,
          settledAt: at,
        },
      },
      transaction: { id: tx.id, patch: { status: 'declined', updatedAt: at } },
      decline: record,
      ...(key && { idempotency: { key, result: { ok: false, value: failure } } }),
    },
    attempt,
    tx,
    mid,
    'declined',
  );
  if (!won) return 'settledElsewhere';
  await releaseCap(ctx, mid, attempt, tx);
  return 'declined';
}

async function settleNotFound(ctx: RouterContext, attempt: AttemptRecord, tx: TransactionRecord, mid: MidRuntime): Promise<Outcome> {
  const at = ctx.clock();
  const message = `${mid.adapter.gateway} has no record of reference ${attempt.id}: nothing was charged (found by reconciliation)`;
  const failure: Failure = {
    kind: 'error',
    transactionId: tx.id,
    attempts: await summaries(ctx, tx),
    message: `${message}; use a new idempotency key to try again`,
  };
  const key = idempotencyKey(tx);
  const won = await commitOnce(
    ctx,
    {
      attempt: { id: attempt.id, patch: { status: 'failed', message, settledAt: at } },
      transaction: { id: tx.id, patch: { status: 'failed', updatedAt: at } },
      ...(key && { idempotency: { key, result: { ok: false, value: failure } } }),
    },
    attempt,
    tx,
    mid,
    'not_found',
  );
  if (!won) return 'settledElsewhere';
  await releaseCap(ctx, mid, attempt, tx);
  return 'notFound';
}

async function releaseCap(ctx: RouterContext, mid: MidRuntime, attempt: AttemptRecord, tx: TransactionRecord): Promise<void> {
  const keys = capKeysOf(mid, attempt, tx);
  if (keys.length) await ctx.store.releaseCap(mid.id, keys, attempt.amount);
}
