/**
 * `postgresStore({ connectionString | pool, schema? })`: state shared by several checkout
 * servers. Every check-and-update is one SQL statement or one SQL transaction (cap reservations
 * are conditional upserts, idempotency keys are unique by primary key, a commit is one
 * transaction), so counters, pins and keys stay correct however many servers share the database.
 * Migrations run on creation under an advisory lock. pg is an optional peer dependency, loaded
 * only when this store is created.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { applyWriteFunction, POSTGRES_MIGRATIONS, type PgMigration } from './migrations/postgres';
import { loadOptional } from './optional';
import { ATTEMPT_COLUMNS, DECLINE_HISTORY_MS, PIN_COLUMNS, TRANSACTION_COLUMNS, splitPatch, splitRecord } from './records';
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
  NotificationRecord,
  PaymentLinkRecord,
  PinRecord,
  RepinAuditRecord,
  StaleClaim,
  Store,
  StoredResult,
  StoreWrite,
  TransactionRecord,
  WriteResult,
} from './types';

export { POSTGRES_MIGRATIONS } from './migrations/postgres';
export type { PgMigration } from './migrations/postgres';

/** What a query answers, as the store reads it (`pg`'s `QueryResult` fits). */
export interface PostgresQueryResult {
  rows: any[];
  rowCount: number | null;
}

/** A connection borrowed from a pool (`pg`'s `PoolClient` fits). */
export interface PostgresPoolClient {
  /** Run one statement with `$1`-style parameters. */
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  /** Return the connection; `true` or an error destroys it instead. */
  release(destroy?: boolean | Error): void;
}

/**
 * The part of a `pg.Pool` the store uses. A `pg.Pool` fits; the store's types name this shape
 * rather than `pg`'s, so an SQLite user needs no `@types/pg`.
 */
export interface PostgresPool {
  /** Run one statement on any connection of the pool. */
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  /** Borrow a connection (for a transaction); give it back with `release()`. */
  connect(): Promise<PostgresPoolClient>;
  /** Close every connection. The store calls it only on a pool it created itself. */
  end(): Promise<void>;
  /** True once `end()` was called. */
  readonly ended?: boolean;
}

/** Options of `postgresStore`: a connection string (the store owns its pool) or your own `pg.Pool`. */
export type PostgresStoreOptions = (
  | { connectionString: string; pool?: undefined }
  | { pool: PostgresPool; connectionString?: undefined }
) & {
  /** Schema holding the tables, created if missing. Default `'switchyard'`. */
  schema?: string | undefined;
  /** Pool size when the store creates the pool from `connectionString`. Default 10. */
  maxConnections?: number | undefined;
};

/** The PostgreSQL store: a `Store` plus a way to wait for its migrations. */
export interface PostgresStore extends Store {
  /**
   * Resolves with the schema version once migrations have run (they start when the store is
   * created; every method waits for them). Rejects if they failed.
   */
  ready(): Promise<number>;
}

type Row = Record<string, unknown>;

/** Quote a schema name after checking it is a plain identifier. */
function schemaIdent(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new TypeError(`postgresStore: schema: "${schema}" is not a plain identifier (letters, digits, _; at most 63)`);
  }
  return `"${schema}"`;
}

/** A 64-bit advisory lock key for migrating one schema (as a string, for a bigint parameter). */
function migrationLockKey(schema: string): string {
  return createHash('sha256').update(`switchyard:migrate:${schema}`).digest().readBigInt64BE(0).toString();
}

/**
 * Apply the migrations a schema does not have yet (any version it has not recorded, even one below
 * its latest), each in its own transaction, while holding an advisory lock so that servers
 * starting together migrate once. Returns the schema version. Throws when the schema is newer
 * than `migrations`.
 */
export async function migratePostgres(
  pool: PostgresPool,
  schema = 'switchyard',
  migrations: readonly PgMigration[] = POSTGRES_MIGRATIONS,
): Promise<number> {
  const s = schemaIdent(schema);
  const key = migrationLockKey(schema);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const current = async () =>
        Number((await client.query(`SELECT coalesce(max(version), 0) AS v FROM ${s}.schema_migrations`)).rows[0].v);
      const latest = migrations.at(-1)?.version ?? 0;
      const version = await current();
      if (version > latest)
        throw new Error(`schema ${schema} is version ${version}, newer than this switchyard knows (${latest}): upgrade switchyard`);
      // By version, not by the highest: branches number their migrations apart and land in any order.
      const applied = new Set(
        (await client.query(`SELECT version FROM ${s}.schema_migrations`)).rows.map((r: { version: number }) => Number(r.version)),
      );
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql(s));
          await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        }
      }
      if (migrations === POSTGRES_MIGRATIONS) await installWriteFunction(client, s);
      return await current();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch((e: Error) => {
        broken = e;
      });
    }
  } finally {
    client.release(broken);
  }
}

/** Install `apply_write` when the installed definition is not this one (its comment holds a hash of the source). */
async function installWriteFunction(client: PostgresPoolClient, s: string): Promise<void> {
  const source = applyWriteFunction(s);
  const tag = `switchyard:${createHash('sha256').update(source).digest('hex').slice(0, 16)}`;
  const { rows } = await client.query(`SELECT obj_description(to_regprocedure($1), 'pg_proc') AS tag`, [`${s}.apply_write(jsonb)`]);
  if (rows[0]?.tag === tag) return;
  await client.query(source);
  await client.query(`COMMENT ON FUNCTION ${s}.apply_write(jsonb) IS '${tag}'`);
}

/**
 * A Store in PostgreSQL (pg).
 * @example
 * import { createRouter, postgresStore } from 'switchyard';
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL! });
 * await store.ready(); // optional: fail fast on a bad connection string
 * const router = createRouter({ merchantAccounts, profiles, store });
 * @throws MissingDependencyError when pg is not installed.
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  if (!options || (typeof options.connectionString !== 'string' && !options.pool)) {
    throw new TypeError('postgresStore: connectionString: is required (or pass pool: a pg.Pool)');
  }
  const schema = options.schema ?? 'switchyard';
  const s = schemaIdent(schema);
  const pg = loadOptional<typeof import('pg')>('pg', 'postgresStore');
  const ownPool = !options.pool;
  let pool: PostgresPool;
  if (options.pool) pool = options.pool;
  else {
    const own = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
    // An idle connection the server dropped: the pool replaces it; the next query reports real problems.
    own.on('error', () => undefined);
    pool = own;
  }

  const migrated = migratePostgres(pool, schema);
  migrated.catch(() => undefined); // reported by every method and by ready()
  const query = async (text: string, values?: unknown[]) => {
    await migrated;
    return pool.query(text, values);
  };

  const toTx = (r: Row): TransactionRecord =>
    ({
      ...(r.doc as object),
      id: r.id,
      status: r.status,
      amount: Number(r.amount),
      capturedAmount: Number(r.captured_amount),
      refundedAmount: Number(r.refunded_amount),
    }) as TransactionRecord;
  const toAttempt = (r: Row): AttemptRecord =>
    ({
      ...(r.doc as object),
      id: r.id,
      transactionId: r.transaction_id,
      status: r.status,
      startedAt: Number(r.started_at),
    }) as AttemptRecord;
  const toPin = (r: Row): PinRecord =>
    ({ ...(r.doc as object), subscriptionId: r.subscription_id, mid: r.mid, status: r.status }) as PinRecord;
  const toAudit = (r: Row): RepinAuditRecord => ({
    subscriptionId: r.subscription_id as string,
    fromMid: r.from_mid as string,
    toMid: r.to_mid as string,
    reason: r.reason as string,
    at: Number(r.at),
  });
  const toNote = (r: Row): NotificationRecord => ({ ...(r.doc as object), id: r.id, mid: r.mid, status: r.status }) as NotificationRecord;
  const toDispute = (r: Row): DisputeRecord =>
    ({
      ...(r.doc as object),
      id: r.id,
      mid: r.mid,
      status: r.status,
      openedAt: Number(r.opened_at),
      revision: Number(r.revision),
    }) as DisputeRecord;
  const toEntry = (r: Row): MonitorEntry =>
    ({ ...(r.doc as object), id: r.id, kind: r.kind, mid: r.mid, month: r.month, at: Number(r.at) }) as MonitorEntry;
  const toDecline = (r: Row): DeclineRecord => ({ ...(r.doc as object), fingerprint: r.fingerprint, at: Number(r.at) }) as DeclineRecord;
  const claimOf = (c: Row): IdempotencyClaim =>
    c.result === null || c.result === undefined
      ? {
          status: 'in_progress',
          requestHash: c.requestHash as string,
          transactionId: (c.transactionId as string | null) ?? undefined,
          leaseUntil: Number(c.leaseUntil),
        }
      : {
          status: 'completed',
          requestHash: c.requestHash as string,
          result: c.result as StoredResult,
          transactionId: (c.transactionId as string | null) ?? undefined,
        };
  // jsonb (like text) cannot hold U+0000, which a broken gateway answer can carry into a message:
  // drop it rather than fail the write that records the outcome.
  const json = (v: unknown) => {
    const text = JSON.stringify(v);
    return text.includes('\\u0000')
      ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.includes('\u0000') ? x.replaceAll('\u0000', '') : x))
      : text;
  };

  /** Lay a write out as `apply_write` reads it: column fields apart, documents whole, patches split. */
  function layout(w: StoreWrite): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (w.claim) out.claim = w.claim;
    if (w.insertTransaction) {
      const { cols, doc } = splitRecord(w.insertTransaction, TRANSACTION_COLUMNS);
      out.insertTransaction = { ...cols, doc };
    }
    if (w.transaction) {
      const { cols, set, unset } = splitPatch(w.transaction.patch, TRANSACTION_COLUMNS);
      out.transaction = {
        id: w.transaction.id,
        from: w.transaction.from,
        ...cols,
        set,
        unset,
        addCaptured: w.transaction.add?.captured,
        addRefunded: w.transaction.add?.refunded,
        refundStatus: w.transaction.refundStatus,
        unrefunded: w.transaction.unrefunded,
      };
    }
    if (w.insertAttempt) {
      const { cols, doc } = splitRecord(w.insertAttempt, ATTEMPT_COLUMNS);
      out.insertAttempt = { ...cols, doc };
    }
    if (w.attempt) {
      const { cols, set, unset } = splitPatch(w.attempt.patch, ATTEMPT_COLUMNS);
      out.attempt = { id: w.attempt.id, from: w.attempt.from, status: cols.status, set, unset };
    }
    // Counters in one global order, so two servers reserving the same counters cannot deadlock.
    const ordered = <C extends { window: string; key: string }>(cs: readonly C[]) =>
      [...cs].sort((a, b) => (a.window + a.key < b.window + b.key ? -1 : 1));
    if (w.reserveCap?.counters.length) out.reserveCap = { ...w.reserveCap, counters: ordered(w.reserveCap.counters) };
    if (w.releaseCap?.counters.length) out.releaseCap = { ...w.releaseCap, counters: ordered(w.releaseCap.counters) };
    if (w.createPin) {
      const { cols, doc } = splitRecord(w.createPin, PIN_COLUMNS);
      out.createPin = { ...cols, doc };
    }
    if (w.updatePin) {
      const { cols, set, unset } = splitPatch({ ...w.updatePin.patch, updatedAt: w.updatePin.now }, PIN_COLUMNS);
      out.updatePin = { subscriptionId: w.updatePin.subscriptionId, ...cols, set, unset, expectMid: w.updatePin.expectMid };
    }
    if (w.repinAudit) out.repinAudit = w.repinAudit;
    if (w.decline) {
      const { fingerprint, at, ...doc } = w.decline;
      out.decline = { fingerprint, at, pruneBefore: at - DECLINE_HISTORY_MS, doc };
    }
    if (w.complete) out.complete = w.complete;
    if (w.release) out.release = w.release;
    if (w.pinCredential) out.pinCredential = w.pinCredential;
    if (w.notification) {
      const { id, mid, status, ...doc } = w.notification.record;
      out.notification = { id, mid, status, receivedAt: doc.receivedAt, doc, ...(w.notification.from && { from: w.notification.from }) };
    }
    if (w.dispute) {
      const { id, mid, status, openedAt, revision, ...doc } = w.dispute;
      out.dispute = { id, mid, status, openedAt, revision, transactionId: doc.transactionId, doc };
    }
    if (w.link) {
      const { invoiceId, revision, status, ...doc } = w.link.record;
      out.link = { invoiceId, revision, status, doc, expectRevision: w.link.expectRevision };
    }
    if (w.countAttempt) {
      const counters = [...w.countAttempt.counters].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      out.countAttempt = { now: w.countAttempt.now, counters };
    }
    if (w.approvalOutcome?.segments.length) {
      const o = w.approvalOutcome;
      out.approvalOutcome = {
        mid: o.mid,
        // One global order, as for caps: two servers counting the same segments cannot deadlock.
        segments: [...new Set(o.segments)].sort(),
        approved: o.approved ? 1 : 0,
        at: o.at,
        keep: 1 - 1 / o.window.outcomes,
        maxAgeMs: o.window.maxAgeMs,
      };
    }
    if (w.monitor && (w.monitor.entry || w.monitor.counts?.length)) {
      const key = (c: MonthCount) => `${c.mid}\u0000${c.month}\u0000${c.metric}`;
      const counts = [...(w.monitor.counts ?? [])].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      const entry = w.monitor.entry && (({ id, kind, mid, month, at, ...doc }) => ({ id, kind, mid, month, at, doc }))(w.monitor.entry);
      out.monitor = { ...(entry && { entry }), counts };
    }
    return out;
  }

  return {
    async ready() {
      return migrated;
    },
    async write(w): Promise<WriteResult> {
      let r: Row;
      try {
        r = (await query(`SELECT ${s}.apply_write($1::jsonb) AS r`, [json(layout(w))])).rows[0].r;
      } catch (e) {
        const err = e as { code?: string; detail?: string };
        if (err.code === 'SY409' && err.detail) return JSON.parse(err.detail) as WriteResult;
        throw e;
      }
      if (r.ok)
        return r.pinCreated === null || r.pinCreated === undefined ? { ok: true } : { ok: true, pinCreated: r.pinCreated as boolean };
      return { ok: false, conflict: 'idempotency', claim: claimOf(r.claim as Row) };
    },
    async capUsage(mid, counters): Promise<CapUsage[]> {
      const { rows } = await query(
        `SELECT cap_window, cap_key, amount, count FROM ${s}.caps
         WHERE mid = $1 AND (cap_window, cap_key) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
        [mid, counters.map((c) => c.window), counters.map((c) => c.key)],
      );
      return counters.map((c) => {
        const r = rows.find((x) => x.cap_window === c.window && x.cap_key === c.key);
        return { window: c.window, key: c.key, amount: r ? Number(r.amount) : 0, count: r ? Number(r.count) : 0 };
      });
    },
    async getTransaction(id) {
      const { rows } = await query(`SELECT * FROM ${s}.transactions WHERE id = $1`, [id]);
      return rows[0] && toTx(rows[0]);
    },
    async listAttempts(transactionId) {
      return (await query(`SELECT * FROM ${s}.attempts WHERE transaction_id = $1 ORDER BY seq`, [transactionId])).rows.map(toAttempt);
    },
    async listPendingAttempts(startedBefore) {
      return (
        await query(`SELECT * FROM ${s}.attempts WHERE status = 'pending' AND started_at < $1 ORDER BY seq`, [startedBefore])
      ).rows.map(toAttempt);
    },
    async listStaleClaims(now): Promise<StaleClaim[]> {
      const { rows } = await query(
        `SELECT key, transaction_id, lease_until FROM ${s}.idempotency WHERE result IS NULL AND lease_until < $1 ORDER BY lease_until`,
        [now],
      );
      return rows.map((r) => ({
        key: r.key as string,
        transactionId: (r.transaction_id as string | null) ?? undefined,
        leaseUntil: Number(r.lease_until),
      }));
    },
    async getClaim(key) {
      const { rows } = await query(
        `SELECT request_hash AS "requestHash", result, transaction_id AS "transactionId", lease_until AS "leaseUntil" FROM ${s}.idempotency WHERE key = $1`,
        [key],
      );
      return rows[0] && claimOf(rows[0]);
    },
    async getPin(id) {
      const { rows } = await query(`SELECT * FROM ${s}.pins WHERE subscription_id = $1`, [id]);
      return rows[0] && toPin(rows[0]);
    },
    async listPins(mid) {
      return (await query(`SELECT * FROM ${s}.pins WHERE mid = $1 ORDER BY seq`, [mid])).rows.map(toPin);
    },
    async listRepinAudit(id) {
      const { rows } =
        id === undefined
          ? await query(`SELECT * FROM ${s}.repin_audit ORDER BY seq`)
          : await query(`SELECT * FROM ${s}.repin_audit WHERE subscription_id = $1 ORDER BY seq`, [id]);
      return rows.map(toAudit);
    },
    async declineHistory(fingerprint, since) {
      return (await query(`SELECT * FROM ${s}.declines WHERE fingerprint = $1 AND at >= $2 ORDER BY seq`, [fingerprint, since])).rows.map(
        toDecline,
      );
    },
    async getOrCreateSecret(name) {
      // Two statements: a row another server inserted meanwhile is visible to the second one only.
      const ins = await query(`INSERT INTO ${s}.secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value`, [
        name,
        randomBytes(32).toString('base64url'),
      ]);
      if (ins.rows.length) return ins.rows[0].value as string;
      return (await query(`SELECT value FROM ${s}.secrets WHERE name = $1`, [name])).rows[0].value as string;
    },
    async close() {
      await migrated.catch(() => undefined);
      if (ownPool && !pool.ended) await pool.end();
    },
    async listActionAttempts(expiredBefore) {
      return (
        await query(
          `SELECT * FROM ${s}.attempts WHERE status = 'requires_action' AND coalesce((doc->>'expiresAt')::bigint, 0) <= $1
           ORDER BY coalesce((doc->>'expiresAt')::bigint, 0), seq`,
          [expiredBefore],
        )
      ).rows.map(toAttempt);
    },
    async findByGatewayReference(mid, ref) {
      if (ref.reference !== undefined) {
        const { rows } = await query(
          `SELECT a.*, to_jsonb(t) AS tx FROM ${s}.attempts a JOIN ${s}.transactions t ON t.id = a.transaction_id
           WHERE a.id = $1 AND a.doc->>'mid' = $2`,
          [ref.reference, mid],
        );
        if (rows[0]) return { transaction: toTx(rows[0].tx), attempt: toAttempt(rows[0]) };
      }
      if (ref.gatewayTransactionId === undefined) return undefined;
      const tx = await query(`SELECT * FROM ${s}.transactions WHERE doc->>'gatewayTransactionId' = $1 AND doc->>'mid' = $2 LIMIT 1`, [
        ref.gatewayTransactionId,
        mid,
      ]);
      if (tx.rows[0]) return { transaction: toTx(tx.rows[0]) };
      const { rows } = await query(
        `SELECT a.*, to_jsonb(t) AS tx FROM ${s}.attempts a JOIN ${s}.transactions t ON t.id = a.transaction_id
         WHERE a.doc->>'gatewayTransactionId' = $1 AND a.doc->>'mid' = $2 ORDER BY a.seq DESC LIMIT 1`,
        [ref.gatewayTransactionId, mid],
      );
      return rows[0] && { transaction: toTx(rows[0].tx), attempt: toAttempt(rows[0]) };
    },
    async getNotification(id) {
      const { rows } = await query(`SELECT * FROM ${s}.notifications WHERE id = $1`, [id]);
      return rows[0] && toNote(rows[0]);
    },
    async listNotifications(f) {
      const { rows } = await query(
        `SELECT * FROM ${s}.notifications WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR mid = $2) ORDER BY seq LIMIT $3`,
        [f.status ?? null, f.mid ?? null, f.limit ?? null],
      );
      return rows.map(toNote);
    },
    async getDispute(id) {
      const { rows } = await query(`SELECT * FROM ${s}.disputes WHERE id = $1`, [id]);
      return rows[0] && toDispute(rows[0]);
    },
    async listDisputes(f) {
      const { rows } = await query(
        `SELECT * FROM ${s}.disputes WHERE ($1::text IS NULL OR mid = $1) AND ($2::text IS NULL OR status = $2)
         AND ($3::text IS NULL OR transaction_id = $3) AND ($4::bigint IS NULL OR opened_at >= $4) AND ($5::bigint IS NULL OR opened_at < $5)
         ORDER BY opened_at, seq`,
        [f.mid ?? null, f.status ?? null, f.transactionId ?? null, f.from ?? null, f.to ?? null],
      );
      return rows.map(toDispute);
    },
    async listAcceptedAttempts(startedBefore) {
      return (
        await query(`SELECT * FROM ${s}.attempts WHERE status = 'accepted' AND started_at < $1 ORDER BY seq`, [startedBefore])
      ).rows.map(toAttempt);
    },
    async getLink(invoiceId) {
      const { rows } = await query(`SELECT * FROM ${s}.payment_links WHERE invoice_id = $1`, [invoiceId]);
      const r = rows[0];
      return r && ({ ...(r.doc as object), invoiceId: r.invoice_id, revision: Number(r.revision), status: r.status } as PaymentLinkRecord);
    },
    async attemptCounts(keys, now) {
      const { rows } = await query(`SELECT key, count FROM ${s}.link_attempt_counters WHERE key = ANY($1::text[]) AND window_end > $2`, [
        [...keys],
        now,
      ]);
      return keys.map((k) => Number(rows.find((r) => r.key === k)?.count ?? 0));
    },
    async approvalWindows(keys): Promise<ApprovalWindow[]> {
      if (keys.length === 0) return [];
      const { rows } = await query(
        `SELECT mid, segment, approved, total, at FROM ${s}.approval_windows
         WHERE (mid, segment) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [keys.map((k) => k.mid), keys.map((k) => k.segment)],
      );
      return rows.map((r) => ({
        mid: r.mid as string,
        segment: r.segment as string,
        approved: Number(r.approved),
        total: Number(r.total),
        at: Number(r.at),
      }));
    },
    async monthCounts(months, mids) {
      const { rows } = await query(
        `SELECT mid, month, metric, sum(count) AS count, sum(amount) AS amount FROM ${s}.mid_month_counts
         WHERE month = ANY($1::text[]) AND ($2::text[] IS NULL OR mid = ANY($2::text[]))
         GROUP BY mid, month, metric ORDER BY mid, month, metric`,
        [[...months], mids ? [...mids] : null],
      );
      return rows.map(
        (r) => ({ mid: r.mid, month: r.month, metric: r.metric, count: Number(r.count), amount: Number(r.amount) }) as MonthCount,
      );
    },
    async getMonitorEntry(id) {
      const { rows } = await query(`SELECT * FROM ${s}.monitor_entries WHERE id = $1`, [id]);
      return rows[0] && toEntry(rows[0]);
    },
    async listMonitorEntries(f) {
      const { rows } = await query(
        `SELECT * FROM ${s}.monitor_entries WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR mid = $2)
         AND ($3::text IS NULL OR month = $3) ORDER BY at, seq`,
        [f.kind ?? null, f.mid ?? null, f.month ?? null],
      );
      return rows.map(toEntry);
    },
    async findCardTransactions(q) {
      const { rows } = await query(
        `SELECT id, status, amount, captured_amount, refunded_amount, doc FROM ${s}.transactions WHERE doc->'card'->>'last4' = $1 AND doc->'card'->>'bin' = $2
         AND (doc->>'createdAt')::bigint >= $3 AND (doc->>'createdAt')::bigint < $4 ORDER BY (doc->>'createdAt')::bigint`,
        [q.last4, q.bin, q.from, q.to],
      );
      return rows.map(toTx);
    },
    async searchTransactions(search) {
      const { where, params } = searchWhere(search, PG_SEARCH);
      const { rows } = await query(
        `SELECT id, status, amount, captured_amount, refunded_amount, doc FROM ${s}.transactions ${where}
         ORDER BY search_created_at DESC, id COLLATE "C" DESC LIMIT ${Math.trunc(search.limit)}`,
        params,
      );
      return rows.map(toTx);
    },
    async countAttempts(fromDay, toDay): Promise<MidAttemptCounts[]> {
      const { rows } = await query(
        `SELECT mid, currency, status, sum(count) AS count FROM ${s}.attempt_counts
         WHERE day >= $1 AND day < $2 GROUP BY mid, currency, status HAVING sum(count) <> 0`,
        [fromDay, toDay],
      );
      return rows.map((r) => ({ mid: r.mid as string, currency: r.currency as string, status: r.status, count: Number(r.count) }));
    },
  };
}

/** PostgreSQL's way of writing a search (the planner picks indexes from statistics, so every field filters plainly). */
const PG_SEARCH = { param: (n: number) => `$${n}`, secondary: (col: string, p: string) => `${col} = ${p}`, id: 'id COLLATE "C"' };
