/**
 * Warnings and a brake, never a balancer: when a MID's own Visa-style or Mastercard-style ratio
 * reaches the merchant's `warnAt`, `mid:dispute_warning` fires (once per month and level, across
 * servers: the entry is recorded once); at `pauseAt` the MID also stops taking new initial sales
 * until the merchant resumes it or the month ends. Rebills stay pinned and weights are never touched.
 * @module
 */
import type { RouterContext } from '../context';
import { addRows, emptyFigures } from './counts';
import { monthKey, previousMonth } from './month';
import type { Ratio } from './programs';
import type { DisputeLevel, DisputeLevelFigures } from './state';

const ratio = (numerator: number, denominator: number): Ratio => ({
  numerator,
  denominator,
  ...(denominator > 0 && { ratio: numerator / denominator }),
});

/** A MID's own ratios of the month (no program minimum counts: those apply to the program figures only). */
export async function midRatios(ctx: RouterContext, midId: string, at: number): Promise<{ month: string; visa: Ratio; mastercard: Ratio }> {
  const month = monthKey(at, ctx.monitoring.options.timeZone);
  const prev = previousMonth(month);
  const rows = await ctx.store.monthCounts([month, prev], [midId]);
  const now = addRows(
    emptyFigures(),
    rows.filter((r) => r.month === month),
  );
  const before = addRows(
    emptyFigures(),
    rows.filter((r) => r.month === prev),
  );
  const v = now.byBrand.visa;
  return {
    month,
    visa: ratio(v.fraudReports.count + v.disputes.count, v.sales.count),
    mastercard: ratio(now.byBrand.mastercard.disputes.count, before.byBrand.mastercard.sales.count),
  };
}

/** Re-read the pauses of this month from the store when they are older than `pauseRefreshMs` (or `force`). */
export async function refreshPauses(ctx: RouterContext, force = false): Promise<void> {
  const m = ctx.monitoring;
  const now = ctx.clock();
  const month = monthKey(now, m.options.timeZone);
  if (!force && m.loaded?.month === month && now - m.loaded.at < m.options.pauseRefreshMs) return;
  if (m.writing.size) await Promise.allSettled([...m.writing]);
  const [pauses, resumes] = await Promise.all([
    ctx.store.listMonitorEntries({ kind: 'pause', month }),
    ctx.store.listMonitorEntries({ kind: 'resume', month }),
  ]);
  const resumed = new Set(resumes.map((r) => r.mid));
  m.pauses = new Map();
  for (const p of pauses) {
    if (!resumed.has(p.mid) && !m.resumed.has(`${p.mid}:${month}`)) m.pauses.set(p.mid, p.data as unknown as DisputeLevelFigures);
  }
  m.loaded = { month, at: now };
}

/** The pause of a MID in force at `now`, if any (a pause ends with its month). */
export function pauseOf(ctx: RouterContext, midId: string, now: number): DisputeLevelFigures | undefined {
  const p = ctx.monitoring.pauses.get(midId);
  return p && p.month === monthKey(now, ctx.monitoring.options.timeZone) ? p : undefined;
}

/**
 * After a MID's dispute count rose: fire each level it reached for the first time this month, and
 * pause it at `pauseAt` (unless the merchant resumed it this month). Failures are reported, never thrown.
 */
export async function checkDisputeLevels(ctx: RouterContext, midId: string): Promise<void> {
  const mid = ctx.mids.get(midId);
  const levels = mid?.disputes;
  if (!levels || (levels.warnAt === undefined && levels.pauseAt === undefined)) return;
  try {
    const at = ctx.clock();
    const r = await midRatios(ctx, midId, at);
    const reached = (threshold: number) =>
      (['visa', 'mastercard'] as const).filter((k) => r[k].ratio !== undefined && r[k].ratio! >= threshold);
    const todo: Array<[DisputeLevel, number]> = [];
    if (levels.warnAt !== undefined) todo.push(['warn', levels.warnAt]);
    if (levels.pauseAt !== undefined) todo.push(['pause', levels.pauseAt]);
    for (const [level, threshold] of todo) {
      const crossed = reached(threshold);
      if (!crossed.length) continue;
      const figures: DisputeLevelFigures = {
        mid: midId,
        month: r.month,
        level,
        threshold,
        crossed,
        visa: r.visa,
        mastercard: r.mastercard,
        at,
      };
      const data = figures as unknown as Record<string, unknown>;
      const warned = await ctx.store.write({
        monitor: { entry: { id: `warning:${midId}:${r.month}:${level}`, kind: 'warning', mid: midId, month: r.month, at, data } },
      });
      if (warned.ok) ctx.events.emit('mid:dispute_warning', figures);
      if (level !== 'pause') continue;
      if (ctx.monitoring.resumed.has(`${midId}:${r.month}`) || (await ctx.store.getMonitorEntry(`resume:${midId}:${r.month}`))) continue;
      const paused = await ctx.store.write({
        monitor: { entry: { id: `pause:${midId}:${r.month}`, kind: 'pause', mid: midId, month: r.month, at, data } },
      });
      if (paused.ok) {
        ctx.monitoring.pauses.set(midId, figures);
        ctx.events.emit('mid:dispute_pause', figures);
      }
    }
  } catch (e) {
    ctx.events.report({
      source: 'store',
      message: `dispute thresholds of ${midId} not checked: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
}

/**
 * The merchant resumed a MID (`setMidEnabled(mid, true)`): a pause of this month ends now in this
 * process and, once written, on every server; the brake stays off for the rest of the month.
 */
export function resumeMid(ctx: RouterContext, midId: string): void {
  const m = ctx.monitoring;
  const at = ctx.clock();
  const month = monthKey(at, m.options.timeZone);
  const local = m.pauses.get(midId);
  m.pauses.delete(midId);
  const job = (async () => {
    const paused = local?.month === month || (await ctx.store.getMonitorEntry(`pause:${midId}:${month}`)) !== undefined;
    if (!paused) return;
    m.resumed.add(`${midId}:${month}`);
    await ctx.store.write({ monitor: { entry: { id: `resume:${midId}:${month}`, kind: 'resume', mid: midId, month, at } } });
  })().catch((e) =>
    ctx.events.report({ source: 'store', message: `resume of ${midId} not recorded: ${e instanceof Error ? e.message : String(e)}` }),
  );
  m.writing.add(job);
  void job.finally(() => m.writing.delete(job));
}
