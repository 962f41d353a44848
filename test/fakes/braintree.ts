/**
 * A fake Braintree GraphQL gateway on loopback. It is a real GraphQL server (the installed
 * `graphql` package): every request is parsed, validated against a schema built from the type data
 * below, its variables coerced against the input types (unknown fields, missing required fields,
 * wrong enum values and malformed `Amount`s are violations that fail the test), and answered by
 * executing the adapter's own selection set over the fake's books. Responses are therefore in
 * Braintree's documented shape by construction.
 *
 * The type data is the subset of Braintree's published schema this adapter touches, written from
 * braintree/graphql-api `schema.graphql` (read at commit 034a8f1f; the file has no licence, so only
 * type and field names with their types are restated here, as data). Fields are exact where listed;
 * a field the adapter sends that is not listed is a violation, so the subset can only be stricter.
 */
import {
  type GraphQLScalarType,
  Kind,
  buildSchema,
  execute,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { randomBytes } from 'node:crypto';
import { currencyExponent, fromDecimalString, toDecimalString } from '../../src/money';
import type { FakeWebhooks } from '../support/webhook-sender';
import { braintreeForm } from '../support/webhook-signing';
import { startFakeServer, type FakeServer, type RecordedRequest } from '../support/fake-server';
import approvedFixture from '../../adapters/braintree/fixtures/charge-submitted-for-settlement.json';

/** Field lists per type: `name: Type` as in the schema (`!` required, `[T!]` lists). */
type Fields = Readonly<Record<string, string>>;

/** The schema subset, as data (see the module comment for its source). */
export const BRAINTREE_SCHEMA_SUBSET = {
  scalars: [
    'Amount',
    'CountryCode',
    'CurrencyCodeAlpha',
    'ECommerceIndicator',
    'ThreeDSecureVersion',
    'ThreeDSecureStatusCode',
    'ThreeDSecureCavvAlgorithm',
    'Timestamp',
  ],
  enums: {
    PaymentInitiator: ['ESTIMATED', 'INSTALLMENT', 'INSTALLMENT_FIRST', 'MOTO', 'RECURRING', 'RECURRING_FIRST', 'UNSCHEDULED'],
    RecurringType: ['FIRST', 'SUBSEQUENT', 'UNSCHEDULED'],
    VaultPaymentMethodCriteria: ['ALWAYS', 'ON_SUCCESSFUL_TRANSACTION'],
    ExternalVaultStatus: ['VAULTED', 'WILL_VAULT'],
    CardAccountType: ['CREDIT', 'DEBIT'],
    ScaExemptionType: ['LOW_VALUE', 'SECURE_CORPORATE', 'TRANSACTION_RISK_ANALYSIS', 'TRUSTED_BENEFICIARY'],
    PaymentStatus: [
      'AUTHORIZATION_EXPIRED',
      'AUTHORIZED',
      'AUTHORIZING',
      'FAILED',
      'GATEWAY_REJECTED',
      'PROCESSOR_DECLINED',
      'SETTLED',
      'SETTLEMENT_CONFIRMED',
      'SETTLEMENT_DECLINED',
      'SETTLEMENT_PENDING',
      'SETTLING',
      'SUBMITTED_FOR_SETTLEMENT',
      'VOIDED',
    ],
    GatewayRejectionReason: [
      'APPLICATION_INCOMPLETE',
      'AVS',
      'AVS_AND_CVV',
      'CVV',
      'DUPLICATE',
      'EXCESSIVE_RETRY',
      'FRAUD',
      'MANUAL_TRANSACTIONS_DISABLED',
      'PAYMENT_METHOD_BLOCKED',
      'RISK_THRESHOLD',
      'THREE_D_SECURE',
      'TOKEN_ISSUANCE',
      'TOO_MANY_CONFIRMATION_ATTEMPTS',
      'UNION_PAY_ENROLLMENT_REQUIRED',
    ],
    ProcessorDeclineType: ['HARD', 'SOFT'],
    AvsCvvResponseCode: [
      'BYPASS',
      'DOES_NOT_MATCH',
      'ISSUER_DOES_NOT_PARTICIPATE',
      'MATCHES',
      'NOT_APPLICABLE',
      'NOT_PROVIDED',
      'NOT_VERIFIED',
      'SYSTEM_ERROR',
    ],
    PaymentMethodUsage: ['MULTI_USE', 'SINGLE_USE'],
    PaymentSource: ['API', 'CONTROL_PANEL', 'PAYMENT_READER', 'RECURRING', 'UNKNOWN'],
    CreditCardBrandCode: [
      'AMERICAN_EXPRESS',
      'CITI',
      'DINERS',
      'DISCOVER',
      'ELO',
      'HIPER',
      'HIPERCARD',
      'INTERNATIONAL_MAESTRO',
      'JCB',
      'MASTERCARD',
      'SOLO',
      'SWITCH',
      'UK_MAESTRO',
      'UNION_PAY',
      'UNKNOWN',
      'VISA',
    ],
  } as Readonly<Record<string, readonly string[]>>,
  inputs: {
    TokenizeCreditCardInput: { clientMutationId: 'String', creditCard: 'CreditCardInput!', options: 'TokenizeCreditCardOptionsInput' },
    TokenizeCreditCardOptionsInput: { validate: 'Boolean' },
    CreditCardInput: {
      number: 'String',
      expirationYear: 'String',
      expirationMonth: 'String',
      cvv: 'String',
      cardholderName: 'String',
      billingAddress: 'AddressInput',
    },
    AddressInput: {
      company: 'String',
      streetAddress: 'String',
      addressLine1: 'String',
      extendedAddress: 'String',
      addressLine2: 'String',
      firstName: 'String',
      lastName: 'String',
      locality: 'String',
      adminArea2: 'String',
      region: 'String',
      adminArea1: 'String',
      postalCode: 'String',
      countryCode: 'CountryCode',
      phone: 'PhoneInput',
      countryCodeAlpha3: 'String',
      countryCodeAlpha2: 'String',
      countryCodeNumeric: 'String',
      countryName: 'String',
    },
    PhoneInput: { countryPhoneCode: 'String!', phoneNumber: 'String!', extensionNumber: 'String' },
    ChargeCreditCardInput: {
      clientMutationId: 'String',
      paymentMethodId: 'ID!',
      options: 'CreditCardTransactionOptionsInput',
      transaction: 'TransactionInput!',
    },
    AuthorizeCreditCardInput: {
      clientMutationId: 'String',
      paymentMethodId: 'ID!',
      options: 'CreditCardTransactionOptionsInput',
      transaction: 'TransactionInput!',
    },
    CreditCardTransactionOptionsInput: {
      externalVault: 'TransactionExternalVaultOptionsInput',
      billingAddress: 'AddressInput',
      accountType: 'CardAccountType',
      tokenizedCvv: 'ID',
      fraudTools: 'CreditCardFraudToolsOptionsInput',
      threeDSecureAuthentication: 'ThreeDSecureAuthenticationInput',
      scaExemption: 'ScaExemptionType',
      installmentCount: 'Int',
    },
    TransactionExternalVaultOptionsInput: { status: 'ExternalVaultStatus!', verifyingNetworkTransactionId: 'String' },
    CreditCardFraudToolsOptionsInput: { skipCvv: 'Boolean', skipAvs: 'Boolean', skipAdvancedFraudChecking: 'Boolean' },
    ThreeDSecureAuthenticationInput: { authenticationId: 'String', passThrough: 'ThreeDSecurePassThroughInput', required: 'Boolean' },
    ThreeDSecurePassThroughInput: {
      eciFlag: 'ECommerceIndicator!',
      cavv: 'String',
      xId: 'String',
      threeDSecureServerTransactionId: 'String',
      version: 'ThreeDSecureVersion',
      authenticationResponse: 'ThreeDSecureStatusCode',
      directoryServerResponse: 'ThreeDSecureStatusCode',
      cavvAlgorithm: 'ThreeDSecureCavvAlgorithm',
      directoryServerTransactionId: 'String',
    },
    TransactionInput: {
      amount: 'Amount!',
      merchantAccountId: 'ID',
      orderId: 'String',
      exchangeRateQuoteId: 'ID',
      purchaseOrderNumber: 'String',
      riskData: 'RiskDataInput',
      descriptor: 'TransactionDescriptorInput',
      recurring: 'RecurringType',
      paymentInitiator: 'PaymentInitiator',
      channel: 'String',
      customerId: 'ID',
      discountAmount: 'String',
      surchargeAmount: 'String',
      threeDSecurePassThrough: 'ThreeDSecurePassThroughInput',
      vaultPaymentMethodAfterTransacting: 'VaultPaymentMethodAfterTransactingInput',
      customerDetails: 'TransactionCustomerDetailsInput',
    },
    RiskDataInput: { customerBrowser: 'String', customerIp: 'String', deviceData: 'String' },
    TransactionDescriptorInput: { name: 'String', phone: 'String', url: 'String' },
    VaultPaymentMethodAfterTransactingInput: { when: 'VaultPaymentMethodCriteria!' },
    TransactionCustomerDetailsInput: { email: 'String', phoneNumber: 'String' },
    CaptureTransactionInput: {
      clientMutationId: 'String',
      transactionId: 'ID!',
      amount: 'Amount',
      transaction: 'CaptureTransactionOptionsInput',
    },
    CaptureTransactionOptionsInput: {
      amount: 'Amount',
      descriptor: 'TransactionDescriptorInput',
      discountAmount: 'String',
      orderId: 'String',
      purchaseOrderNumber: 'String',
    },
    ReverseTransactionInput: { clientMutationId: 'String', transactionId: 'ID!' },
    RefundTransactionInput: { clientMutationId: 'String', transactionId: 'ID!', refund: 'RefundInput' },
    RefundInput: { amount: 'Amount', orderId: 'String', merchantAccountId: 'ID', description: 'String', reason: 'String' },
    TransactionSearchInput: {
      id: 'SearchValueInput',
      status: 'SearchTransactionStatusInput',
      orderId: 'SearchTextInput',
      merchantAccountId: 'SearchPaymentMerchantAccountIdInput',
    },
    SearchValueInput: { is: 'String', in: '[String!]' },
    SearchTextInput: { is: 'String', isNot: 'String', startsWith: 'String', endsWith: 'String', contains: 'String' },
    SearchTransactionStatusInput: { is: 'PaymentStatus', in: '[PaymentStatus!]' },
    SearchPaymentMerchantAccountIdInput: {
      is: 'String',
      in: '[String!]',
      isNot: 'String',
      startsWith: 'String',
      endsWith: 'String',
      contains: 'String',
    },
  } as Readonly<Record<string, Fields>>,
  interfaces: {
    PaymentStatusEvent: {
      status: 'PaymentStatus',
      timestamp: 'Timestamp',
      amount: 'MonetaryAmount',
      source: 'PaymentSource',
      terminal: 'Boolean',
    },
  } as Readonly<Record<string, Fields>>,
  objects: {
    Query: { ping: 'String!', search: 'Search' },
    Mutation: {
      'tokenizeCreditCard(input: TokenizeCreditCardInput!)': 'TokenizeCreditCardPayload',
      'chargeCreditCard(input: ChargeCreditCardInput!)': 'TransactionPayload',
      'authorizeCreditCard(input: AuthorizeCreditCardInput!)': 'TransactionPayload',
      'captureTransaction(input: CaptureTransactionInput!)': 'TransactionPayload',
      'reverseTransaction(input: ReverseTransactionInput!)': 'ReverseTransactionPayload',
      'refundTransaction(input: RefundTransactionInput!)': 'RefundTransactionPayload',
    },
    Search: { 'transactions(input: TransactionSearchInput!, first: Int, after: String)': 'TransactionConnection' },
    TransactionConnection: { edges: '[TransactionConnectionEdge]', pageInfo: 'PageInfo!' },
    TransactionConnectionEdge: { cursor: 'String', node: 'Transaction' },
    PageInfo: { hasNextPage: 'Boolean!', hasPreviousPage: 'Boolean!', startCursor: 'String', endCursor: 'String' },
    TokenizeCreditCardPayload: { clientMutationId: 'String', paymentMethod: 'PaymentMethod' },
    PaymentMethod: { id: 'ID!', legacyId: 'ID!', usage: 'PaymentMethodUsage', createdAt: 'Timestamp', details: 'PaymentMethodDetails' },
    CreditCardDetails: {
      brandCode: 'CreditCardBrandCode',
      last4: 'String',
      bin: 'String',
      expirationMonth: 'String',
      expirationYear: 'String',
      cardholderName: 'String',
      uniqueNumberIdentifier: 'String',
    },
    CreditCardTransactionDetails: {
      creditCard: 'CreditCardDetails',
      networkTransactionId: 'String',
      accountType: 'CardAccountType',
      acquirerReferenceNumber: 'String',
      processedWithCardOnFileNetworkToken: 'Boolean',
    },
    TransactionPayload: { clientMutationId: 'String', transaction: 'Transaction' },
    Transaction: {
      id: 'ID!',
      legacyId: 'ID!',
      createdAt: 'Timestamp',
      paymentMethodSnapshot: 'PaymentMethodSnapshot',
      paymentMethod: 'PaymentMethod',
      amount: 'MonetaryAmount',
      merchantAccountId: 'ID',
      orderId: 'String',
      status: 'PaymentStatus',
      statusHistory: '[PaymentStatusEvent!]',
      channel: 'String',
      source: 'PaymentSource',
    },
    MonetaryAmount: { value: 'Amount', currencyCode: 'CurrencyCodeAlpha' },
    TransactionAuthorizationProcessorResponse: {
      legacyCode: 'String',
      message: 'String',
      cvvResponse: 'AvsCvvResponseCode',
      avsPostalCodeResponse: 'AvsCvvResponseCode',
      avsStreetAddressResponse: 'AvsCvvResponseCode',
      authorizationId: 'String',
      additionalInformation: 'String',
      retrievalReferenceNumber: 'String',
      emvData: 'String',
    },
    PaymentNetworkResponse: { code: 'String', message: 'String' },
    MerchantAdviceCodeResponse: { code: 'String', message: 'String' },
    'AuthorizedEvent implements PaymentStatusEvent': {
      status: 'PaymentStatus',
      timestamp: 'Timestamp',
      amount: 'MonetaryAmount',
      source: 'PaymentSource',
      processorResponse: 'TransactionAuthorizationProcessorResponse',
      networkResponse: 'PaymentNetworkResponse',
      terminal: 'Boolean',
      authorizationExpiresAt: 'Timestamp',
      userName: 'String',
    },
    'ProcessorDeclinedEvent implements PaymentStatusEvent': {
      status: 'PaymentStatus',
      timestamp: 'Timestamp',
      amount: 'MonetaryAmount',
      source: 'PaymentSource',
      declineType: 'ProcessorDeclineType',
      processorResponse: 'TransactionAuthorizationProcessorResponse',
      networkResponse: 'PaymentNetworkResponse',
      merchantAdviceCodeResponse: 'MerchantAdviceCodeResponse',
      terminal: 'Boolean',
      userName: 'String',
    },
    'GatewayRejectedEvent implements PaymentStatusEvent': {
      status: 'PaymentStatus',
      timestamp: 'Timestamp',
      amount: 'MonetaryAmount',
      source: 'PaymentSource',
      gatewayRejectionReason: 'GatewayRejectionReason',
      processorResponse: 'TransactionAuthorizationProcessorResponse',
      networkResponse: 'PaymentNetworkResponse',
      merchantAdviceCodeResponse: 'MerchantAdviceCodeResponse',
      terminal: 'Boolean',
      duplicateOf: 'Transaction',
      userName: 'String',
    },
    'FailedEvent implements PaymentStatusEvent': {
      status: 'PaymentStatus',
      timestamp: 'Timestamp',
      amount: 'MonetaryAmount',
      source: 'PaymentSource',
      processorResponse: 'TransactionAuthorizationProcessorResponse',
      networkResponse: 'PaymentNetworkResponse',
      merchantAdviceCodeResponse: 'MerchantAdviceCodeResponse',
      terminal: 'Boolean',
      userName: 'String',
    },
    'SubmittedForSettlementEvent implements PaymentStatusEvent': {
      status: 'PaymentStatus',
      timestamp: 'Timestamp',
      amount: 'MonetaryAmount',
      source: 'PaymentSource',
      terminal: 'Boolean',
      userName: 'String',
    },
    ReverseTransactionPayload: { clientMutationId: 'String', reversal: 'TransactionReversal' },
    RefundTransactionPayload: { clientMutationId: 'String', refund: 'Refund' },
    Refund: {
      id: 'ID!',
      legacyId: 'ID!',
      createdAt: 'Timestamp',
      amount: 'MonetaryAmount',
      orderId: 'String',
      status: 'PaymentStatus',
      statusHistory: '[PaymentStatusEvent!]',
      merchantAccountId: 'ID',
      source: 'PaymentSource',
      refundedTransaction: 'Transaction',
    },
  } as Readonly<Record<string, Fields>>,
  unions: {
    PaymentMethodDetails: ['CreditCardDetails'],
    PaymentMethodSnapshot: ['CreditCardDetails', 'CreditCardTransactionDetails'],
    TransactionReversal: ['Refund', 'Transaction'],
  } as Readonly<Record<string, readonly string[]>>,
} as const;

function toSdl(s: typeof BRAINTREE_SCHEMA_SUBSET): string {
  const block = (kw: string, name: string, fields: Fields) =>
    `${kw} ${name} {\n${Object.entries(fields)
      .map(([f, t]) => `  ${f}: ${t}`)
      .join('\n')}\n}`;
  return [
    'schema { query: Query mutation: Mutation }',
    ...s.scalars.map((n) => `scalar ${n}`),
    ...Object.entries(s.enums).map(([n, v]) => `enum ${n} { ${v.join(' ')} }`),
    ...Object.entries(s.inputs).map(([n, f]) => block('input', n, f)),
    ...Object.entries(s.interfaces).map(([n, f]) => block('interface', n, f)),
    ...Object.entries(s.objects).map(([n, f]) => block('type', n, f)),
    ...Object.entries(s.unions).map(([n, m]) => `union ${n} = ${m.join(' | ')}`),
  ].join('\n\n');
}

/** Braintree's `Amount`: "either a whole number or a number with exactly two or three decimal places". */
const AMOUNT = /^\d+(\.\d{2,3})?$/;

/** The schema subset as an executable GraphQL schema (Amount parsing enforced). */
export function braintreeSchema(): GraphQLSchema {
  const schema = buildSchema(toSdl(BRAINTREE_SCHEMA_SUBSET));
  const amount = schema.getType('Amount') as GraphQLScalarType;
  amount.parseValue = (v: unknown) => {
    if (typeof v !== 'string' || !AMOUNT.test(v))
      throw new TypeError(`Amount must be a whole number or have two or three decimals, got ${JSON.stringify(v)}`);
    return v;
  };
  amount.parseLiteral = (ast) => (ast.kind === Kind.STRING ? amount.parseValue(ast.value) : undefined);
  return schema;
}

/** A scripted outcome for the next charge/authorize. */
export type NextOutcome =
  | { processorDeclined: string; message?: string; advice?: string; declineType?: 'HARD' | 'SOFT' }
  | { gatewayRejected: string }
  | { failed: string }
  | { graphQLError: { errorClass: string; message: string; legacyCode?: string } };

/** A transaction in the fake's books. */
export interface FakeBraintreeTransaction {
  id: string;
  orderId?: string;
  merchantAccountId: string;
  currency: string;
  /** Authorized amount, minor units. */
  amount: number;
  captured: number;
  refunded: number;
  status: string;
  kind: 'charge' | 'authorize';
  paymentInitiator?: string;
  externalVault?: { status: string; verifyingNetworkTransactionId?: string };
  threeDS?: Record<string, unknown>;
  vaultedPaymentMethodId?: string;
  usedPaymentMethodId: string;
  networkTransactionId?: string;
  bin: string;
  last4: string;
  events: Record<string, unknown>[];
}

/** Options of `startBraintreeFake`. */
export interface BraintreeFakeOptions {
  publicKey?: string;
  privateKey?: string;
  /** Send webhooks (disputes, refund_failed), signed with the fake's key pair. */
  webhooks?: FakeWebhooks;
  /** Merchant account id → currency. Default `{ acme_usd: 'USD' }`; the first is the default account. */
  merchantAccounts?: Record<string, string>;
}

/** The running fake. */
export interface BraintreeFake {
  readonly server: FakeServer;
  readonly url: string;
  /** Spec violations seen (each request is checked); a test must end with none. */
  readonly violations: string[];
  readonly transactions: Map<string, FakeBraintreeTransaction>;
  /** Operation names received, in order (`tokenizeCreditCard`, `chargeCreditCard`…). */
  readonly operations: string[];
  /** Variables of each request, in order. */
  readonly variables: Record<string, any>[];
  /** Script the outcome of the next charge or authorize. */
  next(outcome: NextOutcome): void;
  /** What Braintree's client SDK gives after `threeDSecure.verifyCard`: a single-use nonce, authenticated or not. */
  threeDSecureNonce(number: string, authenticated: boolean): string;
  /** Settle a submitted transaction (like `sandboxSettleTransaction`). */
  settle(id: string): void;
  readonly disputes: Map<string, FakeBraintreeDispute>;
  /** Refunds by id: the refunded transaction, amount (minor units) and our reference, and whether it failed later. */
  readonly refunds: Map<string, { transactionId: string; amount: number; orderId?: string; failed: boolean }>;
  /** Open a dispute: `dispute_opened`, then (with `outcome`) `dispute_won` / `dispute_lost`. */
  dispute(transactionId: string, o?: { outcome?: 'won' | 'lost'; reasonCode?: string; reason?: string }): FakeBraintreeDispute;
  /** A refund the processor returns: `refund_failed`, and the amount is the merchant's again. */
  failRefund(refundId: string): void;
  close(): Promise<void>;
}

/** A dispute in the fake's books. */
export interface FakeBraintreeDispute {
  id: string;
  transactionId: string;
  amount: number;
  reasonCode: string;
  status: 'needs_response' | 'won' | 'lost';
}

/** Card numbers with a scripted behaviour (Braintree sandbox numbers where one exists). */
export const FAKE_CARDS = {
  visa: '4111111111111111',
  mastercard: '5105105105105100',
  /** Issuer demands 3-D Secure: processor code 2099 unless 3DS pass-through data is sent. */
  needs3ds: '4000000000002503',
} as const;

/** Processor response texts used by the fake (Braintree's authorization-response table). */
const PROCESSOR_TEXT: Readonly<Record<string, string>> = {
  '2000': 'Do Not Honor',
  '2001': 'Insufficient Funds',
  '2004': 'Expired Card',
  '2010': 'Card Issuer Declined CVV',
  '2015': 'Transaction Not Allowed',
  '2038': 'Processor Declined',
  '2046': 'Declined',
  '2047': 'Call Issuer. Pick Up Card',
  '2053': 'Card reported as lost or stolen',
  '2099': 'Cardholder Authentication Required',
  '2108': 'Closed Card',
  '3000': 'Processor Network Unavailable - Try Again',
};

const id = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;
const b64 = (s: string) => Buffer.from(s).toString('base64').replace(/=+$/, '');

class ValidationFailure extends Error {
  constructor(
    message: string,
    readonly legacyCode: string,
    readonly inputPath: string[] = [],
    readonly errorClass = 'VALIDATION',
  ) {
    super(message);
  }
}

/** Start a fake Braintree GraphQL gateway on 127.0.0.1. */
export async function startBraintreeFake(options: BraintreeFakeOptions = {}): Promise<BraintreeFake> {
  const schema = braintreeSchema();
  const publicKey = options.publicKey ?? 'pk_test_fake';
  const privateKey = options.privateKey ?? 'sk_test_fake';
  const accounts = options.merchantAccounts ?? { acme_usd: 'USD' };
  const defaultAccount = Object.keys(accounts)[0];
  const violations: string[] = [];
  const operations: string[] = [];
  const variablesLog: Record<string, any>[] = [];
  const transactions = new Map<string, FakeBraintreeTransaction>();
  const tokens = new Map<
    string,
    { bin: string; last4: string; number: string; used: boolean; multiUse: boolean; threeDSecure?: 'authenticated' | 'failed' }
  >();
  const refunds = new Map<string, Record<string, unknown>>();
  const refundBooks = new Map<string, { transactionId: string; amount: number; orderId?: string; failed: boolean }>();
  const disputes = new Map<string, FakeBraintreeDispute>();
  const scripted: NextOutcome[] = [];
  const now = () => (options.webhooks?.now ?? Date.now)();
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  /** One notification as Braintree posts it: form fields bt_signature and bt_payload (base64 XML). */
  function notify(kind: string, subject: string, at = now()): void {
    const w = options.webhooks;
    if (!w) return;
    const xml = `<notification><timestamp type="datetime">${new Date(at).toISOString()}</timestamp><kind>${kind}</kind><subject>${subject}</subject></notification>`;
    w.sender.send({
      body: braintreeForm(publicKey, privateKey, xml),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      event: kind,
    });
  }

  const money = (minor: number, currency: string) => ({ value: toDecimalString(minor, currency), currencyCode: currency });

  function parseAmount(value: string, currency: string, path: string[]): number {
    const decimals = value.includes('.') ? value.split('.')[1].length : 0;
    if (decimals > currencyExponent(currency) || (decimals > 0 && decimals !== currencyExponent(currency))) {
      violations.push(`${path.join('.')}: ${value} does not match the ${currency} format of the merchant account`);
      throw new ValidationFailure(`Amount is an invalid format for ${currency}.`, '81503', path);
    }
    return fromDecimalString(value, currency);
  }

  function txView(tx: FakeBraintreeTransaction) {
    const pm = tx.vaultedPaymentMethodId
      ? { id: tx.vaultedPaymentMethodId, legacyId: tx.vaultedPaymentMethodId, usage: 'MULTI_USE' }
      : null;
    const shown = tx.captured > 0 ? tx.captured : tx.amount;
    return {
      __typename: 'Transaction',
      id: tx.id,
      legacyId: tx.id.slice(3),
      orderId: tx.orderId ?? null,
      status: tx.status,
      merchantAccountId: tx.merchantAccountId,
      amount: money(shown, tx.currency),
      paymentMethod: pm,
      source: 'API',
      paymentMethodSnapshot: {
        __typename: 'CreditCardTransactionDetails',
        networkTransactionId: tx.networkTransactionId ?? null,
        creditCard: {
          __typename: 'CreditCardDetails',
          bin: tx.bin,
          last4: tx.last4,
          brandCode: tx.bin.startsWith('4') ? 'VISA' : 'MASTERCARD',
        },
      },
      statusHistory: [...tx.events].reverse(),
    };
  }

  function pay(kind: 'charge' | 'authorize', input: any) {
    const token = tokens.get(input.paymentMethodId);
    if (!token) throw new ValidationFailure('Unknown or expired payment method ID.', '91565', ['input', 'paymentMethodId']);
    if (!token.multiUse && token.used)
      throw new ValidationFailure('Cannot use a payment_method_nonce more than once.', '91564', ['input', 'paymentMethodId']);
    token.used = true;
    const t = input.transaction;
    const account = t.merchantAccountId ?? defaultAccount;
    const currency = accounts[account];
    if (!currency) throw new ValidationFailure('Merchant account ID is invalid.', '91513', ['input', 'transaction', 'merchantAccountId']);
    const amount = parseAmount(t.amount, currency, ['input', 'transaction', 'amount']);
    const ev = (status: string, extra: Record<string, unknown> = {}) => ({
      __typename: `${eventType(status)}`,
      status,
      amount: money(amount, currency),
      source: 'API',
      terminal: false,
      ...extra,
    });
    const tx: FakeBraintreeTransaction = {
      id: `dHJ${b64(id('tx'))}`,
      orderId: t.orderId,
      merchantAccountId: account,
      currency,
      amount,
      captured: 0,
      refunded: 0,
      status: 'PENDING',
      kind,
      paymentInitiator: t.paymentInitiator,
      externalVault: input.options?.externalVault,
      threeDS: input.options?.threeDSecureAuthentication?.passThrough,
      usedPaymentMethodId: input.paymentMethodId,
      bin: token.bin,
      last4: token.last4,
      events: [],
    };
    transactions.set(tx.id, tx);
    const major = Number(t.amount);
    let outcome = scripted.shift();
    // Braintree sandbox triggers: 2000.00–2999.99 → that processor code; 3000.xx → 3000 (failed); 5001.00 → application incomplete.
    if (!outcome && major >= 2000 && major < 3000) outcome = { processorDeclined: String(Math.floor(major)) };
    if (!outcome && major >= 3000 && major < 3001) outcome = { failed: '3000' };
    if (!outcome && major === 5001) outcome = { gatewayRejected: 'APPLICATION_INCOMPLETE' };
    // A nonce from threeDSecure.verifyCard: with `required`, one that did not authenticate is rejected (three_d_secure).
    if (!outcome && input.options?.threeDSecureAuthentication?.required && token.threeDSecure !== 'authenticated')
      outcome = { gatewayRejected: 'THREE_D_SECURE' };
    if (!outcome && token.number === FAKE_CARDS.needs3ds && !tx.threeDS && token.threeDSecure !== 'authenticated')
      outcome = { processorDeclined: '2099' };
    if (outcome && 'graphQLError' in outcome) {
      transactions.delete(tx.id);
      throw new ValidationFailure(outcome.graphQLError.message, outcome.graphQLError.legacyCode ?? '', [], outcome.graphQLError.errorClass);
    }
    if (outcome && 'processorDeclined' in outcome) {
      const code = outcome.processorDeclined;
      tx.status = 'PROCESSOR_DECLINED';
      tx.events.push(
        ev('PROCESSOR_DECLINED', {
          declineType: outcome.declineType ?? 'SOFT',
          processorResponse: { legacyCode: code, message: outcome.message ?? PROCESSOR_TEXT[code] ?? 'Processor Declined' },
          networkResponse: null,
          merchantAdviceCodeResponse: outcome.advice ? { code: outcome.advice, message: null } : null,
        }),
      );
    } else if (outcome && 'gatewayRejected' in outcome) {
      tx.status = 'GATEWAY_REJECTED';
      tx.events.push(ev('GATEWAY_REJECTED', { gatewayRejectionReason: outcome.gatewayRejected, processorResponse: null }));
    } else if (outcome && 'failed' in outcome) {
      tx.status = 'FAILED';
      tx.events.push(
        ev('FAILED', { processorResponse: { legacyCode: outcome.failed, message: PROCESSOR_TEXT[outcome.failed] ?? 'Failed' } }),
      );
    } else {
      const auth = approvedFixture.data.chargeCreditCard.transaction.statusHistory[1].processorResponse;
      tx.networkTransactionId = String(Date.now()).padStart(15, '0').slice(-15);
      tx.events.push(ev('AUTHORIZED', { processorResponse: { ...auth, authorizationId: randomBytes(3).toString('hex').toUpperCase() } }));
      tx.status = 'AUTHORIZED';
      if (kind === 'charge') {
        tx.status = 'SUBMITTED_FOR_SETTLEMENT';
        tx.captured = amount;
        tx.events.push(ev('SUBMITTED_FOR_SETTLEMENT'));
      }
      if (t.vaultPaymentMethodAfterTransacting && !token.multiUse) {
        tx.vaultedPaymentMethodId = `cGF5${b64(id('pm'))}`;
        tokens.set(tx.vaultedPaymentMethodId, { ...token, used: false, multiUse: true });
      } else if (token.multiUse) {
        tx.vaultedPaymentMethodId = input.paymentMethodId;
      }
    }
    return { clientMutationId: input.clientMutationId ?? null, transaction: txView(tx) };
  }

  function found(txId: string) {
    const tx = transactions.get(txId);
    if (!tx) throw new ValidationFailure('Transaction not found.', '91504', ['input', 'transactionId']);
    return tx;
  }

  const root = {
    ping: () => 'pong',
    search: () => ({
      transactions: ({ input }: any) => {
        const nodes = [...transactions.values()].filter(
          (tx) =>
            (input.orderId?.is === undefined || tx.orderId === input.orderId.is) &&
            (input.merchantAccountId?.is === undefined || tx.merchantAccountId === input.merchantAccountId.is),
        );
        return {
          edges: nodes.map((tx) => ({ cursor: tx.id, node: txView(tx) })),
          pageInfo: { hasNextPage: false, hasPreviousPage: false },
        };
      },
    }),
    tokenizeCreditCard: ({ input }: any) => {
      const number: string = input.creditCard.number ?? '';
      if (!/^\d{12,19}$/.test(number))
        throw new ValidationFailure('Credit card number is invalid.', '81715', ['input', 'creditCard', 'number']);
      const pmId = `tokencc_${randomBytes(8).toString('hex')}`;
      tokens.set(pmId, { bin: number.slice(0, 6), last4: number.slice(-4), number, used: false, multiUse: false });
      return {
        clientMutationId: input.clientMutationId ?? null,
        paymentMethod: {
          id: pmId,
          legacyId: pmId,
          usage: 'SINGLE_USE',
          details: { __typename: 'CreditCardDetails', bin: number.slice(0, 6), last4: number.slice(-4) },
        },
      };
    },
    chargeCreditCard: ({ input }: any) => pay('charge', input),
    authorizeCreditCard: ({ input }: any) => pay('authorize', input),
    captureTransaction: ({ input }: any) => {
      const tx = found(input.transactionId);
      if (tx.status !== 'AUTHORIZED')
        throw new ValidationFailure('Cannot submit for settlement unless status is authorized.', '91507', ['input', 'transactionId']);
      const value = input.transaction?.amount ?? input.amount;
      const amount = value === undefined ? tx.amount : parseAmount(value, tx.currency, ['input', 'transaction', 'amount']);
      if (amount > tx.amount) throw new ValidationFailure('Settlement amount is too large.', '91522', ['input', 'transaction', 'amount']);
      tx.captured = amount;
      tx.status = 'SUBMITTED_FOR_SETTLEMENT';
      tx.events.push({
        __typename: 'SubmittedForSettlementEvent',
        status: 'SUBMITTED_FOR_SETTLEMENT',
        amount: money(amount, tx.currency),
        source: 'API',
        terminal: false,
      });
      return { clientMutationId: input.clientMutationId ?? null, transaction: txView(tx) };
    },
    reverseTransaction: ({ input }: any) => {
      const tx = found(input.transactionId);
      if (tx.status === 'AUTHORIZED' || tx.status === 'SUBMITTED_FOR_SETTLEMENT') {
        tx.status = 'VOIDED';
        return { clientMutationId: input.clientMutationId ?? null, reversal: txView(tx) };
      }
      if (tx.status === 'SETTLED' && tx.refunded === 0)
        return { clientMutationId: input.clientMutationId ?? null, reversal: makeRefund(tx, tx.captured, undefined) };
      throw new ValidationFailure('Transaction can only be reversed if it is authorized, submitted for settlement or settled.', '91504', [
        'input',
        'transactionId',
      ]);
    },
    refundTransaction: ({ input }: any) => {
      const tx = found(input.transactionId);
      if (tx.status !== 'SETTLED' && tx.status !== 'SETTLING')
        throw new ValidationFailure('Cannot refund transaction unless it is settled.', '91506', ['input', 'transactionId']);
      const amount =
        input.refund?.amount === undefined
          ? tx.captured - tx.refunded
          : parseAmount(input.refund.amount, tx.currency, ['input', 'refund', 'amount']);
      if (amount > tx.captured - tx.refunded)
        throw new ValidationFailure('Refund amount is too large.', '91521', ['input', 'refund', 'amount']);
      return { clientMutationId: input.clientMutationId ?? null, refund: makeRefund(tx, amount, input.refund?.orderId) };
    },
  };

  function makeRefund(tx: FakeBraintreeTransaction, amount: number, orderId: string | undefined) {
    tx.refunded += amount;
    const bookId = `cmVm${b64(id('rf'))}`;
    refundBooks.set(bookId, {
      transactionId: tx.id,
      amount,
      ...((orderId ?? tx.orderId) && { orderId: orderId ?? tx.orderId }),
      failed: false,
    });
    const r = {
      __typename: 'Refund',
      id: bookId,
      legacyId: id('rf'),
      amount: money(amount, tx.currency),
      orderId: orderId ?? tx.orderId ?? null,
      status: 'SUBMITTED_FOR_SETTLEMENT',
      merchantAccountId: tx.merchantAccountId,
      source: 'API',
      refundedTransaction: txView(tx),
    };
    refunds.set(r.id, r);
    return r;
  }

  function answer(req: RecordedRequest) {
    const auth = req.headers.authorization ?? '';
    if (auth !== `Basic ${Buffer.from(`${publicKey}:${privateKey}`).toString('base64')}`) {
      return {
        status: 401,
        body: {
          errors: [{ message: 'Authentication failed', extensions: { errorClass: 'AUTHENTICATION' } }],
          extensions: { requestId: id('req') },
        },
      };
    }
    if (req.method !== 'POST' || req.path !== '/graphql') violations.push(`request to ${req.method} ${req.path}, not POST /graphql`);
    const version = req.headers['braintree-version'];
    if (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version))
      violations.push(`Braintree-Version header missing or not a date: ${String(version)}`);
    if (!String(req.headers['content-type']).startsWith('application/json'))
      violations.push(`content-type ${String(req.headers['content-type'])}`);
    let body: any;
    let document: DocumentNode;
    try {
      body = JSON.parse(req.body);
      document = parse(body.query);
    } catch (e) {
      violations.push(`unparseable request: ${(e as Error).message}`);
      return {
        status: 200,
        body: { errors: [{ message: 'Syntax error', extensions: { errorClass: 'VALIDATION' } }], extensions: { requestId: id('req') } },
      };
    }
    const problems = validate(schema, document).map((e) => e.message);
    const operation = getOperationAST(document, body.operationName);
    if (!operation) problems.push('no single operation in the document');
    const variables = body.variables ?? {};
    if (operation) {
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
      if (coerced.errors) problems.push(...coerced.errors.map((e) => e.message));
      const field = operation.selectionSet.selections[0];
      if (field?.kind === Kind.FIELD) operations.push(field.name.value);
    }
    variablesLog.push(variables);
    if (problems.length > 0) {
      violations.push(...problems);
      return {
        status: 200,
        body: {
          errors: problems.map((message) => ({ message, extensions: { errorClass: 'VALIDATION' } })),
          extensions: { requestId: id('req') },
        },
      };
    }
    const result = execute({ schema, document, rootValue: root, variableValues: variables }) as { data?: unknown; errors?: readonly any[] };
    const errors = result.errors?.map((e) => {
      const original = e.originalError;
      if (!(original instanceof ValidationFailure)) violations.push(`fake failed to answer: ${e.message}`);
      return {
        message: e.message,
        path: e.path,
        extensions:
          original instanceof ValidationFailure
            ? { errorClass: original.errorClass, legacyCode: original.legacyCode, inputPath: original.inputPath }
            : { errorClass: 'INTERNAL' },
      };
    });
    return { status: 200, body: { data: result.data ?? null, ...(errors && { errors }), extensions: { requestId: id('req') } } };
  }

  const server = await startFakeServer(answer);
  return {
    server,
    url: server.url,
    violations,
    transactions,
    operations,
    variables: variablesLog,
    next: (o) => {
      scripted.push(o);
    },
    threeDSecureNonce(number, authenticated) {
      const pmId = `tokencc_3ds_${randomBytes(8).toString('hex')}`;
      tokens.set(pmId, {
        bin: number.slice(0, 6),
        last4: number.slice(-4),
        number,
        used: false,
        multiUse: false,
        threeDSecure: authenticated ? 'authenticated' : 'failed',
      });
      return pmId;
    },
    settle(txId) {
      const tx = found(txId);
      if (tx.status !== 'SUBMITTED_FOR_SETTLEMENT') throw new Error(`cannot settle ${tx.status}`);
      tx.status = 'SETTLED';
    },
    disputes,
    refunds: refundBooks,
    dispute(txId, o = {}) {
      const tx = found(txId);
      const d: FakeBraintreeDispute = {
        id: id('dsp'),
        transactionId: tx.id,
        amount: tx.captured,
        reasonCode: o.reasonCode ?? '10.4',
        status: o.outcome ?? 'needs_response',
      };
      disputes.set(d.id, d);
      const at = now();
      const day = (t: number) => new Date(t).toISOString().slice(0, 10);
      const subject = (status: string) =>
        `<dispute><id>${d.id}</id><kind>chargeback</kind><status>${status}</status><reason>${esc(o.reason ?? 'fraud')}</reason>` +
        `<reason-code>${esc(d.reasonCode)}</reason-code><amount-disputed>${toDecimalString(d.amount, tx.currency)}</amount-disputed>` +
        `<currency-iso-code>${tx.currency}</currency-iso-code><received-date type="date">${day(at)}</received-date>` +
        `<reply-by-date type="date">${day(at + 14 * 86_400_000)}</reply-by-date><merchant-account-id>${tx.merchantAccountId}</merchant-account-id>` +
        `<transaction><id>${tx.id}</id><amount>${toDecimalString(tx.amount, tx.currency)}</amount><order-id>${esc(tx.orderId ?? '')}</order-id></transaction></dispute>`;
      notify('dispute_opened', subject('open'), at);
      if (o.outcome) notify(`dispute_${o.outcome}`, subject(o.outcome), at + 2_000);
      return d;
    },
    failRefund(refundId) {
      const r = refundBooks.get(refundId);
      if (!r || r.failed) throw new Error(`fake Braintree: no refund ${refundId} to fail`);
      r.failed = true;
      const tx = found(r.transactionId);
      tx.refunded -= r.amount;
      notify(
        'refund_failed',
        `<transaction><id>${refundId}</id><type>credit</type><status>failed</status><amount>${toDecimalString(r.amount, tx.currency)}</amount>` +
          `<currency-iso-code>${tx.currency}</currency-iso-code><order-id>${esc(r.orderId ?? '')}</order-id>` +
          `<refunded-transaction-fk>${tx.id}</refunded-transaction-fk><processor-response-code>2000</processor-response-code>` +
          `<processor-response-text>Do Not Honor</processor-response-text></transaction>`,
      );
    },
    close: () => server.close(),
  };
}

function eventType(status: string): string {
  switch (status) {
    case 'AUTHORIZED':
      return 'AuthorizedEvent';
    case 'PROCESSOR_DECLINED':
      return 'ProcessorDeclinedEvent';
    case 'GATEWAY_REJECTED':
      return 'GatewayRejectedEvent';
    case 'FAILED':
      return 'FailedEvent';
    default:
      return 'SubmittedForSettlementEvent';
  }
}
