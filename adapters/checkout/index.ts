/**
 * `checkout()`: the Checkout.com adapter (unified payments API "NAS", version 2022-07).
 * One instance per MID: each Checkout.com secret key (and processing channel) is one MID.
 * @module
 */
import type { AxiosResponse } from 'axios';
import type {
  AdapterCapabilities,
  CallOptions,
  GatewayAbandonRequest,
  GatewayAdapter,
  GatewayCompletionRequest,
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
  isSessionId,
  parseAbandonAnswer,
  parseActionAnswer,
  parseCompletionAnswer,
  type ChallengeIndicator,
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

  async function pay(
    operation: 'authorize' | 'sale' | 'verify',
    req: GatewayPaymentRequest,
    opts?: CallOptions,
    threeDS?: { indicator: ChallengeIndicator; keySuffix: string },
  ): Promise<GatewayResult> {
    let body: ReturnType<typeof buildPaymentBody>;
    try {
      body = buildPaymentBody(req, operation, threeDS ? { ...settings, forceThreeDS: threeDS.indicator } : settings);
    } catch (e) {
      return refused(e);
    }
    const res = await post('/payments', body, `${req.reference}${threeDS?.keySuffix ?? ''}`, opts);
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
    networkTokens: true,
    // `previous_payment_id` takes "the Scheme Transaction ID" of a series begun elsewhere, with the card.
    networkTransactionIdWithCard: true,
    challenge: true,
  };

  /** `GET /payments/{id}` (a `pay_…` or a `sid_…` session id). */
  const read = (id: string, opts?: CallOptions) =>
    send(
      client,
      { method: 'GET', url: `/payments/${id}`, headers: headers() },
      { idempotent: true, retries: options.transportRetries, signal: opts?.signal, timeoutMs: opts?.timeoutMs },
    );

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
    /** Checkout.com lapses an unfinished 3-D Secure payment after 15 minutes (20152); the router waits a minute more. */
    actionLifetimeMs: 16 * 60_000,
    /**
     * A payment with `3ds.enabled: true` (`challenge_requested` on a step-up, whose idempotency key
     * gets a `-3ds` suffix; `no_preference` when a rule requires 3-D Secure). Answers 202 Pending
     * with the redirect link.
     */
    authenticate: (req, opts) =>
      pay(req.operation, req, opts, {
        indicator: req.reason === 'step_up' ? 'challenge_requested' : 'no_preference',
        keySuffix: req.reason === 'step_up' ? '-3ds' : '',
      }),
    /**
     * The cardholder came back from the redirect (`cko-session-id` in the return URL, optional):
     * `GET /payments/{id}` says what the issuer decided. Nothing is sent again.
     */
    async complete(req: GatewayCompletionRequest, opts?: CallOptions): Promise<GatewayResult> {
      const paymentId = req.gatewayTransactionId;
      if (!isPaymentId(paymentId))
        return { status: 'error', ambiguous: false, message: 'the challenged attempt has no Checkout.com payment id' };
      const sid = req.input.sessionId;
      if (sid !== undefined && !isSessionId(sid))
        return { status: 'error', ambiguous: false, code: 'invalid_request', message: 'input.sessionId: must be a cko-session-id (sid_…)' };
      const res = await read(sid ?? paymentId, opts);
      if (isTransportError(res)) return { ...res, ambiguous: false };
      return parseCompletionAnswer(res.status, res.data, {
        paymentId,
        reference: req.reference,
        amount: req.amount,
        currency: req.currency,
        action: req.action,
      });
    },
    /** An expired challenge: the payment is read; a Pending one is left for Checkout.com to lapse (asked again later). */
    async abandon(req: GatewayAbandonRequest, opts?: CallOptions): Promise<GatewayLookupResult> {
      const paymentId = req.gatewayTransactionId;
      if (!isPaymentId(paymentId)) return { status: 'not_found' };
      const res = await read(paymentId, opts);
      if (isTransportError(res)) return res;
      return parseAbandonAnswer(res.status, res.data, { paymentId, reference: req.reference, currency: req.currency });
    },
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
