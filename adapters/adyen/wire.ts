/**
 * Adyen Checkout API v72 wire format: the request bodies this adapter sends and the pure
 * conversions between them and Switchyard's gateway contract. No I/O here.
 *
 * Reference: https://docs.adyen.com/api-explorer/Checkout/72/overview (the OpenAPI description
 * the tests validate against is `test/specs/adyen-checkout-v72-payments.openapi.json`).
 * @module
 */
import type {
  GatewayDeclined,
  GatewayError,
  GatewayFollowUpRequest,
  GatewayPaymentRequest,
  GatewayResult,
  StoredCredential,
} from '../../src/adapter';
import { redact } from '../../src/card/redact';
import type { RequiredAction } from '../../src/types';
import { currencyExponent } from '../../src/money';
import { ADYEN_CARD_DATA_ERROR_CODES } from './declines';

/** Checkout API version in every URL. */
export const ADYEN_API_VERSION = 'v72';
/** Adyen's test environment. */
export const ADYEN_TEST_BASE_URL = `https://checkout-test.adyen.com/${ADYEN_API_VERSION}`;

/**
 * Adyen's live Checkout endpoint for a company account. Live URLs carry a prefix Adyen assigns
 * per company (Customer Area → Developers → API URLs), so there is no single live URL.
 * @example
 * adyenLiveBaseUrl('1797a841fbb37ca7-AdyenDemo') // 'https://1797a841fbb37ca7-AdyenDemo-checkout-live.adyenpayments.com/checkout/v72'
 */
export function adyenLiveBaseUrl(prefix: string): string {
  return `https://${prefix}-checkout-live.adyenpayments.com/checkout/${ADYEN_API_VERSION}`;
}

/** Bad input for an Adyen request, naming the field at fault. */
export class AdyenInputError extends Error {
  override readonly name = 'AdyenInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Amounts

/**
 * Currencies where Adyen's minor units differ from ISO 4217
 * (https://docs.adyen.com/development-resources/currency-codes/): CLP and ISK take 2 decimals
 * at Adyen, CVE and IDR none.
 */
export const ADYEN_EXPONENT_OVERRIDES: Readonly<Record<string, number>> = { CLP: 2, CVE: 0, IDR: 0, ISK: 2 };

/** Number of decimals Adyen expects for a currency. */
export function adyenExponent(currency: string): number {
  return ADYEN_EXPONENT_OVERRIDES[currency] ?? currencyExponent(currency);
}

/** An Adyen `Amount`: minor units in Adyen's exponent for the currency. */
export interface AdyenAmount {
  value: number;
  currency: string;
}

/**
 * Our ISO minor units → Adyen's `{ value, currency }`, exactly. Throws `AdyenInputError` when
 * the amount cannot be expressed (e.g. 150 IDR sen: Adyen takes whole rupiah).
 * @example
 * toAdyenAmount(1999, 'USD') // { value: 1999, currency: 'USD' }
 * toAdyenAmount(500, 'ISK')  // { value: 50000, currency: 'ISK' }
 */
export function toAdyenAmount(minor: number, currency: string, field = 'amount'): AdyenAmount {
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    throw new AdyenInputError('currency', 'must be an ISO 4217 code such as USD');
  if (!Number.isSafeInteger(minor) || minor < 0) throw new AdyenInputError(field, 'must be a non-negative integer of minor units');
  const shift = adyenExponent(currency) - currencyExponent(currency);
  if (shift >= 0) return { value: minor * 10 ** shift, currency };
  const factor = 10 ** -shift;
  if (minor % factor !== 0)
    throw new AdyenInputError(
      field,
      `${currency} at Adyen has ${adyenExponent(currency)} decimals; ${minor} minor units cannot be sent exactly`,
    );
  return { value: minor / factor, currency };
}

/** Adyen's `{ value, currency }` → our ISO minor units. */
export function fromAdyenAmount(amount: AdyenAmount): number {
  const shift = adyenExponent(amount.currency) - currencyExponent(amount.currency);
  return shift >= 0 ? amount.value / 10 ** shift : amount.value * 10 ** -shift;
}

// ---------------------------------------------------------------------------------------------
// Requests

/** `paymentMethod` for scheme cards: raw card fields, a network token, or a stored payment method. */
export interface AdyenCardPaymentMethod {
  type: 'scheme' | 'networkToken';
  number?: string;
  expiryMonth?: string;
  expiryYear?: string;
  cvc?: string;
  holderName?: string;
  /** Token from `tokenization.storedPaymentMethodId` of the initial payment. */
  storedPaymentMethodId?: string;
  /** The scheme's transaction id of the initial payment (Adyen's `networkTxReference`). */
  networkPaymentReference?: string;
}

/** Completed 3-D Secure data from a third-party MPI (`mpiData`). */
export interface AdyenMpiData {
  cavv?: string;
  eci?: string;
  /** The network token's cryptogram (TAVV). */
  tokenAuthenticationVerificationValue?: string;
  xid?: string;
  dsTransID?: string;
  threeDSVersion?: string;
  directoryResponse?: 'Y' | 'A';
}

/** The subset of `PaymentRequest` this adapter sends to `POST /payments`. */
export interface AdyenPaymentRequest {
  merchantAccount: string;
  reference: string;
  amount: AdyenAmount;
  paymentMethod: AdyenCardPaymentMethod;
  returnUrl: string;
  merchantOrderReference?: string;
  shopperInteraction: 'Ecommerce' | 'ContAuth';
  recurringProcessingModel?: 'Subscription' | 'UnscheduledCardOnFile';
  storePaymentMethod?: boolean;
  shopperReference?: string;
  captureDelayHours?: number;
  additionalData?: Record<string, string>;
  mpiData?: AdyenMpiData;
  shopperEmail?: string;
  shopperIP?: string;
  countryCode?: string;
  billingAddress?: {
    street: string;
    houseNumberOrName: string;
    city: string;
    postalCode: string;
    country: string;
    stateOrProvince?: string;
  };
  shopperStatement?: string;
  metadata?: Record<string, string>;
  /** `attemptAuthentication: always` starts 3-D Secure whatever the Dynamic 3D Secure rules say. */
  authenticationData?: { attemptAuthentication: 'always' | 'never' };
}

/** Body of `POST /payments/details`: what the shopper's browser brought back. */
export interface AdyenPaymentDetailsRequest {
  details: { redirectResult: string } | { threeDSResult: string };
}

/**
 * The `/payments/details` body of a completion: `redirectResult` (redirect flow) or
 * `threeDSResult` (native 3-D Secure 2). Throws `AdyenInputError` when neither is given.
 * @example
 * buildDetailsRequest({ redirectResult: 'X6XtfGC3...' }) // { details: { redirectResult: 'X6XtfGC3...' } }
 */
export function buildDetailsRequest(input: {
  redirectResult?: string | undefined;
  threeDSResult?: string | undefined;
}): AdyenPaymentDetailsRequest {
  if (input.redirectResult) return { details: { redirectResult: input.redirectResult } };
  if (input.threeDSResult) return { details: { threeDSResult: input.threeDSResult } };
  throw new AdyenInputError(
    'input.redirectResult',
    'Adyen needs redirectResult (from the return URL) or threeDSResult (from the 3-D Secure 2 component)',
  );
}

/** Body of `/payments/{psp}/captures`, `/cancels` and `/refunds`. */
export interface AdyenModificationRequest {
  merchantAccount: string;
  reference: string;
  amount?: AdyenAmount;
}

/** What an Adyen payment is for: `sale` captures at once, `authorize` waits for a capture, `verify` is a zero-amount check. */
export type AdyenPaymentMode = 'authorize' | 'sale' | 'verify';

/** Per-MID values every payment request carries. */
export interface AdyenPaymentSettings {
  merchantAccount: string;
  returnUrl: string;
}

/**
 * The vault reference we hand the router for rebills: Adyen's `storedPaymentMethodId` and the
 * `shopperReference` it was stored under, which every later use must repeat.
 * @example
 * encodeAdyenToken({ storedPaymentMethodId: 'M5N7TQ4TG5PFWR50', shopperReference: 'cust-42' }) // 'M5N7TQ4TG5PFWR50:cust-42'
 */
export function encodeAdyenToken(t: { storedPaymentMethodId: string; shopperReference: string }): string {
  return `${t.storedPaymentMethodId}:${t.shopperReference}`;
}

/** The inverse of `encodeAdyenToken`; throws `AdyenInputError` on a token without a shopper reference. */
export function decodeAdyenToken(token: string): { storedPaymentMethodId: string; shopperReference: string } {
  const at = token.indexOf(':');
  if (at <= 0 || at === token.length - 1) {
    throw new AdyenInputError('storedCredential.gatewayToken', 'an Adyen token is "<storedPaymentMethodId>:<shopperReference>"');
  }
  return { storedPaymentMethodId: token.slice(0, at), shopperReference: token.slice(at + 1) };
}

const METADATA_LIMITS = { entries: 20, key: 20, value: 80 };

/** Our customer id as an Adyen `shopperReference` (3–256 characters, no personal data). */
function shopperReferenceFor(req: GatewayPaymentRequest): string {
  const id = req.customer?.id;
  if (id && id.length >= 3) return id.slice(0, 256);
  return id ? `shopper-${id}` : `switchyard-${req.transactionId}`;
}

function recurringModel(sc: StoredCredential): AdyenPaymentRequest['recurringProcessingModel'] {
  return sc.reason === 'recurring' ? 'Subscription' : 'UnscheduledCardOnFile';
}

function cardFields(req: GatewayPaymentRequest, withCvc: boolean): AdyenCardPaymentMethod {
  const card = req.card;
  const token = card?.networkToken !== undefined;
  const digits = card?.number ?? card?.networkToken;
  if (!card || !digits) throw new AdyenInputError('card.number', 'is required');
  const number = digits.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(number)) throw new AdyenInputError(token ? 'card.networkToken' : 'card.number', 'must be 12 to 19 digits');
  if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12)
    throw new AdyenInputError('card.expMonth', 'must be 1 to 12');
  if (!Number.isInteger(card.expYear) || card.expYear < 2000 || card.expYear > 2099)
    throw new AdyenInputError('card.expYear', 'must be a four-digit year');
  return {
    type: token ? 'networkToken' : 'scheme',
    number,
    expiryMonth: String(card.expMonth).padStart(2, '0'),
    expiryYear: String(card.expYear),
    ...(withCvc && card.cvc && { cvc: card.cvc }),
    ...(card.holderName && { holderName: card.holderName }),
  };
}

/** ECI → 3-D Secure 2 `transStatus` of the ARes: 05/02 fully authenticated, 06/01 attempted. */
function directoryResponse(eci?: string): AdyenMpiData['directoryResponse'] {
  if (eci === '05' || eci === '02') return 'Y';
  if (eci === '06' || eci === '01') return 'A';
  return undefined;
}

/** `mpiData`: a completed 3-D Secure result, or a network token's cryptogram (TAVV) and ECI. */
function mpiData(req: GatewayPaymentRequest): AdyenMpiData | undefined {
  const card = req.card;
  if (card?.networkToken !== undefined && card.cryptogram) {
    return { tokenAuthenticationVerificationValue: card.cryptogram, ...(card.eci && { eci: card.eci }) };
  }
  const t = req.threeDS;
  if (!t || (!t.cavv && !t.eci)) return undefined;
  const dr = directoryResponse(t.eci);
  return {
    ...(t.cavv && { cavv: t.cavv }),
    ...(t.eci && { eci: t.eci }),
    ...(t.xid && { xid: t.xid }),
    ...(t.dsTransactionId && { dsTransID: t.dsTransactionId }),
    ...(t.version && { threeDSVersion: t.version }),
    ...(dr && { directoryResponse: dr }),
  };
}

function metadata(m: GatewayPaymentRequest['metadata']): Record<string, string> | undefined {
  if (!m) return undefined;
  const entries = Object.entries(m)
    .filter(([k, v]) => typeof v === 'string' && k.length <= METADATA_LIMITS.key && v.length <= METADATA_LIMITS.value)
    .slice(0, METADATA_LIMITS.entries);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

function billingAddress(req: GatewayPaymentRequest): AdyenPaymentRequest['billingAddress'] {
  const b = req.billing;
  if (!b?.line1 || !b.city || !b.postalCode || !b.country) return undefined;
  return {
    street: b.line2 ? `${b.line1}, ${b.line2}` : b.line1,
    houseNumberOrName: '',
    city: b.city,
    postalCode: b.postalCode,
    country: b.country.toUpperCase(),
    ...(b.state && b.state.length <= 3 && { stateOrProvince: b.state }),
  };
}

/**
 * Build the `POST /payments` body for an authorization, a sale or a zero-amount verification.
 *
 * - `sale` sends `captureDelayHours: 0` (Adyen captures immediately, in the same call);
 *   `authorize` sends `additionalData.manualCapture: "true"` so the payment waits for a capture
 *   whatever the merchant account's capture delay is; `verify` sends amount 0.
 * - Stored credentials: the initial payment of a subscription is `shopperInteraction: Ecommerce`
 *   with `recurringProcessingModel: Subscription` (or `UnscheduledCardOnFile`),
 *   `storePaymentMethod: true` and a `shopperReference`; a rebill is `ContAuth` with the same
 *   model, paying with the stored `storedPaymentMethodId` when the pin has a token, else with
 *   the card and the scheme's `networkPaymentReference` (no CVC on merchant-initiated payments).
 * - Completed 3-D Secure from your own MPI goes in `mpiData`.
 *
 * Throws `AdyenInputError` naming the field for input it cannot send.
 */
export function buildPaymentRequest(
  req: GatewayPaymentRequest,
  mode: AdyenPaymentMode,
  settings: AdyenPaymentSettings,
): AdyenPaymentRequest {
  if (typeof req.reference !== 'string' || req.reference.length === 0 || req.reference.length > 64) {
    throw new AdyenInputError('reference', 'must be 1 to 64 characters (it is also the Idempotency-Key)');
  }
  if (mode !== 'verify' && !(Number.isSafeInteger(req.amount) && req.amount > 0))
    throw new AdyenInputError('amount', 'must be a positive integer of minor units');
  const sc = req.storedCredential;
  const body: AdyenPaymentRequest = {
    merchantAccount: settings.merchantAccount,
    reference: req.reference,
    amount: toAdyenAmount(mode === 'verify' ? 0 : req.amount, req.currency),
    paymentMethod: { type: 'scheme' },
    returnUrl: settings.returnUrl,
    merchantOrderReference: req.transactionId,
    shopperInteraction: sc?.type === 'subsequent' ? 'ContAuth' : 'Ecommerce',
  };

  if (sc?.type === 'subsequent') {
    body.recurringProcessingModel = recurringModel(sc);
    if (sc.gatewayToken) {
      const token = decodeAdyenToken(sc.gatewayToken);
      body.paymentMethod = { type: 'scheme', storedPaymentMethodId: token.storedPaymentMethodId };
      body.shopperReference = token.shopperReference;
    } else {
      if (!req.card?.number) throw new AdyenInputError('card', 'a rebill without an Adyen token needs the card');
      body.paymentMethod = {
        ...cardFields(req, false),
        ...(sc.networkTransactionId && { networkPaymentReference: sc.networkTransactionId }),
      };
    }
  } else {
    body.paymentMethod = cardFields(req, true);
    if (sc?.type === 'initial') {
      body.recurringProcessingModel = recurringModel(sc);
      if (sc.storeCard !== false) {
        body.storePaymentMethod = true;
        body.shopperReference = shopperReferenceFor(req);
      }
    }
    const mpi = mpiData(req);
    if (mpi) body.mpiData = mpi;
  }

  if (mode === 'sale') body.captureDelayHours = 0;
  if (mode === 'authorize') body.additionalData = { manualCapture: 'true' };

  const c = req.customer;
  if (c?.email) body.shopperEmail = c.email;
  if (c?.ip) body.shopperIP = c.ip;
  const country = c?.country ?? req.billing?.country;
  if (country) body.countryCode = country.toUpperCase();
  const billing = billingAddress(req);
  if (billing) body.billingAddress = billing;
  if (req.merchant.descriptor) body.shopperStatement = req.merchant.descriptor;
  const md = metadata(req.metadata);
  if (md) body.metadata = md;
  return body;
}

/** Build the body of a capture, cancel (void) or refund of the payment `req.gatewayTransactionId`. */
export function buildModificationRequest(
  op: 'capture' | 'void' | 'refund',
  req: GatewayFollowUpRequest,
  merchantAccount: string,
): AdyenModificationRequest {
  if (!req.gatewayTransactionId) throw new AdyenInputError('gatewayTransactionId', 'the pspReference of the payment is required');
  if (typeof req.reference !== 'string' || req.reference.length === 0 || req.reference.length > 64) {
    throw new AdyenInputError('reference', 'must be 1 to 64 characters (it is also the Idempotency-Key)');
  }
  const body: AdyenModificationRequest = { merchantAccount, reference: req.reference };
  if (op !== 'void') {
    if (!(Number.isSafeInteger(req.amount) && req.amount > 0))
      throw new AdyenInputError('amount', 'must be a positive integer of minor units');
    body.amount = toAdyenAmount(req.amount, req.currency);
  }
  return body;
}

/** Path of a modification on a payment. */
export function modificationPath(op: 'capture' | 'void' | 'refund', pspReference: string): string {
  const action = op === 'capture' ? 'captures' : op === 'void' ? 'cancels' : 'refunds';
  return `/payments/${encodeURIComponent(pspReference)}/${action}`;
}

// ---------------------------------------------------------------------------------------------
// Responses

/** The fields of Adyen's `PaymentResponse` this adapter reads. */
export interface AdyenPaymentResponse {
  resultCode?: string;
  pspReference?: string;
  merchantReference?: string;
  refusalReason?: string;
  refusalReasonCode?: string;
  amount?: AdyenAmount;
  additionalData?: Record<string, string>;
  action?: { type?: string; url?: string; method?: string; data?: Record<string, string>; [k: string]: unknown };
}

/** Adyen's `ServiceError`, the body of every non-2xx answer. */
export interface AdyenServiceError {
  status?: number;
  errorCode?: string;
  message?: string;
  errorType?: string;
  pspReference?: string;
}

/** The answer to a capture, cancel or refund. */
export interface AdyenModificationResponse {
  status?: string;
  pspReference?: string;
  paymentPspReference?: string;
  reference?: string;
  merchantAccount?: string;
  amount?: AdyenAmount;
}

/** What the adapter sent that parsing needs back. */
export interface AdyenPaymentContext {
  /** The amount we asked for, in our minor units. */
  amount: number;
  /** The `shopperReference` we stored the card under, on an initial payment. */
  shopperReference?: string;
}

/** Mastercard Merchant Advice Code from `additionalData.merchantAdviceCode` (`03`, `03: Do not try again`…). */
export function merchantAdvice(raw: string | undefined): string | undefined {
  const m = /^\s*(\d{1,2})\b/.exec(raw ?? '');
  return m ? m[1].padStart(2, '0') : undefined;
}

/**
 * The decline message: Adyen's `refusalReason`, with the raw acquirer response when Adyen sends
 * one (`Refused (raw: 05 : Do not honor)`), so the ISO code can be read from it.
 */
export function declineMessage(body: AdyenPaymentResponse): string {
  const reason = body.refusalReason ?? body.resultCode ?? 'Refused';
  const raw = body.additionalData?.refusalReasonRaw;
  return redact(raw && raw !== reason ? `${reason} (raw: ${raw})` : reason);
}

const ACTION_RESULTS = new Set(['RedirectShopper', 'IdentifyShopper', 'ChallengeShopper', 'PresentToShopper']);

/**
 * Map a `200` answer of `POST /payments` to a gateway result.
 *
 * - `Authorised` → approved, with `networkTxReference` as the network transaction id and, on an
 *   initial payment, the stored payment method as the gateway token; `PartiallyAuthorised` →
 *   approved with `approvedAmount`.
 * - `Refused`, `Cancelled` and `Error` → declined with `refusalReasonCode`, the refusal reason
 *   (and raw acquirer response) and the Mastercard advice code. Adyen says `Error` when the
 *   acquirer failed; it charged nothing, so the router may cascade on it.
 * - `RedirectShopper`, `IdentifyShopper`, `ChallengeShopper` → requires_action with Adyen's
 *   `action` (a redirect, or `sdk` data for Adyen's 3DS2 component).
 * - `Pending` and `Received` → an ambiguous error: the outcome arrives by webhook.
 */
export function parsePaymentResponse(body: AdyenPaymentResponse, ctx: AdyenPaymentContext): GatewayResult {
  const ad = body.additionalData ?? {};
  const psp = body.pspReference;
  switch (body.resultCode) {
    case 'Authorised':
    case 'PartiallyAuthorised': {
      if (!psp) return { status: 'error', ambiguous: true, message: `Adyen answered ${body.resultCode} without a pspReference` };
      const storedId = ad['tokenization.storedPaymentMethodId'] ?? ad['recurring.recurringDetailReference'];
      const shopperRef = ad['tokenization.shopperReference'] ?? ad['recurring.shopperReference'] ?? ctx.shopperReference;
      const approved = body.amount ? fromAdyenAmount(body.amount) : undefined;
      return {
        status: 'approved',
        gatewayTransactionId: psp,
        ...(ad.authCode && { authCode: ad.authCode }),
        ...(ad.networkTxReference && { networkTransactionId: ad.networkTxReference }),
        ...(storedId &&
          shopperRef && { gatewayToken: encodeAdyenToken({ storedPaymentMethodId: storedId, shopperReference: shopperRef }) }),
        ...(approved !== undefined && approved !== ctx.amount && { approvedAmount: approved }),
        ...((ad.avsResultRaw ?? ad.avsResult) && { avsResult: ad.avsResultRaw ?? ad.avsResult }),
        ...((ad.cvcResultRaw ?? ad.cvcResult) && { cvvResult: ad.cvcResultRaw ?? ad.cvcResult }),
      };
    }
    case 'Refused':
    case 'Cancelled':
    case 'Error': {
      const code = body.refusalReasonCode && body.refusalReasonCode !== '0' ? body.refusalReasonCode : undefined;
      const advice = merchantAdvice(ad.merchantAdviceCode);
      // The checks refine an unspecific refusal (`2 Refused` with `cvcResult: "2 Does not match"`).
      const cvv = ad.cvcResultRaw ?? ad.cvcResult;
      const avs = ad.avsResultRaw ?? ad.avsResult;
      return {
        status: 'declined',
        ...(code && { code }),
        message: declineMessage(body),
        ...(advice && { advice }),
        ...(psp && { gatewayTransactionId: psp }),
        ...(cvv && { cvvResult: cvv }),
        ...(avs && { avsResult: avs }),
      };
    }
    case 'Pending':
    case 'Received':
      return {
        status: 'error',
        ambiguous: true,
        code: body.resultCode,
        message: `Adyen answered ${body.resultCode}: the final outcome of ${psp ?? 'the payment'} arrives by webhook`,
      };
    default:
      if (body.resultCode && ACTION_RESULTS.has(body.resultCode) && body.action) {
        const a = body.action;
        const action: RequiredAction =
          a.type === 'redirect' && a.url
            ? {
                type: 'redirect',
                url: a.url,
                method: a.method === 'POST' ? 'POST' : 'GET',
                ...(a.data && { data: a.data }),
              }
            : { type: 'sdk', gateway: 'adyen', data: { ...a } };
        return { status: 'requires_action', action, ...(psp && { gatewayTransactionId: psp }) };
      }
      return {
        status: 'error',
        ambiguous: body.resultCode === undefined,
        code: body.resultCode,
        message: `Adyen answered an unexpected resultCode ${body.resultCode ?? '(none)'}${body.action ? '' : ' without an action'}`,
      };
  }
}

/**
 * Map a `201` answer of a capture, cancel or refund. Adyen only acknowledges modifications
 * (`status: "received"`): the outcome (e.g. a refund the acquirer rejects) arrives later by the
 * CAPTURE / CANCELLATION / REFUND webhook. So "approved" here means "accepted by Adyen for
 * processing" and is marked `pending`: the router records it pending until the webhook
 * settles it. `gatewayTransactionId` is the modification's own pspReference.
 */
export function parseModificationResponse(body: AdyenModificationResponse): GatewayResult {
  if (body.status === 'received' && body.pspReference)
    return { status: 'approved', gatewayTransactionId: body.pspReference, pending: true };
  return { status: 'error', ambiguous: true, message: `Adyen answered a modification with status ${body.status ?? '(none)'}` };
}

/**
 * Map a non-2xx answer to `POST /payments`: a 422 validation error about the card data (101
 * "Invalid card number", 103 "CVC is not the right length", an expiry in the past…; see
 * `ADYEN_CARD_DATA_ERROR_CODES`) is a decline of the card, with Adyen's `errorCode` as the code,
 * so the router gives the checkout a reason and does not send the same bad card to the next MID.
 * Every other answer is `parseErrorResponse`'s error.
 */
export function parsePaymentErrorResponse(httpStatus: number, body: unknown): GatewayDeclined | GatewayError {
  const e: AdyenServiceError = body && typeof body === 'object' ? (body as AdyenServiceError) : {};
  if (httpStatus === 422 && e.errorType === 'validation' && e.errorCode && ADYEN_CARD_DATA_ERROR_CODES.has(e.errorCode)) {
    return {
      status: 'declined',
      code: e.errorCode,
      message: redact(e.message ?? `Adyen refused the card data (${e.errorCode})`),
    };
  }
  return parseErrorResponse(httpStatus, body);
}

/**
 * Map a non-2xx answer (an Adyen `ServiceError`) to an error.
 *
 * - 401/403 and `errorType: security` → the MID's credentials or merchant account are wrong
 *   (`merchantError`).
 * - 422 with errorCode 704 ("request already processed or in progress") → ambiguous: a request
 *   with the same Idempotency-Key is still being processed and may charge.
 * - other 4xx → a clear, non-ambiguous error (Adyen refused the request before processing).
 * - 5xx → ambiguous, unless Adyen's body says it refused the request for `validation` or
 *   `configuration` (e.g. 905 "Payment details are not supported"), which it did not process.
 */
export function parseErrorResponse(httpStatus: number, body: unknown): GatewayError {
  const e: AdyenServiceError = body && typeof body === 'object' ? (body as AdyenServiceError) : {};
  const detail = `${e.errorCode ? ` ${e.errorCode}` : ''}${e.message ? `: ${e.message}` : ''}`;
  const message = redact(`Adyen answered HTTP ${httpStatus}${detail}`);
  const code = e.errorCode;
  const base = { status: 'error' as const, httpStatus, message, ...(code && { code }) };
  if (httpStatus === 401 || httpStatus === 403 || e.errorType === 'security') {
    return {
      ...base,
      ambiguous: false,
      merchantError: true,
      message: redact(`Adyen refused the API key or merchant account (HTTP ${httpStatus}${detail})`),
    };
  }
  if (httpStatus === 422 && code === '704') return { ...base, ambiguous: true };
  if (httpStatus < 500) return { ...base, ambiguous: false, ...(e.errorType === 'configuration' && { merchantError: true }) };
  if (e.errorType === 'validation' || e.errorType === 'configuration')
    return { ...base, ambiguous: false, ...(e.errorType === 'configuration' && { merchantError: true }) };
  return { ...base, ambiguous: true };
}
