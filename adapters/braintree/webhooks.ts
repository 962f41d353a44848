/**
 * Braintree webhooks: a form body with `bt_signature` (`public_key|hex`, pairs joined by `&`)
 * and `bt_payload` (base64 XML). The signature is the hex HMAC-SHA1 of the payload as received,
 * keyed with the raw SHA-1 digest of the private key; like Braintree's SDKs, a match with or
 * without the payload's trailing newline is accepted. Braintree has no event id: a notification is
 * identified by its kind, subject id and timestamp. Facts: braintree_node's
 * `webhook_notification_gateway.js` and https://developer.paypal.com/braintree/docs/guides/webhooks/parse.
 * @module
 */
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { disputeCategory } from '../../src/disputes';
import { fromDecimalString } from '../../src/money';
import type {
  DisputeCategory,
  DisputeStatus,
  GatewayNotification,
  GatewayWebhooks,
  NotificationKind,
  WebhookRequest,
} from '../../src/notifications';
import { accept, defined, hexBytes, hmac, isoTime, refuse, sameBytes, utf8 } from '../shared/webhooks';

/** Dispute kinds → normalized status. */
const DISPUTE_KINDS: Readonly<Record<string, DisputeStatus>> = {
  dispute_opened: 'needs_response',
  dispute_under_review: 'under_review',
  dispute_disputed: 'under_review',
  dispute_accepted: 'lost',
  dispute_auto_accepted: 'lost',
  dispute_expired: 'lost',
  dispute_won: 'won',
  dispute_lost: 'lost',
};

/** Braintree's dispute `reason` → normalized category (used when the network code says nothing definite). */
const REASONS: Readonly<Record<string, DisputeCategory>> = {
  fraud: 'fraud',
  not_recognized: 'fraud',
  product_not_received: 'not_received',
  product_unsatisfactory: 'not_as_described',
  duplicate: 'duplicate',
  cancelled_recurring_transaction: 'subscription_cancelled',
  credit_not_processed: 'credit_not_processed',
};

const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: true, processEntities: true });

/**
 * The `bt_signature` Braintree sends for a payload: `public_key|hex(HMAC-SHA1(SHA-1(private key), payload))`.
 * @example
 * braintreeSignature('pk', 'sk', payload) // 'pk|1d95…'
 */
export function braintreeSignature(publicKey: string, privateKey: string, payload: string): string {
  return `${publicKey}|${hmac('sha1', createHash('sha1').update(privateKey).digest(), payload).toString('hex')}`;
}

/** Braintree's webhook verifier for one API key pair. */
export function braintreeWebhooks(publicKey: string, privateKey: string): GatewayWebhooks {
  const key = createHash('sha1').update(privateKey).digest();
  return {
    answer: { status: 200, body: '', contentType: 'text/plain' },
    parse(req: WebhookRequest) {
      const form = utf8(req.body);
      if (form === undefined) return refuse('webhook_malformed', 'the body is not UTF-8 form data');
      const fields = new URLSearchParams(form);
      const signature = fields.get('bt_signature');
      const payload = fields.get('bt_payload');
      if (!signature || payload === null) return refuse('webhook_signature', 'bt_signature or bt_payload is missing');
      if (!/^[A-Za-z0-9+=/\n]+$/.test(payload)) return refuse('webhook_malformed', 'bt_payload holds characters outside base64');
      const pair = signature
        .split('&')
        .map((p) => p.split('|'))
        .find(([pk]) => pk === publicKey);
      // Lower-case hex, as Braintree writes it and its SDKs compare it.
      const given = /^[0-9a-f]{40}$/.test(pair?.[1] ?? '') ? hexBytes(pair?.[1], 20) : undefined;
      if (!given) return refuse('webhook_signature', 'bt_signature has no signature for this public key');
      const bare = payload.replace(/\n$/, '');
      const matches = [bare, `${bare}\n`].some((p) => sameBytes(given, hmac('sha1', key, p)));
      if (!matches) return refuse('webhook_signature', 'bt_signature does not match bt_payload (wrong key pair?)');
      let doc: any;
      try {
        doc = xml.parse(Buffer.from(bare, 'base64').toString('utf8'));
      } catch {
        return refuse('webhook_malformed', 'bt_payload is not XML');
      }
      const n = doc?.notification;
      if (!n || typeof n !== 'object' || typeof n.kind !== 'string')
        return refuse('webhook_malformed', 'not a Braintree notification (kind)');
      return accept([braintreeNotification(n)]);
    },
  };
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

function minor(value: unknown, currency: string | undefined): number | undefined {
  if (typeof value !== 'string' || !currency) return undefined;
  try {
    return fromDecimalString(value, currency);
  } catch {
    return undefined;
  }
}

/** One verified notification (its parsed XML), normalized. */
export function braintreeNotification(n: Record<string, any>): GatewayNotification {
  const kind = n.kind as string;
  const subject = (n.subject ?? {}) as Record<string, any>;
  const timestamp = str(n.timestamp);
  const occurredAt = isoTime(timestamp);
  const status = DISPUTE_KINDS[kind];
  if (status && subject.dispute) {
    const d = subject.dispute as Record<string, any>;
    const currency = str(d['currency-iso-code']);
    const amount = minor(d['amount-disputed'], currency);
    const reasonCode = str(d['reason-code']);
    const t = d.transaction ?? {};
    const inquiry = d.kind === 'retrieval' && status === 'needs_response';
    return defined({
      id: `${kind}:${str(d.id) ?? ''}:${timestamp ?? ''}`,
      kind: (status === 'won'
        ? 'dispute_won'
        : status === 'lost'
          ? 'dispute_lost'
          : kind === 'dispute_opened'
            ? 'dispute_opened'
            : 'dispute_updated') as NotificationKind,
      eventType: kind,
      occurredAt,
      paymentReference: str(t['order-id']),
      paymentGatewayId: str(t.id),
      amount,
      currency,
      dispute: defined({
        id: str(d.id) ?? '',
        status: inquiry ? 'inquiry' : status,
        reasonCode,
        reason: str(d.reason),
        category: disputeCategory(reasonCode, REASONS[d.reason as string]),
        amount,
        currency,
        dueBy: isoTime(d['reply-by-date']),
      }),
    }) as GatewayNotification;
  }
  if (kind === 'refund_failed' && subject.transaction) {
    const t = subject.transaction as Record<string, any>;
    const currency = str(t['currency-iso-code']);
    return defined({
      id: `${kind}:${str(t.id) ?? ''}:${timestamp ?? ''}`,
      kind: 'refund_failed' as const,
      eventType: kind,
      occurredAt,
      reference: str(t['order-id']),
      gatewayId: str(t.id),
      paymentGatewayId: str(t['refunded-transaction-fk']),
      amount: minor(t.amount, currency),
      currency,
      code: str(t['processor-response-code']),
      message: str(t['processor-response-text']),
    }) as GatewayNotification;
  }
  const id = str(subject?.[Object.keys(subject)[0] ?? '']?.id);
  return {
    id: `${kind}:${id ?? ''}:${timestamp ?? ''}`,
    kind: 'informational',
    eventType: kind,
    ...(occurredAt !== undefined && { occurredAt }),
  };
}
