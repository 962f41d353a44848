/**
 * Stripe wire format: the request bodies the adapter sends and the conversion of Stripe's
 * answers into `GatewayResult`s. Pure functions, no I/O.
 *
 * Bodies are built as plain nested objects; `index.ts` sends them as
 * `application/x-www-form-urlencoded` with bracket notation (`card[number]=…`,
 * `expand[]=latest_charge`), which is how Stripe reads every request body. Never JSON.
 *
 * Everything here follows the OpenAPI description of API version {@link STRIPE_API_VERSION},
 * the version the adapter pins with the `Stripe-Version` header.
 * @module
 */
import type {
  GatewayApproved,
  GatewayDeclined,
  GatewayError,
  GatewayFollowUpRequest,
  GatewayLookupResult,
  GatewayPaymentRequest,
  GatewayRequiresAction,
  GatewayResult,
} from '../../src/adapter';
import { redact } from '../../src/card/redact';
import { currencyExponent } from '../../src/money';

/** The Stripe API version this adapter speaks (sent as `Stripe-Version`). */
export const STRIPE_API_VERSION = '2023-08-16';

/** Metadata key holding our attempt reference on every PaymentIntent and Refund. */
export const REFERENCE_KEY = 'switchyard_reference';
/** Metadata key holding our transaction id. */
export const TRANSACTION_KEY = 'switchyard_transaction';

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

/** Zero-decimal currencies in Stripe's API (https://docs.stripe.com/currencies#zero-decimal). */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
/** Three-decimal currencies: Stripe requires the last digit to be 0 (https://docs.stripe.com/currencies#three-decimal). */
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);
/**
 * ISK is two-decimal in Stripe's API for backwards compatibility but must be whole krónur
 * (a multiple of 100) since April 2023 (https://docs.stripe.com/currencies#special-cases).
 */
const TWO_DECIMAL_WHOLE_UNITS = new Set(['ISK']);

/** Number of decimals Stripe uses for `amount` in this currency. */
export function stripeExponent(currency: string): number {
  const c = currency.toUpperCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/** A request Stripe would refuse, found before sending: names the field at fault. */
export class StripeInputError extends Error {
  override readonly name = 'StripeInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * Our integer minor units (ISO 4217 exponent) as Stripe's integer `amount`, exactly.
 * Throws `StripeInputError` (field `amount`) when Stripe cannot represent the amount.
 * @example
 * toStripeAmount(1999, 'USD') // 1999
 * toStripeAmount(500, 'JPY')  // 500
 * toStripeAmount(1250, 'KWD') // 1250 (1.250 KWD; the last digit must be 0)
 * toStripeAmount(500, 'ISK')  // 50000 (ISK is two-decimal in Stripe's API)
 */
export function toStripeAmount(minor: number, currency: string): number {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new StripeInputError('amount', 'must be a non-negative integer of minor units');
  const c = currency.toUpperCase();
  const shift = stripeExponent(c) - currencyExponent(c);
  let amount: number;
  if (shift >= 0) amount = minor * 10 ** shift;
  else {
    const unit = 10 ** -shift;
    if (minor % unit !== 0)
      throw new StripeInputError('amount', `${c} is zero-decimal at Stripe: ${minor} minor units is not a whole number`);
    amount = minor / unit;
  }
  if (!Number.isSafeInteger(amount)) throw new StripeInputError('amount', 'is too large');
  if (THREE_DECIMAL.has(c) && amount % 10 !== 0)
    throw new StripeInputError('amount', `Stripe requires ${c} amounts to end in 0 (round ${minor} to the nearest ten)`);
  if (TWO_DECIMAL_WHOLE_UNITS.has(c) && amount % 100 !== 0) throw new StripeInputError('amount', `Stripe requires whole ${c} units`);
  return amount;
}

/** Stripe's integer `amount` back into our minor units (inverse of `toStripeAmount`). */
export function fromStripeAmount(amount: number, currency: string): number {
  const c = currency.toUpperCase();
  const shift = stripeExponent(c) - currencyExponent(c);
  return shift >= 0 ? Math.round(amount / 10 ** shift) : amount * 10 ** -shift;
}

// ---------------------------------------------------------------------------------------------
// Shapes (the parts of Stripe's objects the adapter reads)
// ---------------------------------------------------------------------------------------------

/** A form body before bracket encoding: nested objects, arrays of strings, scalars. */
export type FormBody = { [key: string]: string | number | boolean | string[] | FormBody | undefined };

/** Stripe's error object (`api_errors`). `advice_code` is newer than the pinned spec but sent by Stripe. */
export interface StripeApiError {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error' | string;
  code?: string;
  decline_code?: string;
  advice_code?: string;
  message?: string;
  param?: string;
  charge?: string;
  payment_intent?: StripePaymentIntent;
  /** The PaymentMethod the error is about; its `card.checks` carry the CVC and postal-code results. */
  payment_method?: { id?: string; card?: { checks?: StripeChargeCard['checks'] } | null } | null;
}

/** The card details of a charge (`payment_method_details.card`). */
export interface StripeChargeCard {
  brand?: string;
  last4?: string;
  checks?: { cvc_check?: string | null; address_postal_code_check?: string | null; address_line1_check?: string | null } | null;
  /** Newer than the pinned spec; Stripe includes it on every version. */
  network_transaction_id?: string | null;
  /** Newer than the pinned spec; Stripe includes it on every version. */
  authorization_code?: string | null;
}

/** A Charge, as far as the adapter reads it. */
export interface StripeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured?: number;
  payment_method_details?: { card?: StripeChargeCard | null; type?: string } | null;
  outcome?: { advice_code?: string | null; network_status?: string | null } | null;
}

/** A PaymentIntent, as far as the adapter reads it. */
export interface StripePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable?: number;
  amount_received?: number;
  currency: string;
  status:
    | 'canceled'
    | 'processing'
    | 'requires_action'
    | 'requires_capture'
    | 'requires_confirmation'
    | 'requires_payment_method'
    | 'succeeded';
  client_secret?: string | null;
  customer?: string | { id: string } | null;
  payment_method?: string | { id: string } | null;
  latest_charge?: string | StripeCharge | null;
  last_payment_error?: StripeApiError | null;
  next_action?: {
    type: string;
    redirect_to_url?: { url?: string | null; return_url?: string | null } | null;
    use_stripe_sdk?: unknown;
  } | null;
  metadata?: Record<string, string>;
}

/** A Refund, as far as the adapter reads it. */
export interface StripeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  status?: string | null;
  failure_reason?: string;
}

/** A PaymentMethod, as far as the adapter reads it. */
export interface StripePaymentMethod {
  id: string;
  object: 'payment_method';
  customer?: string | null;
}

/** A list page. */
export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** A saved card at Stripe: the PaymentMethod and, when it is attached to one, the Customer. */
export interface StripeToken {
  paymentMethod: string;
  customer?: string;
}

/**
 * The `gatewayToken` kept by a subscription pin: `pm_…`, or `cus_…:pm_…` when the card is
 * attached to a Customer (Stripe then requires the Customer on every later charge).
 * @example
 * formatToken({ customer: 'cus_1', paymentMethod: 'pm_2' }) // 'cus_1:pm_2'
 */
export function formatToken(t: StripeToken): string {
  return t.customer ? `${t.customer}:${t.paymentMethod}` : t.paymentMethod;
}

/** Parse a `gatewayToken` written by `formatToken`; undefined when it is not one. */
export function parseToken(token: string | undefined): StripeToken | undefined {
  // Underscores after the prefix admit Stripe's test-mode aliases such as `pm_card_visa`.
  const m = token === undefined ? null : /^(?:(cus_[A-Za-z0-9]+):)?((?:pm|card)_[A-Za-z0-9_]+)$/.exec(token);
  return m ? { paymentMethod: m[2], ...(m[1] && { customer: m[1] }) } : undefined;
}

/** A Stripe Customer id given as our customer id (`cus_…`), if it is one. */
export function stripeCustomerId(req: GatewayPaymentRequest): string | undefined {
  const id = req.customer?.id;
  return id && /^cus_[A-Za-z0-9]+$/.test(id) ? id : undefined;
}

/**
 * Body of `POST /v1/payment_methods` creating a card PaymentMethod from raw card data.
 *
 * Why a separate call: in the pinned API description (2023-08-16) `payment_method_data[type]`
 * on a PaymentIntent does not allow `card`, so raw card numbers cannot ride along on the
 * PaymentIntent; they go to `/v1/payment_methods` (`type=card`, `card[number]`…) first, and the
 * PaymentIntent then names the new `pm_…`. Raw card data needs Stripe's "raw card data APIs"
 * to be enabled on the account (a PCI DSS SAQ D merchant).
 */
export function paymentMethodBody(req: GatewayPaymentRequest): FormBody {
  const card = req.card;
  if (!card?.number) throw new StripeInputError('card.number', 'is required: this adapter takes card numbers, not network tokens');
  const billing = req.billing;
  const address = billing && {
    line1: billing.line1,
    line2: billing.line2,
    city: billing.city,
    state: billing.state,
    postal_code: billing.postalCode,
    country: billing.country,
  };
  const details = compact({ name: card.holderName, email: req.customer?.email, address: address && compact(address) });
  return compact({
    type: 'card',
    card: compact({ number: card.number.replace(/[\s-]/g, ''), exp_month: card.expMonth, exp_year: card.expYear, cvc: card.cvc }),
    billing_details: Object.keys(details).length ? details : undefined,
  });
}

/** How a PaymentIntent is created for one operation. */
export interface IntentOptions {
  /** `manual` for an authorization, `automatic` for a sale. */
  captureMethod: 'manual' | 'automatic';
  /** The PaymentMethod to charge. */
  paymentMethod: string;
  /** The Stripe Customer (required when the PaymentMethod is attached to one). */
  customer?: string;
  /** Where Stripe sends the customer back after 3-D Secure; without it the action is for Stripe.js. */
  returnUrl?: string;
  /**
   * `payment_method_options[card][request_three_d_secure]: any`: ask for 3-D Secure whatever
   * Stripe's engine would do (a rule requires it, or a step-up after an `authentication_required`
   * decline). The pinned API version knows `any` and `automatic` only (`challenge` came later).
   */
  requestThreeDSecure?: 'any';
}

/**
 * Body of `POST /v1/payment_intents`: create and confirm in one call.
 *
 * - `payment_method_types[]=card` keeps the intent to cards: since 2023-08-16 Stripe otherwise
 *   turns on automatic payment methods, which demand a `return_url` for redirect methods.
 * - `expand[]=latest_charge` returns the charge inline, for the authorization code and the
 *   network transaction id.
 * - Stored credentials: an initial transaction of a subscription sends
 *   `setup_future_usage=off_session` (Stripe flags it as a customer-initiated first payment of a
 *   stored credential and keeps the network transaction id with the PaymentMethod); a rebill
 *   sends `off_session=true` with the saved PaymentMethod, and Stripe sends the stored network
 *   transaction id to the card network itself. The pinned API has no field to pass a network
 *   transaction id from elsewhere.
 * - A completed 3-D Secure result from another provider cannot be passed in this API version:
 *   Stripe runs 3-D Secure itself (`requires_action`), so `req.threeDS` is not sent.
 */
export function paymentIntentBody(req: GatewayPaymentRequest, o: IntentOptions): FormBody {
  const sc = req.storedCredential;
  return compact({
    amount: toStripeAmount(req.amount, req.currency),
    currency: req.currency.toLowerCase(),
    confirm: true,
    capture_method: o.captureMethod,
    payment_method: o.paymentMethod,
    payment_method_types: ['card'],
    customer: o.customer,
    setup_future_usage: sc?.type === 'initial' ? 'off_session' : undefined,
    off_session: sc?.type === 'subsequent' ? true : undefined,
    return_url: sc?.type === 'subsequent' ? undefined : o.returnUrl,
    payment_method_options: o.requestThreeDSecure ? { card: { request_three_d_secure: o.requestThreeDSecure } } : undefined,
    metadata: metadataOf(req.reference, req.transactionId, req.metadata),
    expand: ['latest_charge'],
  });
}

/** Body of `POST /v1/payment_intents/{id}/capture` (full or partial). */
export function captureBody(req: GatewayFollowUpRequest): FormBody {
  return { amount_to_capture: toStripeAmount(req.amount, req.currency), expand: ['latest_charge'] };
}

/** Body of `POST /v1/refunds` (full or partial). */
export function refundBody(req: GatewayFollowUpRequest): FormBody {
  return {
    payment_intent: req.gatewayTransactionId,
    amount: toStripeAmount(req.amount, req.currency),
    metadata: metadataOf(req.reference, req.transactionId),
  };
}

const METADATA_LIMITS = { keys: 50, key: 40, value: 500 };

function metadataOf(reference: string, transactionId: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = { ...extra, [REFERENCE_KEY]: reference, [TRANSACTION_KEY]: transactionId };
  const keys = Object.keys(out);
  if (keys.length > METADATA_LIMITS.keys)
    throw new StripeInputError(
      'metadata',
      `Stripe allows ${METADATA_LIMITS.keys} keys including ours (${REFERENCE_KEY}, ${TRANSACTION_KEY})`,
    );
  for (const k of keys) {
    if (k.length > METADATA_LIMITS.key || k.includes('[') || k.includes(']'))
      throw new StripeInputError(`metadata.${k}`, `keys are at most ${METADATA_LIMITS.key} characters, without square brackets`);
    if (out[k].length > METADATA_LIMITS.value)
      throw new StripeInputError(`metadata.${k}`, `values are at most ${METADATA_LIMITS.value} characters`);
  }
  return out;
}

function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as T;
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : v?.id);

/**
 * A PaymentIntent as our result. `succeeded` and `requires_capture` are approvals;
 * `requires_action` is 3-D Secure; `requires_payment_method` after a failed attempt is the
 * decline in `last_payment_error`; `processing` is an outcome not known yet (ambiguous).
 */
export function parsePaymentIntent(pi: StripePaymentIntent, requested?: { amount: number; currency: string }): GatewayResult {
  switch (pi.status) {
    case 'succeeded':
    case 'requires_capture':
      return approvedFromIntent(pi, requested);
    case 'requires_action':
      return requiresAction(pi);
    case 'requires_payment_method':
      if (pi.last_payment_error) return declinedFrom(pi.last_payment_error, pi.id);
      return {
        status: 'error',
        ambiguous: false,
        code: pi.status,
        message: `Stripe PaymentIntent ${pi.id} has no payment method to charge (nothing was charged)`,
      };
    case 'processing':
      return {
        status: 'error',
        ambiguous: true,
        code: pi.status,
        message: `Stripe PaymentIntent ${pi.id} is still processing; its outcome is not known yet`,
      };
    case 'canceled':
      return {
        status: 'declined',
        code: 'canceled',
        message: `Stripe PaymentIntent ${pi.id} was canceled; nothing was charged`,
        gatewayTransactionId: pi.id,
      };
    default:
      return {
        status: 'error',
        ambiguous: false,
        code: String(pi.status),
        message: `Stripe PaymentIntent ${pi.id} is in state ${String(pi.status)}`,
      };
  }
}

function approvedFromIntent(pi: StripePaymentIntent, requested?: { amount: number; currency: string }): GatewayApproved {
  const charge = typeof pi.latest_charge === 'object' && pi.latest_charge !== null ? pi.latest_charge : undefined;
  const card = charge?.payment_method_details?.card ?? undefined;
  const pm = idOf(pi.payment_method);
  const customer = idOf(pi.customer);
  const stripeAmount = pi.status === 'requires_capture' ? pi.amount_capturable : pi.amount_received;
  const approved = stripeAmount !== undefined && requested ? fromStripeAmount(stripeAmount, pi.currency) : undefined;
  return stripUndefined({
    status: 'approved' as const,
    gatewayTransactionId: pi.id,
    authCode: card?.authorization_code ?? undefined,
    networkTransactionId: card?.network_transaction_id ?? undefined,
    gatewayToken: pm ? formatToken({ paymentMethod: pm, customer }) : undefined,
    approvedAmount: approved !== undefined && requested && approved !== requested.amount && approved > 0 ? approved : undefined,
    cvvResult: card?.checks?.cvc_check ?? undefined,
    avsResult: card?.checks?.address_postal_code_check ?? undefined,
  });
}

function requiresAction(pi: StripePaymentIntent): GatewayRequiresAction {
  const url = pi.next_action?.redirect_to_url?.url;
  if (pi.next_action?.type === 'redirect_to_url' && url) {
    return { status: 'requires_action', gatewayTransactionId: pi.id, action: { type: 'redirect', url, method: 'GET' } };
  }
  // `use_stripe_sdk`: the checkout page finishes it with Stripe.js `handleNextAction(clientSecret)`.
  return {
    status: 'requires_action',
    gatewayTransactionId: pi.id,
    action: {
      type: 'sdk',
      gateway: 'stripe',
      data: { provider: 'stripe', paymentIntent: pi.id, clientSecret: pi.client_secret ?? undefined, nextAction: pi.next_action?.type },
    },
  };
}

function declinedFrom(e: StripeApiError, paymentIntentId?: string): GatewayDeclined {
  const checks = e.payment_method?.card?.checks ?? undefined;
  return stripUndefined({
    status: 'declined' as const,
    code: e.decline_code ?? e.code,
    message: e.message === undefined ? undefined : redact(e.message),
    advice: e.advice_code ?? undefined,
    gatewayTransactionId: paymentIntentId ?? e.payment_intent?.id ?? e.charge,
    // `fail` names an unspecific decline (generic_decline with cvc_check fail is a CVC mismatch).
    cvvResult: checks?.cvc_check ?? undefined,
    avsResult: checks?.address_postal_code_check ?? undefined,
  });
}

/**
 * A Stripe answer with a 4xx status as our result:
 * - `card_error` (402): a decline with `decline_code ?? code` and `advice_code`; when the
 *   embedded PaymentIntent waits for 3-D Secure, `requires_action`.
 * - 401/403: our credentials or the account's permissions: an error with `merchantError`.
 * - 409 (`idempotency_error`, key in use): another request with this key is being processed:
 *   ambiguous.
 * - 429: rate limited, not processed: a clear error.
 * - other 400/404: a request Stripe refused: a clear error naming Stripe's `param`.
 */
export function parseErrorResponse(httpStatus: number, body: unknown): GatewayResult {
  const e = (body as { error?: StripeApiError } | undefined)?.error;
  if (!e || typeof e !== 'object') {
    return {
      status: 'error',
      ambiguous: httpStatus >= 500,
      httpStatus,
      message: `Stripe answered HTTP ${httpStatus} without an error object`,
    };
  }
  if (e.type === 'card_error') {
    const pi = e.payment_intent;
    if (pi?.status === 'requires_action') return requiresAction(pi);
    return declinedFrom(e);
  }
  const message = redact(
    `Stripe ${e.type}${e.code ? ` ${e.code}` : ''}${e.param ? ` (param ${e.param})` : ''}: ${e.message ?? 'no message'}`,
  );
  const base: GatewayError = { status: 'error', ambiguous: false, httpStatus, message, ...(e.code && { code: e.code }) };
  if (httpStatus === 401 || httpStatus === 403) return { ...base, merchantError: true };
  if (httpStatus === 409) return { ...base, ambiguous: true };
  return base;
}

/**
 * The PaymentIntent returned by a capture or a cancel as our result: the capture succeeded when
 * the intent is `succeeded`, the cancel when it is `canceled`.
 */
export function parseFollowUpIntent(pi: StripePaymentIntent, op: 'capture' | 'cancel'): GatewayResult {
  if ((op === 'capture' && pi.status === 'succeeded') || (op === 'cancel' && pi.status === 'canceled')) {
    return { status: 'approved', gatewayTransactionId: pi.id };
  }
  const r = parsePaymentIntent(pi);
  if (r.status === 'error' || r.status === 'declined') return r;
  return { status: 'error', ambiguous: false, code: pi.status, message: `Stripe PaymentIntent ${pi.id} is ${pi.status} after the ${op}` };
}

/** A Refund as our result: `succeeded` or `pending` are accepted; `failed`/`canceled` are declines. */
export function parseRefund(r: StripeRefund): GatewayResult {
  if (r.status === 'failed' || r.status === 'canceled') {
    return {
      status: 'declined',
      code: r.failure_reason ?? `refund_${r.status}`,
      message: `Stripe refund ${r.id} ${r.status}`,
      gatewayTransactionId: r.id,
    };
  }
  return { status: 'approved', gatewayTransactionId: r.id };
}

/** A PaymentIntent found by a lookup, as a lookup result (3-D Secure pending counts as not charged). */
export function lookupResultOf(pi: StripePaymentIntent): GatewayLookupResult {
  const r = parsePaymentIntent(pi);
  if (r.status === 'requires_action') {
    return {
      status: 'declined',
      code: 'authentication_required',
      message: `Stripe PaymentIntent ${pi.id} waits for customer authentication; nothing was charged`,
      gatewayTransactionId: pi.id,
    };
  }
  return r;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A PaymentIntent read after its 3-D Secure challenge, as the completion's result: approved
 * (`succeeded` / `requires_capture`), declined (`requires_payment_method`: the authentication
 * failed, e.g. `payment_intent_authentication_failure`; `canceled`), or still `requires_action`
 * (the cardholder has not finished: the same action again).
 */
export function completionResultOf(pi: StripePaymentIntent, requested: { amount: number; currency: string }): GatewayResult {
  return parsePaymentIntent(pi, requested);
}

/**
 * What an expired challenge's PaymentIntent says, as a lookup result: approved (the cardholder
 * finished in time: it charged), declined, or `not_found` (canceled or never confirmed: nothing
 * was charged). `requires_action` is for the caller to cancel first.
 */
export function abandonResultOf(pi: StripePaymentIntent): GatewayLookupResult | 'cancel' {
  if (pi.status === 'requires_action' || pi.status === 'requires_confirmation') return 'cancel';
  if (pi.status === 'canceled') return { status: 'not_found' };
  const r = parsePaymentIntent(pi);
  if (r.status === 'requires_action') return 'cancel';
  return r;
}
