/** The SQLite file format over time: WAL, versioned migrations applied once, upgrades of older files. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS, migrateSqlite, sqliteStore } from '../../src/store/sqlite';
import { STORED_CARD, migratedPin, pinRecord, txRecord } from './conformance';

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
    await first.write({ insertTransaction: tx });
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
    const tx = txRecord({ status: 'approved' as never, capturedAmount: 1999, mid: 'mid-a', gateway: 'sandbox' });
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
      expect(store.schemaVersion).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
      // Version 3 names the states of the state machine: an approved, captured sale is `captured`.
      expect(await store.getTransaction(id)).toEqual({ ...tx, status: 'captured' });
      expect(await store.getPin('sub-v1')).toEqual(migratedPin(pin, { mid: 'mid-a', gateway: 'sandbox' }));
      expect(
        await store.write({
          reserveCap: { mid: 'mid-a', counters: [{ window: 'monthly', key: '2026-11:USD', amountLimit: 2_000 }], amount: 2 },
        }),
      ).toEqual({
        ok: false,
        conflict: 'cap',
      });
      expect(await store.getClaim('sale:order-1')).toMatchObject({
        status: 'completed',
        requestHash: 'h1',
        result: { ok: true, value: { transactionId: id } },
      });
      expect(await store.getOrCreateSecret('fingerprint')).toBe('v1-secret');
      expect(
        await store.write({ transaction: { id, from: ['captured'], patch: {}, add: { refunded: 1999 }, refundStatus: true } }),
      ).toEqual({ ok: true });
      // What version 2 added works on the upgraded file.
      await store.write({
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
    expect(versions(path).map((v) => v.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
  });

  it('upgrades a version-2 file to the state machine: states renamed, a claim left in progress linked to its transaction', async () => {
    const path = freshPath();
    const v2 = new Database(path);
    expect(migrateSqlite(v2, SQLITE_MIGRATIONS.slice(0, 2))).toBe(2);
    const insert = v2.prepare(
      'INSERT INTO transactions (id, status, amount, captured_amount, refunded_amount, doc) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const rows: Array<[string, string, number, number, number, string]> = [
      ['tx_sale', 'approved', 1000, 1000, 0, 'sale'],
      ['tx_refunded', 'approved', 1000, 1000, 1000, 'sale'],
      ['tx_part', 'approved', 1000, 1000, 300, 'rebill'],
      ['tx_auth', 'approved', 1000, 0, 0, 'authorize'],
      ['tx_verify', 'approved', 0, 0, 0, 'verify'],
      ['tx_amb', 'ambiguous', 1000, 0, 0, 'sale'],
      ['tx_void', 'voided', 1000, 0, 0, 'authorize'],
    ];
    for (const [id, status, amount, cap, ref, operation] of rows) {
      insert.run(
        id,
        status,
        amount,
        cap,
        ref,
        JSON.stringify({ operation, currency: 'USD', idempotencyKey: `k-${id}`, createdAt: 1, updatedAt: 1 }),
      );
    }
    v2.prepare(
      "INSERT INTO attempts (id, transaction_id, status, started_at, doc) VALUES ('at_amb', 'tx_amb', 'ambiguous', 1, '{}')",
    ).run();
    v2.prepare("INSERT INTO idempotency (key, request_hash, result, created_at) VALUES ('sale:k-tx_amb', 'h', NULL, 1)").run();
    v2.close();
    const store = sqliteStore({ path });
    try {
      const status = async (id: string) => (await store.getTransaction(id))!.status;
      expect(await status('tx_sale')).toBe('captured');
      expect(await status('tx_refunded')).toBe('refunded');
      expect(await status('tx_part')).toBe('partially_refunded');
      expect(await status('tx_auth')).toBe('authorized');
      expect(await status('tx_verify')).toBe('verified');
      expect(await status('tx_amb')).toBe('pending');
      expect(await status('tx_void')).toBe('voided');
      expect((await store.listAttempts('tx_amb'))[0].status).toBe('pending');
      // The old claim has no lease: reconciliation may recover it at once, and knows its transaction.
      expect(await store.listStaleClaims(2)).toEqual([{ key: 'sale:k-tx_amb', transactionId: 'tx_amb', leaseUntil: 0 }]);
    } finally {
      await store.close();
    }
  });

  it('upgrades pins to credentials per MID: a pin an older switchyard re-pinned keeps its ids on the MID that made them', async () => {
    const path = freshPath();
    const v3 = new Database(path);
    expect(
      migrateSqlite(
        v3,
        SQLITE_MIGRATIONS.filter((m) => m.version <= 3),
      ),
    ).toBe(3);
    const tx = txRecord({ id: 'tx_initial', status: 'captured', mid: 'nmi-old', gateway: 'nmi' });
    const { id, status, amount, capturedAmount, refundedAmount, ...txDoc } = tx;
    v3.prepare('INSERT INTO transactions (id, status, amount, captured_amount, refunded_amount, doc) VALUES (?, ?, ?, ?, ?, ?)').run(
      id,
      status,
      amount,
      capturedAmount,
      refundedAmount,
      JSON.stringify(txDoc),
    );
    // The old re-pin moved `mid` and `gateway` and left NMI's ids at the top level.
    const moved = pinRecord('sub-moved', { mid: 'cko-new', gateway: 'checkout', transactionId: id, gatewayToken: '7000001' });
    const lost = pinRecord('sub-lost-tx', {
      mid: 'cko-new',
      gateway: 'checkout',
      transactionId: 'tx_gone',
      networkTransactionId: undefined,
    });
    const still = pinRecord('sub-still', { transactionId: 'tx_gone2' });
    const insertPin = v3.prepare('INSERT INTO pins (subscription_id, mid, status, doc) VALUES (?, ?, ?, ?)');
    for (const p of [moved, lost, still]) {
      const { subscriptionId, mid, status: st, ...doc } = p;
      insertPin.run(subscriptionId, mid, st, JSON.stringify(doc));
    }
    const audit = v3.prepare('INSERT INTO repin_audit (subscription_id, from_mid, to_mid, reason, at) VALUES (?, ?, ?, ?, ?)');
    audit.run('sub-moved', 'nmi-old', 'cko-new', 'closing', 5);
    audit.run('sub-lost-tx', 'auth-old', 'cko-new', 'closing', 5);
    v3.close();
    const store = sqliteStore({ path });
    try {
      expect(await store.getPin('sub-moved')).toEqual(migratedPin(moved, { mid: 'nmi-old', gateway: 'nmi' }));
      // Without its initial transaction, the first re-pin names the MID; its gateway is unknown, so it matches no other MID.
      expect(await store.getPin('sub-lost-tx')).toEqual(migratedPin(lost, { mid: 'auth-old', gateway: 'unknown' }));
      expect(await store.getPin('sub-still')).toEqual(migratedPin(still, { mid: 'mid-a', gateway: 'sandbox' }));
    } finally {
      await store.close();
    }
  });

  describe('an older switchyard still writing while a newer one runs (a rolling upgrade)', () => {
    // The statements of schema version 10's store, which knew no search columns of its own.
    const OLD_INSERT = 'INSERT INTO transactions (id, status, amount, captured_amount, refunded_amount, doc) VALUES (?, ?, ?, ?, ?, ?)';
    const OLD_UPDATE = 'UPDATE transactions SET status = ?, amount = ?, captured_amount = ?, refunded_amount = ?, doc = ? WHERE id = ?';
    const oldWrite = (db: Database.Database, t: ReturnType<typeof txRecord>, sql = OLD_INSERT) => {
      const { id, status, amount, capturedAmount, refundedAmount, ...doc } = t;
      const values = [status, amount, capturedAmount, refundedAmount, JSON.stringify(doc)];
      if (sql === OLD_INSERT) db.prepare(sql).run(id, ...values);
      else db.prepare(sql).run(...values, id);
    };
    const sale = txRecord({ id: 'tx_old', mid: 'mid-a', orderId: 'ORD-OLD', customer: { id: 'c-old', email: 'old@example.com' } });
    const settled = { ...sale, status: 'captured' as const, capturedAmount: sale.amount, mid: 'mid-b', gatewayTransactionId: 'gw-old-1' };
    const expectFound = async (store: ReturnType<typeof sqliteStore>, t: typeof settled) => {
      const ids = async (q: Parameters<typeof store.searchTransactions>[0]) => (await store.searchTransactions(q)).map((x) => x.id);
      expect(await ids({ orderId: 'ORD-OLD', limit: 10 })).toEqual([t.id]);
      expect(await ids({ email: 'old@example.com', limit: 10 })).toEqual([t.id]);
      expect(await ids({ mid: 'mid-b', limit: 10 })).toEqual([t.id]);
      expect(await ids({ mid: 'mid-a', limit: 10 })).toEqual([]);
      expect(await ids({ status: 'captured', limit: 10 })).toEqual([t.id]);
      const card = { last4: STORED_CARD.last4, bin: STORED_CARD.bin, from: t.createdAt, to: t.createdAt + 1 };
      expect((await store.findCardTransactions(card)).map((x) => x.id)).toEqual([t.id]);
      expect((await store.findByGatewayReference('mid-b', { gatewayTransactionId: 'gw-old-1' }))?.transaction.id).toBe(t.id);
    };

    it('keeps the search facts of the rows it inserts and settles: support search, card alerts and webhooks find them', async () => {
      const path = freshPath();
      const store = sqliteStore({ path });
      const old = new Database(path);
      try {
        oldWrite(old, sale);
        expect((await store.searchTransactions({ orderId: 'ORD-OLD', limit: 10 })).map((x) => x.id)).toEqual([sale.id]);
        oldWrite(old, settled, OLD_UPDATE);
        await expectFound(store, settled);
        // The newer store's own update of that row keeps its facts right too.
        expect((await store.write({ transaction: { id: sale.id, from: ['captured'], patch: { updatedAt: sale.updatedAt + 1 } } })).ok).toBe(
          true,
        );
        await expectFound(store, settled);
      } finally {
        old.close();
        await store.close();
      }
    });

    it('repairs, on upgrade, the rows it wrote between version 11 and this one', async () => {
      const path = freshPath();
      const v11 = new Database(path);
      expect(
        migrateSqlite(
          v11,
          SQLITE_MIGRATIONS.filter((m) => m.version <= 11),
        ),
      ).toBe(11);
      oldWrite(v11, sale);
      oldWrite(v11, settled, OLD_UPDATE);
      v11.close();
      const store = sqliteStore({ path });
      try {
        await expectFound(store, settled);
      } finally {
        await store.close();
      }
    });
  });

  it('rolls a failing migration back entirely and leaves the version where it was', () => {
    const path = freshPath();
    const db = new Database(path);
    migrateSqlite(db);
    const broken = [
      ...SQLITE_MIGRATIONS,
      { version: 99, name: 'broken', sql: 'CREATE TABLE half_done (a INTEGER); INSERT INTO no_such_table VALUES (1);' },
    ];
    expect(() => migrateSqlite(db, broken)).toThrow(/no_such_table/);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half_done'`).all()).toEqual([]);
    expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: SQLITE_MIGRATIONS.at(-1)!.version });
    db.close();
  });

  it('refuses a database written by a newer switchyard', () => {
    const path = freshPath();
    const db = new Database(path);
    migrateSqlite(db);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, 0)').run('from the future');
    db.close();
    expect(() => sqliteStore({ path })).toThrow(
      new RegExp(`version 99, newer than this switchyard knows \\(${SQLITE_MIGRATIONS.at(-1)!.version}\\): upgrade switchyard`),
    );
  });

  it('names the bad option', () => {
    expect(() => sqliteStore({ path: '' })).toThrow(/path/);
  });
});
