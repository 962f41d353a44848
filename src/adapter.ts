/**
 * The contract between the router and a gateway adapter. Adapters build the gateway's request,
 * parse its answer and report what happened; they never retry on another MID or cascade.
 * @module
 */
import type { AddressInput, CardInput, CompletionInput, CustomerInput, RequiredAction, ThreeDSResult } from './types';
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
  /** Accepts completed 3-D Secure data from an external 3-D Secure server on authorize/sale (`PaymentRequest.threeDS`). */
  threeDS: boolean;
  /** Accepts a network token or a decrypted wallet token (`card.networkToken` + cryptogram) instead of a card number. */
  networkTokens?: boolean | undefined;
  /**
   * Takes a merchant-initiated charge as the card plus a network transaction id that another
   * acquirer issued, so a subscription moved here keeps its stored-credential chain.
   */
  networkTransactionIdWithCard?: boolean | undefined;
  /**
   * Can run a 3-D Secure challenge for the cardholder and finish it on the same MID: the adapter
   * implements `authenticate` (start one: a rule's `threeDS: 'required'`, or a step-up after an
   * `authentication_required` decline) and `complete` (finish it with what the page got back).
   * Absent = false.
   */
  challenge?: boolean | undefined;
}

/** Stored-credential framing of a payment (card-network rules for subscriptions). */
export type StoredCredential =
  | {
      type: 'initial';
      reason: 'recurring' | 'unscheduled';
      /**
       * Keep the card in this gateway's own vault (customer profile, vault record) for later
       * charges, where the adapter can. Absent means yes; false when the router's vault keeps cards elsewhere.
       */
      storeCard?: boolean | undefined;
    }
  | {
      type: 'subsequent';
      initiator: 'merchant';
      reason: 'recurring' | 'unscheduled';
      /**
       * Network transaction id of the customer-initiated transaction that stored the card (Visa
       * TID / Mastercard trace id). Portable: it may come from another acquirer.
       */
      networkTransactionId?: string | undefined;
      /** This gateway's vault reference (customer/payment method), never another gateway's. */
      gatewayToken?: string | undefined;
      /** This gateway's own id of the transaction that stored the card, never another gateway's. */
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
  /** Card data (a card number, or a network token); on a rebill with a gateway token, absent. */
  card?: CardInput | undefined;
  customer?: CustomerInput | undefined;
  billing?: AddressInput | undefined;
  storedCredential?: StoredCredential | undefined;
  threeDS?: ThreeDSResult | undefined;
  metadata?: Readonly<Record<string, string>> | undefined;
  merchant: MerchantContext;
  /** Where the cardholder comes back after a 3-D Secure redirect; when absent, the adapter's configured return URL. */
  returnUrl?: string | undefined;
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

/** Why the router asks an adapter to start a 3-D Secure challenge. */
export type AuthenticationReason =
  /** A profile rule says `threeDS: 'required'`: the first call of the payment asks for authentication. */
  | 'required'
  /** The issuer declined with `authentication_required` on this MID: ask again with a challenge. */
  | 'step_up';

/** A payment to start with 3-D Secure (`GatewayAdapter.authenticate`). */
export interface GatewayAuthenticationRequest extends GatewayPaymentRequest {
  /** The payment the challenge is for. */
  operation: 'sale' | 'authorize';
  reason: AuthenticationReason;
}

/**
 * Finish (or, on expiry, close) a payment whose attempt answered `requires_action`, on the MID
 * that issued the challenge. Same transaction, same attempt, no new routing.
 */
export interface GatewayCompletionRequest {
  /** Our reference of the attempt that started the challenge (the gateway's order id / idempotency key of that call). */
  reference: string;
  /**
   * A reference for a new gateway call the completion makes (unique per completion step, at most
   * 20 characters): gateways that authorize again with the 3-D Secure values (NMI, Authorize.Net,
   * Braintree) send it as their order id, so a lookup can find what the completion did.
   */
  completionReference: string;
  transactionId: string;
  /** The operation of the challenged attempt. */
  operation: 'sale' | 'authorize' | 'verify';
  /** The gateway's id of the pending payment (Stripe `pi_…`, Adyen pspReference, Checkout.com `pay_…`), when it keeps one. */
  gatewayTransactionId?: string | undefined;
  amount: number;
  currency: string;
  /** The action the checkout page was given. */
  action: RequiredAction;
  /** What the page got back (validated; the card, when given, passed the same checks as a payment's). */
  input: Readonly<CompletionInput>;
  /** BIN and last four of the card of the transaction. */
  cardOnFile?: { bin: string; last4: string; expMonth?: number | undefined; expYear?: number | undefined } | undefined;
  /** Initial transaction of a subscription: the completed authorization carries the stored-credential framing. */
  storedCredential?: StoredCredential | undefined;
  merchant: MerchantContext;
}

/** Closing an expired challenge (`GatewayAdapter.abandon`). */
export interface GatewayAbandonRequest extends Omit<GatewayCompletionRequest, 'input'> {
  /** A completion was sent whose answer the router never got (it may have authorized). */
  completionSent: boolean;
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
  /**
   * How long a 3-D Secure challenge of this gateway may stay open (ms) before the router expires
   * it; a MID's `threeDS.expiresAfterMs` overrides it. Default 15 minutes.
   */
  readonly actionLifetimeMs?: number | undefined;
  /**
   * Start the payment with a 3-D Secure challenge (capability `challenge`). Usually answers
   * `requires_action`; a frictionless authentication may answer `approved` at once.
   */
  authenticate?(req: GatewayAuthenticationRequest, opts?: CallOptions): Promise<GatewayResult>;
  /**
   * Finish a challenged payment with what the checkout page got back (capability `challenge`):
   * approved, declined (e.g. authentication failed), `requires_action` again (the shopper has not
   * finished, or the gateway asks for a further step), or an error.
   */
  complete?(req: GatewayCompletionRequest, opts?: CallOptions): Promise<GatewayResult>;
  /**
   * A challenge expired: make sure it can no longer charge (Stripe cancels the PaymentIntent) and
   * say what became of it: `approved` (the shopper finished in time: the gateway's books win),
   * `declined`, `not_found` (nothing charged), or an error (unknown: the router asks again later).
   * Without this method the router expires the challenge itself when no completion was sent, and
   * looks the completion up by `completionReference` when one was.
   */
  abandon?(req: GatewayAbandonRequest, opts?: CallOptions): Promise<GatewayLookupResult>;
  /** Signed notifications: present when the MID's adapter was given its signing secret. */
  readonly webhooks?: GatewayWebhooks | undefined;
  /** The outcome of a follow-up the gateway accepted and decides later, where the gateway can be asked. */
  followUpStatus?(req: GatewayFollowUpStatusRequest, opts?: CallOptions): Promise<GatewayFollowUpStatus>;
}
