/**
 * Checkout.com (NAS, API version 2022-07) wire format: request bodies built from our requests and
 * answers parsed into `GatewayResult`s. Pure functions only; HTTP lives in `index.ts`.
 *
 * Shapes follow `checkoutcom-nas-2022-07-payments.openapi.json` (`PaymentRequest`,
 * `03_PaymentRequestCardSource`, `02_PaymentRequestIdSource`, `PaymentResponse`,
 * `PaymentAcceptedResponse`, `CaptureRequest`, `RefundRequest`, `VoidRequest`, `ValidationError`).
 * @module
 */
import { isIPv4 } from 'node:net';
import type {
  GatewayDeclined,
  GatewayError,
  GatewayFollowUpRequest,
  GatewayFollowUpStatus,
  GatewayLookupResult,
  GatewayPaymentRequest,
  GatewayResult,
  StoredCredential,
} from '../../src/adapter';
import { detectBrand } from '../../src/card/pan';
import { redact } from '../../src/card/redact';
import type { RequiredAction } from '../../src/types';
import { currencyExponent } from '../../src/money';
import { CARD_DATA_ERRORS } from './declines';

/** Live API base URL. */
export const CHECKOUT_LIVE_URL = 'https://api.checkout.com';
/** Sandbox API base URL. */
export const CHECKOUT_SANDBOX_URL = 'https://api.sandbox.checkout.com';

/**
 * Bad input for a Checkout.com request, found before anything was sent. `field` names the field.
 * @example
 * try { toCheckoutAmount(1005, 'KWD') } catch (e) { (e as CheckoutInputError).field } // 'amount'
 */
export class CheckoutInputError extends Error {
  override readonly name = 'CheckoutInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * Currencies whose Checkout.com `amount` is the full amount (no minor unit), from
 * https://www.checkout.com/docs/payments/accept-payments/format-the-amount-value.
 */
const FULL_VALUE = new Set(['BIF', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VUV', 'VND', 'XAF', 'XOF', 'XPF']);
/** Currencies whose Checkout.com `amount` is in thousandths; the last digit must be 0 (same page). */
const THOUSANDTHS = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
/** "The amount value must not contain more than nine digits" (same page). */
const MAX_AMOUNT = 999_999_999;

/** Number of decimals Checkout.com puts in `amount` for a currency: 0, 3, or 2 for all others. */
export function checkoutExponent(currency: string): number {
  return FULL_VALUE.has(currency) ? 0 : THOUSANDTHS.has(currency) ? 3 : 2;
}

/**
 * Our integer minor units (ISO exponent as `src/money.ts` knows it) → Checkout.com's `amount`.
 * Exact, integer-only. Throws `CheckoutInputError('amount')` when Checkout.com cannot express it
 * (KWD 1.005: the last digit of a thousandths amount must be 0) or it exceeds nine digits.
 * @example
 * toCheckoutAmount(1999, 'USD') // 1999
 * toCheckoutAmount(500, 'JPY')  // 500
 * toCheckoutAmount(1230, 'KWD') // 1230 (1.230 KWD)
 * toCheckoutAmount(500, 'CLP')  // 50000 (CLP is not on the full-value list: Checkout.com wants 500.00)
 */
export function toCheckoutAmount(minor: number, currency: string): number {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new CheckoutInputError('amount', 'must be a non-negative integer of minor units');
  const shift = checkoutExponent(currency) - currencyExponent(currency);
  let amount = minor;
  if (shift >= 0) amount = minor * 10 ** shift;
  else {
    const unit = 10 ** -shift;
    if (minor % unit !== 0) throw new CheckoutInputError('amount', `${minor} is finer than Checkout.com accepts for ${currency}`);
    amount = minor / unit;
  }
  if (THOUSANDTHS.has(currency) && amount % 10 !== 0) {
    throw new CheckoutInputError('amount', `Checkout.com needs the last digit of a ${currency} amount to be 0 (got ${amount} thousandths)`);
  }
  if (amount > MAX_AMOUNT) throw new CheckoutInputError('amount', `${amount} has more than the nine digits Checkout.com accepts`);
  return amount;
}

/** Checkout.com's `amount` → our integer minor units (the inverse of `toCheckoutAmount`). */
export function fromCheckoutAmount(amount: number, currency: string): number {
  const shift = checkoutExponent(currency) - currencyExponent(currency);
  return shift >= 0 ? Math.round(amount / 10 ** shift) : amount * 10 ** -shift;
}

/** Card source of a payment request (`03_PaymentRequestCardSource`). */
export interface CheckoutCardSource {
  type: 'card';
  number: string;
  expiry_month: number;
  expiry_year: number;
  name?: string;
  cvv?: string;
  stored?: boolean;
  billing_address?: CheckoutAddress;
}

/** Network-token source (`04_PaymentRequestNetworkTokenSource`): a Visa / Mastercard token or a decrypted Apple Pay / Google Pay token. */
export interface CheckoutNetworkTokenSource {
  type: 'network_token';
  token: string;
  expiry_month: number;
  expiry_year: number;
  token_type: 'vts' | 'mdes' | 'applepay' | 'googlepay';
  cryptogram: string;
  eci: string;
  stored?: boolean;
  name?: string;
  billing_address?: CheckoutAddress;
}

/** Stored-instrument source (`02_PaymentRequestIdSource`): the `src_…` id of an earlier payment. */
export interface CheckoutIdSource {
  type: 'id';
  id: string;
}

/** `Address`. */
export interface CheckoutAddress {
  address_line1?: string;
  address_line2?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
}

/** The subset of `PaymentRequest` this adapter sends. */
export interface CheckoutPaymentBody {
  source: CheckoutCardSource | CheckoutIdSource | CheckoutNetworkTokenSource;
  amount: number;
  currency: string;
  reference: string;
  capture?: boolean;
  payment_type: 'Regular' | 'Recurring';
  merchant_initiated?: boolean;
  previous_payment_id?: string;
  processing_channel_id?: string;
  customer?: { email?: string; name?: string };
  payment_ip?: string;
  billing_descriptor?: { name: string; city: string };
  '3ds'?: { enabled: boolean; eci?: string; cryptogram?: string; xid?: string; version?: string; challenge_indicator?: ChallengeIndicator };
  success_url?: string;
  failure_url?: string;
  metadata?: Record<string, string>;
}

/** `3ds.challenge_indicator`: whether a challenge is asked for. */
export type ChallengeIndicator = 'no_preference' | 'no_challenge_requested' | 'challenge_requested' | 'challenge_requested_mandate';

/** Adapter settings that shape a payment body. */
export interface PaymentBodySettings {
  processingChannelId?: string;
  /** Ask Checkout.com to run 3-D Secure on customer-initiated payments without a completed result. */
  requestThreeDS?: boolean;
  successUrl?: string;
  failureUrl?: string;
  /** Start 3-D Secure on this payment whatever `requestThreeDS` says, with this challenge indicator. */
  forceThreeDS?: ChallengeIndicator;
}

const SOURCE_ID = /^src_\w{26}$/;
/** `previous_payment_id`: "an existing payment identifier from the recurring series or the Scheme Transaction ID" (max 100). */
const MAX_PREVIOUS_ID = 100;

function address(a: GatewayPaymentRequest['billing']): CheckoutAddress | undefined {
  if (!a) return undefined;
  const out: CheckoutAddress = {
    address_line1: a.line1,
    address_line2: a.line2,
    city: a.city,
    state: a.state,
    zip: a.postalCode,
    country: a.country,
  };
  const kept = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined && v !== ''));
  return Object.keys(kept).length ? kept : undefined;
}

/**
 * A network token as Checkout.com's `network_token` source: `token_type` from the wallet, or from
 * the token's brand (Visa Token Service `vts`, Mastercard MDES `mdes`); the spec requires the
 * cryptogram and the ECI, so a token without them (a rebill) is refused before sending.
 */
function networkTokenSource(req: GatewayPaymentRequest, subsequent: boolean): CheckoutNetworkTokenSource {
  const card = req.card!;
  const token = card.networkToken!.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(token)) throw new CheckoutInputError('card.networkToken', 'must be 12 to 19 digits');
  const brand = detectBrand(token)?.brand;
  const tokenType =
    card.tokenType === 'apple_pay'
      ? 'applepay'
      : card.tokenType === 'google_pay'
        ? 'googlepay'
        : brand === 'visa'
          ? 'vts'
          : brand === 'mastercard'
            ? 'mdes'
            : undefined;
  if (!tokenType) throw new CheckoutInputError('card.networkToken', 'Checkout.com takes Visa (vts) and Mastercard (mdes) network tokens');
  if (!card.cryptogram || !card.eci)
    throw new CheckoutInputError('card.cryptogram', 'Checkout.com needs the cryptogram and the ECI with a network token');
  if (card.cryptogram.length > 50) throw new CheckoutInputError('card.cryptogram', 'must be at most 50 characters for Checkout.com');
  return {
    type: 'network_token',
    token,
    expiry_month: card.expMonth,
    expiry_year: card.expYear,
    token_type: tokenType,
    cryptogram: card.cryptogram,
    eci: card.eci,
    ...(subsequent && { stored: true }),
    ...(card.holderName && { name: card.holderName }),
    ...(address(req.billing) && { billing_address: address(req.billing) }),
  };
}

function source(req: GatewayPaymentRequest, sc: StoredCredential | undefined): CheckoutPaymentBody['source'] {
  const card = req.card;
  const subsequent = sc?.type === 'subsequent';
  if (card?.networkToken) return networkTokenSource(req, subsequent);
  if (card?.number) {
    const number = card.number.replace(/[\s-]/g, '');
    if (!/^\d{12,19}$/.test(number)) throw new CheckoutInputError('card.number', 'must be 12 to 19 digits');
    if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12)
      throw new CheckoutInputError('card.expMonth', 'must be 1 to 12');
    if (!Number.isInteger(card.expYear) || card.expYear < 1000 || card.expYear > 9999)
      throw new CheckoutInputError('card.expYear', 'must be a four-digit year');
    if (card.cvc !== undefined && !/^\d{3,4}$/.test(card.cvc)) throw new CheckoutInputError('card.cvc', 'must be 3 or 4 digits');
    return {
      type: 'card',
      number,
      expiry_month: card.expMonth,
      expiry_year: card.expYear,
      ...(card.holderName && { name: card.holderName }),
      // A merchant-initiated charge on stored details carries no CVV and says the card is stored.
      ...(!subsequent && card.cvc && { cvv: card.cvc }),
      ...(subsequent && { stored: true }),
      ...(address(req.billing) && { billing_address: address(req.billing) }),
    };
  }
  if (subsequent && sc.gatewayToken) {
    if (!SOURCE_ID.test(sc.gatewayToken))
      throw new CheckoutInputError('storedCredential.gatewayToken', 'must be a Checkout.com source id (src_…)');
    return { type: 'id', id: sc.gatewayToken };
  }
  throw new CheckoutInputError('card', subsequent ? 'a rebill needs the card or the src_ token of the initial payment' : 'is required');
}

/**
 * Build the `POST /payments` body. `capture: true` for a sale, `false` for an authorization;
 * `verify` sends amount 0 (a card verification, answered `Card Verified`).
 * Stored credentials: initial → `payment_type` Recurring (Regular for unscheduled) with
 * `merchant_initiated: false`; subsequent → `merchant_initiated: true`, `previous_payment_id`
 * (the scheme transaction id, else the initial `pay_…` id) and `source.stored: true` or the `src_…` token.
 * @example
 * buildPaymentBody(req, 'sale', { processingChannelId: 'pc_…' }).capture // true
 */
export function buildPaymentBody(
  req: GatewayPaymentRequest,
  operation: 'authorize' | 'sale' | 'verify',
  settings: PaymentBodySettings = {},
): CheckoutPaymentBody {
  if (typeof req.reference !== 'string' || req.reference.length === 0 || req.reference.length > 50)
    throw new CheckoutInputError('reference', 'must be 1 to 50 characters');
  if (typeof req.currency !== 'string' || !/^[A-Z]{3}$/.test(req.currency))
    throw new CheckoutInputError('currency', 'must be an ISO 4217 code such as USD');
  const sc = req.storedCredential;
  const recurring = sc?.reason === 'recurring';
  const amount = operation === 'verify' ? 0 : toCheckoutAmount(req.amount, req.currency);
  if (operation !== 'verify' && amount === 0)
    throw new CheckoutInputError('amount', 'must be greater than zero (use verify for a zero-amount check)');
  const body: CheckoutPaymentBody = {
    source: source(req, sc),
    amount,
    currency: req.currency,
    reference: req.reference,
    payment_type: sc && recurring ? 'Recurring' : 'Regular',
  };
  if (operation !== 'verify') body.capture = operation === 'sale';
  if (sc?.type === 'initial') body.merchant_initiated = false;
  if (sc?.type === 'subsequent') {
    body.merchant_initiated = true;
    const previous = sc.networkTransactionId ?? sc.previousGatewayTransactionId;
    if (previous) {
      if (previous.length > MAX_PREVIOUS_ID)
        throw new CheckoutInputError('storedCredential.networkTransactionId', `must be at most ${MAX_PREVIOUS_ID} characters`);
      body.previous_payment_id = previous;
    }
  }
  if (settings.processingChannelId) body.processing_channel_id = settings.processingChannelId;
  const customer = req.customer;
  if (customer?.email || req.card?.holderName) {
    body.customer = { ...(customer?.email && { email: customer.email }), ...(req.card?.holderName && { name: req.card.holderName }) };
  }
  if (customer?.ip && isIPv4(customer.ip)) body.payment_ip = customer.ip; // the spec takes IPv4 only
  const city = req.merchant.settings?.descriptorCity;
  if (req.merchant.descriptor && typeof city === 'string' && city) {
    body.billing_descriptor = { name: req.merchant.descriptor.slice(0, 25), city: city.slice(0, 13) };
  }
  const t = req.threeDS;
  if (t && (t.cavv || t.eci)) {
    body['3ds'] = {
      enabled: true,
      ...(t.eci && { eci: t.eci }),
      ...(t.cavv && { cryptogram: t.cavv }),
      ...(t.xid && { xid: t.xid }),
      ...(t.version && { version: t.version }),
    };
  } else if ((settings.requestThreeDS || settings.forceThreeDS) && sc?.type !== 'subsequent') {
    body['3ds'] = { enabled: true, ...(settings.forceThreeDS && { challenge_indicator: settings.forceThreeDS }) };
    if (settings.successUrl) body.success_url = settings.successUrl;
    if (settings.failureUrl) body.failure_url = settings.failureUrl;
  }
  // A per-payment return URL (payment links) also covers Checkout.com's own SCA upgrade (a 202 unasked).
  if (req.returnUrl && sc?.type !== 'subsequent') {
    body.success_url = req.returnUrl;
    body.failure_url = req.returnUrl;
  }
  if (req.metadata && Object.keys(req.metadata).length) body.metadata = { ...req.metadata };
  return body;
}

/** `CaptureRequest`; partial captures may be `NonFinal` so that later captures stay possible. */
export interface CheckoutCaptureBody {
  amount: number;
  reference: string;
  capture_type?: 'Final' | 'NonFinal';
}

/** Build the `POST /payments/{id}/captures` body. */
export function buildCaptureBody(req: GatewayFollowUpRequest, multipleCaptures = false): CheckoutCaptureBody {
  const amount = toCheckoutAmount(req.amount, req.currency);
  if (amount === 0) throw new CheckoutInputError('amount', 'must be greater than zero');
  const partial = req.amount < req.originalAmount;
  return { amount, reference: req.reference, ...(partial && multipleCaptures && { capture_type: 'NonFinal' as const }) };
}

/** Build the `POST /payments/{id}/refunds` body. */
export function buildRefundBody(req: GatewayFollowUpRequest): { amount: number; reference: string } {
  const amount = toCheckoutAmount(req.amount, req.currency);
  if (amount === 0) throw new CheckoutInputError('amount', 'must be greater than zero');
  return { amount, reference: req.reference };
}

/** Build the `POST /payments/{id}/voids` body. */
export function buildVoidBody(req: GatewayFollowUpRequest): { reference: string } {
  return { reference: req.reference };
}

/** A `pay_…` id as the spec's `PaymentId` pattern defines it. */
export function isPaymentId(id: unknown): id is string {
  return typeof id === 'string' && /^pay_\w{26}$/.test(id);
}

/** The fields of `PaymentResponse` / `PaymentAcceptedResponse` / `PaymentDetails` this adapter reads. */
export interface CheckoutPaymentAnswer {
  id: string;
  status: string;
  '3ds'?: { authentication_response?: string };
  actions?: Array<{ type?: string; response_code?: string; response_summary?: string }>;
  approved?: boolean;
  amount?: number;
  currency?: string;
  auth_code?: string;
  response_code?: string;
  response_summary?: string;
  reference?: string;
  scheme_id?: string;
  source?: { type?: string; id?: string; avs_check?: string; cvv_check?: string };
  processing?: { recommendation_code?: string };
  _links?: { redirect?: { href?: string } };
}

/** `ValidationError` (and the 429 body). */
export interface CheckoutErrorBody {
  request_id?: string;
  error_type?: string;
  error_codes?: string[];
}

const unreadable = (what: string, httpStatus: number): GatewayResult => ({
  status: 'error',
  ambiguous: true,
  httpStatus,
  message: `Checkout.com answered HTTP ${httpStatus} with ${what}; the outcome is unknown`,
});

function asObject(body: unknown): Record<string, any> | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, any>) : undefined;
}

/**
 * Parse an HTTP 4xx answer (other than 404 on lookups) into an error. 401 is a merchant error
 * (bad secret key); 409 and 429 may mean "a request with this idempotency key is still in
 * progress", so they are ambiguous; 403/422 are clear refusals.
 */
export function parseClientError(httpStatus: number, body: unknown): GatewayResult {
  const b = asObject(body) as CheckoutErrorBody | undefined;
  const codes = Array.isArray(b?.error_codes) ? b!.error_codes.filter((c) => typeof c === 'string') : [];
  const detail = [b?.error_type, codes.length ? `(${codes.join(', ')})` : undefined].filter(Boolean).join(' ');
  const suffix = detail ? `: ${detail}` : '';
  if (httpStatus === 401) {
    return {
      status: 'error',
      ambiguous: false,
      merchantError: true,
      httpStatus,
      code: 'unauthorized',
      message: 'Checkout.com refused the secret key (HTTP 401): check the secretKey of this MID',
    };
  }
  if (httpStatus === 409 || httpStatus === 429) {
    return {
      status: 'error',
      ambiguous: true,
      httpStatus,
      code: b?.error_type ?? (httpStatus === 429 ? 'too_many_requests' : 'conflict'),
      message: redact(
        `Checkout.com answered HTTP ${httpStatus} (too many requests or a duplicate still in progress)${suffix}; the outcome is unknown`,
      ),
    };
  }
  const what =
    httpStatus === 403
      ? 'refused the action (HTTP 403 not allowed)'
      : httpStatus === 404
        ? 'does not know this payment (HTTP 404)'
        : `refused the request (HTTP ${httpStatus})`;
  return {
    status: 'error',
    ambiguous: false,
    httpStatus,
    code: codes[0] ?? b?.error_type ?? `http_${httpStatus}`,
    message: redact(`Checkout.com ${what}${suffix}`),
  };
}

/**
 * A 422 whose `error_codes` refuse the card itself (`card_number_invalid`, `card_expired`,
 * `cvv_invalid`…; see `CARD_DATA_ERRORS`) is a decline of the card with that code, so the router
 * neither cascades the same bad card nor leaves the checkout without a reason. Nothing was charged.
 */
function cardDataDecline(httpStatus: number, body: unknown): GatewayDeclined | undefined {
  if (httpStatus !== 422) return undefined;
  const b = asObject(body) as CheckoutErrorBody | undefined;
  const codes = Array.isArray(b?.error_codes) ? b!.error_codes.filter((c) => typeof c === 'string') : [];
  const card = codes.find((c) => Object.prototype.hasOwnProperty.call(CARD_DATA_ERRORS, c));
  if (!card) return undefined;
  return { status: 'declined', code: card, message: redact(`Checkout.com refused the card data (${codes.join(', ')})`) };
}

/**
 * Parse the answer to `POST /payments`.
 * - 201 `approved: true` (Authorized / Card Verified) → approved, with `scheme_id` as the network
 *   transaction id and `source.id` (`src_…`) as the gateway token;
 * - 201 `approved: false` (Declined) → declined with `response_code`, `response_summary` and
 *   `processing.recommendation_code` as advice (01 update card, 02 later, 03 never);
 * - 202 Pending with `_links.redirect` → requires_action (3-D Secure); 202 without one → ambiguous;
 * - 4xx → `parseClientError`; 5xx → ambiguous.
 * `requested` is the amount we asked for, in our minor units (to report partial approvals).
 */
export function parsePaymentAnswer(httpStatus: number, body: unknown, requested: { amount: number; currency: string }): GatewayResult {
  if (httpStatus >= 500) return { status: 'error', ambiguous: true, httpStatus, message: `Checkout.com answered HTTP ${httpStatus}` };
  if (httpStatus >= 400) return cardDataDecline(httpStatus, body) ?? parseClientError(httpStatus, body);
  const b = asObject(body) as CheckoutPaymentAnswer | undefined;
  if (!b || !isPaymentId(b.id) || typeof b.status !== 'string') return unreadable('a body that is not a payment', httpStatus);
  if (httpStatus === 202 || b.status === 'Pending') {
    const url = b._links?.redirect?.href;
    if (typeof url === 'string' && /^https?:\/\//.test(url)) {
      return { status: 'requires_action', gatewayTransactionId: b.id, action: { type: 'redirect', url, method: 'GET' } };
    }
    return {
      status: 'error',
      ambiguous: true,
      httpStatus,
      code: 'pending',
      message: `Checkout.com accepted payment ${b.id} asynchronously (Pending); the outcome is not known yet`,
    };
  }
  if (httpStatus !== 201 && httpStatus !== 200) return unreadable('an unexpected status', httpStatus);
  return paymentOutcome(b, requested);
}

function paymentOutcome(b: CheckoutPaymentAnswer, requested: { amount: number; currency: string }): GatewayResult {
  if (b.approved === true) {
    const approved: GatewayResult = {
      status: 'approved',
      gatewayTransactionId: b.id,
      ...(b.auth_code && { authCode: b.auth_code }),
      ...(b.scheme_id && { networkTransactionId: b.scheme_id }),
      ...(b.source?.id && { gatewayToken: b.source.id }),
      ...(b.source?.avs_check && { avsResult: b.source.avs_check }),
      ...(b.source?.cvv_check && { cvvResult: b.source.cvv_check }),
    };
    if (typeof b.amount === 'number' && b.amount > 0 && b.currency === requested.currency) {
      const got = fromCheckoutAmount(b.amount, requested.currency);
      if (got !== requested.amount && requested.amount > 0) approved.approvedAmount = got;
    }
    return approved;
  }
  return {
    status: 'declined',
    gatewayTransactionId: b.id,
    ...(b.response_code && { code: b.response_code }),
    ...(b.response_summary && { message: redact(b.response_summary) }),
    ...(b.processing?.recommendation_code && { advice: b.processing.recommendation_code }),
    // The checks name an unspecific decline (20005 with cvv_check D is a CVV mismatch).
    ...(b.source?.cvv_check && { cvvResult: b.source.cvv_check }),
    ...(b.source?.avs_check && { avsResult: b.source.avs_check }),
  };
}

/**
 * Parse the answer to a capture, void or refund. 202 with an `action_id` → approved (Checkout.com
 * processes card actions asynchronously): approved and `pending`, decided later by the
 * `payment_captured` / `payment_refunded`… webhook (or `GET /payments/{id}/actions`). The capture
 * and void report the payment id; the refund reports its own action id.
 */
export function parseActionAnswer(
  operation: 'capture' | 'void' | 'refund',
  paymentId: string,
  httpStatus: number,
  body: unknown,
): GatewayResult {
  if (httpStatus >= 500)
    return { status: 'error', ambiguous: true, httpStatus, message: `Checkout.com answered HTTP ${httpStatus} to the ${operation}` };
  if (httpStatus >= 400) return parseClientError(httpStatus, body);
  const b = asObject(body);
  if (httpStatus !== 202 || !b || typeof b.action_id !== 'string' || !/^act_\w{26}$/.test(b.action_id)) {
    return unreadable(`an answer to the ${operation} that is not an accepted action`, httpStatus);
  }
  return { status: 'approved', gatewayTransactionId: operation === 'refund' ? b.action_id : paymentId, pending: true };
}

/** One action of `GET /payments/{id}/actions`, the fields read here. */
interface CheckoutAction {
  id?: string;
  type?: string;
  amount?: number;
  approved?: boolean;
  reference?: string;
  response_code?: string;
  response_summary?: string;
}

const ACTION_TYPES = { capture: 'Capture', void: 'Void', refund: 'Refund' } as const;

/**
 * The outcome of an accepted capture, void or refund from `GET /payments/{id}/actions`: the
 * action carrying our reference (or the accepted action id) decides it; none yet → still undecided.
 */
export function parseActionsAnswer(
  operation: 'capture' | 'void' | 'refund',
  paymentId: string,
  want: { reference: string; actionId?: string | undefined },
  httpStatus: number,
  body: unknown,
): GatewayFollowUpStatus {
  if (httpStatus >= 500)
    return { status: 'error', ambiguous: true, httpStatus, message: `Checkout.com answered HTTP ${httpStatus} to the actions lookup` };
  if (httpStatus >= 400) return { ...(parseClientError(httpStatus, body) as GatewayError), ambiguous: true };
  if (httpStatus !== 200 || !Array.isArray(body))
    return {
      status: 'error',
      ambiguous: true,
      httpStatus,
      message: 'Checkout.com answered the actions lookup with a body that is not a list',
    };
  const action = (body as CheckoutAction[]).find(
    (a) =>
      a &&
      a.type === ACTION_TYPES[operation] &&
      (a.reference === want.reference || (want.actionId !== undefined && a.id === want.actionId)),
  );
  if (!action || typeof action.id !== 'string')
    return { status: 'error', ambiguous: true, code: 'pending', message: `the ${operation} is not decided at Checkout.com yet` };
  if (action.approved === true) return { status: 'approved', gatewayTransactionId: operation === 'refund' ? action.id : paymentId };
  return {
    status: 'declined',
    ...(action.response_code && { code: action.response_code }),
    ...(action.response_summary && { message: redact(action.response_summary) }),
  };
}

/** Parse `GET /payments/{id}` for a lookup: approved states, declined, or not found. */
export function parseLookupAnswer(httpStatus: number, body: unknown, reference: string, currency: string): GatewayLookupResult {
  if (httpStatus === 404) return { status: 'not_found' };
  if (httpStatus >= 500)
    return { status: 'error', ambiguous: true, httpStatus, message: `Checkout.com answered HTTP ${httpStatus} to the lookup` };
  if (httpStatus >= 400) return parseClientError(httpStatus, body) as GatewayLookupResult;
  const b = asObject(body) as CheckoutPaymentAnswer | undefined;
  if (httpStatus !== 200 || !b || !isPaymentId(b.id))
    return { status: 'error', ambiguous: true, httpStatus, message: 'Checkout.com answered the lookup with a body that is not a payment' };
  if (b.reference !== undefined && b.reference !== reference) return { status: 'not_found' };
  if (b.status === 'Pending')
    return { status: 'error', ambiguous: true, httpStatus, code: 'pending', message: `payment ${b.id} is still Pending at Checkout.com` };
  const result = paymentOutcome(b, { amount: 0, currency });
  return result as GatewayLookupResult;
}

/** A payment session id of a 3-D Secure return (`cko-session-id`), as `GET /payments/{id}` accepts it. */
export function isSessionId(id: unknown): id is string {
  return typeof id === 'string' && /^sid_\w{26}$/.test(id);
}

/**
 * The payment read after its 3-D Secure redirect, as the completion's result: `Pending` → still
 * `requires_action` (the same action: the cardholder has not finished); approved statuses →
 * approved; `Declined` → declined with the authorization's response code (from `actions`, e.g.
 * 20151 authentication failed). The payment must carry our reference (its `pay_…` id is ours).
 */
export function parseCompletionAnswer(
  httpStatus: number,
  body: unknown,
  expected: { paymentId: string; reference: string; amount: number; currency: string; action: RequiredAction },
): GatewayResult {
  if (httpStatus >= 500)
    return { status: 'error', ambiguous: true, httpStatus, message: `Checkout.com answered HTTP ${httpStatus} to the payment read` };
  if (httpStatus >= 400) return { ...(parseClientError(httpStatus, body) as GatewayError), ambiguous: false };
  const b = asObject(body) as CheckoutPaymentAnswer | undefined;
  if (httpStatus !== 200 || !b || !isPaymentId(b.id)) return unreadable('a body that is not a payment', httpStatus);
  if (b.id !== expected.paymentId || (b.reference !== undefined && b.reference !== expected.reference)) {
    return {
      status: 'error',
      ambiguous: false,
      code: 'invalid_request',
      message: `Checkout.com payment ${b.id} is not this transaction's payment`,
    };
  }
  if (b.status === 'Pending') return { status: 'requires_action', gatewayTransactionId: b.id, action: expected.action };
  return paymentOutcome(withActionCode(b), { amount: expected.amount, currency: expected.currency });
}

/** A declined payment's response code and summary from its authorization action, when the top level has none. */
function withActionCode(b: CheckoutPaymentAnswer): CheckoutPaymentAnswer {
  if (b.approved !== false || b.response_code) return b;
  const auth = b.actions?.find((a) => a.type === 'Authorization' || a.type === 'Card Verification');
  return auth?.response_code ? { ...b, response_code: auth.response_code, response_summary: auth.response_summary } : b;
}

/** Checkout.com's code for a 3-D Secure payment not completed within 15 minutes. */
export const AUTHENTICATION_LAPSED = '20152';

/**
 * An expired challenge's payment, as a lookup result: still `Pending` → unknown (Checkout.com
 * lapses it by itself after 15 minutes; the router asks again later); declined with 20152 (not
 * completed in time) → `not_found` (nothing charged); otherwise what the payment says.
 */
export function parseAbandonAnswer(
  httpStatus: number,
  body: unknown,
  expected: { paymentId: string; reference: string; currency: string },
): GatewayLookupResult {
  if (httpStatus === 404) return { status: 'not_found' };
  const r = parseCompletionAnswer(httpStatus, body, { ...expected, amount: 0, action: { type: 'sdk', gateway: 'checkout', data: {} } });
  if (r.status === 'requires_action')
    return { status: 'error', ambiguous: true, code: 'pending', message: `payment ${expected.paymentId} is still Pending at Checkout.com` };
  if (r.status === 'declined' && r.code === AUTHENTICATION_LAPSED) return { status: 'not_found' };
  return r;
}
