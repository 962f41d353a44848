/**
 * `stripe()`: the Stripe adapter (PaymentIntents API, pinned to API version 2023-08-16).
 *
 * One adapter instance per MID: each Stripe account (secret key) is one merchant account.
 * @module
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import type {
  AdapterCapabilities,
  CallOptions,
  GatewayAbandonRequest,
  GatewayAdapter,
  GatewayCompletionRequest,
  GatewayError,
  GatewayFollowUpRequest,
  GatewayLookupRequest,
  GatewayLookupResult,
  GatewayPaymentRequest,
  GatewayResult,
} from '../../src/adapter';
import { ConfigError } from '../../src/errors';
import { createHttpClient, isTransportError, send, serverError, type HttpAdapterOptions } from '../shared/http';
import {
  REFERENCE_KEY,
  STRIPE_API_VERSION,
  abandonResultOf,
  completionResultOf,
  StripeInputError,
  captureBody,
  lookupResultOf,
  paymentIntentBody,
  paymentMethodBody,
  parseErrorResponse,
  parseFollowUpIntent,
  parsePaymentIntent,
  parseRefund,
  parseToken,
  refundBody,
  stripeCustomerId,
  toStripeAmount,
  type FormBody,
  type StripeList,
  type StripePaymentIntent,
  type StripePaymentMethod,
  type StripeRefund,
} from './wire';
import { stripeDeclines } from './declines';
import { stripeWebhooks } from './webhooks';

export { parseStripeSignature, STRIPE_WEBHOOK_TOLERANCE_SECONDS } from './webhooks';

/** Options of `stripe()`. */
export interface StripeOptions extends HttpAdapterOptions {
  /** Secret API key of this MID's Stripe account (`sk_live_…`, `sk_test_…` or a restricted `rk_…`). */
  secretKey: string;
  /**
   * `Stripe-Version` sent with every request. Default `2023-08-16`, the version this adapter's
   * wire format is built and tested against; change it only after checking the changelog.
   */
  apiVersion?: string | undefined;
  /**
   * Where Stripe sends the customer back after a 3-D Secure challenge. With it, a
   * `requires_action` result is a redirect URL; without it, it is an `sdk` action holding the
   * PaymentIntent's client secret for Stripe.js (`stripe.handleNextAction`).
   */
  returnUrl?: string | undefined;
  /** Lookup scans at most this many pages of 100 recent PaymentIntents. Default 5. */
  lookupMaxPages?: number | undefined;
  /** The webhook endpoint's signing secret (`whsec_…`, Dashboard → Webhooks): enables `router.handleWebhook` for this MID. */
  webhookSecret?: string | undefined;
  /** Tolerance of the `Stripe-Signature` timestamp, seconds. Default 300 (stripe-node's); 0 turns the check off. */
  webhookToleranceSeconds?: number | undefined;
}

/** Stripe's live API. */
const LIVE_URL = 'https://api.stripe.com';

/**
 * What the adapter can do. `lookup` is true with a limit: see `lookup` below. `verify` is false:
 * a zero-amount check needs SetupIntents, outside the API surface this adapter speaks.
 * `threeDS` is false: the pinned API version takes no 3-D Secure result from another provider;
 * Stripe runs 3-D Secure itself and the adapter reports `requires_action`.
 */
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
  idempotencyKeys: true,
  threeDS: false,
  // The pinned API version takes neither network tokens nor a network transaction id from elsewhere.
  networkTokens: false,
  networkTransactionIdWithCard: false,
  challenge: true,
};

/**
 * Create a Stripe adapter for one MID.
 * @example
 * const mid = { id: 'stripe-us', adapter: stripe({ secretKey: process.env.STRIPE_SECRET_KEY! }), currencies: ['USD'] };
 */
export function stripe(options: StripeOptions): GatewayAdapter {
  if (typeof options?.secretKey !== 'string' || !/^(sk|rk)_(test|live)_\S+$/.test(options.secretKey)) {
    throw new ConfigError([{ path: 'secretKey', message: 'must be a Stripe secret or restricted key (sk_live_…, sk_test_…, rk_…)' }]);
  }
  if (options.returnUrl !== undefined && !/^https?:\/\//.test(options.returnUrl)) {
    throw new ConfigError([{ path: 'returnUrl', message: 'must be an http(s) URL' }]);
  }
  if (options.webhookSecret !== undefined && (typeof options.webhookSecret !== 'string' || options.webhookSecret.trim() === ''))
    throw new ConfigError([{ path: 'webhookSecret', message: 'must be the endpoint signing secret (whsec_…)' }]);
  const tolerance = options.webhookToleranceSeconds;
  if (tolerance !== undefined && (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0))
    throw new ConfigError([{ path: 'webhookToleranceSeconds', message: 'must be a non-negative number of seconds' }]);
  const client = createHttpClient(LIVE_URL, options);
  const headers = { Authorization: `Bearer ${options.secretKey}`, 'Stripe-Version': options.apiVersion ?? STRIPE_API_VERSION };
  const maxPages = options.lookupMaxPages ?? 5;
  const call: Caller = (method, path, body, idempotencyKey, opts) =>
    request(client, headers, options.transportRetries, method, path, body, idempotencyKey, opts);

  async function pay(
    req: GatewayPaymentRequest,
    captureMethod: 'manual' | 'automatic',
    opts?: CallOptions,
    threeDS?: { request: 'any'; keySuffix: string },
  ): Promise<GatewayResult> {
    return guarded(async () => {
      toStripeAmount(req.amount, req.currency); // refuse an amount Stripe cannot take before creating anything
      const sc = req.storedCredential;
      const saved = sc?.type === 'subsequent' ? parseToken(sc.gatewayToken) : undefined;
      let paymentMethod = saved?.paymentMethod;
      const customer = saved?.customer ?? stripeCustomerId(req);
      if (!paymentMethod) {
        if (!req.card?.number) {
          throw new StripeInputError(
            'card',
            sc?.type === 'subsequent'
              ? "Stripe rebills need the saved PaymentMethod (the pin's gatewayToken) or the card; a network transaction id alone cannot be charged"
              : 'is required',
          );
        }
        // Raw card data goes to /v1/payment_methods first (see `paymentMethodBody`); keyed by our
        // reference so a retried attempt reuses the same PaymentMethod.
        const suffix = threeDS?.keySuffix ?? '';
        const created = await call<StripePaymentMethod>(
          'POST',
          '/v1/payment_methods',
          paymentMethodBody(req),
          `${req.reference}${suffix}-pm`,
          opts,
        );
        if (!created.ok) return created.result;
        paymentMethod = created.body.id;
      }
      const body = paymentIntentBody(req, {
        captureMethod,
        paymentMethod,
        customer,
        returnUrl: req.returnUrl ?? options.returnUrl,
        ...(threeDS && { requestThreeDSecure: threeDS.request }),
      });
      const r = await call<StripePaymentIntent>('POST', '/v1/payment_intents', body, `${req.reference}${threeDS?.keySuffix ?? ''}`, opts);
      return r.ok ? parsePaymentIntent(r.body, req) : r.result;
    });
  }

  async function intentAction(
    action: 'capture' | 'cancel',
    body: (req: GatewayFollowUpRequest) => FormBody,
    req: GatewayFollowUpRequest,
    opts?: CallOptions,
  ): Promise<GatewayResult> {
    return guarded(async () => {
      const path = `/v1/payment_intents/${encodeURIComponent(req.gatewayTransactionId)}/${action}`;
      const r = await call<StripePaymentIntent>('POST', path, body(req), req.reference, opts);
      return r.ok ? parseFollowUpIntent(r.body, action) : r.result;
    });
  }

  const retrieve = (id: string, opts?: CallOptions) =>
    call<StripePaymentIntent>('GET', `/v1/payment_intents/${encodeURIComponent(id)}`, { expand: ['latest_charge'] }, undefined, opts);

  return {
    gateway: 'stripe',
    declineTable: stripeDeclines,
    capabilities: CAPABILITIES,
    /**
     * A new PaymentIntent asking for 3-D Secure (`request_three_d_secure: any`). On a step-up
     * its idempotency keys get a `-3ds` suffix: the declined first PaymentIntent used the plain ones.
     */
    authenticate: (req, opts) =>
      pay(req, req.operation === 'sale' ? 'automatic' : 'manual', opts, {
        request: 'any',
        keySuffix: req.reason === 'step_up' ? '-3ds' : '',
      }),
    /**
     * The cardholder finished (or left) the challenge: the PaymentIntent is retrieved server-side
     * (`GET /v1/payment_intents/{id}`); nothing is confirmed again. A `paymentIntent` in the input
     * (the return URL's query) must be this transaction's.
     */
    async complete(req: GatewayCompletionRequest, opts?: CallOptions): Promise<GatewayResult> {
      const id = req.gatewayTransactionId;
      if (!id?.startsWith('pi_')) return { status: 'error', ambiguous: false, message: 'the challenged attempt has no PaymentIntent id' };
      if (req.input.paymentIntent !== undefined && req.input.paymentIntent !== id) {
        return {
          status: 'error',
          ambiguous: false,
          code: 'invalid_request',
          message: "input.paymentIntent: is not this transaction's PaymentIntent",
        };
      }
      const r = await retrieve(id, opts);
      return r.ok ? completionResultOf(r.body, { amount: req.amount, currency: req.currency }) : r.result;
    },
    /**
     * An expired challenge: its PaymentIntent is read, and cancelled while it still waits for the
     * cardholder, so it can never succeed after the ledger gave up on it. A PaymentIntent that
     * succeeded meanwhile is reported approved (Stripe's books win).
     */
    async abandon(req: GatewayAbandonRequest, opts?: CallOptions): Promise<GatewayLookupResult> {
      const id = req.gatewayTransactionId;
      if (!id?.startsWith('pi_')) return { status: 'not_found' };
      for (let round = 0; round < 2; round++) {
        const r = await retrieve(id, opts);
        if (!r.ok) return r.httpStatus === 404 ? { status: 'not_found' } : asLookupError(r.result);
        const found = abandonResultOf(r.body);
        if (found !== 'cancel') return found;
        const cancelled = await call<StripePaymentIntent>(
          'POST',
          `/v1/payment_intents/${encodeURIComponent(id)}/cancel`,
          {},
          `${req.reference}-expire`,
          opts,
        );
        if (cancelled.ok) {
          const after = abandonResultOf(cancelled.body);
          return after === 'cancel'
            ? { status: 'error', ambiguous: true, message: `Stripe PaymentIntent ${id} is still waiting after the cancel` }
            : after;
        }
        // The cancel was refused: the PaymentIntent moved on (e.g. it succeeded); read it again.
      }
      return { status: 'error', ambiguous: true, message: `Stripe PaymentIntent ${id} could not be cancelled` };
    },
    ...(options.webhookSecret && { webhooks: stripeWebhooks(options.webhookSecret, tolerance) }),
    authorize: (req, opts) => pay(req, 'manual', opts),
    sale: (req, opts) => pay(req, 'automatic', opts),
    capture: (req, opts) => intentAction('capture', captureBody, req, opts),
    /** Cancels an uncaptured PaymentIntent. A captured one cannot be canceled at Stripe: refund it. */
    void: (req, opts) => intentAction('cancel', () => ({}), req, opts),
    refund: (req, opts) =>
      guarded(async () => {
        const r = await call<StripeRefund>('POST', '/v1/refunds', refundBody(req), req.reference, opts);
        return r.ok ? parseRefund(r.body) : r.result;
      }),

    /**
     * Find an attempt by our reference.
     *
     * Stripe has no "find by merchant reference" in this API surface, and replaying the create
     * request with the same Idempotency-Key is no lookup: Stripe keeps keys for 24 hours only and
     * answers a replay with different parameters (the lookup has no card data) with an
     * idempotency error. So: with the PaymentIntent id, `GET /v1/payment_intents/{id}`; without
     * it, the newest PaymentIntents are listed (`GET /v1/payment_intents`, 100 a page, up to
     * `lookupMaxPages`) and matched on `metadata.switchyard_reference`, which every
     * PaymentIntent this adapter creates carries. `not_found` is returned only when the list
     * was read to its end; if the page limit stops the scan first, the answer is an error,
     * never a false "not found".
     */
    async lookup(req: GatewayLookupRequest, opts?: CallOptions): Promise<GatewayLookupResult> {
      if (req.gatewayTransactionId?.startsWith('pi_')) {
        const r = await call<StripePaymentIntent>(
          'GET',
          `/v1/payment_intents/${encodeURIComponent(req.gatewayTransactionId)}`,
          { expand: ['latest_charge'] },
          undefined,
          opts,
        );
        if (r.ok) return lookupResultOf(r.body);
        return r.httpStatus === 404 ? { status: 'not_found' } : asLookupError(r.result);
      }
      let startingAfter: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const query: FormBody = { limit: 100, ...(startingAfter && { starting_after: startingAfter }), expand: ['data.latest_charge'] };
        const r = await call<StripeList<StripePaymentIntent>>('GET', '/v1/payment_intents', query, undefined, opts);
        if (!r.ok) return asLookupError(r.result);
        const hit = r.body.data.find((pi) => pi.metadata?.[REFERENCE_KEY] === req.reference);
        if (hit) return lookupResultOf(hit);
        if (!r.body.has_more || r.body.data.length === 0) return { status: 'not_found' };
        startingAfter = r.body.data[r.body.data.length - 1].id;
      }
      return {
        status: 'error',
        ambiguous: true,
        message: `reference ${req.reference} is not among the ${maxPages * 100} newest Stripe PaymentIntents; search the Stripe dashboard for metadata ${REFERENCE_KEY}`,
      };
    },
  };
}

/** What one HTTP exchange gave: the parsed Stripe object, or the result to report instead. */
type Exchange<T> = { ok: true; body: T } | { ok: false; result: GatewayResult; httpStatus?: number };

type Caller = <T extends { object: string }>(
  method: 'GET' | 'POST',
  path: string,
  body: FormBody,
  idempotencyKey: string | undefined,
  opts?: CallOptions,
) => Promise<Exchange<T>>;

async function request<T extends { object: string }>(
  client: AxiosInstance,
  headers: Record<string, string>,
  retries: number | undefined,
  method: 'GET' | 'POST',
  path: string,
  body: FormBody,
  idempotencyKey: string | undefined,
  opts?: CallOptions,
): Promise<Exchange<T>> {
  const res = await send<unknown>(
    client,
    {
      method,
      url: path,
      headers: {
        ...headers,
        ...(idempotencyKey && { 'Idempotency-Key': idempotencyKey }),
        ...(method === 'POST' && { 'Content-Type': 'application/x-www-form-urlencoded' }),
      },
      ...(method === 'POST' ? { data: body } : { params: body }),
      // Stripe's bracket notation: nested objects as a[b]=…, arrays as a[]=….
      formSerializer: { dots: false, indexes: false },
      paramsSerializer: { indexes: false },
      responseType: 'json',
    },
    // Stripe deduplicates POSTs by Idempotency-Key, and GETs change nothing: transport retries are safe.
    { ...opts, idempotent: method === 'GET' || idempotencyKey !== undefined, retries: retries ?? 2 },
  );
  if (isTransportError(res)) return { ok: false, result: res };
  return exchangeOf<T>(res as AxiosResponse<unknown>);
}

function exchangeOf<T extends { object: string }>(res: AxiosResponse<unknown>): Exchange<T> {
  const data = res.data;
  if (res.status >= 500) return { ok: false, result: serverError(res, 'Stripe'), httpStatus: res.status };
  if (res.status >= 200 && res.status < 300) {
    if (data && typeof data === 'object' && typeof (data as { object?: unknown }).object === 'string') return { ok: true, body: data as T };
    // A 2xx whose body we cannot read: Stripe may well have processed the request.
    return {
      ok: false,
      httpStatus: res.status,
      result: {
        status: 'error',
        ambiguous: true,
        httpStatus: res.status,
        message: `Stripe answered HTTP ${res.status} with a body that is not a Stripe object`,
      },
    };
  }
  return { ok: false, httpStatus: res.status, result: parseErrorResponse(res.status, data) };
}

/** Bad input found before sending becomes a clear, non-ambiguous error naming the field. */
async function guarded(fn: () => Promise<GatewayResult>): Promise<GatewayResult> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StripeInputError) return { status: 'error', ambiguous: false, code: 'invalid_request', message: e.message };
    throw e;
  }
}

function asLookupError(r: GatewayResult): GatewayLookupResult {
  if (r.status === 'error') return r;
  return { status: 'error', ambiguous: true, message: `unexpected Stripe answer to a lookup (${r.status})` } satisfies GatewayError;
}
