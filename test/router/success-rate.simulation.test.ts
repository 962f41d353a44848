/**
 * The seeded simulation of success-rate routing, small enough for the test run (the benchmark
 * runs 50,000 transactions): four MIDs whose approval rates differ by up to 25 points per card
 * segment, one degrading on its best segment halfway through, the same traffic through static
 * weights, success-rate routing and an oracle. Cascades are off, so the figures are routing's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SMART_DRIFT, type SmartReport, simulateSmart } from '../../examples/demo/smart';

let report: SmartReport;
beforeAll(async () => {
  report = await simulateSmart({ transactions: 4_000, days: 3, seed: 2026 });
}, 300_000);

describe('success-rate routing on a seeded workload', () => {
  it('approves more than static weights on the same traffic, and recovers most of the oracle’s gain', () => {
    const { static: fixed, success_rate: smart, oracle } = report.runs;
    expect(smart.approvalRate).toBeGreaterThan(fixed.approvalRate + 0.03);
    expect(oracle.approvalRate).toBeGreaterThanOrEqual(smart.approvalRate);
    // A short run: learning costs a larger share of it than in the benchmark's 50,000.
    expect(report.recovery).toBeGreaterThan(0.5);
  });

  it('explores about the configured 5% of its decisions and falls back to the weights only while cold', () => {
    const smart = report.runs.success_rate;
    expect(smart.exploreShare).toBeGreaterThan(0.03);
    expect(smart.exploreShare).toBeLessThan(0.07);
    expect(smart.fallbackShare).toBeLessThan(0.05);
  });

  it(`moves the degraded MID's traffic off ${SMART_DRIFT.segment} within 2,000 transactions; static weights never do`, () => {
    const { drift } = report.runs.success_rate;
    expect(drift.shareBefore).toBeGreaterThan(0.8);
    expect(drift.movedAfter).not.toBeNull();
    expect(drift.movedAfter!).toBeLessThanOrEqual(2_000);
    expect(report.runs.static.drift.movedAfter).toBeNull();
    expect(report.runs.oracle.drift.movedAfter!).toBeLessThan(drift.movedAfter!);
  });

  it('plots one approval rate per day for each strategy', () => {
    for (const run of Object.values(report.runs)) {
      expect(run.series).toHaveLength(3);
      for (const p of run.series) expect(p).toBeGreaterThan(0.5);
    }
  });
});
