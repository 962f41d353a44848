/**
 * Support reads: search the ledger (newest first, with a cursor), a transaction's attempts with
 * notes for people, a subscription with its pin, consent, salvage and charges, and the MIDs'
 * state (approval rates today and this month, cap use, circuit). Read-only: nothing here writes.
 * @module
 */
import { capCounters } from '../accounts';
import { adviceFor, type DeclineAdvice } from '../declines/advice';
import type { RouterContext } from '../context';
import { FilterError } from '../errors';
import { SEARCH_FIELDS, utcDay } from '../store/search';
import type {
  AttemptRecord,
  CapUsage,
  PinRecord,
  RepinAuditRecord,
  TransactionRecord,
  TransactionSearch,
  TransactionStatus,
} from '../store/types';
import { pinData, type PinData } from '../subscriptions/pin';
import { TRANSACTION_TRANSITIONS } from '../transaction/states';
import type { Operation } from '../types';

/** A search of the ledger for `router.transactions`. Every field given must match. */
export interface TransactionFilter {
  /** Your order reference, as given on the sale (`orderId`). */
  orderId?: string | undefined;
  customerId?: string | undefined;
  /** The customer's e-mail, in any case. */
  email?: string | undefined;
  /** Last four digits of the card. */
  last4?: string | undefined;
  /** First six digits of the card. */
  bin?: string | undefined;
  /** The MID that approved, declined or holds the transaction. */
  mid?: string | undefined;
  status?: TransactionStatus | undefined;
  operation?: Operation | undefined;
  subscriptionId?: string | undefined;
  /** Created at or after this time (ms since epoch). */
  from?: number | undefined;
  /** Created before this time (ms since epoch). */
  to?: number | undefined;
  /** Page size, 1–500. Default 50. */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
}

/** A page of transactions, newest first. */
export interface TransactionPage {
  transactions: TransactionRecord[];
  /** Pass it as `cursor` for the next page; absent on the last page. */
  nextCursor?: string | undefined;
}

/** An attempt with the notes for support staff and the shopper when it failed. */
export interface AttemptView extends AttemptRecord {
  advice?: DeclineAdvice | undefined;
}

/** A subscription as support sees it. */
export interface SubscriptionView {
  subscriptionId: string;
  pin: PinRecord;
  /** `active`, `revoked` (by the cardholder's bank) or `cancelled`. */
  status: PinRecord['status'];
  mid: string;
  /** Express consent as recorded (Mastercard negative-option trials). */
  consent?: PinData['consent'] | undefined;
  /** Salvage progress after declined rebills, when a cycle is open. */
  salvage?: PinData['salvage'] | undefined;
  /** Approved rebills so far. */
  rebillCount: number;
  /** The subscription's transactions (initial one and rebills), newest first (the latest 100). */
  transactions: TransactionRecord[];
  /** Re-pins to other MIDs, oldest first. */
  repins: RepinAuditRecord[];
}

/** Approvals of a MID's payment attempts over a window. */
export interface ApprovalFigures {
  /** Attempts whose gateway answered (approved, held or declined). */
  answered: number;
  approved: number;
  declined: number;
  /** Gateway errors and unknown outcomes. */
  errors: number;
  /** approved / answered, or undefined before any answer. */
  approvalRate?: number | undefined;
}

/** The state of one MID for an operations view. */
export interface MidStatus {
  mid: string;
  gateway: string;
  enabled: boolean;
  disabledReason?: string | undefined;
  /** `half_open`: the cool-down ended, the next call is a trial. */
  circuit: { state: 'closed' | 'open' | 'half_open'; openUntil?: number | undefined; consecutiveFailures: number };
  /** Cap counters of today and this month, per currency the MID takes (or has used). */
  caps: Array<CapUsage & { currency: string; amountLimit?: number | undefined; countLimit?: number | undefined }>;
  /** UTC day and month so far. */
  today: ApprovalFigures;
  month: ApprovalFigures;
}

const STATUSES = new Set(Object.keys(TRANSACTION_TRANSITIONS));
const OPERATIONS = new Set<string>(['sale', 'authorize', 'capture', 'void', 'refund', 'verify', 'rebill']);
const FILTER_KEYS = new Set<string>([...SEARCH_FIELDS, 'from', 'to', 'limit', 'cursor']);

/** Encode a position in the newest-first order as an opaque cursor. */
function encodeCursor(t: TransactionRecord): string {
  return Buffer.from(JSON.stringify([t.createdAt, t.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof createdAt === 'number' && Number.isFinite(createdAt) && typeof id === 'string' && id.length > 0 && id.length <= 255)
      return { createdAt, id };
  } catch {
    // reported below
  }
  throw new FilterError('cursor', 'is not a cursor this router returned');
}

/** Check a filter and turn it into a store search. Throws `FilterError` naming the field. */
export function toSearch(filter: TransactionFilter = {}): TransactionSearch {
  if (typeof filter !== 'object' || filter === null) throw new FilterError('(filter)', 'must be an object');
  for (const k of Object.keys(filter)) if (!FILTER_KEYS.has(k)) throw new FilterError(k.slice(0, 64), 'is not a search field');
  const text = (field: string, v: unknown): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !v.trim() || v.length > 255)
      throw new FilterError(field, 'must be a non-empty string of at most 255 characters');
    return v;
  };
  const digits = (field: string, v: unknown, n: number): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !new RegExp(`^\\d{${n}}$`).test(v)) throw new FilterError(field, `must be ${n} digits`);
    return v;
  };
  const time = (field: string, v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new FilterError(field, 'must be a time in ms since epoch');
    return v;
  };
  const f = filter as Record<string, unknown>;
  if (f.status !== undefined && !STATUSES.has(f.status as string)) throw new FilterError('status', 'is not a transaction status');
  if (f.operation !== undefined && !OPERATIONS.has(f.operation as string)) throw new FilterError('operation', 'is not an operation');
  const limit = f.limit ?? 50;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 500)
    throw new FilterError('limit', 'must be an integer from 1 to 500');
  const email = text('email', f.email)?.trim().toLowerCase();
  const q: TransactionSearch = {
    orderId: text('orderId', f.orderId),
    customerId: text('customerId', f.customerId),
    email,
    last4: digits('last4', f.last4, 4),
    bin: digits('bin', f.bin, 6),
    mid: text('mid', f.mid),
    status: f.status as TransactionStatus | undefined,
    operation: f.operation as Operation | undefined,
    subscriptionId: text('subscriptionId', f.subscriptionId),
    from: time('from', f.from),
    to: time('to', f.to),
    limit: limit as number,
  };
  const cursor = text('cursor', f.cursor);
  if (cursor !== undefined) q.after = decodeCursor(cursor);
  for (const k of Object.keys(q) as Array<keyof TransactionSearch>) if (q[k] === undefined) delete q[k];
  return q;
}

/** `router.transactions`: one page of the ledger, newest first. */
export async function searchTransactions(ctx: RouterContext, filter?: TransactionFilter): Promise<TransactionPage> {
  const q = toSearch(filter);
  const rows = await ctx.store.searchTransactions({ ...q, limit: q.limit + 1 });
  const transactions = rows.slice(0, q.limit);
  return rows.length > q.limit ? { transactions, nextCursor: encodeCursor(transactions.at(-1)!) } : { transactions };
}

/** Brands the shop's enabled MIDs take, or undefined when one takes any brand. */
function acceptedBrands(ctx: RouterContext): string[] | undefined {
  const out = new Set<string>();
  for (const m of ctx.mids.values()) {
    if (!m.enabled) continue;
    if (!m.brands) return undefined;
    for (const b of m.brands) out.add(b);
  }
  return out.size ? [...out] : undefined;
}

/** `router.attempts`: every attempt of a transaction in the order made, failed ones with notes. */
export async function transactionAttempts(ctx: RouterContext, transactionId: string): Promise<AttemptView[]> {
  if (typeof transactionId !== 'string' || !transactionId) throw new FilterError('transactionId', 'must be a transaction id');
  const brands = acceptedBrands(ctx);
  return (await ctx.store.listAttempts(transactionId)).map((a) => {
    const advice = adviceFor(a, { brands });
    return advice ? { ...a, advice } : a;
  });
}

/** `router.subscription`: the pin with its consent, salvage state, charges and re-pins. */
export async function subscriptionView(ctx: RouterContext, subscriptionId: string): Promise<SubscriptionView | undefined> {
  if (typeof subscriptionId !== 'string' || !subscriptionId) throw new FilterError('subscriptionId', 'must be a subscription id');
  const pin = await ctx.store.getPin(subscriptionId);
  if (!pin) return undefined;
  const [transactions, repins] = await Promise.all([
    ctx.store.searchTransactions({ subscriptionId, limit: 100 }),
    ctx.store.listRepinAudit(subscriptionId),
  ]);
  const data = pinData(pin);
  return {
    subscriptionId,
    pin,
    status: pin.status,
    mid: pin.mid,
    ...(data.consent && { consent: data.consent }),
    ...(data.salvage && { salvage: data.salvage }),
    rebillCount: data.rebills ?? 0,
    transactions,
    repins,
  };
}

function figures(counts: ReadonlyArray<{ status: string; count: number }>): ApprovalFigures {
  let approved = 0;
  let declined = 0;
  let errors = 0;
  for (const c of counts) {
    if (c.status === 'approved' || c.status === 'held' || c.status === 'accepted') approved += c.count;
    else if (c.status === 'declined') declined += c.count;
    else if (c.status === 'error' || c.status === 'pending') errors += c.count;
  }
  const answered = approved + declined;
  return { answered, approved, declined, errors, ...(answered > 0 && { approvalRate: approved / answered }) };
}

/** `router.midStatus`: every MID's state, approval rates and cap use, for an operations view. */
export async function midStatus(ctx: RouterContext): Promise<MidStatus[]> {
  const now = ctx.clock();
  const d = new Date(now);
  const today = utcDay(now);
  const [month, day] = await Promise.all([
    ctx.store.countAttempts(utcDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)), today + 1),
    ctx.store.countAttempts(today, today + 1),
  ]);
  const out: MidStatus[] = [];
  for (const m of ctx.mids.values()) {
    const until = ctx.circuits.openUntil(m.id, now);
    const opened = ctx.circuits.openUntil(m.id, Number.NEGATIVE_INFINITY);
    const state = opened === 0 ? 'closed' : until > 0 ? 'open' : 'half_open';
    const caps: MidStatus['caps'] = [];
    if (m.caps) {
      // The currencies it lists, and those it charged this month (a MID may take any currency).
      const currencies = new Set([...(m.currencies ?? []), ...month.filter((c) => c.mid === m.id).map((c) => c.currency)]);
      for (const currency of [...currencies].sort()) {
        const counters = capCounters(m, currency, now);
        const usage = await ctx.store.capUsage(m.id, counters);
        usage.forEach((u, i) => caps.push({ ...u, currency, amountLimit: counters[i].amountLimit, countLimit: counters[i].countLimit }));
      }
    }
    out.push({
      mid: m.id,
      gateway: m.adapter.gateway,
      enabled: m.enabled,
      ...(m.disabledReason && { disabledReason: m.disabledReason }),
      circuit: {
        state,
        ...(state !== 'closed' && { openUntil: opened }),
        consecutiveFailures: ctx.circuits.signal.of(m.id).consecutiveFailures,
      },
      caps,
      today: figures(day.filter((c) => c.mid === m.id)),
      month: figures(month.filter((c) => c.mid === m.id)),
    });
  }
  return out;
}
