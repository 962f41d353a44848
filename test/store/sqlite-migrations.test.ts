/** The SQLite file format over time: WAL, versioned migrations applied once, upgrades of older files. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS, migrateSqlite, sqliteStore } from '../../src/store/sqlite';
import { STORED_CARD, pinRecord, txRecord } from './conformance';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-migrations-'));
let n = 0;
const freshPath = () => join(dir, `db-${n++}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const versions = (path: string) => {
  const db = new Database(path);
  try {
    return db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all() as Array<{
      version: number;
      applied_at: number;
    }>;
  } finally {
    db.close();
  }
};

describe('sqliteStore file and migrations', () => {
  it('opens one database file in WAL mode at the latest schema version', async () => {
    const path = freshPath();
    const store = sqliteStore({ path });
    expect(store.schemaVersion).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    await store.close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('applies each migration once: reopening changes nothing and keeps the data', async () => {
    const path = freshPath();
    const first = sqliteStore({ path });
    const tx = txRecord();
    await first.insertTransaction(tx);
    await first.close();
    const before = versions(path);
    expect(before.map((v) => v.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    const again = sqliteStore({ path });
    expect(await again.getTransaction(tx.id)).toEqual(tx);
    await again.close();
    expect(versions(path)).toEqual(before);
  });

  it('upgrades a database created by schema version 1, keeping its ledger, pins, caps and keys', async () => {
    const path = freshPath();
    // What a version-1 switchyard left behind: its schema and rows as it wrote them.
    const v1 = new Database(path);
    expect(migrateSqlite(v1, SQLITE_MIGRATIONS.slice(0, 1))).toBe(1);
    const tx = txRecord({ status: 'approved', capturedAmount: 1999, mid: 'mid-a', gateway: 'sandbox' });
    const { id, status, amount, capturedAmount, refundedAmount, ...txDoc } = tx;
    v1.prepare('INSERT INTO transactions (id, status, amount, captured_amount, refunded_amount, doc) VALUES (?, ?, ?, ?, ?, ?)').run(
      id,
      status,
      amount,
      capturedAmount,
      refundedAmount,
      JSON.stringify(txDoc),
    );
    const pin = pinRecord('sub-v1', { transactionId: id });
    const { subscriptionId, mid, status: pinStatus, ...pinDoc } = pin;
    v1.prepare('INSERT INTO pins (subscription_id, mid, status, doc) VALUES (?, ?, ?, ?)').run(
      subscriptionId,
      mid,
      pinStatus,
      JSON.stringify(pinDoc),
    );
    v1.prepare('INSERT INTO caps (mid, cap_window, cap_key, amount, count) VALUES (?, ?, ?, ?, ?)').run(
      'mid-a',
      'monthly',
      '2026-11:USD',
      1999,
      1,
    );
    v1.prepare('INSERT INTO idempotency (key, request_hash, result, created_at) VALUES (?, ?, ?, ?)').run(
      'sale:order-1',
      'h1',
      JSON.stringify({ ok: true, value: { transactionId: id } }),
      1,
    );
    v1.prepare('INSERT INTO secrets (name, value) VALUES (?, ?)').run('fingerprint', 'v1-secret');
    expect(() => v1.prepare('SELECT * FROM declines').all()).toThrow(/no such table/);
    v1.close();

    const store = sqliteStore({ path });
    try {
      expect(store.schemaVersion).toBe(2);
      expect(await store.getTransaction(id)).toEqual(tx);
      expect(await store.getPin('sub-v1')).toEqual(pin);
      expect(await store.reserveCap('mid-a', [{ window: 'monthly', key: '2026-11:USD', amountLimit: 2_000 }], 2)).toBe(false);
      expect(await store.claimIdempotencyKey('sale:order-1', 'h1', 2)).toEqual({
        status: 'completed',
        requestHash: 'h1',
        result: { ok: true, value: { transactionId: id } },
      });
      expect(await store.getOrCreateSecret('fingerprint')).toBe('v1-secret');
      expect(await store.reserveAmount(id, 'refunded', 1999)).toBe(true);
      // What version 2 added works on the upgraded file.
      await store.commit({
        decline: {
          fingerprint: STORED_CARD.fingerprint,
          mid: 'mid-a',
          at: 10,
          reason: 'do_not_honor',
          retry: 'later',
          amount: 5,
          currency: 'USD',
          initiator: 'cit',
        },
      });
      expect(await store.declineHistory(STORED_CARD.fingerprint, 0)).toHaveLength(1);
    } finally {
      await store.close();
    }
    expect(versions(path).map((v) => v.version)).toEqual([1, 2]);
  });

  it('rolls a failing migration back entirely and leaves the version where it was', () => {
    const path = freshPath();
    const db = new Database(path);
    migrateSqlite(db);
    const broken = [
      ...SQLITE_MIGRATIONS,
      { version: 3, name: 'broken', sql: 'CREATE TABLE half_done (a INTEGER); INSERT INTO no_such_table VALUES (1);' },
    ];
    expect(() => migrateSqlite(db, broken)).toThrow(/no_such_table/);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half_done'`).all()).toEqual([]);
    expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 2 });
    db.close();
  });

  it('refuses a database written by a newer switchyard', () => {
    const path = freshPath();
    const db = new Database(path);
    migrateSqlite(db);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, 0)').run('from the future');
    db.close();
    expect(() => sqliteStore({ path })).toThrow(/version 99, newer than this switchyard knows \(2\): upgrade switchyard/);
  });

  it('names the bad option', () => {
    expect(() => sqliteStore({ path: '' })).toThrow(/path/);
  });
});
