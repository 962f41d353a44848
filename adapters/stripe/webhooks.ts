/**
 * Stripe webhooks: the `Stripe-Signature` header (`t=<unix seconds>,v1=<hex>…`: HMAC-SHA256 of
 * `t + "." + raw body` with the endpoint secret, any `v1` may match, timestamp tolerance 300 s by
 * default, as stripe-node's `constructEvent`), and Stripe events normalized: payment intents,
 * refunds, disputes and early fraud warnings. Facts: https://docs.stripe.com/webhooks.
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
import { accept, defined, hexBytes, hmac, jsonObject, refuse, sameBytes, text, utf8 } from '../shared/webhooks';
import { fromStripeAmount, REFERENCE_KEY } from './wire';

/** Default tolerance of the signature's timestamp, seconds (stripe-node's `DEFAULT_TOLERANCE`). */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Stripe's dispute `reason` → normalized category, used when the network reason code says nothing definite. */
const REASONS: Readonly<Record<string, DisputeCategory>> = {
  fraudulent: 'fraud',
  unrecognized: 'fraud',
  product_not_received: 'not_received',
  product_unacceptable: 'not_as_described',
  duplicate: 'duplicate',
  subscription_canceled: 'subscription_cancelled',
  credit_not_processed: 'credit_not_processed',
};

/** Stripe's dispute `status` → normalized status (`warning_*` are inquiries; `prevented` never became a chargeback). */
const STATUSES: Readonly<Record<string, DisputeStatus>> = {
  warning_needs_response: 'inquiry',
  warning_under_review: 'inquiry',
  warning_closed: 'won',
  needs_response: 'needs_response',
  under_review: 'under_review',
  won: 'won',
  lost: 'lost',
  prevented: 'won',
};

/**
 * Parse the `Stripe-Signature` header: its timestamp and every `v1` signature.
 * @example
 * parseStripeSignature('t=1767225600,v1=ab12,v0=ff') // { t: 1767225600, v1: ['ab12'] }
 */
export function parseStripeSignature(header: string | undefined): { t: number; v1: string[] } | undefined {
  if (!header) return undefined;
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1') v1.push(v);
  }
  return t === undefined || v1.length === 0 ? undefined : { t, v1 };
}

/**
 * Stripe's webhook verifier for one endpoint secret (`whsec_…`).
 * @example
 * const adapter = stripe({ secretKey, webhookSecret: process.env.STRIPE_WEBHOOK_SECRET });
 */
export function stripeWebhooks(secret: string, toleranceSeconds = STRIPE_WEBHOOK_TOLERANCE_SECONDS): GatewayWebhooks {
  return {
    answer: { status: 200, body: '', contentType: 'text/plain' },
    parse(req: WebhookRequest) {
      const sig = parseStripeSignature(req.headers['stripe-signature']);
      if (!sig) return refuse('webhook_signature', 'the Stripe-Signature header is missing or has no t= and v1=');
      const expected = hmac('sha256', secret, `${sig.t}.`, req.body);
      if (!sig.v1.some((v) => sameBytes(hexBytes(v, 32) ?? Buffer.alloc(0), expected)))
        return refuse(
          'webhook_signature',
          'no v1 signature matches the raw body (was the body re-serialised, or is the secret another endpoint’s?)',
        );
      if (toleranceSeconds > 0 && req.now / 1000 - sig.t > toleranceSeconds)
        return refuse('webhook_signature', `the signature's timestamp is more than ${toleranceSeconds} s old (a replay?)`);
      const event = jsonObject(utf8(req.body));
      if (!event || typeof event.id !== 'string' || typeof event.type !== 'string' || typeof event.data?.object !== 'object')
        return refuse('webhook_malformed', 'not a Stripe event (id, type, data.object)');
      return accept([stripeNotification(event)]);
    },
  };
}

const reference = (o: Record<string, any>) => text(o?.metadata?.[REFERENCE_KEY]);
const money = (amount: unknown, currency: unknown) =>
  typeof amount === 'number' && typeof currency === 'string' && currency ? fromStripeAmount(amount, currency) : undefined;
const idOf = (v: unknown) =>
  typeof v === 'string' ? v : typeof (v as { id?: unknown })?.id === 'string' ? (v as { id: string }).id : undefined;

/** One Stripe event, normalized. */
export function stripeNotification(event: Record<string, any>): GatewayNotification {
  const o = event.data.object as Record<string, any>;
  const type = event.type as string;
  const base = {
    id: event.id as string,
    eventType: type,
    occurredAt: typeof event.created === 'number' ? event.created * 1000 : undefined,
  };
  const currency = typeof o.currency === 'string' ? o.currency.toUpperCase() : undefined;
  const of = (kind: NotificationKind, extra: Partial<GatewayNotification> = {}): GatewayNotification =>
    defined({ ...base, kind, ...extra }) as GatewayNotification;

  if (type.startsWith('payment_intent.')) {
    const pi = { reference: reference(o), gatewayId: text(o.id), currency };
    switch (type) {
      case 'payment_intent.succeeded':
        return of('payment_captured', { ...pi, amount: money(o.amount_received, o.currency) });
      case 'payment_intent.amount_capturable_updated':
        return of('payment_authorized', { ...pi, amount: money(o.amount_capturable, o.currency) });
      case 'payment_intent.payment_failed': {
        const e = o.last_payment_error ?? {};
        return of('payment_declined', { ...pi, code: text(e.decline_code) ?? text(e.code), message: text(e.message) });
      }
      case 'payment_intent.canceled':
        return of('authorization_voided', { paymentReference: pi.reference, paymentGatewayId: pi.gatewayId });
      default:
        return of('informational');
    }
  }
  if (type === 'charge.expired') {
    return of('authorization_expired', { paymentReference: reference(o), paymentGatewayId: idOf(o.payment_intent) ?? text(o.id) });
  }
  if (type === 'refund.created' || type === 'refund.updated' || type === 'refund.failed' || type === 'charge.refund.updated') {
    const status = type === 'refund.failed' ? 'failed' : o.status;
    const kind: NotificationKind =
      status === 'succeeded' ? 'refund_succeeded' : status === 'failed' || status === 'canceled' ? 'refund_failed' : 'informational';
    return of(kind, {
      reference: reference(o),
      gatewayId: text(o.id),
      paymentGatewayId: idOf(o.payment_intent),
      amount: money(o.amount, o.currency),
      currency,
      code: text(o.failure_reason),
    });
  }
  if (type.startsWith('charge.dispute.')) {
    const card = o.payment_method_details?.card ?? {};
    const status = STATUSES[o.status as string] ?? 'needs_response';
    const kind: NotificationKind =
      status === 'won'
        ? 'dispute_won'
        : status === 'lost'
          ? 'dispute_lost'
          : type === 'charge.dispute.created'
            ? 'dispute_opened'
            : 'dispute_updated';
    const reasonCode = text(card.network_reason_code);
    const amount = money(o.amount, o.currency);
    return of(kind, {
      paymentGatewayId: idOf(o.payment_intent) ?? idOf(o.charge),
      amount,
      currency,
      dispute: defined({
        id: o.id as string,
        status,
        reasonCode,
        reason: text(o.reason),
        category: disputeCategory(reasonCode, REASONS[o.reason as string]),
        amount,
        currency,
        dueBy: typeof o.evidence_details?.due_by === 'number' ? o.evidence_details.due_by * 1000 : undefined,
      }),
    });
  }
  if (type.startsWith('radar.early_fraud_warning.')) {
    return of('fraud_warning', {
      paymentGatewayId: idOf(o.payment_intent) ?? idOf(o.charge),
      fraud: defined({ type: text(o.fraud_type) }),
    });
  }
  return of('informational');
}
