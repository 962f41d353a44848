/**
 * `router.recordDispute` and `router.midHealth`: disputes and issuer fraud reports learnt outside
 * the gateways' notifications (an alert provider, a CSV import of the acquirer's report), counted
 * once per `disputeId`; and the MIDs' dispute health. Bad input is refused before anything is
 * written, with the field named.
 * @module
 */
import { Err, Ok, type Result } from 'ts-results-es';
import { settleChargeback } from '../attempt/settle';
import type { RouterContext } from '../context';
import { disputeCategory } from '../disputes';
import { checkDisputeLevels } from '../monitoring/brake';
import { increments } from '../monitoring/counts';
import { disputeEffect } from '../monitoring/disputes';
import { midHealth, type MidHealthReport } from '../monitoring/health';
import { monthKey } from '../monitoring/month';
import type { DisputeCategory, DisputeStatus } from '../notifications';
import type { DisputeRecord, TransactionRecord } from '../store/types';
import { rejected } from '../transaction/results';
import type { Failure } from '../types';

/** What `recordDispute` takes. */
export interface RecordDisputeInput {
  /** Our transaction the dispute or fraud report is about. */
  transactionId: string;
  /** The dispute's (or fraud report's) id at its source: recording it again counts nothing again. */
  disputeId: string;
  /** Disputed amount in minor units (default: the transaction's amount). */
  amount?: number | undefined;
  /** Network reason code (`10.4`, `4837`…): it decides the category when it has one meaning. */
  reasonCode?: string | undefined;
  /** Normalized category, when the reason code does not decide it. */
  category?: DisputeCategory | undefined;
  /** `dispute` (default): a chargeback; `fraud_report`: an issuer's fraud report (TC40 / SAFE), no money moved. */
  kind?: 'dispute' | 'fraud_report' | undefined;
  /** When it was received (ms; default now): its month counts it. */
  at?: number | undefined;
  /** Disputes: where it stands (default `needs_response`). Record the same id again with a new status to follow its life. */
  status?: DisputeStatus | undefined;
  /** Disputes: when the evidence is due (ms). */
  dueBy?: number | undefined;
}

/** What `recordDispute` did. */
export interface RecordedDispute {
  kind: 'dispute' | 'fraud_report';
  transactionId: string;
  mid: string;
  /** False when this id was recorded before (nothing counted twice). */
  created: boolean;
  /** False when the record already said all this (a replay). */
  changed: boolean;
  /** Month (`YYYY-MM`) whose counters count it, when counted. */
  countedIn?: string | undefined;
  /** Disputes: the record as stored. */
  dispute?: DisputeRecord | undefined;
}

const CATEGORIES = new Set<DisputeCategory>([
  'fraud',
  'not_received',
  'not_as_described',
  'duplicate',
  'subscription_cancelled',
  'credit_not_processed',
  'other',
]);
const STATUSES = new Set<DisputeStatus>(['inquiry', 'needs_response', 'under_review', 'won', 'lost', 'accepted']);

type Checked = { ok: true; input: RecordDisputeInput } | { ok: false; field: string; message: string };

function check(raw: unknown): Checked {
  if (typeof raw !== 'object' || raw === null) return { ok: false, field: '(input)', message: 'must be an object' };
  const r = raw as Record<string, unknown>;
  const bad = (field: string, message: string): Checked => ({ ok: false, field, message });
  for (const k of ['transactionId', 'disputeId'] as const)
    if (typeof r[k] !== 'string' || (r[k] as string).length === 0 || (r[k] as string).length > 255)
      return bad(k, 'must be a non-empty string of at most 255 characters');
  if (r.amount !== undefined && !(Number.isSafeInteger(r.amount) && (r.amount as number) > 0))
    return bad('amount', 'must be a positive integer in minor units');
  if (r.reasonCode !== undefined && !(typeof r.reasonCode === 'string' && /^[\w. -]{1,20}$/.test(r.reasonCode)))
    return bad('reasonCode', 'must be a network reason code such as "10.4" or "4837"');
  if (r.category !== undefined && !CATEGORIES.has(r.category as DisputeCategory))
    return bad('category', `must be one of ${[...CATEGORIES].join(', ')}`);
  if (r.kind !== undefined && r.kind !== 'dispute' && r.kind !== 'fraud_report') return bad('kind', "must be 'dispute' or 'fraud_report'");
  for (const k of ['at', 'dueBy'] as const)
    if (r[k] !== undefined && !(typeof r[k] === 'number' && Number.isFinite(r[k]) && (r[k] as number) > 0))
      return bad(k, 'must be a time in ms since epoch');
  if (r.status !== undefined && !STATUSES.has(r.status as DisputeStatus))
    return bad('status', `must be one of ${[...STATUSES].join(', ')}`);
  if (r.kind === 'fraud_report' && (r.status !== undefined || r.dueBy !== undefined))
    return bad(r.status !== undefined ? 'status' : 'dueBy', 'applies to disputes only, not to fraud reports');
  return { ok: true, input: r as unknown as RecordDisputeInput };
}

/** Record a dispute or fraud report (idempotent by `disputeId` on the transaction's MID). */
export async function recordDispute(ctx: RouterContext, raw: RecordDisputeInput): Promise<Result<RecordedDispute, Failure>> {
  const c = check(raw);
  if (!c.ok) return rejected('validation', `${c.field}: ${c.message}`, { field: c.field });
  const input = { ...c.input };
  let tx = await ctx.store.getTransaction(input.transactionId);
  if (!tx) return rejected('unknown_transaction', `transactionId: no transaction "${input.transactionId}"`, { field: 'transactionId' });
  if (!tx.mid || !tx.gateway)
    return rejected('invalid_state', `transactionId: transaction ${tx.id} never reached a merchant account (${tx.status})`, {
      field: 'transactionId',
      transactionId: tx.id,
    });
  const mid = tx.mid;
  const at = input.at ?? ctx.clock();
  if (input.kind === 'fraud_report') return fraudReport(ctx, tx, input, at);
  for (let tries = 0; tries < 5; tries++) {
    const id = `${mid}:${input.disputeId}`;
    const before = await ctx.store.getDispute(id);
    const after = nextRecord(before, input, tx, at);
    if (before && !after)
      return Ok({
        kind: 'dispute',
        transactionId: tx.id,
        mid,
        created: false,
        changed: false,
        countedIn: before.countedIn,
        dispute: before,
      });
    const record = after!;
    const effect = disputeEffect(ctx, before, record, tx, at);
    const moves = effect.lost || effect.reversed;
    const done = await settleChargeback(ctx, moves ? tx : undefined, effect.lost, {
      dispute: record,
      ...(effect.counts.length && { monitor: { counts: effect.counts } }),
    });
    if (!done.ok) {
      // Another writer changed the dispute or the transaction meanwhile: read both again.
      tx = (await ctx.store.getTransaction(tx.id)) ?? tx;
      continue;
    }
    ctx.events.emit(eventOf(record, before), { dispute: record });
    if (effect.counts.length) await checkDisputeLevels(ctx, mid);
    return Ok({
      kind: 'dispute',
      transactionId: tx.id,
      mid,
      created: !before,
      changed: true,
      countedIn: record.countedIn,
      dispute: record,
    });
  }
  return Err({
    kind: 'error',
    transactionId: tx.id,
    attempts: [],
    message: `dispute ${input.disputeId}: the ledger kept changing; try again`,
  });
}

function eventOf(record: DisputeRecord, before: DisputeRecord | undefined) {
  if (record.status === 'won') return 'dispute:won' as const;
  if (record.status === 'lost' || record.status === 'accepted') return 'dispute:lost' as const;
  return before ? ('dispute:updated' as const) : ('dispute:opened' as const);
}

/** The dispute record after this input, or undefined when it changes nothing. */
function nextRecord(
  before: DisputeRecord | undefined,
  input: RecordDisputeInput,
  tx: TransactionRecord,
  at: number,
): DisputeRecord | undefined {
  const reasonCode = input.reasonCode?.trim();
  if (!before) {
    const status = input.status ?? 'needs_response';
    return {
      id: `${tx.mid}:${input.disputeId}`,
      gatewayDisputeId: input.disputeId,
      mid: tx.mid!,
      gateway: tx.gateway!,
      transactionId: tx.id,
      ...(tx.gatewayTransactionId !== undefined && { gatewayTransactionId: tx.gatewayTransactionId }),
      amount: input.amount ?? tx.amount,
      currency: tx.currency,
      ...(reasonCode && { reasonCode }),
      category: disputeCategory(reasonCode, input.category),
      status,
      openedAt: at,
      ...(input.dueBy !== undefined && { dueBy: input.dueBy }),
      lastEventAt: at,
      lastEventType: 'recordDispute',
      ...((status === 'won' || status === 'lost' || status === 'accepted') && { closedAt: at }),
      revision: 1,
    };
  }
  const status = input.status ?? before.status;
  const changes = status !== before.status || (input.dueBy !== undefined && input.dueBy !== before.dueBy);
  if (!changes) return undefined;
  const next: DisputeRecord = {
    ...before,
    status,
    ...(input.dueBy !== undefined && { dueBy: input.dueBy }),
    lastEventAt: Math.max(at, before.lastEventAt),
    lastEventType: 'recordDispute',
    revision: before.revision + 1,
  };
  if (status === 'won' || status === 'lost' || status === 'accepted') next.closedAt = at;
  else delete next.closedAt;
  return next;
}

async function fraudReport(
  ctx: RouterContext,
  tx: TransactionRecord,
  input: RecordDisputeInput,
  at: number,
): Promise<Result<RecordedDispute, Failure>> {
  const mid = tx.mid!;
  const month = monthKey(at, ctx.monitoring.options.timeZone);
  const amount = input.amount ?? tx.amount;
  const done = await ctx.store.write({
    monitor: {
      entry: {
        id: `fraud:${mid}:${input.disputeId}`,
        kind: 'fraud_report',
        mid,
        month,
        at,
        transactionId: tx.id,
        data: { disputeId: input.disputeId, amount, ...(input.reasonCode && { reasonCode: input.reasonCode.trim() }) },
      },
      counts: increments(mid, month, 'fraud_reports', tx.card?.brand, amount),
    },
  });
  const base = { kind: 'fraud_report' as const, transactionId: tx.id, mid };
  if (!done.ok) {
    if (done.conflict !== 'monitor')
      return Err({ kind: 'error', transactionId: tx.id, attempts: [], message: `fraud report not recorded (${done.conflict})` });
    const seen = await ctx.store.getMonitorEntry(`fraud:${mid}:${input.disputeId}`);
    return Ok({ ...base, created: false, changed: false, countedIn: seen?.month });
  }
  ctx.events.emit('fraud:warning', {
    mid,
    gateway: tx.gateway!,
    transactionId: tx.id,
    reasonCode: input.reasonCode,
    amount,
    currency: tx.currency,
  });
  await checkDisputeLevels(ctx, mid);
  return Ok({ ...base, created: true, changed: true, countedIn: month });
}

/** `midHealth`: a bad MID id is a programmer mistake (a `TypeError` naming it). */
export function health(ctx: RouterContext, midId?: string, options: { at?: number | undefined } = {}): Promise<MidHealthReport> {
  if (midId !== undefined && !ctx.mids.has(midId)) throw new TypeError(`midId: unknown merchant account "${String(midId)}"`);
  if (options.at !== undefined && !(typeof options.at === 'number' && Number.isFinite(options.at)))
    throw new TypeError('at: must be a time in ms since epoch');
  return midHealth(ctx, midId, options.at ?? ctx.clock());
}
