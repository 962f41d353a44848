/**
 * Ratio arithmetic as the card networks compute it, against the worked examples of the research
 * notes (copied here: the repository reads nothing outside itself), plus properties of the arithmetic.
 *
 * Facts used (acquirer pages quoting Visa and Mastercard, 2025–2026):
 * - VAMP ratio = (fraud TC40 + disputes TC15) ÷ settled CNP transactions of the month; merchant
 *   "excessive" ≥ 2.20 % from 1 June 2025, ≥ 1.50 % from 1 April 2026; applies only when fraud
 *   plus disputes exceed 1,500 in the month. One fraudulent sale can count twice (TC40 + 10.4).
 * - Mastercard ECP: chargebacks received in the month ÷ sales of the previous month ("June
 *   chargebacks / May sales"); ECM ≥ 100 and ≥ 1.50 %, HECM ≥ 300 and ≥ 3.00 %, CMM ≥ 100 and > 1.00 %.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addRows, emptyFigures, increments, type MonthFigures } from '../../src/monitoring/counts';
import { daysInMonth, monthElapsed, monthKey, previousMonth } from '../../src/monitoring/month';
import { ecpTier, mastercardFigures, project, vampThreshold, visaFigures } from '../../src/monitoring/programs';

const NOV_2026 = Date.UTC(2026, 10, 20);

/** Figures with Visa and Mastercard counts. */
function figures(o: {
  visaSales?: number;
  visaDisputes?: number;
  visaFraud?: number;
  mcSales?: number;
  mcDisputes?: number;
}): MonthFigures {
  const rows = [
    ...increments('m', '2026-11', 'sales', 'visa', 0, o.visaSales ?? 0),
    ...increments('m', '2026-11', 'disputes', 'visa', 0, o.visaDisputes ?? 0),
    ...increments('m', '2026-11', 'fraud_reports', 'visa', 0, o.visaFraud ?? 0),
    ...increments('m', '2026-11', 'sales', 'mastercard', 0, o.mcSales ?? 0),
    ...increments('m', '2026-11', 'disputes', 'mastercard', 0, o.mcDisputes ?? 0),
  ];
  return addRows(emptyFigures(), rows);
}

describe('Visa-style ratio (VAMP)', () => {
  it('counts fraud reports plus disputes over settled sales of the same month', () => {
    const v = visaFigures(figures({ visaSales: 100_000, visaDisputes: 1_000, visaFraud: 501 }), NOV_2026);
    expect(v).toMatchObject({ program: 'VAMP', numerator: 1_501, denominator: 100_000, ratio: 0.01501, threshold: 0.015 });
    expect(v.meetsMinimum).toBe(true);
    expect(v.excessive).toBe(true);
  });

  it('applies the threshold only above 1,500 fraud reports plus disputes: 1,500 at 3 % is not excessive', () => {
    const v = visaFigures(figures({ visaSales: 50_000, visaDisputes: 1_000, visaFraud: 500 }), NOV_2026);
    expect(v.ratio).toBe(0.03);
    expect(v.meetsMinimum).toBe(false);
    expect(v.excessive).toBe(false);
  });

  it('uses the threshold in force: 2.20 % until April 2026, 1.50 % from 1 April 2026', () => {
    expect(vampThreshold(Date.UTC(2025, 9, 1))).toBe(0.022);
    expect(vampThreshold(Date.UTC(2026, 2, 31, 23))).toBe(0.022);
    expect(vampThreshold(Date.UTC(2026, 3, 1))).toBe(0.015);
    const month = figures({ visaSales: 100_000, visaDisputes: 2_000 });
    expect(visaFigures(month, Date.UTC(2026, 0, 15)).excessive).toBe(false); // 2.00 % < 2.20 %
    expect(visaFigures(month, Date.UTC(2026, 4, 15)).excessive).toBe(true); // 2.00 % ≥ 1.50 %
  });

  it('counts one fraudulent sale twice when it has a TC40 and a 10.4 dispute', () => {
    const v = visaFigures(figures({ visaSales: 10, visaDisputes: 1, visaFraud: 1 }), NOV_2026);
    expect(v.numerator).toBe(2);
    expect(v.ratio).toBe(0.2);
  });

  it('has no ratio without settled sales', () => {
    const v = visaFigures(figures({ visaDisputes: 3 }), NOV_2026);
    expect(v.ratio).toBeUndefined();
    expect(v.excessive).toBe(false);
  });

  it('counts only Visa: Mastercard sales and chargebacks are not in it', () => {
    const v = visaFigures(figures({ visaSales: 1_000, visaDisputes: 10, mcSales: 9_000, mcDisputes: 500 }), NOV_2026);
    expect([v.numerator, v.denominator]).toEqual([10, 1_000]);
  });
});

describe('Mastercard-style ratio (ECP)', () => {
  it('divides this month’s chargebacks by last month’s sales (June chargebacks / May sales)', () => {
    const may = figures({ mcSales: 10_000 });
    const june = figures({ mcSales: 1, mcDisputes: 150 });
    const m = mastercardFigures(june, may);
    expect(m).toMatchObject({ program: 'ECP', numerator: 150, denominator: 10_000, ratio: 0.015, tier: 'ECM' });
  });

  it('ignores this month’s own sales entirely', () => {
    const may = figures({ mcSales: 10_000 });
    const a = mastercardFigures(figures({ mcSales: 1, mcDisputes: 150 }), may);
    const b = mastercardFigures(figures({ mcSales: 1_000_000, mcDisputes: 150 }), may);
    expect(a.ratio).toBe(b.ratio);
  });

  it.each([
    [300, 10_000, 'HECM'],
    [299, 9_000, 'ECM'], // 3.3 % but fewer than 300: excessive, not high excessive
    [100, 6_000, 'ECM'], // 1.67 %
    [99, 1_000, undefined], // 9.9 % but fewer than 100 chargebacks
    [100, 8_000, 'CMM'], // 1.25 %: above 1.00 %, below 1.50 %
    [100, 10_000, undefined], // exactly 1.00 %: CMM needs more than 1.00 %
    [150, 10_001, 'CMM'], // just under 1.50 %
  ] as const)('%i chargebacks over %i previous-month sales: tier %s', (n, d, tier) => {
    expect(mastercardFigures(figures({ mcDisputes: n }), figures({ mcSales: d })).tier).toBe(tier);
  });

  it('has no ratio (and no tier) when the previous month had no sales', () => {
    const m = mastercardFigures(figures({ mcDisputes: 400 }), figures({}));
    expect(m.ratio).toBeUndefined();
    expect(m.tier).toBeUndefined();
  });
});

describe('projection at the month’s pace', () => {
  it('scales month-to-date counts by the fraction of the month passed', () => {
    const month = figures({ visaSales: 5_000, visaDisputes: 800, mcDisputes: 60 });
    const v = visaFigures(month, NOV_2026);
    const m = mastercardFigures(month, figures({ mcSales: 4_000 }));
    const p = project(v, m, 0.5, NOV_2026);
    expect(p.mastercard).toMatchObject({ numerator: 120, denominator: 4_000, ratio: 0.03, tier: 'ECM' });
    expect(m.tier).toBeUndefined(); // 60 so far: under ECP's 100 chargebacks today
    expect(p.visa).toMatchObject({ numerator: 1_600, denominator: 10_000, ratio: 0.16, meetsMinimum: true, excessive: true });
    expect(v.excessive).toBe(false); // 800 so far: under the minimum count today
  });
});

describe('calendar months', () => {
  it('keys months in the monitoring time zone', () => {
    const lateNov = Date.UTC(2026, 10, 30, 23, 30);
    expect(monthKey(lateNov)).toBe('2026-11');
    expect(monthKey(lateNov, 'Europe/Berlin')).toBe('2026-12');
    expect(monthKey(Date.UTC(2026, 11, 1, 3), 'America/New_York')).toBe('2026-11');
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(previousMonth('2026-11')).toBe('2026-10');
    expect(daysInMonth('2028-02')).toBe(29);
    expect(monthElapsed(Date.UTC(2026, 10, 16))).toBe(0.5);
    expect(monthElapsed(Date.UTC(2026, 10, 1))).toBeGreaterThan(0);
  });

  it('the month key it keeps between calls is the one the time zone gives, minute by minute around month ends', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'Australia/Adelaide', 'Asia/Kolkata'];
    const reference = (at: number, timeZone: string) => {
      const p = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(at);
      return `${p.find((x) => x.type === 'year')!.value}-${p.find((x) => x.type === 'month')!.value}`;
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 2020 * 12, max: 2035 * 12 }),
        fc.constantFrom(...zones),
        fc.array(fc.integer({ min: -16 * 3_600_000, max: 16 * 3_600_000 }), { minLength: 1, maxLength: 12 }),
        (month, zone, offsets) => {
          const start = Date.UTC(Math.floor(month / 12), month % 12, 1);
          // In order, as a server's clock runs past a month's end, and then back and forth.
          for (const at of [...offsets.map((o) => start + o).sort((a, b) => a - b), ...offsets.map((o) => start + o)])
            expect(monthKey(at, zone)).toBe(reference(at, zone));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('properties of the arithmetic', () => {
  const counts = fc.record({
    visaSales: fc.nat({ max: 1_000_000 }),
    visaDisputes: fc.nat({ max: 50_000 }),
    visaFraud: fc.nat({ max: 50_000 }),
    mcSales: fc.nat({ max: 1_000_000 }),
    mcDisputes: fc.nat({ max: 50_000 }),
  });

  it('the Visa ratio is (fraud + disputes) / sales, excessive exactly when both conditions hold', () => {
    fc.assert(
      fc.property(counts, fc.integer({ min: Date.UTC(2025, 6, 1), max: Date.UTC(2027, 0, 1) }), (c, at) => {
        const v = visaFigures(figures(c), at);
        expect(v.numerator).toBe(c.visaDisputes + c.visaFraud);
        if (c.visaSales === 0) expect(v.ratio).toBeUndefined();
        else expect(v.ratio).toBeCloseTo((c.visaDisputes + c.visaFraud) / c.visaSales, 12);
        expect(v.excessive).toBe(v.numerator > 1_500 && v.ratio !== undefined && v.ratio >= vampThreshold(at));
      }),
      { numRuns: 300 },
    );
  });

  it('the ECP tier only rises with more chargebacks over the same previous month', () => {
    const rank = (t: string | undefined): number => (t === undefined ? 0 : ({ CMM: 1, ECM: 2, HECM: 3 } as Record<string, number>)[t]!);
    fc.assert(
      fc.property(fc.nat({ max: 2_000 }), fc.nat({ max: 2_000 }), fc.integer({ min: 1, max: 100_000 }), (a, extra, sales) => {
        const r = (n: number) => ecpTier({ numerator: n, ratio: n / sales });
        expect(rank(r(a + extra))).toBeGreaterThanOrEqual(rank(r(a)));
      }),
      { numRuns: 300 },
    );
  });

  it('counter rows add up: an entity’s figures are the sum of its MIDs’', () => {
    fc.assert(
      fc.property(fc.array(counts, { minLength: 1, maxLength: 5 }), (mids) => {
        const total = addRows(
          emptyFigures(),
          mids.flatMap((c, i) => [
            ...increments(`m${i}`, '2026-11', 'sales', 'visa', 10, c.visaSales),
            ...increments(`m${i}`, '2026-11', 'disputes', 'visa', 5, c.visaDisputes),
          ]),
        );
        expect(total.byBrand.visa.sales.count).toBe(mids.reduce((n, c) => n + c.visaSales, 0));
        expect(total.sales.amount).toBe(10 * mids.length);
        expect(total.disputes.count).toBe(mids.reduce((n, c) => n + c.visaDisputes, 0));
      }),
    );
  });

  it('a projection at the end of the month is the month itself', () => {
    fc.assert(
      fc.property(counts, fc.nat({ max: 1_000_000 }), (c, prevSales) => {
        const v = visaFigures(figures(c), NOV_2026);
        const m = mastercardFigures(figures(c), figures({ mcSales: prevSales }));
        const p = project(v, m, 1, NOV_2026);
        expect([p.visa.numerator, p.visa.denominator, p.visa.excessive]).toEqual([v.numerator, v.denominator, v.excessive]);
        expect([p.mastercard.numerator, p.mastercard.tier]).toEqual([m.numerator, m.tier]);
      }),
    );
  });
});
