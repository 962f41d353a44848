/**
 * The attempt loop of sale, authorize, verify and rebill: for each candidate MID, `tryMid` opens
 * an attempt (one store write: the idempotency claim and the transaction with the first one, a
 * cap reservation and the pending attempt), calls the gateway, and settles the outcome; then
 * `canCascade` decides whether the next MID may be tried. Nothing here writes transaction state
 * except through `settle` and `finish`.
 * @module
 */
import { Err } from 'ts-results-es';
import { canChallenge, capCounters, type MidRuntime } from '../accounts';
import type { CallOptions, GatewayAuthenticationRequest, GatewayPaymentRequest } from '../adapter';
import { redact } from '../card/redact';
import type { RouterContext } from '../context';
import { checkNetworkRules } from '../declines/network-rules';
import type { DeclineReason } from '../declines/reasons';
import type { CallPermit } from '../selection/circuit';
import type {
  AttemptRecord,
  DeclineRecord,
  IdempotencyClaim,
  SkippedCandidate,
  StoreWrite,
  TransactionPatch,
  TransactionRecord,
  WriteResult,
} from '../store/types';
import { newId } from '../transaction/ids';
import { type RouterResult, skippedSummary, summaryOf } from '../transaction/results';
import type { AttemptSummary, Failure } from '../types';
import { callAdapter, callBudget, resolveAmbiguous } from './call';
import { canCascade, type Outcome, outcomeOf } from './outcome';
import { finish, resultFromLedger, settle } from './settle';

/** Everything the loop needs for one payment. */
export interface PaymentPlan {
  /** The transaction to open (status `pending`), written with the first attempt. */
  tx: TransactionRecord;
  /** The idempotency claim, written with the first attempt. */
  claim?: { key: string; requestHash: string } | undefined;
  candidates: readonly string[];
  maxAttempts: number;
  cascadeOn: ReadonlySet<DeclineReason>;
  /** Amount sent to a MID (verify: 0 where the gateway verifies, else the pre-authorization). */
  amountFor(mid: MidRuntime): number;
  /** Adapter method for a MID. */
  methodFor(mid: MidRuntime): 'sale' | 'authorize' | 'verify';
  /**
   * 3-D Secure. `required`: every attempt starts with a challenge (`adapter.authenticate`);
   * `stepUp`: an `authentication_required` decline becomes a challenge on the same MID. Both
   * only for customer-initiated sales and authorizations, on MIDs that can challenge.
   */
  threeDS?: { operation: 'sale' | 'authorize'; required: boolean; stepUp: boolean } | undefined;
  /** Whether the attempt reserves cap room (a verification holds nothing that stays). */
  usesCaps: boolean;
  /** The card's declines of the last 30 days (network rules); the loop adds its own. */
  history: DeclineRecord[];
  initiator: 'cit' | 'mit';
  maskedCard?: string | undefined;
  /** Build the gateway request for a MID and attempt. */
  request(mid: MidRuntime, attemptId: string): GatewayPaymentRequest;
  /** The failure when no MID could be tried at all (nothing was written). */
  nothingTried(
    why: { networkBlock?: { message: string; retryAfter?: number | undefined }; capBlocked: number },
    attempts: AttemptSummary[],
  ): Failure;
}

/** What the loop came to. */
export type RunOutcome =
  | { kind: 'done'; result: RouterResult }
  /** The idempotency key was taken: nothing was written. */
  | { kind: 'claimed'; claim: IdempotencyClaim }
  /** No MID could be tried (caps, circuits, network rules): nothing was written. */
  | { kind: 'untried'; failure: Failure };

/**
 * Run the attempt loop. Never throws: a failure before the first attempt was written is an
 * `error` (nothing charged, nothing kept); any failure after it (store, adapter, a bug) leaves the
 * attempt pending and the key claimed, and returns an `ambiguous` failure for reconciliation.
 */
export async function runPayment(ctx: RouterContext, plan: PaymentPlan): Promise<RunOutcome> {
  const state = { opened: false };
  try {
    return await loop(ctx, plan, state);
  } catch (e) {
    ctx.events.report({ source: 'store', transactionId: plan.tx.id, message: `payment ${plan.tx.id}: ${describeError(e)}` });
    return { kind: 'done', result: Err(state.opened ? unsettled(plan.tx, []) : storeFailure(e)) };
  }
}

async function loop(ctx: RouterContext, plan: PaymentPlan, state: { opened: boolean }): Promise<RunOutcome> {
  const { tx } = plan;
  const attempts: AttemptSummary[] = [];
  const deadline = ctx.clock() + ctx.timeouts.totalMs;
  let opened = false;
  let made = 0;
  let capBlocked = 0;
  let networkBlock: { message: string; retryAfter?: number | undefined } | undefined;
  // Candidates passed over are recorded on the transaction's routing decision by the next write.
  const skipped: SkippedCandidate[] = [];
  let recorded = 0;
  const skips = (): TransactionPatch =>
    skipped.length > recorded && tx.routing ? { routing: { ...tx.routing, skipped: [...skipped] } } : {};

  for (let i = 0; i < plan.candidates.length && made < plan.maxAttempts; i++) {
    const mid = ctx.mids.get(plan.candidates[i])!;
    const now = ctx.clock();
    const amount = plan.amountFor(mid);
    const skip = (message: string) => {
      attempts.push(skippedSummary({ id: mid.id, gateway: mid.adapter.gateway }, tx.operation, amount, tx.currency, message, now));
      skipped.push({ mid: mid.id, reason: message, at: now });
      ctx.observer.skipped({ transactionId: tx.id, mid: mid.id, reason: message });
    };
    if (now >= deadline) break;
    const verdict = checkNetworkRules(
      plan.history,
      { mid: mid.id, brand: tx.card?.brand, now, initiator: plan.initiator },
      ctx.networkRules,
    );
    if (!verdict.allowed) {
      networkBlock = { message: verdict.message, retryAfter: verdict.retryAfter };
      skip(verdict.message);
      continue;
    }
    const permit = ctx.circuits.acquire(mid.id, now);
    if (!permit) {
      skip('circuit open');
      continue;
    }
    const counters = plan.usesCaps ? capCounters(mid, tx.currency, now) : [];
    const attempt: AttemptRecord = {
      id: newId('at'),
      transactionId: tx.id,
      operation: tx.operation,
      mid: mid.id,
      gateway: mid.adapter.gateway,
      amount,
      currency: tx.currency,
      status: 'pending',
      ...(plan.claim && { key: plan.claim.key }),
      ...(counters.length && { capKeys: counters.map(({ window, key }) => ({ window, key })) }),
      startedAt: now,
    };
    const open: StoreWrite = {
      insertAttempt: attempt,
      ...(counters.length && { reserveCap: { mid: mid.id, counters, amount } }),
      ...(opened
        ? { transaction: { id: tx.id, from: ['pending'], patch: { updatedAt: now, ...skips() } } }
        : {
            insertTransaction: { ...tx, ...skips() },
            ...(plan.claim && { claim: { ...plan.claim, transactionId: tx.id, now, leaseUntil: now + ctx.leaseMs } }),
          }),
    };
    let written: WriteResult | undefined;
    try {
      written = await ctx.store.write(open);
    } finally {
      if (!written?.ok) permit.release(); // no call follows: the permit (a half-open trial slot) goes back
    }
    if (!written.ok) {
      if (written.conflict === 'idempotency') return { kind: 'claimed', claim: written.claim };
      if (written.conflict === 'cap') {
        capBlocked++;
        for (const c of counters) ctx.events.emit('cap:reached', { mid: mid.id, window: c.window, key: c.key, amount });
        skip('cap reached');
        continue;
      }
      // The transaction is no longer pending: another process (reconciliation) settled it.
      break;
    }
    opened = true;
    state.opened = true;
    recorded = skipped.length;
    made++;
    const final = await tryMid(ctx, plan, mid, attempt, permit, deadline, attempts, (o) => {
      const more = made < plan.maxAttempts && i < plan.candidates.length - 1;
      return !(more && canCascade(o, plan.cascadeOn));
    });
    if (final) return { kind: 'done', result: final };
  }

  if (!opened) return { kind: 'untried', failure: plan.nothingTried({ networkBlock, capBlocked }, attempts) };
  // The last settled attempt would have cascaded, but no further MID could be tried.
  const current = await ctx.store.getTransaction(tx.id);
  const result = current && (await finish(ctx, current, attempts, plan.claim?.key, skips()));
  return { kind: 'done', result: result ?? Err(unsettled(tx, attempts)) };
}

/** One MID: call, resolve an ambiguous answer on the same MID, settle. Returns the final result, or undefined to go on. */
async function tryMid(
  ctx: RouterContext,
  plan: PaymentPlan,
  mid: MidRuntime,
  attempt: AttemptRecord,
  permit: CallPermit,
  deadline: number,
  attempts: AttemptSummary[],
  isFinal: (o: Outcome) => boolean,
): Promise<RouterResult | undefined> {
  const { tx } = plan;
  ctx.events.emit('attempt', {
    transactionId: tx.id,
    attemptId: attempt.id,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    operation: tx.operation,
    amount: attempt.amount,
    currency: tx.currency,
    maskedCard: plan.maskedCard,
  });
  const watch = ctx.observer.attempt({
    transactionId: tx.id,
    attemptId: attempt.id,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    operation: tx.operation,
    amount: attempt.amount,
    currency: tx.currency,
    maskedCard: plan.maskedCard,
    orderId: tx.orderId,
    email: tx.customer?.email,
  });
  const req = plan.request(mid, attempt.id);
  const method = plan.methodFor(mid);
  const tds = plan.threeDS;
  const challengeFirst = tds?.required === true && canChallenge(mid);
  const send = (opts: CallOptions) =>
    challengeFirst
      ? mid.adapter.authenticate!({ ...req, operation: tds!.operation, reason: 'required' }, opts)
      : mid.adapter[method]!(req, opts);
  const budget = callBudget(ctx, deadline);
  let answer = await callAdapter((signal) => send({ signal, timeoutMs: budget }), budget);
  if (answer.status === 'error' && answer.ambiguous) {
    answer = await resolveAmbiguous(ctx, mid, answer, deadline, {
      resend: send,
      lookup: { reference: attempt.id, transactionId: tx.id, amount: attempt.amount, currency: tx.currency, merchant: mid.merchant },
    });
  }
  watch.answered(answer.status);
  const at = ctx.clock();
  let outcome = outcomeOf(ctx, mid, answer);
  reportHealth(ctx, mid, permit, outcome, at);
  let note: string | undefined;
  if (
    tds?.stepUp &&
    !challengeFirst &&
    outcome.kind === 'declined' &&
    outcome.decline.reason === 'authentication_required' &&
    canChallenge(mid)
  ) {
    // Step-up, never a cascade: the issuer wants SCA, so the challenge runs on this same MID.
    const stepped = await stepUp(ctx, mid, { ...req, operation: tds.operation, reason: 'step_up' }, deadline);
    if (stepped) {
      note = `step-up: the issuer asked for authentication (${outcome.answer.code ?? outcome.decline.reason}), challenge on ${mid.id}`;
      outcome = stepped;
    }
  }

  if (outcome.kind === 'ambiguous') {
    // The gateway may have charged: the attempt stays pending, its cap reservation and the key's claim stay.
    attempts.push({ ...summaryOf(attempt, at), outcome: 'ambiguous', message: outcome.message });
    ctx.events.emit('ambiguous', {
      transactionId: tx.id,
      attemptId: attempt.id,
      mid: mid.id,
      gateway: mid.adapter.gateway,
      message: outcome.message,
    });
    watch.end('ambiguous');
    return Err({
      kind: 'ambiguous',
      transactionId: tx.id,
      attempts,
      message: `outcome unknown on ${mid.id} (${outcome.message}); recorded for reconciliation, not retried elsewhere`,
    });
  }
  const final = note !== undefined || isFinal(outcome);
  const settled = await settle(ctx, { tx, attempt, mid, outcome, final, earlier: [...attempts], history: plan.history, note });
  watch.end(settled.applied ? settled.attempt.status : 'unrecorded', settled.applied ? settled.attempt.reason : undefined);
  if (!settled.applied) {
    // A notification (or reconciliation) settled this attempt first: its result stands, nothing cascades.
    const known = settled.why === 'already_settled' ? await resultFromLedger(ctx, tx.id, attempt.id) : undefined;
    return known ?? Err(unsettled(tx, attempts));
  }
  attempts.push(settled.summary);
  if (final) return settled.result;
  ctx.events.emit('cascade', {
    transactionId: tx.id,
    fromMid: mid.id,
    reason: outcome.kind === 'declined' ? outcome.decline.reason : 'gateway_error',
  });
  return undefined;
}

/**
 * Ask the MID for a 3-D Secure challenge after an `authentication_required` decline. Only a
 * challenge, an approval (frictionless) or a decline replaces the first decline; an error or an
 * unknown answer keeps it (a challenge nobody was shown cannot charge).
 */
async function stepUp(
  ctx: RouterContext,
  mid: MidRuntime,
  req: GatewayAuthenticationRequest,
  deadline: number,
): Promise<Outcome | undefined> {
  const budget = callBudget(ctx, deadline);
  if (budget <= 0) return undefined;
  const answer = await callAdapter((signal) => mid.adapter.authenticate!(req, { signal, timeoutMs: budget }), budget);
  const o = outcomeOf(ctx, mid, answer);
  return o.kind === 'requires_action' || o.kind === 'approved' || o.kind === 'declined' ? o : undefined;
}

/** Tell the circuit breaker what the call said about the MID, and disable a MID whose setup keeps being refused. */
function reportHealth(ctx: RouterContext, mid: MidRuntime, permit: CallPermit, outcome: Outcome, at: number): void {
  const merchant =
    (outcome.kind === 'error' && outcome.merchantError) || (outcome.kind === 'declined' && outcome.decline.reason === 'invalid_merchant');
  const reason = outcome.kind === 'error' || outcome.kind === 'ambiguous' ? outcome.message : outcome.kind;
  const stats = permit.report(
    merchant ? 'merchant_failure' : outcome.kind === 'error' || outcome.kind === 'ambiguous' ? 'failed' : 'answered',
    at,
    reason,
  );
  if (merchant && mid.enabled && ctx.circuits.merchantLimitReached(stats)) {
    mid.enabled = false;
    mid.disabledReason = `the gateway refused the merchant account ${stats.consecutiveMerchantFailures} times in a row (${reason}); fix it, then setMidEnabled(mid, true)`;
    ctx.events.emit('mid:disabled', { mid: mid.id, gateway: mid.adapter.gateway, failures: stats.consecutiveMerchantFailures, reason });
  }
}

function describeError(e: unknown): string {
  try {
    return redact(e instanceof Error ? e.message : String(e)).slice(0, 300);
  } catch {
    return 'an unprintable error';
  }
}

/** The store failed before any gateway call: nothing was charged, nothing was kept. */
export function storeFailure(e: unknown): Failure {
  return { kind: 'error', attempts: [], message: `the store failed before any gateway call, nothing was charged: ${describeError(e)}` };
}

/** The ledger could not record an outcome: the payment is recorded pending, for reconciliation. */
function unsettled(tx: TransactionRecord, attempts: AttemptSummary[]): Failure {
  return {
    kind: 'ambiguous',
    transactionId: tx.id,
    attempts,
    message: `the outcome of transaction ${tx.id} could not be recorded; it stays pending and reconcile() will settle it`,
  };
}
