/**
 * Authorize.Net JSON API wire format: request bodies and response parsing, as pure functions.
 *
 * The JSON API mirrors the XSD (`AnetApiSchema.xsd`) and refuses keys out of the XSD's sequence
 * order, so every object here is built literally in that order (JavaScript keeps the insertion
 * order of string keys). Responses start with a UTF-8 byte-order mark and carry every value as a
 * string; `parseBody` strips the mark before `JSON.parse`.
 * @module
 */
import type {
  GatewayApproved,
  GatewayError,
  GatewayFollowUpRequest,
  GatewayLookupResult,
  GatewayPaymentRequest,
  GatewayResult,
} from '../../src/adapter';
import { redact } from '../../src/card/redact';
import { isCurrency, isPositiveAmount, toDecimalString, fromDecimalString } from '../../src/money';

/** API credentials of one Authorize.Net merchant account. */
export interface AuthorizeNetCredentials {
  /** API Login ID (at most 25 characters). */
  apiLoginId: string;
  /** Transaction Key (at most 16 characters). */
  transactionKey: string;
}

/** A request the adapter cannot send as given; `field` names the request field at fault. */
export class AuthorizeNetRequestError extends Error {
  override readonly name = 'AuthorizeNetRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** Response reason codes that blame our credentials or the MID's processor setup, not the card. */
const MERCHANT_ERROR_CODES = new Set(['13', '24', '29', '30', '31', '34', '35', '38', '43', '170', '171', '172', '173']);
/** Response reason codes for a malformed request or a missing field (not about the card). */
const REQUEST_ERROR_CODES = new Set([
  '15',
  '16',
  '33',
  '68',
  '69',
  '70',
  '71',
  '72',
  '73',
  '74',
  '75',
  '76',
  '77',
  '79',
  '80',
  '81',
  '82',
  '83',
  '91',
  '92',
  '97',
  '98',
  '99',
  '102',
  '103',
  '119',
]);
/** Top-level API result codes that mean the credentials were refused. */
const AUTH_FAILURE_MESSAGES = new Set(['E00007', 'E00008', 'E00011']);
/** A transaction id Authorize.Net uses for "none". */
const NO_TRANSACTION = '0';

type Json = Record<string, unknown>;

const auth = (c: AuthorizeNetCredentials) => ({ name: c.apiLoginId, transactionKey: c.transactionKey });
const clip = (s: string | undefined, max: number) => (s ? s.slice(0, max) : undefined);
/** Drop undefined values so that absent optional elements are not serialised. */
const compact = <T extends Json>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function amountOf(amount: number, currency: string, field = 'amount'): string {
  if (!isCurrency(currency)) throw new AuthorizeNetRequestError('currency', `${JSON.stringify(currency)} is not an ISO 4217 currency code`);
  if (!isPositiveAmount(amount)) throw new AuthorizeNetRequestError(field, 'must be a positive integer of minor units');
  return toDecimalString(amount, currency);
}

function reference(ref: unknown): string {
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > 20) {
    throw new AuthorizeNetRequestError('reference', 'must be 1–20 characters (Authorize.Net refId and invoiceNumber)');
  }
  return ref;
}

/**
 * A customer payment profile kept by a pin: `<customerProfileId>:<customerPaymentProfileId>`.
 * @example
 * formatProfileToken({ customerProfileId: '1929820324', paymentProfileId: '1841987457' }) // '1929820324:1841987457'
 */
export function formatProfileToken(t: { customerProfileId: string; paymentProfileId: string }): string {
  return `${t.customerProfileId}:${t.paymentProfileId}`;
}

/** Parse a token written by `formatProfileToken`; undefined when it is not one. */
export function parseProfileToken(token: string | undefined): { customerProfileId: string; paymentProfileId: string } | undefined {
  const m = token === undefined ? null : /^(\d{1,20}):(\d{1,20})$/.exec(token);
  return m ? { customerProfileId: m[1], paymentProfileId: m[2] } : undefined;
}

/**
 * `creditCard` element (XSD order: number, expiry as YYYY-MM, card code, then the payment-token
 * fields): a card number with its code, or a network / wallet token with `isPaymentToken`, its
 * `cryptogram` and its ECI as `tokenRequestorEci`.
 */
function creditCard(req: GatewayPaymentRequest) {
  const card = req.card;
  const token = card?.networkToken !== undefined;
  const field = token ? 'card.networkToken' : 'card.number';
  const digits = (card?.number ?? card?.networkToken)?.replace(/[\s-]/g, '');
  if (!card || !digits)
    throw new AuthorizeNetRequestError(
      'card.number',
      'is required: without the card, a rebill needs a customer payment profile (the customerProfiles option, on the initial sale)',
    );
  if (!/^\d{12,16}$/.test(digits)) throw new AuthorizeNetRequestError(field, 'must be 12–16 digits for Authorize.Net');
  if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12)
    throw new AuthorizeNetRequestError('card.expMonth', 'must be 1–12');
  if (!Number.isInteger(card.expYear) || card.expYear < 2000 || card.expYear > 2099)
    throw new AuthorizeNetRequestError('card.expYear', 'must be a four-digit year');
  if (card.cvc !== undefined && !/^\d{3,4}$/.test(card.cvc)) throw new AuthorizeNetRequestError('card.cvc', 'must be 3 or 4 digits');
  return compact({
    cardNumber: digits,
    expirationDate: `${card.expYear}-${String(card.expMonth).padStart(2, '0')}`,
    cardCode: card.cvc,
    isPaymentToken: token ? 'true' : undefined,
    cryptogram: card.cryptogram,
    tokenRequestorEci: card.eci,
  });
}

/** Options of the payment builder that come from the adapter's configuration. */
export interface AuthorizeNetBuildOptions {
  /** Create a customer payment profile from the initial transaction of a subscription. */
  customerProfiles?: boolean | undefined;
}

/**
 * How the payment is paid: the card (`payment.creditCard`, with `profile.createProfile` on the
 * initial transaction of a subscription when profiles are on), or, on a rebill without the card,
 * the pin's customer payment profile (`profile`, no card data at all).
 */
function paymentSource(req: GatewayPaymentRequest, options: AuthorizeNetBuildOptions) {
  const sc = req.storedCredential;
  const saved = sc?.type === 'subsequent' && !req.card ? parseProfileToken(sc.gatewayToken) : undefined;
  if (saved) {
    return {
      payment: undefined,
      profile: { customerProfileId: saved.customerProfileId, paymentProfile: { paymentProfileId: saved.paymentProfileId } },
      charged: true,
    };
  }
  const createProfile = options.customerProfiles === true && sc?.type === 'initial' && sc.storeCard !== false;
  return { payment: { creditCard: creditCard(req) }, ...(createProfile && { profile: { createProfile: 'true' } }), charged: false };
}

function billTo(req: GatewayPaymentRequest) {
  const b = req.billing;
  const name = req.card?.holderName?.trim().split(/\s+/) ?? [];
  const lastName = name.length > 1 ? name.pop() : undefined;
  const firstName = name.join(' ') || undefined;
  if (!b && !firstName) return undefined;
  return compact({
    firstName: clip(firstName, 50),
    lastName: clip(lastName, 50),
    address: clip([b?.line1, b?.line2].filter(Boolean).join(', ') || undefined, 60),
    city: clip(b?.city, 40),
    state: clip(b?.state, 40),
    zip: clip(b?.postalCode, 20),
    country: clip(b?.country, 60),
    email: clip(req.customer?.email, 255),
  });
}

/**
 * Stored-credential framing (Authorize.Net "credential on file" fields):
 * - initial recurring: `processingOptions.isFirstRecurringPayment`; initial unscheduled:
 *   `isFirstSubsequentAuth` (a customer-initiated first use of a card that will be stored);
 * - subsequent (merchant-initiated): `isSubsequentAuth` + `isStoredCredentials`, and
 *   `subsequentAuthInformation.originalNetworkTransId` from the initial transaction. Its
 *   `reason` enumeration (resubmission, delayedCharge, reauthorization, noShow) has no value
 *   for recurring or unscheduled charges, so it is left out; recurring rebills also carry the
 *   `recurringBilling` transaction setting.
 */
function storedCredential(req: GatewayPaymentRequest) {
  const sc = req.storedCredential;
  if (!sc) return {};
  if (sc.type === 'initial') {
    return { processingOptions: sc.reason === 'recurring' ? { isFirstRecurringPayment: 'true' } : { isFirstSubsequentAuth: 'true' } };
  }
  const ntid = sc.networkTransactionId?.trim();
  if (ntid !== undefined && !/^[0-9a-zA-Z\s]{1,255}$/.test(ntid)) {
    throw new AuthorizeNetRequestError('storedCredential.networkTransactionId', 'must be 1–255 letters, digits or spaces');
  }
  return {
    transactionSettings: sc.reason === 'recurring' ? { setting: [{ settingName: 'recurringBilling', settingValue: 'true' }] } : undefined,
    processingOptions: { isSubsequentAuth: 'true', isStoredCredentials: 'true' },
    subsequentAuthInformation: ntid ? { originalNetworkTransId: ntid } : undefined,
  };
}

/**
 * `createTransactionRequest` for an authorization (`authOnlyTransaction`) or a sale
 * (`authCaptureTransaction`). Throws `AuthorizeNetRequestError` naming the field on bad input.
 * @example
 * paymentRequest('sale', req, { apiLoginId: 'x', transactionKey: 'y' }).createTransactionRequest.transactionRequest.amount // '19.99'
 */
export function paymentRequest(
  kind: 'authorize' | 'sale',
  req: GatewayPaymentRequest,
  credentials: AuthorizeNetCredentials,
  options: AuthorizeNetBuildOptions = {},
) {
  const ref = reference(req.reference);
  const amount = amountOf(req.amount, req.currency);
  const sc = storedCredential(req);
  const tds = req.threeDS;
  if (tds && (tds.eci || tds.cavv) && !(tds.eci && tds.cavv)) throw new AuthorizeNetRequestError('threeDS', 'needs both eci and cavv');
  const source = paymentSource(req, options);
  // A new customer profile needs an id, an email or a description: our reference stands in for a missing id.
  const customerId =
    req.customer?.id && req.customer.id.length <= 20 ? req.customer.id : source.profile && !source.charged ? ref : undefined;
  return {
    createTransactionRequest: {
      merchantAuthentication: auth(credentials),
      refId: ref,
      transactionRequest: compact({
        transactionType: kind === 'sale' ? 'authCaptureTransaction' : 'authOnlyTransaction',
        amount,
        currencyCode: req.currency,
        payment: source.payment,
        profile: source.profile,
        order: { invoiceNumber: ref },
        // A profile charge takes the customer and the address from the profile.
        customer:
          !source.charged && (customerId || req.customer?.email)
            ? compact({ id: customerId, email: clip(req.customer?.email, 255) })
            : undefined,
        billTo: source.charged ? undefined : billTo(req),
        customerIP: clip(req.customer?.ip, 45),
        cardholderAuthentication:
          tds?.eci && tds.cavv ? { authenticationIndicator: tds.eci, cardholderAuthenticationValue: tds.cavv } : undefined,
        transactionSettings: sc.transactionSettings,
        merchantDescriptor: req.merchant.descriptor,
        processingOptions: sc.processingOptions,
        subsequentAuthInformation: sc.subsequentAuthInformation,
      }),
    },
  };
}

function transId(id: unknown): string {
  if (typeof id !== 'string' || !/^\d+$/.test(id))
    throw new AuthorizeNetRequestError('gatewayTransactionId', 'must be an Authorize.Net transaction id (digits)');
  return id;
}

/** `priorAuthCaptureTransaction` for the whole or part of an authorization. */
export function captureRequest(req: GatewayFollowUpRequest, credentials: AuthorizeNetCredentials) {
  return {
    createTransactionRequest: {
      merchantAuthentication: auth(credentials),
      refId: reference(req.reference),
      transactionRequest: {
        transactionType: 'priorAuthCaptureTransaction',
        amount: amountOf(req.amount, req.currency),
        refTransId: transId(req.gatewayTransactionId),
      },
    },
  };
}

/** `voidTransaction` of an unsettled authorization or sale. */
export function voidRequest(req: GatewayFollowUpRequest, credentials: AuthorizeNetCredentials) {
  return {
    createTransactionRequest: {
      merchantAuthentication: auth(credentials),
      refId: reference(req.reference),
      transactionRequest: { transactionType: 'voidTransaction', refTransId: transId(req.gatewayTransactionId) },
    },
  };
}

/**
 * `refundTransaction` of a settled sale: Authorize.Net wants the card's last four digits and
 * `XXXX` as the expiry, with the original transaction id.
 */
export function refundRequest(req: GatewayFollowUpRequest, credentials: AuthorizeNetCredentials) {
  const last4 = req.card?.last4;
  if (!last4 || !/^\d{4}$/.test(last4))
    throw new AuthorizeNetRequestError('card.last4', 'Authorize.Net refunds need the last four digits of the card');
  const ref = reference(req.reference);
  return {
    createTransactionRequest: {
      merchantAuthentication: auth(credentials),
      refId: ref,
      transactionRequest: {
        transactionType: 'refundTransaction',
        amount: amountOf(req.amount, req.currency),
        currencyCode: req.currency,
        payment: { creditCard: { cardNumber: last4, expirationDate: 'XXXX' } },
        refTransId: transId(req.gatewayTransactionId),
        order: { invoiceNumber: ref },
      },
    },
  };
}

/** `getTransactionDetailsRequest` for one transaction id. */
export function detailsRequest(id: string, credentials: AuthorizeNetCredentials) {
  return { getTransactionDetailsRequest: { merchantAuthentication: auth(credentials), transId: transId(id) } };
}

/** `getUnsettledTransactionListRequest`: the newest 1,000 unsettled transactions, newest first. */
export function unsettledListRequest(credentials: AuthorizeNetCredentials) {
  return {
    getUnsettledTransactionListRequest: {
      merchantAuthentication: auth(credentials),
      sorting: { orderBy: 'submitTimeUTC', orderDescending: 'true' },
      paging: { limit: '1000', offset: '1' },
    },
  };
}

/**
 * Parse a response body: strip the UTF-8 byte-order mark Authorize.Net puts first, then JSON.
 * Throws on anything that is not a JSON object.
 * @example
 * parseBody('\uFEFF{"messages":{"resultCode":"Ok","message":[]}}').messages
 */
export function parseBody(text: unknown): Json {
  const s = Buffer.isBuffer(text) ? text.toString('utf8') : String(text);
  const value: unknown = JSON.parse(s.replace(/^\uFEFF/, ''));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SyntaxError('not a JSON object');
  return value as Json;
}

interface ApiMessages {
  resultCode?: string;
  message?: Array<{ code?: string; text?: string }>;
}
interface TransactionResponse {
  responseCode?: string;
  authCode?: string;
  avsResultCode?: string;
  cvvResultCode?: string;
  transId?: string;
  refTransID?: string;
  accountNumber?: string;
  prePaidCard?: { requestedAmount?: string; approvedAmount?: string };
  messages?: Array<{ code?: string; description?: string }>;
  errors?: Array<{ errorCode?: string; errorText?: string }>;
  networkTransId?: string;
}

const nonEmpty = (s: unknown) => (typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined);
const asArray = <T>(v: T[] | T | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A top-level API error (no transaction was attempted): credentials, schema, system. */
function apiError(messages: ApiMessages | undefined, httpStatus: number): GatewayError {
  const first = asArray(messages?.message)[0];
  const code = nonEmpty(first?.code);
  const text = nonEmpty(first?.text) ?? 'no message';
  if (code && AUTH_FAILURE_MESSAGES.has(code)) {
    return {
      status: 'error',
      ambiguous: false,
      merchantError: true,
      code,
      httpStatus,
      message: redact(`Authorize.Net refused the API credentials (${code}: ${text})`),
    };
  }
  // E00001 is an unexpected system error: whether the transaction ran is unknown.
  return {
    status: 'error',
    ambiguous: code === 'E00001',
    code,
    httpStatus,
    message: redact(`Authorize.Net error ${code ?? '(no code)'}: ${text}`),
  };
}

/**
 * The customer payment profile a `createProfile` transaction made (`profileResponse`), as a pin's
 * token. A profile that was not made (E00039 a duplicate profile exists, or any error) gives no
 * token: the sale stands, and the subscription needs the card again for its rebills.
 */
export function profileTokenOf(profileResponse: unknown): string | undefined {
  if (!profileResponse || typeof profileResponse !== 'object') return undefined;
  const p = profileResponse as { messages?: ApiMessages; customerProfileId?: unknown; customerPaymentProfileIdList?: unknown };
  if (p.messages?.resultCode !== 'Ok') return undefined;
  const list = p.customerPaymentProfileIdList;
  const ids = Array.isArray(list) ? list : asArray((list as { numericString?: unknown[] } | undefined)?.numericString);
  const customerProfileId = nonEmpty(p.customerProfileId);
  const paymentProfileId = nonEmpty(ids[0]);
  if (!customerProfileId || !paymentProfileId || !/^\d+$/.test(customerProfileId) || !/^\d+$/.test(paymentProfileId)) return undefined;
  return formatProfileToken({ customerProfileId, paymentProfileId });
}

/** Reason code of a `priorAuthCaptureTransaction` on an authorization that was already captured. */
const ALREADY_CAPTURED = '311';

/** `transactionStatus` of a transaction the fraud filters hold for the merchant's review (responseCode 4). */
const HELD_FOR_REVIEW_STATUSES = new Set(['FDSPendingReview', 'FDSAuthorizedPendingReview']);

/**
 * Map a `createTransactionResponse` to what the adapter reports.
 * - responseCode 1: approved (with `networkTransId`, AVS and CVV results; `approvedAmount` on a
 *   partial approval of a prepaid card). A capture answered 311 "This transaction has already
 *   been captured" is approved too: see below;
 * - 2: declined with the response reason code, and the AVS/CVV results (they name an otherwise
 *   unspecific reason 2 decline);
 * - 3: declined when the reason is about the card or the transaction (invalid number, expired,
 *   duplicate…), `error` with `merchantError` for credentials or processor setup, `error` for a
 *   malformed request;
 * - 4: held for review by the fraud filters: approved with `heldForReview: true`. The issuer
 *   authorized it but the merchant's review decides whether it goes through: not final, never a
 *   decline (a cascade would charge twice), never an unknown outcome either.
 * `originalTransactionId` is the authorization a follow-up refers to.
 */
export function toResult(body: Json, currency: string, httpStatus = 200, originalTransactionId?: string): GatewayResult {
  const tr = body.transactionResponse as TransactionResponse | undefined;
  if (!tr || !nonEmpty(tr.responseCode)) return apiError(body.messages as ApiMessages | undefined, httpStatus);
  const id = nonEmpty(tr.transId) && tr.transId !== NO_TRANSACTION ? tr.transId!.trim() : undefined;
  const error = asArray(tr.errors)[0];
  const code = nonEmpty(error?.errorCode) ?? nonEmpty(asArray(tr.messages)[0]?.code);
  const text = nonEmpty(error?.errorText) ?? nonEmpty(asArray(tr.messages)[0]?.description);
  const message = text === undefined ? undefined : redact(text);
  const checks = { avsResult: nonEmpty(tr.avsResultCode), cvvResult: nonEmpty(tr.cvvResultCode) };
  switch (tr.responseCode!.trim()) {
    case '1': {
      if (code === ALREADY_CAPTURED) {
        // A second priorAuthCapture of one authorization is answered responseCode 1 + 311 (as
        // recorded in ActiveMerchant's authorize_net_test.rb). Authorize.Net takes one capture per
        // authorization, so this confirms the capture already made — ours, resent after a lost
        // answer: it is that capture, approved on the authorization's transaction id.
        const confirmed = id ?? nonEmpty(tr.refTransID) ?? originalTransactionId;
        if (confirmed) return compact({ status: 'approved' as const, gatewayTransactionId: confirmed, authCode: nonEmpty(tr.authCode) });
      }
      if (!id) return { status: 'error', ambiguous: true, httpStatus, message: 'Authorize.Net approved without a transaction id' };
      const approved: GatewayApproved = compact({
        status: 'approved' as const,
        gatewayTransactionId: id,
        authCode: nonEmpty(tr.authCode),
        networkTransactionId: nonEmpty(tr.networkTransId),
        gatewayToken: profileTokenOf(body.profileResponse),
        avsResult: nonEmpty(tr.avsResultCode),
        cvvResult: nonEmpty(tr.cvvResultCode),
      });
      const requested = nonEmpty(tr.prePaidCard?.requestedAmount);
      const granted = nonEmpty(tr.prePaidCard?.approvedAmount);
      if (requested && granted && requested !== granted) approved.approvedAmount = fromDecimalString(granted, currency);
      return approved;
    }
    case '2':
      return compact({ status: 'declined' as const, code, message, gatewayTransactionId: id, ...checks });
    case '3':
      if (code && MERCHANT_ERROR_CODES.has(code)) {
        return {
          status: 'error',
          ambiguous: false,
          merchantError: true,
          code,
          httpStatus,
          message: `Authorize.Net refused the merchant account setup (reason ${code}: ${message ?? 'no message'})`,
        };
      }
      if (code && REQUEST_ERROR_CODES.has(code)) {
        return {
          status: 'error',
          ambiguous: false,
          code,
          httpStatus,
          message: `Authorize.Net rejected the request (reason ${code}: ${message ?? 'no message'})`,
        };
      }
      return compact({ status: 'declined' as const, code, message, gatewayTransactionId: id, ...checks });
    case '4':
      if (!id)
        return { status: 'error', ambiguous: true, code, httpStatus, message: 'Authorize.Net held a transaction for review without an id' };
      // Held by the merchant's fraud filters (reason 252/253): approve or decline it in the Merchant Interface.
      return compact({
        status: 'approved' as const,
        gatewayTransactionId: id,
        authCode: nonEmpty(tr.authCode),
        networkTransactionId: nonEmpty(tr.networkTransId),
        heldForReview: true,
        ...checks,
      });
    default:
      return {
        status: 'error',
        ambiguous: true,
        code,
        httpStatus,
        message: redact(`Authorize.Net answered an unknown responseCode ${JSON.stringify(tr.responseCode)}`),
      };
  }
}

interface TransactionDetails {
  transId?: string;
  transactionStatus?: string;
  responseCode?: string | number;
  responseReasonCode?: string | number;
  responseReasonDescription?: string;
  authCode?: string;
  AVSResponse?: string;
  cardCodeResponse?: string;
  order?: { invoiceNumber?: string };
  networkTransId?: string;
}

/**
 * Map a `getTransactionDetailsResponse` to a lookup result, checking that the transaction is the
 * one we sent under `reference` (its `order.invoiceNumber`).
 */
export function toLookupResult(body: Json, reference: string): GatewayLookupResult {
  const t = body.transaction as TransactionDetails | undefined;
  if (!t) {
    const code = nonEmpty(asArray((body.messages as ApiMessages | undefined)?.message)[0]?.code);
    // E00040: the record cannot be found.
    if (code === 'E00040') return { status: 'not_found' };
    return apiError(body.messages as ApiMessages | undefined, 200);
  }
  if (nonEmpty(t.order?.invoiceNumber) !== reference) {
    return {
      status: 'error',
      ambiguous: false,
      message: `Authorize.Net transaction ${t.transId} does not carry our reference ${reference}`,
    };
  }
  const responseCode = String(t.responseCode ?? '');
  const code = t.responseReasonCode === undefined ? undefined : String(t.responseReasonCode);
  const held = HELD_FOR_REVIEW_STATUSES.has(t.transactionStatus ?? '');
  if (responseCode === '1' || (responseCode === '4' && held)) {
    return compact({
      status: 'approved' as const,
      gatewayTransactionId: t.transId!,
      authCode: nonEmpty(t.authCode),
      networkTransactionId: nonEmpty(t.networkTransId),
      avsResult: nonEmpty(t.AVSResponse),
      cvvResult: nonEmpty(t.cardCodeResponse),
      // Authorized but held for the merchant's review: not final.
      ...(held && { heldForReview: true }),
    });
  }
  if (responseCode === '2' || responseCode === '3') {
    return compact({
      status: 'declined' as const,
      code,
      message: nonEmpty(t.responseReasonDescription),
      gatewayTransactionId: t.transId,
      avsResult: nonEmpty(t.AVSResponse),
      cvvResult: nonEmpty(t.cardCodeResponse),
    });
  }
  return {
    status: 'error',
    ambiguous: true,
    code,
    message: `Authorize.Net transaction ${t.transId} is ${t.transactionStatus ?? 'in an unknown state'}`,
  };
}

/** The transaction id of our reference in a `getUnsettledTransactionListResponse`, if listed. */
export function findInUnsettled(body: Json, reference: string): string | undefined {
  type Summary = { transId?: string; invoiceNumber?: string };
  const raw = body.transactions as Summary[] | { transaction?: Summary[] | Summary } | undefined;
  const list = Array.isArray(raw) ? raw : asArray(raw?.transaction);
  return list.find((t) => nonEmpty(t.invoiceNumber) === reference)?.transId;
}
