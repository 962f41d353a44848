/**
 * `braintree()`: the Braintree adapter, speaking Braintree's GraphQL API (`POST /graphql` with a
 * `Braintree-Version` header and basic auth from the API key pair). One instance per MID.
 *
 * Card data goes through `tokenizeCreditCard` (a single-use payment method); the charge, capture,
 * reversal and refund mutations then work on ids only. Initial subscription sales vault the card
 * (`vaultPaymentMethodAfterTransacting`) and report the multi-use payment method as `gatewayToken`;
 * rebills charge that token with `paymentInitiator: RECURRING`.
 *
 * Braintree's public GraphQL API has no generally available idempotency key, so
 * `capabilities.idempotencyKeys` is false: a money-moving request is never re-sent once it may have
 * left, an unknown outcome is reported as ambiguous, and `lookup` finds the attempt by our reference
 * (sent as `orderId`) to settle it.
 * @module
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import type {
  AdapterCapabilities,
  CallOptions,
  GatewayAdapter,
  GatewayCompletionRequest,
  GatewayDeclined,
  GatewayError,
  GatewayFollowUpRequest,
  GatewayLookupRequest,
  GatewayLookupResult,
  GatewayPaymentRequest,
  GatewayResult,
} from '../../src/adapter';
import { redact } from '../../src/card/redact';
import { clientSideAction, failedAuthentication, resendPayment } from '../shared/three-d-secure';
import { createHttpClient, isTransportError, send, serverError, type HttpAdapterOptions } from '../shared/http';
import { braintreeDeclines } from './declines';
import { braintreeWebhooks } from './webhooks';
import {
  BRAINTREE_URLS,
  BRAINTREE_VERSION,
  DOCUMENTS,
  captureVariables,
  cardValidationDecline,
  graphQLError,
  parseTransaction,
  refundVariables,
  reverseVariables,
  searchVariables,
  tokenizeVariables,
  transactionVariables,
  type BraintreeTransaction,
  type GraphQLResponse,
  type PaymentSource,
} from './wire';

/** Options of `braintree()`. */
export interface BraintreeOptions extends HttpAdapterOptions {
  /** API public key of this MID's Braintree gateway. */
  publicKey: string;
  /** API private key (never logged). */
  privateKey: string;
  /**
   * Braintree merchant account to charge. Braintree takes the currency from the merchant account,
   * so give one per currency (`{ USD: 'acme_usd', JPY: 'acme_jpy' }`) when the MID takes several;
   * a currency without an account is refused before any call. A single string (or none: the
   * gateway's default account) must settle the currencies the MID is configured for.
   */
  merchantAccountId?: string | Readonly<Record<string, string>> | undefined;
  /** Which Braintree environment `baseUrl` defaults to. Default 'production'. */
  environment?: 'production' | 'sandbox' | undefined;
  /** `Braintree-Version` header (a date, YYYY-MM-DD). Default `2024-08-01`. */
  braintreeVersion?: string | undefined;
}

const CAPABILITIES: AdapterCapabilities = {
  authorize: true,
  sale: true,
  capture: true,
  partialCapture: true,
  void: true,
  refund: true,
  partialRefund: true,
  verify: false,
  lookup: true,
  idempotencyKeys: false,
  threeDS: true,
  networkTokens: false,
  // `options.externalVault` charges a card vaulted elsewhere on its network transaction id.
  networkTransactionIdWithCard: true,
  challenge: true,
};

type Posted = { ok: true; body: GraphQLResponse } | { ok: false; error: GatewayError };

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`braintree(): ${field} must be a non-empty string`);
  return value;
}

/**
 * Create a Braintree adapter for one MID.
 * @example
 * const mid = braintree({ publicKey: process.env.BT_PUBLIC!, privateKey: process.env.BT_PRIVATE!,
 *   merchantAccountId: { USD: 'acme_usd' }, environment: 'sandbox' });
 */
export function braintree(options: BraintreeOptions): GatewayAdapter {
  const publicKey = requireString(options?.publicKey, 'publicKey');
  const privateKey = requireString(options.privateKey, 'privateKey');
  const version = options.braintreeVersion ?? BRAINTREE_VERSION;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) throw new TypeError('braintree(): braintreeVersion must be a date, YYYY-MM-DD');
  const environment = options.environment ?? 'production';
  if (environment !== 'production' && environment !== 'sandbox')
    throw new TypeError("braintree(): environment must be 'production' or 'sandbox'");
  const client: AxiosInstance = createHttpClient(BRAINTREE_URLS[environment], options);
  const authorization = `Basic ${Buffer.from(`${publicKey}:${privateKey}`).toString('base64')}`;
  const retries = options.transportRetries;

  function merchantAccountFor(currency: string): { id?: string } | GatewayError {
    const m = options.merchantAccountId;
    if (m === undefined || typeof m === 'string') return { id: m };
    const id = m[currency];
    if (id) return { id };
    return {
      status: 'error',
      ambiguous: false,
      merchantError: true,
      message: `merchantAccountId: no Braintree merchant account configured for ${currency}`,
    };
  }

  /** POST a GraphQL document; `moneyMoving` decides whether an unknown outcome is ambiguous. */
  async function post(query: string, variables: Record<string, unknown>, moneyMoving: boolean, opts?: CallOptions): Promise<Posted> {
    const res = await send<unknown>(
      client,
      {
        method: 'POST',
        url: '/graphql',
        data: { query, variables },
        headers: {
          Authorization: authorization,
          'Braintree-Version': version,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
      },
      // Tokenizing and searching move no money: safe to re-send. Money-moving calls are not.
      { idempotent: !moneyMoving, signal: opts?.signal, timeoutMs: opts?.timeoutMs, ...(retries !== undefined && { retries }) },
    );
    if (isTransportError(res)) return { ok: false, error: moneyMoving ? res : { ...res, ambiguous: false } };
    return classify(res as AxiosResponse<unknown>, moneyMoving);
  }

  function classify(res: AxiosResponse<unknown>, moneyMoving: boolean): Posted {
    if (res.status === 401 || res.status === 403) {
      return {
        ok: false,
        error: {
          status: 'error',
          ambiguous: false,
          merchantError: true,
          httpStatus: res.status,
          message: `Braintree refused the API keys (HTTP ${res.status})`,
        },
      };
    }
    if (res.status >= 500) return { ok: false, error: { ...serverError(res, 'Braintree'), ambiguous: moneyMoving } };
    const body = typeof res.data === 'string' ? tryJson(res.data) : res.data;
    if (res.status !== 200 || !body || typeof body !== 'object') {
      const ambiguous = moneyMoving && res.status === 200;
      return {
        ok: false,
        error: {
          status: 'error',
          ambiguous,
          httpStatus: res.status,
          message: `Braintree answered HTTP ${res.status} without a GraphQL body`,
        },
      };
    }
    return { ok: true, body: body as GraphQLResponse };
  }

  /** Tokenize the card, or use the vaulted token kept by the subscription pin. */
  async function paymentSource(req: GatewayPaymentRequest, opts?: CallOptions): Promise<PaymentSource | GatewayError | GatewayDeclined> {
    const sc = req.storedCredential;
    if (sc?.type === 'subsequent' && sc.gatewayToken) return { paymentMethodId: sc.gatewayToken, vaulted: true };
    if (!req.card?.number) {
      return { status: 'error', ambiguous: false, message: 'card.number is required (or storedCredential.gatewayToken for a rebill)' };
    }
    const posted = await post(DOCUMENTS.tokenize, tokenizeVariables(req.card, req.billing, req.reference), false, opts);
    if (!posted.ok) return posted.error;
    const { data, errors } = posted.body;
    const id = data?.tokenizeCreditCard?.paymentMethod?.id;
    if (errors?.length || typeof id !== 'string')
      return cardValidationDecline(errors) ?? graphQLError(errors ?? [{ message: 'tokenizeCreditCard returned no payment method' }], false);
    return {
      paymentMethodId: id,
      vaulted: false,
      ...(sc?.type === 'subsequent' && sc.networkTransactionId && { externalNetworkTransactionId: sc.networkTransactionId }),
    };
  }

  /** Read the transaction of a money-moving mutation; errors with a captured transaction stay ambiguous. */
  function transactionResult(body: GraphQLResponse, field: string, parse: (tx: BraintreeTransaction) => GatewayResult): GatewayResult {
    const tx = body.data?.[field]?.transaction as BraintreeTransaction | undefined | null;
    if (body.errors?.length) {
      if (!tx) return cardValidationDecline(body.errors) ?? graphQLError(body.errors, true);
      const parsed = parse(tx);
      if (parsed.status === 'approved') {
        return {
          status: 'error',
          ambiguous: true,
          message: redact(
            `Braintree reported errors alongside transaction ${tx.id} in status ${tx.status}: ${body.errors.map((e) => e.message).join('; ')}`,
          ),
        };
      }
      return parsed;
    }
    if (!tx) return { status: 'error', ambiguous: true, message: `Braintree answered ${field} without a transaction` };
    return parse(tx);
  }

  async function pay(kind: 'charge' | 'authorize', req: GatewayPaymentRequest, opts?: CallOptions, nonce?: string): Promise<GatewayResult> {
    if (!Number.isSafeInteger(req.amount) || req.amount <= 0) {
      return { status: 'error', ambiguous: false, message: 'amount must be a positive integer of minor units' };
    }
    const account = merchantAccountFor(req.currency);
    if ('status' in account) return account;
    const source = nonce ? { paymentMethodId: nonce, vaulted: false } : await paymentSource(req, opts);
    if ('status' in source) return source;
    const variables = transactionVariables(req, source, account.id, nonce !== undefined);
    const posted = await post(DOCUMENTS[kind], variables, true, opts);
    if (!posted.ok) return posted.error;
    const field = kind === 'charge' ? 'chargeCreditCard' : 'authorizeCreditCard';
    return transactionResult(posted.body, field, (tx) =>
      parseTransaction(tx, {
        currency: req.currency,
        amount: req.amount,
        authenticated: Boolean(req.threeDS?.eci) || nonce !== undefined,
        merchantAccountId: account.id,
      }),
    );
  }

  async function capture(req: GatewayFollowUpRequest, opts?: CallOptions): Promise<GatewayResult> {
    const posted = await post(DOCUMENTS.capture, captureVariables(req), true, opts);
    if (!posted.ok) return posted.error;
    return transactionResult(posted.body, 'captureTransaction', (tx) =>
      parseTransaction(tx, { currency: req.currency, amount: req.amount }),
    );
  }

  async function reverse(req: GatewayFollowUpRequest, opts?: CallOptions): Promise<GatewayResult> {
    const posted = await post(DOCUMENTS.reverse, reverseVariables(req), true, opts);
    if (!posted.ok) return posted.error;
    const reversal = posted.body.data?.reverseTransaction?.reversal as { __typename?: string; id?: string; status?: string } | undefined;
    if (posted.body.errors?.length || !reversal?.id)
      return graphQLError(posted.body.errors ?? [{ message: 'reverseTransaction returned no reversal' }], !reversal);
    if (reversal.status === 'VOIDED' || reversal.__typename === 'Refund') return { status: 'approved', gatewayTransactionId: reversal.id };
    return { status: 'error', ambiguous: true, message: `Braintree reversal ${reversal.id} is in status ${reversal.status}` };
  }

  async function refund(req: GatewayFollowUpRequest, opts?: CallOptions): Promise<GatewayResult> {
    const posted = await post(DOCUMENTS.refund, refundVariables(req), true, opts);
    if (!posted.ok) return posted.error;
    const { data, errors } = posted.body;
    const r = data?.refundTransaction?.refund as { id?: string; status?: string } | undefined;
    if (errors?.length || !r?.id) {
      // 91506: "Cannot refund transaction unless it is settled": a full refund of an unsettled sale is a void.
      if (errors?.some((e) => e.extensions?.legacyCode === '91506') && req.amount === req.originalAmount) return reverse(req, opts);
      return graphQLError(errors ?? [{ message: 'refundTransaction returned no refund' }], !r);
    }
    if (r.status === 'FAILED' || r.status === 'PROCESSOR_DECLINED' || r.status === 'GATEWAY_REJECTED') {
      return {
        status: 'declined',
        gatewayTransactionId: r.id,
        code: r.status,
        message: `Braintree refund ${r.id} ${r.status.toLowerCase()}`,
      };
    }
    return { status: 'approved', gatewayTransactionId: r.id };
  }

  async function lookup(req: GatewayLookupRequest, opts?: CallOptions): Promise<GatewayLookupResult> {
    const account = merchantAccountFor(req.currency);
    if ('status' in account) return account;
    const posted = await post(DOCUMENTS.search, searchVariables(req.reference, account.id), false, opts);
    if (!posted.ok) return posted.error;
    if (posted.body.errors?.length) return graphQLError(posted.body.errors, false);
    const nodes = ((posted.body.data?.search?.transactions?.edges ?? []) as { node?: BraintreeTransaction }[])
      .map((e) => e.node)
      .filter((n): n is BraintreeTransaction => Boolean(n));
    if (nodes.length === 0) return { status: 'not_found' };
    const results = nodes.map((tx) => parseTransaction(tx, { currency: req.currency, amount: req.amount }));
    const found = results.find((r) => r.status === 'approved') ?? results.find((r) => r.status === 'declined') ?? results[0];
    if (found.status === 'requires_action')
      return { status: 'declined', gatewayTransactionId: found.gatewayTransactionId, code: 'AUTHENTICATION_REQUIRED' };
    return found;
  }

  return {
    gateway: 'braintree',
    capabilities: CAPABILITIES,
    declineTable: braintreeDeclines,
    /**
     * Braintree runs 3-D Secure in the browser before the transaction exists
     * (`threeDSecure.verifyCard({ amount, nonce, bin })`): the action gives the page the amount,
     * currency, BIN and merchant account. No call.
     */
    authenticate: async (req) => {
      const account = merchantAccountFor(req.currency);
      return clientSideAction('braintree', req, {
        flow: 'threeDSecure.verifyCard',
        ...('id' in account && account.id && { merchantAccountId: account.id }),
      });
    },
    /**
     * Charges (or authorizes) once, on this MID, with the 3-D Secure-enriched nonce from
     * `verifyCard` (`input.nonce`, with `threeDSecureAuthentication.required`), or with the card and
     * external values (`input.card` + `input.threeDS`, sent as `passThrough`). Braintree keeps no
     * pending transaction: this is a new one, under the completion's reference as `orderId`.
     */
    async complete(req: GatewayCompletionRequest, opts?: CallOptions): Promise<GatewayResult> {
      const failed = failedAuthentication(req);
      if (failed) return failed;
      const kind = req.operation === 'sale' ? 'charge' : 'authorize';
      if (req.input.nonce) {
        const payment = resendPayment({ ...req, input: {} }, { card: false, threeDS: [] }) as GatewayPaymentRequest;
        return pay(kind, payment, opts, req.input.nonce);
      }
      const payment = resendPayment(req, { card: true, threeDS: ['eci'] });
      if ('status' in payment) return { ...payment, message: `${payment.message} (or give input.nonce from threeDSecure.verifyCard)` };
      return pay(kind, payment, opts);
    },
    /** Webhooks are signed with the API key pair: always on. */
    webhooks: braintreeWebhooks(options.publicKey, options.privateKey),
    sale: (req, opts) => pay('charge', req, opts),
    authorize: (req, opts) => pay('authorize', req, opts),
    capture,
    void: reverse,
    refund,
    lookup,
  };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
