/**
 * NMI webhooks: `Webhook-Signature: t=<nonce>,s=<hex>` is the hex HMAC-SHA256 of
 * `nonce + "." + raw body` with the signing key of the merchant's webhook settings (`t` is a
 * nonce, not a time: replays are stopped by the recorded `event_id`). Events are
 * `transaction.<type>.<success|failure|unknown>`; `order_id` is our reference, `transaction_id`
 * NMI's own (a refund has its own). NMI's chargeback batch carries no transaction id and is not read.
 * @module
 */
import type { GatewayNotification, GatewayWebhooks, NotificationKind, WebhookRequest } from '../../src/notifications';
import { accept, defined, hexBytes, hmac, jsonObject, refuse, sameBytes, text, utf8 } from '../shared/webhooks';

/** `<action>.<result>` → kind. */
const EVENTS: Readonly<Record<string, NotificationKind>> = {
  'sale.success': 'payment_captured',
  'sale.failure': 'payment_declined',
  'auth.success': 'payment_authorized',
  'auth.failure': 'payment_declined',
  'capture.success': 'payment_captured',
  'capture.failure': 'capture_failed',
  'void.success': 'authorization_voided',
  'void.failure': 'void_failed',
  'refund.success': 'refund_succeeded',
  'refund.failure': 'refund_failed',
};

/** NMI's webhook verifier for one signing key. */
export function nmiWebhooks(signingKey: string): GatewayWebhooks {
  return {
    answer: { status: 200, body: '', contentType: 'text/plain' },
    parse(req: WebhookRequest) {
      const m = /^t=([^,]+),s=([0-9a-fA-F]+)$/.exec(req.headers['webhook-signature']?.trim() ?? '');
      const given = hexBytes(m?.[2], 32);
      if (!m || !given) return refuse('webhook_signature', 'the Webhook-Signature header is missing or not t=<nonce>,s=<hex>');
      if (!sameBytes(given, hmac('sha256', signingKey, `${m[1]}.`, req.body)))
        return refuse('webhook_signature', 'Webhook-Signature does not match the raw body (wrong signing key?)');
      const event = jsonObject(utf8(req.body));
      if (!event || typeof event.event_id !== 'string' || typeof event.event_type !== 'string')
        return refuse('webhook_malformed', 'not an NMI event (event_id, event_type)');
      return accept([nmiNotification(event)]);
    },
  };
}

/** `YYYYMMDDhhmmss` (taken as UTC) → ms. */
function nmiTime(v: unknown): number | undefined {
  const m = typeof v === 'string' ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(v) : null;
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

/** A decimal amount string → minor units (NMI's payload names no currency: two decimals). */
function cents(v: unknown): number | undefined {
  const m = typeof v === 'string' ? /^(\d+)(?:\.(\d{1,2}))?$/.exec(v.trim()) : null;
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : undefined;
}

/** One NMI event, normalized. */
export function nmiNotification(event: Record<string, any>): GatewayNotification {
  const type = event.event_type as string;
  const body = (event.event_body ?? {}) as Record<string, any>;
  const action = (body.action ?? {}) as Record<string, any>;
  const m = /^transaction\.(\w+)\.(\w+)$/.exec(type);
  const kind = (m && EVENTS[`${m[1]}.${m[2]}`]) || 'informational';
  return defined({
    id: event.event_id as string,
    kind,
    eventType: type,
    occurredAt: nmiTime(action.date),
    reference: text(body.order_id),
    gatewayId: text(body.transaction_id),
    amount: cents(action.amount),
    code: text(action.response_code),
    message: text(action.response_text),
  }) as GatewayNotification;
}
