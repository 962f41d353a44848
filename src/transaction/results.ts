/**
 * Results from ledger records: the attempt summaries, approvals and failures every path (live
 * loop, replay, reconciliation) builds the same way, and their stored form for idempotency.
 * @module
 */
import { Err, Ok, type Result } from 'ts-results-es';
import type { AttemptRecord, StoredResult, TransactionRecord } from '../store/types';
import type { Approval, AttemptOutcome, AttemptSummary, Failure, Operation, RejectedFailure } from '../types';

/** The result type of every router operation. */
export type RouterResult = Result<Approval, Failure>;

const OUTCOME: Readonly<Record<AttemptRecord['status'], AttemptOutcome>> = {
  pending: 'ambiguous',
  requires_action: 'requires_action',
  accepted: 'approved',
  approved: 'approved',
  held: 'held',
  declined: 'declined',
  error: 'error',
  failed: 'error',
  reversed: 'declined',
};

/** An attempt as results report it. */
export function summaryOf(a: AttemptRecord, now?: number): AttemptSummary {
  const out: AttemptSummary = {
    id: a.id,
    mid: a.mid,
    gateway: a.gateway,
    operation: a.operation,
    outcome: OUTCOME[a.status],
    amount: a.amount,
    currency: a.currency,
    startedAt: a.startedAt,
    durationMs: (a.settledAt ?? now ?? a.startedAt) - a.startedAt,
  };
  if (a.code !== undefined) out.code = a.code;
  if (a.message !== undefined) out.message = a.message;
  if (a.decline !== undefined) out.decline = a.decline;
  if (a.gatewayTransactionId !== undefined) out.gatewayTransactionId = a.gatewayTransactionId;
  return out;
}

/** A MID the loop did not try (cap, circuit, network rule), as results report it. */
export function skippedSummary(
  mid: { id: string; gateway: string },
  operation: Operation,
  amount: number,
  currency: string,
  message: string,
  at: number,
): AttemptSummary {
  return {
    id: '',
    mid: mid.id,
    gateway: mid.gateway,
    operation,
    outcome: 'skipped',
    amount,
    currency,
    message,
    startedAt: at,
    durationMs: 0,
  };
}

/** Card as BIN + last four. */
export function maskedCardOf(tx: TransactionRecord): string | undefined {
  return tx.card && `${tx.card.bin}******${tx.card.last4}`;
}

/** The approval of an operation whose attempt was approved. */
export function approvalOf(tx: TransactionRecord, attempt: AttemptRecord, attempts: AttemptSummary[]): Approval {
  const followUp = attempt.operation === 'capture' || attempt.operation === 'void' || attempt.operation === 'refund';
  const out: Approval = {
    transactionId: tx.id,
    operation: attempt.operation,
    mid: attempt.mid,
    gateway: attempt.gateway,
    gatewayTransactionId: (followUp ? attempt.gatewayTransactionId : tx.gatewayTransactionId) ?? tx.gatewayTransactionId ?? '',
    amount: followUp ? attempt.amount : tx.amount,
    currency: tx.currency,
    attempts,
  };
  if (!followUp) {
    if (tx.authCode !== undefined) out.authCode = tx.authCode;
    if (tx.networkTransactionId !== undefined) out.networkTransactionId = tx.networkTransactionId;
    if (tx.card) out.maskedCard = maskedCardOf(tx);
  }
  if (tx.subscriptionId !== undefined) out.subscriptionId = tx.subscriptionId;
  if (attempt.status === 'held' || attempt.status === 'accepted') out.pending = true;
  return out;
}

/** Serialisable form of a result, for the idempotency record. */
export function toStored(r: RouterResult): StoredResult {
  return r.isOk() ? { ok: true, value: r.value } : { ok: false, value: r.error };
}

/** Rebuild a result from its idempotency record, marked as replayed. */
export function fromStored(s: StoredResult): RouterResult {
  return s.ok ? Ok({ ...(s.value as Approval), replayed: true }) : Err({ ...(s.value as Failure), replayed: true });
}

/** A `rejected` failure (refused before any gateway call). */
export function rejected(
  rejection: RejectedFailure['rejection'],
  message: string,
  extra: Partial<Omit<RejectedFailure, 'kind' | 'rejection' | 'message'>> = {},
): Result<never, RejectedFailure> {
  return Err({ kind: 'rejected', rejection, message, attempts: [], ...extra });
}
