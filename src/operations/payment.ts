/**
 * Routed payments: sale, authorize and verify. Validate (a frozen copy), plan the route, run the
 * attempt loop, which claims the idempotency key with the first attempt. A verify without
 * zero-amount support is a pre-authorization voided at once, and its release is recorded.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { Err, Ok } from 'ts-results-es';
import type { MidRuntime } from '../accounts';
import type { GatewayPaymentRequest } from '../adapter';
import { runPayment, storeFailure } from '../attempt/run';
import { maskPan } from '../card/pan';
import { containsCardNumber, redact } from '../card/redact';
import type { RouterContext } from '../context';
import { refreshPauses } from '../monitoring/brake';
import { planRoute, routingDecision } from '../selection/plan';
import type { DeclineRecord, TransactionRecord } from '../store/types';
import { newId } from '../transaction/ids';
import { rejected, type RouterResult, toStored } from '../transaction/results';
import type { Failure, PaymentRequest } from '../types';
import { cardForGateway, routingContext, storedCard } from './cards';
import { orderFacts } from './facts';
import { releaseHold } from './holds';
import { answerClaim, requestHash } from './idempotency';
import { type ParsedCard, type ValidPayment, validatePayment } from './validate';

/** The routed operations. */
export type PaymentKind = 'sale' | 'authorize' | 'verify';

const THIRTY_DAYS = 30 * 24 * 3_600_000;
const NO_ZERO_VERIFY = {
  code: 'operation_not_supported',
  message: "no zero-amount verification (set the profile's verifyAmount to pre-authorize)",
} as const;

/** Run a sale, authorization or verification through the profile's route. */
export async function routedPayment(ctx: RouterContext, kind: PaymentKind, request: PaymentRequest): Promise<RouterResult> {
  const parsed = validatePayment(request, ctx.clock(), { allowZeroAmount: kind === 'verify' });
  if ('field' in parsed) return rejected('validation', `${parsed.field}: ${parsed.message}`, { field: parsed.field });
  const r = parsed.request;
  const profile = ctx.profiles.get(r.profile);
  if (!profile) return rejected('unknown_profile', `profile: no profile "${r.profile}"`, { field: 'profile' });
  const key = `${kind}:${r.idempotencyKey}`;
  let tx: TransactionRecord;
  let hash: string;
  let history: DeclineRecord[];
  try {
    const card = await storedCard(ctx, parsed.card);
    hash = requestHash([
      kind,
      r.profile,
      r.amount,
      r.currency,
      card.fingerprint,
      card.expMonth,
      card.expYear,
      r.customer,
      r.billing,
      r.tags,
      r.metadata,
      r.subscription,
      r.threeDS,
      // Appended only when given, so requests without one hash as before (claims survive an upgrade).
      ...(r.orderId !== undefined ? [{ orderId: r.orderId }] : []),
    ]);
    const now = ctx.clock();
    tx = {
      id: newId('tx'),
      operation: kind,
      status: 'pending',
      profile: profile.id,
      amount: r.amount,
      currency: r.currency,
      capturedAmount: 0,
      refundedAmount: 0,
      card,
      ...(r.subscription && { subscriptionId: r.subscription.id, subscription: { ...r.subscription } }),
      idempotencyKey: r.idempotencyKey,
      createdAt: now,
      updatedAt: now,
      ...orderFacts(r),
    };
    history = await ctx.store.declineHistory(card.fingerprint, now - THIRTY_DAYS);
  } catch (e) {
    return Err(storeFailure(e));
  }

  const started = performance.now();
  const rc = routingContext(ctx, kind, r, parsed.card);
  const external3DS = Boolean(r.threeDS?.cavv || r.threeDS?.eci);
  await refreshPauses(ctx).catch(() => undefined);
  let plan = planRoute(ctx, profile, rc, kind, external3DS);
  // A success-rate window this process never saw: wait for its one read, then decide with it.
  if (plan.pending) {
    await ctx.approvals.settle(plan.pending);
    plan = planRoute(ctx, profile, rc, kind, external3DS);
  }
  // Refusals write nothing; a retry of a request that already ran still gets its first result.
  const refuse = async (failure: Failure): Promise<RouterResult> => {
    const claim = await ctx.store.getClaim(key).catch(() => undefined);
    return claim ? answerClaim(ctx, kind, key, hash, claim) : Err(failure);
  };
  if (plan.rejectedBy) {
    return refuse({
      kind: 'rejected',
      rejection: plan.rejectedBy.reject!,
      message: `refused by rule "${plan.rejectedBy.name}": ${plan.rejectedBy.reject}`,
      attempts: [],
    });
  }
  // Pre-authorization amount of a verify on a MID without zero-amount verification.
  const preauth = profile.source.verifyAmount ?? r.amount;
  const zeroVerify = (mid: MidRuntime) => mid.adapter.capabilities.verify;
  const candidates = kind === 'verify' && preauth === 0 ? plan.candidates.filter((id) => zeroVerify(ctx.mids.get(id)!)) : plan.candidates;
  const routing = routingDecision(profile, plan, candidates, NO_ZERO_VERIFY);
  ctx.observer.decided({ profile: profile.id, operation: kind, ms: performance.now() - started, candidates: candidates.length });
  if (r.subscription && ctx.vault.store && candidates.length > 0) {
    // The vault keeps the card before the first gateway call; a retry of the same request is answered first.
    const claim = await ctx.store.getClaim(key).catch(() => undefined);
    if (claim) return answerClaim(ctx, kind, key, hash, claim);
    const reference = await keepCard(ctx, parsed.card, r, candidates[0]);
    if (reference !== undefined && tx.subscription) tx.subscription.vaultReference = reference;
  }
  const sub = r.subscription;

  const out = await runPayment(ctx, {
    tx: { ...tx, routing },
    claim: { key, requestHash: hash },
    candidates,
    maxAttempts: profile.maxAttempts,
    cascadeOn: profile.cascadeOn,
    amountFor: (mid) => (kind === 'verify' ? (zeroVerify(mid) ? 0 : preauth) : r.amount),
    methodFor: (mid) => (kind === 'verify' && !zeroVerify(mid) ? 'authorize' : kind),
    usesCaps: kind !== 'verify',
    ...(kind !== 'verify' &&
      !external3DS &&
      plan.threeDS !== 'never' && {
        threeDS: { operation: kind, required: plan.threeDSNeed === 'challenge', stepUp: profile.stepUp },
      }),
    history,
    initiator: 'cit',
    maskedCard: maskPan(parsed.card.digits),
    request: (mid, attemptId): GatewayPaymentRequest => ({
      reference: attemptId,
      transactionId: tx.id,
      amount: kind === 'verify' ? (zeroVerify(mid) ? 0 : preauth) : r.amount,
      currency: r.currency,
      card: cardForGateway(parsed.card),
      ...(r.customer && { customer: { ...r.customer } }),
      ...(r.billing && { billing: { ...r.billing } }),
      ...(r.threeDS && { threeDS: { ...r.threeDS } }),
      ...(r.metadata && { metadata: r.metadata }),
      merchant: mid.merchant,
      ...(r.returnUrl && { returnUrl: r.returnUrl }),
      ...(sub && { storedCredential: { type: 'initial', reason: 'recurring', ...(!ctx.vault.gatewayVaults && { storeCard: false }) } }),
    }),
    nothingTried: ({ networkBlock, capBlocked }, attempts) => {
      if (networkBlock && capBlocked === 0) {
        return {
          kind: 'rejected',
          rejection: 'network_rule',
          attempts,
          message: networkBlock.message,
          nextRetryAt: networkBlock.retryAfter,
        };
      }
      const ineligible = plan.ineligible.map((i) => `${i.mid} (${i.reasons.map((x) => x.code).join(', ')})`);
      if (candidates.length < plan.candidates.length)
        ineligible.push("MIDs without zero-amount verification (set the profile's verifyAmount to pre-authorize)");
      const message = `no eligible merchant account for this ${kind}${ineligible.length ? `: ${ineligible.join('; ')}` : ''}`;
      return {
        kind: 'rejected',
        rejection: 'no_eligible_mid',
        attempts,
        message: message + (capBlocked ? ` (${capBlocked} MID${capBlocked > 1 ? 's' : ''} at cap)` : ''),
      };
    },
  });
  if (out.kind === 'claimed') return answerClaim(ctx, kind, key, hash, out.claim);
  if (out.kind === 'untried') return refuse(out.failure);
  const result = out.result;
  if (kind === 'verify' && result.isOk() && result.value.amount > 0) {
    // A pre-authorization: release the hold now, and record the outcome with the result.
    const released = await releaseHold(ctx, result.value.transactionId).catch(() => false);
    const verified = { ...result.value, holdReleased: released };
    await ctx.store.write({ complete: { key, result: toStored(Ok(verified)) } }).catch(() => undefined);
    return Ok(verified);
  }
  return result;
}

/**
 * Give the card of a subscription's initial transaction to the router's vault. A vault that fails
 * or answers nothing usable costs the subscription its vault copy, never the payment: reported.
 */
async function keepCard(ctx: RouterContext, card: ParsedCard, r: ValidPayment, firstMid: string | undefined): Promise<string | undefined> {
  const vault = ctx.vault;
  const mid = firstMid ? ctx.mids.get(firstMid) : undefined;
  const report = (why: string) =>
    ctx.events.report({
      source: 'vault',
      message: `the ${vault.name} vault did not keep the card of subscription ${r.subscription!.id}: ${why}`,
    });
  let timer: NodeJS.Timeout | undefined;
  try {
    const reference = await Promise.race([
      vault.store!(cardForGateway(card), {
        subscriptionId: r.subscription!.id,
        mid: mid?.id ?? '',
        gateway: mid?.adapter.gateway ?? '',
        ...(r.customer?.id && { customerId: r.customer.id }),
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ctx.timeouts.attemptMs} ms`)), ctx.timeouts.attemptMs);
      }),
    ]);
    if (typeof reference !== 'string' || !reference || reference.length > 500 || containsCardNumber(reference)) {
      report('its answer is not a reference (a non-empty string of at most 500 characters, no card number)');
      return undefined;
    }
    return reference;
  } catch (e) {
    report(redact(e instanceof Error ? e.message : String(e)).slice(0, 300));
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
