/**
 * `sqliteStore({ path })`: the embedded default. One database file in WAL mode, schema created
 * and migrated on open, every check-and-update in one SQLite transaction taken with the write
 * lock (`BEGIN IMMEDIATE`), so it stays correct even if two processes open the same file.
 * better-sqlite3 is an optional peer dependency, loaded only when this store is created.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { SQLITE_MIGRATIONS, type Migration, TRANSACTION_SEARCH_COLUMNS } from './migrations/sqlite';
import { withOutcome } from './approval-window';
import { loadOptional } from './optional';
import { ATTEMPT_COLUMNS, DECLINE_HISTORY_MS, PIN_COLUMNS, TRANSACTION_COLUMNS, patchDoc, splitPatch, splitRecord } from './records';
import { searchWhere } from './search';
import type {
  ApprovalWindow,
  AttemptRecord,
  CapUsage,
  MidAttemptCounts,
  DeclineRecord,
  DisputeRecord,
  IdempotencyClaim,
  MonitorEntry,
  MonthCount,
  PinCredential,
  NotificationRecord,
  PaymentLinkRecord,
  PinRecord,
  RepinAuditRecord,
  StaleClaim,
  Store,
  StoreWrite,
  TransactionRecord,
  WriteConflict,
  WriteResult,
} from './types';
import { refundState } from '../transaction/states';

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
 * Apply the migrations a database does not have yet (any version it has not recorded, even one
 * below its latest), each in its own transaction, in order. Returns the database's schema version. Throws when the database is newer than `migrations`.
 */
export function migrateSqlite(db: Db, migrations: readonly Migration[] = SQLITE_MIGRATIONS): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = () => (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current() > latest) {
    throw new Error(`the database's schema is version ${current()}, newer than this switchyard knows (${latest}): upgrade switchyard`);
  }
  const applied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  for (const m of migrations) {
    // By version, not by the highest: branches number their migrations apart and land in any order.
    // Checked again inside the write lock: another process may have just applied it.
    db.transaction(() => {
      if (applied.get(m.version)) return;
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

const SEARCH_COLUMNS = TRANSACTION_SEARCH_COLUMNS.map(([col]) => col);
const SEARCH_PATHS = TRANSACTION_SEARCH_COLUMNS.map(([, , path]) => path.slice(2).split('.'));

/** A transaction document's search facts, in the order of `SEARCH_COLUMNS` (what the support search filters by). */
function searchFacts(doc: Record<string, unknown>): Array<string | number | null> {
  return SEARCH_PATHS.map((path) => {
    let v: unknown = doc;
    for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    return typeof v === 'string' || typeof v === 'number' ? v : null;
  });
}

/** Stored columns of a transaction and an attempt (the search columns are written from the document). */
const TX_FIELDS = 'id, status, amount, captured_amount, refunded_amount, doc';
const AT_FIELDS = 'seq, id, transaction_id, status, started_at, doc';

/** Thrown inside a write's SQL transaction to roll it back and report the failed condition. */
class Refused {
  constructor(readonly conflict: WriteConflict) {}
}

/** The Store over an open, migrated database. Statements are prepared once, here. */
function openStore(db: Db): Store {
  const q = (sql: string) => db.prepare(sql);
  const s = {
    capGet: q('SELECT amount, count FROM caps WHERE mid = ? AND cap_window = ? AND cap_key = ?'),
    capAdd: q(`INSERT INTO caps (mid, cap_window, cap_key, amount, count) VALUES (?, ?, ?, ?, 1)
               ON CONFLICT (mid, cap_window, cap_key) DO UPDATE SET amount = amount + excluded.amount, count = count + 1`),
    capRelease: q(
      'UPDATE caps SET amount = max(0, amount - ?), count = max(0, count - ?) WHERE mid = ? AND cap_window = ? AND cap_key = ?',
    ),
    idemGet: q('SELECT request_hash, result, transaction_id, lease_until FROM idempotency WHERE key = ?'),
    idemInsert: q(
      'INSERT INTO idempotency (key, request_hash, result, created_at, transaction_id, lease_until) VALUES (?, ?, NULL, ?, ?, ?)',
    ),
    idemRelease: q('DELETE FROM idempotency WHERE key = ? AND result IS NULL'),
    idemComplete: q(`INSERT INTO idempotency (key, request_hash, result, created_at, lease_until) VALUES (?, '', ?, ?, 0)
                     ON CONFLICT (key) DO UPDATE SET result = excluded.result`),
    idemStale: q('SELECT key, transaction_id, lease_until FROM idempotency WHERE result IS NULL AND lease_until < ? ORDER BY lease_until'),
    txInsert: q(
      `INSERT INTO transactions (id, status, amount, captured_amount, refunded_amount, doc, ${SEARCH_COLUMNS.join(', ')})
       VALUES (?, ?, ?, ?, ?, ?${', ?'.repeat(SEARCH_COLUMNS.length)})`,
    ),
    txGet: q(`SELECT ${TX_FIELDS} FROM transactions WHERE id = ?`),
    atInsert: q(
      'INSERT INTO attempts (id, transaction_id, status, started_at, doc, search_mid, search_operation, search_currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    atGet: q(`SELECT ${AT_FIELDS} FROM attempts WHERE id = ?`),
    atUpdate: q('UPDATE attempts SET status = ?, doc = ? WHERE id = ?'),
    atByTx: q(`SELECT ${AT_FIELDS} FROM attempts WHERE transaction_id = ? ORDER BY seq`),
    atPending: q(`SELECT ${AT_FIELDS} FROM attempts WHERE status = 'pending' AND started_at < ? ORDER BY seq`),
    atCounts: q(`SELECT mid, currency, status, sum(count) AS count FROM attempt_counts
                 WHERE day >= ? AND day < ? GROUP BY mid, currency, status HAVING sum(count) <> 0`),
    atAction: q(`SELECT ${AT_FIELDS} FROM attempts WHERE status = 'requires_action' AND coalesce(json_extract(doc, '$.expiresAt'), 0) <= ?
                 ORDER BY coalesce(json_extract(doc, '$.expiresAt'), 0), seq`),
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
    noteGet: q('SELECT * FROM notifications WHERE id = ?'),
    noteInsert: q('INSERT INTO notifications (id, mid, status, received_at, doc) VALUES (?, ?, ?, ?, ?)'),
    noteUpdate: q('UPDATE notifications SET status = ?, doc = ? WHERE id = ?'),
    notesList: q(
      `SELECT * FROM notifications WHERE (@status IS NULL OR status = @status) AND (@mid IS NULL OR mid = @mid) ORDER BY seq LIMIT @limit`,
    ),
    disputeGet: q('SELECT * FROM disputes WHERE id = ?'),
    disputeInsert: q('INSERT INTO disputes (id, mid, transaction_id, status, opened_at, revision, doc) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    disputeUpdate: q('UPDATE disputes SET transaction_id = ?, status = ?, opened_at = ?, revision = ?, doc = ? WHERE id = ?'),
    disputesList: q(`SELECT * FROM disputes WHERE (@mid IS NULL OR mid = @mid) AND (@status IS NULL OR status = @status)
                     AND (@tx IS NULL OR transaction_id = @tx) AND (@from IS NULL OR opened_at >= @from) AND (@to IS NULL OR opened_at < @to)
                     ORDER BY opened_at, seq`),
    txByGatewayId: q(`SELECT ${TX_FIELDS} FROM transactions WHERE search_gateway_id = ? AND search_mid = ? LIMIT 1`),
    atByGatewayId: q(
      `SELECT ${AT_FIELDS} FROM attempts WHERE json_extract(doc, '$.gatewayTransactionId') = ? AND json_extract(doc, '$.mid') = ? ORDER BY seq DESC LIMIT 1`,
    ),
    atAccepted: q(`SELECT ${AT_FIELDS} FROM attempts WHERE status = 'accepted' AND started_at < ? ORDER BY seq`),
    linkGet: q('SELECT * FROM payment_links WHERE invoice_id = ?'),
    linkInsert: q('INSERT INTO payment_links (invoice_id, revision, status, doc) VALUES (?, ?, ?, ?) ON CONFLICT (invoice_id) DO NOTHING'),
    linkUpdate: q('UPDATE payment_links SET revision = ?, status = ?, doc = ? WHERE invoice_id = ? AND revision = ?'),
    counterPrune: q('DELETE FROM link_attempt_counters WHERE window_end <= ?'),
    counterGet: q('SELECT count FROM link_attempt_counters WHERE key = ? AND window_end > ?'),
    counterAdd: q(`INSERT INTO link_attempt_counters (key, count, window_end) VALUES (?, 1, ?)
                   ON CONFLICT (key) DO UPDATE SET count = count + 1`),
    windowGet: q('SELECT approved, total, at FROM approval_windows WHERE mid = ? AND segment = ?'),
    windowPut: q(`INSERT INTO approval_windows (mid, segment, approved, total, at) VALUES (?, ?, ?, ?, ?)
                  ON CONFLICT (mid, segment) DO UPDATE SET approved = excluded.approved, total = excluded.total, at = excluded.at`),
    entryInsert: q('INSERT INTO monitor_entries (id, kind, mid, month, at, doc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING'),
    entryGet: q('SELECT * FROM monitor_entries WHERE id = ?'),
    entriesList: q(`SELECT * FROM monitor_entries WHERE (@kind IS NULL OR kind = @kind) AND (@mid IS NULL OR mid = @mid)
                    AND (@month IS NULL OR month = @month) ORDER BY at, seq`),
    monthAdd: q(`INSERT INTO mid_month_counts (mid, month, metric, count, amount) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (mid, month, metric) DO UPDATE SET count = count + excluded.count, amount = amount + excluded.amount`),
    monthCounts: q('SELECT * FROM mid_month_counts WHERE month IN (SELECT value FROM json_each(?)) ORDER BY mid, month, metric'),
    txByCard: q(`SELECT ${TX_FIELDS} FROM transactions WHERE search_last4 = ? AND search_bin = ?
                 AND search_created_at >= ? AND search_created_at < ? ORDER BY search_created_at, id`),
  };

  // One prepared statement per set of changed search columns (a settlement changes status, MID and gateway id).
  const txUpdates = new Map<string, BetterSqlite3.Statement>();
  const txUpdate = (changed: readonly string[]) => {
    const key = changed.join(',');
    let st = txUpdates.get(key);
    if (!st) {
      const set = ['status', 'amount', 'captured_amount', 'refunded_amount', 'doc', ...changed].map((c) => `${c} = ?`).join(', ');
      // search_rev tells the rolling-upgrade trigger (version 12) that this writer kept the facts itself.
      st = q(`UPDATE transactions SET ${set}, search_rev = search_rev + 1 WHERE id = ?`);
      txUpdates.set(key, st);
    }
    return st;
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
    ({ ...parse(r.doc), id: r.id, transactionId: r.transaction_id, status: r.status, startedAt: r.started_at }) as AttemptRecord;
  const toPin = (r: Row): PinRecord => ({ ...parse(r.doc), subscriptionId: r.subscription_id, mid: r.mid, status: r.status }) as PinRecord;
  const toAudit = (r: Row): RepinAuditRecord => ({
    subscriptionId: r.subscription_id as string,
    fromMid: r.from_mid as string,
    toMid: r.to_mid as string,
    reason: r.reason as string,
    at: r.at as number,
  });
  const toLink = (r: Row): PaymentLinkRecord =>
    ({ ...parse(r.doc), invoiceId: r.invoice_id, revision: r.revision, status: r.status }) as PaymentLinkRecord;
  const toEntry = (r: Row): MonitorEntry =>
    ({ ...parse(r.doc), id: r.id, kind: r.kind, mid: r.mid, month: r.month, at: r.at }) as MonitorEntry;
  const toDecline = (r: Row): DeclineRecord => ({ ...parse(r.doc), fingerprint: r.fingerprint, at: r.at }) as DeclineRecord;
  const toClaim = (r: Row): IdempotencyClaim =>
    r.result === null
      ? {
          status: 'in_progress',
          requestHash: r.request_hash as string,
          transactionId: (r.transaction_id as string | null) ?? undefined,
          leaseUntil: r.lease_until as number,
        }
      : {
          status: 'completed',
          requestHash: r.request_hash as string,
          result: JSON.parse(r.result as string),
          transactionId: (r.transaction_id as string | null) ?? undefined,
        };
  const toNote = (r: Row): NotificationRecord => ({ ...parse(r.doc), id: r.id, mid: r.mid, status: r.status }) as NotificationRecord;
  const toDispute = (r: Row): DisputeRecord =>
    ({ ...parse(r.doc), id: r.id, mid: r.mid, status: r.status, openedAt: r.opened_at, revision: r.revision }) as DisputeRecord;
  const refuse = (c: WriteConflict): never => {
    throw new Refused(c);
  };

  /** One write, in one transaction holding the write lock from its start; a refused condition rolls it all back. */
  const applyWrite = db.transaction((w: StoreWrite): WriteResult => {
    if (w.claim) {
      const row = s.idemGet.get(w.claim.key) as Row | undefined;
      if (row) refuse({ ok: false, conflict: 'idempotency', claim: toClaim(row) });
      s.idemInsert.run(w.claim.key, w.claim.requestHash, w.claim.now, w.claim.transactionId, w.claim.leaseUntil);
    }
    if (w.insertTransaction) {
      const { cols, doc } = splitRecord(w.insertTransaction, TRANSACTION_COLUMNS);
      s.txInsert.run(cols.id, cols.status, cols.amount, cols.capturedAmount, cols.refundedAmount, json(doc), ...searchFacts(doc));
    }
    // The attempt first: a settlement that lost a race reports it as such.
    if (w.attempt) {
      const row = s.atGet.get(w.attempt.id) as Row | undefined;
      if (!row || !w.attempt.from.includes(row.status as never))
        refuse({ ok: false, conflict: 'state', on: 'attempt', status: row?.status as string });
      const { cols, set, unset } = splitPatch(w.attempt.patch, ATTEMPT_COLUMNS);
      s.atUpdate.run(cols.status ?? row!.status, json(patchDoc(parse(row!.doc), set, unset)), w.attempt.id);
    }
    if (w.transaction) {
      const t = w.transaction;
      const row = s.txGet.get(t.id) as Row | undefined;
      if (!row || !t.from.includes(row.status as never))
        refuse({ ok: false, conflict: 'state', on: 'transaction', status: row?.status as string });
      const { cols, set, unset } = splitPatch(t.patch, TRANSACTION_COLUMNS);
      const amount = (cols.amount ?? row!.amount) as number;
      const addC = t.add?.captured ?? 0;
      const addR = t.add?.refunded ?? 0;
      const captured = Math.max(0, (row!.captured_amount as number) + addC);
      const refunded = Math.max(0, (row!.refunded_amount as number) + addR);
      if ((addC > 0 && captured > amount) || (addR > 0 && refunded > captured) || (t.unrefunded && (row!.refunded_amount as number) > 0)) {
        refuse({ ok: false, conflict: 'amount' });
      }
      const status = t.refundStatus ? refundState(captured, refunded) : (cols.status ?? row!.status);
      const before = parse(row!.doc);
      const after = patchDoc(before, set, unset);
      // Only the search facts that changed are written, so only their indexes are updated.
      const was = searchFacts(before);
      const now = searchFacts(after);
      const changed = SEARCH_COLUMNS.filter((_, i) => now[i] !== was[i]);
      txUpdate(changed).run(status, amount, captured, refunded, json(after), ...now.filter((v, i) => v !== was[i]), t.id);
    }
    if (w.insertAttempt) {
      const { cols, doc } = splitRecord(w.insertAttempt, ATTEMPT_COLUMNS);
      s.atInsert.run(cols.id, cols.transactionId, cols.status, cols.startedAt, json(doc), doc.mid, doc.operation, doc.currency);
    }
    if (w.reserveCap) {
      const { mid, counters, amount } = w.reserveCap;
      for (const c of counters) {
        const u = (s.capGet.get(mid, c.window, c.key) as { amount: number; count: number } | undefined) ?? { amount: 0, count: 0 };
        if (
          (c.amountLimit !== undefined && u.amount + amount > c.amountLimit) ||
          (c.countLimit !== undefined && u.count + 1 > c.countLimit)
        ) {
          refuse({ ok: false, conflict: 'cap' });
        }
      }
      for (const c of counters) s.capAdd.run(mid, c.window, c.key, amount);
    }
    if (w.releaseCap) {
      const { mid, counters, amount, count } = w.releaseCap;
      for (const c of counters) s.capRelease.run(amount, count, mid, c.window, c.key);
    }
    let pinCreated: boolean | undefined;
    if (w.createPin) {
      const { cols, doc } = splitRecord(w.createPin, PIN_COLUMNS);
      pinCreated = s.pinInsertIfAbsent.run(cols.subscriptionId, cols.mid, cols.status, json(doc)).changes === 1;
    }
    if (w.updatePin) {
      const row = s.pinGet.get(w.updatePin.subscriptionId) as Row | undefined;
      if (!row || (w.updatePin.expectMid !== undefined && row.mid !== w.updatePin.expectMid))
        refuse({ ok: false, conflict: 'state', on: 'pin' });
      const { cols, set, unset } = splitPatch({ ...w.updatePin.patch, updatedAt: w.updatePin.now }, PIN_COLUMNS);
      s.pinUpdate.run(cols.mid ?? row!.mid, cols.status ?? row!.status, json(patchDoc(parse(row!.doc), set, unset)), row!.subscription_id);
    }
    if (w.repinAudit) {
      const a = w.repinAudit;
      s.auditInsert.run(a.subscriptionId, a.fromMid, a.toMid, a.reason, a.at);
    }
    if (w.decline) {
      const { fingerprint, at, ...doc } = w.decline;
      s.declinePrune.run(fingerprint, at - DECLINE_HISTORY_MS);
      s.declineInsert.run(fingerprint, at, json(doc));
    }
    if (w.complete) s.idemComplete.run(w.complete.key, json(w.complete.result), Date.now());
    if (w.release) s.idemRelease.run(w.release.key);
    if (w.pinCredential) {
      const { subscriptionId, credential, now, vaultReference } = w.pinCredential;
      const row = s.pinGet.get(subscriptionId) as Row | undefined;
      if (row) {
        const doc = parse(row.doc);
        const kept = ((doc.credentials as PinCredential[] | undefined) ?? []).filter((c) => c.mid !== credential.mid);
        const next = {
          ...doc,
          credentials: [...kept, credential],
          ...(vaultReference !== undefined && { vaultReference }),
          updatedAt: now,
        };
        s.pinUpdate.run(row.mid, row.status, json(next), subscriptionId);
      }
    }
    if (w.notification) {
      const { record, from } = w.notification;
      const row = s.noteGet.get(record.id) as Row | undefined;
      if (from ? !row || !from.includes(row.status as never) : row)
        refuse({ ok: false, conflict: 'notification', status: row?.status as string });
      const { id, mid, status, ...doc } = record;
      if (row) s.noteUpdate.run(status, json(doc), id);
      else s.noteInsert.run(id, mid, status, record.receivedAt, json(doc));
    }
    if (w.dispute) {
      const d = w.dispute;
      const row = s.disputeGet.get(d.id) as Row | undefined;
      if (((row?.revision as number | undefined) ?? 0) !== d.revision - 1) refuse({ ok: false, conflict: 'dispute' });
      const { id, mid, status, openedAt, revision, ...doc } = d;
      if (row) s.disputeUpdate.run(d.transactionId ?? null, status, openedAt, revision, json(doc), id);
      else s.disputeInsert.run(id, mid, d.transactionId ?? null, status, openedAt, revision, json(doc));
    }
    if (w.link) {
      const { invoiceId, revision, status, ...doc } = w.link.record;
      const changed =
        w.link.expectRevision === 0
          ? s.linkInsert.run(invoiceId, revision, status, json(doc)).changes
          : s.linkUpdate.run(revision, status, json(doc), invoiceId, w.link.expectRevision).changes;
      if (changed !== 1) {
        const row = s.linkGet.get(invoiceId) as Row | undefined;
        refuse({ ok: false, conflict: 'state', on: 'link', status: row?.status as string });
      }
    }
    if (w.countAttempt) {
      const { now, counters } = w.countAttempt;
      s.counterPrune.run(now);
      for (const c of counters) {
        const n = (s.counterGet.get(c.key, now) as { count: number } | undefined)?.count ?? 0;
        if (n + 1 > c.limit) refuse({ ok: false, conflict: 'rate' });
        s.counterAdd.run(c.key, c.windowEnd);
      }
    }
    if (w.approvalOutcome) {
      // Read and rewrite inside this transaction, which holds the write lock: atomic across processes.
      const o = w.approvalOutcome;
      for (const seg of o.segments) {
        const prev = s.windowGet.get(o.mid, seg) as { approved: number; total: number; at: number } | undefined;
        const next = withOutcome(prev, o.approved, o.at, o.window);
        s.windowPut.run(o.mid, seg, next.approved, next.total, next.at);
      }
    }
    if (w.monitor?.entry) {
      const { id, kind, mid, month, at, ...doc } = w.monitor.entry;
      if (s.entryInsert.run(id, kind, mid, month, at, json(doc)).changes !== 1) refuse({ ok: false, conflict: 'monitor' });
    }
    for (const c of w.monitor?.counts ?? []) s.monthAdd.run(c.mid, c.month, c.metric, c.count, c.amount);
    return pinCreated === undefined ? { ok: true } : { ok: true, pinCreated };
  });
  const secret = db.transaction((name: string): string => {
    const row = s.secretGet.get(name) as { value: string } | undefined;
    if (row) return row.value;
    s.secretInsert.run(name, randomBytes(32).toString('base64url'));
    return (s.secretGet.get(name) as { value: string }).value;
  });
  let closed = false;
  // One prepared statement per combination of search fields (a few dozen at most in practice).
  const searches = new Map<string, BetterSqlite3.Statement>();
  const dialect = { param: () => '?', secondary: (col: string, p: string) => `+${col} = ${p}`, id: 'id' };

  return {
    async write(w) {
      try {
        return applyWrite.immediate(w);
      } catch (e) {
        if (e instanceof Refused) return e.conflict;
        throw e;
      }
    },
    async capUsage(mid, counters): Promise<CapUsage[]> {
      return counters.map((c) => ({
        window: c.window,
        key: c.key,
        ...((s.capGet.get(mid, c.window, c.key) as { amount: number; count: number } | undefined) ?? { amount: 0, count: 0 }),
      }));
    },
    async getTransaction(id) {
      const row = s.txGet.get(id) as Row | undefined;
      return row && toTx(row);
    },
    async listAttempts(transactionId) {
      return (s.atByTx.all(transactionId) as Row[]).map(toAttempt);
    },
    async listPendingAttempts(startedBefore) {
      return (s.atPending.all(startedBefore) as Row[]).map(toAttempt);
    },
    async listStaleClaims(now): Promise<StaleClaim[]> {
      return (s.idemStale.all(now) as Row[]).map((r) => ({
        key: r.key as string,
        transactionId: (r.transaction_id as string | null) ?? undefined,
        leaseUntil: r.lease_until as number,
      }));
    },
    async getClaim(key) {
      const row = s.idemGet.get(key) as Row | undefined;
      return row && toClaim(row);
    },
    async getPin(id) {
      const row = s.pinGet.get(id) as Row | undefined;
      return row && toPin(row);
    },
    async listPins(mid) {
      return (s.pinsByMid.all(mid) as Row[]).map(toPin);
    },
    async listRepinAudit(id) {
      return ((id === undefined ? s.auditAll.all() : s.auditBySub.all(id)) as Row[]).map(toAudit);
    },
    async declineHistory(fingerprint, since) {
      return (s.declinesSince.all(fingerprint, since) as Row[]).map(toDecline);
    },
    async getOrCreateSecret(name) {
      return secret.immediate(name);
    },
    async close() {
      if (!closed) db.close();
      closed = true;
    },
    async listActionAttempts(expiredBefore) {
      return (s.atAction.all(expiredBefore) as Row[]).map(toAttempt);
    },
    async findByGatewayReference(mid, ref) {
      const byId = ref.reference === undefined ? undefined : (s.atGet.get(ref.reference) as Row | undefined);
      const attempt = byId && toAttempt(byId);
      if (attempt && attempt.mid === mid) {
        const tx = s.txGet.get(attempt.transactionId) as Row | undefined;
        return tx && { transaction: toTx(tx), attempt };
      }
      if (ref.gatewayTransactionId === undefined) return undefined;
      const tx = s.txByGatewayId.get(ref.gatewayTransactionId, mid) as Row | undefined;
      if (tx) return { transaction: toTx(tx) };
      const at = s.atByGatewayId.get(ref.gatewayTransactionId, mid) as Row | undefined;
      const owner = at && (s.txGet.get(at.transaction_id) as Row | undefined);
      return owner && { transaction: toTx(owner), attempt: toAttempt(at!) };
    },
    async getNotification(id) {
      const row = s.noteGet.get(id) as Row | undefined;
      return row && toNote(row);
    },
    async listNotifications(f) {
      return (s.notesList.all({ status: f.status ?? null, mid: f.mid ?? null, limit: f.limit ?? -1 }) as Row[]).map(toNote);
    },
    async getDispute(id) {
      const row = s.disputeGet.get(id) as Row | undefined;
      return row && toDispute(row);
    },
    async listDisputes(f) {
      const params = { mid: f.mid ?? null, status: f.status ?? null, tx: f.transactionId ?? null, from: f.from ?? null, to: f.to ?? null };
      return (s.disputesList.all(params) as Row[]).map(toDispute);
    },
    async listAcceptedAttempts(startedBefore) {
      return (s.atAccepted.all(startedBefore) as Row[]).map(toAttempt);
    },
    async getLink(invoiceId) {
      const row = s.linkGet.get(invoiceId) as Row | undefined;
      return row && toLink(row);
    },
    async attemptCounts(keys, now) {
      return keys.map((k) => (s.counterGet.get(k, now) as { count: number } | undefined)?.count ?? 0);
    },
    async approvalWindows(keys): Promise<ApprovalWindow[]> {
      const out: ApprovalWindow[] = [];
      for (const { mid, segment } of keys) {
        const r = s.windowGet.get(mid, segment) as { approved: number; total: number; at: number } | undefined;
        if (r) out.push({ mid, segment, approved: r.approved, total: r.total, at: r.at });
      }
      return out;
    },
    async monthCounts(months, mids) {
      return (s.monthCounts.all(JSON.stringify(months)) as Row[])
        .filter((r) => !mids || mids.includes(r.mid as string))
        .map((r) => ({ mid: r.mid, month: r.month, metric: r.metric, count: r.count, amount: r.amount }) as MonthCount);
    },
    async getMonitorEntry(id) {
      const row = s.entryGet.get(id) as Row | undefined;
      return row && toEntry(row);
    },
    async listMonitorEntries(f) {
      return (s.entriesList.all({ kind: f.kind ?? null, mid: f.mid ?? null, month: f.month ?? null }) as Row[]).map(toEntry);
    },
    async findCardTransactions(q) {
      return (s.txByCard.all(q.last4, q.bin, q.from, q.to) as Row[]).map(toTx);
    },
    async searchTransactions(search) {
      const { where, params } = searchWhere(search, dialect);
      const sql = `SELECT ${TX_FIELDS} FROM transactions ${where} ORDER BY search_created_at DESC, id DESC LIMIT ?`;
      let st = searches.get(sql);
      if (!st) searches.set(sql, (st = db.prepare(sql)));
      return (st.all(...params, search.limit) as Row[]).map(toTx);
    },
    async countAttempts(fromDay, toDay): Promise<MidAttemptCounts[]> {
      return s.atCounts.all(fromDay, toDay) as MidAttemptCounts[];
    },
  };
}
