/**
 * What the chargeback counters count, per MID and month: the increments a settlement, a dispute,
 * a fraud report or a resolved alert adds (written in the same store write as the change itself),
 * and the figures read back from the counters.
 * @module
 */
import type { DisputeCategory } from '../notifications';
import type { MonthCount } from '../store/types';

/** A count and an amount (minor units, summed across currencies). */
export interface Tally {
  count: number;
  amount: number;
}

/** The counted card networks (the ratios are each network's own). */
export type MonitoredBrand = 'visa' | 'mastercard';

/** Per-network counts of a month. */
export interface BrandFigures {
  sales: Tally;
  disputes: Tally;
  fraudReports: Tally;
}

/** One MID's (or an entity's) counts of one month. */
export interface MonthFigures {
  /** Settled card-not-present sales (sales, rebills and captures; a void of an unsettled sale takes one back). */
  sales: Tally;
  refunds: Tally;
  /** Chargebacks (inquiries and retrievals are not counted). */
  disputes: Tally;
  /** Issuer fraud reports (Visa TC40, Mastercard SAFE) where the gateway sends them, or recorded by `recordDispute`. */
  fraudReports: Tally;
  /** Disputes prevented: alerts resolved (`resolveAlert`). */
  prevented: Tally;
  /** Disputes by normalized category. */
  byCategory: Partial<Record<DisputeCategory, Tally>>;
  /** Disputes by network reason code (`10.4`, `4837`…). */
  byReasonCode: Record<string, Tally>;
  /** Counts of the networks whose ratios are computed. */
  byBrand: Record<MonitoredBrand, BrandFigures>;
}

type Metric = 'sales' | 'refunds' | 'disputes' | 'fraud_reports' | 'prevented';

/** Whether a brand has a ratio of its own. */
export function monitoredBrand(brand: string | undefined): MonitoredBrand | undefined {
  return brand === 'visa' || brand === 'mastercard' ? brand : undefined;
}

/**
 * The increments of one counted event: the total and, for Visa and Mastercard, the network's own.
 * @example
 * increments('mid-a', '2026-11', 'sales', 'visa', 1999)
 * // [{ mid: 'mid-a', month: '2026-11', metric: 'sales', count: 1, amount: 1999 }, { …, metric: 'sales.visa', … }]
 */
export function increments(mid: string, month: string, metric: Metric, brand: string | undefined, amount: number, count = 1): MonthCount[] {
  const out: MonthCount[] = [{ mid, month, metric, count, amount }];
  const b = monitoredBrand(brand);
  if (b) out.push({ mid, month, metric: `${metric}.${b}`, count, amount });
  return out;
}

/** The increments of one chargeback: totals, network, category and reason code. */
export function disputeIncrements(
  mid: string,
  month: string,
  d: { brand?: string | undefined; amount: number; category: DisputeCategory; reasonCode?: string | undefined },
): MonthCount[] {
  return [
    ...increments(mid, month, 'disputes', d.brand, d.amount),
    { mid, month, metric: `disputes.category.${d.category}`, count: 1, amount: d.amount },
    ...(d.reasonCode ? [{ mid, month, metric: `disputes.code.${d.reasonCode}`, count: 1, amount: d.amount }] : []),
  ];
}

const zero = (): Tally => ({ count: 0, amount: 0 });
const brandZero = (): BrandFigures => ({ sales: zero(), disputes: zero(), fraudReports: zero() });

/** Empty figures. */
export function emptyFigures(): MonthFigures {
  return {
    sales: zero(),
    refunds: zero(),
    disputes: zero(),
    fraudReports: zero(),
    prevented: zero(),
    byCategory: {},
    byReasonCode: {},
    byBrand: { visa: brandZero(), mastercard: brandZero() },
  };
}

const TOTALS: Record<string, keyof Pick<MonthFigures, 'sales' | 'refunds' | 'disputes' | 'fraudReports' | 'prevented'>> = {
  sales: 'sales',
  refunds: 'refunds',
  disputes: 'disputes',
  fraud_reports: 'fraudReports',
  prevented: 'prevented',
};
const BRAND: Record<string, keyof BrandFigures> = { sales: 'sales', disputes: 'disputes', fraud_reports: 'fraudReports' };

function add(t: Tally, c: { count: number; amount: number }): void {
  t.count += c.count;
  t.amount += c.amount;
}

/** Add counter rows into figures (rows of several MIDs add up: an entity's figures). */
export function addRows(into: MonthFigures, rows: readonly MonthCount[]): MonthFigures {
  for (const r of rows) {
    const [head, sub, ...rest] = r.metric.split('.');
    if (sub === undefined) {
      const k = TOTALS[head!];
      if (k) add(into[k], r);
    } else if (head === 'disputes' && sub === 'category') {
      add((into.byCategory[rest.join('.') as DisputeCategory] ??= zero()), r);
    } else if (head === 'disputes' && sub === 'code') {
      add((into.byReasonCode[rest.join('.')] ??= zero()), r);
    } else {
      const b = monitoredBrand(sub);
      const k = BRAND[head!];
      if (b && k) add(into.byBrand[b][k], r);
    }
  }
  return into;
}
