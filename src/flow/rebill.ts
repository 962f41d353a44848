/**
 * Rebills: charge a subscription on its pinned MID with the stored credential, merchant-
 * initiated. Never moves to another MID. Enforces express consent on enrolled MIDs, plans
 * decline salvage, and revokes the subscription when the issuer says never again.
 * @module
 */
import { Err } from 'ts-results-es';
import type { CardBrand } from '../card/pan';
import type { PinRecord } from '../store/types';
import type { CardInput, Failure } from '../types';
import { cardForGateway, storedCard } from './cards';
import { runCharge } from './charge';
import type { RouterContext } from './context';
import { newId } from './ids';
import { claim, requestHash } from './idempotency';
import { rejected, toStored, type RouterResult } from './results';
import { planSalvage, type SalvageState } from './salvage';
import {
  validateAmount,
  validateCard,
  validateCurrency,
  validateIdempotencyKey,
  validateTagsAndMetadata,
  type ParsedCard,
} from './validate';

/** A rebill of a pinned subscription. */
export interface RebillRequest {
  subscriptionId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  /** The card, when your vault has it; otherwise the pin's gateway token is used. */
  card?: CardInput | undefined;
  metadata?: Record<string, string> | undefined;
}

const THIRTY_DAYS = 30 * 24 * 3_600_000;

/** Consent, salvage and bookkeeping kept in a pin's `data`. */
export interface PinData {
  profile?: string;
  firstRebillAt?: number;
  rebills?: number;
  consent?: { given: boolean; at: number; channel: string };
  salvage?: SalvageState;
}

/** A negative-option trial: the initial price is below the recurring price and a physical product ships. */
export function isNegativeOptionTrial(pin: PinRecord): boolean {
  return pin.physicalProduct === true && pin.recurringAmount !== undefined && pin.initialAmount < pin.recurringAmount;
}

/** Charge a pinned subscription. */
export async function rebill(ctx: RouterContext, request: RebillRequest): Promise<RouterResult> {
  const now = ctx.clock();
  if (typeof request !== 'object' || request === null)
    return rejected('validation', '(request): must be an object', { field: '(request)' });
  if (typeof request.subscriptionId !== 'string' || !request.subscriptionId)
    return rejected('validation', 'subscriptionId: is required', { field: 'subscriptionId' });
  const bad =
    validateIdempotencyKey(request.idempotencyKey) ??
    validateAmount(request.amount) ??
    validateCurrency(request.currency) ??
    validateTagsAndMetadata(undefined, request.metadata);
  if (bad) return rejected('validation', `${bad.field}: ${bad.message}`, { field: bad.field });
  let parsedCard: ParsedCard | undefined;
  if (request.card !== undefined) {
    const c = validateCard(request.card, now);
    if ('field' in c) return rejected('validation', `${c.field}: ${c.message}`, { field: c.field });
    parsedCard = c;
  }
  const pin = await ctx.store.getPin(request.subscriptionId);
  if (!pin)
    return rejected('unknown_subscription', `subscriptionId: no pinned subscription "${request.subscriptionId}"`, {
      field: 'subscriptionId',
    });
  const data = (pin.data ?? {}) as PinData;
  if (data.consent?.given === false)
    return rejected(
      'consent_denied',
      `the cardholder declined the express consent of subscription ${pin.subscriptionId}: no further rebills`,
    );
  if (pin.status !== 'active')
    return rejected('invalid_state', `subscription ${pin.subscriptionId} is ${pin.status}; it takes no more rebills`);
  if (!parsedCard && !pin.gatewayToken && !pin.networkTransactionId) {
    return rejected('validation', 'card: is required, the pin has no gateway token to charge', { field: 'card' });
  }
  const card = parsedCard ? await storedCard(ctx, parsedCard) : pin.card;
  const key = `rebill:${request.idempotencyKey}`;
  const early = await claim(
    ctx,
    key,
    requestHash(['rebill', request.subscriptionId, request.amount, request.currency, card?.fingerprint ?? null, request.metadata ?? null]),
  );
  if (early) return early;
  const done = async (r: RouterResult) => {
    await ctx.store.commit({ idempotency: { key, result: toStored(r) } });
    return r;
  };
  const mid = ctx.mids.get(pin.mid);
  const unavailable = (why: string) =>
    done(
      rejected(
        'pinned_mid_unavailable',
        `subscription ${pin.subscriptionId} is pinned to ${pin.mid}, which ${why}; it is not moved automatically: repin it explicitly`,
      ),
    );
  if (!mid) return unavailable('is no longer configured');
  if (mid.expressConsent && isNegativeOptionTrial(pin) && !data.rebills && data.consent?.given !== true) {
    return done(
      rejected(
        'consent_required',
        `${mid.id} is enrolled in Mastercard express consent: record the cardholder's consent (recordConsent) before the first rebill of trial ${pin.subscriptionId}`,
      ),
    );
  }
  if (!mid.enabled) return unavailable(`is disabled${mid.disabledReason ? ` (${mid.disabledReason})` : ''}`);
  if (mid.currencies && !mid.currencies.has(request.currency)) return unavailable(`does not accept ${request.currency}`);
  if (!mid.adapter.capabilities.sale) return unavailable('cannot make sales');
  if (card?.brand && mid.brands && !mid.brands.has(card.brand as CardBrand)) return unavailable(`does not accept ${card.brand}`);

  const history = card ? await ctx.store.declineHistory(card.fingerprint, now - THIRTY_DAYS) : [];
  const transactionId = newId('tx');
  await ctx.store.insertTransaction({
    id: transactionId,
    operation: 'rebill',
    status: 'pending',
    profile: data.profile,
    amount: request.amount,
    currency: request.currency,
    capturedAmount: 0,
    refundedAmount: 0,
    card,
    subscriptionId: pin.subscriptionId,
    idempotencyKey: request.idempotencyKey,
    createdAt: now,
    updatedAt: now,
    mid: mid.id,
    gateway: mid.adapter.gateway,
  });
  const result = await runCharge(ctx, {
    operation: 'rebill',
    adapterOperation: 'sale',
    transactionId,
    candidates: [mid.id],
    maxAttempts: 1,
    cascadeOn: new Set(),
    amount: request.amount,
    currency: request.currency,
    card,
    maskedCard: card && `${card.bin}******${card.last4}`,
    history,
    initiator: 'mit',
    idempotencyKey: key,
    subscriptionId: pin.subscriptionId,
    noCandidateMessage: `subscription ${pin.subscriptionId} is pinned to ${mid.id}, which cannot take it now; it is not moved automatically`,
    request: (m, attemptId) => ({
      reference: attemptId,
      transactionId,
      amount: request.amount,
      currency: request.currency,
      metadata: request.metadata,
      merchant: m.merchant,
      card: parsedCard && cardForGateway(parsedCard),
      storedCredential: {
        type: 'subsequent',
        initiator: 'merchant',
        reason: 'recurring',
        networkTransactionId: pin.networkTransactionId,
        gatewayToken: pin.gatewayToken,
        previousGatewayTransactionId: pin.gatewayTransactionId,
      },
    }),
  });

  if (result.isOk()) {
    await ctx.store.updatePin(pin.subscriptionId, { data: { ...data, rebills: (data.rebills ?? 0) + 1, salvage: undefined } }, ctx.clock());
    return result;
  }
  const failure = result.error;
  if (failure.kind === 'rejected' && failure.rejection === 'no_eligible_mid') {
    return done(Err({ ...failure, rejection: 'pinned_mid_unavailable' }));
  }
  if (failure.kind !== 'declined' || !failure.decline) return result;
  const profile = data.profile ? ctx.profiles.get(data.profile) : undefined;
  const decision = planSalvage({
    decline: failure.decline,
    schedule: profile?.source.salvage,
    state: data.salvage,
    amount: request.amount,
    now: ctx.clock(),
    mid: mid.id,
    brand: card?.brand,
    history,
    networkRules: ctx.networkRules,
  });
  if (failure.decline.retry === 'never') {
    await ctx.store.updatePin(pin.subscriptionId, { status: 'revoked', data: { ...data, salvage: undefined } }, ctx.clock());
    ctx.events.emit('subscription:revoked', { subscriptionId: pin.subscriptionId, mid: mid.id, reason: failure.decline.reason });
  } else {
    await ctx.store.updatePin(pin.subscriptionId, { data: { ...data, salvage: decision.state } }, ctx.clock());
  }
  const salvaged: Failure = decision.retry
    ? {
        ...failure,
        nextRetryAt: decision.nextRetryAt,
        nextAmount: decision.nextAmount,
        message: `${failure.message}; salvage retry ${decision.state.declines} may run from ${new Date(decision.nextRetryAt).toISOString()} for ${decision.nextAmount}`,
      }
    : profile?.source.salvage || failure.decline.retry !== 'later'
      ? { ...failure, nextRetryAt: undefined, nextAmount: undefined, message: `${failure.message}; no salvage retry: ${decision.why}` }
      : failure;
  return done(Err(salvaged));
}
