/**
 * Support search on a large ledger: `rows` transactions (and one attempt each) over 90 days, 200
 * customers per 1,000 rows, 20 BINs, six MIDs, realistic statuses and operations, bulk-loaded
 * into SQLite and PostgreSQL in the stores' own layout by `INSERT … SELECT` over a series, indexes
 * built after (then searched through `router.transactions`, the real code path). For each filter:
 * p50 and p99 over `queries` searches with random values, 50 rows a page; and `midStatus()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { seeded } from '../examples/demo/random';
import { sandbox } from '../adapters/sandbox';
import { createRouter, type Router, type TransactionFilter } from '../src/router';
import { SEARCH_COLUMNS_FROM_DOC } from '../src/store/migrations/sqlite';
import { postgresStore } from '../src/store/postgres';
import { sqliteStore } from '../src/store/sqlite';
import type { Store } from '../src/store/types';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 30);
const MIDS = ['nmi-1', 'anet-1', 'bt-1', 'stripe-eu', 'adyen-us', 'checkout-uk'];
const BINS = Array.from({ length: 20 }, (_, i) => String(411111 + i * 7919).slice(0, 6));
const STATUSES: Array<[string, number]> = [
  ['captured', 0.7],
  ['declined', 0.2],
  ['refunded', 0.03],
  ['authorized', 0.03],
  ['failed', 0.02],
  ['pending', 0.02],
];
const OPERATIONS: Array<[string, number]> = [
  ['sale', 0.7],
  ['rebill', 0.2],
  ['authorize', 0.07],
  ['verify', 0.03],
];

/** p50 / p99 of one filter, in milliseconds. */
export interface SearchFigures {
  p50ms: number;
  p99ms: number;
  meanRows: number;
}

/** One pseudo-random fraction in [0, 1) per row and field: the same ledger in both databases. */
const frac = (i: string, k: number) => `(((${i}) * ${k} + ${k % 97}) % 1000003) / 1000003.0`;
/** A pick among `xs` from a number `n`. */
const nth = (dialect: 'sqlite' | 'pg', xs: readonly string[], n: string) =>
  dialect === 'pg' ? `('${JSON.stringify(xs)}'::jsonb ->> ((${n})::int))` : `json_extract('${JSON.stringify(xs)}', '$[' || (${n}) || ']')`;
/** A weighted pick from a fraction `r`. */
function weighted(xs: Array<[string, number]>, r: string): string {
  let acc = 0;
  const arms = xs.slice(0, -1).map(([v, w]) => `WHEN ${r} < ${((acc += w)).toFixed(4)} THEN '${v}'`);
  return `CASE ${arms.join(' ')} ELSE '${xs.at(-1)![0]}' END`;
}

/**
 * The ledger as one `INSERT … SELECT` per table in the stores' layout: `rows` transactions over
 * 90 days (200 customers per 1,000 rows, 20 BINs, six MIDs, weighted statuses and operations),
 * one attempt each. Row `i` is a pure function of `i`, so SQLite and PostgreSQL hold the same data.
 */
function ledgerSql(dialect: 'sqlite' | 'pg', t: string, a: string, from: number, to: number, rows: number) {
  const customers = Math.max(10, Math.floor(rows / 5));
  const subs = Math.max(1, Math.floor(customers / 4));
  const span = 90 * DAY;
  const obj = dialect === 'pg' ? 'jsonb_build_object' : 'json_object';
  const arr = dialect === 'pg' ? 'jsonb_build_array' : 'json_array';
  const cat = dialect === 'pg' ? (x: string) => `(${x})::text` : (x: string) => `(${x})`;
  const pad = (x: string, n: number) =>
    dialect === 'pg' ? `lpad(${cat(x)}, ${n}, '0')` : `substr('${'0'.repeat(n - 1)}' || (${x}), -${n})`;
  const series =
    dialect === 'pg'
      ? `generate_series(${from}::bigint, ${to - 1}) AS g (i)`
      : `(WITH RECURSIVE s (i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM s WHERE i < ${to - 1}) SELECT i FROM s) AS g`;
  const base = `SELECT i,
      ${weighted(OPERATIONS, frac('i', 7919))} AS op,
      ${weighted(STATUSES, frac('i', 104729))} AS status,
      (i * 15485863) % ${customers} AS c,
      500 + (i * 31337) % 20000 AS amount,
      ${nth(dialect, MIDS, `(i * 48271) % ${MIDS.length}`)} AS mid,
      ${nth(dialect, BINS, `(i * 40503) % ${BINS.length}`)} AS bin,
      ${pad('(i * 9973) % 10000', 4)} AS last4,
      ${END - span} + (i * ${span}) / ${rows} + (i * 7) % 1000 AS created,
      ${frac('i', 69997)} AS rsub
    FROM ${series}`;
  const sub = `CASE WHEN op = 'rebill' OR rsub < 0.1 THEN 'sub-' || ${cat(`(i * 92821) % ${subs}`)} END`;
  const doc = `${obj}(
      'operation', op, 'profile', 'default', 'currency', 'USD',
      'card', ${obj}('bin', bin, 'last4', last4, 'brand', 'visa', 'fingerprint', 'fp' || ${cat('c')}, 'expMonth', 12, 'expYear', 2030),
      'idempotencyKey', 'key-' || ${cat('i')}, 'createdAt', created, 'updatedAt', created + 800,
      'customer', ${obj}('id', 'cust-' || ${cat('c')}, 'email', 'shopper' || ${cat('c')} || '@example.com', 'country', 'US'),
      'mid', mid, 'gateway', 'sandbox', 'gatewayTransactionId', 'gw_' || ${cat('i')},
      'routing', ${obj}('source', 'default', 'pools', ${arr}('main'),
        'candidates', ${arr}(${obj}('mid', mid, 'pool', 'main', 'strategy', 'weighted', 'score', 0.6),
                             ${obj}('mid', 'bt-1', 'pool', 'main', 'strategy', 'weighted', 'score', 0.4)),
        'ineligible', ${arr}(), 'draws', ${arr}(rsub)))`;
  const withOptional =
    dialect === 'pg'
      ? `${doc} || CASE WHEN op <> 'rebill' THEN jsonb_build_object('orderId', 'ORD-' || i::text) ELSE '{}'::jsonb END
         || CASE WHEN ${sub} IS NOT NULL THEN jsonb_build_object('subscriptionId', ${sub}) ELSE '{}'::jsonb END`
      : `json_patch(json_patch(${doc}, CASE WHEN op <> 'rebill' THEN json_object('orderId', 'ORD-' || i) ELSE '{}' END),
         CASE WHEN ${sub} IS NOT NULL THEN json_object('subscriptionId', ${sub}) ELSE '{}' END)`;
  const transactions = `INSERT INTO ${t} (id, status, amount, captured_amount, refunded_amount, doc)
    SELECT 'tx_' || ${pad('i', 8)}, status, amount,
      CASE WHEN status IN ('captured', 'refunded') THEN amount ELSE 0 END, CASE WHEN status = 'refunded' THEN amount ELSE 0 END,
      ${withOptional}
    FROM (${base}) AS r`;
  const attemptStatus = `CASE WHEN t.status IN ('captured', 'refunded', 'authorized') THEN 'approved' WHEN t.status = 'pending' THEN 'pending'
      WHEN t.status = 'failed' THEN 'error' ELSE 'declined' END`;
  const created = dialect === 'pg' ? `(t.doc->>'createdAt')::bigint` : 't.search_created_at';
  const field = (k: string) => (dialect === 'pg' ? `t.doc->>'${k}'` : `json_extract(t.doc, '$.${k}')`);
  const attemptDoc = `${obj}('operation', ${field('operation')}, 'mid', ${field('mid')}, 'gateway', 'sandbox', 'amount', t.amount,
      'currency', 'USD', 'settledAt', ${created} + 800)`;
  const range = `t.id >= 'tx_${String(from).padStart(8, '0')}' AND t.id < 'tx_${String(to).padStart(8, '0')}'`;
  const attempts =
    dialect === 'pg'
      ? `INSERT INTO ${a} (id, transaction_id, status, started_at, doc)
         SELECT 'at_' || substr(t.id, 4), t.id, ${attemptStatus}, ${created}, ${attemptDoc} FROM ${t} t WHERE ${range}`
      : `INSERT INTO ${a} (id, transaction_id, status, started_at, doc, search_mid, search_operation, search_currency)
         SELECT 'at_' || substr(t.id, 4), t.id, ${attemptStatus}, ${created}, ${attemptDoc}, ${field('mid')}, ${field('operation')}, 'USD'
         FROM ${t} t WHERE ${range}`;
  // SQLite's search columns are written by the store (schema version 11): filled here from the documents.
  const searchColumns = `UPDATE ${t} SET ${SEARCH_COLUMNS_FROM_DOC} WHERE ${range.replaceAll('t.id', 'id')}`;
  return dialect === 'pg' ? [transactions, attempts] : [transactions, searchColumns, attempts];
}

/** Per-day attempt counts rebuilt from the attempts (what the migration does for older rows). */
const recount = (counts: string, attempts: string, day: string) =>
  `INSERT INTO ${counts} (day, mid, currency, status, count)
   SELECT ${day}, search_mid, search_currency, status, count(*) FROM ${attempts}
   WHERE search_operation IN ('sale', 'authorize', 'verify', 'rebill') GROUP BY 1, 2, 3, 4`;

const CHUNK = 100_000;

async function loadSqlite(path: string, rows: number, log: (s: string) => void): Promise<void> {
  (await sqliteStore({ path })).close(); // create and migrate
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288');
  // Bulk load: indexes and the count triggers are dropped, then built again (the same ones, far less work).
  const saved = db
    .prepare(
      "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ('transactions', 'attempts')",
    )
    .all() as Array<{ type: string; name: string; sql: string }>;
  for (const i of saved) db.exec(`DROP ${i.type.toUpperCase()} "${i.name}"`);
  for (let from = 0; from < rows; from += CHUNK) {
    const to = Math.min(rows, from + CHUNK);
    db.transaction(() => {
      for (const sql of ledgerSql('sqlite', 'transactions', 'attempts', from, to, rows)) db.exec(sql);
    })();
    log(`SQLite: ${to} rows`);
  }
  db.exec('DELETE FROM attempt_counts');
  db.exec(recount('attempt_counts', 'attempts', 'started_at / 86400000'));
  for (const i of saved) db.exec(i.sql);
  db.exec('ANALYZE');
  db.close();
}

export async function loadPostgres(url: string, schema: string, rows: number, log: (s: string) => void): Promise<void> {
  const store = postgresStore({ connectionString: url, schema });
  await store.ready();
  await store.close();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const s = `"${schema}"`;
  try {
    // Bulk load: indexes not backing a constraint are dropped and built again after; the count trigger is off meanwhile.
    const { rows: indexes } = await pool.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = $1 AND i.tablename IN ('transactions', 'attempts')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
      [schema],
    );
    for (const i of indexes) await pool.query(`DROP INDEX ${s}."${i.name}"`);
    await pool.query(`ALTER TABLE ${s}.attempts DISABLE TRIGGER USER`);
    for (let from = 0; from < rows; from += CHUNK) {
      const to = Math.min(rows, from + CHUNK);
      for (const sql of ledgerSql('pg', `${s}.transactions`, `${s}.attempts`, from, to, rows)) await pool.query(sql);
      log(`PostgreSQL: ${to} rows`);
    }
    await pool.query(`TRUNCATE ${s}.attempt_counts`);
    await pool.query(recount(`${s}.attempt_counts`, `${s}.attempts`, 'started_at / 86400000'));
    await pool.query(`ALTER TABLE ${s}.attempts ENABLE TRIGGER USER`);
    for (const i of indexes) await pool.query(i.def);
    // What autovacuum does after a bulk load; the planner needs the statistics.
    await pool.query(`VACUUM ANALYZE ${s}.transactions`);
    await pool.query(`VACUUM ANALYZE ${s}.attempts`);
  } finally {
    await pool.end();
  }
}

/** The searches a support desk runs, each with a fresh random value. */
function filters(rows: number, rnd: () => number): Record<string, () => TransactionFilter> {
  const customers = Math.max(10, Math.floor(rows / 5));
  const c = () => Math.floor(rnd() * customers);
  const day = () => END - Math.floor(rnd() * 89) * DAY;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  return {
    orderId: () => ({ orderId: `ORD-${Math.floor(rnd() * rows)}` }),
    email: () => ({ email: `shopper${c()}@example.com` }),
    customerId: () => ({ customerId: `cust-${c()}` }),
    last4: () => ({ last4: String(Math.floor(rnd() * 10_000)).padStart(4, '0') }),
    bin: () => ({ bin: pick(BINS) }),
    mid: () => ({ mid: pick(MIDS) }),
    status: () => ({ status: pick(['captured', 'declined', 'pending', 'failed'] as const) }),
    operation: () => ({ operation: pick(['sale', 'rebill', 'verify'] as const) }),
    subscriptionId: () => ({ subscriptionId: `sub-${Math.floor(rnd() * (customers / 4))}` }),
    'from/to (one day)': () => {
      const from = day();
      return { from, to: from + DAY };
    },
    'email + status': () => ({ email: `shopper${c()}@example.com`, status: 'declined' }),
    'last4 + one week': () => {
      const from = day() - 7 * DAY;
      return { last4: String(Math.floor(rnd() * 10_000)).padStart(4, '0'), from, to: from + 7 * DAY };
    },
    'mid + status': () => ({ mid: pick(MIDS), status: 'declined' }),
    'latest (no filter)': () => ({}),
  };
}

export async function measureSearches(router: Router, rows: number, queries: number) {
  const out: Record<string, SearchFigures> = {};
  const rnd = seeded(7);
  for (const [name, make] of Object.entries(filters(rows, rnd))) {
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < queries + 5; i++) {
      const f = make();
      const t0 = performance.now();
      const page = await router.transactions({ ...f, limit: 50 });
      const ms = performance.now() - t0;
      if (i >= 5) {
        times.push(ms);
        found += page.transactions.length;
      }
    }
    times.sort((a, b) => a - b);
    out[name] = {
      p50ms: Math.round(times[Math.floor(times.length * 0.5)] * 1000) / 1000,
      p99ms: Math.round(times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] * 1000) / 1000,
      meanRows: Math.round((found / queries) * 10) / 10,
    };
  }
  // The second page of a broad search, by cursor.
  const times: number[] = [];
  for (let i = 0; i < queries; i++) {
    const first = await router.transactions({ status: 'captured', limit: 50 });
    const t0 = performance.now();
    await router.transactions({ status: 'captured', limit: 50, cursor: first.nextCursor });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  out['status, next page (cursor)'] = {
    p50ms: Math.round(times[Math.floor(times.length / 2)] * 1000) / 1000,
    p99ms: Math.round(times[Math.floor(times.length * 0.99)] * 1000) / 1000,
    meanRows: 50,
  };
  // Every MID's approval figures of today and this month (per-day counts), as the console reads them.
  const status: number[] = [];
  for (let i = 0; i < 55; i++) {
    const t0 = performance.now();
    await router.midStatus();
    if (i >= 5) status.push(performance.now() - t0);
  }
  status.sort((a, b) => a - b);
  const midStatus = {
    p50ms: Math.round(status[Math.floor(status.length / 2)] * 1000) / 1000,
    p99ms: Math.round(status[Math.floor(status.length * 0.99)] * 1000) / 1000,
  };
  return { searches: out, midStatus };
}

export function routerOn(store: Store): Router {
  return createRouter({
    merchantAccounts: MIDS.map((id) => ({ id, adapter: sandbox({ id }) })),
    profiles: [{ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: MIDS[0] }] } }, route: ['p'] }],
    store,
    clock: () => END,
    telemetry: false,
  });
}

/** Load `rows` transactions into SQLite (and PostgreSQL when `pgUrl` is given) and measure the searches. */
export async function searchBench(o: { rows: number; queries: number; pgUrl?: string | undefined; log?: (s: string) => void }) {
  const log = o.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-search-bench-'));
  const result: Record<string, unknown> = { rows: o.rows, queriesPerFilter: o.queries, pageSize: 50 };
  try {
    const path = join(dir, 'search.db');
    let t0 = performance.now();
    await loadSqlite(path, o.rows, log);
    const loadSqliteS = Math.round((performance.now() - t0) / 100) / 10;
    log(`SQLite: ${o.rows} rows loaded in ${loadSqliteS} s`);
    const store = sqliteStore({ path });
    const router = routerOn(store);
    result.sqlite = { loadSeconds: loadSqliteS, ...(await measureSearches(router, o.rows, o.queries)) };
    await router.close();
    log(`SQLite searches done: ${JSON.stringify(result.sqlite)}`);
    if (o.pgUrl) {
      const schema = `bench_search_${Date.now().toString(36)}`;
      t0 = performance.now();
      await loadPostgres(o.pgUrl, schema, o.rows, log);
      const loadPgS = Math.round((performance.now() - t0) / 100) / 10;
      log(`PostgreSQL: ${o.rows} rows loaded in ${loadPgS} s`);
      const pgStore = postgresStore({ connectionString: o.pgUrl, schema });
      const pgRouter = routerOn(pgStore);
      try {
        result.postgres = { loadSeconds: loadPgS, ...(await measureSearches(pgRouter, o.rows, o.queries)) };
      } finally {
        await pgRouter.close();
        const pool = new pg.Pool({ connectionString: o.pgUrl });
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      }
      log('PostgreSQL searches done');
    } else result.postgres = null;
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
