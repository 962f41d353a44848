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
import type { DeclineRecord, PinCredential, PinRecord, StoredCard, TransactionRecord } from '../store/types';
import type { MidRuntime } from '../accounts';
import type { StoredCredential } from '../adapter';
import { redact } from '../card/redact';
import { assessCredential, portableNetworkTransactionId } from '../subscriptions/credentials';
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
  /**
   * The card (or network token, cryptogram optional), when you keep it yourself; otherwise the
   * pinned MID's own gateway token is used, or the router's vault gives the card back.
   */
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
      const c = validateCard(card, now, 'card', { merchantInitiated: true });
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

  // What the pinned MID charges: its own credential, or the card again (given, or from the vault).
  const charge = chargeFor(pin, mid, ctx, r.card);
  if (charge.kind === 'refused') return no(charge.rejection, charge.message, charge.field ? { field: charge.field } : {});
  let sendCard = r.card;
  if (charge.kind === 'vault') {
    const claim = await ctx.store.getClaim(key).catch(() => undefined);
    if (claim) return answerClaim(ctx, 'rebill', key, hash, claim);
    const revealed = await revealCard(ctx, pin, mid, now);
    if ('kind' in revealed) return revealed.kind === 'rejected' ? no(revealed.rejection, revealed.message) : Err(revealed);
    sendCard = revealed;
  }
  if (sendCard?.token && !mid.adapter.capabilities.networkTokens) {
    return no(
      'credential_not_portable',
      `${mid.id} (${mid.adapter.gateway}) takes no network tokens, and the card of subscription ${pin.subscriptionId} is one: charge it with its card number, or repin to a MID that takes tokens`,
    );
  }
  const storedCredential: StoredCredential = {
    type: 'subsequent',
    initiator: 'merchant',
    reason: 'recurring',
    networkTransactionId: charge.networkTransactionId,
    gatewayToken: charge.credential?.gatewayToken,
    previousGatewayTransactionId: charge.credential?.gatewayTransactionId,
  };

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
      ...(sendCard && { card: cardForGateway(sendCard) }),
      storedCredential,
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

/** How a rebill charges its pinned MID. */
type Charge =
  /** With the MID's own (or same-scope) credential, and the card when the caller gave it. */
  | { kind: 'credential' | 'card'; credential?: PinCredential | undefined; networkTransactionId?: string | undefined }
  /** With the card the vault gives back, and the portable network transaction id. */
  | { kind: 'vault'; credential?: PinCredential | undefined; networkTransactionId?: string | undefined }
  | { kind: 'refused'; rejection: RejectedFailure['rejection']; message: string; field?: string | undefined };

/**
 * What the pinned MID can charge, from the same verdict a migration gives: its own gateway's
 * token and ids (never another gateway's), else the card (given, or from the vault) with the
 * network transaction id where its gateway takes one from elsewhere; else a refusal before any call.
 */
function chargeFor(pin: PinRecord, mid: MidRuntime, ctx: RouterContext, given: ParsedCard | undefined): Charge {
  const v = assessCredential(pin, mid, ctx.mids, ctx.vault);
  const portable = portableNetworkTransactionId(pin);
  const sub = pin.subscriptionId;
  if (v.move === 'needs_customer') {
    return {
      kind: 'refused',
      rejection: 'credential_not_portable',
      message: `subscription ${sub} has no credential ${mid.id} can charge: ${v.why}; the customer must enter the card again (a sale or verify naming subscription ${sub}), and it is never charged with another gateway's ids`,
    };
  }
  const credential = v.credential;
  // The series starts at a customer-initiated transaction: a credential learnt from a rebill refers back to it.
  const networkTransactionId =
    credential?.origin === 'customer' ? (credential.networkTransactionId ?? portable) : (portable ?? credential?.networkTransactionId);
  if (given) return { kind: 'card', credential, networkTransactionId };
  if (v.move === 'as_is') return { kind: 'credential', credential, networkTransactionId };
  if (v.vault) return { kind: 'vault', credential, networkTransactionId };
  if (credential?.mid === mid.id)
    return {
      kind: 'refused',
      rejection: 'validation',
      field: 'card',
      message: `card: is required: ${mid.id} keeps no gateway token for subscription ${sub}, and no vault can give the card back`,
    };
  return {
    kind: 'refused',
    rejection: 'credential_not_portable',
    message: `subscription ${sub} has no credential ${mid.id} can charge: ${v.why}; pass the card to rebill(), or keep cards in a vault with reveal()`,
  };
}

/** The card the vault gives back for a rebill, checked like a request's card. */
async function revealCard(
  ctx: RouterContext,
  pin: PinRecord,
  mid: MidRuntime,
  now: number,
): Promise<ParsedCard | RejectedFailure | Failure> {
  const vault = ctx.vault;
  let raw: unknown;
  try {
    raw = await withTimeout(
      vault.reveal!(pin.vaultReference!, { subscriptionId: pin.subscriptionId, mid: mid.id, gateway: mid.adapter.gateway }),
      ctx.timeouts.attemptMs,
    );
  } catch (e) {
    const why = redact(e instanceof Error ? e.message : String(e)).slice(0, 300);
    return { kind: 'error', attempts: [], message: `the ${vault.name} vault failed before any gateway call, nothing was charged: ${why}` };
  }
  const fail = (message: string): RejectedFailure => ({ kind: 'rejected', rejection: 'credential_not_portable', attempts: [], message });
  if (raw === undefined || raw === null)
    return fail(`the ${vault.name} vault no longer has the card of subscription ${pin.subscriptionId}`);
  const c = validateCard(raw, now, 'card', { merchantInitiated: true });
  if ('field' in c)
    return fail(
      `the card the ${vault.name} vault gave back for subscription ${pin.subscriptionId} is not usable: ${c.field}: ${c.message}`,
    );
  return c;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(p),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
