/**
 * `adyen()`: the Adyen Checkout API v72 adapter (card payments with raw card data; your
 * integration must be PCI DSS compliant to send card numbers to Adyen).
 *
 * One adapter instance per MID: an API key and a merchant account. Every request carries
 * `X-API-Key` and an `Idempotency-Key` equal to our attempt reference, so a transport retry of
 * a payment or modification never charges or refunds twice (Adyen keeps keys 31 days).
 * @module
 */
import type { AxiosInstance } from 'axios';
import type {
  AdapterCapabilities,
  CallOptions,
  GatewayAbandonRequest,
  GatewayAdapter,
  GatewayCompletionRequest,
  GatewayError,
  GatewayFollowUpRequest,
  GatewayLookupResult,
  GatewayPaymentRequest,
  GatewayResult,
} from '../../src/adapter';
import { ConfigError, type ConfigProblem } from '../../src/errors';
import { createHttpClient, isTransportError, send, type HttpAdapterOptions } from '../shared/http';
import {
  AdyenInputError,
  adyenLiveBaseUrl,
  buildDetailsRequest,
  buildModificationRequest,
  buildPaymentRequest,
  modificationPath,
  parseErrorResponse,
  parseModificationResponse,
  parsePaymentErrorResponse,
  parsePaymentResponse,
  type AdyenModificationResponse,
  type AdyenPaymentMode,
  type AdyenPaymentResponse,
} from './wire';
import { adyenDeclines } from './declines';
import { adyenWebhooks } from './webhooks';

export { ADYEN_TEST_BASE_URL } from './wire';
export { adyenItemSignature, adyenSigningString } from './webhooks';

/** Options of `adyen()`. */
export interface AdyenOptions extends HttpAdapterOptions {
  /** API key of the web service user (Customer Area → Developers → API credentials). */
  apiKey: string;
  /** The Adyen merchant account this MID charges on. */
  merchantAccount: string;
  /**
   * Where Adyen sends the shopper back after a 3-D Secure redirect. Adyen requires it on every
   * `/payments` request; when absent here, the MID's `settings.returnUrl` is used.
   */
  returnUrl?: string | undefined;
  /**
   * Your company's live endpoint prefix (Customer Area → Developers → API URLs). With it the
   * adapter talks to `https://<prefix>-checkout-live.adyenpayments.com/checkout/v72`. Give
   * either this or `baseUrl` (`ADYEN_TEST_BASE_URL` for the test environment).
   */
  liveEndpointUrlPrefix?: string | undefined;
  /**
   * The webhook's HMAC key (hex, Customer Area → Developers → Webhooks → HMAC key): enables
   * `router.handleWebhook` for this MID. Captures, cancels and refunds are settled by webhooks.
   */
  webhookSecret?: string | undefined;
  /** The webhook's Basic authentication credentials, when you set them in the Customer Area. */
  webhookBasicAuth?: { username: string; password: string } | undefined;
}

/**
 * What this adapter can do. `lookup` is false: the Checkout API has no way to fetch a payment by
 * our reference (outcomes arrive by webhook), so ambiguous outcomes are resolved from webhooks
 * or the Customer Area. `idempotencyKeys` is true: Adyen deduplicates by `Idempotency-Key`.
 */
const CAPABILITIES: AdapterCapabilities = {
  authorize: true,
  sale: true,
  capture: true,
  partialCapture: true,
  void: true,
  refund: true,
  partialRefund: true,
  verify: true,
  lookup: false,
  idempotencyKeys: true,
  threeDS: true,
  networkTokens: true,
  // `paymentMethod.networkPaymentReference` takes the scheme's transaction id of a series begun elsewhere.
  networkTransactionIdWithCard: true,
  challenge: true,
};

function configProblems(o: AdyenOptions): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
  if (blank(o?.apiKey)) problems.push({ path: 'adyen.apiKey', message: 'is required' });
  if (blank(o?.merchantAccount)) problems.push({ path: 'adyen.merchantAccount', message: 'is required' });
  if (o?.returnUrl !== undefined && !/^https?:\/\/\S+$/.test(o.returnUrl))
    problems.push({ path: 'adyen.returnUrl', message: 'must be an http(s) URL' });
  if (o?.webhookSecret !== undefined && (typeof o.webhookSecret !== 'string' || !/^(?:[0-9a-fA-F]{2}){16,}$/.test(o.webhookSecret)))
    problems.push({ path: 'adyen.webhookSecret', message: 'must be the HMAC key in hex (as the Customer Area shows it)' });
  if (o?.webhookBasicAuth !== undefined && (blank(o.webhookBasicAuth?.username) || typeof o.webhookBasicAuth?.password !== 'string'))
    problems.push({ path: 'adyen.webhookBasicAuth', message: 'must be { username, password }' });
  if (o?.baseUrl === undefined && blank(o?.liveEndpointUrlPrefix)) {
    problems.push({
      path: 'adyen.baseUrl',
      message: 'give baseUrl (ADYEN_TEST_BASE_URL for tests) or liveEndpointUrlPrefix for your live endpoint',
    });
  }
  return problems;
}

function inputError(e: AdyenInputError): GatewayError {
  return { status: 'error', ambiguous: false, code: 'invalid_request', message: e.message };
}

/**
 * Create an Adyen adapter for one merchant account.
 * @throws ConfigError when a required option is missing, naming it.
 * @example
 * import { adyen, ADYEN_TEST_BASE_URL } from 'switchyard/adapters/adyen';
 * const gw = adyen({
 *   apiKey: process.env.ADYEN_API_KEY!, merchantAccount: 'AcmeECOM',
 *   returnUrl: 'https://shop.example/checkout/return', baseUrl: ADYEN_TEST_BASE_URL,
 * });
 */
export function adyen(options: AdyenOptions): GatewayAdapter {
  const problems = configProblems(options);
  if (problems.length) throw new ConfigError(problems);
  const base = options.baseUrl ?? adyenLiveBaseUrl(options.liveEndpointUrlPrefix!);
  const client: AxiosInstance = createHttpClient(base, options);
  const { apiKey, merchantAccount } = options;

  const post = (path: string, data: unknown, idempotencyKey: string, opts?: CallOptions) =>
    send(
      client,
      {
        // Absolute URL: a shared axios instance's baseURL is whatever the last adapter set.
        method: 'POST',
        url: `${base.replace(/\/+$/, '')}${path}`,
        data,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-API-Key': apiKey, 'Idempotency-Key': idempotencyKey },
      },
      { idempotent: true, retries: options.transportRetries, signal: opts?.signal, timeoutMs: opts?.timeoutMs },
    );

  async function pay(mode: AdyenPaymentMode, req: GatewayPaymentRequest, opts?: CallOptions, keySuffix?: string): Promise<GatewayResult> {
    const returnUrl = req.returnUrl ?? options.returnUrl ?? (req.merchant.settings?.returnUrl as string | undefined);
    if (!returnUrl)
      return {
        status: 'error',
        ambiguous: false,
        merchantError: true,
        message: "returnUrl: Adyen requires one on every payment; set adyen({ returnUrl }) or the MID's settings.returnUrl",
      };
    let body: ReturnType<typeof buildPaymentRequest>;
    try {
      body = buildPaymentRequest(req, mode, { merchantAccount, returnUrl });
    } catch (e) {
      if (e instanceof AdyenInputError) return inputError(e);
      throw e;
    }
    if (keySuffix !== undefined) body.authenticationData = { attemptAuthentication: 'always' };
    const res = await post('/payments', body, `${req.reference}${keySuffix ?? ''}`, opts);
    if (isTransportError(res)) return res;
    if (res.status !== 200) return parsePaymentErrorResponse(res.status, res.data);
    if (!res.data || typeof res.data !== 'object')
      return { status: 'error', ambiguous: true, httpStatus: 200, message: 'Adyen answered HTTP 200 with a body that is not JSON' };
    return parsePaymentResponse(res.data as AdyenPaymentResponse, {
      amount: mode === 'verify' ? 0 : req.amount,
      shopperReference: body.shopperReference,
    });
  }

  async function modify(op: 'capture' | 'void' | 'refund', req: GatewayFollowUpRequest, opts?: CallOptions): Promise<GatewayResult> {
    let body: ReturnType<typeof buildModificationRequest>;
    try {
      body = buildModificationRequest(op, req, merchantAccount);
    } catch (e) {
      if (e instanceof AdyenInputError) return inputError(e);
      throw e;
    }
    const res = await post(modificationPath(op, req.gatewayTransactionId), body, req.reference, opts);
    if (isTransportError(res)) return res;
    if (res.status !== 201 && res.status !== 200) return parseErrorResponse(res.status, res.data);
    if (!res.data || typeof res.data !== 'object')
      return {
        status: 'error',
        ambiguous: true,
        httpStatus: res.status,
        message: `Adyen answered HTTP ${res.status} with a body that is not JSON`,
      };
    return parseModificationResponse(res.data as AdyenModificationResponse);
  }

  return {
    gateway: 'adyen',
    declineTable: adyenDeclines,
    capabilities: CAPABILITIES,
    ...(options.webhookSecret && { webhooks: adyenWebhooks(options.webhookSecret, options.webhookBasicAuth) }),
    authorize: (req, opts) => pay('authorize', req, opts),
    sale: (req, opts) => pay('sale', req, opts),
    verify: (req, opts) => pay('verify', req, opts),
    /**
     * A payment with `authenticationData.attemptAuthentication: always` (on a step-up its
     * Idempotency-Key gets a `-3ds` suffix: the refused first payment used the plain one). The
     * answer's action is a redirect, or Adyen's 3-D Secure 2 action object for its Web Components.
     */
    authenticate: (req, opts) => pay(req.operation, req, opts, req.reason === 'step_up' ? '-3ds' : ''),
    /**
     * `POST /payments/details` with what the shopper's browser brought back (`redirectResult` or
     * `threeDSResult`), for the same pspReference. Its Idempotency-Key is the completion
     * reference, so a resend of a step gets Adyen's first answer.
     */
    async complete(req: GatewayCompletionRequest, opts?: CallOptions): Promise<GatewayResult> {
      let body: ReturnType<typeof buildDetailsRequest>;
      try {
        body = buildDetailsRequest(req.input);
      } catch (e) {
        if (e instanceof AdyenInputError) return inputError(e);
        throw e;
      }
      const res = await post('/payments/details', body, `${req.completionReference}-details`, opts);
      if (isTransportError(res)) return res;
      if (res.status !== 200) return parseErrorResponse(res.status, res.data);
      if (!res.data || typeof res.data !== 'object')
        return { status: 'error', ambiguous: true, httpStatus: 200, message: 'Adyen answered HTTP 200 with a body that is not JSON' };
      return parsePaymentResponse(res.data as AdyenPaymentResponse, { amount: req.operation === 'verify' ? 0 : req.amount });
    },
    /**
     * An expired challenge. Adyen authorises only when `/payments/details` is called, so without a
     * completion nothing was charged; a completion whose answer was lost cannot be asked about
     * (no lookup): it stays open for the AUTHORISATION webhook or the Customer Area.
     */
    async abandon(req: GatewayAbandonRequest): Promise<GatewayLookupResult> {
      if (!req.completionSent) return { status: 'not_found' };
      return {
        status: 'error',
        ambiguous: true,
        message: `Adyen cannot be asked what became of the /payments/details call of ${req.gatewayTransactionId ?? req.reference}: see its AUTHORISATION webhook`,
      };
    },
    /** Capture (full or partial). Approved means Adyen received it; the outcome arrives by webhook. */
    /** Capture (full or partial). Approved `pending`: Adyen received it; the outcome arrives by webhook. */
    capture: (req, opts) => modify('capture', req, opts),
    /** Cancel an authorization. Approved `pending`: Adyen received it; the outcome arrives by webhook. */
    void: (req, opts) => modify('void', req, opts),
    /** Refund (full or partial). Approved `pending`: Adyen received it; the outcome arrives by webhook. */
    refund: (req, opts) => modify('refund', req, opts),
  };
}
