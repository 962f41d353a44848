/**
 * The attempt loop of sale, authorize, verify and rebill: network rules, circuit, atomic cap
 * reservation, pending attempt, gateway call, settlement, cascade decision.
 * @module
 */
import { Err, Ok } from 'ts-results-es';
import type {
  CallOptions,
  GatewayError,
  GatewayLookupRequest,
  GatewayLookupResult,
  GatewayPaymentRequest,
  GatewayResult,
} from '../adapter';
import { redact } from '../card/redact';
import { checkNetworkRules } from '../declines/network-rules';
import { normalizeWithTables as normalizeDecline } from '../declines/normalize';
import { DECLINE_REASONS, type DeclineReason, type NormalizedDecline } from '../declines/reasons';
import type { DeclineRecord, PinRecord, StoredCard } from '../store/types';
import type { Approval, AttemptSummary, Failure, Operation } from '../types';
import { capCounters, type MidRuntime, type RouterContext } from './context';
import { newId } from './ids';
import { toStored, type RouterResult } from './results';

/** Everything the attempt loop needs for one transaction. */
export interface ChargePlan {
  operation: Extract<Operation, 'sale' | 'authorize' | 'verify' | 'rebill'>;
  adapterOperation: 'sale' | 'authorize' | 'verify';
  transactionId: string;
  candidates: readonly string[];
  maxAttempts: number;
  cascadeOn: ReadonlySet<DeclineReason>;
  amount: number;
  /** Amount for a given MID when it differs from `amount` (verify: 0 where the gateway verifies, else the pre-authorization). */
  amountFor?(mid: MidRuntime): number;
  currency: string;
  card?: StoredCard;
  maskedCard?: string;
  history: DeclineRecord[];
  initiator: 'cit' | 'mit';
  /** Store key of the idempotency record to complete. */
  idempotencyKey?: string;
  /** Attempts already made (e.g. skipped MIDs), reported with the result. */
  attempts?: AttemptSummary[];
  /** Build the gateway request for a MID and attempt. */
  request(mid: MidRuntime, attemptId: string): GatewayPaymentRequest;
  /** The pin to create when approved (initial transaction of a subscription). */
  pin?(mid: MidRuntime, approved: Extract<GatewayResult, { status: 'approved' }>, now: number): PinRecord;
  subscriptionId?: string;
  /** Refused attempts with no candidate left: how to describe the failure. */
  noCandidateMessage: string;
}

/** Call an adapter with a hard time limit: a call that outlives it is ambiguous. */
export async function callAdapter<R extends GatewayResult | GatewayLookupResult = GatewayResult>(
  ctx: RouterContext,
  fn: (signal: AbortSignal) => Promise<R>,
  timeoutMs: number,
): Promise<R | GatewayError> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<GatewayError>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ status: 'error', ambiguous: true, message: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      fn(controller.signal).catch(
        (e: unknown): GatewayError => ({
          status: 'error',
          ambiguous: true,
          message: `adapter threw: ${redact(e instanceof Error ? e.message : String(e))}`,
        }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Time allowed for the next gateway call: `attemptMs`, or what is left of the transaction's `totalMs`. */
export function callBudget(ctx: RouterContext, deadline: number): number {
  return Math.min(ctx.timeouts.attemptMs, deadline - ctx.clock());
}

/** Resends of an ambiguous call on the same MID, when its gateway deduplicates by idempotency key. */
export const SAME_MID_RESENDS = 2;

/** How an ambiguous call can be settled: resend the same request, or look it up by our reference. */
export interface Resolution {
  /** Send the very same request again (same reference, so the same idempotency key). */
  resend?(opts: CallOptions): Promise<GatewayResult>;
  /** Find the call at the gateway by our reference. */
  lookup?: GatewayLookupRequest;
}

/**
 * Settle an ambiguous outcome without risking a second charge. When the gateway deduplicates by
 * idempotency key, the same request is resent on the same MID (never another MID); when it can
 * be asked, it is looked up by our reference. Only an approval, a decline or a 3-D Secure
 * challenge settles it: any error, even a clear one, keeps it ambiguous, because it does not
 * prove the first call did nothing. A lookup's `not_found` does not settle it either while the
 * transaction is live (the first call may still be in flight): `reconcile` decides that later.
 */
export async function resolveAmbiguous(
  ctx: RouterContext,
  mid: MidRuntime,
  first: GatewayError,
  deadline: number,
  how: Resolution,
): Promise<GatewayResult> {
  const notes = [redact(first.message)];
  const caps = mid.adapter.capabilities;
  if (how.resend && caps.idempotencyKeys) {
    for (let i = 0; i < SAME_MID_RESENDS; i++) {
      const budget = callBudget(ctx, deadline);
      if (budget <= 0) break;
      const r = await callAdapter(ctx, (signal) => how.resend!({ signal, timeoutMs: budget }), budget);
      if (r.status !== 'error') return r;
      notes.push(`resend: ${redact(r.message)}`);
    }
  }
  const lookup = mid.adapter.lookup?.bind(mid.adapter);
  const budget = callBudget(ctx, deadline);
  if (how.lookup && caps.lookup && lookup && budget > 0) {
    const r = await callAdapter(ctx, (signal) => lookup(how.lookup!, { signal, timeoutMs: budget }), budget);
    if (r.status === 'approved' || r.status === 'declined') return r;
    notes.push(r.status === 'not_found' ? 'lookup: not found yet' : `lookup: ${redact(r.message)}`);
  }
  return { ...first, ambiguous: true, message: notes.join('; ') };
}

/** Disable a MID whose gateway keeps refusing our credentials or its setup, and say so. */
export function noteMerchantFailure(ctx: RouterContext, mid: MidRuntime, message: string): void {
  const failures = ctx.circuits.merchantFailure(mid.id);
  if (!failures || !mid.enabled) return;
  mid.enabled = false;
  mid.disabledReason = `the gateway refused the merchant account ${failures} times in a row (${message}); fix it, then setMidEnabled(mid, true)`;
  ctx.events.emit('mid:disabled', { mid: mid.id, gateway: mid.adapter.gateway, failures, reason: message });
}

function summary(base: Omit<AttemptSummary, 'durationMs'>, now: number): AttemptSummary {
  return { ...base, durationMs: now - base.startedAt };
}

/** May the router try the next MID after this decline under the profile's policy? */
export function mayCascade(d: NormalizedDecline, cascadeOn: ReadonlySet<DeclineReason>): boolean {
  if (!cascadeOn.has(d.reason)) return false;
  // Whatever a profile lists, these never cascade: the issuer will say no everywhere, or another
  // gateway cannot help (funds), or the next step is 3-D Secure on the same MID.
  if (d.category === 'hard' || d.retry === 'never' || d.retry === 'with_authentication') return false;
  if (d.reason === 'insufficient_funds') return false;
  // Merchant advice (e.g. MAC 24–30, confirm_card_data) can turn off a reason's default cascade.
  if (!d.cascade && DECLINE_REASONS[d.reason].cascade) return false;
  return true;
}

/** Run the attempt loop and record everything. */
export async function runCharge(ctx: RouterContext, plan: ChargePlan): Promise<RouterResult> {
  const attempts: AttemptSummary[] = plan.attempts ?? [];
  const deadline = ctx.clock() + ctx.timeouts.totalMs;
  let made = 0;
  let lastDecline: NormalizedDecline | undefined;
  let lastError: string | undefined;
  let networkBlock: { message: string; retryAfter?: number } | undefined;
  let capBlocked = 0;

  const finish = async (result: RouterResult, status: 'declined' | 'failed' | 'ambiguous' | 'requires_action' | 'approved', patch = {}) => {
    const now = ctx.clock();
    await ctx.store.commit({
      transaction: { id: plan.transactionId, patch: { status, updatedAt: now, ...patch } },
      ...(plan.idempotencyKey && status !== 'requires_action' && { idempotency: { key: plan.idempotencyKey, result: toStored(result) } }),
    });
    if (plan.idempotencyKey && status === 'requires_action') await ctx.store.releaseIdempotencyKey(plan.idempotencyKey);
    return result;
  };

  for (const midId of plan.candidates) {
    if (made >= plan.maxAttempts) break;
    const mid = ctx.mids.get(midId)!;
    const now = ctx.clock();
    const amount = plan.amountFor?.(mid) ?? plan.amount;
    const skip = (message: string) =>
      attempts.push({
        id: '',
        mid: mid.id,
        gateway: mid.adapter.gateway,
        operation: plan.operation,
        outcome: 'skipped',
        amount,
        currency: plan.currency,
        message,
        startedAt: now,
        durationMs: 0,
      });
    if (now >= deadline) {
      lastError = `time budget of ${ctx.timeouts.totalMs} ms used up`;
      break;
    }
    const verdict = checkNetworkRules(
      plan.history,
      { mid: mid.id, brand: plan.card?.brand, now, initiator: plan.initiator },
      ctx.networkRules,
    );
    if (!verdict.allowed) {
      networkBlock = { message: verdict.message, retryAfter: verdict.retryAfter };
      skip(verdict.message);
      continue;
    }
    if (!ctx.circuits.acquire(mid.id, now)) {
      skip('circuit open');
      continue;
    }
    // A verification holds nothing that stays: it takes no cap.
    const counters = plan.operation === 'verify' ? [] : capCounters(mid, plan.currency, now);
    if (counters.length && !(await ctx.store.reserveCap(mid.id, counters, amount))) {
      capBlocked++;
      for (const c of counters) ctx.events.emit('cap:reached', { mid: mid.id, window: c.window, key: c.key, amount });
      skip('cap reached');
      continue;
    }
    const capKeys = counters.map((c) => ({ window: c.window, key: c.key }));

    made++;
    const attemptId = newId('at');
    await ctx.store.insertAttempt({
      id: attemptId,
      transactionId: plan.transactionId,
      operation: plan.operation,
      mid: mid.id,
      gateway: mid.adapter.gateway,
      amount,
      currency: plan.currency,
      status: 'pending',
      startedAt: now,
    });
    ctx.events.emit('attempt', {
      transactionId: plan.transactionId,
      attemptId,
      mid: mid.id,
      gateway: mid.adapter.gateway,
      operation: plan.operation,
      amount,
      currency: plan.currency,
      maskedCard: plan.maskedCard,
    });
    const req = plan.request(mid, attemptId);
    // Without zero-amount verification, a verify is a pre-authorization (voided by the caller).
    const op = plan.adapterOperation === 'verify' && !mid.adapter.capabilities.verify ? 'authorize' : plan.adapterOperation;
    const send = (opts: CallOptions) => (op === 'verify' ? mid.adapter.verify!(req, opts) : mid.adapter[op](req, opts));
    const budget = callBudget(ctx, deadline);
    let result = await callAdapter(ctx, (signal) => send({ signal, timeoutMs: budget }), budget);
    if (result.status === 'error' && result.ambiguous) {
      result = await resolveAmbiguous(ctx, mid, result, deadline, {
        resend: send,
        lookup: { reference: attemptId, transactionId: plan.transactionId, amount, currency: plan.currency, merchant: mid.merchant },
      });
    }
    const at = ctx.clock();
    const base = {
      id: attemptId,
      mid: mid.id,
      gateway: mid.adapter.gateway,
      operation: plan.operation,
      amount,
      currency: plan.currency,
      startedAt: now,
    };

    if (result.status === 'approved') {
      ctx.circuits.success(mid.id);
      const approvedAmount = result.approvedAmount ?? amount;
      attempts.push(summary({ ...base, outcome: 'approved', gatewayTransactionId: result.gatewayTransactionId }, at));
      const pin = plan.pin?.(mid, result, at);
      const approval: Approval = {
        transactionId: plan.transactionId,
        operation: plan.operation,
        mid: mid.id,
        gateway: mid.adapter.gateway,
        gatewayTransactionId: result.gatewayTransactionId,
        authCode: result.authCode,
        amount: approvedAmount,
        currency: plan.currency,
        networkTransactionId: result.networkTransactionId,
        maskedCard: plan.maskedCard,
        subscriptionId: plan.subscriptionId,
        attempts,
      };
      await ctx.store.commit({
        attempt: { id: attemptId, patch: { status: 'approved', gatewayTransactionId: result.gatewayTransactionId, settledAt: at } },
        transaction: {
          id: plan.transactionId,
          patch: {
            status: 'approved',
            mid: mid.id,
            gateway: mid.adapter.gateway,
            gatewayTransactionId: result.gatewayTransactionId,
            networkTransactionId: result.networkTransactionId,
            authCode: result.authCode,
            amount: approvedAmount,
            capturedAmount: op === 'sale' ? approvedAmount : 0,
            capKeys,
            updatedAt: at,
          },
        },
        pin,
        ...(plan.idempotencyKey && { idempotency: { key: plan.idempotencyKey, result: toStored(Ok(approval)) } }),
      });
      if (pin) ctx.events.emit('pin:created', { subscriptionId: pin.subscriptionId, mid: mid.id, transactionId: plan.transactionId });
      ctx.events.emit('approved', {
        transactionId: plan.transactionId,
        mid: mid.id,
        gateway: mid.adapter.gateway,
        operation: plan.operation,
        amount: approvedAmount,
        currency: plan.currency,
        maskedCard: plan.maskedCard,
        attempts,
      });
      return Ok(approval);
    }

    if (result.status === 'declined') {
      if (counters.length) await ctx.store.releaseCap(mid.id, capKeys, amount);
      const message = result.message === undefined ? undefined : redact(result.message);
      const decline = normalizeDecline(
        {
          gateway: mid.adapter.gateway,
          code: result.code,
          message,
          advice: result.advice,
          cvvResult: result.cvvResult,
          avsResult: result.avsResult,
        },
        { rules: ctx.declineRules, mid: mid.id, table: mid.adapter.declineTable },
      );
      if (decline.reason === 'invalid_merchant') noteMerchantFailure(ctx, mid, message ?? decline.reason);
      else ctx.circuits.success(mid.id);
      lastDecline = decline;
      attempts.push(
        summary(
          { ...base, outcome: 'declined', code: result.code, message, decline, gatewayTransactionId: result.gatewayTransactionId },
          at,
        ),
      );
      const record: DeclineRecord | undefined = plan.card && {
        fingerprint: plan.card.fingerprint,
        mid: mid.id,
        brand: plan.card.brand,
        at,
        reason: decline.reason,
        retry: decline.retry,
        networkCategory: decline.networkCategory,
        advice: result.advice,
        retryAfter: decline.retryDelayMs ? at + decline.retryDelayMs : undefined,
        amount,
        currency: plan.currency,
        initiator: plan.initiator,
      };
      if (record) plan.history.push(record);
      await ctx.store.commit({
        attempt: {
          id: attemptId,
          patch: {
            status: 'declined',
            code: result.code,
            message,
            reason: decline.reason,
            gatewayTransactionId: result.gatewayTransactionId,
            settledAt: at,
          },
        },
        decline: record,
      });
      ctx.events.emit('declined', {
        transactionId: plan.transactionId,
        attemptId,
        mid: mid.id,
        gateway: mid.adapter.gateway,
        operation: plan.operation,
        decline,
        maskedCard: plan.maskedCard,
      });
      if (made < plan.maxAttempts && mayCascade(decline, plan.cascadeOn)) {
        ctx.events.emit('cascade', { transactionId: plan.transactionId, fromMid: mid.id, reason: decline.reason });
        continue;
      }
      break;
    }

    if (result.status === 'requires_action') {
      ctx.circuits.success(mid.id);
      if (counters.length) await ctx.store.releaseCap(mid.id, capKeys, amount);
      attempts.push(summary({ ...base, outcome: 'requires_action', gatewayTransactionId: result.gatewayTransactionId }, at));
      await ctx.store.commit({
        attempt: { id: attemptId, patch: { status: 'requires_action', gatewayTransactionId: result.gatewayTransactionId, settledAt: at } },
      });
      const failure: Failure = {
        kind: 'requires_action',
        action: result.action,
        transactionId: plan.transactionId,
        attempts,
        message: `the issuer asks for 3-D Secure on ${mid.id}: complete it and send the authorize again with threeDS`,
      };
      return finish(Err(failure), 'requires_action', { mid: mid.id, gateway: mid.adapter.gateway });
    }

    // Gateway error.
    const message = redact(result.message);
    if (result.merchantError && !result.ambiguous) noteMerchantFailure(ctx, mid, message);
    else ctx.circuits.failure(mid.id, at, message);
    if (result.ambiguous) {
      // The gateway may have charged: keep the cap reservation and the attempt pending for reconciliation.
      attempts.push(summary({ ...base, outcome: 'ambiguous', code: result.code, message }, at));
      ctx.events.emit('ambiguous', { transactionId: plan.transactionId, attemptId, mid: mid.id, gateway: mid.adapter.gateway, message });
      const failure: Failure = {
        kind: 'ambiguous',
        transactionId: plan.transactionId,
        attempts,
        message: `outcome unknown on ${mid.id} (${message}); recorded for reconciliation, not retried elsewhere`,
      };
      return finish(Err(failure), 'ambiguous', { mid: mid.id, gateway: mid.adapter.gateway, capKeys });
    }
    if (counters.length) await ctx.store.releaseCap(mid.id, capKeys, amount);
    attempts.push(summary({ ...base, outcome: 'error', code: result.code, message }, at));
    await ctx.store.commit({ attempt: { id: attemptId, patch: { status: 'error', code: result.code, message, settledAt: at } } });
    lastError = `${mid.id}: ${message}`;
    lastDecline = undefined;
    if (made < plan.maxAttempts)
      ctx.events.emit('cascade', { transactionId: plan.transactionId, fromMid: mid.id, reason: 'gateway_error' });
  }

  if (lastDecline) {
    const failure: Failure = {
      kind: 'declined',
      decline: lastDecline,
      transactionId: plan.transactionId,
      attempts,
      message: `declined: ${lastDecline.reason}${lastDecline.raw.message ? ` (${lastDecline.raw.message})` : ''}`,
      nextRetryAt: lastDecline.retryDelayMs !== undefined ? ctx.clock() + lastDecline.retryDelayMs : undefined,
    };
    return finish(Err(failure), 'declined');
  }
  if (lastError) {
    return finish(Err({ kind: 'error', transactionId: plan.transactionId, attempts, message: `gateway error: ${lastError}` }), 'failed');
  }
  const failure: Failure =
    networkBlock && capBlocked === 0
      ? {
          kind: 'rejected',
          rejection: 'network_rule',
          transactionId: plan.transactionId,
          attempts,
          message: networkBlock.message,
          nextRetryAt: networkBlock.retryAfter,
        }
      : {
          kind: 'rejected',
          rejection: 'no_eligible_mid',
          transactionId: plan.transactionId,
          attempts,
          message: plan.noCandidateMessage + (capBlocked ? ` (${capBlocked} MID${capBlocked > 1 ? 's' : ''} at cap)` : ''),
        };
  return finish(Err(failure), 'failed');
}
