/**
 * `sqliteStore({ path })`: the embedded default. One database file in WAL mode, schema created
 * and migrated on open, every check-and-update in one SQLite transaction taken with the write
 * lock (`BEGIN IMMEDIATE`), so it stays correct even if two processes open the same file.
 * better-sqlite3 is an optional peer dependency, loaded only when this store is created.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { SQLITE_MIGRATIONS, type Migration } from './migrations/sqlite';
import { loadOptional } from './optional';
import { ATTEMPT_COLUMNS, DECLINE_HISTORY_MS, PIN_COLUMNS, TRANSACTION_COLUMNS, patchDoc, splitPatch, splitRecord } from './records';
import type {
  AttemptRecord,
  CapUsage,
  DeclineRecord,
  IdempotencyClaim,
  PinRecord,
  RepinAuditRecord,
  Store,
  StoreCommit,
  TransactionRecord,
} from './types';

export { SQLITE_MIGRATIONS } from './migrations/sqlite';
export type { Migration } from './migrations/sqlite';

/** Options of `sqliteStore`. */
export interface SqliteStoreOptions {
  /** Database file, created if missing (with `-wal` and `-shm` files next to it). `':memory:'` for a throwaway one. */
  path: string;
  /**
   * SQLite `synchronous` setting. `'normal'` (default): a committed transaction survives a crash
   * or kill of the process; an operating-system crash or power loss may lose the last commits.
   * `'full'`: also survives power loss, at the cost of one fsync per write.
   */
  synchronous?: 'normal' | 'full' | undefined;
  /** How long a write waits for another process holding the lock, in ms. Default 5000. */
  busyTimeoutMs?: number | undefined;
}

/** The SQLite store: a `Store` plus the schema version it runs on. */
export interface SqliteStore extends Store {
  /** Schema version of the open database (the latest migration applied). */
  readonly schemaVersion: number;
}

type Db = BetterSqlite3.Database;
type Row = Record<string, unknown>;

/**
 * Apply the migrations a database does not have yet, each in its own transaction, in order.
 * Returns the database's schema version. Throws when the database is newer than `migrations`.
 */
export function migrateSqlite(db: Db, migrations: readonly Migration[] = SQLITE_MIGRATIONS): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = () => (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current() > latest) {
    throw new Error(`the database's schema is version ${current()}, newer than this switchyard knows (${latest}): upgrade switchyard`);
  }
  for (const m of migrations) {
    // Checked again inside the write lock: another process may have just applied it.
    db.transaction(() => {
      if (current() >= m.version) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }).immediate();
  }
  return current();
}

const json = (v: unknown) => JSON.stringify(v);
const parse = (s: unknown) => JSON.parse(s as string) as Record<string, unknown>;

/**
 * A Store in one SQLite file (better-sqlite3).
 * @example
 * import { createRouter, sqliteStore } from 'switchyard';
 * const router = createRouter({ merchantAccounts, profiles, store: sqliteStore({ path: 'switchyard.db' }) });
 * @throws MissingDependencyError when better-sqlite3 is not installed.
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  if (typeof options?.path !== 'string' || !options.path) throw new TypeError('sqliteStore: path: must be a file path (or ":memory:")');
  const Database = loadOptional<typeof BetterSqlite3>('better-sqlite3', 'sqliteStore');
  const db = new Database(options.path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
    const schemaVersion = migrateSqlite(db);
    return Object.assign(openStore(db), { schemaVersion });
  } catch (e) {
    db.close();
    throw e;
  }
}

/** The Store over an open, migrated database. Statements are prepared once, here. */
function openStore(db: Db): Store {
  const q = (sql: string) => db.prepare(sql);
  const s = {
    capGet: q('SELECT amount, count FROM caps WHERE mid = ? AND cap_window = ? AND cap_key = ?'),
    capAdd: q(`INSERT INTO caps (mid, cap_window, cap_key, amount, count) VALUES (?, ?, ?, ?, 1)
               ON CONFLICT (mid, cap_window, cap_key) DO UPDATE SET amount = amount + excluded.amount, count = count + 1`),
    capRelease: q(
      'UPDATE caps SET amount = max(0, amount - ?), count = max(0, count - 1) WHERE mid = ? AND cap_window = ? AND cap_key = ?',
    ),
    idemGet: q('SELECT request_hash, result FROM idempotency WHERE key = ?'),
    idemInsert: q('INSERT INTO idempotency (key, request_hash, result, created_at) VALUES (?, ?, NULL, ?)'),
    idemRelease: q('DELETE FROM idempotency WHERE key = ? AND result IS NULL'),
    idemComplete: q(`INSERT INTO idempotency (key, request_hash, result, created_at) VALUES (?, '', ?, ?)
                     ON CONFLICT (key) DO UPDATE SET result = excluded.result`),
    txInsert: q('INSERT INTO transactions (id, status, amount, captured_amount, refunded_amount, doc) VALUES (?, ?, ?, ?, ?, ?)'),
    txGet: q('SELECT * FROM transactions WHERE id = ?'),
    txUpdate: q('UPDATE transactions SET status = ?, amount = ?, captured_amount = ?, refunded_amount = ?, doc = ? WHERE id = ?'),
    txReserveCaptured: q(`UPDATE transactions SET captured_amount = captured_amount + @amount
                          WHERE id = @id AND status = 'approved' AND captured_amount + @amount <= amount`),
    txReserveRefunded: q(`UPDATE transactions SET refunded_amount = refunded_amount + @amount
                          WHERE id = @id AND status = 'approved' AND refunded_amount + @amount <= captured_amount`),
    txReleaseCaptured: q('UPDATE transactions SET captured_amount = max(0, captured_amount - ?) WHERE id = ?'),
    txReleaseRefunded: q('UPDATE transactions SET refunded_amount = max(0, refunded_amount - ?) WHERE id = ?'),
    txVoid: q(`UPDATE transactions SET status = 'voided', doc = json_set(doc, '$.updatedAt', ?)
               WHERE id = ? AND status = 'approved' AND refunded_amount = 0`),
    atInsert: q('INSERT INTO attempts (id, transaction_id, status, started_at, doc) VALUES (?, ?, ?, ?, ?)'),
    atGet: q('SELECT * FROM attempts WHERE id = ?'),
    atUpdatePending: q(`UPDATE attempts SET status = ?, doc = ? WHERE id = ? AND status = 'pending'`),
    atByTx: q('SELECT * FROM attempts WHERE transaction_id = ? ORDER BY seq'),
    atPending: q(`SELECT * FROM attempts WHERE status = 'pending' AND started_at < ? ORDER BY seq`),
    pinInsertIfAbsent: q(
      'INSERT INTO pins (subscription_id, mid, status, doc) VALUES (?, ?, ?, ?) ON CONFLICT (subscription_id) DO NOTHING',
    ),
    pinGet: q('SELECT * FROM pins WHERE subscription_id = ?'),
    pinsByMid: q('SELECT * FROM pins WHERE mid = ? ORDER BY seq'),
    pinUpdate: q('UPDATE pins SET mid = ?, status = ?, doc = ? WHERE subscription_id = ?'),
    auditInsert: q('INSERT INTO repin_audit (subscription_id, from_mid, to_mid, reason, at) VALUES (?, ?, ?, ?, ?)'),
    auditAll: q('SELECT * FROM repin_audit ORDER BY seq'),
    auditBySub: q('SELECT * FROM repin_audit WHERE subscription_id = ? ORDER BY seq'),
    declineInsert: q('INSERT INTO declines (fingerprint, at, doc) VALUES (?, ?, ?)'),
    declinePrune: q('DELETE FROM declines WHERE fingerprint = ? AND at <= ?'),
    declinesSince: q('SELECT * FROM declines WHERE fingerprint = ? AND at >= ? ORDER BY seq'),
    secretGet: q('SELECT value FROM secrets WHERE name = ?'),
    secretInsert: q('INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
  };

  const toTx = (r: Row): TransactionRecord =>
    ({
      ...parse(r.doc),
      id: r.id,
      status: r.status,
      amount: r.amount,
      capturedAmount: r.captured_amount,
      refundedAmount: r.refunded_amount,
    }) as TransactionRecord;
  const toAttempt = (r: Row): AttemptRecord =>
    ({
      ...parse(r.doc),
      id: r.id,
      transactionId: r.transaction_id,
      status: r.status,
      startedAt: r.started_at,
    }) as AttemptRecord;
  const toPin = (r: Row): PinRecord => ({ ...parse(r.doc), subscriptionId: r.subscription_id, mid: r.mid, status: r.status }) as PinRecord;
  const toAudit = (r: Row): RepinAuditRecord => ({
    subscriptionId: r.subscription_id as string,
    fromMid: r.from_mid as string,
    toMid: r.to_mid as string,
    reason: r.reason as string,
    at: r.at as number,
  });
  const toDecline = (r: Row): DeclineRecord => ({ ...parse(r.doc), fingerprint: r.fingerprint, at: r.at }) as DeclineRecord;

  /** Run `fn` in a transaction holding the write lock from its start. */
  const atomically = <A extends unknown[], R>(fn: (...args: A) => R) => {
    const t = db.transaction(fn);
    return (...args: A): R => t.immediate(...args);
  };

  const patchTransaction = (id: string, patch: Partial<TransactionRecord>) => {
    const row = s.txGet.get(id) as Row | undefined;
    if (!row) return;
    const { cols, set, unset } = splitPatch(patch, TRANSACTION_COLUMNS);
    const t = { ...toTx(row), ...cols };
    s.txUpdate.run(t.status, t.amount, t.capturedAmount, t.refundedAmount, json(patchDoc(parse(row.doc), set, unset)), id);
  };
  const patchPin = (row: Row, patch: Partial<PinRecord>) => {
    const { cols, set, unset } = splitPatch(patch, PIN_COLUMNS);
    s.pinUpdate.run(cols.mid ?? row.mid, cols.status ?? row.status, json(patchDoc(parse(row.doc), set, unset)), row.subscription_id);
  };

  const reserveCap = atomically((mid: string, counters: Parameters<Store['reserveCap']>[1], amount: number): boolean => {
    for (const c of counters) {
      const u = (s.capGet.get(mid, c.window, c.key) as { amount: number; count: number } | undefined) ?? { amount: 0, count: 0 };
      if (c.amountLimit !== undefined && u.amount + amount > c.amountLimit) return false;
      if (c.countLimit !== undefined && u.count + 1 > c.countLimit) return false;
    }
    for (const c of counters) s.capAdd.run(mid, c.window, c.key, amount);
    return true;
  });
  const releaseCap = atomically((mid: string, counters: Parameters<Store['releaseCap']>[1], amount: number) => {
    for (const c of counters) s.capRelease.run(amount, mid, c.window, c.key);
  });
  const claim = atomically((key: string, requestHash: string, now: number): IdempotencyClaim => {
    const row = s.idemGet.get(key) as { request_hash: string; result: string | null } | undefined;
    if (!row) {
      s.idemInsert.run(key, requestHash, now);
      return { status: 'claimed' };
    }
    return row.result === null
      ? { status: 'in_progress', requestHash: row.request_hash }
      : { status: 'completed', requestHash: row.request_hash, result: JSON.parse(row.result) };
  });
  const commit = atomically((c: StoreCommit): boolean => {
    if (c.attempt) {
      const row = s.atGet.get(c.attempt.id) as Row | undefined;
      if (!row || row.status !== 'pending') return false;
      const { cols, set, unset } = splitPatch(c.attempt.patch, ATTEMPT_COLUMNS);
      s.atUpdatePending.run(cols.status ?? row.status, json(patchDoc(parse(row.doc), set, unset)), c.attempt.id);
    }
    if (c.transaction) patchTransaction(c.transaction.id, c.transaction.patch);
    if (c.pin) {
      const { cols, doc } = splitRecord(c.pin, PIN_COLUMNS);
      s.pinInsertIfAbsent.run(cols.subscriptionId, cols.mid, cols.status, json(doc));
    }
    if (c.decline) {
      const { fingerprint, at, ...doc } = c.decline;
      s.declinePrune.run(fingerprint, at - DECLINE_HISTORY_MS);
      s.declineInsert.run(fingerprint, at, json(doc));
    }
    if (c.idempotency) s.idemComplete.run(c.idempotency.key, json(c.idempotency.result), Date.now());
    return true;
  });
  const updatePin = atomically((id: string, patch: Partial<PinRecord>, now: number) => {
    const row = s.pinGet.get(id) as Row | undefined;
    if (row) patchPin(row, { ...patch, updatedAt: now });
  });
  const repin = atomically((id: string, to: Pick<PinRecord, 'mid' | 'gateway'>, audit: RepinAuditRecord) => {
    const row = s.pinGet.get(id) as Row | undefined;
    if (!row) throw new Error(`no pin for subscription ${id}`);
    patchPin(row, { mid: to.mid, gateway: to.gateway, updatedAt: audit.at });
    s.auditInsert.run(audit.subscriptionId, audit.fromMid, audit.toMid, audit.reason, audit.at);
  });
  const secret = atomically((name: string): string => {
    const row = s.secretGet.get(name) as { value: string } | undefined;
    if (row) return row.value;
    s.secretInsert.run(name, randomBytes(32).toString('base64url'));
    return (s.secretGet.get(name) as { value: string }).value;
  });
  let closed = false;

  return {
    async reserveCap(mid, counters, amount) {
      return reserveCap(mid, counters, amount);
    },
    async releaseCap(mid, counters, amount) {
      releaseCap(mid, counters, amount);
    },
    async capUsage(mid, counters): Promise<CapUsage[]> {
      return counters.map((c) => ({
        window: c.window,
        key: c.key,
        ...((s.capGet.get(mid, c.window, c.key) as { amount: number; count: number } | undefined) ?? { amount: 0, count: 0 }),
      }));
    },

    async claimIdempotencyKey(key, requestHash, now) {
      return claim(key, requestHash, now);
    },
    async releaseIdempotencyKey(key) {
      s.idemRelease.run(key);
    },

    async insertTransaction(tx) {
      const { cols, doc } = splitRecord(tx, TRANSACTION_COLUMNS);
      s.txInsert.run(cols.id, cols.status, cols.amount, cols.capturedAmount, cols.refundedAmount, json(doc));
    },
    async getTransaction(id) {
      const row = s.txGet.get(id) as Row | undefined;
      return row && toTx(row);
    },
    async insertAttempt(a) {
      const { cols, doc } = splitRecord(a, ATTEMPT_COLUMNS);
      s.atInsert.run(cols.id, cols.transactionId, cols.status, cols.startedAt, json(doc));
    },
    async listAttempts(transactionId) {
      return (s.atByTx.all(transactionId) as Row[]).map(toAttempt);
    },
    async listPendingAttempts(startedBefore) {
      return (s.atPending.all(startedBefore) as Row[]).map(toAttempt);
    },
    async commit(c) {
      return commit(c);
    },

    async reserveAmount(id, field, amount) {
      return (field === 'captured' ? s.txReserveCaptured : s.txReserveRefunded).run({ amount, id }).changes === 1;
    },
    async releaseAmount(id, field, amount) {
      (field === 'captured' ? s.txReleaseCaptured : s.txReleaseRefunded).run(amount, id);
    },
    async markVoided(id, now) {
      return s.txVoid.run(now, id).changes === 1;
    },

    async getPin(id) {
      const row = s.pinGet.get(id) as Row | undefined;
      return row && toPin(row);
    },
    async listPins(mid) {
      return (s.pinsByMid.all(mid) as Row[]).map(toPin);
    },
    async updatePin(id, patch, now) {
      updatePin(id, patch, now);
    },
    async repin(id, to, audit) {
      repin(id, to, audit);
    },
    async listRepinAudit(id) {
      return ((id === undefined ? s.auditAll.all() : s.auditBySub.all(id)) as Row[]).map(toAudit);
    },

    async declineHistory(fingerprint, since) {
      return (s.declinesSince.all(fingerprint, since) as Row[]).map(toDecline);
    },
    async getOrCreateSecret(name) {
      return secret(name);
    },
    async close() {
      if (!closed) db.close();
      closed = true;
    },
  };
}
