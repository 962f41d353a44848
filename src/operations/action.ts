/**
 * 3-D Secure: `router.completeAction(transactionId, input)` finishes a payment that answered
 * `requires_action`, on the MID that issued the challenge, as the same transaction and the same
 * attempt (no new routing draw), and `expireAction` closes a challenge that ran out of time.
 * Both end in `settle`, which applies ledger, pin, cap and idempotency record in one write.
 *
 * A completion claims its own idempotency key (`complete:<attempt>:<step>`) before the gateway
 * call, so two completions at once (a double click, two servers) make one call, and a repeated
 * one returns the first result. The claim is also how expiry knows a completion may have reached
 * the gateway: it then asks the gateway (or looks the completion up) instead of expiring blindly.
 * @module
 */
import { Err } from 'ts-results-es';
import { canChallenge, type MidRuntime } from '../accounts';
import type { CallOptions, GatewayAbandonRequest, GatewayCompletionRequest, GatewayLookupResult } from '../adapter';
import { callAdapter, callBudget, resolveAmbiguous } from '../attempt/call';
import { type Outcome, outcomeOf, type SettlingOutcome } from '../attempt/outcome';
import { type Settled, settle } from '../attempt/settle';
import { fingerprintPan } from '../card/pan';
import type { RouterContext } from '../context';
import type { AttemptRecord, TransactionRecord } from '../store/types';
import { fromStored, rejected, type RouterResult, summaryOf, toStored } from '../transaction/results';
import type { AttemptSummary, CompletionInput, Failure } from '../types';
import { cardForGateway } from './cards';
import { releaseHold } from './holds';
import { validateCompletion, validateId, type ValidCompletion } from './validate';

/** The idempotency key of one completion step of a challenged attempt. */
export function completionKey(attempt: Pick<AttemptRecord, 'id' | 'actionStep'>): string {
  return `complete:${attempt.id}:${attempt.actionStep ?? 0}`;
}

/**
 * The reference a completion's own gateway call carries (at most 20 characters, unique per step):
 * `ac_…` from the attempt id `at_…`, and the step.
 * @example
 * completionReference({ id: 'at_AAAABBBBCCCCDDDD', actionStep: 1 }) // 'ac_AAAABBBBCCCCDDDD1'
 */
export function completionReference(attempt: Pick<AttemptRecord, 'id' | 'actionStep'>): string {
  return `ac${attempt.id.slice(2)}${(attempt.actionStep ?? 0) % 10}`;
}

const mainKey = (tx: TransactionRecord) => (tx.idempotencyKey ? `${tx.operation}:${tx.idempotencyKey}` : undefined);

/** The attempt that waits for the cardholder, on the transaction's MID. */
async function challengedAttempt(ctx: RouterContext, tx: TransactionRecord): Promise<AttemptRecord | undefined> {
  const attempts = await ctx.store.listAttempts(tx.id);
  return attempts.find((a) => a.status === 'requires_action' && a.mid === tx.mid && a.marker === undefined);
}

async function earlierSummaries(ctx: RouterContext, tx: TransactionRecord, attempt: AttemptRecord): Promise<AttemptSummary[]> {
  return (await ctx.store.listAttempts(tx.id))
    .filter((a) => a.id !== attempt.id && a.marker === undefined && a.operation === attempt.operation)
    .map((a) => summaryOf(a));
}

/** The first result of a challenged transaction that is no longer waiting, from its idempotency record. */
async function firstResult(ctx: RouterContext, tx: TransactionRecord): Promise<RouterResult | undefined> {
  const key = mainKey(tx);
  const claim = key ? await ctx.store.getClaim(key) : undefined;
  return claim?.status === 'completed' ? fromStored(claim.result) : undefined;
}

function baseRequest(tx: TransactionRecord, attempt: AttemptRecord, mid: MidRuntime): Omit<GatewayCompletionRequest, 'input'> {
  return {
    reference: attempt.id,
    completionReference: completionReference(attempt),
    transactionId: tx.id,
    operation: attempt.operation as GatewayCompletionRequest['operation'],
    gatewayTransactionId: attempt.gatewayTransactionId ?? tx.gatewayTransactionId,
    amount: attempt.amount,
    currency: attempt.currency,
    action: tx.action!,
    ...(tx.card && {
      cardOnFile: { bin: tx.card.bin, last4: tx.card.last4, expMonth: tx.card.expMonth, expYear: tx.card.expYear },
    }),
    ...(tx.subscription && { storedCredential: { type: 'initial', reason: 'recurring' } }),
    merchant: mid.merchant,
  };
}

/** After an approved verification by pre-authorization, its hold is released like the live path's. */
async function afterApproval(ctx: RouterContext, tx: TransactionRecord, attempt: AttemptRecord, outcome: Outcome): Promise<void> {
  if (tx.operation === 'verify' && outcome.kind === 'approved' && attempt.amount > 0) await releaseHold(ctx, tx.id).catch(() => false);
}

/**
 * Finish a challenged payment. Validates the input, then: a transaction not waiting for action
 * is `rejected` (`invalid_state`), unless it was challenged and is settled, when its first result
 * is returned (`replayed`); a challenge past its deadline is expired first (the gateway asked);
 * otherwise the MID's adapter finishes it and `settle` applies the answer.
 */
export async function completeAction(ctx: RouterContext, transactionId: unknown, input: unknown): Promise<RouterResult> {
  const badId = validateId(transactionId, 'transactionId');
  if (badId) return rejected('validation', `transactionId: ${badId.message}`, { field: 'transactionId' });
  const parsed = validateCompletion(input, ctx.clock());
  if ('field' in parsed) return rejected('validation', `${parsed.field}: ${parsed.message}`, { field: parsed.field });
  const id = transactionId as string;
  const tx = await ctx.store.getTransaction(id);
  if (!tx) return rejected('unknown_transaction', `no transaction ${id}`, { field: 'transactionId' });
  if (tx.status !== 'requires_action') {
    const first = tx.expiresAt !== undefined ? await firstResult(ctx, tx) : undefined;
    if (first) return first;
    return rejected('invalid_state', `transaction ${id} is ${tx.status}: it is not waiting for 3-D Secure`, { transactionId: id });
  }
  const attempt = await challengedAttempt(ctx, tx);
  const mid = attempt && ctx.mids.get(attempt.mid);
  if (!attempt) return rejected('invalid_state', `transaction ${id} has no attempt waiting for 3-D Secure`, { transactionId: id });
  if (!mid) {
    return rejected('pinned_mid_unavailable', `MID ${attempt.mid} that issued the challenge is no longer configured`, {
      transactionId: id,
    });
  }
  if (!canChallenge(mid)) {
    return rejected('operation_not_supported', `the ${mid.adapter.gateway} adapter cannot finish a 3-D Secure challenge`, {
      transactionId: id,
    });
  }
  if (parsed.card && tx.card && fingerprintPan(parsed.card.digits, await ctx.fingerprintKey()) !== tx.card.fingerprint) {
    return rejected('validation', 'input.card: is not the card of this transaction', { field: 'input.card', transactionId: id });
  }
  if (tx.expiresAt !== undefined && ctx.clock() >= tx.expiresAt) {
    const expired = await expireAction(ctx, tx, attempt, 'live');
    if (expired.result) return expired.result;
    return Err({
      kind: 'ambiguous',
      transactionId: id,
      attempts: [],
      message: `the challenge of ${id} expired; ${mid.id} could not confirm yet what became of it, and reconcile() settles it`,
    });
  }
  return runCompletion(ctx, tx, attempt, mid, parsed);
}

async function runCompletion(
  ctx: RouterContext,
  tx: TransactionRecord,
  attempt: AttemptRecord,
  mid: MidRuntime,
  input: ValidCompletion,
): Promise<RouterResult> {
  const key = completionKey(attempt);
  const now = ctx.clock();
  const claimed = await ctx.store.write({ claim: { key, requestHash: '', transactionId: tx.id, now, leaseUntil: now + ctx.leaseMs } });
  if (!claimed.ok) {
    if (claimed.conflict === 'idempotency' && claimed.claim.status === 'completed') {
      ctx.events.emit('replayed', { operation: tx.operation, transactionId: tx.id, ok: claimed.claim.result.ok });
      return fromStored(claimed.claim.result);
    }
    return rejected('idempotency_in_progress', `a completion of ${tx.id} is in progress; retry later for its result`, {
      transactionId: tx.id,
    });
  }
  const { card, ...rest } = input;
  const gatewayInput: CompletionInput = { ...rest, ...(card && { card: cardForGateway(card) }) };
  const req: GatewayCompletionRequest = { ...baseRequest(tx, attempt, mid), input: gatewayInput };
  const deadline = now + ctx.timeouts.totalMs;
  const send = (opts: CallOptions) => mid.adapter.complete!(req, opts);
  const budget = callBudget(ctx, deadline);
  let answer = await callAdapter((signal) => send({ signal, timeoutMs: budget }), budget);
  if (answer.status === 'error' && answer.ambiguous) {
    answer = await resolveAmbiguous(ctx, mid, answer, deadline, {
      resend: send,
      lookup: {
        reference: req.completionReference,
        transactionId: tx.id,
        amount: attempt.amount,
        currency: attempt.currency,
        merchant: mid.merchant,
      },
    });
  }
  const outcome = outcomeOf(ctx, mid, answer);
  if (outcome.kind === 'ambiguous') {
    // The completion may have authorized: its claim stays, so expiry asks the gateway before anything else.
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
      attempts: [],
      message: `the outcome of the 3-D Secure completion on ${mid.id} is unknown (${outcome.message}); reconcile() settles it`,
    });
  }
  if (outcome.kind === 'error' || outcome.kind === 'not_found' || outcome.kind === 'expired') {
    // The gateway did not process it: the challenge stays open and the completion may be tried again.
    await ctx.store.write({ release: { key } }).catch(() => undefined);
    return Err({
      kind: 'error',
      transactionId: tx.id,
      attempts: [],
      message: `the 3-D Secure completion on ${mid.id} failed: ${outcome.message}; the challenge stays open until ${new Date(tx.expiresAt ?? now).toISOString()}`,
    });
  }
  return settleCompletion(ctx, tx, attempt, mid, outcome, key, 'live');
}

async function settleCompletion(
  ctx: RouterContext,
  tx: TransactionRecord,
  attempt: AttemptRecord,
  mid: MidRuntime,
  outcome: SettlingOutcome,
  key: string | undefined,
  via: 'live' | 'reconciliation',
): Promise<RouterResult> {
  const earlier = await earlierSummaries(ctx, tx, attempt);
  const settled: Settled = await settle(ctx, { tx, attempt, mid, outcome, final: true, earlier, via });
  if (!settled.applied) {
    const current = await ctx.store.getTransaction(tx.id);
    const first = current ? await firstResult(ctx, current) : undefined;
    return first ?? Err(unrecorded(tx));
  }
  const result = settled.result ?? Err(unrecorded(tx));
  if (key) await ctx.store.write({ complete: { key, result: toStored(result) } }).catch(() => undefined);
  await afterApproval(ctx, tx, attempt, outcome);
  return result;
}

function unrecorded(tx: TransactionRecord): Failure {
  return {
    kind: 'ambiguous',
    transactionId: tx.id,
    attempts: [],
    message: `the outcome of transaction ${tx.id} could not be recorded; reconcile() settles it`,
  };
}

/** What expiring one challenge came to. */
export interface Expiry {
  verdict: 'approved' | 'declined' | 'expired' | 'unresolved' | 'settledElsewhere';
  result?: RouterResult | undefined;
}

/**
 * A challenge past its deadline. The gateway is asked first where it can say (the adapter's
 * `abandon`: Stripe cancels the PaymentIntent, Checkout.com reads the payment), or, when a
 * completion was sent and never answered, the completion is looked up; an approval it finds is
 * booked (the gateway's books win). Otherwise the attempt fails as `authentication_abandoned`:
 * the transaction is `failed`, its cap reservation released, and its idempotency key answers it.
 */
export async function expireAction(
  ctx: RouterContext,
  tx: TransactionRecord,
  attempt: AttemptRecord,
  via: 'live' | 'reconciliation',
): Promise<Expiry> {
  const mid = ctx.mids.get(attempt.mid);
  if (!mid) return { verdict: 'unresolved' };
  const key = completionKey(attempt);
  const claim = await ctx.store.getClaim(key);
  if (claim?.status === 'in_progress' && claim.leaseUntil > ctx.clock()) return { verdict: 'unresolved' };
  const completionSent = claim?.status === 'in_progress';
  const req: GatewayAbandonRequest = { ...baseRequest(tx, attempt, mid), completionSent };
  const ms = ctx.timeouts.attemptMs;
  let answer: GatewayLookupResult;
  if (mid.adapter.abandon) {
    answer = await callAdapter((signal) => mid.adapter.abandon!(req, { signal, timeoutMs: ms }), ms, true);
  } else if (!completionSent) {
    answer = { status: 'not_found' };
  } else if (mid.adapter.lookup && mid.adapter.capabilities.lookup) {
    const lookup = {
      reference: req.completionReference,
      transactionId: tx.id,
      amount: attempt.amount,
      currency: attempt.currency,
      merchant: mid.merchant,
    };
    answer = await callAdapter((signal) => mid.adapter.lookup!(lookup, { signal, timeoutMs: ms }), ms, true);
  } else {
    return { verdict: 'unresolved' };
  }
  let outcome: Outcome = outcomeOf(ctx, mid, answer);
  if (outcome.kind === 'not_found') {
    const by = new Date(tx.expiresAt ?? ctx.clock()).toISOString();
    outcome = { kind: 'expired', message: `3-D Secure was not completed on ${mid.id} before ${by}: nothing was charged` };
  }
  if (outcome.kind === 'ambiguous' || outcome.kind === 'error' || outcome.kind === 'requires_action') return { verdict: 'unresolved' };
  const result = await settleCompletion(ctx, tx, attempt, mid, outcome, completionSent ? key : undefined, via);
  const current = await ctx.store.getTransaction(tx.id);
  if (current?.status === 'requires_action') return { verdict: 'unresolved' };
  const verdict = outcome.kind === 'approved' ? 'approved' : outcome.kind === 'declined' ? 'declined' : 'expired';
  return { verdict, result };
}

/** Expire one transaction's challenge when its deadline has passed (a retry of its key after the deadline). */
export async function expireIfDue(ctx: RouterContext, transactionId: string | undefined): Promise<void> {
  if (!transactionId) return;
  const tx = await ctx.store.getTransaction(transactionId);
  if (!tx || tx.status !== 'requires_action' || tx.expiresAt === undefined || ctx.clock() < tx.expiresAt) return;
  const attempt = await challengedAttempt(ctx, tx);
  if (attempt) await expireAction(ctx, tx, attempt, 'live');
}
