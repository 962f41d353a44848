/**
 * NMI Payment API ("Direct Post") wire format: the form fields we send to `/api/transact.php`,
 * the URL-encoded answer, and the Query API's XML answer — as pure conversions, no I/O.
 *
 * Reference: `test/specs/nmi-direct-post-api.md` (§2 request fields, §3 response fields,
 * §4 response codes, §6 rate limiting) and NMI's Query API page
 * (https://docs.nmi.com/reference/query-1) for `/api/query.php`.
 * @module
 */
import { XMLParser } from 'fast-xml-parser';
import type {
  GatewayFollowUpRequest,
  GatewayLookupResult,
  GatewayPaymentRequest,
  GatewayResult,
  StoredCredential,
} from '../../src/adapter';
import { redact } from '../../src/card/redact';
import { classifyDeclineMessage } from '../../src/declines/classifier';
import type { DeclineReason } from '../../src/declines/reasons';
import { fromDecimalString, isCurrency, toDecimalString } from '../../src/money';

/** Live host of the Payment API and the Query API. White-label gateways run the same API on their own hosts. */
export const NMI_LIVE_URL = 'https://secure.nmi.com';
/** Path of the Payment API. */
export const TRANSACT_PATH = '/api/transact.php';
/** Path of the Query API (reporting; XML answers). */
export const QUERY_PATH = '/api/query.php';

/** Form fields of one request, all strings, in the order they are sent. */
export type NmiFields = Record<string, string>;

/** The URL-encoded answer of `/api/transact.php` (§3); every documented key may be empty. */
export interface NmiResponse {
  response: string;
  responsetext: string;
  authcode: string;
  transactionid: string;
  avsresponse: string;
  cvvresponse: string;
  orderid: string;
  type: string;
  response_code: string;
  customer_vault_id?: string;
  merchant_advice_code?: string;
  amount_authorized?: string;
  [key: string]: string | undefined;
}

/** A request we refuse to send: the message starts with the field at fault. */
export class NmiRequestError extends Error {
  override readonly name = 'NmiRequestError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

/**
 * Amount in NMI's documented `x.xx` format, converted exactly from minor units. A currency with
 * three decimals (KWD) is sent only when its last digit is 0: NMI's format has two decimals and we
 * never round money.
 * @example
 * nmiAmount(1999, 'USD') // '19.99'
 * nmiAmount(500, 'JPY')  // '500.00'
 * nmiAmount(1250, 'KWD') // '1.25'
 */
export function nmiAmount(minor: number, currency: string, field = 'amount'): string {
  if (!isCurrency(currency)) throw new NmiRequestError('currency', `must be an ISO 4217 code, got ${JSON.stringify(currency)}`);
  if (!Number.isSafeInteger(minor) || minor < 0)
    throw new NmiRequestError(field, `must be a non-negative integer of minor units, got ${String(minor)}`);
  const exact = toDecimalString(minor, currency);
  const [whole, fraction = ''] = exact.split('.');
  if (/[1-9]/.test(fraction.slice(2))) {
    throw new NmiRequestError(
      field,
      `${exact} ${currency} needs ${fraction.length} decimals; NMI's amount format (x.xx) carries two, and Switchyard never rounds`,
    );
  }
  return `${whole}.${fraction.slice(0, 2).padEnd(2, '0')}`;
}

/**
 * Card expiry as NMI's `ccexp` (MMYY).
 * @example
 * nmiExpiry(3, 2030) // '0330'
 */
export function nmiExpiry(month: number, year: number): string {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new NmiRequestError('card.expMonth', 'must be an integer from 1 to 12');
  if (!Number.isInteger(year) || year < 2000 || year > 2199) throw new NmiRequestError('card.expYear', 'must be a four-digit year');
  return `${String(month).padStart(2, '0')}${String(year % 100).padStart(2, '0')}`;
}

/** Options of the payment builder that come from the adapter's configuration. */
export interface PaymentBuildOptions {
  /** NMI `processor_id`: which processor (MID) of the account takes the payment. */
  processorId?: string;
  /** Add the card to the Customer Vault on the initial payment of a subscription. */
  vaultOnInitial: boolean;
}

const put = (f: NmiFields, key: string, value: string | undefined) => {
  if (value !== undefined && value !== '') f[key] = value;
};

/** `cardholder_auth` from the ECI: 06/01 mean an attempt, anything else a full authentication. */
function cardholderAuth(eci: string | undefined): 'verified' | 'attempted' {
  return eci === '06' || eci === '01' ? 'attempted' : 'verified';
}

function storedCredentialFields(f: NmiFields, sc: StoredCredential, vaultOnInitial: boolean): void {
  if (sc.reason === 'recurring') f.billing_method = 'recurring';
  if (sc.type === 'initial') {
    f.initiated_by = 'customer';
    f.stored_credential_indicator = 'stored';
    if (vaultOnInitial && sc.storeCard !== false) f.customer_vault = 'add_customer';
    return;
  }
  f.initiated_by = 'merchant';
  f.stored_credential_indicator = 'used';
  // NMI's own id of the initial transaction: NMI takes no network transaction id from another acquirer.
  put(f, 'initial_transaction_id', sc.previousGatewayTransactionId);
}

/**
 * Form fields of a sale, an authorization or a zero-amount verification (`validate`), without the
 * security key. Throws `NmiRequestError` (naming the field) for data NMI cannot take.
 */
export function paymentFields(type: 'sale' | 'auth' | 'validate', req: GatewayPaymentRequest, options: PaymentBuildOptions): NmiFields {
  const f: NmiFields = { type };
  const sc = req.storedCredential;
  const merchantInitiated = sc?.type === 'subsequent';
  if (req.card?.number) {
    f.ccnumber = req.card.number.replace(/[\s-]/g, '');
    f.ccexp = nmiExpiry(req.card.expMonth, req.card.expYear);
    // A merchant-initiated charge never carries the CVC (the cardholder is not there to give it).
    if (!merchantInitiated) put(f, 'cvv', req.card.cvc);
  } else if (merchantInitiated && sc.gatewayToken) {
    f.customer_vault_id = sc.gatewayToken;
  } else {
    throw new NmiRequestError(
      'card.number',
      merchantInitiated ? 'is required: the pin holds no Customer Vault id to charge' : 'is required',
    );
  }
  if (type !== 'validate')
    f.amount = nmiAmount(req.amount, req.currency); // validate: no amount (§2)
  else nmiAmount(0, req.currency); // still checks the currency
  f.currency = req.currency;
  f.orderid = req.reference;
  put(f, 'processor_id', options.processorId);
  put(f, 'descriptor', req.merchant.descriptor);

  const name = req.card?.holderName?.trim();
  if (name) {
    const cut = name.lastIndexOf(' ');
    put(f, 'first_name', cut > 0 ? name.slice(0, cut) : name);
    put(f, 'last_name', cut > 0 ? name.slice(cut + 1) : undefined);
  }
  const b = req.billing;
  put(f, 'address1', b?.line1);
  put(f, 'address2', b?.line2);
  put(f, 'city', b?.city);
  put(f, 'state', b?.state);
  put(f, 'zip', b?.postalCode);
  put(f, 'country', b?.country ?? req.customer?.country);
  put(f, 'email', req.customer?.email);
  put(f, 'ipaddress', req.customer?.ip);

  const tds = req.threeDS;
  if (tds?.cavv && !merchantInitiated) {
    f.cardholder_auth = cardholderAuth(tds.eci);
    f.cavv = tds.cavv;
    put(f, 'xid', tds.xid);
    put(f, 'three_ds_version', tds.version);
    put(f, 'directory_server_id', tds.dsTransactionId);
  }
  if (sc) storedCredentialFields(f, sc, options.vaultOnInitial);
  return f;
}

/** Form fields of a capture (full or partial) of an authorization. */
export function captureFields(req: GatewayFollowUpRequest): NmiFields {
  return { type: 'capture', transactionid: req.gatewayTransactionId, amount: nmiAmount(req.amount, req.currency) };
}

/** Form fields of a void (before settlement). */
export function voidFields(req: GatewayFollowUpRequest): NmiFields {
  return { type: 'void', transactionid: req.gatewayTransactionId };
}

/** Form fields of a refund; the amount is always explicit, so a partial refund is never taken for a full one. */
export function refundFields(req: GatewayFollowUpRequest): NmiFields {
  return { type: 'refund', transactionid: req.gatewayTransactionId, amount: nmiAmount(req.amount, req.currency) };
}

/** Form fields of a Query API search for our reference (`order_id`). */
export function lookupFields(reference: string): NmiFields {
  return { order_id: reference };
}

/**
 * Parse the URL-encoded answer; `undefined` when it is not one (no `response` of 1, 2 or 3).
 * @example
 * parseResponse('response=1&responsetext=SUCCESS&transactionid=1&response_code=100')?.response // '1'
 */
export function parseResponse(body: unknown): NmiResponse | undefined {
  if (typeof body !== 'string') return undefined;
  const params = new URLSearchParams(body.trim());
  const response = params.get('response');
  if (response !== '1' && response !== '2' && response !== '3') return undefined;
  const out: NmiResponse = {
    response,
    responsetext: '',
    authcode: '',
    transactionid: '',
    avsresponse: '',
    cvvresponse: '',
    orderid: '',
    type: '',
    response_code: '',
  };
  for (const [k, v] of params) if (k !== 'response') out[k] = v;
  return out;
}

/** response=3 codes that are about the card or the issuer: declines, so the router does not cascade blindly. */
const ERROR_CLASS_DECLINES = new Set(['421', '430', '461']);
/** response=3 codes that mean this MID is misconfigured. */
const MERCHANT_ERROR_CODES = new Set(['410', '411']);
/** Reasons the classifier finds in a 300 text that are not about the card. */
const NOT_CARD_REASONS = new Set<DeclineReason>(['processing_error', 'invalid_merchant', 'authentication_failed', 'amount_limit_exceeded']);
const BAD_CREDENTIALS = /authentication failed|invalid (username|password|security[ _]key|api[ _]key)|security[ _]key/i;

function declined(r: NmiResponse): GatewayResult {
  return {
    status: 'declined',
    code: r.response_code || undefined,
    message: redact(r.responsetext) || undefined,
    advice: r.merchant_advice_code || undefined,
    gatewayTransactionId: r.transactionid && r.transactionid !== '0' ? r.transactionid : undefined,
    // NMI's CVV and AVS letters (`N` = no match) name an unspecific 200 "DECLINE".
    ...(r.cvvresponse && { cvvResult: r.cvvresponse }),
    ...(r.avsresponse && { avsResult: r.avsresponse }),
  };
}

function nmiError(r: NmiResponse, extra: { merchantError?: boolean; prefix: string }): GatewayResult {
  return {
    status: 'error',
    ambiguous: false,
    code: r.response_code || undefined,
    message: redact(`${extra.prefix}${r.responsetext ? `: ${r.responsetext}` : ''}`),
    ...(extra.merchantError && { merchantError: true }),
  };
}

/** An NMI rejection (response=3): error, merchant error, rate limit, or a decline when it is about the card. */
function rejection(r: NmiResponse): GatewayResult {
  const code = r.response_code;
  if (code === '301' || /rate limit/i.test(r.responsetext)) {
    return nmiError(r, { prefix: 'NMI rate limit exceeded (response_code 301): back off before sending more' });
  }
  if (BAD_CREDENTIALS.test(r.responsetext)) return nmiError(r, { merchantError: true, prefix: 'NMI refused the security key of this MID' });
  if (MERCHANT_ERROR_CODES.has(code))
    return nmiError(r, { merchantError: true, prefix: `NMI merchant configuration problem (response_code ${code})` });
  if (ERROR_CLASS_DECLINES.has(code)) return declined(r);
  if (code === '300') {
    const reason = classifyDeclineMessage(r.responsetext);
    if (reason && !NOT_CARD_REASONS.has(reason)) return declined(r);
    return nmiError(r, { prefix: 'NMI rejected the request (response_code 300)' });
  }
  return nmiError(r, { prefix: `NMI transaction error (response_code ${code || 'none'})` });
}

/** Context of the request an answer belongs to. */
export interface ResultContext {
  /** A payment (sale/auth/validate) or a follow-up. */
  kind: 'payment' | 'followup';
  currency: string;
  /** Requested amount, minor units. */
  amount: number;
  /** The request already carried a completed 3-D Secure result. */
  authenticated?: boolean;
  /** For follow-ups: the original gateway transaction id. */
  originalTransactionId?: string;
}

/**
 * Turn a parsed answer into a `GatewayResult`. An issuer's request for authentication on a payment
 * becomes `requires_action` (run NMI's 3-D Secure in the browser, then authorize again with
 * `threeDS`), never a decline — unless the payment was already authenticated.
 */
export function toGatewayResult(r: NmiResponse, ctx: ResultContext): GatewayResult {
  if (r.response === '1') {
    const id = r.transactionid && r.transactionid !== '0' ? r.transactionid : ctx.originalTransactionId;
    if (!id)
      return { status: 'error', ambiguous: true, message: 'NMI approved without a transactionid: look the order up before retrying' };
    let approvedAmount: number | undefined;
    if (r.amount_authorized) {
      try {
        const n = fromDecimalString(r.amount_authorized, ctx.currency);
        if (n !== ctx.amount) approvedAmount = n;
      } catch {
        approvedAmount = undefined;
      }
    }
    return {
      status: 'approved',
      gatewayTransactionId: id,
      authCode: r.authcode || undefined,
      gatewayToken: r.customer_vault_id || undefined,
      avsResult: r.avsresponse || undefined,
      cvvResult: r.cvvresponse || undefined,
      ...(approvedAmount !== undefined && { approvedAmount }),
    };
  }
  if (ctx.kind === 'payment' && !ctx.authenticated && classifyDeclineMessage(r.responsetext) === 'authentication_required') {
    return {
      status: 'requires_action',
      action: { type: 'sdk', gateway: 'nmi', data: { gateway: 'nmi', threeDS: 'required', message: redact(r.responsetext) } },
      gatewayTransactionId: r.transactionid && r.transactionid !== '0' ? r.transactionid : undefined,
    };
  }
  return r.response === '2' ? declined(r) : rejection(r);
}

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'transaction' || name === 'action' });

interface QueryAction {
  amount?: string;
  action_type?: string;
  success?: string;
  response_text?: string;
  response_code?: string;
}
interface QueryTransaction {
  transaction_id?: string;
  order_id?: string;
  condition?: string;
  authorization_code?: string;
  currency?: string;
  action?: QueryAction[];
}

const PAYMENT_ACTIONS = new Set(['sale', 'auth', 'validate']);

/**
 * Read a Query API answer for our reference: the payment approved, declined, or not there.
 * Only a transaction whose `order_id` equals the reference counts.
 */
export function parseLookup(body: unknown, reference: string): GatewayLookupResult {
  if (typeof body !== 'string' || !body.includes('<nm_response')) {
    return { status: 'error', ambiguous: false, message: 'NMI Query API answered something that is not an nm_response document' };
  }
  let doc: { nm_response?: { transaction?: QueryTransaction[]; error_response?: string } | string };
  try {
    doc = xml.parse(body);
  } catch {
    return { status: 'error', ambiguous: false, message: 'NMI Query API answered malformed XML' };
  }
  const root = typeof doc.nm_response === 'object' ? doc.nm_response : {};
  if (root.error_response !== undefined) {
    const text = String(root.error_response);
    return {
      status: 'error',
      ambiguous: false,
      message: redact(`NMI Query API error: ${text}`),
      ...(BAD_CREDENTIALS.test(text) && { merchantError: true }),
    };
  }
  const mine = (root.transaction ?? []).filter((t) => String(t.order_id ?? '') === reference);
  let declinedResult: GatewayLookupResult | undefined;
  for (const t of mine) {
    const first = (t.action ?? []).find((a) => PAYMENT_ACTIONS.has(String(a.action_type ?? '')));
    if (!first) continue;
    if (String(first.success) === '1') {
      return {
        status: 'approved',
        gatewayTransactionId: String(t.transaction_id ?? ''),
        authCode: t.authorization_code ? String(t.authorization_code) : undefined,
      };
    }
    declinedResult ??= {
      status: 'declined',
      code: first.response_code ? String(first.response_code) : undefined,
      message: first.response_text ? redact(String(first.response_text)) : undefined,
      gatewayTransactionId: t.transaction_id ? String(t.transaction_id) : undefined,
    };
  }
  return declinedResult ?? { status: 'not_found' };
}
