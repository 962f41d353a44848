/**
 * The contract between the router and a gateway adapter. Adapters build the gateway's request,
 * parse its answer and report what happened; they never retry on another MID or cascade.
 * @module
 */
import type { AddressInput, CardInput, CustomerInput, RequiredAction, ThreeDSResult } from './types';
import type { GatewayDeclineTable } from './declines/tables';
import type { GatewayWebhooks } from './notifications';

/** What an adapter can do; the router skips MIDs whose adapter cannot do an operation. */
export interface AdapterCapabilities {
  authorize: boolean;
  sale: boolean;
  capture: boolean;
  partialCapture: boolean;
  void: boolean;
  refund: boolean;
  partialRefund: boolean;
  /** Zero-amount card verification. */
  verify: boolean;
  /** Look up a transaction by our reference (resolves ambiguous outcomes). */
  lookup: boolean;
  /** The gateway deduplicates requests by idempotency key, so a same-MID retry cannot charge twice. */
  idempotencyKeys: boolean;
  /** Accepts completed 3-D Secure data on authorize/sale. */
  threeDS: boolean;
}

/** Stored-credential framing of a payment (card-network rules for subscriptions). */
export type StoredCredential =
  | { type: 'initial'; reason: 'recurring' | 'unscheduled' }
  | {
      type: 'subsequent';
      initiator: 'merchant';
      reason: 'recurring' | 'unscheduled';
      /** Network transaction id of the initial transaction (Visa TID / Mastercard trace id). */
      networkTransactionId?: string | undefined;
      /** Gateway vault reference (customer/payment method) kept by the pin. */
      gatewayToken?: string | undefined;
      /** Gateway transaction id of the initial transaction. */
      previousGatewayTransactionId?: string | undefined;
    };

/** Credentials and settings of one MID, passed to every adapter call. */
export interface MerchantContext {
  /** Our MID id. */
  id: string;
  /** Soft descriptor for the cardholder's statement. */
  descriptor?: string | undefined;
  /** Adapter-specific settings of this MID (e.g. Adyen merchantAccount). */
  settings?: Readonly<Record<string, unknown>> | undefined;
}

/** A payment sent to a gateway: authorize, sale or verify. */
export interface GatewayPaymentRequest {
  /** Our unique reference of this attempt: the gateway's order id and idempotency key. */
  reference: string;
  /** Our transaction id (several attempts share it when the router cascades). */
  transactionId: string;
  amount: number;
  currency: string;
  /** Card data; on a rebill with a gateway token, `number` may be absent. */
  card?: CardInput | undefined;
  customer?: CustomerInput | undefined;
  billing?: AddressInput | undefined;
  storedCredential?: StoredCredential | undefined;
  threeDS?: ThreeDSResult | undefined;
  metadata?: Readonly<Record<string, string>> | undefined;
  merchant: MerchantContext;
}

/** A follow-up on an earlier gateway transaction: capture, void or refund. */
export interface GatewayFollowUpRequest {
  reference: string;
  transactionId: string;
  /** The gateway's id of the original authorization/sale. */
  gatewayTransactionId: string;
  amount: number;
  currency: string;
  /** Amount of the original authorization. */
  originalAmount: number;
  /** BIN and last four of the card (Authorize.Net refunds need the last four). */
  card?: { bin: string; last4: string; expMonth?: number | undefined; expYear?: number | undefined } | undefined;
  merchant: MerchantContext;
}

/** A lookup of an earlier attempt by our reference. */
export interface GatewayLookupRequest {
  reference: string;
  transactionId: string;
  gatewayTransactionId?: string | undefined;
  amount: number;
  currency: string;
  merchant: MerchantContext;
}

/** The gateway approved. */
export interface GatewayApproved {
  status: 'approved';
  gatewayTransactionId: string;
  authCode?: string | undefined;
  networkTransactionId?: string | undefined;
  /** Vault reference for later merchant-initiated charges, when the gateway gives one. */
  gatewayToken?: string | undefined;
  /** Amount approved when it differs from the request (partial approval); never more than requested. */
  approvedAmount?: number | undefined;
  avsResult?: string | undefined;
  cvvResult?: string | undefined;
  /**
   * The gateway authorized it but holds it for the merchant's review; not final (e.g.
   * Authorize.Net responseCode 4): the merchant approves or declines it at the gateway later.
   */
  heldForReview?: boolean | undefined;
  /**
   * The gateway accepted a capture, void or refund but decides it later and reports the outcome
   * by notification (Adyen `received`, Checkout.com `202`): recorded as pending, not yet final.
   */
  pending?: boolean | undefined;
}

/** The gateway or issuer declined. */
export interface GatewayDeclined {
  status: 'declined';
  code?: string | undefined;
  message?: string | undefined;
  /** Mastercard Merchant Advice Code or the gateway's advice code. */
  advice?: string | undefined;
  gatewayTransactionId?: string | undefined;
  /**
   * The CVV/CVC check result on the declined attempt, as the gateway reports it (`N`, Stripe
   * `fail`…). `normalizeDecline` uses it only when the code says nothing specific.
   */
  cvvResult?: string | undefined;
  /** The AVS result on the declined attempt, as the gateway reports it; used like `cvvResult`. */
  avsResult?: string | undefined;
}

/** The customer must authenticate (3-D Secure). */
export interface GatewayRequiresAction {
  status: 'requires_action';
  action: RequiredAction;
  gatewayTransactionId?: string | undefined;
}

/** The call failed. `ambiguous` when the request may have reached the gateway. */
export interface GatewayError {
  status: 'error';
  ambiguous: boolean;
  message: string;
  code?: string | undefined;
  /** HTTP status, when there was a response. */
  httpStatus?: number | undefined;
  /** The gateway refused our credentials or MID configuration (not the card). */
  merchantError?: boolean | undefined;
}

/** What an adapter reports for one call. */
export type GatewayResult = GatewayApproved | GatewayDeclined | GatewayRequiresAction | GatewayError;

/** What a lookup found. */
export type GatewayLookupResult = GatewayApproved | GatewayDeclined | { status: 'not_found' } | GatewayError;

/** A question about a follow-up the gateway accepted and decides later (reconciliation). */
export interface GatewayFollowUpStatusRequest extends GatewayFollowUpRequest {
  operation: 'capture' | 'void' | 'refund';
  /** What the gateway answered when it accepted it (a modification or action id, when it gave one). */
  acceptedId?: string | undefined;
}

/**
 * What the gateway says of an accepted follow-up: approved or declined when decided; an
 * ambiguous error while it is still undecided (or the gateway cannot say).
 */
export type GatewayFollowUpStatus = GatewayApproved | GatewayDeclined | GatewayError;

/** Per-call options from the router. */
export interface CallOptions {
  /** Aborts the call when the router's time budget runs out. */
  signal?: AbortSignal | undefined;
  /** Time allowed for this call. */
  timeoutMs?: number | undefined;
}

/**
 * A gateway adapter. Implementations live in `adapters/<gateway>/`.
 * @example
 * const adapter: GatewayAdapter = sandbox();
 */
export interface GatewayAdapter {
  /** Adapter id: selects the decline table (`stripe`, `nmi`, `sandbox`…). */
  readonly gateway: string;
  readonly capabilities: AdapterCapabilities;
  /** Decline table for a gateway Switchyard does not ship. */
  readonly declineTable?: GatewayDeclineTable | undefined;
  /** Authorize only (the funds are held until a capture or a void). */
  authorize(req: GatewayPaymentRequest, opts?: CallOptions): Promise<GatewayResult>;
  /** Authorize and capture in one call where the gateway allows. */
  sale(req: GatewayPaymentRequest, opts?: CallOptions): Promise<GatewayResult>;
  /** Capture an authorization, fully or partially (`req.amount`). */
  capture(req: GatewayFollowUpRequest, opts?: CallOptions): Promise<GatewayResult>;
  /** Void (cancel) an authorization or an unsettled sale. */
  void(req: GatewayFollowUpRequest, opts?: CallOptions): Promise<GatewayResult>;
  /** Refund a captured payment, fully or partially (`req.amount`). */
  refund(req: GatewayFollowUpRequest, opts?: CallOptions): Promise<GatewayResult>;
  /** Zero-amount verification (capability `verify`). */
  verify?(req: GatewayPaymentRequest, opts?: CallOptions): Promise<GatewayResult>;
  /** Find an attempt by our reference (capability `lookup`). */
  lookup?(req: GatewayLookupRequest, opts?: CallOptions): Promise<GatewayLookupResult>;
  /** Signed notifications: present when the MID's adapter was given its signing secret. */
  readonly webhooks?: GatewayWebhooks | undefined;
  /** The outcome of a follow-up the gateway accepted and decides later, where the gateway can be asked. */
  followUpStatus?(req: GatewayFollowUpStatusRequest, opts?: CallOptions): Promise<GatewayFollowUpStatus>;
}
