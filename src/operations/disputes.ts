/**
 * `router.disputes(filter)` and `router.notifications(filter)`: reads of what the gateways'
 * notifications recorded. A bad filter is a programmer mistake: it throws a `TypeError` naming the field.
 * @module
 */
import type { RouterContext } from '../context';
import type { DisputeFilter, DisputeRecord, NotificationFilter, NotificationRecord } from '../store/types';

const DISPUTE_STATUSES = new Set(['inquiry', 'needs_response', 'under_review', 'won', 'lost']);
const NOTIFICATION_STATUSES = new Set(['applied', 'recorded', 'unmatched', 'deferred', 'conflict']);

function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw new TypeError(`${field}: must be a non-empty string`);
  return v;
}

function optionalTime(v: unknown, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${field}: must be a time in ms since epoch`);
  return v;
}

/** Disputes matching a filter (`from` inclusive, `to` exclusive, on `openedAt`). */
export function listDisputes(ctx: RouterContext, filter: DisputeFilter = {}): Promise<DisputeRecord[]> {
  const f = filter as Record<string, unknown>;
  const status = optionalString(f.status, 'status');
  if (status !== undefined && !DISPUTE_STATUSES.has(status))
    throw new TypeError(`status: must be one of ${[...DISPUTE_STATUSES].join(', ')}`);
  return ctx.store.listDisputes({
    mid: optionalString(f.mid, 'mid'),
    status: status as DisputeFilter['status'],
    transactionId: optionalString(f.transactionId, 'transactionId'),
    from: optionalTime(f.from, 'from'),
    to: optionalTime(f.to, 'to'),
  });
}

/** Recorded notifications matching a filter, oldest first. */
export function listNotifications(ctx: RouterContext, filter: NotificationFilter = {}): Promise<NotificationRecord[]> {
  const f = filter as Record<string, unknown>;
  const status = optionalString(f.status, 'status');
  if (status !== undefined && !NOTIFICATION_STATUSES.has(status))
    throw new TypeError(`status: must be one of ${[...NOTIFICATION_STATUSES].join(', ')}`);
  const limit = f.limit;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0))
    throw new TypeError('limit: must be a non-negative integer');
  return ctx.store.listNotifications({
    status: status as NotificationFilter['status'],
    mid: optionalString(f.mid, 'mid'),
    limit: limit as number | undefined,
  });
}
