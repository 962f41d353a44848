/**
 * A ledger written by schema version 3 (the rows of `fixtures/ledger-v3.json`, made by running
 * that version) opens on SQLite and PostgreSQL, is migrated, and is searchable by everything its
 * records hold; new sales on the upgraded database are searchable by their order facts too. A
 * database written by a switchyard without search (every other version, 7 and 9 included) still
 * gets the search migration, though its latest version is higher.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { createRouter } from '../../src/router';
import { migratePostgres, POSTGRES_MIGRATIONS, postgresStore } from '../../src/store/postgres';
import { utcDay } from '../../src/store/search';
import { migrateSqlite, SQLITE_MIGRATIONS, sqliteStore } from '../../src/store/sqlite';
import type { Store, TransactionRecord } from '../../src/store/types';
import { describePg, scratchSchema } from './pg-env';

type Row = Record<string, unknown>;
const fixture = JSON.parse(readFileSync(resolve(__dirname, 'fixtures/ledger-v3.json'), 'utf8')) as Record<string, Row[]>;
const TABLES = ['transactions', 'attempts', 'pins', 'idempotency', 'declines'] as const;
/** What a switchyard without the search (schema version 6) migrates a database to: nor has it version 11, built on 6. */
const WITHOUT_SEARCH_SQLITE = SQLITE_MIGRATIONS.filter((m) => m.version !== 6 && m.version < 11);
const WITHOUT_SEARCH_PG = POSTGRES_MIGRATIONS.filter((m) => m.version !== 6 && m.version < 11);
const v3 = fixture.transactions.map(
  (r) =>
    ({
      ...JSON.parse(r.doc as string),
      id: r.id,
      status: r.status,
      amount: r.amount,
      capturedAmount: r.captured_amount,
      refundedAmount: r.refunded_amount,
    }) as TransactionRecord,
);
const newest = (keep: (t: TransactionRecord) => boolean) =>
  v3
    .filter(keep)
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
    .map((t) => t.id);

/** What every upgraded store must answer. */
async function expectSearchable(store: Store) {
  const ids = async (q: Parameters<Store['searchTransactions']>[0]) => (await store.searchTransactions(q)).map((t) => t.id);
  expect(await store.getTransaction(v3[0].id)).toEqual(v3[0]);
  expect(await ids({ limit: 100 })).toEqual(newest(() => true));
  expect(await ids({ last4: '4444', limit: 100 })).toEqual(newest((t) => t.card?.last4 === '4444'));
  expect(await ids({ bin: '400000', limit: 100 })).toEqual(newest((t) => t.card?.bin === '400000'));
  expect(await ids({ mid: 'mid-west', limit: 100 })).toEqual(newest((t) => t.mid === 'mid-west'));
  expect(await ids({ status: 'declined', limit: 100 })).toHaveLength(2);
  expect(await ids({ operation: 'rebill', limit: 100 })).toEqual(newest((t) => t.operation === 'rebill'));
  expect(await ids({ subscriptionId: 'sub-1', limit: 100 })).toEqual(newest((t) => t.subscriptionId === 'sub-1'));
  const from = v3[3].createdAt;
  expect(await ids({ from, to: from + 120_001, limit: 100 })).toEqual(newest((t) => t.createdAt >= from && t.createdAt <= from + 120_000));
  const counts = await store.countAttempts(0, utcDay(Date.UTC(2100, 0, 1)));
  expect(counts.reduce((n, c) => n + c.count, 0)).toBe(11); // 12 attempts, one of them a refund
  // A sale on the upgraded database: its order facts are searchable.
  let now = v3.at(-1)!.createdAt + 3_600_000;
  const router = createRouter({
    merchantAccounts: [{ id: 'mid-east', adapter: sandbox({ id: 'mid-east' }) }],
    profiles: [{ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'mid-east' }] } }, route: ['p'] }],
    store,
    clock: () => now++,
  });
  const r = await router.sale({
    profile: 'default',
    idempotencyKey: 'after-upgrade',
    orderId: 'ORD-NEW',
    amount: 500,
    currency: 'USD',
    card: { number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: '123' },
    customer: { id: 'cust-0', email: 'Shopper0@Example.com' },
  });
  expect(r.isOk()).toBe(true);
  expect(await ids({ orderId: 'ORD-NEW', limit: 10 })).toEqual([r.unwrap().transactionId]);
  expect(await ids({ email: 'shopper0@example.com', limit: 10 })).toEqual([r.unwrap().transactionId]);
  expect(await ids({ last4: '1111', limit: 100 })).toEqual([r.unwrap().transactionId, ...newest((t) => t.card?.last4 === '1111')]);
}

describe('SQLite: a version-3 ledger is searchable after the upgrade', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-search-mig-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A file at schema version 3 holding the fixture's rows; `withoutSearch`: then upgraded to every version but 6. */
  function v3File(name: string, withoutSearch = false) {
    const path = join(dir, name);
    const db = new Database(path);
    expect(
      migrateSqlite(
        db,
        SQLITE_MIGRATIONS.filter((m) => m.version <= 3),
      ),
    ).toBe(3);
    for (const t of TABLES)
      for (const row of fixture[t]) {
        const cols = Object.keys(row).filter((c) => c !== 'seq');
        db.prepare(`INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => row[c]));
      }
    if (withoutSearch) migrateSqlite(db, WITHOUT_SEARCH_SQLITE);
    db.close();
    return path;
  }

  it('opens, migrates to the latest version and answers every search from the old rows', async () => {
    const store = sqliteStore({ path: v3File('v3.db') });
    expect(store.schemaVersion).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    try {
      await expectSearchable(store);
    } finally {
      await store.close();
    }
  });

  it('applies the search migration to a database written without it, at a higher version', async () => {
    const path = v3File('no-search.db', true);
    const store = sqliteStore({ path });
    try {
      expect(store.schemaVersion).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
      await expectSearchable(store);
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    expect(
      (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version),
    ).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    db.close();
  });

  it('answers searches from the indexes (no full scan, no sort)', async () => {
    const store = sqliteStore({ path: v3File('plan.db') });
    await store.close();
    const db = new Database(join(dir, 'plan.db'), { readonly: true });
    const plan = (where: string, ...p: unknown[]) =>
      (
        db
          .prepare(`EXPLAIN QUERY PLAN SELECT id FROM transactions ${where} ORDER BY search_created_at DESC, id DESC LIMIT 50`)
          .all(...p) as Array<{
          detail: string;
        }>
      )
        .map((r) => r.detail)
        .join('; ');
    expect(plan('WHERE search_email = ?', 'a@b.co')).toMatch(/USING (COVERING )?INDEX transactions_by_email/);
    expect(plan('WHERE search_last4 = ? AND (search_created_at, id) < (?, ?)', '1111', 1, 'x')).toMatch(
      /USING (COVERING )?INDEX transactions_by_last4/,
    );
    expect(plan('WHERE search_order_id = ? AND +status = ?', 'A', 'captured')).toMatch(/USING (COVERING )?INDEX transactions_by_order/);
    expect(plan('WHERE search_created_at >= ? AND search_created_at < ?', 1, 2)).toMatch(/USING (COVERING )?INDEX transactions_by_time/);
    // Attempt counts of a month read that month's rows of the per-day counts, by their key.
    const counts = db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT mid, currency, status, sum(count) FROM attempt_counts WHERE day >= ? AND day < ? GROUP BY mid, currency, status',
      )
      .all(1, 2) as Array<{ detail: string }>;
    expect(counts.map((r) => r.detail).join('; ')).toMatch(/SEARCH attempt_counts USING PRIMARY KEY \(day>\? AND day<\?\)/);
    for (const w of ['WHERE search_email = ?', 'WHERE status = ?', ''])
      expect(plan(w, ...(w ? ['x'] : []))).not.toMatch(/TEMP B-TREE|SCAN transactions$/);
    db.close();
  });
});

describePg('PostgreSQL: a version-3 ledger is searchable after the upgrade', (url) => {
  const schema = scratchSchema(url, 'searchmig');
  const noSearch = scratchSchema(url, 'searchmig6');

  /** A schema at version 3 holding the fixture's rows; `withoutSearch`: then upgraded to every version but 6. */
  async function v3Schema(name: string, withoutSearch: boolean) {
    const pool = new pg.Pool({ connectionString: url });
    try {
      expect(
        await migratePostgres(
          pool,
          name,
          POSTGRES_MIGRATIONS.filter((m) => m.version <= 3),
        ),
      ).toBe(3);
      for (const t of TABLES)
        for (const row of fixture[t]) {
          const cols = Object.keys(row).filter((c) => c !== 'seq');
          await pool.query(
            `INSERT INTO "${name}".${t} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
            cols.map((c) => row[c]),
          );
        }
      if (withoutSearch) expect(await migratePostgres(pool, name, WITHOUT_SEARCH_PG)).toBe(WITHOUT_SEARCH_PG.at(-1)!.version);
    } finally {
      await pool.end();
    }
  }

  it('opens, migrates to the latest version and answers every search from the old rows', async () => {
    await v3Schema(schema, false);
    const store = postgresStore({ connectionString: url, schema });
    try {
      expect(await store.ready()).toBe(POSTGRES_MIGRATIONS.at(-1)!.version);
      await expectSearchable(store);
    } finally {
      await store.close();
    }
  });

  it('applies the search migration to a schema written without it, at a higher version', async () => {
    await v3Schema(noSearch, true);
    const store = postgresStore({ connectionString: url, schema: noSearch });
    try {
      expect(await store.ready()).toBe(POSTGRES_MIGRATIONS.at(-1)!.version);
      await expectSearchable(store);
    } finally {
      await store.close();
    }
    const pool = new pg.Pool({ connectionString: url });
    try {
      const { rows } = await pool.query(`SELECT version FROM "${noSearch}".schema_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    } finally {
      await pool.end();
    }
  });
});
