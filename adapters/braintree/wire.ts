/**
 * Braintree GraphQL wire format: the documents we send, the variables we build, and pure
 * conversions of Braintree's answers into a `GatewayResult`. No I/O here.
 *
 * Shapes follow Braintree's published schema (braintree/graphql-api `schema.graphql`):
 * `tokenizeCreditCard` turns card data into a single-use payment method; `chargeCreditCard` /
 * `authorizeCreditCard` take a `paymentMethodId` and a `TransactionInput`; `captureTransaction`,
 * `reverseTransaction` (void before settlement, full refund after) and `refundTransaction` act on a
 * transaction id; `search.transactions` finds a transaction by `orderId` (our reference).
 * @module
 */
import { fromDecimalString, toDecimalString } from '../../src/money';
import { redact } from '../../src/card/redact';
import type {
  GatewayApproved,
  GatewayDeclined,
  GatewayError,
  GatewayFollowUpRequest,
  GatewayPaymentRequest,
  GatewayResult,
} from '../../src/adapter';
import { CARD_VALIDATION_ERRORS } from './declines';
import type { AddressInput, PanCardInput } from '../../src/types';

/** Default `Braintree-Version` header: a date; alpha-2 country codes need 2021-02-01 or later. */
export const BRAINTREE_VERSION = '2024-08-01';

/** Live and sandbox GraphQL endpoints (base URLs; the path is `/graphql`). */
export const BRAINTREE_URLS = {
  production: 'https://payments.braintree-api.com',
  sandbox: 'https://payments.sandbox.braintree-api.com',
} as const;

const TRANSACTION_FIELDS = `
fragment SwitchyardTransaction on Transaction {
  id
  legacyId
  orderId
  status
  merchantAccountId
  amount { value currencyCode }
  paymentMethod { id usage }
  paymentMethodSnapshot {
    __typename
    ... on CreditCardTransactionDetails { networkTransactionId creditCard { bin last4 brandCode } }
  }
  statusHistory {
    __typename
    status
    ... on AuthorizedEvent {
      processorResponse { legacyCode message authorizationId cvvResponse avsPostalCodeResponse avsStreetAddressResponse }
    }
    ... on ProcessorDeclinedEvent {
      declineType
      processorResponse { legacyCode message additionalInformation }
      networkResponse { code message }
      merchantAdviceCodeResponse { code message }
    }
    ... on GatewayRejectedEvent {
      gatewayRejectionReason
      processorResponse { legacyCode message }
    }
    ... on FailedEvent {
      processorResponse { legacyCode message }
      networkResponse { code message }
    }
  }
}`;

/** The GraphQL documents this adapter sends, by operation. */
export const DOCUMENTS = {
  tokenize: `mutation SwitchyardTokenize($input: TokenizeCreditCardInput!) {
  tokenizeCreditCard(input: $input) { paymentMethod { id details { __typename ... on CreditCardDetails { bin last4 } } } }
}`,
  charge: `mutation SwitchyardCharge($input: ChargeCreditCardInput!) {
  chargeCreditCard(input: $input) { clientMutationId transaction { ...SwitchyardTransaction } }
}${TRANSACTION_FIELDS}`,
  authorize: `mutation SwitchyardAuthorize($input: AuthorizeCreditCardInput!) {
  authorizeCreditCard(input: $input) { clientMutationId transaction { ...SwitchyardTransaction } }
}${TRANSACTION_FIELDS}`,
  capture: `mutation SwitchyardCapture($input: CaptureTransactionInput!) {
  captureTransaction(input: $input) { clientMutationId transaction { ...SwitchyardTransaction } }
}${TRANSACTION_FIELDS}`,
  reverse: `mutation SwitchyardReverse($input: ReverseTransactionInput!) {
  reverseTransaction(input: $input) {
    clientMutationId
    reversal { __typename ... on Transaction { id status } ... on Refund { id status amount { value currencyCode } } }
  }
}`,
  refund: `mutation SwitchyardRefund($input: RefundTransactionInput!) {
  refundTransaction(input: $input) { clientMutationId refund { id status orderId amount { value currencyCode } } }
}`,
  search: `query SwitchyardFindByOrderId($input: TransactionSearchInput!) {
  search { transactions(input: $input, first: 5) { edges { node { ...SwitchyardTransaction } } } }
}${TRANSACTION_FIELDS}`,
} as const;

/** A Braintree GraphQL request body. */
export interface GraphQLRequest {
  query: string;
  variables: Record<string, unknown>;
}

/** One entry of a GraphQL `errors` array as Braintree sends it. */
export interface BraintreeGraphQLError {
  message?: string;
  path?: (string | number)[];
  extensions?: { errorClass?: string; legacyCode?: string; inputPath?: (string | number)[] };
}

/** A Braintree GraphQL response body. */
export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: BraintreeGraphQLError[];
  extensions?: { requestId?: string };
}

/** The subset of Braintree's `Transaction` we select. */
export interface BraintreeTransaction {
  id: string;
  legacyId?: string;
  orderId?: string | null;
  status: string;
  merchantAccountId?: string | null;
  amount?: { value?: string | null; currencyCode?: string | null } | null;
  paymentMethod?: { id: string; usage?: string | null } | null;
  paymentMethodSnapshot?: { __typename?: string; networkTransactionId?: string | null } | null;
  statusHistory?: BraintreeStatusEvent[] | null;
}

/** One `statusHistory` event (interface `PaymentStatusEvent`) with the fields we select. */
export interface BraintreeStatusEvent {
  __typename?: string;
  status?: string;
  declineType?: string | null;
  gatewayRejectionReason?: string | null;
  processorResponse?: {
    legacyCode?: string | null;
    message?: string | null;
    authorizationId?: string | null;
    additionalInformation?: string | null;
    cvvResponse?: string | null;
    avsPostalCodeResponse?: string | null;
    avsStreetAddressResponse?: string | null;
  } | null;
  networkResponse?: { code?: string | null; message?: string | null } | null;
  merchantAdviceCodeResponse?: { code?: string | null; message?: string | null } | null;
}

/** Statuses in which Braintree holds the customer's money for us (authorized or later). */
const MONEY_TAKEN = new Set([
  'AUTHORIZED',
  'AUTHORIZING',
  'SUBMITTED_FOR_SETTLEMENT',
  'SETTLING',
  'SETTLED',
  'SETTLEMENT_PENDING',
  'SETTLEMENT_CONFIRMED',
]);

/** Amount as Braintree's `Amount` scalar wants it: exact decimal string for the currency. */
export function braintreeAmount(minor: number, currency: string): string {
  return toDecimalString(minor, currency);
}

/** Input of `tokenizeCreditCard` for our card (the only document that carries the PAN). */
export function tokenizeVariables(card: PanCardInput, billing: AddressInput | undefined, reference: string): Record<string, unknown> {
  const creditCard: Record<string, unknown> = {
    number: card.number.replace(/[\s-]/g, ''),
    expirationMonth: String(card.expMonth).padStart(2, '0'),
    expirationYear: String(card.expYear),
  };
  if (card.cvc) creditCard.cvv = card.cvc;
  if (card.holderName) creditCard.cardholderName = card.holderName;
  const address = billingAddress(billing);
  if (address) creditCard.billingAddress = address;
  return { input: { clientMutationId: reference, creditCard } };
}

function billingAddress(billing: AddressInput | undefined): Record<string, string> | undefined {
  if (!billing) return undefined;
  const a: Record<string, string> = {};
  if (billing.line1) a.addressLine1 = billing.line1;
  if (billing.line2) a.addressLine2 = billing.line2;
  if (billing.city) a.adminArea2 = billing.city;
  if (billing.state) a.adminArea1 = billing.state;
  if (billing.postalCode) a.postalCode = billing.postalCode;
  if (billing.country) a.countryCode = billing.country.toUpperCase();
  return Object.keys(a).length > 0 ? a : undefined;
}

/** How a payment reaches Braintree: which payment method, and whether it is vaulted elsewhere. */
export interface PaymentSource {
  paymentMethodId: string;
  /** A multi-use payment method from Braintree's vault (a rebill on the pinned token). */
  vaulted: boolean;
  /** The card is charged again on a network transaction id kept outside Braintree's vault. */
  externalNetworkTransactionId?: string;
}

/**
 * Input of `chargeCreditCard` / `authorizeCreditCard`: amount, merchant account, our reference as
 * `orderId`, stored-credential framing, 3-D Secure pass-through, descriptor and risk data.
 */
export function transactionVariables(
  req: GatewayPaymentRequest,
  source: PaymentSource,
  merchantAccountId: string | undefined,
  requireThreeDS = false,
): Record<string, unknown> {
  const transaction: Record<string, unknown> = {
    amount: braintreeAmount(req.amount, req.currency),
    orderId: req.reference,
  };
  if (merchantAccountId) transaction.merchantAccountId = merchantAccountId;
  const sc = req.storedCredential;
  if (sc?.type === 'initial') {
    // Customer-initiated first payment of a series: flag it and keep the card in Braintree's vault.
    if (sc.reason === 'recurring') transaction.paymentInitiator = 'RECURRING_FIRST';
    if (sc.storeCard !== false) transaction.vaultPaymentMethodAfterTransacting = { when: 'ON_SUCCESSFUL_TRANSACTION' };
  } else if (sc?.type === 'subsequent') {
    transaction.paymentInitiator = sc.reason === 'recurring' ? 'RECURRING' : 'UNSCHEDULED';
  }
  const risk: Record<string, string> = {};
  if (req.customer?.ip) risk.customerIp = req.customer.ip;
  if (Object.keys(risk).length > 0 && sc?.type !== 'subsequent') transaction.riskData = risk;
  // Braintree takes customerDetails only with single-use payment methods.
  if (req.customer?.email && !source.vaulted) {
    transaction.customerDetails = { email: req.customer.email };
  }
  if (req.merchant.descriptor) transaction.descriptor = { name: req.merchant.descriptor };

  const options: Record<string, unknown> = {};
  if (source.externalNetworkTransactionId) {
    options.externalVault = { status: 'VAULTED', verifyingNetworkTransactionId: source.externalNetworkTransactionId };
  }
  const tds = req.threeDS;
  if (tds?.eci) {
    const passThrough: Record<string, string> = { eciFlag: tds.eci };
    if (tds.cavv) passThrough.cavv = tds.cavv;
    if (tds.xid) passThrough.xId = tds.xid;
    if (tds.version) passThrough.version = tds.version;
    if (tds.dsTransactionId) passThrough.directoryServerTransactionId = tds.dsTransactionId;
    options.threeDSecureAuthentication = { passThrough };
  } else if (requireThreeDS) {
    // A nonce enriched by `threeDSecure.verifyCard`: Braintree rejects it (three_d_secure) unless authenticated.
    options.threeDSecureAuthentication = { required: true };
  }
  const input: Record<string, unknown> = { clientMutationId: req.reference, paymentMethodId: source.paymentMethodId, transaction };
  if (Object.keys(options).length > 0) input.options = options;
  return { input };
}

/** Input of `captureTransaction`: the amount to capture (less than authorized = partial capture). */
export function captureVariables(req: GatewayFollowUpRequest): Record<string, unknown> {
  return {
    input: {
      clientMutationId: req.reference,
      transactionId: req.gatewayTransactionId,
      transaction: { amount: braintreeAmount(req.amount, req.currency) },
    },
  };
}

/** Input of `reverseTransaction`: voids an unsettled transaction. */
export function reverseVariables(req: GatewayFollowUpRequest): Record<string, unknown> {
  return { input: { clientMutationId: req.reference, transactionId: req.gatewayTransactionId } };
}

/** Input of `refundTransaction`: full or partial refund of a settled (or settling) transaction. */
export function refundVariables(req: GatewayFollowUpRequest): Record<string, unknown> {
  return {
    input: {
      clientMutationId: req.reference,
      transactionId: req.gatewayTransactionId,
      refund: { amount: braintreeAmount(req.amount, req.currency), orderId: req.reference },
    },
  };
}

/** Input of `search.transactions` by our reference (sent as `orderId`). */
export function searchVariables(reference: string, merchantAccountId: string | undefined): Record<string, unknown> {
  const input: Record<string, unknown> = { orderId: { is: reference } };
  if (merchantAccountId) input.merchantAccountId = { is: merchantAccountId };
  return { input };
}

/** The most recent status event (Braintree lists `statusHistory` newest first). */
function latestEvent(tx: BraintreeTransaction, typename?: string): BraintreeStatusEvent | undefined {
  const events = tx.statusHistory ?? [];
  return typename ? events.find((e) => e.__typename === typename) : events[0];
}

function text(v: string | null | undefined): string | undefined {
  return v === null || v === undefined || v === '' ? undefined : redact(v);
}

/** Braintree's AVS/CVV enums as single-letter codes, as the other adapters report them. */
const AVS_CVV_LETTER: Readonly<Record<string, string>> = {
  MATCHES: 'M',
  DOES_NOT_MATCH: 'N',
  NOT_VERIFIED: 'U',
  NOT_PROVIDED: 'I',
  ISSUER_DOES_NOT_PARTICIPATE: 'S',
  SYSTEM_ERROR: 'E',
  NOT_APPLICABLE: 'A',
  BYPASS: 'B',
};

/** Processor codes that mean the issuer wants customer authentication (3-D Secure). */
const AUTHENTICATION_CODES = new Set(['2099']);

/** Options of `parseTransaction`. */
export interface ParseOptions {
  /** The currency we asked for: a transaction in another currency (wrong merchant account) is not an approval. */
  currency: string;
  /** The amount we asked for, in minor units, to detect partial approvals. */
  amount: number;
  /** The request already carried 3-D Secure results (a second authentication demand is a decline). */
  authenticated?: boolean;
  /** Merchant account id, reported to the checkout when 3-D Secure is needed. */
  merchantAccountId?: string;
}

/**
 * A Braintree transaction as a `GatewayResult`: AUTHORIZED / SUBMITTED_FOR_SETTLEMENT… → approved
 * (network transaction id, vaulted payment method as `gatewayToken`), PROCESSOR_DECLINED → declined
 * with the processor's `legacyCode` and the Mastercard advice code, GATEWAY_REJECTED → declined with
 * the rejection reason as code (`THREE_D_SECURE` → requires_action), FAILED → error (not ambiguous:
 * the processor was not reached).
 */
export function parseTransaction(tx: BraintreeTransaction, opts: ParseOptions): GatewayResult {
  if (MONEY_TAKEN.has(tx.status)) {
    const currency = tx.amount?.currencyCode ?? opts.currency;
    if (currency !== opts.currency) {
      return {
        status: 'error',
        ambiguous: true,
        code: 'CURRENCY_MISMATCH',
        message: `Braintree approved transaction ${tx.id} in ${currency}, not ${opts.currency}: the merchant account settles another currency; void it`,
      };
    }
    const auth = latestEvent(tx, 'AuthorizedEvent')?.processorResponse;
    const approved: GatewayApproved = { status: 'approved', gatewayTransactionId: tx.id };
    if (auth?.authorizationId) approved.authCode = auth.authorizationId;
    const ntid = tx.paymentMethodSnapshot?.networkTransactionId;
    if (ntid) approved.networkTransactionId = ntid;
    if (tx.paymentMethod?.usage === 'MULTI_USE') approved.gatewayToken = tx.paymentMethod.id;
    if (tx.amount?.value) {
      const value = fromDecimalString(tx.amount.value, currency);
      if (value !== opts.amount) approved.approvedAmount = value;
    }
    if (auth?.avsPostalCodeResponse) approved.avsResult = AVS_CVV_LETTER[auth.avsPostalCodeResponse] ?? auth.avsPostalCodeResponse;
    if (auth?.cvvResponse) approved.cvvResult = AVS_CVV_LETTER[auth.cvvResponse] ?? auth.cvvResponse;
    return approved;
  }
  if (tx.status === 'PROCESSOR_DECLINED') {
    const ev = latestEvent(tx, 'ProcessorDeclinedEvent') ?? latestEvent(tx);
    const code = ev?.processorResponse?.legacyCode ?? undefined;
    if (code && AUTHENTICATION_CODES.has(code) && !opts.authenticated) return authenticationNeeded(tx, opts, code);
    return {
      status: 'declined',
      gatewayTransactionId: tx.id,
      ...(code && { code }),
      ...(text(ev?.processorResponse?.message) && { message: text(ev?.processorResponse?.message) }),
      ...(ev?.merchantAdviceCodeResponse?.code && { advice: ev.merchantAdviceCodeResponse.code }),
    };
  }
  if (tx.status === 'GATEWAY_REJECTED') {
    const ev = latestEvent(tx, 'GatewayRejectedEvent') ?? latestEvent(tx);
    const reason = ev?.gatewayRejectionReason ?? 'GATEWAY_REJECTED';
    if (reason === 'THREE_D_SECURE' && !opts.authenticated) return authenticationNeeded(tx, opts, reason);
    return {
      status: 'declined',
      gatewayTransactionId: tx.id,
      code: reason,
      message: `Gateway rejected: ${reason.toLowerCase().replace(/_/g, ' ')}`,
    };
  }
  if (tx.status === 'FAILED') {
    const ev = latestEvent(tx, 'FailedEvent') ?? latestEvent(tx);
    const code = ev?.processorResponse?.legacyCode ?? undefined;
    return {
      status: 'error',
      ambiguous: false,
      ...(code && { code }),
      message: `Braintree transaction ${tx.id} failed: ${text(ev?.processorResponse?.message) ?? 'the processor could not be reached'}`,
    };
  }
  return {
    status: 'error',
    ambiguous: true,
    code: tx.status,
    message: `Braintree transaction ${tx.id} is in unexpected status ${tx.status}`,
  };
}

function authenticationNeeded(tx: BraintreeTransaction, opts: ParseOptions, code: string): GatewayResult {
  return {
    status: 'requires_action',
    gatewayTransactionId: tx.id,
    action: {
      type: 'sdk',
      gateway: 'braintree',
      data: {
        gateway: 'braintree',
        flow: 'threeDSecure.verifyCard',
        reason: code,
        amount: braintreeAmount(opts.amount, opts.currency),
        currency: opts.currency,
        ...(opts.merchantAccountId && { merchantAccountId: opts.merchantAccountId }),
      },
    },
  };
}

/** Error classes after which the request may have been carried out. */
const AMBIGUOUS_CLASSES = new Set(['INTERNAL', 'SERVICE_AVAILABILITY']);
/** Error classes that blame our credentials or the merchant account. */
const MERCHANT_CLASSES = new Set(['AUTHENTICATION', 'AUTHORIZATION']);

/**
 * A GraphQL VALIDATION error about the card data (81715 "Credit card number is invalid", 81707
 * CVV, 8171x expiry; see `CARD_VALIDATION_ERRORS`) as a decline of the card, or `undefined`.
 * Braintree refused the card before any processor saw it: nothing was charged, and another MID
 * would get the same card.
 */
export function cardValidationDecline(errors: BraintreeGraphQLError[] | undefined): GatewayDeclined | undefined {
  const hit = errors?.find(
    (e) =>
      e.extensions?.errorClass === 'VALIDATION' &&
      Object.prototype.hasOwnProperty.call(CARD_VALIDATION_ERRORS, e.extensions?.legacyCode ?? ''),
  );
  if (!hit) return undefined;
  return { status: 'declined', code: hit.extensions!.legacyCode!, message: redact(hit.message ?? 'Braintree refused the card data') };
}

/**
 * GraphQL `errors` (HTTP 200) as a `GatewayError`, never an approval. Validation errors are not
 * ambiguous; INTERNAL / SERVICE_AVAILABILITY are when `moneyMoving` (the charge may have run).
 */
export function graphQLError(errors: BraintreeGraphQLError[], moneyMoving: boolean): GatewayError {
  const first = errors[0] ?? {};
  const cls = first.extensions?.errorClass;
  const code = first.extensions?.legacyCode ?? cls;
  const where = first.extensions?.inputPath?.length ? ` (at ${first.extensions.inputPath.join('.')})` : '';
  const messages = errors.map((e) => e.message ?? 'unknown error').join('; ');
  return {
    status: 'error',
    ambiguous: moneyMoving && cls !== undefined && AMBIGUOUS_CLASSES.has(cls),
    ...(code && { code }),
    ...(cls && MERCHANT_CLASSES.has(cls) && { merchantError: true }),
    message: redact(`Braintree refused the request${where}: ${messages}`),
  };
}
