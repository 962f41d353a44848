/**
 * Rebills: charge a subscription on its pinned MID with the stored credential, merchant-
 * initiated. Never moves to another MID. Enforces express consent on enrolled MIDs; the salvage
 * plan and a revocation after a "never again" decline are applied by settlement.
 * @module
 */
import { Err } from 'ts-results-es';
import { runPayment, storeFailure } from '../attempt/run';
import type { CardBrand } from '../card/pan';
import type { RouterContext } from '../context';
import type { DeclineRecord, StoredCard, TransactionRecord } from '../store/types';
import { isNegativeOptionTrial, pinData } from '../subscriptions/pin';
import { newId } from '../transaction/ids';
import { rejected, type RouterResult } from '../transaction/results';
import type { CardInput, Failure, RejectedFailure } from '../types';
import { cardForGateway, storedCard } from './cards';
import { answerClaim, requestHash } from './idempotency';
import {
  copyMetadata,
  type ParsedCard,
  validateAmount,
  validateCard,
  validateCurrency,
  validateId,
  validateIdempotencyKey,
  validateTagsAndMetadata,
} from './validate';

/** A rebill of a pinned subscription. */
export interface RebillRequest {
  subscriptionId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  /** Your order or invoice reference for this rebill (searchable, like a sale's). */
  orderId?: string | undefined;
  /** The card, when your vault has it; otherwise the pin's gateway token is used. */
  card?: CardInput | undefined;
  metadata?: Record<string, string> | undefined;
}

const THIRTY_DAYS = 30 * 24 * 3_600_000;

interface ValidRebill {
  subscriptionId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  orderId?: string | undefined;
  card?: ParsedCard | undefined;
  metadata?: Readonly<Record<string, string>> | undefined;
}

/** Read and check a rebill request once; a getter that throws is a validation failure. */
function readRebill(request: unknown, now: number): ValidRebill | RejectedFailure {
  const invalid = (field: string, message: string): RejectedFailure => ({
    kind: 'rejected',
    rejection: 'validation',
    field,
    message: `${field}: ${message}`,
    attempts: [],
  });
  if (typeof request !== 'object' || request === null) return invalid('(request)', 'must be an object');
  try {
    const r = request as Record<string, unknown>;
    const { subscriptionId, amount, currency, idempotencyKey, metadata, orderId } = r;
    const card = r.card;
    const bad =
      validateId(subscriptionId, 'subscriptionId') ??
      validateIdempotencyKey(idempotencyKey) ??
      (orderId === undefined ? undefined : validateId(orderId, 'orderId')) ??
      validateAmount(amount) ??
      validateCurrency(currency) ??
      validateTagsAndMetadata(undefined, metadata);
    if (bad) return invalid(bad.field, bad.message);
    let parsed: ParsedCard | undefined;
    if (card !== undefined) {
      const c = validateCard(card, now);
      if ('field' in c) return invalid(c.field, c.message);
      parsed = c;
    }
    return {
      subscriptionId: subscriptionId as string,
      amount: amount as number,
      currency: currency as string,
      idempotencyKey: idempotencyKey as string,
      ...(orderId !== undefined && { orderId: orderId as string }),
      ...(parsed && { card: parsed }),
      ...(metadata !== undefined && { metadata: copyMetadata(metadata) }),
    };
  } catch {
    return invalid('(request)', 'could not be read (a getter threw)');
  }
}

/** Charge a pinned subscription. */
export async function rebill(ctx: RouterContext, request: RebillRequest): Promise<RouterResult> {
  const now = ctx.clock();
  const r = readRebill(request, now);
  if ('kind' in r) return Err(r);
  const pin = await ctx.store.getPin(r.subscriptionId);
  if (!pin)
    return rejected('unknown_subscription', `subscriptionId: no pinned subscription "${r.subscriptionId}"`, { field: 'subscriptionId' });
  const data = pinData(pin);
  const key = `rebill:${r.idempotencyKey}`;
  let card: StoredCard | undefined;
  let history: DeclineRecord[];
  let initial: TransactionRecord | undefined;
  try {
    card = r.card ? await storedCard(ctx, r.card) : pin.card;
    // The initial transaction's customer is the rebill's (support finds every charge by e-mail); read alongside.
    [history, initial] = await Promise.all([
      card ? ctx.store.declineHistory(card.fingerprint, now - THIRTY_DAYS) : [],
      ctx.store.getTransaction(pin.transactionId).catch(() => undefined),
    ]);
  } catch (e) {
    return Err(storeFailure(e));
  }
  const hash = requestHash([
    'rebill',
    r.subscriptionId,
    r.amount,
    r.currency,
    card?.fingerprint ?? null,
    r.metadata ?? null,
    ...(r.orderId !== undefined ? [{ orderId: r.orderId }] : []),
  ]);
  // Refusals write nothing; a retry of a rebill that already ran still gets its first result.
  const refuse = async (failure: Failure): Promise<RouterResult> => {
    const claim = await ctx.store.getClaim(key).catch(() => undefined);
    return claim ? answerClaim(ctx, 'rebill', key, hash, claim) : Err(failure);
  };
  const no = (rejection: RejectedFailure['rejection'], message: string, extra: Partial<RejectedFailure> = {}) =>
    refuse({ kind: 'rejected', rejection, message, attempts: [], ...extra });

  if (data.consent?.given === false)
    return no('consent_denied', `the cardholder declined the express consent of subscription ${pin.subscriptionId}: no further rebills`);
  if (pin.status !== 'active') return no('invalid_state', `subscription ${pin.subscriptionId} is ${pin.status}; it takes no more rebills`);
  if (!r.card && !pin.gatewayToken && !pin.networkTransactionId)
    return no('validation', 'card: is required, the pin has no gateway token to charge', { field: 'card' });
  const mid = ctx.mids.get(pin.mid);
  const unavailable = (why: string) =>
    no(
      'pinned_mid_unavailable',
      `subscription ${pin.subscriptionId} is pinned to ${pin.mid}, which ${why}; it is not moved automatically: repin it explicitly`,
    );
  if (!mid) return unavailable('is no longer configured');
  if (mid.expressConsent && isNegativeOptionTrial(pin) && !data.rebills && data.consent?.given !== true) {
    return no(
      'consent_required',
      `${mid.id} is enrolled in Mastercard express consent: record the cardholder's consent (recordConsent) before the first rebill of trial ${pin.subscriptionId}`,
    );
  }
  if (!mid.enabled) return unavailable(`is disabled${mid.disabledReason ? ` (${mid.disabledReason})` : ''}`);
  if (mid.currencies && !mid.currencies.has(r.currency)) return unavailable(`does not accept ${r.currency}`);
  if (!mid.adapter.capabilities.sale) return unavailable('cannot make sales');
  if (card?.brand && mid.brands && !mid.brands.has(card.brand as CardBrand)) return unavailable(`does not accept ${card.brand}`);

  // The sign-up's customer, without the shopper's IP of that day (a merchant-initiated charge has none).
  const c = initial?.customer;
  const customer = c && (c.id !== undefined || c.email !== undefined) ? { id: c.id, email: c.email, country: c.country } : undefined;
  const tx: TransactionRecord = {
    id: newId('tx'),
    operation: 'rebill',
    status: 'pending',
    profile: data.profile,
    amount: r.amount,
    currency: r.currency,
    capturedAmount: 0,
    refundedAmount: 0,
    ...(card && { card }),
    subscriptionId: pin.subscriptionId,
    idempotencyKey: r.idempotencyKey,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    createdAt: now,
    updatedAt: now,
    ...(r.orderId !== undefined && { orderId: r.orderId }),
    ...(customer && { customer }),
    ...(r.metadata && Object.keys(r.metadata).length > 0 && { metadata: { ...r.metadata } }),
    routing: { source: 'pin', pools: [], candidates: [{ mid: mid.id }], ineligible: [] },
  };
  const out = await runPayment(ctx, {
    tx,
    claim: { key, requestHash: hash },
    candidates: [mid.id],
    maxAttempts: 1,
    cascadeOn: new Set(),
    amountFor: () => r.amount,
    methodFor: () => 'sale',
    usesCaps: true,
    history,
    initiator: 'mit',
    maskedCard: card && `${card.bin}******${card.last4}`,
    request: (m, attemptId) => ({
      reference: attemptId,
      transactionId: tx.id,
      amount: r.amount,
      currency: r.currency,
      ...(r.metadata && { metadata: r.metadata }),
      merchant: m.merchant,
      ...(r.card && { card: cardForGateway(r.card) }),
      storedCredential: {
        type: 'subsequent',
        initiator: 'merchant',
        reason: 'recurring',
        networkTransactionId: pin.networkTransactionId,
        gatewayToken: pin.gatewayToken,
        previousGatewayTransactionId: pin.gatewayTransactionId,
      },
    }),
    nothingTried: ({ networkBlock, capBlocked }, attempts) =>
      networkBlock && capBlocked === 0
        ? { kind: 'rejected', rejection: 'network_rule', attempts, message: networkBlock.message, nextRetryAt: networkBlock.retryAfter }
        : {
            kind: 'rejected',
            rejection: 'pinned_mid_unavailable',
            attempts,
            message: `subscription ${pin.subscriptionId} is pinned to ${mid.id}, which cannot take it now${capBlocked ? ' (cap reached)' : ''}; it is not moved automatically`,
          },
  });
  if (out.kind === 'claimed') return answerClaim(ctx, 'rebill', key, hash, out.claim);
  if (out.kind === 'untried') return refuse(out.failure);
  return out.result;
}
