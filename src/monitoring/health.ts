/**
 * `router.midHealth`: each MID's and each merchant entity's dispute figures of the month as the
 * networks count them, with the programs' thresholds, the merchant's own, and the end-of-month
 * projection at the month's pace. An entity aggregates every MID the networks would group with it:
 * the real exposure, never a per-MID view that hides it.
 * @module
 */
import type { RouterContext } from '../context';
import type { MonthCount } from '../store/types';
import { pauseOf } from './brake';
import { addRows, emptyFigures, type MonthFigures } from './counts';
import { monthElapsed, monthKey, previousMonth } from './month';
import { type MastercardFigures, mastercardFigures, type Projection, project, type VisaFigures, visaFigures } from './programs';
import type { DisputeLevel, DisputeLevelFigures } from './state';

/** The entity of MIDs that name none: all of them together. */
export const DEFAULT_ENTITY = 'default';

/** Dispute figures of a MID or an entity for one month. */
export interface DisputeHealth {
  /** Counts of the month so far. */
  counts: MonthFigures;
  /** Counts of the month before (the Mastercard-style denominator). */
  previous: MonthFigures;
  /** Visa-style ratio with the VAMP merchant threshold and its minimum count. */
  visa: VisaFigures;
  /** Mastercard-style ratio with the ECP tiers. */
  mastercard: MastercardFigures;
  /** The month's end at its pace so far. */
  projected: Projection;
}

/** One MID's health. */
export interface MidHealth extends DisputeHealth {
  mid: string;
  gateway: string;
  entity: string;
  /** The merchant's own thresholds on this MID (fractions). */
  thresholds: { warnAt?: number | undefined; pauseAt?: number | undefined };
  /** Set while the MID is paused for new initial sales. */
  paused?: DisputeLevelFigures | undefined;
  /** Levels whose warning fired this month. */
  warnings: DisputeLevel[];
}

/** One merchant entity's health: its MIDs' counts added up. */
export interface EntityHealth extends DisputeHealth {
  entity: string;
  mids: string[];
}

/** What `midHealth` returns. */
export interface MidHealthReport {
  /** `YYYY-MM` in `timeZone`. */
  month: string;
  previousMonth: string;
  timeZone: string;
  /** As of (ms). */
  at: number;
  mids: MidHealth[];
  entities: EntityHealth[];
}

function healthOf(rows: readonly MonthCount[], month: string, prev: string, at: number, elapsed: number): DisputeHealth {
  const counts = addRows(
    emptyFigures(),
    rows.filter((r) => r.month === month),
  );
  const previous = addRows(
    emptyFigures(),
    rows.filter((r) => r.month === prev),
  );
  const visa = visaFigures(counts, at);
  const mastercard = mastercardFigures(counts, previous);
  return { counts, previous, visa, mastercard, projected: project(visa, mastercard, elapsed, at) };
}

/** The health of every MID (or of one and its entity) at `at`. */
export async function midHealth(ctx: RouterContext, midId: string | undefined, at: number): Promise<MidHealthReport> {
  const tz = ctx.monitoring.options.timeZone;
  const month = monthKey(at, tz);
  const prev = previousMonth(month);
  const elapsed = monthElapsed(at, tz);
  const entityOf = (id: string) => ctx.mids.get(id)?.entity ?? DEFAULT_ENTITY;
  const wanted = midId === undefined ? undefined : entityOf(midId);
  const members = [...ctx.mids.values()].filter((m) => wanted === undefined || entityOf(m.id) === wanted).map((m) => m.id);
  const [rows, warnings] = await Promise.all([
    ctx.store.monthCounts([month, prev], members),
    ctx.store.listMonitorEntries({ kind: 'warning', month }),
  ]);
  const mids: MidHealth[] = members
    .filter((id) => midId === undefined || id === midId)
    .map((id) => {
      const m = ctx.mids.get(id)!;
      return {
        mid: id,
        gateway: m.adapter.gateway,
        entity: entityOf(id),
        ...healthOf(
          rows.filter((r) => r.mid === id),
          month,
          prev,
          at,
          elapsed,
        ),
        thresholds: {
          ...(m.disputes?.warnAt !== undefined && { warnAt: m.disputes.warnAt }),
          ...(m.disputes?.pauseAt !== undefined && { pauseAt: m.disputes.pauseAt }),
        },
        ...(pauseOf(ctx, id, at) && { paused: pauseOf(ctx, id, at) }),
        warnings: warnings.filter((w) => w.mid === id).map((w) => (w.data as { level: DisputeLevel }).level),
      };
    });
  const groups = new Map<string, string[]>();
  for (const id of members) groups.set(entityOf(id), [...(groups.get(entityOf(id)) ?? []), id]);
  const entities: EntityHealth[] = [...groups].map(([entity, ids]) => ({
    entity,
    mids: ids,
    ...healthOf(
      rows.filter((r) => ids.includes(r.mid)),
      month,
      prev,
      at,
      elapsed,
    ),
  }));
  return { month, previousMonth: prev, timeZone: tz, at, mids, entities };
}
