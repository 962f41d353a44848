/**
 * `nmi()`: the NMI Payment API ("Direct Post") adapter — form-encoded POSTs to
 * `/api/transact.php`, URL-encoded answers, and lookups by our reference through the Query API.
 * One adapter instance per MID (one security key, optionally one `processor_id`).
 *
 * NMI has no idempotency key: the only transport retries are those that cannot have reached NMI
 * (connection refused, DNS). A timeout after sending is reported as ambiguous, never resent.
 * @module
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
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
import { ConfigError } from '../../src/errors';
import { clientSideAction, failedAuthentication, resendPayment } from '../shared/three-d-secure';
import { createHttpClient, isTransportError, send, serverError, type HttpAdapterOptions } from '../shared/http';
import {
  NMI_LIVE_URL,
  NmiRequestError,
  QUERY_PATH,
  TRANSACT_PATH,
  captureFields,
  lookupFields,
  parseLookup,
  parseResponse,
  paymentFields,
  refundFields,
  toGatewayResult,
  voidFields,
  type NmiFields,
  type ResultContext,
} from './wire';
import { nmiDeclines } from './declines';
import { nmiWebhooks } from './webhooks';

/** Options of `nmi()`. */
export interface NmiOptions extends HttpAdapterOptions {
  /** The MID's API security key (Settings → Security Keys in the NMI merchant portal). */
  securityKey: string;
  /** `processor_id` of the MID when the NMI account routes to several processors. */
  processorId?: string | undefined;
  /**
   * Add the card to NMI's Customer Vault on the initial payment of a subscription
   * (`customer_vault=add_customer`), so rebills can charge the returned `customer_vault_id`
   * without your own card vault. Default true; needs the Customer Vault service on the account.
   */
  vaultOnInitial?: boolean | undefined;
  /** The signing key of the merchant's webhook settings: enables `router.handleWebhook` for this MID. */
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
  verify: true,
  lookup: true,
  idempotencyKeys: false,
  threeDS: true,
  networkTokens: false,
  // `initial_transaction_id` is NMI's own id: a card vaulted elsewhere starts a new series here.
  networkTransactionIdWithCard: false,
  challenge: true,
};

function invalid(e: unknown): GatewayError {
  if (e instanceof NmiRequestError) return { status: 'error', ambiguous: false, code: 'invalid_request', message: e.message };
  throw e;
}

/** An HTTP answer that is not a 200 with a body: rate limit, server error, or a refused request. */
function httpProblem(res: AxiosResponse): GatewayError | undefined {
  if (res.status === 429)
    return {
      status: 'error',
      ambiguous: false,
      httpStatus: 429,
      code: '429',
      message: 'NMI rate limit (HTTP 429): back off and use fewer parallel connections',
    };
  if (res.status >= 500) return serverError(res, 'NMI');
  if (res.status !== 200) {
    return {
      status: 'error',
      ambiguous: false,
      httpStatus: res.status,
      merchantError: true,
      message: `NMI answered HTTP ${res.status}: check baseUrl and the MID's credentials`,
    };
  }
  return undefined;
}

/**
 * Create an NMI adapter for one MID.
 * @example
 * import { nmi } from 'switchyard/adapters/nmi';
 * const adapter = nmi({ securityKey: process.env.NMI_SECURITY_KEY! });
 * // createRouter({ merchantAccounts: [{ id: 'nmi-main', adapter, currencies: ['USD'] }], ... })
 */
export function nmi(options: NmiOptions): GatewayAdapter {
  if (typeof options !== 'object' || options === null) throw new ConfigError([{ path: 'nmi(options)', message: 'must be an object' }]);
  if (typeof options.securityKey !== 'string' || options.securityKey.trim() === '') {
    throw new ConfigError([{ path: 'securityKey', message: "is required: the MID's NMI API security key" }]);
  }
  if (options.processorId !== undefined && (typeof options.processorId !== 'string' || options.processorId === '')) {
    throw new ConfigError([{ path: 'processorId', message: 'must be a non-empty string' }]);
  }
  if (options.webhookSecret !== undefined && (typeof options.webhookSecret !== 'string' || options.webhookSecret.trim() === '')) {
    throw new ConfigError([{ path: 'webhookSecret', message: 'must be the webhook signing key' }]);
  }
  const client: AxiosInstance = createHttpClient(NMI_LIVE_URL, options);
  const build = { processorId: options.processorId, vaultOnInitial: options.vaultOnInitial ?? true };

  function post(path: string, fields: NmiFields, opts: CallOptions | undefined, idempotent: boolean) {
    return send<string>(
      client,
      {
        method: 'POST',
        url: path,
        data: new URLSearchParams({ security_key: options.securityKey, ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/plain, application/xml' },
        responseType: 'text',
        transformResponse: (d: unknown) => d,
      },
      // send() applies the tighter of this adapter's timeoutMs and the router's per-call budget.
      { ...opts, idempotent, retries: options.transportRetries },
    );
  }

  async function transact(fields: NmiFields, ctx: ResultContext, opts?: CallOptions): Promise<GatewayResult> {
    const res = await post(TRANSACT_PATH, fields, opts, false);
    if (isTransportError(res)) return res;
    const problem = httpProblem(res);
    if (problem) return problem;
    const parsed = parseResponse(res.data);
    if (!parsed)
      return {
        status: 'error',
        ambiguous: true,
        httpStatus: res.status,
        message: 'NMI answered HTTP 200 with a body that is not a transaction response: outcome unknown',
      };
    return toGatewayResult(parsed, ctx);
  }

  const pay =
    (type: 'sale' | 'auth' | 'validate') =>
    async (req: GatewayPaymentRequest, opts?: CallOptions): Promise<GatewayResult> => {
      let fields: NmiFields;
      try {
        const perMid = req.merchant.settings?.processorId;
        fields = paymentFields(type, req, { ...build, processorId: typeof perMid === 'string' && perMid ? perMid : build.processorId });
      } catch (e) {
        return invalid(e);
      }
      return transact(
        fields,
        {
          kind: 'payment',
          currency: req.currency,
          amount: type === 'validate' ? 0 : req.amount,
          authenticated: Boolean(req.threeDS?.cavv),
        },
        opts,
      );
    };

  const followUp =
    (make: (req: GatewayFollowUpRequest) => NmiFields) =>
    async (req: GatewayFollowUpRequest, opts?: CallOptions): Promise<GatewayResult> => {
      let fields: NmiFields;
      try {
        fields = make(req);
      } catch (e) {
        return invalid(e);
      }
      return transact(
        fields,
        { kind: 'followup', currency: req.currency, amount: req.amount, originalTransactionId: req.gatewayTransactionId },
        opts,
      );
    };

  return {
    gateway: 'nmi',
    ...(options.webhookSecret && { webhooks: nmiWebhooks(options.webhookSecret) }),
    declineTable: nmiDeclines,
    capabilities: CAPABILITIES,
    authorize: pay('auth'),
    sale: pay('sale'),
    verify: pay('validate'),
    capture: followUp(captureFields),
    void: followUp(voidFields),
    refund: followUp(refundFields),
    /**
     * NMI runs 3-D Secure in the browser before the authorization (Gateway.js Payer
     * Authentication, `gateway.get3DSecure()`): the action tells the page to run it. No call.
     */
    authenticate: async (req) => clientSideAction('nmi', req, { flow: 'gateway.js payer authentication' }),
    /**
     * Authorizes again on this MID with the card and the values Gateway.js gave (`cardholder_auth`,
     * `cavv`, `xid`, `three_ds_version`, `directory_server_id`), under the completion's reference
     * as `orderid`, so a lookup finds it.
     */
    async complete(req: GatewayCompletionRequest, opts?: CallOptions): Promise<GatewayResult> {
      const failed = failedAuthentication(req);
      if (failed) return failed;
      const payment = resendPayment(req, { card: true, threeDS: ['cavv'] });
      if ('status' in payment) return payment;
      const type = req.operation === 'sale' ? 'sale' : req.operation === 'verify' && req.amount === 0 ? 'validate' : 'auth';
      return pay(type)(payment, opts);
    },
    async lookup(req: GatewayLookupRequest, opts?: CallOptions): Promise<GatewayLookupResult> {
      const res = await post(QUERY_PATH, lookupFields(req.reference), opts, true); // read-only: safe to resend
      if (isTransportError(res)) return res;
      return httpProblem(res) ?? parseLookup(res.data, req.reference);
    },
  };
}
