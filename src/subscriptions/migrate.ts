/**
 * Horizontal migrations: moving a subscription's pin to another MID, one at a time (`repin`) or
 * in bulk from a closing MID (`migrate`), each with an audit record written with the move. A move
 * changes only where rebills go: each MID's stored credential stays that MID's, so nothing of
 * one gateway is ever sent to another. What the new MID can charge is decided by
 * `assessCredential`, the same way in a dry run, in the real run and at the rebill.
 * @module
 */
import { Err, Ok, type Result } from 'ts-results-es';
import type { MidRuntime } from '../accounts';
import type { RouterContext } from '../context';
import type { PinRecord, RepinAuditRecord } from '../store/types';
import { rejected } from '../transaction/results';
import type { Failure } from '../types';
import { assessCredential, type CredentialVerdict } from './credentials';

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

/** One subscription a migration looked at. */
export interface MigrationItem {
  subscriptionId: string;
  /**
   * What `to` can charge it with: `as_is` a token that works there; `retokenize` the card again
   * (with the portable network transaction id), from the vault when `vault` is true;
   * `needs_customer` nothing until the customer enters the card again. Absent when skipped before
   * that question (not pinned to `from`, not active).
   */
  credential?: CredentialVerdict['move'] | undefined;
  /** For `retokenize`: whether the router's vault can give the card back at charge time. */
  vault?: boolean | undefined;
  /** Whether it moves (in a dry run: would move): `as_is`, and `retokenize` with the vault. */
  moves: boolean;
  why: string;
}

/** What a migration moved (or, in a dry run, would move), and why the rest stays. */
export interface MigrationReport {
  dryRun: boolean;
  /** Audit records of the moves (in a dry run: of the moves it would make). */
  moved: RepinAuditRecord[];
  /** Subscriptions left where they are, with why. */
  skipped: Array<{ subscriptionId: string; why: string }>;
  /** Every subscription looked at, in order, with what the move does to its credential. */
  subscriptions: MigrationItem[];
  /** The same, counted: a dry run's counts are what the real run then does. */
  counts: { asIs: number; retokenize: number; retokenizeWithVault: number; needsCustomer: number; moved: number; skipped: number };
}

/** Whether a verdict leaves the subscription chargeable on the new MID without the caller. */
const chargeable = (v: CredentialVerdict) => v.move === 'as_is' || (v.move === 'retokenize' && v.vault);

/** Move one subscription to another MID, audited. It moves even when the new MID cannot charge it yet (the event says so). */
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
  const lost = await move(ctx, audit, mid, assessCredential(pin, mid, ctx.mids, ctx.vault));
  if (lost !== undefined) return rejected('invalid_state', `subscription ${subscriptionId} ${lost}: not moved`);
  return Ok(audit);
}

/**
 * Move a pin, only while it is still on `audit.fromMid`: a re-pin made meanwhile (another process,
 * support) is never undone. Returns why it did not move, or undefined when it moved.
 */
async function move(ctx: RouterContext, audit: RepinAuditRecord, mid: MidRuntime, verdict: CredentialVerdict): Promise<string | undefined> {
  const done = await ctx.store.write({
    updatePin: {
      subscriptionId: audit.subscriptionId,
      patch: { mid: audit.toMid, gateway: mid.adapter.gateway },
      now: audit.at,
      expectMid: audit.fromMid,
    },
    repinAudit: audit,
  });
  if (!done.ok) {
    const now = await ctx.store.getPin(audit.subscriptionId);
    return now ? `moved to ${now.mid} meanwhile; left there` : 'is no longer pinned';
  }
  ctx.events.emit('pin:moved', {
    subscriptionId: audit.subscriptionId,
    fromMid: audit.fromMid,
    toMid: audit.toMid,
    reason: audit.reason,
    credential: verdict.move,
  });
  return undefined;
}

/**
 * Re-pin subscriptions from one MID to another, with an audit record each. Moves what the new MID
 * can charge (a token that works there, or the card from the vault with the network transaction
 * id) and reports the rest; `dryRun` says the same without moving anything.
 */
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
  const report: MigrationReport = {
    dryRun: dryRun === true,
    moved: [],
    skipped: [],
    subscriptions: [],
    counts: { asIs: 0, retokenize: 0, retokenizeWithVault: 0, needsCustomer: 0, moved: 0, skipped: 0 },
  };
  const stay = (item: MigrationItem) => {
    report.subscriptions.push(item);
    report.skipped.push({ subscriptionId: item.subscriptionId, why: item.why });
    report.counts.skipped++;
  };
  for (const id of wanted ?? [])
    if (!onFrom.some((p) => p.subscriptionId === id)) stay({ subscriptionId: id, moves: false, why: `not pinned to ${from}` });
  for (const pin of onFrom) {
    if (wanted && !wanted.has(pin.subscriptionId)) continue;
    if (pin.status !== 'active') {
      stay({ subscriptionId: pin.subscriptionId, moves: false, why: `subscription is ${pin.status}` });
      continue;
    }
    const verdict = assessCredential(pin, to, ctx.mids, ctx.vault);
    count(report, verdict);
    const item = itemOf(pin, verdict);
    if (!item.moves) {
      stay(item);
      continue;
    }
    const audit: RepinAuditRecord = { subscriptionId: pin.subscriptionId, fromMid: from, toMid: to.id, reason, at: ctx.clock() };
    const lost = report.dryRun ? undefined : await move(ctx, audit, to, verdict);
    if (lost !== undefined) {
      stay({ ...item, moves: false, why: lost });
      continue;
    }
    report.subscriptions.push(item);
    report.moved.push(audit);
    report.counts.moved++;
  }
  return Ok(report);
}

function itemOf(pin: PinRecord, v: CredentialVerdict): MigrationItem {
  const moves = chargeable(v);
  const why =
    v.move === 'retokenize' && !v.vault
      ? `${v.why}: stays; pass the card to rebill() after a repin, or keep cards in a vault with reveal()`
      : v.move === 'needs_customer'
        ? `${v.why}: stays; the customer must enter the card again (a sale or verify naming subscription ${pin.subscriptionId})`
        : v.why;
  return {
    subscriptionId: pin.subscriptionId,
    credential: v.move,
    ...(v.move === 'retokenize' && { vault: v.vault }),
    moves,
    why,
  };
}

function count(report: MigrationReport, v: CredentialVerdict): void {
  if (v.move === 'as_is') report.counts.asIs++;
  else if (v.move === 'needs_customer') report.counts.needsCustomer++;
  else {
    report.counts.retokenize++;
    if (v.vault) report.counts.retokenizeWithVault++;
  }
}
