/**
 * The support search shared by the stores: which record fields each search field reads, the
 * order of results (newest first, ties by id), and the in-memory matcher the memory store uses.
 * The SQL stores read the same fields through generated columns and indexes (migration 6).
 * @module
 */
import type { Operation } from '../types';
import type { TransactionRecord, TransactionSearch } from './types';

/** Operations whose attempts count towards a MID's approval rate (follow-ups do not). */
export const PAYMENT_OPERATIONS: readonly Operation[] = ['sale', 'authorize', 'verify', 'rebill'];

/**
 * The UTC day of a time in ms (days since the epoch), as attempt counts are kept.
 * @example
 * utcDay(Date.UTC(2026, 10, 21, 12)) // 20778
 */
export const utcDay = (ms: number): number => Math.floor(ms / 86_400_000);

/**
 * Equality fields of a search in the order the SQL stores prefer them when several are given:
 * the most selective first (an order id names one order; a status names a fifth of the ledger).
 */
export const SEARCH_FIELDS = ['orderId', 'email', 'customerId', 'subscriptionId', 'last4', 'bin', 'mid', 'status', 'operation'] as const;

/** A search field. */
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** The value of a search field on a transaction. */
export function searchValue(t: TransactionRecord, field: SearchField): string | undefined {
  switch (field) {
    case 'orderId':
      return t.orderId;
    case 'email':
      return t.customer?.email;
    case 'customerId':
      return t.customer?.id;
    case 'subscriptionId':
      return t.subscriptionId;
    case 'last4':
      return t.card?.last4;
    case 'bin':
      return t.card?.bin;
    case 'mid':
      return t.mid;
    case 'status':
      return t.status;
    case 'operation':
      return t.operation;
  }
}

/** Newest first; at the same time, the greater id first (the order every store returns). */
export function newestFirst(a: TransactionRecord, b: TransactionRecord): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Whether a transaction matches every field of a search (the memory store's full scan). */
export function matchesSearch(t: TransactionRecord, q: TransactionSearch): boolean {
  for (const f of SEARCH_FIELDS) if (q[f] !== undefined && searchValue(t, f) !== q[f]) return false;
  if (q.from !== undefined && t.createdAt < q.from) return false;
  if (q.to !== undefined && t.createdAt >= q.to) return false;
  const a = q.after;
  return !a || t.createdAt < a.createdAt || (t.createdAt === a.createdAt && t.id < a.id);
}

/** Column of each search field in the SQL stores (generated from the record's document by migration 6). */
export const SEARCH_COLUMNS: Readonly<Record<SearchField, string>> = {
  orderId: 'search_order_id',
  email: 'search_email',
  customerId: 'search_customer_id',
  subscriptionId: 'search_subscription_id',
  last4: 'search_last4',
  bin: 'search_bin',
  mid: 'search_mid',
  status: 'status',
  operation: 'search_operation',
};

/** How one SQL dialect writes the parts of a search. */
export interface SearchDialect {
  /** The n-th parameter (1-based): `?` or `$n`. */
  param(n: number): string;
  /** A condition on a field that must not choose the index (SQLite: `+col = ?`). */
  secondary(column: string, param: string): string;
  /** The id column as ordered and compared (PostgreSQL: byte order, as the other stores). */
  id: string;
}

/**
 * The WHERE clause and parameters of a search. The first field given (in `SEARCH_FIELDS` order)
 * leads, so its index (field, created time, id) answers in newest-first order; the others filter.
 */
export function searchWhere(q: TransactionSearch, d: SearchDialect): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return d.param(params.length);
  };
  let lead = true;
  for (const f of SEARCH_FIELDS) {
    const v = q[f];
    if (v === undefined) continue;
    const col = SEARCH_COLUMNS[f];
    parts.push(lead ? `${col} = ${p(v)}` : d.secondary(col, p(v)));
    lead = false;
  }
  if (q.from !== undefined) parts.push(`search_created_at >= ${p(q.from)}`);
  if (q.to !== undefined) parts.push(`search_created_at < ${p(q.to)}`);
  if (q.after) parts.push(`(search_created_at, ${d.id}) < (${p(q.after.createdAt)}, ${p(q.after.id)})`);
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}
