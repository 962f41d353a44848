/**
 * `authorizenet()`: the Authorize.Net adapter (JSON API, `createTransactionRequest`).
 * One instance per merchant account (API Login ID + Transaction Key).
 *
 * - Authorize.Net has no idempotency key; it rejects a repeat of the same card, amount and
 *   invoice number within its duplicate window (reason 11). Our attempt reference is sent as
 *   `refId` and `order.invoiceNumber`, and a request is resent only when it certainly never
 *   left this machine.
 * - No 3-D Secure challenge flow exists in this API: results are never `requires_action`.
 *   A completed authentication (ECI + CAVV) is passed in `cardholderAuthentication`.
 * - Lookup by our reference: `getTransactionDetailsRequest` when the gateway transaction id is
 *   known; otherwise the newest 1,000 unsettled transactions are searched for our invoice
 *   number. A reference not found there is reported as an ambiguous error, never `not_found`:
 *   the API cannot prove a transaction does not exist (it may have settled already).
 * @module
 */
import type { AxiosResponse } from 'axios';
import type {
  AdapterCapabilities,
  CallOptions,
  GatewayAdapter,
  GatewayCompletionRequest,
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
import {
  AuthorizeNetRequestError,
  captureRequest,
  detailsRequest,
  findInUnsettled,
  parseBody,
  paymentRequest,
  refundRequest,
  toLookupResult,
  toResult,
  unsettledListRequest,
  voidRequest,
  type AuthorizeNetCredentials,
} from './wire';
import { authorizenetDeclines } from './declines';
import { authorizeNetWebhooks } from './webhooks';

/** Live endpoint. */
export const AUTHORIZENET_LIVE_URL = 'https://api.authorize.net/xml/v1/request.api';
/** Sandbox endpoint (developer accounts). */
export const AUTHORIZENET_SANDBOX_URL = 'https://apitest.authorize.net/xml/v1/request.api';

/** Options of `authorizenet()`. `baseUrl` is the full endpoint URL. */
export interface AuthorizeNetOptions extends HttpAdapterOptions, AuthorizeNetCredentials {
  /**
   * Create a customer payment profile (Authorize.Net's vault, the Customer Information Manager)
   * from the initial transaction of each subscription (`profile.createProfile`), so its rebills
   * charge the profile and never need the card. Default false; the account needs CIM enabled.
   */
  customerProfiles?: boolean | undefined;
  /**
   * You run 3-D Secure on your own 3-D Secure server (Authorize.Net hosts no challenge). With it,
   * the MID can take a challenge (capability `challenge`): a step-up or a `threeDS: 'required'`
   * rule answers `requires_action` with an `sdk` action for your page (gateway `authorizenet`,
   * flow `external`), and `completeAction` authorizes again with the card and `{ eci, cavv }` in
   * `cardholderAuthentication`. Default false.
   */
  externalThreeDS?: boolean | undefined;
  /**
   * The merchant's Signature Key (Account → Settings → API Credentials and Keys): enables
   * `router.handleWebhook` for this MID.
   */
  webhookSecret?: string | undefined;
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
  networkTokens: true,
  networkTransactionIdWithCard: true,
};

type Body = Record<string, unknown>;

/**
 * Create an Authorize.Net adapter for one merchant account.
 * @example
 * const anet = authorizenet({ apiLoginId: process.env.ANET_LOGIN!, transactionKey: process.env.ANET_KEY! });
 * const sandboxed = authorizenet({ apiLoginId, transactionKey, baseUrl: AUTHORIZENET_SANDBOX_URL });
 */
export function authorizenet(options: AuthorizeNetOptions): GatewayAdapter {
  if (!options || typeof options.apiLoginId !== 'string' || !options.apiLoginId || options.apiLoginId.length > 25) {
    throw new TypeError('authorizenet: apiLoginId is required (at most 25 characters)');
  }
  if (typeof options.transactionKey !== 'string' || !options.transactionKey || options.transactionKey.length > 16) {
    throw new TypeError('authorizenet: transactionKey is required (at most 16 characters)');
  }
  if (options.webhookSecret !== undefined && (typeof options.webhookSecret !== 'string' || options.webhookSecret.trim() === '')) {
    throw new TypeError('authorizenet: webhookSecret must be the Signature Key');
  }
  const credentials: AuthorizeNetCredentials = { apiLoginId: options.apiLoginId, transactionKey: options.transactionKey };
  const client = createHttpClient(AUTHORIZENET_LIVE_URL, options);
  const build = { customerProfiles: options.customerProfiles === true };
  const retries = options.transportRetries;

  /** POST one API call; resolves with the parsed body or a GatewayError. */
  async function call(body: Body, opts?: CallOptions): Promise<{ body: Body; status: number } | GatewayError> {
    const res = await send<string>(
      client,
      {
        method: 'POST',
        url: '',
        data: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
        responseType: 'text',
        transformResponse: [(d: unknown) => d],
      },
      { ...opts, idempotent: false, retries },
    );
    if (isTransportError(res as AxiosResponse | GatewayError)) return res as GatewayError;
    const r = res as AxiosResponse<string>;
    if (r.status >= 500) return serverError(r, 'Authorize.Net');
    if (r.status !== 200)
      return { status: 'error', ambiguous: false, httpStatus: r.status, message: `Authorize.Net answered HTTP ${r.status}` };
    try {
      return { body: parseBody(r.data), status: r.status };
    } catch {
      // A 200 we cannot read: the transaction may have run.
      return {
        status: 'error',
        ambiguous: true,
        httpStatus: r.status,
        message: 'Authorize.Net answered HTTP 200 with a body that is not JSON',
      };
    }
  }

  /** Build (may throw a request error), call, map. */
  async function run(build: () => Body, currency: string, opts?: CallOptions, originalTransactionId?: string): Promise<GatewayResult> {
    let body: Body;
    try {
      body = build();
    } catch (e) {
      if (e instanceof AuthorizeNetRequestError)
        return { status: 'error', ambiguous: false, code: 'invalid_request', message: redact(e.message) };
      throw e;
    }
    const res = await call(body, opts);
    if ('ambiguous' in res) return res;
    return toResult(res.body, currency, res.status, originalTransactionId);
  }

  async function lookup(req: GatewayLookupRequest, opts?: CallOptions): Promise<GatewayLookupResult> {
    let id = req.gatewayTransactionId;
    if (!id) {
      const list = await call(unsettledListRequest(credentials), opts);
      if ('ambiguous' in list) return list;
      const messages = list.body.messages as { resultCode?: string } | undefined;
      if (messages?.resultCode !== 'Ok') return toLookupResult(list.body, req.reference);
      id = findInUnsettled(list.body, req.reference);
      if (!id) {
        return {
          status: 'error',
          ambiguous: true,
          message: `reference ${req.reference} is not among Authorize.Net's newest unsettled transactions; it may never have run or may have settled already: check the Merchant Interface`,
        };
      }
    }
    let body: Body;
    try {
      body = detailsRequest(id, credentials);
    } catch (e) {
      if (e instanceof AuthorizeNetRequestError) return { status: 'error', ambiguous: false, code: 'invalid_request', message: e.message };
      throw e;
    }
    const res = await call(body, opts);
    if ('ambiguous' in res) return res;
    return toLookupResult(res.body, req.reference);
  }

  const pay = (kind: 'authorize' | 'sale', req: GatewayPaymentRequest, opts?: CallOptions) =>
    run(() => paymentRequest(kind, req, credentials), req.currency, opts);

  return {
    gateway: 'authorizenet',
    ...(options.webhookSecret && { webhooks: authorizeNetWebhooks(options.webhookSecret) }),
    declineTable: authorizenetDeclines,
    capabilities: { ...CAPABILITIES, challenge: options.externalThreeDS === true },
    /** Your 3-D Secure server authenticates the cardholder (`externalThreeDS`): the action says so. No call. */
    authenticate: async (req) => clientSideAction('authorizenet', req, { flow: 'external' }),
    /**
     * Authorizes again on this MID with the card and the values your 3-D Secure server gave
     * (`cardholderAuthentication`: ECI and CAVV), under the completion's reference as `refId` and
     * invoice number, so a lookup finds it and the duplicate check does not take it for the first call.
     */
    async complete(req: GatewayCompletionRequest, opts?: CallOptions): Promise<GatewayResult> {
      const failed = failedAuthentication(req);
      if (failed) return failed;
      const payment = resendPayment(req, { card: true, threeDS: ['eci', 'cavv'] });
      if ('status' in payment) return payment;
      return pay(req.operation === 'sale' ? 'sale' : 'authorize', payment, opts);
    },
    authorize: (req: GatewayPaymentRequest, opts?: CallOptions) =>
      run(() => paymentRequest('authorize', req, credentials, build), req.currency, opts),
    sale: (req: GatewayPaymentRequest, opts?: CallOptions) =>
      run(() => paymentRequest('sale', req, credentials, build), req.currency, opts),
    capture: (req: GatewayFollowUpRequest, opts?: CallOptions) =>
      run(() => captureRequest(req, credentials), req.currency, opts, req.gatewayTransactionId),
    void: (req: GatewayFollowUpRequest, opts?: CallOptions) => run(() => voidRequest(req, credentials), req.currency, opts),
    refund: (req: GatewayFollowUpRequest, opts?: CallOptions) => run(() => refundRequest(req, credentials), req.currency, opts),
    lookup,
  };
}
