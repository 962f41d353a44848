/**
 * Gateway notifications (webhooks) as the core sees them: each adapter verifies its gateway's
 * signature and turns the wire format into `GatewayNotification`s; the core (operations/webhook)
 * applies them to the ledger through `settle`. Nothing here knows a wire format.
 * @module
 */

/**
 * What a notification says happened, normalized.
 * - `payment_authorized` / `payment_captured` / `payment_declined`: the result of a payment
 *   (an asynchronous one, or a 3-D Secure challenge the cardholder finished);
 *   `payment_captured` also confirms a capture of an authorization.
 * - `capture_failed`, `refund_succeeded`, `refund_failed`, `authorization_voided`, `void_failed`,
 *   `authorization_expired`: follow-ups and their later outcomes.
 * - `dispute_opened` / `dispute_updated` / `dispute_won` / `dispute_lost`: chargebacks and inquiries.
 * - `fraud_warning`: an issuer's fraud report (Visa TC40 / Mastercard SAFE, Stripe early fraud warning).
 * - `informational`: verified and recorded, changes nothing in the ledger.
 */
export type NotificationKind =
  | 'payment_authorized'
  | 'payment_captured'
  | 'payment_declined'
  | 'capture_failed'
  | 'refund_succeeded'
  | 'refund_failed'
  | 'authorization_voided'
  | 'void_failed'
  | 'authorization_expired'
  | 'dispute_opened'
  | 'dispute_updated'
  | 'dispute_won'
  | 'dispute_lost'
  | 'fraud_warning'
  | 'informational';

/** Every notification kind, e.g. to check an adapter's mapping. */
export const NOTIFICATION_KINDS = [
  'payment_authorized',
  'payment_captured',
  'payment_declined',
  'capture_failed',
  'refund_succeeded',
  'refund_failed',
  'authorization_voided',
  'void_failed',
  'authorization_expired',
  'dispute_opened',
  'dispute_updated',
  'dispute_won',
  'dispute_lost',
  'fraud_warning',
  'informational',
] as const satisfies readonly NotificationKind[];

/**
 * Where a dispute stands. `inquiry`: a retrieval request or pre-dispute warning (no money moved
 * yet); `needs_response`: the chargeback is open and the merchant can defend it; `under_review`:
 * evidence was submitted (or the network is deciding); `won` / `lost`: decided (a won dispute can
 * still reopen at pre-arbitration: the lifecycle follows the gateway's latest event).
 */
export type DisputeStatus = 'inquiry' | 'needs_response' | 'under_review' | 'won' | 'lost';

/** Normalized dispute reason, from the network reason code first, else the gateway's category. */
export type DisputeCategory =
  | 'fraud'
  | 'not_received'
  | 'not_as_described'
  | 'duplicate'
  | 'subscription_cancelled'
  | 'credit_not_processed'
  | 'other';

/** The dispute facts a notification carries. */
export interface NotificationDispute {
  /** The gateway's dispute id (every stage of one dispute shares it). */
  id: string;
  status: DisputeStatus;
  /** Network reason code, e.g. Visa `10.4`, Mastercard `4837`. */
  reasonCode?: string | undefined;
  /** The gateway's own reason text or category. */
  reason?: string | undefined;
  category: DisputeCategory;
  /** Disputed amount in our minor units. */
  amount?: number | undefined;
  currency?: string | undefined;
  /** When the merchant's response is due (ms since epoch). */
  dueBy?: number | undefined;
}

/** One notification, normalized by its adapter. Amounts are our integer minor units. */
export interface GatewayNotification {
  /**
   * De-duplication id, unique within the MID: the gateway's event id where it has one, else a key
   * built from the fields that identify the event (Adyen, Braintree).
   */
  id: string;
  kind: NotificationKind;
  /** The gateway's own name of the event (`REFUND`, `charge.dispute.created`…). */
  eventType: string;
  /** When the gateway says it happened (ms since epoch). */
  occurredAt?: number | undefined;
  /** Our reference on the object the notification is about (the attempt id we sent). */
  reference?: string | undefined;
  /** The gateway's id of that object (a payment, refund, capture or action id). */
  gatewayId?: string | undefined;
  /** For follow-ups and disputes: our reference of the original payment. */
  paymentReference?: string | undefined;
  /** For follow-ups and disputes: the gateway's id of the original payment. */
  paymentGatewayId?: string | undefined;
  amount?: number | undefined;
  currency?: string | undefined;
  /** The gateway's result or failure code (refusal reason, response code). */
  code?: string | undefined;
  /** The gateway's message (untrusted text: redacted before it is stored). */
  message?: string | undefined;
  dispute?: NotificationDispute | undefined;
  /** For `fraud_warning`: the issuer's fraud type or reason code. */
  fraud?: { type?: string | undefined; reasonCode?: string | undefined } | undefined;
}

/** One webhook request as an adapter reads it: the raw bytes, before any parsing. */
export interface WebhookRequest {
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received. */
  body: Uint8Array;
  /** Now (ms since epoch), for timestamp tolerances. */
  now: number;
}

/** Why an adapter refused a webhook request. */
export type WebhookRefusal = 'webhook_signature' | 'webhook_malformed';

/** What an adapter made of a webhook request. */
export type WebhookParseResult =
  | { ok: true; notifications: GatewayNotification[] }
  | { ok: false; reason: WebhookRefusal; message: string };

/** The HTTP answer a gateway expects once a notification is accepted. */
export interface WebhookAnswer {
  status: number;
  body: string;
  contentType: string;
}

/** An adapter's webhook support: signature check (constant time) and parsing. */
export interface GatewayWebhooks {
  /** Verify the request's signature and parse it. Never throws; never echoes a secret. */
  parse(request: WebhookRequest): WebhookParseResult;
  /** The answer to send when the request was accepted. */
  readonly answer: WebhookAnswer;
}
