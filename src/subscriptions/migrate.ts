/**
 * Horizontal migrations: moving a subscription's pin to another MID, one at a time (`repin`) or
 * in bulk from a closing MID (`migrate`), each with an audit record written with the move.
 * @module
 */
import { Err, Ok, type Result } from 'ts-results-es';
import type { RouterContext } from '../context';
import type { RepinAuditRecord } from '../store/types';
import { rejected } from '../transaction/results';
import type { Failure } from '../types';

/** Options of `migrate`. */
export interface MigrateOptions {
  from: string;
  to: string;
  /** Only these subscriptions (default: every subscription pinned to `from`). */
  subscriptions?: string[] | undefined;
  /** List what would move without moving it. */
  dryRun?: boolean | undefined;
  /** Audit reason; default "migration from <from> to <to>". */
  reason?: string | undefined;
}

/** What a migration moved (or, in a dry run, would move). */
export interface MigrationReport {
  dryRun: boolean;
  moved: RepinAuditRecord[];
  skipped: Array<{ subscriptionId: string; why: string }>;
}

/** Move one subscription to another MID, audited. */
export async function repin(
  ctx: RouterContext,
  subscriptionId: string,
  midId: string,
  options: { reason: string },
): Promise<Result<RepinAuditRecord, Failure>> {
  const reason = typeof options === 'object' && options !== null ? options.reason : undefined;
  if (typeof reason !== 'string' || !reason.trim())
    return rejected('validation', 'reason: an audited re-pin needs a reason', { field: 'reason' });
  const mid = typeof midId === 'string' ? ctx.mids.get(midId) : undefined;
  if (!mid) return rejected('validation', 'midId: unknown merchant account', { field: 'midId' });
  const pin = typeof subscriptionId === 'string' ? await ctx.store.getPin(subscriptionId) : undefined;
  if (!pin) return rejected('unknown_subscription', 'subscriptionId: no such pinned subscription', { field: 'subscriptionId' });
  if (pin.mid === midId) return rejected('invalid_state', `subscription ${subscriptionId} is already pinned to ${midId}`);
  const audit: RepinAuditRecord = { subscriptionId, fromMid: pin.mid, toMid: midId, reason, at: ctx.clock() };
  await move(ctx, audit, mid.adapter.gateway);
  return Ok(audit);
}

async function move(ctx: RouterContext, audit: RepinAuditRecord, gateway: string): Promise<void> {
  await ctx.store.write({
    updatePin: { subscriptionId: audit.subscriptionId, patch: { mid: audit.toMid, gateway }, now: audit.at },
    repinAudit: audit,
  });
  ctx.events.emit('pin:moved', { subscriptionId: audit.subscriptionId, fromMid: audit.fromMid, toMid: audit.toMid, reason: audit.reason });
}

/** Re-pin subscriptions from one MID to another, with an audit record each. */
export async function migrate(ctx: RouterContext, options: MigrateOptions): Promise<Result<MigrationReport, Failure>> {
  const fail = (field: string, message: string) =>
    Err<Failure>({ kind: 'rejected', rejection: 'validation', field, message: `${field}: ${message}`, attempts: [] });
  if (typeof options !== 'object' || options === null) return fail('options', 'must be an object');
  const { from, to: toId, subscriptions, dryRun } = options;
  if (typeof from !== 'string' || !ctx.mids.has(from)) return fail('from', 'unknown merchant account');
  const to = typeof toId === 'string' ? ctx.mids.get(toId) : undefined;
  if (!to) return fail('to', 'unknown merchant account');
  if (from === toId) return fail('to', 'must differ from `from`');
  if (subscriptions !== undefined && !Array.isArray(subscriptions)) return fail('subscriptions', 'must be a list of subscription ids');
  const reason = options.reason ?? `migration from ${from} to ${toId}`;
  const onFrom = await ctx.store.listPins(from);
  const wanted = subscriptions ? new Set(subscriptions) : undefined;
  const report: MigrationReport = { dryRun: dryRun === true, moved: [], skipped: [] };
  for (const id of wanted ?? [])
    if (!onFrom.some((p) => p.subscriptionId === id)) report.skipped.push({ subscriptionId: id, why: `not pinned to ${from}` });
  for (const pin of onFrom) {
    if (wanted && !wanted.has(pin.subscriptionId)) continue;
    if (pin.status !== 'active') {
      report.skipped.push({ subscriptionId: pin.subscriptionId, why: `subscription is ${pin.status}` });
      continue;
    }
    const audit: RepinAuditRecord = { subscriptionId: pin.subscriptionId, fromMid: from, toMid: toId, reason, at: ctx.clock() };
    if (!report.dryRun) await move(ctx, audit, to.adapter.gateway);
    report.moved.push(audit);
  }
  return Ok(report);
}
