/**
 * Disputes: the normalized category of a network reason code, and how a dispute record follows
 * its gateway's events (the latest event by the gateway's time decides the status, whatever
 * order the notifications arrive in). Card-network facts only; no gateway wire format.
 * @module
 */
import type { DisputeCategory, DisputeStatus, GatewayNotification, NotificationDispute } from './notifications';
import type { DisputeRecord } from './store/types';

/**
 * Network reason codes with one meaning (Visa Claims Resolution 2018; Mastercard's consolidated
 * codes with the legacy ones that still appear). Umbrella codes (Mastercard 4853 cardholder
 * dispute, 4834 point-of-interaction error) are left out: the gateway's category decides those.
 */
const REASON_CODES: Readonly<Record<string, DisputeCategory>> = {
  '10.1': 'fraud',
  '10.2': 'fraud',
  '10.3': 'fraud',
  '10.4': 'fraud',
  '10.5': 'fraud',
  '12.6': 'duplicate',
  '12.6.1': 'duplicate',
  '13.1': 'not_received',
  '13.2': 'subscription_cancelled',
  '13.3': 'not_as_described',
  '13.4': 'not_as_described',
  '13.5': 'not_as_described',
  '13.6': 'credit_not_processed',
  '13.7': 'credit_not_processed',
  '4837': 'fraud',
  '4840': 'fraud',
  '4863': 'fraud',
  '4870': 'fraud',
  '4871': 'fraud',
  '4841': 'subscription_cancelled',
  '4855': 'not_received',
  '4860': 'credit_not_processed',
};

/**
 * The normalized category of a dispute: from the network reason code when it has one meaning,
 * else the gateway's own category (as its adapter mapped it), else `other`.
 * @example
 * disputeCategory('10.4')                    // 'fraud'
 * disputeCategory(' 4855')                   // 'not_received' (Adyen sends a leading space)
 * disputeCategory('4853', 'not_as_described') // 'not_as_described'
 * disputeCategory(undefined)                 // 'other'
 */
export function disputeCategory(reasonCode: string | undefined, gatewayCategory?: DisputeCategory | undefined): DisputeCategory {
  const code = reasonCode?.trim();
  return (code && REASON_CODES[code]) || gatewayCategory || 'other';
}

/** Order of statuses for two events stamped at the same time: the later stage wins. */
const STAGE: Readonly<Record<DisputeStatus, number>> = { inquiry: 0, needs_response: 1, under_review: 2, won: 3, lost: 3 };

const FINAL = new Set<DisputeStatus>(['won', 'lost']);

/**
 * The dispute record after one notification. The newer event (by the gateway's time; on a tie,
 * the later stage) sets the status and the facts it carries; an older one only fills facts the
 * record lacks. `openedAt` keeps the earliest event, `revision` counts the changes.
 */
export function nextDispute(
  current: DisputeRecord | undefined,
  d: NotificationDispute,
  n: GatewayNotification,
  where: { mid: string; gateway: string; transactionId?: string | undefined; amount?: number | undefined; currency?: string | undefined },
  now: number,
): DisputeRecord {
  const at = n.occurredAt ?? now;
  const amount = d.amount ?? n.amount ?? where.amount ?? 0;
  const currency = d.currency ?? n.currency ?? where.currency ?? '';
  const facts = {
    ...(d.reasonCode !== undefined && { reasonCode: d.reasonCode.trim() }),
    ...(d.reason !== undefined && { reason: d.reason }),
    ...(d.dueBy !== undefined && { dueBy: d.dueBy }),
  };
  if (!current) {
    return {
      id: `${where.mid}:${d.id}`,
      gatewayDisputeId: d.id,
      mid: where.mid,
      gateway: where.gateway,
      ...(where.transactionId !== undefined && { transactionId: where.transactionId }),
      ...(n.paymentGatewayId !== undefined && { gatewayTransactionId: n.paymentGatewayId }),
      amount,
      currency,
      ...facts,
      category: d.category,
      status: d.status,
      openedAt: at,
      lastEventAt: at,
      lastEventType: n.eventType,
      ...(FINAL.has(d.status) && { closedAt: at }),
      revision: 1,
    };
  }
  const newer = at > current.lastEventAt || (at === current.lastEventAt && STAGE[d.status] >= STAGE[current.status]);
  const base: DisputeRecord = {
    ...current,
    transactionId: current.transactionId ?? where.transactionId,
    gatewayTransactionId: current.gatewayTransactionId ?? n.paymentGatewayId,
    openedAt: Math.min(current.openedAt, at),
    revision: current.revision + 1,
  };
  if (!newer) {
    return {
      ...base,
      reasonCode: current.reasonCode ?? facts.reasonCode,
      reason: current.reason ?? facts.reason,
      dueBy: current.dueBy ?? facts.dueBy,
      category: current.category === 'other' ? d.category : current.category,
      amount: current.amount || amount,
      currency: current.currency || currency,
    };
  }
  const next: DisputeRecord = {
    ...base,
    ...facts,
    amount: amount || current.amount,
    currency: currency || current.currency,
    category: d.category === 'other' ? current.category : d.category,
    status: d.status,
    lastEventAt: at,
    lastEventType: n.eventType,
  };
  if (FINAL.has(d.status)) next.closedAt = at;
  else delete next.closedAt;
  return next;
}

/** Whether a notification's dispute event is the newest the record has seen (it set the status). */
export function isLatest(record: DisputeRecord, n: GatewayNotification, now: number): boolean {
  return record.lastEventAt === (n.occurredAt ?? now) && record.lastEventType === n.eventType;
}
