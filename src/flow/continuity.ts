/**
 * Continuity billing around pins: Mastercard express consent for negative-option trials, the
 * facts of the consent message, and horizontal migrations (bulk, audited re-pins).
 * @module
 */
import { Err, Ok, type Result } from 'ts-results-es';
import type { RepinAuditRecord } from '../store/types';
import type { Failure } from '../types';
import type { RouterContext } from './context';
import { isNegativeOptionTrial, type PinData } from './rebill';
import { rejected } from './results';

/** A cardholder's answer to the express consent request. */
export interface ConsentInput {
  given: boolean;
  /** When it was given (ms since epoch). */
  at: number;
  /** How: 'email', 'sms', 'web', 'phone'… */
  channel: string;
}

/** The facts the express consent message must state. */
export interface ConsentDetails {
  subscriptionId: string;
  mid: string;
  /** Statement descriptor the cardholder will see. */
  descriptor?: string;
  trialAmount: number;
  recurringAmount?: number;
  currency: string;
  trialStartedAt: number;
  firstRebillAt?: number;
  /** How to cancel (from the MID's `cancellation` setting). */
  cancellation?: string;
  negativeOptionTrial: boolean;
  consent?: ConsentInput;
}

/** Record the cardholder's express consent; `given: false` cancels further rebills. */
export async function recordConsent(
  ctx: RouterContext,
  subscriptionId: string,
  consent: ConsentInput,
): Promise<Result<ConsentInput, Failure>> {
  if (typeof consent !== 'object' || consent === null || typeof consent.given !== 'boolean')
    return rejected('validation', 'given: must be true or false', { field: 'given' }) as Result<never, Failure>;
  if (!Number.isSafeInteger(consent.at) || consent.at <= 0)
    return rejected('validation', 'at: must be a time in ms since epoch', { field: 'at' }) as Result<never, Failure>;
  if (typeof consent.channel !== 'string' || !consent.channel.trim() || consent.channel.length > 64)
    return rejected('validation', 'channel: must name how consent was collected', { field: 'channel' }) as Result<never, Failure>;
  const pin = await ctx.store.getPin(subscriptionId);
  if (!pin)
    return rejected('unknown_subscription', `subscriptionId: no pinned subscription "${subscriptionId}"`, {
      field: 'subscriptionId',
    }) as Result<never, Failure>;
  const record = { given: consent.given, at: consent.at, channel: consent.channel };
  await ctx.store.updatePin(
    subscriptionId,
    { data: { ...(pin.data as PinData), consent: record }, ...(!consent.given && { status: 'cancelled' as const }) },
    ctx.clock(),
  );
  return Ok(record);
}

/** What the consent message must say, from the pin and the MID. */
export async function consentDetails(ctx: RouterContext, subscriptionId: string): Promise<ConsentDetails | undefined> {
  const pin = await ctx.store.getPin(subscriptionId);
  if (!pin) return undefined;
  const mid = ctx.mids.get(pin.mid);
  const data = (pin.data ?? {}) as PinData;
  return {
    subscriptionId,
    mid: pin.mid,
    descriptor: mid?.merchant.descriptor,
    trialAmount: pin.initialAmount,
    recurringAmount: pin.recurringAmount,
    currency: pin.currency,
    trialStartedAt: pin.createdAt,
    firstRebillAt: data.firstRebillAt,
    cancellation: mid?.cancellation,
    negativeOptionTrial: isNegativeOptionTrial(pin),
    consent: data.consent,
  };
}

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

/** Re-pin subscriptions from one MID to another, with an audit record each. */
export async function migrate(ctx: RouterContext, options: MigrateOptions): Promise<Result<MigrationReport, Failure>> {
  const fail = (field: string, message: string) =>
    Err<Failure>({ kind: 'rejected', rejection: 'validation', field, message: `${field}: ${message}`, attempts: [] });
  if (!ctx.mids.has(options?.from)) return fail('from', `unknown merchant account "${options?.from}"`);
  const to = ctx.mids.get(options.to);
  if (!to) return fail('to', `unknown merchant account "${options.to}"`);
  if (options.from === options.to) return fail('to', 'must differ from `from`');
  if (options.subscriptions !== undefined && !Array.isArray(options.subscriptions))
    return fail('subscriptions', 'must be a list of subscription ids');
  const reason = options.reason ?? `migration from ${options.from} to ${options.to}`;
  const onFrom = await ctx.store.listPins(options.from);
  const wanted = options.subscriptions ? new Set(options.subscriptions) : undefined;
  const report: MigrationReport = { dryRun: options.dryRun === true, moved: [], skipped: [] };
  for (const id of wanted ?? [])
    if (!onFrom.some((p) => p.subscriptionId === id)) report.skipped.push({ subscriptionId: id, why: `not pinned to ${options.from}` });
  for (const pin of onFrom) {
    if (wanted && !wanted.has(pin.subscriptionId)) continue;
    if (pin.status !== 'active') {
      report.skipped.push({ subscriptionId: pin.subscriptionId, why: `subscription is ${pin.status}` });
      continue;
    }
    const audit: RepinAuditRecord = {
      subscriptionId: pin.subscriptionId,
      fromMid: options.from,
      toMid: options.to,
      reason,
      at: ctx.clock(),
    };
    if (!report.dryRun) {
      await ctx.store.repin(pin.subscriptionId, { mid: options.to, gateway: to.adapter.gateway }, audit);
      ctx.events.emit('pin:moved', { subscriptionId: pin.subscriptionId, fromMid: options.from, toMid: options.to, reason });
    }
    report.moved.push(audit);
  }
  return Ok(report);
}
