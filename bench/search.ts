/**
 * Support search on a large ledger: `rows` transactions (and one attempt each) over 90 days, 200
 * customers per 1,000 rows, 20 BINs, six MIDs, realistic statuses and operations, loaded straight
 * into SQLite and PostgreSQL in the stores' own layout (then searched through the store and
 * `router.transactions`, the real code path). For each filter: p50 and p99 over `queries`
 * searches with random values, 50 rows a page. Also the month's attempt counts (`midStatus`).
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

/** The generated ledger, row by row in the stores' layout, and values to search for. */
function* ledger(rows: number, rnd: () => number) {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  const weighted = (xs: Array<[string, number]>) => {
    let r = rnd();
    for (const [v, w] of xs) if ((r -= w) < 0) return v;
    return xs[0][0];
  };
  const customers = Math.max(10, Math.floor(rows / 5));
  const span = 90 * DAY;
  for (let i = 0; i < rows; i++) {
    const createdAt = END - span + Math.floor((i / rows) * span) + Math.floor(rnd() * 1000);
    const operation = weighted(OPERATIONS);
    const status = weighted(STATUSES);
    const c = Math.floor(rnd() * customers);
    const amount = 500 + Math.floor(rnd() * 20_000);
    const mid = pick(MIDS);
    const sub = operation === 'rebill' || rnd() < 0.1 ? `sub-${Math.floor(rnd() * (customers / 4))}` : undefined;
    const id = `tx_${i.toString(36).padStart(8, '0')}${Math.floor(rnd() * 1e9).toString(36)}`;
    const doc = {
      operation,
      profile: 'default',
      currency: 'USD',
      card: {
        bin: pick(BINS),
        last4: String(Math.floor(rnd() * 10_000)).padStart(4, '0'),
        brand: 'visa',
        fingerprint: `fp${c}`,
        expMonth: 12,
        expYear: 2030,
      },
      ...(sub && { subscriptionId: sub }),
      idempotencyKey: `key-${i}`,
      createdAt,
      updatedAt: createdAt + 800,
      ...(operation !== 'rebill' && { orderId: `ORD-${i}` }),
      customer: { id: `cust-${c}`, email: `shopper${c}@example.com`, country: 'US' },
      mid,
      gateway: 'sandbox',
      gatewayTransactionId: `gw_${i}`,
      routing: {
        source: 'default',
        pools: ['main'],
        candidates: [
          { mid, pool: 'main', strategy: 'weighted', score: 0.6 },
          { mid: 'bt-1', pool: 'main', strategy: 'weighted', score: 0.4 },
        ],
        ineligible: [],
        draws: [rnd()],
      },
    };
    const captured = status === 'captured' || status === 'refunded' ? amount : 0;
    const attempt = {
      id: `at_${i.toString(36)}`,
      status:
        status === 'captured' || status === 'refunded' || status === 'authorized'
          ? 'approved'
          : status === 'pending'
            ? 'pending'
            : status === 'failed'
              ? 'error'
              : 'declined',
      startedAt: createdAt,
      doc: { operation, mid, gateway: 'sandbox', amount, currency: 'USD', settledAt: createdAt + 800 },
    };
    yield { id, status, amount, captured, refunded: status === 'refunded' ? amount : 0, doc, attempt };
  }
}

async function loadSqlite(path: string, rows: number): Promise<void> {
  (await sqliteStore({ path })).close(); // create and migrate
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288');
  // Bulk load: the search indexes are dropped and built again after (the same indexes, far less work).
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('transactions', 'attempts')")
    .all() as Array<{ name: string; sql: string }>;
  for (const i of indexes) db.exec(`DROP INDEX "${i.name}"`);
  const tx = db.prepare('INSERT INTO transactions (id, status, amount, captured_amount, refunded_amount, doc) VALUES (?, ?, ?, ?, ?, ?)');
  const at = db.prepare(
    'INSERT INTO attempts (id, transaction_id, status, started_at, doc, search_mid, search_operation, search_currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const batch = db.transaction((items: ReturnType<typeof ledger> extends Generator<infer T> ? T[] : never) => {
    for (const r of items) {
      tx.run(r.id, r.status, r.amount, r.captured, r.refunded, JSON.stringify(r.doc));
      const a = r.attempt;
      at.run(a.id, r.id, a.status, a.startedAt, JSON.stringify(a.doc), a.doc.mid, a.doc.operation, a.doc.currency);
    }
  });
  let items = [];
  for (const r of ledger(rows, seeded(19))) {
    items.push(r);
    if (items.length === 10_000) {
      batch(items);
      items = [];
    }
  }
  batch(items);
  for (const i of indexes) db.exec(i.sql);
  db.close();
}

async function loadPostgres(url: string, schema: string, rows: number): Promise<void> {
  const store = postgresStore({ connectionString: url, schema });
  await store.ready();
  await store.close();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    // Bulk load: indexes not backing a constraint are dropped and built again after.
    const { rows: indexes } = await pool.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = $1 AND i.tablename IN ('transactions', 'attempts')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
      [schema],
    );
    for (const i of indexes) await pool.query(`DROP INDEX "${schema}"."${i.name}"`);
    let items: Array<ReturnType<typeof ledger> extends Generator<infer T> ? T : never> = [];
    const flush = async () => {
      if (!items.length) return;
      await pool.query(
        `INSERT INTO "${schema}".transactions (id, status, amount, captured_amount, refunded_amount, doc)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::jsonb[])`,
        [
          items.map((r) => r.id),
          items.map((r) => r.status),
          items.map((r) => r.amount),
          items.map((r) => r.captured),
          items.map((r) => r.refunded),
          items.map((r) => JSON.stringify(r.doc)),
        ],
      );
      await pool.query(
        `INSERT INTO "${schema}".attempts (id, transaction_id, status, started_at, doc)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::jsonb[])`,
        [
          items.map((r) => r.attempt.id),
          items.map((r) => r.id),
          items.map((r) => r.attempt.status),
          items.map((r) => r.attempt.startedAt),
          items.map((r) => JSON.stringify(r.attempt.doc)),
        ],
      );
      items = [];
    };
    for (const r of ledger(rows, seeded(19))) {
      items.push(r);
      if (items.length === 10_000) await flush();
    }
    await flush();
    for (const i of indexes) await pool.query(i.def);
    // What autovacuum does after a bulk load; the planner needs the statistics.
    await pool.query(`ANALYZE "${schema}".transactions`);
    await pool.query(`ANALYZE "${schema}".attempts`);
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

async function measureSearches(router: Router, rows: number, queries: number) {
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
  const t0 = performance.now();
  await router.midStatus();
  const midStatusMs = Math.round((performance.now() - t0) * 10) / 10;
  return { searches: out, midStatusMs };
}

function routerOn(store: Store): Router {
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
    await loadSqlite(path, o.rows);
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
      await loadPostgres(o.pgUrl, schema, o.rows);
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
