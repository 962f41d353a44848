/**
 * `npm run bench`: every scenario of the benchmark issue, with seeded workloads, figures written
 * to bench/results/latest.json (with the Node version and CPU model) and a table on stdout.
 * Targets are recorded next to the figures, not enforced: these machines are shared and noisy.
 * Set BENCH_TIME_MS to change the time per measurement (default 2,000 ms).
 *
 * Options: `--compare <dir>` also runs the sale (memory, SQLite), `explain` and PostgreSQL
 * throughput scenarios against another build (a `dist/` folder, e.g. of an older commit)
 * alternately with the current one, and reports the ratios; `--only pg` runs the PostgreSQL
 * scenario alone, `--only compare` the in-process comparison alone (with `--compare`), `--only
 * decision` the success-rate and weighted decisions side by side; each updates its figures in
 * latest.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { binBench } from './bins';
import { decisionBench, jsonRulesEngineBench } from './decision';
import { httpOverheadBench } from './http';
import { compareBuilds } from './compare';
import { buildCurrentLib, type PgBench, pgThroughputBench } from './pg';
import { rebillBatchBench, saleBench } from './sale';
import { successRateDecisionBench, successRateSaleBench, successRateSimulationBench } from './success-rate';
import { searchBench } from './search';

const timeMs = Number(process.env.BENCH_TIME_MS ?? 2_000);
const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const compare = option('--compare');
const only = option('--only');
/** Old sale path on this machine (issue 13): 4 processes on one PostgreSQL, 8 sales in flight each. */
const PG_BASELINE_4 = 305;

/** The PostgreSQL scenario: a few seconds per configuration (warm-up 1 s). */
function pgBench(): Promise<PgBench> {
  return pgThroughputBench({ measureMs: Math.max(2_000, timeMs), compare });
}

function pgRows(pg: PgBench, row: (name: string, value: string, target?: string) => void) {
  const fig = (r: PgBench['current']['processes1']) =>
    `${r.salesPerSec}/s, ${r.perSale.roundTrips} trips (${r.perSale.commits} commits)${r.problems.length ? ' INEXACT' : ''}`;
  const server = (r: PgBench['current']['processes1']) =>
    `CPU/sale node ${r.server.cpuPerSaleMs.node} + pg ${r.server.cpuPerSaleMs.postgres ?? '?'} ms; ` +
    `WAL syncs ${r.server.walSyncsPerSale}/sale (${r.server.walSyncMeanMs} ms)` +
    (r.server.applyWriteMeanMs !== undefined ? `, apply_write ${r.server.applyWriteMeanMs} ms` : '');
  row('sale on PostgreSQL, 1 process × 8 in flight', fig(pg.current.processes1), server(pg.current.processes1));
  row('sale on PostgreSQL, 4 processes × 8 in flight', fig(pg.current.processes4), server(pg.current.processes4));
  if (pg.compare) {
    for (const r of pg.compare.runs) row(`  ${r.build}, ${r.processes} process${r.processes > 1 ? 'es' : ''}`, fig(r), server(r));
    row(
      '  current ÷ other, 1 process',
      `${pg.compare.processes1.current} / ${pg.compare.processes1.other} = ${pg.compare.processes1.ratio}×`,
    );
    row(
      '  current ÷ other, 4 processes',
      `${pg.compare.processes4.current} / ${pg.compare.processes4.other} = ${pg.compare.processes4.ratio}×`,
    );
  }
  for (const r of [pg.current.processes1, pg.current.processes4, ...(pg.compare?.runs ?? [])])
    for (const p of r.problems) console.log(`INEXACT ${r.build} ${r.processes}: ${p}`);
}

/** The in-process scenarios on the current sources and on the `--compare` build, alternately. */
async function inProcessComparison() {
  if (!compare) return undefined;
  const current = await buildCurrentLib(process.cwd());
  return { other: compare, ...(await compareBuilds({ current, other: compare, timeMs })) };
}

type Comparison = NonNullable<Awaited<ReturnType<typeof inProcessComparison>>>;

function comparisonRows(c: Comparison, row: (name: string, value: string, target?: string) => void) {
  for (const [name, k] of [
    ['sale, memory store', 'saleMemory'],
    ['sale, SQLite store', 'saleSqlite'],
    ['decision through explain()', 'explain'],
  ] as const) {
    const f = c[k];
    row(
      `  ${name}: current ÷ other`,
      `${f.current.opsPerSec} / ${f.other.opsPerSec}/s = ${f.ratio}×`,
      `p50 ${f.current.p50us} vs ${f.other.p50us} µs`,
    );
  }
}

type SrDecision = Awaited<ReturnType<typeof successRateDecisionBench>>;

function srDecisionTargets(d: SrDecision): Record<string, boolean> {
  return {
    'success_rate decision p50 ≤ 2× weighted (1,000 rules, side by side)': d.ratioP50 <= 2,
    'success_rate decisions read nothing from the store (warm cache)': d.storeReadsWhileMeasuring === 0,
  };
}

function srDecisionRows(d: SrDecision, row: (name: string, value: string, target?: string) => void) {
  row(
    'decision, 1,000 rules, weighted pools',
    `p50 ${d.weighted.p50us} µs, p99 ${d.weighted.p99us} µs`,
    `(${d.rounds} rounds, alternately)`,
  );
  row(
    'decision, 1,000 rules, success_rate pools',
    `p50 ${d.successRate.p50us} µs, p99 ${d.successRate.p99us} µs`,
    `${d.ratioP50}× weighted`,
  );
  row('  ratio per round', d.ratiosP50.join(', '), `store reads ${d.storeReadsWhileMeasuring}`);
}

/** `--only decision`: the success-rate and weighted decisions side by side, written into latest.json. */
async function onlyDecision() {
  const { table } = await binBench(500_000, 200);
  const d = await successRateDecisionBench(table, timeMs);
  const file = join(process.cwd(), 'bench', 'results', 'latest.json');
  const results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  results.successRate = { ...results.successRate, decision: { date: new Date().toISOString(), ...d } };
  results.targets = { ...results.targets, ...srDecisionTargets(d) };
  delete results.targets['success_rate decision p50 ≤ 2× weighted (1,000 rules)'];
  mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  srDecisionRows(d, (name, value, target = '') => console.log(`${name.padEnd(46)} ${value.padEnd(34)} ${target}`));
}

/** `--only compare`: the in-process comparison alone, written into latest.json. */
async function onlyCompare() {
  if (!compare) throw new Error('--only compare needs --compare <dist>');
  const c = (await inProcessComparison())!;
  const file = join(process.cwd(), 'bench', 'results', 'latest.json');
  const results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  results.compare = { date: new Date().toISOString(), ...c };
  mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`compared with ${compare}, alternately, ${timeMs} ms per run:`);
  comparisonRows(c, (name, value, target = '') => console.log(`${name.padEnd(46)} ${value.padEnd(34)} ${target}`));
}

/** `--only pg`: run the PostgreSQL scenario alone and replace its figures in latest.json. */
async function onlyPg() {
  const pg = await pgBench();
  const out = join(process.cwd(), 'bench', 'results');
  const file = join(out, 'latest.json');
  const results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  results.postgres = { date: new Date().toISOString(), ...pg };
  results.targets = { ...results.targets, ...pgTargets(pg) };
  mkdirSync(out, { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  pgRows(pg, (name, value, target = '') => console.log(`${name.padEnd(46)} ${value.padEnd(34)} ${target}`));
  console.log('\nPostgreSQL figures written to bench/results/latest.json');
}

function pgTargets(pg: PgBench): Record<string, boolean | null> {
  const exact = [pg.current.processes1, pg.current.processes4, ...(pg.compare?.runs ?? [])].every((r) => r.problems.length === 0);
  return {
    [`sale on PostgreSQL, 4 processes ≥ 3× ${PG_BASELINE_4}/s (old figure)`]: pg.current.processes4.salesPerSec >= 3 * PG_BASELINE_4,
    'sale on PostgreSQL: at most 2 committing round trips': pg.current.processes4.perSale.commits <= 2,
    'PostgreSQL runs exact (caps, keys, claims)': exact,
    ...(pg.compare && { 'PostgreSQL, 4 processes ≥ 3× the compared build': pg.compare.processes4.ratio >= 3 }),
  };
}

async function main() {
  const started = Date.now();
  console.log(`Switchyard benchmarks (node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${timeMs} ms per measurement)`);
  if (!(globalThis as { gc?: unknown }).gc) console.log('note: run with --expose-gc for exact heap figures (npm run bench does)');
  // The 500,000-range table lives only for the scenarios that use it, so the later ones don't pay
  // for its heap in garbage collection.
  const { bins, decision, jre, srDecision } = await (async () => {
    const b = await binBench(500_000, timeMs);
    console.log('BIN table done');
    const d = await decisionBench(b.table, timeMs);
    console.log('decision done');
    const j = await jsonRulesEngineBench(b.table, timeMs);
    console.log('json-rules-engine done');
    const s = await successRateDecisionBench(b.table, timeMs);
    console.log('success-rate decision done');
    return { bins: { figures: b.figures }, decision: d, jre: j, srDecision: s };
  })();
  (globalThis as { gc?: () => void }).gc?.();
  const sale = await saleBench(timeMs);
  console.log('sale done');
  const http = await httpOverheadBench(timeMs);
  console.log('http done');
  const rebill = await rebillBatchBench();
  console.log('rebill batch done');
  const srSale = await successRateSaleBench(timeMs);
  console.log('success-rate sale done');
  const srSim = await successRateSimulationBench(Number(process.env.BENCH_SR_TRANSACTIONS ?? 50_000));
  console.log('success-rate simulation done');
  // The million-row version on SQLite and PostgreSQL: npm run bench:search (minutes to load).
  const search = (await searchBench({ rows: 50_000, queries: 100 })) as {
    sqlite: { searches: Record<string, { p50ms: number; p99ms: number }> };
  };
  console.log('search done');
  const postgres = await pgBench();
  console.log('postgres done');
  const comparison = await inProcessComparison();
  if (comparison) console.log('comparison done');

  const d1000 = decision.rules_1000;
  const d10 = decision.rules_10;
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    timePerMeasurementMs: timeMs,
    decision,
    jsonRulesEngine: { ...jre, ratioP50: Math.round((jre.p50us / d1000.p50us) * 10) / 10 },
    bins: bins.figures,
    sale,
    http,
    rebill,
    successRate: {
      decision: srDecision,
      sale: srSale,
      simulation: srSim,
    },
    search,
    postgres,
    ...(comparison && { compare: comparison }),
    targets: {
      'decision p50 ≤ 5 µs (1,000 rules)': d1000.p50us <= 5,
      'decision p99 ≤ 25 µs (1,000 rules)': d1000.p99us <= 25,
      '1,000 rules ≤ 3× the cost of 10 rules (p50)': d1000.p50us <= 3 * d10.p50us,
      '≥ 100× faster than json-rules-engine (p50)': jre.p50us / d1000.p50us >= 100,
      'BIN load ≤ 1.5 s': bins.figures.loadMs <= 1500,
      'BIN heap ≤ 64 MB': bins.figures.heapGrowthMB <= 64,
      'BIN lookup p99 ≤ 2 µs': bins.figures.lookup.p99us <= 2,
      'sale on memory p50 ≤ 50 µs': sale.memory.p50us <= 50,
      'sale on SQLite ≥ 2,000/s': sale.sqlite ? sale.sqlite.opsPerSec >= 2000 : null,
      'added time next to loopback HTTP ≤ 5% (p50)': http ? http.addedPercentP50 <= 5 : null,
      ...srDecisionTargets(srDecision),
      'success_rate recovers ≥ 80% of the oracle gain over static weights': srSim.recoveryPct >= 80,
      'success_rate moves ≥ 80% of the degraded segment within 2,000 transactions': srSim.movedWithin !== null && srSim.movedWithin <= 2000,
      'search p50 ≤ 5 ms for every filter (SQLite, 50,000 rows)': Object.values(search.sqlite.searches).every((f) => f.p50ms <= 5),
      ...pgTargets(postgres),
    },
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  // Run from the package root (npm run bench); the bundle itself lives in bench/.build/.
  const out = join(process.cwd(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), JSON.stringify(results, null, 2) + '\n');

  const row = (name: string, value: string, target = '') => console.log(`${name.padEnd(46)} ${value.padEnd(34)} ${target}`);
  console.log('');
  row('scenario', 'figures', 'target met?');
  for (const n of [10, 100, 1000] as const) {
    const f = decision[`rules_${n}`];
    row(`decision, ${n} rules`, `p50 ${f.p50us} µs, p99 ${f.p99us} µs, ${f.opsPerSec}/s`);
  }
  row('json-rules-engine, 1,000 rules', `p50 ${jre.p50us} µs (${results.jsonRulesEngine.ratioP50}× ours)`);
  row('BIN table 500,000 ranges', `load ${bins.figures.loadMs} ms, heap +${bins.figures.heapGrowthMB} MB`);
  row('BIN lookup', `p50 ${bins.figures.lookup.p50us} µs, p99 ${bins.figures.lookup.p99us} µs`);
  row('sale, memory store', `p50 ${sale.memory.p50us} µs, ${sale.memory.opsPerSec}/s`);
  if (sale.sqlite) row('sale, SQLite store', `p50 ${sale.sqlite.p50us} µs, ${sale.sqlite.opsPerSec}/s`);
  if (http) row(`sale via ${http.adapter} on loopback HTTP`, `+${http.addedUsP50} µs (+${http.addedPercentP50}%) at p50`);
  if (rebill) row('rebill batch on SQLite', `${rebill.rebills} in ${rebill.wallMs} ms, ${rebill.rebillsPerSec}/s`);
  srDecisionRows(srDecision, row);
  row(
    'sale, memory store, success_rate pool',
    `p50 ${srSale.memory.p50us} µs, ${srSale.memory.opsPerSec}/s, ${srSale.memory.readsPer1000Sales} reads/1,000`,
  );
  if (srSale.sqlite)
    row(
      'sale, SQLite store, success_rate pool',
      `p50 ${srSale.sqlite.p50us} µs, ${srSale.sqlite.opsPerSec}/s, ${srSale.sqlite.readsPer1000Sales} reads/1,000`,
    );
  row(
    `success-rate simulation, ${srSim.transactions} transactions`,
    `static ${srSim.static.approvalRatePct}%, success_rate ${srSim.successRate.approvalRatePct}%, oracle ${srSim.oracle.approvalRatePct}%`,
  );
  row('  recovered share of the oracle gain', `${srSim.recoveryPct}%, exploration ${srSim.successRate.exploreSharePct}% of decisions`);
  row('  degraded segment moved after', `${srSim.movedWithin ?? 'never'} transactions`);
  for (const [name, f] of Object.entries(search.sqlite.searches))
    row(`search by ${name} (SQLite, 50,000)`, `p50 ${f.p50ms} ms, p99 ${f.p99ms} ms`);
  pgRows(postgres, row);
  if (comparison) comparisonRows(comparison, row);
  console.log('');
  for (const [k, v] of Object.entries(results.targets)) console.log(`${v === null ? 'n/a ' : v ? 'met ' : 'MISS'}  ${k}`);
  console.log(`\nwritten to bench/results/latest.json in ${results.totalSeconds} s`);
}

(only === 'pg' ? onlyPg() : only === 'compare' ? onlyCompare() : only === 'decision' ? onlyDecision() : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
