/**
 * PostgreSQL throughput: 1 and 4 checkout-server processes (`bench/pg-worker.mjs`) on one
 * embedded PostgreSQL 17 (fsync and synchronous_commit on), each running sales through sandbox
 * MIDs with monthly caps, 8 in flight. Measures sales/s after a warm-up, counts store round trips
 * per sale (reads, writes, commits), and checks exactness from the database afterwards: cap
 * counters equal the approved amounts, one transaction per idempotency key, no claim in progress.
 *
 * The workers use only the package's public entry points, loaded from a build directory (the
 * layout of `dist/`: `index.js`, `adapters/sandbox/index.js`). `npm run bench` builds the current
 * sources into bench/.build/lib; `--compare <dir>` (e.g. an older checkout's `dist/`) runs the
 * same workers against that build too, alternately (A B A B), and reports the ratio.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import pg from 'pg';
import { startBenchPostgres } from './embedded-pg';

/** What one worker reports. */
interface WorkerFigures {
  worker: number;
  sales: number;
  inWindow: number;
  measureMs: number;
  approved: { count: number; amount: number; byMid: Record<string, number> };
  failures: Record<string, number>;
  counts: { reads: number; writes: number; begins: number; commitStatements: number; rollbacks: number; autocommits: number };
  /** CPU the worker process used in the measured window (ms). */
  cpuMs: number;
}

/** One configuration run. */
export interface PgRun {
  build: string;
  processes: number;
  salesPerSec: number;
  sales: number;
  /**
   * Store round trips per sale, all processes together: statements sent (reads, writes, and
   * BEGIN / COMMIT / ROLLBACK), and commits (COMMIT statements plus writes that commit alone).
   */
  perSale: { roundTrips: number; reads: number; writes: number; transactionControl: number; commits: number };
  failures: Record<string, number>;
  /** What the server counted during the run (its cumulative statistics, reset before it). */
  server: ServerStats;
  /** Exactness checked from the database: empty when exact. */
  problems: string[];
}

/** Server-side figures of a run, per sale where it says so. */
export interface ServerStats {
  /** Transactions committed per sale (all of the run's connections, reads included: a read is a transaction too). */
  xactPerSale: number;
  /** WAL flushes to disk (fdatasync) per sale, and their mean time: the price of a durable commit. */
  walSyncsPerSale: number;
  walSyncMeanMs: number;
  /** PL/pgSQL write function (`apply_write`, builds that have it): calls per sale and mean time inside it, ms. */
  applyWritePerSale?: number | undefined;
  applyWriteMeanMs?: number | undefined;
  /**
   * CPU per sale (ms), in the checkout processes and in PostgreSQL's processes: what bounds the
   * throughput on a machine with no other load (cores ÷ the sum), whatever the load now.
   */
  cpuPerSaleMs: { node: number; postgres?: number | undefined };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Build the current sources into the `dist/` layout the workers load (ESM, shared chunks). */
export async function buildCurrentLib(root: string): Promise<string> {
  const outdir = join(root, 'bench/.build/lib');
  await build({
    entryPoints: { index: join(root, 'src/index.ts'), 'adapters/sandbox/index': join(root, 'adapters/sandbox/index.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outdir;
}

function startWorker(root: string, cfg: object) {
  const child = spawn(process.execPath, [join(root, 'bench/pg-worker.mjs'), JSON.stringify(cfg)], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error(`bench worker ended early:\n${stderr}`);
    return r.value as string;
  };
  return { child, next };
}

/** Run `processes` workers on a fresh schema, then check the ledger. */
async function runOnce(
  root: string,
  url: string,
  lib: string,
  label: string,
  processes: number,
  o: { warmupMs: number; measureMs: number; mids?: number | undefined; caps?: boolean | undefined },
  serverCpu: () => number | undefined,
): Promise<PgRun> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const workers = Array.from({ length: processes }, (_, worker) => startWorker(root, { lib, url, schema, worker, concurrency: 8, ...o }));
  for (const w of workers) if ((await w.next()) !== 'ready') throw new Error('bench worker: expected ready');
  await resetStats(url);
  for (const w of workers) w.child.stdin.end('go\n');
  // The server's CPU over the measured window, like the workers' own.
  const serverCpuWindow = new Promise<number | undefined>((resolve) =>
    setTimeout(() => {
      const from = serverCpu();
      setTimeout(() => {
        const until = serverCpu();
        resolve(from !== undefined && until !== undefined ? until - from : undefined);
      }, o.measureMs);
    }, o.warmupMs),
  );
  const figures = await Promise.all(workers.map(async (w) => JSON.parse(await w.next()) as WorkerFigures));
  await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode === null ? w.child.on('exit', r) : r(null)))));
  const pgCpu = await serverCpuWindow;

  const sum = (f: (x: WorkerFigures) => number) => figures.reduce((s, x) => s + f(x), 0);
  const sales = sum((x) => x.sales);
  const failures: Record<string, number> = {};
  for (const f of figures) for (const [k, v] of Object.entries(f.failures)) failures[k] = (failures[k] ?? 0) + v;
  const c = (k: keyof WorkerFigures['counts']) => sum((x) => x.counts[k]);
  const control = c('begins') + c('commitStatements') + c('rollbacks');
  const run: PgRun = {
    build: label,
    processes,
    salesPerSec: Math.round(sum((x) => x.inWindow) / (o.measureMs / 1000)),
    sales,
    perSale: {
      roundTrips: round((c('reads') + c('writes') + control) / sales),
      reads: round(c('reads') / sales),
      writes: round(c('writes') / sales),
      transactionControl: round(control / sales),
      commits: round((c('commitStatements') + c('autocommits')) / sales),
    },
    failures,
    server: {
      ...(await serverStats(url, schema, sales)),
      cpuPerSaleMs: {
        node: round(sum((x) => x.cpuMs) / sum((x) => x.inWindow), 3),
        ...(pgCpu !== undefined && { postgres: round(pgCpu / sum((x) => x.inWindow), 3) }),
      },
    },
    problems: await exactness(url, schema, figures, o.caps !== false),
  };
  return run;
}

async function resetStats(url: string): Promise<void> {
  const pool = adminPool(url);
  try {
    await pool.query(`SELECT pg_stat_reset(), pg_stat_reset_shared('wal')`);
  } finally {
    await pool.end();
  }
}

/** Read the server's counters after the workers ended (their backends flushed them on exit). */
async function serverStats(url: string, schema: string, sales: number): Promise<Omit<ServerStats, 'cpuPerSaleMs'>> {
  const pool = adminPool(url);
  try {
    const db = (await pool.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`)).rows[0];
    const wal = (await pool.query(`SELECT wal_sync, wal_sync_time FROM pg_stat_wal`)).rows[0];
    const fn = (
      await pool.query(`SELECT calls, total_time FROM pg_stat_user_functions WHERE schemaname = $1 AND funcname = 'apply_write'`, [schema])
    ).rows[0];
    const syncs = Number(wal.wal_sync);
    return {
      xactPerSale: round(Number(db.xact_commit) / sales),
      walSyncsPerSale: round(syncs / sales),
      walSyncMeanMs: round(syncs ? Number(wal.wal_sync_time) / syncs : 0, 3),
      ...(fn && {
        applyWritePerSale: round(Number(fn.calls) / sales),
        applyWriteMeanMs: round(Number(fn.total_time) / Number(fn.calls), 3),
      }),
    };
  } finally {
    await pool.end();
  }
}

/** Check the ledger against what the workers were told, straight from the database; drops the schema. */
async function exactness(url: string, schema: string, figures: WorkerFigures[], caps: boolean): Promise<string[]> {
  const problems: string[] = [];
  const pool = adminPool(url);
  const s = `"${schema}"`;
  try {
    const approvedByMid: Record<string, number> = {};
    let approvedCount = 0;
    let sales = 0;
    for (const f of figures) {
      approvedCount += f.approved.count;
      sales += f.sales;
      for (const [mid, a] of Object.entries(f.approved.byMid)) approvedByMid[mid] = (approvedByMid[mid] ?? 0) + a;
    }
    const counters = (
      await pool.query(`SELECT mid, sum(amount)::bigint AS amount, sum(count)::bigint AS count FROM ${s}.caps GROUP BY mid`)
    ).rows;
    // Approved sales: 'captured' in the state machine, 'approved' in builds before it.
    const ledger = (
      await pool.query(
        `SELECT doc->>'mid' AS mid, count(*)::bigint AS n, sum(amount)::bigint AS amount FROM ${s}.transactions
         WHERE status IN ('captured', 'approved') GROUP BY 1`,
      )
    ).rows;
    const mids = new Set([...Object.keys(approvedByMid), ...counters.map((r) => r.mid), ...ledger.map((r) => r.mid)]);
    for (const mid of mids) {
      const cap = counters.find((r) => r.mid === mid);
      const led = ledger.find((r) => r.mid === mid);
      const told = approvedByMid[mid] ?? 0;
      if (Number(led?.amount ?? 0) !== told) problems.push(`${mid}: ledger ${led?.amount ?? 0}, approvals answered ${told}`);
      if (!caps) continue;
      if (Number(cap?.amount ?? 0) !== told) problems.push(`${mid}: cap counter ${cap?.amount ?? 0}, approvals answered ${told}`);
      if (Number(cap?.count ?? 0) !== Number(led?.n ?? 0)) problems.push(`${mid}: cap count ${cap?.count ?? 0}, approved ${led?.n ?? 0}`);
    }
    const approvedInLedger = ledger.reduce((n, r) => n + Number(r.n), 0);
    if (approvedInLedger !== approvedCount)
      problems.push(`ledger holds ${approvedInLedger} approved sales, ${approvedCount} were answered approved`);
    const dup = (
      await pool.query(
        `SELECT count(*)::int AS n FROM (SELECT doc->>'idempotencyKey' FROM ${s}.transactions GROUP BY 1 HAVING count(*) > 1) d`,
      )
    ).rows[0].n;
    if (dup) problems.push(`${dup} idempotency keys with more than one transaction`);
    const keys = (await pool.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE result IS NULL)::int AS open FROM ${s}.idempotency`))
      .rows[0];
    if (keys.open) problems.push(`${keys.open} idempotency claims left in progress`);
    if (keys.n !== sales) problems.push(`${keys.n} idempotency records for ${sales} sales`);
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
    await pool.end();
  }
  return problems;
}

/** A one-connection pool for the scenario's own queries. A connection the server drops while idle fails the next query, not the process. */
function adminPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  return pool;
}

/** Figures of the scenario, as bench/results/latest.json keeps them. */
export interface PgBench {
  server: Record<string, string>;
  warmupMs: number;
  measureMs: number;
  current: { processes1: PgRun; processes4: PgRun };
  /** With `--compare <dir>`: both builds alternately, twice each per process count. */
  compare?:
    | {
        other: string;
        runs: PgRun[];
        /** Mean sales/s of each build and current ÷ other. */
        processes1: { other: number; current: number; ratio: number };
        processes4: { other: number; current: number; ratio: number };
      }
    | undefined;
}

/** The scenario: current code with 1 and 4 processes, and optionally the comparison. */
export async function pgThroughputBench(o: {
  root?: string;
  measureMs: number;
  warmupMs?: number;
  compare?: string | undefined;
}): Promise<PgBench> {
  const root = resolve(o.root ?? process.cwd());
  const warmupMs = o.warmupMs ?? 1_000;
  const lib = await buildCurrentLib(root);
  const server = await startBenchPostgres();
  try {
    // Profiling knobs (not for the recorded figures): BENCH_PG_MIDS=8 spreads the sales (and their
    // cap counters) over more MIDs, BENCH_PG_CAPS=off runs without caps.
    const opts = {
      warmupMs,
      measureMs: o.measureMs,
      mids: process.env.BENCH_PG_MIDS ? Number(process.env.BENCH_PG_MIDS) : undefined,
      caps: process.env.BENCH_PG_CAPS === 'off' ? false : undefined,
    };
    const result: PgBench = {
      server: server.settings,
      warmupMs,
      measureMs: o.measureMs,
      current: {
        processes1: await runOnce(root, server.url, lib, 'current', 1, opts, server.cpuMs),
        processes4: await runOnce(root, server.url, lib, 'current', 4, opts, server.cpuMs),
      },
    };
    if (o.compare) {
      const other = resolve(o.compare);
      const runs: PgRun[] = [];
      for (const processes of [1, 4]) {
        for (let rep = 0; rep < 2; rep++) {
          runs.push(await runOnce(root, server.url, other, 'other', processes, opts, server.cpuMs));
          runs.push(await runOnce(root, server.url, lib, 'current', processes, opts, server.cpuMs));
        }
      }
      const mean = (label: string, p: number) => {
        const xs = runs.filter((r) => r.build === label && r.processes === p).map((r) => r.salesPerSec);
        return Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
      };
      const pair = (p: number) => ({
        other: mean('other', p),
        current: mean('current', p),
        ratio: round(mean('current', p) / mean('other', p)),
      });
      result.compare = { other, runs, processes1: pair(1), processes4: pair(4) };
    }
    return result;
  } finally {
    await server.stop();
  }
}
