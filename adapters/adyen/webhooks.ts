/**
 * Adyen Standard webhooks (JSON): every `NotificationRequestItem` carries its own
 * `additionalData.hmacSignature`, the base64 HMAC-SHA256 (key: the hex HMAC key, decoded) of eight
 * fields joined by `:` (pspReference, originalReference, merchantAccountCode, merchantReference,
 * amount value, amount currency, eventCode, success), missing ones empty and nothing escaped, as
 * Adyen's own libraries compute it. Optional Basic authentication is checked too. Adyen has no
 * event id: an item is identified by merchant account, pspReference, eventCode and success.
 * Facts: https://docs.adyen.com/development-resources/webhooks/.
 * @module
 */
import { disputeCategory } from '../../src/disputes';
import type { DisputeStatus, GatewayNotification, GatewayWebhooks, NotificationKind, WebhookRequest } from '../../src/notifications';
import { accept, defined, hmac, isoTime, jsonObject, refuse, sameBytes, text, utf8 } from '../shared/webhooks';
import { fromAdyenAmount } from './wire';

/** One item of an Adyen webhook, the fields this adapter reads. */
export interface AdyenNotificationItem {
  pspReference?: string;
  originalReference?: string;
  merchantAccountCode?: string;
  merchantReference?: string;
  amount?: { value?: number; currency?: string };
  eventCode?: string;
  eventDate?: string;
  success?: string;
  reason?: string;
  additionalData?: Record<string, string | undefined>;
}

/**
 * The string Adyen signs for an item.
 * @example
 * adyenSigningString({ pspReference: 'PSP1', merchantAccountCode: 'MA', merchantReference: 'r1',
 *   amount: { value: 4999, currency: 'USD' }, eventCode: 'AUTHORISATION', success: 'true' })
 * // 'PSP1::MA:r1:4999:USD:AUTHORISATION:true'
 */
export function adyenSigningString(i: AdyenNotificationItem): string {
  return [
    i.pspReference,
    i.originalReference,
    i.merchantAccountCode,
    i.merchantReference,
    i.amount?.value,
    i.amount?.currency,
    i.eventCode,
    i.success,
  ]
    .map((v) => (v === undefined || v === null ? '' : String(v)))
    .join(':');
}

/** The base64 HMAC of an item with a hex key (what Adyen puts in `hmacSignature`). */
export function adyenItemSignature(hexKey: string, item: AdyenNotificationItem): string {
  return hmac('sha256', Buffer.from(hexKey, 'hex'), adyenSigningString(item)).toString('base64');
}

/** `disputeStatus` of a dispute event → normalized status. */
const DISPUTE_STATUS: Readonly<Record<string, DisputeStatus>> = {
  Unresponded: 'needs_response',
  Responded: 'under_review',
  Pending: 'under_review',
  Expired: 'lost',
  Undefended: 'lost',
  Accepted: 'lost',
  Lost: 'lost',
  Won: 'won',
};

/** Dispute events → the status they mean when `disputeStatus` is absent. */
const DISPUTE_EVENTS: Readonly<Record<string, DisputeStatus>> = {
  REQUEST_FOR_INFORMATION: 'inquiry',
  NOTIFICATION_OF_CHARGEBACK: 'needs_response',
  CHARGEBACK: 'needs_response',
  INFORMATION_SUPPLIED: 'under_review',
  ISSUER_COMMENTS: 'under_review',
  DISPUTE_DEFENSE_PERIOD_ENDED: 'under_review',
  ISSUER_RESPONSE_TIMEFRAME_EXPIRED: 'won',
  CHARGEBACK_REVERSED: 'won',
  SECOND_CHARGEBACK: 'lost',
  PREARBITRATION_OPEN: 'needs_response',
  PREARBITRATION_WON: 'won',
  PREARBITRATION_LOST: 'lost',
  PREARBITRATION_ACCEPTED: 'lost',
  PREARBITRATION_DECLINED: 'under_review',
  PREARBITRATION_ISSUER_WITHDRAWN: 'won',
  SCHEME_ARBITRATION: 'under_review',
  SCHEME_ARBITRATION_WON: 'won',
  SCHEME_ARBITRATION_LOST: 'lost',
};
const OPENING = new Set(['REQUEST_FOR_INFORMATION', 'NOTIFICATION_OF_CHARGEBACK', 'CHARGEBACK', 'PREARBITRATION_OPEN']);

/**
 * Adyen's webhook verifier for one HMAC key (hex, Customer Area → Webhooks → HMAC key), with
 * the webhook's Basic authentication credentials when you set them there.
 */
export function adyenWebhooks(hexKey: string, basicAuth?: { username: string; password: string }): GatewayWebhooks {
  const key = Buffer.from(hexKey, 'hex');
  const expectedAuth = basicAuth && Buffer.from(`Basic ${Buffer.from(`${basicAuth.username}:${basicAuth.password}`).toString('base64')}`);
  return {
    // Adyen accepts on the status code; `[accepted]` satisfies the older contract as well.
    answer: { status: 202, body: '[accepted]', contentType: 'text/plain' },
    parse(req: WebhookRequest) {
      if (expectedAuth && !sameBytes(Buffer.from(req.headers.authorization ?? ''), expectedAuth))
        return refuse('webhook_signature', 'the Basic authentication credentials are missing or wrong');
      const body = jsonObject(utf8(req.body));
      const items = body?.notificationItems;
      if (!Array.isArray(items) || items.length === 0) return refuse('webhook_malformed', 'not an Adyen webhook (notificationItems)');
      const out: GatewayNotification[] = [];
      for (const wrapper of items) {
        const item = wrapper?.NotificationRequestItem as AdyenNotificationItem | undefined;
        if (!item || typeof item !== 'object' || typeof item.eventCode !== 'string' || typeof item.pspReference !== 'string')
          return refuse('webhook_malformed', 'an item without NotificationRequestItem, eventCode or pspReference');
        const given = item.additionalData?.hmacSignature;
        if (typeof given !== 'string' || given.length === 0) return refuse('webhook_signature', `item ${item.eventCode}: no hmacSignature`);
        const expected = hmac('sha256', key, adyenSigningString(item));
        if (!sameBytes(Buffer.from(given, 'base64'), expected))
          return refuse('webhook_signature', `item ${item.eventCode}: the hmacSignature does not match (wrong HMAC key?)`);
        out.push(adyenNotification(item));
      }
      return accept(out);
    },
  };
}

/** One verified item, normalized. */
export function adyenNotification(i: AdyenNotificationItem): GatewayNotification {
  const code = i.eventCode!;
  const success = i.success === 'true';
  const currency = text(i.amount?.currency);
  const amount = typeof i.amount?.value === 'number' && currency ? fromAdyenAmount({ value: i.amount.value, currency }) : undefined;
  const base = {
    id: [i.merchantAccountCode ?? '', i.pspReference, code, i.success ?? ''].join(':'),
    eventType: code,
    occurredAt: isoTime(i.eventDate),
    amount,
    currency,
    message: text(i.reason),
  };
  const of = (kind: NotificationKind, extra: Partial<GatewayNotification>): GatewayNotification =>
    defined({ ...base, kind, ...extra }) as GatewayNotification;
  // A modification: its own reference and pspReference, and the payment's pspReference.
  const modification = (kind: NotificationKind) =>
    of(kind, {
      reference: text(i.merchantReference),
      gatewayId: i.pspReference,
      paymentGatewayId: text(i.originalReference),
      code: text(i.reason),
    });
  switch (code) {
    case 'AUTHORISATION':
      return of(success ? 'payment_authorized' : 'payment_declined', {
        reference: text(i.merchantReference),
        gatewayId: i.pspReference,
        ...(!success && { code: text(i.reason) }),
      });
    case 'OFFER_CLOSED':
      return of('payment_declined', { reference: text(i.merchantReference), gatewayId: i.pspReference, code: 'OFFER_CLOSED' });
    case 'CAPTURE':
      return modification(success ? 'payment_captured' : 'capture_failed');
    case 'CAPTURE_FAILED':
      return modification('capture_failed');
    case 'CANCELLATION':
    case 'TECHNICAL_CANCEL':
      return modification(success ? 'authorization_voided' : 'void_failed');
    case 'REFUND':
      return modification(success ? 'refund_succeeded' : 'refund_failed');
    case 'REFUND_FAILED':
    case 'REFUNDED_REVERSED':
      return modification('refund_failed');
    case 'EXPIRE':
      return of('authorization_expired', {
        paymentReference: text(i.merchantReference),
        paymentGatewayId: text(i.originalReference) ?? i.pspReference,
      });
    case 'NOTIFICATION_OF_FRAUD':
      return of('fraud_warning', {
        paymentReference: text(i.merchantReference),
        paymentGatewayId: text(i.originalReference),
        fraud: defined({ type: text(i.additionalData?.nofSchemeCode), reasonCode: text(i.additionalData?.nofReasonCode?.trim()) }),
      });
  }
  const eventStatus = DISPUTE_EVENTS[code];
  if (eventStatus) {
    const ad = i.additionalData ?? {};
    const status = DISPUTE_STATUS[ad.disputeStatus ?? ''] ?? eventStatus;
    const reasonCode = text(ad.chargebackReasonCode?.trim());
    const kind: NotificationKind =
      status === 'won' ? 'dispute_won' : status === 'lost' ? 'dispute_lost' : OPENING.has(code) ? 'dispute_opened' : 'dispute_updated';
    return of(kind, {
      paymentReference: text(i.merchantReference),
      paymentGatewayId: text(i.originalReference),
      dispute: defined({
        // Every stage of one dispute shares its pspReference.
        id: i.pspReference!,
        status,
        reasonCode,
        reason: text(i.reason),
        category: disputeCategory(reasonCode),
        amount,
        currency,
        dueBy: isoTime(ad.defensePeriodEndsAt),
      }),
    });
  }
  return of('informational', { reference: text(i.merchantReference), gatewayId: i.pspReference });
}
