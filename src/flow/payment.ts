/**
 * Routed payments: sale, authorize and verify. Validate, claim the idempotency key, plan the
 * route, run the attempt loop; a verify without zero-amount support is a pre-authorization
 * voided at once, and its release is confirmed and recorded.
 * @module
 */
import type { GatewayPaymentRequest } from '../adapter';
import { maskPan } from '../card/pan';
import type { CompiledProfile } from '../profile/compile';
import { planRoute } from '../selection/plan';
import type { PinRecord, StoredCard } from '../store/types';
import type { PaymentRequest } from '../types';
import { cardForGateway, routingContext, storedCard } from './cards';
import { runCharge } from './charge';
import type { MidRuntime, RouterContext } from './context';
import { releaseHold } from './holds';
import { newId } from './ids';
import { claim, requestHash } from './idempotency';
import { rejected, toStored, type RouterResult } from './results';
import { validatePayment, type ParsedCard } from './validate';

/** The routed operations. */
export type PaymentKind = 'sale' | 'authorize' | 'verify';

const THIRTY_DAYS = 30 * 24 * 3_600_000;

/** Run a sale, authorization or verification through the profile's route. */
export async function routedPayment(ctx: RouterContext, kind: PaymentKind, request: PaymentRequest): Promise<RouterResult> {
  const parsed = validatePayment(request, ctx.clock(), { allowZeroAmount: kind === 'verify' });
  if ('field' in parsed) return rejected('validation', `${parsed.field}: ${parsed.message}`, { field: parsed.field });
  const r = parsed.request;
  const profile = ctx.profiles.get(r.profile);
  if (!profile) return rejected('unknown_profile', `profile: no profile "${r.profile}"`, { field: 'profile' });
  const card = await storedCard(ctx, parsed.card);
  const key = `${kind}:${r.idempotencyKey}`;
  const early = await claim(
    ctx,
    key,
    requestHash([
      kind,
      r.profile,
      r.amount,
      r.currency,
      card.fingerprint,
      card.expMonth,
      card.expYear,
      r.customer ?? null,
      r.billing ?? null,
      r.tags ?? null,
      r.metadata ?? null,
      r.subscription ?? null,
      r.threeDS ?? null,
    ]),
  );
  if (early) return early;
  try {
    const result = await charge(ctx, kind, r, parsed.card, card, profile, key);
    if (kind === 'verify' && result.isOk() && result.value.amount > 0) {
      // A pre-authorization: release the hold now, and record the outcome with the result.
      const released = await releaseHold(ctx, result.value.transactionId);
      const verified = { ...result.value, holdReleased: released };
      await ctx.store.commit({ idempotency: { key, result: { ok: true, value: verified } } });
      return result.map(() => verified);
    }
    return result;
  } catch (e) {
    await ctx.store.releaseIdempotencyKey(key).catch(() => undefined);
    throw e;
  }
}

async function charge(
  ctx: RouterContext,
  kind: PaymentKind,
  r: PaymentRequest,
  parsedCard: ParsedCard,
  card: StoredCard,
  profile: CompiledProfile,
  key: string,
): Promise<RouterResult> {
  const now = ctx.clock();
  const plan = planRoute(ctx, profile, routingContext(ctx, kind, r, parsedCard), kind);
  // Pre-authorization amount of a verify on a MID without zero-amount verification.
  const preauth = profile.source.verifyAmount ?? r.amount;
  const amountFor = kind === 'verify' ? (mid: MidRuntime) => (mid.adapter.capabilities.verify ? 0 : preauth) : undefined;
  const candidates =
    kind === 'verify' && preauth === 0 ? plan.candidates.filter((id) => ctx.mids.get(id)!.adapter.capabilities.verify) : plan.candidates;
  const transactionId = newId('tx');
  await ctx.store.insertTransaction({
    id: transactionId,
    operation: kind,
    status: 'pending',
    profile: profile.id,
    amount: r.amount,
    currency: r.currency,
    capturedAmount: 0,
    refundedAmount: 0,
    card,
    subscriptionId: r.subscription?.id,
    idempotencyKey: r.idempotencyKey,
    createdAt: now,
    updatedAt: now,
  });
  if (plan.rejectedBy) {
    const result = rejected(plan.rejectedBy.reject!, `refused by rule "${plan.rejectedBy.name}": ${plan.rejectedBy.reject}`, {
      transactionId,
    });
    await ctx.store.commit({
      transaction: { id: transactionId, patch: { status: 'failed', updatedAt: now } },
      idempotency: { key, result: toStored(result) },
    });
    return result;
  }
  const history = await ctx.store.declineHistory(card.fingerprint, now - THIRTY_DAYS);
  const sub = r.subscription;
  const noCandidateMessage = () => {
    const ineligible = plan.ineligible.map((i) => `${i.mid} (${i.reasons.map((x) => x.code).join(', ')})`);
    if (candidates.length < plan.candidates.length)
      ineligible.push("MIDs without zero-amount verification (set the profile's verifyAmount to pre-authorize)");
    return `no eligible merchant account for this ${kind}${ineligible.length ? `: ${ineligible.join('; ')}` : ''}`;
  };
  return runCharge(ctx, {
    operation: kind,
    adapterOperation: kind,
    transactionId,
    candidates,
    maxAttempts: profile.maxAttempts,
    cascadeOn: profile.cascadeOn,
    amount: r.amount,
    amountFor,
    currency: r.currency,
    card,
    maskedCard: maskPan(parsedCard.digits),
    history,
    initiator: 'cit',
    idempotencyKey: key,
    subscriptionId: sub?.id,
    // A getter: the message is built only when no MID can take the payment.
    get noCandidateMessage() {
      return noCandidateMessage();
    },
    request: (mid, attemptId): GatewayPaymentRequest => ({
      reference: attemptId,
      transactionId,
      amount: amountFor?.(mid) ?? r.amount,
      currency: r.currency,
      card: cardForGateway(parsedCard),
      customer: r.customer,
      billing: r.billing,
      threeDS: r.threeDS,
      metadata: r.metadata,
      merchant: mid.merchant,
      storedCredential: sub ? { type: 'initial', reason: 'recurring' } : undefined,
    }),
    pin: sub
      ? (mid, ok, at): PinRecord => ({
          subscriptionId: sub.id,
          mid: mid.id,
          gateway: mid.adapter.gateway,
          transactionId,
          gatewayTransactionId: ok.gatewayTransactionId,
          networkTransactionId: ok.networkTransactionId,
          gatewayToken: ok.gatewayToken,
          card,
          currency: r.currency,
          initialAmount: kind === 'verify' ? 0 : r.amount,
          recurringAmount: sub.recurringAmount,
          physicalProduct: sub.physicalProduct,
          status: 'active',
          createdAt: at,
          updatedAt: at,
          data: { profile: profile.id, ...(sub.firstRebillAt !== undefined && { firstRebillAt: sub.firstRebillAt }) },
        })
      : undefined,
  });
}
