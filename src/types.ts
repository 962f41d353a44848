/**
 * Shared value types of the public API: requests, card data, approvals, failures and attempts.
 * Amounts are always integer minor units (cents for USD, yen for JPY, fils for KWD).
 * @module
 */
import type { DeclineReason, NormalizedDecline } from './declines/reasons';

/** Card data as the checkout collected it. The PAN and CVC live only in memory for one request. */
export interface PanCardInput {
  /** Primary account number; spaces and dashes are ignored. */
  number: string;
  /** 1–12. */
  expMonth: number;
  /** Four-digit year. */
  expYear: number;
  /** Card verification code; omitted on rebills and stored-credential transactions. */
  cvc?: string | undefined;
  /** Cardholder name as printed. */
  holderName?: string | undefined;
  networkToken?: undefined;
  cryptogram?: undefined;
  eci?: undefined;
  tokenType?: undefined;
}

/** Where a token given instead of a card number comes from. */
export type CardTokenType = 'network_token' | 'apple_pay' | 'google_pay';

/**
 * A network token (Visa Token Service, Mastercard MDES…) or a decrypted wallet token (Apple Pay,
 * Google Pay device token) given instead of the card number. Its digits live only in memory for
 * one request, like a PAN; the brand comes from the token's BIN range.
 * @example
 * { networkToken: '4895370012003478', expMonth: 12, expYear: 2030, cryptogram: 'AgAAAAAABk4DWZ4C28yUQAAAAAA=', eci: '05' }
 */
export interface NetworkTokenCardInput {
  /** The token number: 13–19 digits that pass the Luhn check; spaces and dashes are ignored. */
  networkToken: string;
  /** The token's expiry month, 1–12 (not the card's). */
  expMonth: number;
  /** The token's four-digit expiry year. */
  expYear: number;
  /**
   * The cryptogram that came with the token (TAVV, Apple Pay `onlinePaymentCryptogram`, Google Pay
   * `cryptogram`), base64. Required on customer-initiated payments; rebills may omit it.
   */
  cryptogram?: string | undefined;
  /** Electronic commerce indicator that came with the cryptogram (one or two digits). */
  eci?: string | undefined;
  /** Default `network_token`. */
  tokenType?: CardTokenType | undefined;
  /** Cardholder name. */
  holderName?: string | undefined;
  number?: undefined;
  cvc?: undefined;
}

/** A card: its number, or a network or wallet token standing for it. */
export type CardInput = PanCardInput | NetworkTokenCardInput;

/** Customer data used by rules (country) and passed to gateways for risk checks. */
export interface CustomerInput {
  id?: string | undefined;
  email?: string | undefined;
  /** ISO 3166-1 alpha-2. */
  country?: string | undefined;
  ip?: string | undefined;
}

/** Billing address; `country` is ISO 3166-1 alpha-2. */
export interface AddressInput {
  line1?: string | undefined;
  line2?: string | undefined;
  city?: string | undefined;
  state?: string | undefined;
  postalCode?: string | undefined;
  country?: string | undefined;
}

/** Result of a completed 3-D Secure authentication (ECI, CAVV/AAV, 3DS2 directory server transaction id). */
export interface ThreeDSResult {
  version?: string | undefined;
  eci?: string | undefined;
  cavv?: string | undefined;
  xid?: string | undefined;
  dsTransactionId?: string | undefined;
}

/** A sale, authorization or verification request. */
export interface PaymentRequest {
  /** Id of a profile given to `createRouter`. */
  profile: string;
  /** Unique per order: the same key with the same request returns the first result, never charges twice. */
  idempotencyKey: string;
  /**
   * Your order reference (order number), kept on the transaction so support can find it
   * (`router.transactions({ orderId })`). Not an idempotency key: retries of one order may use new keys.
   */
  orderId?: string | undefined;
  /** Integer minor units, > 0 (verify may use 0). */
  amount: number;
  /** ISO 4217, e.g. 'USD'. */
  currency: string;
  card: CardInput;
  customer?: CustomerInput | undefined;
  billing?: AddressInput | undefined;
  /** Free tags for rules, e.g. ['trial']. */
  tags?: string[] | undefined;
  /** Free key/value data for rules and for your own bookkeeping. */
  metadata?: Record<string, string> | undefined;
  /** Marks the initial transaction of a subscription: the approving MID is pinned for its rebills. */
  subscription?: SubscriptionInput | undefined;
  /**
   * Completed 3-D Secure data from your own 3-D Secure server (external authentication): the
   * payment goes only to MIDs whose adapter accepts it (capability `threeDS`). After a
   * `requires_action` answer, use `router.completeAction` instead.
   */
  threeDS?: ThreeDSResult | undefined;
  /**
   * Where the gateway sends the cardholder back after a 3-D Secure redirect (payment links): an
   * absolute http(s) URL, used instead of the adapter's own return URL (Stripe `return_url`, Adyen
   * `returnUrl`, Checkout.com `success_url`/`failure_url`). Not part of the idempotency hash.
   */
  returnUrl?: string | undefined;
}

/** Subscription facts recorded on the initial transaction. */
export interface SubscriptionInput {
  id: string;
  /** Price of later rebills (minor units); with a lower initial amount this makes a negative-option trial. */
  recurringAmount?: number | undefined;
  /** Whether a physical product ships (Mastercard express consent applies to physical-product trials). */
  physicalProduct?: boolean | undefined;
  /** When the first rebill is planned (ms since epoch), for the express consent message. */
  firstRebillAt?: number | undefined;
}

/** Kinds of operation the router performs on a gateway. */
export type Operation = 'sale' | 'authorize' | 'capture' | 'void' | 'refund' | 'verify' | 'rebill';

/**
 * Outcome of one gateway attempt. `held`: authorized but held by the gateway for the merchant's
 * review; `ambiguous`: unknown, recorded for reconciliation; `skipped`: not tried (cap, circuit,
 * network rule), with the reason in `message`.
 */
export type AttemptOutcome = 'approved' | 'held' | 'declined' | 'requires_action' | 'error' | 'ambiguous' | 'skipped';

/** One try of one operation on one MID, as reported in `Approval.attempts` and `Failure.attempts`. */
export interface AttemptSummary {
  id: string;
  mid: string;
  gateway: string;
  operation: Operation;
  outcome: AttemptOutcome;
  amount: number;
  currency: string;
  /** Gateway's raw decline or error code. */
  code?: string | undefined;
  /** Gateway's raw message. */
  message?: string | undefined;
  /** The normalized decline, for declines. */
  decline?: NormalizedDecline | undefined;
  gatewayTransactionId?: string | undefined;
  startedAt: number;
  durationMs: number;
}

/**
 * What the checkout page must do for 3-D Secure, the same shape for every gateway:
 * - `redirect`: send the cardholder's browser to `url` (`GET`), or post `data` to it as a form
 *   (`POST`, e.g. Adyen's `PaReq`/`MD` redirects);
 * - `sdk`: hand `data` to the gateway's client SDK (`gateway` names it): Stripe's client secret
 *   for `stripe.handleNextAction`, Adyen's action object for its Web Components, Braintree's
 *   amount and BIN for `threeDSecure.verifyCard`, NMI's Gateway.js Payer Authentication, or, for
 *   Authorize.Net, the values your own 3-D Secure server needs.
 * Then call `router.completeAction(transactionId, input)` with what the page got back.
 */
export type RequiredAction =
  | { type: 'redirect'; url: string; method: 'GET' | 'POST'; data?: Record<string, string> | undefined }
  | { type: 'sdk'; gateway: string; data: Record<string, unknown> };

/**
 * What the checkout page got back from a 3-D Secure challenge, for `router.completeAction`. Give
 * the fields your gateway needs (see each adapter's README):
 * - Stripe: nothing (the PaymentIntent is retrieved server-side); `paymentIntent` from the return URL is checked if given;
 * - Checkout.com: nothing, or `sessionId` (the `cko-session-id` of the return URL);
 * - Adyen: `redirectResult` (redirect flow) or `threeDSResult` (native 3-D Secure 2);
 * - Braintree: `nonce`, the 3-D Secure-enriched nonce from `threeDSecure.verifyCard`;
 * - NMI, Authorize.Net: `threeDS` (`{ eci, cavv, xid?, version, dsTransactionId }` from Gateway.js
 *   or your 3-D Secure server) and `card` again: the router never stores the PAN, and these
 *   gateways authorize again with the card and the authentication values;
 * - sandbox: `authenticated: true | false`.
 */
export interface CompletionInput {
  /** Sandbox: whether the simulated challenge passed. */
  authenticated?: boolean | undefined;
  /** Stripe: the `payment_intent` query parameter of the return URL (checked against ours). */
  paymentIntent?: string | undefined;
  /** Checkout.com: the `cko-session-id` query parameter of the return URL. */
  sessionId?: string | undefined;
  /** Adyen: `redirectResult` appended to the return URL. */
  redirectResult?: string | undefined;
  /** Adyen: `threeDSResult` from the native 3-D Secure 2 component. */
  threeDSResult?: string | undefined;
  /** Braintree: the 3-D Secure-enriched payment method nonce. */
  nonce?: string | undefined;
  /** External authentication values (NMI, Authorize.Net). */
  threeDS?: ThreeDSResult | undefined;
  /** The card again, for gateways that authorize again with the authentication values (NMI, Authorize.Net). */
  card?: CardInput | undefined;
}

/** A successful operation. */
export interface Approval {
  /** Our transaction id: use it for capture, void and refund. */
  transactionId: string;
  operation: Operation;
  mid: string;
  gateway: string;
  gatewayTransactionId: string;
  authCode?: string | undefined;
  amount: number;
  currency: string;
  networkTransactionId?: string | undefined;
  /** Card as BIN + last four, never the PAN. */
  maskedCard?: string | undefined;
  subscriptionId?: string | undefined;
  /**
   * True when the outcome is not final yet: the gateway holds the authorization for the merchant's
   * review (`held`), or accepted a follow-up whose answer comes later.
   */
  pending?: boolean | undefined;
  /** True when this result was returned from the idempotency record, without a gateway call. */
  replayed?: boolean | undefined;
  /** Verify by pre-authorization: whether the hold was voided (false: `releaseHolds()` will retry). */
  holdReleased?: boolean | undefined;
  attempts: AttemptSummary[];
}

/** Why a request failed. */
export type FailureKind = 'declined' | 'rejected' | 'ambiguous' | 'requires_action' | 'error';

/** Machine-readable reasons for `rejected` failures that are not card declines. */
export type RejectionReason =
  | 'validation'
  | 'unknown_profile'
  | 'no_eligible_mid'
  | 'network_rule'
  | 'idempotency_conflict'
  | 'idempotency_in_progress'
  | 'unknown_transaction'
  | 'invalid_state'
  | 'amount_exceeds_authorized'
  | 'amount_exceeds_captured'
  | 'pinned_mid_unavailable'
  | 'unknown_subscription'
  | 'operation_not_supported'
  | 'rule'
  | 'consent_required'
  | 'consent_denied'
  | 'refund_window_closed'
  | 'router_closed'
  /** A rebill's pinned MID has no credential it can charge (a re-pin to another gateway needs the card again or the customer). */
  | 'credential_not_portable'
  /** A 3-D Secure challenge was not completed before it expired (the transaction is `failed`). */
  | 'authentication_abandoned'
  /** Webhooks: a bad or missing signature, or a stale timestamp. */
  | 'webhook_signature'
  /** Webhooks: a body that does not parse as the gateway's notification. */
  | 'webhook_malformed'
  /** Prevention alerts: no transaction of ours matches the alert. */
  | 'alert_unmatched'
  /** Prevention alerts: several transactions match the alert; none was guessed (their ids are in the message). */
  | 'alert_ambiguous';

/** What every failure carries. */
interface FailureBase {
  /** Human-readable; never contains a PAN or CVC. */
  message: string;
  /** Our transaction id, when the router recorded one. */
  transactionId?: string | undefined;
  attempts: AttemptSummary[];
  /** True when this result was returned from the idempotency record. */
  replayed?: boolean | undefined;
}

/** Fields that exist on one kind of failure only; on the others they are absent. */
interface FailureFields {
  decline?: undefined;
  rejection?: undefined;
  field?: undefined;
  action?: undefined;
  nextRetryAt?: undefined;
  nextAmount?: undefined;
}

/** Every attempt was declined: `decline` is the last one, normalized. */
export interface DeclinedFailure extends FailureBase, Omit<FailureFields, 'decline' | 'nextRetryAt' | 'nextAmount'> {
  kind: 'declined';
  decline: NormalizedDecline;
  /** Earliest time (ms since epoch) a retry of this card on this MID is allowed, or the next salvage retry of a rebill. */
  nextRetryAt?: number | undefined;
  /** Amount of the next salvage retry of a rebill (minor units). */
  nextAmount?: number | undefined;
}

/** Refused before any gateway call (validation, rule, no eligible MID, network rule, consent…). */
export interface RejectedFailure extends FailureBase, Omit<FailureFields, 'rejection' | 'field' | 'nextRetryAt'> {
  kind: 'rejected';
  /** The machine-readable reason (or the standard decline reason a rule rejects with). */
  rejection: RejectionReason | DeclineReason;
  /** For validation failures: the request field at fault, e.g. `card.expMonth`. */
  field?: string | undefined;
  /** For network rules: earliest time (ms since epoch) this card may be tried again on this MID. */
  nextRetryAt?: number | undefined;
}

/**
 * The cardholder must authenticate (3-D Secure) on the MID that tried. Run `action` in the
 * checkout page, then call `router.completeAction(transactionId, input)` before `expiresAt`:
 * it finishes this transaction on the same MID. The same idempotency key sent again meanwhile
 * answers this same action.
 */
export interface RequiresActionFailure extends FailureBase, Omit<FailureFields, 'action'> {
  kind: 'requires_action';
  transactionId: string;
  /** What the checkout must do. */
  action: RequiredAction;
  /** The MID that issued the challenge (the completion runs there). */
  mid: string;
  /** When the challenge expires (ms since epoch): after it the transaction fails as `authentication_abandoned`. */
  expiresAt: number;
}

/** The outcome is unknown (the gateway may have charged): recorded for reconciliation, never cascaded. */
export interface AmbiguousFailure extends FailureBase, FailureFields {
  kind: 'ambiguous';
  transactionId: string;
}

/** A gateway or store error that charged nothing. */
export interface ErrorFailure extends FailureBase, FailureFields {
  kind: 'error';
}

/** A failed operation, a union on `kind`. A decline is a value, never a thrown error. */
export type Failure = DeclinedFailure | RejectedFailure | RequiresActionFailure | AmbiguousFailure | ErrorFailure;

/** `Partial<T>` whose fields also take `undefined`, so a setting can come straight from the environment. */
export type PartialSettings<T> = { [K in keyof T]?: T[K] | undefined };
