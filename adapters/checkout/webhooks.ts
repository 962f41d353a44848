/**
 * Checkout.com webhooks: the `Cko-Signature` header is the hex HMAC-SHA256 of the raw body with
 * the signature key of the workflow's webhook action (compared case-insensitively); events are
 * payments (`payment_*`) and disputes (`dispute_*`), identified by the event's `id`.
 * Facts: https://www.checkout.com/docs/developer-resources/webhooks.
 * @module
 */
import { disputeCategory } from '../../src/disputes';
import type {
  DisputeCategory,
  DisputeStatus,
  GatewayNotification,
  GatewayWebhooks,
  NotificationKind,
  WebhookRequest,
} from '../../src/notifications';
import { accept, defined, hexBytes, hmac, isoTime, jsonObject, refuse, sameBytes, text, utf8 } from '../shared/webhooks';
import { fromCheckoutAmount } from './wire';

/** Payment event types → kinds. */
const PAYMENT_EVENTS: Readonly<Record<string, NotificationKind>> = {
  payment_approved: 'payment_authorized',
  card_verified: 'payment_authorized',
  payment_declined: 'payment_declined',
  card_verification_declined: 'payment_declined',
  payment_authentication_failed: 'payment_declined',
  payment_captured: 'payment_captured',
  payment_capture_declined: 'capture_failed',
  payment_voided: 'authorization_voided',
  payment_canceled: 'authorization_voided',
  payment_void_declined: 'void_failed',
  payment_refunded: 'refund_succeeded',
  payment_refund_declined: 'refund_failed',
  payment_expired: 'authorization_expired',
};

/** Dispute event types → normalized status. */
const DISPUTE_EVENTS: Readonly<Record<string, DisputeStatus>> = {
  dispute_received: 'needs_response',
  dispute_evidence_required: 'needs_response',
  dispute_evidence_submitted: 'under_review',
  dispute_evidence_acknowledged_by_scheme: 'under_review',
  dispute_arbitration_evidence_submitted: 'under_review',
  dispute_accepted: 'lost',
  dispute_expired: 'lost',
  dispute_lost: 'lost',
  dispute_arbitration_lost: 'lost',
  dispute_canceled: 'won',
  dispute_resolved: 'won',
  dispute_won: 'won',
  dispute_arbitration_won: 'won',
};

/** Checkout.com's dispute `category` → normalized (the full list is not published; the rest is `other`). */
const CATEGORIES: Readonly<Record<string, DisputeCategory>> = {
  fraudulent: 'fraud',
  unrecognized: 'fraud',
  canceled_recurring: 'subscription_cancelled',
  product_service_not_received: 'not_received',
  not_as_described: 'not_as_described',
  duplicate: 'duplicate',
  credit_not_issued: 'credit_not_processed',
};

/** Checkout.com's webhook verifier for one signature key. */
export function checkoutWebhooks(signatureKey: string): GatewayWebhooks {
  return {
    answer: { status: 200, body: '', contentType: 'text/plain' },
    parse(req: WebhookRequest) {
      const given = hexBytes(req.headers['cko-signature'], 32);
      if (!given) return refuse('webhook_signature', 'the Cko-Signature header is missing or not a hex HMAC-SHA256');
      if (!sameBytes(given, hmac('sha256', signatureKey, req.body)))
        return refuse(
          'webhook_signature',
          'Cko-Signature does not match the raw body (was it re-serialised, or is the key another workflow’s?)',
        );
      const event = jsonObject(utf8(req.body));
      if (!event || typeof event.id !== 'string' || typeof event.type !== 'string' || typeof event.data !== 'object' || !event.data)
        return refuse('webhook_malformed', 'not a Checkout.com event (id, type, data)');
      return accept([checkoutNotification(event)]);
    },
  };
}

/** One Checkout.com event, normalized. */
export function checkoutNotification(event: Record<string, any>): GatewayNotification {
  const d = event.data as Record<string, any>;
  const type = event.type as string;
  const currency = text(d.currency);
  const amount = typeof d.amount === 'number' && currency ? fromCheckoutAmount(d.amount, currency) : undefined;
  const base = { id: event.id as string, eventType: type, occurredAt: isoTime(event.created_on), amount, currency };
  const kind = PAYMENT_EVENTS[type];
  if (kind) {
    const payment = kind === 'payment_authorized' || kind === 'payment_declined';
    return defined({
      ...base,
      kind,
      // A payment names itself; a capture, void or refund names its action and its payment.
      ...(payment ? { reference: text(d.reference), gatewayId: text(d.id) } : { gatewayId: text(d.action_id) }),
      paymentReference: text(d.reference),
      paymentGatewayId: text(d.id),
      code: text(d.response_code),
      message: text(d.response_summary),
    }) as GatewayNotification;
  }
  const status = DISPUTE_EVENTS[type];
  if (status && typeof d.id === 'string') {
    const reasonCode = text(d.reason_code);
    return defined({
      ...base,
      kind:
        status === 'won'
          ? 'dispute_won'
          : status === 'lost'
            ? 'dispute_lost'
            : type === 'dispute_received'
              ? 'dispute_opened'
              : 'dispute_updated',
      paymentReference: text(d.payment_reference),
      paymentGatewayId: text(d.payment_id),
      dispute: defined({
        id: d.id,
        status,
        reasonCode,
        reason: text(d.category),
        category: disputeCategory(reasonCode, CATEGORIES[d.category as string]),
        amount,
        currency,
        dueBy: isoTime(d.evidence_required_by),
      }),
    }) as GatewayNotification;
  }
  return defined({ ...base, kind: 'informational' as const, paymentReference: text(d.reference), paymentGatewayId: text(d.id) });
}
