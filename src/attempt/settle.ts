/**
 * Settlement: the only code that changes a transaction's state. It applies one attempt's outcome
 * to the ledger (attempt and transaction), the cap counters, the pin, the card's decline history
 * and the idempotency record in one store write, then emits the events. Every way an outcome
 * arrives ends here: the live attempt loop, an ambiguous call resolved by a resend or a lookup,
 * follow-ups, `reconcile()`, and (later) 3-D Secure completions and webhooks.
 *
 * It is idempotent: the write only applies while the attempt is still in the state the caller
 * saw, so the same outcome applied twice (two servers reconciling, a retry racing a webhook)
 * changes nothing the second time and emits nothing. A move the state machine does not allow is
 * refused and reported (`error` event), never applied.
 * @module
 */
import { Err, Ok } from 'ts-results-es';
import { actionLifetime, type MidRuntime } from '../accounts';
import type { RouterContext } from '../context';
import type {
  AttemptPatch,
  AttemptRecord,
  DeclineRecord,
  MonthCount,
  PinCredential,
  PinRecord,
  StoreWrite,
  TransactionPatch,
  TransactionRecord,
  TransactionStatus,
} from '../store/types';
import { approvalOutcomeOf, type SignalOutcome } from '../selection/approval-signal';
import type { GatewayApproved } from '../adapter';
import { increments } from '../monitoring/counts';
import { monthKey } from '../monitoring/month';
import { credentialOf, credentialOn } from '../subscriptions/credentials';
import { pinData, pinFor } from '../subscriptions/pin';
import { planSalvage } from '../subscriptions/salvage';
import { newId } from '../transaction/ids';
import { canMove, FOLLOW_UP_FROM, HOLD_RELEASE, refundState } from '../transaction/states';
import { approvalOf, maskedCardOf, type RouterResult, summaryOf, toStored } from '../transaction/results';
import type { AttemptSummary, DeclinedFailure, Failure } from '../types';
import type { SettlingOutcome } from './outcome';

const THIRTY_DAYS = 30 * 24 * 3_600_000;

/** One outcome to apply. */
export interface Settlement {
  /** The transaction as the caller read it: its status is the state the write expects. */
  tx: TransactionRecord;
  /** The attempt as written (pending, or requires_action for a 3-D Secure completion). */
  attempt: AttemptRecord;
  mid: MidRuntime;
  outcome: SettlingOutcome;
  /** No other attempt follows: the transaction takes its final state and the idempotency key its result. */
  final: boolean;
  /** Summaries of the attempts made before this one, in order. */
  earlier: AttemptSummary[];
  /** The card's recent declines (network rules, salvage), when the caller has them. */
  history?: DeclineRecord[] | undefined;
  /** How the outcome was learnt; reconciliation and notifications say so in messages and events. */
  via?: 'live' | 'reconciliation' | 'notification' | undefined;
  /** A note kept as the attempt's message (e.g. why a challenge was started). */
  note?: string | undefined;
  /** Parts written in the same store write: a notification's record (so it is recorded exactly once with its change). */
  also?: Pick<StoreWrite, 'notification'> | undefined;
  /**
   * The attempt is not in the store yet: a follow-up made outside Switchyard (the gateway's
   * console), learnt from a notification. It is inserted with its outcome; nothing was reserved.
   */
  insert?: boolean | undefined;
}

/** What a settlement did. */
export type Settled =
  | { applied: true; result?: RouterResult | undefined; tx: TransactionRecord; attempt: AttemptRecord; summary: AttemptSummary }
  | {
      applied: false;
      why: 'already_settled' | 'illegal_transition' | 'state_changed' | 'duplicate_notification';
      status?: string | undefined;
    };

const FOLLOW_UPS = new Set(['capture', 'void', 'refund']);

/** Apply an attempt's outcome to the ledger. */
export async function settle(ctx: RouterContext, s: Settlement): Promise<Settled> {
  const plan = FOLLOW_UPS.has(s.attempt.operation) ? await followUpWrite(ctx, s) : await paymentWrite(ctx, s);
  if ('refused' in plan) return plan.refused;
  const attempt: AttemptRecord = { ...s.attempt, ...plan.attemptPatch } as AttemptRecord;
  // Success-rate routing counts the outcome in the same write, so it counts exactly once.
  const approval = FOLLOW_UPS.has(s.attempt.operation)
    ? undefined
    : approvalOutcomeOf(
        s.tx,
        s.attempt,
        signalOf(s.outcome),
        s.earlier.every((a) => a.outcome === 'skipped'),
        plan.attemptPatch.settledAt ?? ctx.clock(),
      );
  const w: StoreWrite = {
    ...(s.insert ? { insertAttempt: attempt } : { attempt: { id: s.attempt.id, from: [s.attempt.status], patch: plan.attemptPatch } }),
    ...(plan.txWrite && { transaction: plan.txWrite }),
    ...plan.extra,
    ...(approval && { approvalOutcome: approval }),
    ...s.also,
  };
  const counts = settledCounts(ctx, s, plan.txAfter);
  if (counts.length) w.monitor = { counts };
  const tx: TransactionRecord = plan.txAfter;
  const summary = summaryOf(attempt);
  const attempts = [...s.earlier, summary];
  const result = plan.final ? plan.result(tx, attempt, attempts) : undefined;
  if (result && s.attempt.key) w.complete = { key: s.attempt.key, result: toStored(result) };
  const done = await ctx.store.write(w);
  if (!done.ok) {
    if (done.conflict === 'state' && done.on === 'attempt') return { applied: false, why: 'already_settled', status: done.status };
    if (done.conflict === 'notification') return { applied: false, why: 'duplicate_notification', status: done.status };
    ctx.events.report({
      source: 'store',
      transactionId: s.tx.id,
      message: `settling ${attempt.operation} attempt ${attempt.id}: the ledger changed meanwhile (${done.conflict}${'status' in done && done.status ? `: ${done.status}` : ''}); nothing applied`,
    });
    return { applied: false, why: 'state_changed', status: 'status' in done ? done.status : undefined };
  }
  if (approval) ctx.approvals.observe(approval);
  ctx.observer.settled({ before: s.tx, after: tx, attempt, via: s.via });
  emitSettled(ctx, s, tx, attempt, attempts, plan, done.pinCreated === true);
  return { applied: true, result, tx, attempt, summary };
}

/** What the success-rate signal looks at in an outcome. */
function signalOf(o: SettlingOutcome): SignalOutcome {
  if (o.kind === 'approved') return { kind: 'approved' };
  if (o.kind === 'declined') return { kind: 'declined', reason: o.decline.reason };
  // Settling outcomes are never ambiguous: an error here is a definite one (nothing was charged).
  if (o.kind === 'error') return { kind: 'error' };
  return { kind: 'other' };
}

/**
 * Chargeback monitoring: what a settlement adds to its MID's monthly counters (in the same write):
 * a settled sale (a captured sale or rebill, the first capture of an authorization), a refund, and
 * a sale taken back (a voided sale, a reversed capture or refund).
 */
function settledCounts(ctx: RouterContext, s: Settlement, after: TransactionRecord): MonthCount[] {
  const o = s.outcome;
  const op = s.attempt.operation;
  const month = monthKey(ctx.clock(), ctx.monitoring.options.timeZone);
  const brand = s.tx.card?.brand;
  const mid = s.mid.id;
  const pending = o.kind === 'approved' && o.answer.pending === true && !s.insert;
  if (o.kind === 'approved' && !pending) {
    if ((op === 'sale' || op === 'rebill') && after.status === 'captured')
      return increments(mid, month, 'sales', brand, after.capturedAmount);
    if (op === 'capture') {
      // Our own captures reserved their amount when they opened; one learnt from a notification did not.
      const before = s.insert ? s.tx.capturedAmount : s.tx.capturedAmount - s.attempt.amount;
      return increments(mid, month, 'sales', brand, s.attempt.amount, before === 0 ? 1 : 0);
    }
    if (op === 'refund') return increments(mid, month, 'refunds', brand, s.attempt.amount);
    if (op === 'void' && s.tx.capturedAmount > 0) return increments(mid, month, 'sales', brand, -s.tx.capturedAmount, -1);
  }
  if (o.kind === 'reversed' && s.attempt.status === 'approved') {
    if (op === 'capture') return increments(mid, month, 'sales', brand, -s.attempt.amount, after.capturedAmount === 0 ? -1 : 0);
    if (op === 'refund') return increments(mid, month, 'refunds', brand, -s.attempt.amount, -1);
  }
  return [];
}

interface WritePlan {
  attemptPatch: AttemptPatch;
  txWrite?: NonNullable<StoreWrite['transaction']> | undefined;
  txAfter: TransactionRecord;
  extra: Omit<StoreWrite, 'attempt' | 'transaction'>;
  final: boolean;
  result(tx: TransactionRecord, attempt: AttemptRecord, attempts: AttemptSummary[]): RouterResult;
  pin?: PinRecord | undefined;
  revoked?: string | undefined;
}

type Planned = WritePlan | { refused: Settled };

function refuseIllegal(ctx: RouterContext, s: Settlement, to: TransactionStatus): { refused: Settled } {
  ctx.events.report({
    source: 'state_machine',
    transactionId: s.tx.id,
    message: `transaction ${s.tx.id} cannot move from ${s.tx.status} to ${to} (${s.attempt.operation} attempt ${s.attempt.id}): refused`,
  });
  return { refused: { applied: false, why: 'illegal_transition', status: s.tx.status } };
}

const note = (s: Settlement) =>
  s.via === 'reconciliation' ? ' (found by reconciliation)' : s.via === 'notification' ? " (reported by the gateway's notification)" : '';

function declineMessage(d: { reason: string; raw: { message?: string | undefined } }, prefix = 'declined'): string {
  return `${prefix}: ${d.reason}${d.raw.message ? ` (${d.raw.message})` : ''}`;
}

/** The fields a patch clears (set to `undefined`), as the store expects them. */
function clearedOf(patch: TransactionPatch): TransactionPatch {
  let out: TransactionPatch | undefined;
  for (const k in patch) if (patch[k as keyof TransactionPatch] === undefined) (out ??= {})[k as 'action'] = undefined;
  return out ?? {};
}

/** Settlement of a sale, authorization, verification or rebill attempt. */
async function paymentWrite(ctx: RouterContext, s: Settlement): Promise<Planned> {
  const { tx, attempt, mid, outcome } = s;
  const at = ctx.clock();
  const capRelease = (amount: number, count: number) =>
    attempt.capKeys?.length ? { releaseCap: { mid: attempt.mid, counters: attempt.capKeys, amount, count } } : {};
  const base = { settledAt: at } satisfies AttemptPatch;
  const moveTo = (next: TransactionStatus, patch: TransactionPatch = {}, add?: { captured?: number }) => {
    const full: TransactionPatch = { status: next, updatedAt: at };
    for (const k in patch) {
      const v = patch[k as keyof TransactionPatch];
      if (v !== undefined) (full as Record<string, unknown>)[k] = v;
    }
    const txAfter = Object.assign({}, tx, full) as TransactionRecord;
    txAfter.capturedAmount = tx.capturedAmount + (add?.captured ?? 0);
    // Fields the patch clears (undefined) are removed by the store; they are absent from `full`.
    for (const k in patch) if (patch[k as keyof TransactionPatch] === undefined) delete (txAfter as unknown as Record<string, unknown>)[k];
    return { txWrite: { id: tx.id, from: [tx.status], patch: { ...full, ...clearedOf(patch) }, ...(add && { add }) }, txAfter };
  };

  if (outcome.kind === 'reversed') return refuseIllegal(ctx, s, tx.status);
  if (outcome.kind === 'approved') {
    const a = outcome.answer;
    const amount = Math.min(a.approvedAmount ?? attempt.amount, attempt.amount);
    const captures = attempt.operation === 'sale' || attempt.operation === 'rebill';
    const next: TransactionStatus = a.heldForReview
      ? 'held_for_review'
      : captures
        ? 'captured'
        : attempt.operation === 'verify' && amount === 0
          ? 'verified'
          : 'authorized';
    if (!canMove(tx.status, next)) return refuseIllegal(ctx, s, next);
    const patch: TransactionPatch = {
      mid: mid.id,
      gateway: mid.adapter.gateway,
      gatewayTransactionId: a.gatewayTransactionId,
      networkTransactionId: a.networkTransactionId,
      gatewayToken: a.gatewayToken,
      authCode: a.authCode,
      amount,
      capKeys: attempt.capKeys,
      action: undefined,
    };
    const moved = moveTo(next, patch, captures && !a.heldForReview ? { captured: amount } : undefined);
    const pin = pinFor(moved.txAfter, a, at, mid);
    const hold = attempt.operation === 'verify' && amount > 0 && !a.heldForReview;
    const extra: WritePlan['extra'] = {
      ...(amount < attempt.amount ? capRelease(attempt.amount - amount, 0) : {}),
      // A subscription pinned already (the card entered again) gains this MID's credential.
      ...(pin && {
        createPin: pin,
        pinCredential: { subscriptionId: pin.subscriptionId, credential: pin.credentials![0], now: at, vaultReference: pin.vaultReference },
      }),
      // A verification by pre-authorization: the hold to release is recorded with the approval.
      ...(hold && {
        insertAttempt: {
          id: newId('at'),
          transactionId: tx.id,
          operation: 'void',
          mid: mid.id,
          gateway: mid.adapter.gateway,
          amount,
          currency: attempt.currency,
          status: 'pending',
          marker: HOLD_RELEASE,
          message: 'verification hold to release',
          startedAt: at,
        },
      }),
    };
    if (attempt.operation === 'rebill' && tx.subscriptionId) {
      const current = await ctx.store.getPin(tx.subscriptionId);
      if (current) {
        const data = pinData(current);
        extra.updatePin = {
          subscriptionId: current.subscriptionId,
          patch: { data: { ...data, rebills: (data.rebills ?? 0) + 1, salvage: undefined } },
          now: at,
        };
        const learnt = learntCredential(ctx, current, mid, a, tx.id, at);
        if (learnt) extra.pinCredential = { subscriptionId: current.subscriptionId, credential: learnt, now: at };
      }
    }
    return {
      attemptPatch: { ...base, status: a.heldForReview ? 'held' : 'approved', gatewayTransactionId: a.gatewayTransactionId, amount },
      ...moved,
      extra,
      final: true,
      pin,
      result: (t, at2, attempts) => Ok(approvalOf(t, at2, attempts)),
    };
  }

  if (outcome.kind === 'requires_action') {
    if (!canMove(tx.status, 'requires_action')) return refuseIllegal(ctx, s, 'requires_action');
    const a = outcome.answer;
    // A further step of an open challenge keeps its deadline and counts the step.
    const further = attempt.status === 'requires_action';
    const expiresAt = tx.expiresAt ?? at + actionLifetime(mid);
    return {
      attemptPatch: {
        ...base,
        status: 'requires_action',
        gatewayTransactionId: a.gatewayTransactionId ?? attempt.gatewayTransactionId,
        expiresAt,
        ...(further && { actionStep: (attempt.actionStep ?? 0) + 1 }),
        ...(s.note && { message: s.note }),
      },
      ...moveTo('requires_action', {
        mid: mid.id,
        gateway: mid.adapter.gateway,
        gatewayTransactionId: a.gatewayTransactionId ?? tx.gatewayTransactionId,
        capKeys: attempt.capKeys,
        action: a.action,
        expiresAt,
      }),
      extra: {},
      final: true,
      result: (t, _a, attempts) =>
        Err({
          kind: 'requires_action',
          action: a.action,
          transactionId: t.id,
          mid: mid.id,
          expiresAt,
          attempts,
          message: further
            ? `3-D Secure on ${mid.id} needs a further step: run the new action, then completeAction again`
            : `the issuer asks for 3-D Secure on ${mid.id}: the cardholder must authenticate, then completeAction(${t.id}, …)`,
        }),
    };
  }

  if (outcome.kind === 'expired') {
    if (!canMove(tx.status, 'failed')) return refuseIllegal(ctx, s, 'failed');
    const message = `${outcome.message}${note(s)}`;
    return {
      attemptPatch: { ...base, status: 'failed', code: 'authentication_abandoned', message },
      ...moveTo('failed', { mid: mid.id, gateway: mid.adapter.gateway, action: undefined }),
      extra: capRelease(attempt.amount, 1),
      final: true,
      result: (t, _a, attempts) => Err({ kind: 'rejected', rejection: 'authentication_abandoned', transactionId: t.id, attempts, message }),
    };
  }

  // Declined, error, not found: nothing was charged on this MID; its cap reservation goes back.
  const final = s.final;
  const next: TransactionStatus = outcome.kind === 'declined' ? 'declined' : 'failed';
  if (final && !canMove(tx.status, next)) return refuseIllegal(ctx, s, next);
  // The MID that decided a declined or failed transaction is kept on it (support reads it there).
  const moved = final ? moveTo(next, { mid: mid.id, gateway: mid.adapter.gateway }) : { txAfter: tx };
  const extra: WritePlan['extra'] = capRelease(attempt.amount, 1);

  if (outcome.kind === 'declined') {
    const { decline, answer } = outcome;
    const record: DeclineRecord | undefined = tx.card && {
      fingerprint: tx.card.fingerprint,
      mid: mid.id,
      brand: tx.card.brand,
      at,
      reason: decline.reason,
      retry: decline.retry,
      networkCategory: decline.networkCategory,
      advice: answer.advice,
      retryAfter: decline.retryDelayMs ? at + decline.retryDelayMs : undefined,
      amount: attempt.amount,
      currency: attempt.currency,
      initiator: attempt.operation === 'rebill' ? 'mit' : 'cit',
    };
    if (record) {
      extra.decline = record;
      s.history?.push(record);
    }
    let failure: DeclinedFailure | undefined;
    let revoked: string | undefined;
    if (final) {
      failure = {
        kind: 'declined',
        decline,
        transactionId: tx.id,
        attempts: [],
        message: declineMessage(decline) + note(s),
        nextRetryAt: decline.retryDelayMs !== undefined ? at + decline.retryDelayMs : undefined,
      };
      if (attempt.operation === 'rebill' && tx.subscriptionId) revoked = await salvage(ctx, s, failure, extra, at);
    }
    return {
      attemptPatch: {
        ...base,
        status: 'declined',
        code: answer.code,
        message: answer.message,
        reason: decline.reason,
        decline,
        gatewayTransactionId: answer.gatewayTransactionId,
      },
      ...moved,
      extra,
      final,
      revoked,
      result: (_t, _a, attempts) => Err({ ...failure!, attempts }),
    };
  }

  const message =
    outcome.kind === 'error'
      ? `gateway error: ${mid.id}: ${outcome.message}`
      : `${mid.adapter.gateway} has no record of reference ${attempt.id}: nothing was charged${note(s)}; use a new idempotency key to try again`;
  return {
    attemptPatch:
      outcome.kind === 'error'
        ? { ...base, status: 'error', code: outcome.code, message: outcome.message }
        : { ...base, status: 'failed', message: outcome.message + note(s) },
    ...moved,
    extra,
    final,
    result: (t, _a, attempts) => Err({ kind: 'error', transactionId: t.id, attempts, message }),
  };
}

/**
 * What an approved rebill teaches the pin about its MID: the first charge of a MID that held no
 * token of its own (after a re-pin, with the card again) records the gateway's token and ids;
 * a MID whose token already works learns nothing.
 */
function learntCredential(
  ctx: RouterContext,
  pin: PinRecord,
  mid: MidRuntime,
  a: GatewayApproved,
  transactionId: string,
  at: number,
): PinCredential | undefined {
  const usable = credentialOn(pin, mid, ctx.mids);
  if (usable?.gatewayToken) return undefined;
  const own = usable?.mid === mid.id ? usable : undefined;
  if (own && !a.gatewayToken) return undefined;
  const made = credentialOf(mid, a, transactionId, 'merchant', at);
  return own ? { ...own, ...(a.gatewayToken !== undefined && { gatewayToken: a.gatewayToken }), at } : made;
}

/**
 * A declined rebill: plan the salvage retry from the profile's schedule and the network rules,
 * or revoke the subscription when the issuer said never. Adds the pin change to the write and
 * the retry facts to the failure; returns the revocation reason, if any.
 */
async function salvage(
  ctx: RouterContext,
  s: Settlement,
  failure: DeclinedFailure,
  extra: WritePlan['extra'],
  at: number,
): Promise<string | undefined> {
  const pin = await ctx.store.getPin(s.tx.subscriptionId!);
  if (!pin) return undefined;
  const data = pinData(pin);
  const profile = data.profile ? ctx.profiles.get(data.profile) : undefined;
  const history = s.history ?? (s.tx.card ? await ctx.store.declineHistory(s.tx.card.fingerprint, at - THIRTY_DAYS) : []);
  if (!s.history && extra.decline) history.push(extra.decline);
  const decline = failure.decline;
  const decision = planSalvage({
    decline,
    schedule: profile?.source.salvage,
    state: data.salvage,
    amount: s.attempt.amount,
    now: at,
    mid: s.mid.id,
    brand: s.tx.card?.brand,
    history,
    networkRules: ctx.networkRules,
  });
  if (decline.retry === 'never') {
    extra.updatePin = { subscriptionId: pin.subscriptionId, patch: { status: 'revoked', data: { ...data, salvage: undefined } }, now: at };
  } else {
    extra.updatePin = { subscriptionId: pin.subscriptionId, patch: { data: { ...data, salvage: decision.state } }, now: at };
  }
  if (decision.retry) {
    failure.nextRetryAt = decision.nextRetryAt;
    failure.nextAmount = decision.nextAmount;
    failure.message += `; salvage retry ${decision.state.declines} may run from ${new Date(decision.nextRetryAt).toISOString()} for ${decision.nextAmount}`;
  } else if (profile?.source.salvage || decline.retry !== 'later') {
    failure.nextRetryAt = undefined;
    failure.nextAmount = undefined;
    failure.message += `; no salvage retry: ${decision.why}`;
  }
  return decline.retry === 'never' ? decline.reason : undefined;
}

/**
 * Settlement of a capture, void or refund attempt. Our own follow-ups reserved their amount when
 * they opened (a failure gives it back); one the gateway accepted and decides later (`pending`)
 * is recorded `accepted` and its transaction stays `*_pending`; an approved one the gateway later
 * reports failed is `reversed` (its amount given back); one made outside Switchyard (`insert`)
 * adds its amount now.
 */
async function followUpWrite(ctx: RouterContext, s: Settlement): Promise<Planned> {
  const { tx, attempt, mid, outcome } = s;
  const at = ctx.clock();
  const op = attempt.operation as 'capture' | 'void' | 'refund';
  const base = { settledAt: at } satisfies AttemptPatch;
  const approved = outcome.kind === 'approved';
  const accepted = approved && outcome.answer.pending === true && !s.insert;
  const reversed = outcome.kind === 'reversed';
  const restore = attempt.fromStatus ?? (op === 'capture' ? 'authorized' : 'captured');
  if (reversed && (attempt.status !== 'approved' || op === 'void')) return refuseIllegal(ctx, s, tx.status);
  if (s.insert && !approved) return refuseIllegal(ctx, s, tx.status);
  let txWrite: NonNullable<StoreWrite['transaction']>;
  let txAfter: TransactionRecord;
  const extra: WritePlan['extra'] = {};
  if (op === 'refund') {
    if (accepted) {
      txWrite = { id: tx.id, from: FOLLOW_UP_FROM.refund, patch: { status: 'refund_pending', updatedAt: at } };
      txAfter = { ...tx, status: 'refund_pending', updatedAt: at };
    } else {
      const add = s.insert ? attempt.amount : approved ? 0 : -attempt.amount;
      const refunded = Math.max(0, tx.refundedAmount + add);
      // Another refund the gateway still decides keeps the transaction refund_pending.
      const inFlight = tx.status === 'refund_pending' && (await otherAccepted(ctx, tx.id, attempt.id, 'refund'));
      txWrite = {
        id: tx.id,
        from: FOLLOW_UP_FROM.refund,
        patch: { updatedAt: at, ...(inFlight && { status: 'refund_pending' as const }) },
        add: { refunded: add },
        refundStatus: !inFlight,
      };
      txAfter = {
        ...tx,
        refundedAmount: refunded,
        status: inFlight ? 'refund_pending' : refundState(tx.capturedAmount, refunded),
        updatedAt: at,
      };
    }
  } else if (accepted) {
    // The gateway decides later: the transaction stays capture_pending / void_pending.
    txWrite = { id: tx.id, from: [tx.status], patch: { updatedAt: at } };
    txAfter = { ...tx, updatedAt: at };
  } else {
    let next: TransactionStatus;
    let addCaptured = 0;
    if (reversed) {
      // A capture the scheme rejected after success: the authorization is back (refunds must still fit).
      if (tx.refundedAmount > tx.capturedAmount - attempt.amount) return refuseIllegal(ctx, s, 'authorized');
      next = 'authorized';
      addCaptured = -attempt.amount;
    } else if (approved) {
      next = op === 'capture' ? 'captured' : 'voided';
      if (s.insert && op === 'capture') addCaptured = attempt.amount;
    } else {
      next = restore;
      if (op === 'capture') addCaptured = -attempt.amount;
    }
    if (!canMove(tx.status, next)) return refuseIllegal(ctx, s, next);
    const add = addCaptured ? { captured: addCaptured } : undefined;
    txWrite = { id: tx.id, from: [tx.status], patch: { status: next, updatedAt: at }, ...(add && { add }) };
    txAfter = { ...tx, status: next, updatedAt: at, capturedAmount: Math.max(0, tx.capturedAmount + addCaptured) };
    if (op === 'void' && approved && tx.capKeys?.length && tx.mid) {
      extra.releaseCap = { mid: tx.mid, counters: tx.capKeys, amount: tx.amount, count: 1 };
    }
  }
  if (outcome.kind === 'approved') {
    return {
      attemptPatch: {
        ...base,
        status: accepted ? 'accepted' : 'approved',
        gatewayTransactionId: attempt.gatewayTransactionId ?? outcome.answer.gatewayTransactionId,
      },
      txWrite,
      txAfter,
      extra,
      final: true,
      result: (t, a, attempts) => Ok(approvalOf(t, a, attempts)),
    };
  }
  if (outcome.kind === 'reversed') {
    // The idempotency key keeps the approval it answered; the ledger and the events say what came of it.
    return {
      attemptPatch: { ...base, status: 'reversed', code: outcome.code, message: outcome.message },
      txWrite,
      txAfter,
      extra,
      final: false,
      result: (t, a, attempts) => Ok(approvalOf(t, a, attempts)),
    };
  }
  if (outcome.kind === 'declined') {
    const { decline, answer } = outcome;
    return {
      attemptPatch: { ...base, status: 'declined', code: answer.code, message: answer.message, reason: decline.reason, decline },
      txWrite,
      txAfter,
      extra,
      final: true,
      result: (t, _a, attempts) =>
        Err({ kind: 'declined', decline, transactionId: t.id, attempts, message: declineMessage(decline, `${op} declined`) + note(s) }),
    };
  }
  const message = outcome.kind === 'requires_action' ? 'unexpected requires_action on a follow-up' : outcome.message;
  return {
    attemptPatch: { ...base, status: outcome.kind === 'not_found' ? 'failed' : 'error', message },
    txWrite,
    txAfter,
    extra,
    final: true,
    result: (t, _a, attempts) => Err({ kind: 'error', transactionId: t.id, attempts, message: `${op} failed on ${mid.id}: ${message}` }),
  };
}

/** Whether another attempt of `operation` on the transaction is still accepted (the gateway decides it later). */
async function otherAccepted(ctx: RouterContext, transactionId: string, attemptId: string, operation: string): Promise<boolean> {
  return (await ctx.store.listAttempts(transactionId)).some(
    (a) => a.id !== attemptId && a.operation === operation && a.status === 'accepted',
  );
}

/** Events of an applied settlement (listeners get copies and cannot throw into the flow). */
function emitSettled(
  ctx: RouterContext,
  s: Settlement,
  tx: TransactionRecord,
  attempt: AttemptRecord,
  attempts: AttemptSummary[],
  plan: WritePlan,
  pinCreated: boolean,
): void {
  const ev = ctx.events;
  if (
    !ev.has('approved') &&
    !ev.has('accepted') &&
    !ev.has('declined') &&
    !ev.has('pin:created') &&
    !ev.has('reconciled') &&
    !ev.has('requires_action') &&
    !ev.has('subscription:revoked') &&
    !ev.has('action:expired')
  )
    return;
  const { mid } = s;
  const base = { transactionId: tx.id, mid: mid.id, gateway: mid.adapter.gateway, operation: attempt.operation };
  const maskedCard = FOLLOW_UPS.has(attempt.operation) ? undefined : maskedCardOf(tx);
  const o = s.outcome;
  if (s.via === 'reconciliation' && (o.kind === 'approved' || o.kind === 'declined' || o.kind === 'not_found')) {
    ev.emit('reconciled', {
      ...base,
      attemptId: attempt.id,
      outcome: o.kind,
      amount: attempt.amount,
      currency: attempt.currency,
    });
  }
  if (o.kind === 'approved' && attempt.status === 'accepted') {
    ev.emit('accepted', { ...base, attemptId: attempt.id, amount: attempt.amount, currency: attempt.currency });
  } else if (o.kind === 'approved') {
    if (pinCreated && plan.pin) ev.emit('pin:created', { subscriptionId: plan.pin.subscriptionId, mid: mid.id, transactionId: tx.id });
    ev.emit('approved', { ...base, amount: attempt.amount, currency: attempt.currency, maskedCard, attempts });
  } else if (o.kind === 'declined') {
    ev.emit('declined', { ...base, attemptId: attempt.id, decline: o.decline, maskedCard });
    if (plan.revoked && tx.subscriptionId)
      ev.emit('subscription:revoked', { subscriptionId: tx.subscriptionId, mid: mid.id, reason: plan.revoked });
  } else if (o.kind === 'requires_action') {
    ev.emit('requires_action', { ...base, attemptId: attempt.id, action: o.answer.action });
  } else if (o.kind === 'expired') {
    ev.emit('action:expired', { ...base, attemptId: attempt.id, amount: attempt.amount, currency: attempt.currency });
  }
}

/**
 * Give a transaction its final state when the attempt loop stopped after a settled attempt that
 * would have cascaded but no further MID could be tried (or its process died there): declined
 * with the last decline, or failed. Completes the idempotency key. Idempotent like `settle`.
 */
export async function finish(
  ctx: RouterContext,
  tx: TransactionRecord,
  attempts: AttemptSummary[],
  key: string | undefined,
  patch: TransactionPatch = {},
): Promise<RouterResult | undefined> {
  const last = [...attempts].reverse().find((a) => a.outcome !== 'skipped');
  const decline = last?.outcome === 'declined' ? last.decline : undefined;
  const next: TransactionStatus = decline ? 'declined' : 'failed';
  if (!canMove(tx.status, next)) return undefined;
  const failure: Failure = decline
    ? {
        kind: 'declined',
        decline,
        transactionId: tx.id,
        attempts,
        message: declineMessage(decline),
        nextRetryAt: decline.retryDelayMs !== undefined ? ctx.clock() + decline.retryDelayMs : undefined,
      }
    : {
        kind: 'error',
        transactionId: tx.id,
        attempts,
        message: `gateway error: ${last ? `${last.mid}: ${last.message ?? 'error'}` : 'no attempt'}`,
      };
  const result: RouterResult = Err(failure);
  const done = await ctx.store.write({
    transaction: { id: tx.id, from: [tx.status], patch: { ...patch, status: next, updatedAt: ctx.clock() } },
    ...(key && { complete: { key, result: toStored(result) } }),
  });
  if (done.ok) ctx.observer.stateChanged({ transactionId: tx.id, from: tx.status, to: next, mid: tx.mid });
  return done.ok ? result : undefined;
}

/**
 * The result of an attempt that someone else settled first (a notification that arrived before
 * our own call returned, another server reconciling): rebuilt from the ledger, or undefined when
 * the attempt is still open there.
 */
export async function resultFromLedger(ctx: RouterContext, transactionId: string, attemptId: string): Promise<RouterResult | undefined> {
  const [tx, attempts] = await Promise.all([ctx.store.getTransaction(transactionId), ctx.store.listAttempts(transactionId)]);
  const attempt = attempts.find((a) => a.id === attemptId);
  if (!tx || !attempt) return undefined;
  const summaries = FOLLOW_UPS.has(attempt.operation)
    ? [summaryOf(attempt)]
    : attempts.filter((a) => a.marker === undefined && a.operation === attempt.operation).map((a) => summaryOf(a));
  if (attempt.status === 'approved' || attempt.status === 'accepted' || attempt.status === 'held')
    return Ok(approvalOf(tx, attempt, summaries));
  if (attempt.status === 'declined' && attempt.decline) {
    return Err({
      kind: 'declined',
      decline: attempt.decline,
      transactionId: tx.id,
      attempts: summaries,
      message: declineMessage(attempt.decline),
    });
  }
  if (attempt.status === 'error' || attempt.status === 'failed' || attempt.status === 'reversed') {
    return Err({ kind: 'error', transactionId: tx.id, attempts: summaries, message: attempt.message ?? `${attempt.operation} failed` });
  }
  return undefined;
}

/**
 * An authorization the gateway reports expired (never captured): the transaction becomes
 * `expired` and its cap reservation goes back, in one write with the notification's record.
 * Refused (false) when the transaction is not `authorized` any more.
 */
export async function expireAuthorization(
  ctx: RouterContext,
  tx: TransactionRecord,
  also: Pick<StoreWrite, 'notification'>,
): Promise<Settled | { applied: true; tx: TransactionRecord }> {
  if (!canMove(tx.status, 'expired')) {
    return { applied: false, why: 'illegal_transition', status: tx.status };
  }
  const at = ctx.clock();
  const done = await ctx.store.write({
    transaction: { id: tx.id, from: [tx.status], patch: { status: 'expired', updatedAt: at } },
    ...(tx.capKeys?.length && tx.mid && { releaseCap: { mid: tx.mid, counters: tx.capKeys, amount: tx.amount, count: 1 } }),
    ...also,
  });
  if (!done.ok) {
    return done.conflict === 'notification'
      ? { applied: false, why: 'duplicate_notification', status: done.status }
      : { applied: false, why: 'state_changed', status: 'status' in done ? done.status : undefined };
  }
  return { applied: true, tx: { ...tx, status: 'expired', updatedAt: at } };
}

/**
 * Chargeback monitoring: a dispute decided for the cardholder (lost or accepted) moves its
 * transaction to `charged_back`; one decided for the merchant after that (a reversal) moves it
 * back to its refund state. Written in one store write with `also` (the dispute record, the
 * notification, the counters); a transaction that cannot move keeps its state and `also` is still written.
 */
export async function settleChargeback(
  ctx: RouterContext,
  tx: TransactionRecord | undefined,
  lost: boolean,
  also: Pick<StoreWrite, 'dispute' | 'notification' | 'monitor'>,
): Promise<{ ok: true; moved: boolean } | { ok: false; conflict: string }> {
  const at = ctx.clock();
  const next: TransactionStatus | undefined = !tx
    ? undefined
    : lost
      ? 'charged_back'
      : tx.status === 'charged_back'
        ? refundState(tx.capturedAmount, tx.refundedAmount)
        : undefined;
  const move = tx && next && next !== tx.status && canMove(tx.status, next);
  const done = await ctx.store.write({
    ...(move && {
      transaction: {
        id: tx.id,
        from: [tx.status],
        patch: { updatedAt: at, ...(lost && { status: 'charged_back' as const }) },
        ...(!lost && { refundStatus: true }),
      },
    }),
    ...also,
  });
  return done.ok ? { ok: true, moved: Boolean(move) } : { ok: false, conflict: done.conflict };
}
