/** Scenario 3: BIN table of 500,000 generated ranges: load time, heap growth, lookup p50/p99. */
import { performance } from 'node:perf_hooks';
import { buildBinTable, type BinTable } from '../src/card/bin-table';
import { heapUsed, measure } from './measure';
import { makeBinRows, rng } from './workload';

/** Load and lookup figures; returns the table for the decision scenario too. */
export async function binBench(rowsCount: number, timeMs: number) {
  const rows = makeBinRows(rowsCount);
  const before = heapUsed();
  const t0 = performance.now();
  const table: BinTable = buildBinTable(rows);
  const loadMs = performance.now() - t0;
  const heapGrowthMB = (heapUsed() - before) / 2 ** 20;
  const r = rng(5);
  const pans = Array.from({ length: 4096 }, () => String(40_000_000 + r.int(29_999_999)) + '12345678');
  let i = 0;
  let hits = 0;
  for (const p of pans) if (table.lookup(p)) hits++;
  const lookup = await measure('bin lookup', () => table.lookup(pans[i++ & 4095]), timeMs);
  return {
    table,
    figures: {
      rows: rowsCount,
      loadMs: Math.round(loadMs),
      heapGrowthMB: Math.round(heapGrowthMB * 10) / 10,
      lookup,
      hitShare: hits / pans.length,
      note: 'heap growth counts the table only (rows are generated before the measurement, as a parsed file would be)',
    },
  };
}
