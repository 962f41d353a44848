/**
 * `checkout()`: the Checkout.com adapter (unified payments API "NAS", version 2022-07).
 * One instance per MID: each Checkout.com secret key (and processing channel) is one MID.
 * @module
 */
import type { AxiosResponse } from 'axios';
import type {
  AdapterCapabilities,
  CallOptions,
  GatewayAdapter,
  GatewayFollowUpRequest,
  GatewayLookupRequest,
  GatewayLookupResult,
  GatewayError,
  GatewayFollowUpStatus,
  GatewayFollowUpStatusRequest,
  GatewayPaymentRequest,
  GatewayResult,
} from '../../src/adapter';
import { ConfigError } from '../../src/errors';
import { createHttpClient, isTransportError, send, type HttpAdapterOptions } from '../shared/http';
import {
  CHECKOUT_LIVE_URL,
  CheckoutInputError,
  buildCaptureBody,
  buildPaymentBody,
  buildRefundBody,
  buildVoidBody,
  isPaymentId,
  parseActionAnswer,
  parseActionsAnswer,
  parseLookupAnswer,
  parsePaymentAnswer,
} from './wire';
import { checkoutDeclines } from './declines';
import { checkoutWebhooks } from './webhooks';

export { CHECKOUT_LIVE_URL, CHECKOUT_SANDBOX_URL } from './wire';

/** Options of `checkout()`. */
export interface CheckoutOptions extends HttpAdapterOptions {
  /** Secret API key of this MID (`sk_…` live, `sk_sbox_…` sandbox), sent as `Authorization: Bearer …`. */
  secretKey: string;
  /** Processing channel of this MID (`pc_` + 26 characters); required by most NAS accounts. */
  processingChannelId?: string | undefined;
  /**
   * Ask Checkout.com to run 3-D Secure on customer-initiated payments that carry no completed
   * result (`3ds.enabled: true`). The answer is then `requires_action` with the redirect URL.
   * Default false (Checkout.com may still ask for 3-D Secure through your risk settings).
   */
  requestThreeDS?: boolean | undefined;
  /** Where Checkout.com sends the customer after a successful 3-D Secure redirect. */
  successUrl?: string | undefined;
  /** Where Checkout.com sends the customer after a failed 3-D Secure redirect. */
  failureUrl?: string | undefined;
  /**
   * Send partial captures as `capture_type: NonFinal`, so the rest of the authorization can be
   * captured later (needs multiple partial captures enabled on the Checkout.com account).
   * Default false: a partial capture is final and Checkout.com releases the rest.
   */
  multipleCaptures?: boolean | undefined;
  /**
   * The signature key of your workflow's webhook action: enables `router.handleWebhook` for this
   * MID. Captures, voids and refunds (answered 202) are settled by webhooks.
   */
  webhookSecret?: string | undefined;
}

/**
 * Create a Checkout.com adapter for one MID.
 * @example
 * import { checkout } from 'switchyard/adapters/checkout';
 * const adapter = checkout({ secretKey: process.env.CKO_SECRET_KEY!, processingChannelId: 'pc_…' });
 * // createRouter({ merchantAccounts: [{ id: 'cko-eu', adapter, currencies: ['EUR'] }], … })
 */
export function checkout(options: CheckoutOptions): GatewayAdapter {
  const problems: { path: string; message: string }[] = [];
  if (typeof options?.secretKey !== 'string' || options.secretKey.trim() === '')
    problems.push({ path: 'secretKey', message: 'is required (sk_… or sk_sbox_…)' });
  if (options?.processingChannelId !== undefined && !/^pc_\w{26}$/.test(options.processingChannelId)) {
    problems.push({ path: 'processingChannelId', message: 'must be pc_ followed by 26 characters' });
  }
  if (options?.webhookSecret !== undefined && (typeof options.webhookSecret !== 'string' || options.webhookSecret.trim() === ''))
    problems.push({ path: 'webhookSecret', message: "must be the webhook action's signature key" });
  if (problems.length) throw new ConfigError(problems);

  const client = createHttpClient(CHECKOUT_LIVE_URL, options);
  const headers = (idempotencyKey?: string) => ({
    Authorization: `Bearer ${options.secretKey}`,
    'Content-Type': 'application/json',
    Accept: 'application/json',
    ...(idempotencyKey && { 'Cko-Idempotency-Key': idempotencyKey }),
  });
  const settings = {
    processingChannelId: options.processingChannelId,
    requestThreeDS: options.requestThreeDS,
    successUrl: options.successUrl,
    failureUrl: options.failureUrl,
  };

  /** POST with the idempotency key: Checkout.com replays the first answer, so transport retries are safe. */
  function post(path: string, body: unknown, idempotencyKey: string, opts?: CallOptions): Promise<AxiosResponse | GatewayError> {
    return send(
      client,
      { method: 'POST', url: path, data: body, headers: headers(idempotencyKey) },
      {
        idempotent: true,
        retries: options.transportRetries,
        signal: opts?.signal,
        timeoutMs: opts?.timeoutMs,
      },
    );
  }

  /** Turn a bad-input exception into a non-ambiguous error naming the field; nothing was sent. */
  function refused(error: unknown): GatewayResult {
    if (error instanceof CheckoutInputError) return { status: 'error', ambiguous: false, code: 'invalid_request', message: error.message };
    throw error;
  }

  async function pay(operation: 'authorize' | 'sale' | 'verify', req: GatewayPaymentRequest, opts?: CallOptions): Promise<GatewayResult> {
    let body: ReturnType<typeof buildPaymentBody>;
    try {
      body = buildPaymentBody(req, operation, settings);
    } catch (e) {
      return refused(e);
    }
    const res = await post('/payments', body, req.reference, opts);
    if (isTransportError(res)) return res;
    return parsePaymentAnswer(res.status, res.data, { amount: operation === 'verify' ? 0 : req.amount, currency: req.currency });
  }

  async function act(operation: 'capture' | 'void' | 'refund', req: GatewayFollowUpRequest, opts?: CallOptions): Promise<GatewayResult> {
    if (!isPaymentId(req.gatewayTransactionId)) {
      return {
        status: 'error',
        ambiguous: false,
        code: 'invalid_request',
        message: 'gatewayTransactionId: must be a Checkout.com payment id (pay_…)',
      };
    }
    let body: ReturnType<typeof buildCaptureBody | typeof buildRefundBody | typeof buildVoidBody>;
    try {
      body =
        operation === 'capture'
          ? buildCaptureBody(req, options.multipleCaptures)
          : operation === 'refund'
            ? buildRefundBody(req)
            : buildVoidBody(req);
    } catch (e) {
      return refused(e);
    }
    const path = `/payments/${req.gatewayTransactionId}/${operation === 'capture' ? 'captures' : operation === 'void' ? 'voids' : 'refunds'}`;
    const res = await post(path, body, req.reference, opts);
    if (isTransportError(res)) return res;
    return parseActionAnswer(operation, req.gatewayTransactionId, res.status, res.data);
  }

  const capabilities: AdapterCapabilities = {
    authorize: true,
    sale: true,
    capture: true,
    partialCapture: true,
    void: true,
    refund: true,
    partialRefund: true,
    verify: true,
    // The 2022-07 API has no search by reference; `lookup` works only with the pay_ id.
    lookup: false,
    idempotencyKeys: true,
    threeDS: true,
  };

  return {
    gateway: 'checkout',
    declineTable: checkoutDeclines,
    capabilities,
    ...(options.webhookSecret && { webhooks: checkoutWebhooks(options.webhookSecret) }),
    /** `GET /payments/{id}/actions`: the outcome of a capture, void or refund Checkout.com accepted (202). */
    async followUpStatus(req: GatewayFollowUpStatusRequest, opts?: CallOptions): Promise<GatewayFollowUpStatus> {
      if (!isPaymentId(req.gatewayTransactionId))
        return { status: 'error', ambiguous: true, message: 'gatewayTransactionId: must be a Checkout.com payment id (pay_…)' };
      const res = await send(
        client,
        { method: 'GET', url: `/payments/${req.gatewayTransactionId}/actions`, headers: headers() },
        { idempotent: true, retries: options.transportRetries, signal: opts?.signal, timeoutMs: opts?.timeoutMs },
      );
      if (isTransportError(res)) return { ...res, ambiguous: true };
      const actionId = req.operation === 'refund' ? req.acceptedId : undefined;
      return parseActionsAnswer(req.operation, req.gatewayTransactionId, { reference: req.reference, actionId }, res.status, res.data);
    },
    authorize: (req, opts) => pay('authorize', req, opts),
    sale: (req, opts) => pay('sale', req, opts),
    verify: (req, opts) => pay('verify', req, opts),
    capture: (req, opts) => act('capture', req, opts),
    void: (req, opts) => act('void', req, opts),
    refund: (req, opts) => act('refund', req, opts),
    /**
     * `GET /payments/{id}`. Checkout.com's 2022-07 API cannot search by our reference, so this
     * needs `gatewayTransactionId` (capability `lookup` is false for that reason); it checks that
     * the payment carries our reference.
     */
    async lookup(req: GatewayLookupRequest, opts?: CallOptions): Promise<GatewayLookupResult> {
      if (!isPaymentId(req.gatewayTransactionId)) {
        return {
          status: 'error',
          ambiguous: false,
          code: 'unsupported',
          message: 'gatewayTransactionId: Checkout.com can only look a payment up by its pay_ id',
        };
      }
      const res = await send(
        client,
        { method: 'GET', url: `/payments/${req.gatewayTransactionId}`, headers: headers() },
        {
          idempotent: true,
          retries: options.transportRetries,
          signal: opts?.signal,
          timeoutMs: opts?.timeoutMs,
        },
      );
      if (isTransportError(res)) return res;
      return parseLookupAnswer(res.status, res.data, req.reference, req.currency);
    },
  };
}
