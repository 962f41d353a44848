/**
 * Authorize.Net webhooks: `X-ANET-Signature: sha512=<hex>` is the HMAC-SHA512 of the raw body,
 * keyed with the merchant's Signature Key as text (its ASCII bytes; the hex-decoded key is
 * accepted too, as some integrations sign that way), compared case-insensitively. Events are
 * `net.authorize.payment.*`, identified by `notificationId`; the payload names the transaction
 * by its `id` (a refund or void names its own new transaction). Authorize.Net sends no dispute
 * event. Facts: https://developer.authorize.net/api/reference/features/webhooks.html.
 * @module
 */
import type { GatewayNotification, GatewayWebhooks, NotificationKind, WebhookRequest } from '../../src/notifications';
import { accept, defined, hexBytes, hmac, isoTime, jsonObject, refuse, sameBytes, text, utf8 } from '../shared/webhooks';

/** Payment event types → kinds when the payload's `responseCode` is 1 (approved). */
const EVENTS: Readonly<Record<string, NotificationKind>> = {
  'net.authorize.payment.authorization.created': 'payment_authorized',
  'net.authorize.payment.authcapture.created': 'payment_captured',
  'net.authorize.payment.capture.created': 'payment_captured',
  'net.authorize.payment.priorAuthCapture.created': 'payment_captured',
  'net.authorize.payment.refund.created': 'refund_succeeded',
  'net.authorize.payment.void.created': 'authorization_voided',
  'net.authorize.payment.fraud.approved': 'payment_authorized',
  'net.authorize.payment.fraud.declined': 'payment_declined',
};

/** Authorize.Net's webhook verifier for one Signature Key. */
export function authorizeNetWebhooks(signatureKey: string): GatewayWebhooks {
  const keys = [
    Buffer.from(signatureKey, 'utf8'),
    ...(/^(?:[0-9a-fA-F]{2})+$/.test(signatureKey) ? [Buffer.from(signatureKey, 'hex')] : []),
  ];
  return {
    answer: { status: 200, body: '', contentType: 'text/plain' },
    parse(req: WebhookRequest) {
      const header = req.headers['x-anet-signature'];
      const given = hexBytes(/^sha512=(.*)$/i.exec(header ?? '')?.[1], 64);
      if (!given) return refuse('webhook_signature', 'the X-ANET-Signature header is missing or not sha512=<hex>');
      if (!keys.some((k) => sameBytes(given, hmac('sha512', k, req.body))))
        return refuse('webhook_signature', 'X-ANET-Signature does not match the raw body (wrong Signature Key?)');
      const event = jsonObject(utf8(req.body));
      if (!event || typeof event.notificationId !== 'string' || typeof event.eventType !== 'string')
        return refuse('webhook_malformed', 'not an Authorize.Net notification (notificationId, eventType)');
      return accept([authorizeNetNotification(event)]);
    },
  };
}

/** Dollars (a JSON number, two decimals) → cents; Authorize.Net's currencies all have two. */
function cents(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v * 100) : undefined;
}

/** One Authorize.Net notification, normalized. */
export function authorizeNetNotification(event: Record<string, any>): GatewayNotification {
  const p = (event.payload ?? {}) as Record<string, any>;
  const type = event.eventType as string;
  const base = { id: event.notificationId as string, eventType: type, occurredAt: isoTime(event.eventDate) };
  const mapped = p.entityName === 'transaction' ? EVENTS[type] : undefined;
  if (!mapped) return defined({ ...base, kind: 'informational' as const });
  // responseCode 2 or 3: the transaction it reports was declined or errored.
  const approved = p.responseCode === 1 || p.responseCode === '1';
  const kind: NotificationKind = approved
    ? mapped
    : mapped === 'payment_authorized' || mapped === 'payment_captured'
      ? 'payment_declined'
      : mapped === 'refund_succeeded'
        ? 'refund_failed'
        : mapped === 'authorization_voided'
          ? 'void_failed'
          : mapped;
  const id = text(typeof p.id === 'number' ? String(p.id) : p.id);
  return defined({
    ...base,
    kind,
    gatewayId: id,
    reference: text(p.invoiceNumber),
    amount: cents(p.authAmount),
    code: p.responseCode === undefined ? undefined : String(p.responseCode),
  }) as GatewayNotification;
}
