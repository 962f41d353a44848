/**
 * The card networks' dispute ratios as they compute them, and their monitoring programs'
 * thresholds (Visa Acquirer Monitoring Program, Mastercard Excessive Chargeback Program, 2025–2026
 * figures as acquirers publish them). Pure arithmetic on a month's counts: no state.
 *
 * - Visa (VAMP): (fraud reports + disputes of the month) ÷ settled card-not-present sales of the
 *   same month; the merchant threshold applies only above 1,500 fraud reports plus disputes.
 * - Mastercard (ECP): chargebacks of the month ÷ sales of the previous month; each tier needs
 *   both its chargeback count and its ratio.
 * @module
 */
import type { MonthFigures } from './counts';
import type { Ratio } from './state';

/** A dated threshold: in force from `from` (ms, UTC) until the next entry. */
interface Dated {
  from: number;
  excessive: number;
}

/** VAMP merchant "excessive" ratio by date (outside the Middle East and North Africa). */
const VAMP_MERCHANT: readonly Dated[] = [
  { from: Date.UTC(2025, 5, 1), excessive: 0.022 },
  { from: Date.UTC(2026, 3, 1), excessive: 0.015 },
];

/** VAMP: the merchant threshold applies only when fraud reports plus disputes of the month exceed this. */
export const VAMP_MINIMUM_COUNT = 1500;

/** Mastercard ECP tiers: each needs at least `count` chargebacks and the ratio (`above`: strictly above it). */
export const ECP_TIERS = [
  { tier: 'HECM', count: 300, ratio: 0.03, strictly: false },
  { tier: 'ECM', count: 100, ratio: 0.015, strictly: false },
  { tier: 'CMM', count: 100, ratio: 0.01, strictly: true },
] as const;

/** Mastercard ECP tier names: high excessive, excessive, chargeback-monitored merchant. */
export type EcpTier = (typeof ECP_TIERS)[number]['tier'];

/**
 * The VAMP merchant threshold in force at a time.
 * @example
 * vampThreshold(Date.UTC(2026, 0, 15)) // 0.022
 * vampThreshold(Date.UTC(2026, 3, 1))  // 0.015
 */
export function vampThreshold(at: number): number {
  let t = VAMP_MERCHANT[0]!.excessive;
  for (const d of VAMP_MERCHANT) if (at >= d.from) t = d.excessive;
  return t;
}

export type { Ratio } from './state';

/** Visa's program figures for one month. */
export interface VisaFigures extends Ratio {
  program: 'VAMP';
  /** The merchant "excessive" threshold in force. */
  threshold: number;
  minimumCount: number;
  /** Fraud reports plus disputes exceed the minimum count (the threshold applies). */
  meetsMinimum: boolean;
  /** At or above the threshold with the minimum met: identified as excessive. */
  excessive: boolean;
}

/** Mastercard's program figures for one month. */
export interface MastercardFigures extends Ratio {
  program: 'ECP';
  /** The tier the counts reach, if any. */
  tier?: EcpTier | undefined;
  /** The tiers: their chargeback count and ratio. */
  tiers: ReadonlyArray<{ tier: EcpTier; count: number; ratio: number }>;
}

const ratioOf = (numerator: number, denominator: number): Ratio => ({
  numerator,
  denominator,
  ...(denominator > 0 && { ratio: numerator / denominator }),
});

/**
 * The Visa-style ratio of a month: Visa fraud reports plus Visa disputes over settled Visa sales of the same month.
 * @example
 * visaFigures({ ...figures, byBrand: { visa: { sales: { count: 100_000 }, disputes: { count: 1_000 }, fraudReports: { count: 501 } } } }, at)
 * // { numerator: 1501, denominator: 100000, ratio: 0.01501, meetsMinimum: true, excessive: true, … } (from April 2026)
 */
export function visaFigures(month: MonthFigures, at: number): VisaFigures {
  const v = month.byBrand.visa;
  const r = ratioOf(v.fraudReports.count + v.disputes.count, v.sales.count);
  const threshold = vampThreshold(at);
  const meetsMinimum = r.numerator > VAMP_MINIMUM_COUNT;
  return {
    program: 'VAMP',
    ...r,
    threshold,
    minimumCount: VAMP_MINIMUM_COUNT,
    meetsMinimum,
    excessive: meetsMinimum && r.ratio !== undefined && r.ratio >= threshold,
  };
}

/**
 * The Mastercard-style ratio: Mastercard chargebacks of this month over Mastercard sales of the previous month.
 * @example
 * mastercardFigures(june, may) // 150 chargebacks over 10,000 May sales: ratio 0.015, tier 'ECM'
 */
export function mastercardFigures(month: MonthFigures, previous: MonthFigures): MastercardFigures {
  const r = ratioOf(month.byBrand.mastercard.disputes.count, previous.byBrand.mastercard.sales.count);
  return { program: 'ECP', ...r, tier: ecpTier(r), tiers: ECP_TIERS.map(({ tier, count, ratio }) => ({ tier, count, ratio })) };
}

/**
 * The ECP tier of a chargeback count and ratio (both conditions of a tier must hold).
 * @example
 * ecpTier({ numerator: 300, ratio: 0.03 })  // 'HECM'
 * ecpTier({ numerator: 99, ratio: 0.05 })   // undefined (fewer than 100 chargebacks)
 */
export function ecpTier(r: Pick<Ratio, 'numerator' | 'ratio'>): EcpTier | undefined {
  if (r.ratio === undefined) return undefined;
  for (const t of ECP_TIERS) if (r.numerator >= t.count && (t.strictly ? r.ratio > t.ratio : r.ratio >= t.ratio)) return t.tier;
  return undefined;
}

/** A projection of the month's end at its pace so far. */
export interface Projection {
  /** Fraction of the month passed. */
  elapsed: number;
  visa: { numerator: number; denominator: number; ratio?: number | undefined; meetsMinimum: boolean; excessive: boolean };
  mastercard: { numerator: number; denominator: number; ratio?: number | undefined; tier?: EcpTier | undefined };
}

/**
 * The end-of-month figures at the month's pace: this month's counts divided by the fraction passed
 * (Visa's denominator scales too, so its ratio stays; Mastercard's is last month's and stays fixed).
 * @example
 * project(visa, mastercard, 0.5, at) // 60 chargebacks by mid-month over 4,000 last-month sales → 120 / 4000 = 0.03
 */
export function project(visa: VisaFigures, mastercard: MastercardFigures, elapsed: number, at: number): Projection {
  const scale = (n: number) => Math.round(n / elapsed);
  const vn = scale(visa.numerator);
  const vd = scale(visa.denominator);
  const vr = vd > 0 ? vn / vd : undefined;
  const threshold = vampThreshold(at);
  const mn = scale(mastercard.numerator);
  const md = mastercard.denominator;
  const mr = md > 0 ? mn / md : undefined;
  return {
    elapsed,
    visa: {
      numerator: vn,
      denominator: vd,
      ratio: vr,
      meetsMinimum: vn > VAMP_MINIMUM_COUNT,
      excessive: vn > VAMP_MINIMUM_COUNT && vr !== undefined && vr >= threshold,
    },
    mastercard: { numerator: mn, denominator: md, ratio: mr, tier: ecpTier({ numerator: mn, ratio: mr }) },
  };
}
