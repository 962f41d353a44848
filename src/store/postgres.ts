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
import { POSTGRES_MIGRATIONS, type PgMigration } from './migrations/postgres';
import { loadOptional } from './optional';
import { ATTEMPT_COLUMNS, DECLINE_HISTORY_MS, PIN_COLUMNS, TRANSACTION_COLUMNS, splitPatch, splitRecord } from './records';
import type {
  AttemptRecord,
  CapReservation,
  CapUsage,
  DeclineRecord,
  IdempotencyClaim,
  PinRecord,
  RepinAuditRecord,
  Store,
  StoreCommit,
  TransactionRecord,
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
 * Apply the migrations a schema does not have yet, each in its own transaction, while holding
 * an advisory lock so that servers starting together migrate once. Returns the schema version.
 * Throws when the schema is newer than `migrations`.
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
      for (const m of migrations) {
        if (m.version <= version) continue;
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
  /** Run `fn` in one SQL transaction; `fn` returning `false` rolls it back. */
  const inTransaction = async <R>(fn: (c: PostgresPoolClient) => Promise<R>): Promise<R> => {
    await migrated;
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const r = await fn(client);
      await client.query(r === false ? 'ROLLBACK' : 'COMMIT');
      return r;
    } catch (e) {
      await client.query('ROLLBACK').catch((err: Error) => {
        broken = err;
      });
      throw e;
    } finally {
      client.release(broken);
    }
  };

  const sql = {
    reserveCap: `INSERT INTO ${s}.caps AS c (mid, cap_window, cap_key, amount, count)
      SELECT $1::text, $2::text, $3::text, $4::bigint, 1
      WHERE ($5::bigint IS NULL OR $4::bigint <= $5::bigint) AND ($6::bigint IS NULL OR 1 <= $6::bigint)
      ON CONFLICT (mid, cap_window, cap_key) DO UPDATE SET amount = c.amount + EXCLUDED.amount, count = c.count + 1
      WHERE ($5::bigint IS NULL OR c.amount + EXCLUDED.amount <= $5::bigint) AND ($6::bigint IS NULL OR c.count + 1 <= $6::bigint)
      RETURNING 1`,
    patchAttempt: `UPDATE ${s}.attempts SET status = coalesce($2, status), doc = (doc || $3::jsonb) - $4::text[]
      WHERE id = $1 AND status = 'pending' RETURNING 1`,
    patchTransaction: `UPDATE ${s}.transactions SET status = coalesce($2, status), amount = coalesce($3::bigint, amount),
      captured_amount = coalesce($4::bigint, captured_amount), refunded_amount = coalesce($5::bigint, refunded_amount),
      doc = (doc || $6::jsonb) - $7::text[] WHERE id = $1`,
    insertPinIfAbsent: `INSERT INTO ${s}.pins (subscription_id, mid, status, doc) VALUES ($1, $2, $3, $4::jsonb)
      ON CONFLICT (subscription_id) DO NOTHING`,
    pruneDeclines: `DELETE FROM ${s}.declines WHERE fingerprint = $1 AND at <= $2`,
    insertDecline: `INSERT INTO ${s}.declines (fingerprint, at, doc) VALUES ($1, $2, $3::jsonb)`,
    completeIdempotency: `INSERT INTO ${s}.idempotency (key, request_hash, result, created_at) VALUES ($1, '', $2::jsonb, $3)
      ON CONFLICT (key) DO UPDATE SET result = EXCLUDED.result`,
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
  const toDecline = (r: Row): DeclineRecord => ({ ...(r.doc as object), fingerprint: r.fingerprint, at: Number(r.at) }) as DeclineRecord;
  // jsonb (like text) cannot hold U+0000, which a broken gateway answer can carry into a message:
  // drop it rather than fail the write that records the outcome.
  const json = (v: unknown) =>
    JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.includes('\u0000') ? x.replace(/\u0000/g, '') : x));

  const reserveOne = async (
    run: (text: string, values: unknown[]) => Promise<{ rowCount: number | null }>,
    mid: string,
    c: CapReservation,
    amount: number,
  ) => (await run(sql.reserveCap, [mid, c.window, c.key, amount, c.amountLimit ?? null, c.countLimit ?? null])).rowCount === 1;

  return {
    async ready() {
      return migrated;
    },

    async reserveCap(mid, counters, amount) {
      if (counters.length === 0) return true;
      if (counters.length === 1) return reserveOne(query, mid, counters[0], amount);
      // Several counters: one transaction, rows locked in one global order so two servers cannot deadlock.
      const ordered = [...counters].sort((a, b) => (a.window + a.key < b.window + b.key ? -1 : 1));
      return inTransaction(async (c) => {
        for (const counter of ordered) if (!(await reserveOne((t, v) => c.query(t, v), mid, counter, amount))) return false;
        return true;
      });
    },
    async releaseCap(mid, counters, amount) {
      if (!counters.length) return;
      await query(
        `UPDATE ${s}.caps c SET amount = greatest(0, c.amount - $4::bigint), count = greatest(0, c.count - 1)
         FROM unnest($2::text[], $3::text[]) AS w(win, k) WHERE c.mid = $1 AND c.cap_window = w.win AND c.cap_key = w.k`,
        [mid, counters.map((c) => c.window), counters.map((c) => c.key), amount],
      );
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

    async claimIdempotencyKey(key, requestHash, now): Promise<IdempotencyClaim> {
      // The primary key decides who claims; a record released between the two statements is claimed again.
      for (;;) {
        const ins = await query(
          `INSERT INTO ${s}.idempotency (key, request_hash, result, created_at) VALUES ($1, $2, NULL, $3) ON CONFLICT (key) DO NOTHING`,
          [key, requestHash, now],
        );
        if (ins.rowCount === 1) return { status: 'claimed' };
        const { rows } = await query(`SELECT request_hash, result FROM ${s}.idempotency WHERE key = $1`, [key]);
        if (!rows.length) continue;
        const r = rows[0];
        return r.result === null
          ? { status: 'in_progress', requestHash: r.request_hash }
          : { status: 'completed', requestHash: r.request_hash, result: r.result };
      }
    },
    async releaseIdempotencyKey(key) {
      await query(`DELETE FROM ${s}.idempotency WHERE key = $1 AND result IS NULL`, [key]);
    },

    async insertTransaction(tx) {
      const { cols: c, doc } = splitRecord(tx, TRANSACTION_COLUMNS);
      await query(
        `INSERT INTO ${s}.transactions (id, status, amount, captured_amount, refunded_amount, doc) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
        [c.id, c.status, c.amount, c.capturedAmount, c.refundedAmount, json(doc)],
      );
    },
    async getTransaction(id) {
      const { rows } = await query(`SELECT * FROM ${s}.transactions WHERE id = $1`, [id]);
      return rows[0] && toTx(rows[0]);
    },
    async insertAttempt(a) {
      const { cols: c, doc } = splitRecord(a, ATTEMPT_COLUMNS);
      await query(`INSERT INTO ${s}.attempts (id, transaction_id, status, started_at, doc) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
        c.id,
        c.transactionId,
        c.status,
        c.startedAt,
        json(doc),
      ]);
    },
    async listAttempts(transactionId) {
      return (await query(`SELECT * FROM ${s}.attempts WHERE transaction_id = $1 ORDER BY seq`, [transactionId])).rows.map(toAttempt);
    },
    async listPendingAttempts(startedBefore) {
      return (
        await query(`SELECT * FROM ${s}.attempts WHERE status = 'pending' AND started_at < $1 ORDER BY seq`, [startedBefore])
      ).rows.map(toAttempt);
    },
    async commit(changes: StoreCommit) {
      return inTransaction(async (c) => {
        if (changes.attempt) {
          const p = splitPatch(changes.attempt.patch, ATTEMPT_COLUMNS);
          const r = await c.query(sql.patchAttempt, [changes.attempt.id, p.cols.status ?? null, json(p.set), p.unset]);
          if (r.rowCount !== 1) return false;
        }
        if (changes.transaction) {
          const p = splitPatch(changes.transaction.patch, TRANSACTION_COLUMNS);
          await c.query(sql.patchTransaction, [
            changes.transaction.id,
            p.cols.status ?? null,
            p.cols.amount ?? null,
            p.cols.capturedAmount ?? null,
            p.cols.refundedAmount ?? null,
            json(p.set),
            p.unset,
          ]);
        }
        if (changes.pin) {
          const { cols, doc } = splitRecord(changes.pin, PIN_COLUMNS);
          await c.query(sql.insertPinIfAbsent, [cols.subscriptionId, cols.mid, cols.status, json(doc)]);
        }
        if (changes.decline) {
          const { fingerprint, at, ...doc } = changes.decline;
          await c.query(sql.pruneDeclines, [fingerprint, at - DECLINE_HISTORY_MS]);
          await c.query(sql.insertDecline, [fingerprint, at, json(doc)]);
        }
        if (changes.idempotency)
          await c.query(sql.completeIdempotency, [changes.idempotency.key, json(changes.idempotency.result), Date.now()]);
        return true;
      });
    },

    async reserveAmount(id, field, amount) {
      const text =
        field === 'captured'
          ? `UPDATE ${s}.transactions SET captured_amount = captured_amount + $2
           WHERE id = $1 AND status = 'approved' AND captured_amount + $2 <= amount`
          : `UPDATE ${s}.transactions SET refunded_amount = refunded_amount + $2
           WHERE id = $1 AND status = 'approved' AND refunded_amount + $2 <= captured_amount`;
      return (await query(text, [id, amount])).rowCount === 1;
    },
    async releaseAmount(id, field, amount) {
      const col = field === 'captured' ? 'captured_amount' : 'refunded_amount';
      await query(`UPDATE ${s}.transactions SET ${col} = greatest(0, ${col} - $2) WHERE id = $1`, [id, amount]);
    },
    async markVoided(id, now) {
      const r = await query(
        `UPDATE ${s}.transactions SET status = 'voided', doc = jsonb_set(doc, '{updatedAt}', to_jsonb($2::bigint))
         WHERE id = $1 AND status = 'approved' AND refunded_amount = 0`,
        [id, now],
      );
      return r.rowCount === 1;
    },

    async getPin(id) {
      const { rows } = await query(`SELECT * FROM ${s}.pins WHERE subscription_id = $1`, [id]);
      return rows[0] && toPin(rows[0]);
    },
    async listPins(mid) {
      return (await query(`SELECT * FROM ${s}.pins WHERE mid = $1 ORDER BY seq`, [mid])).rows.map(toPin);
    },
    async updatePin(id, patch, now) {
      const p = splitPatch({ ...patch, updatedAt: now }, PIN_COLUMNS);
      await query(`UPDATE ${s}.pins SET status = coalesce($2, status), doc = (doc || $3::jsonb) - $4::text[] WHERE subscription_id = $1`, [
        id,
        p.cols.status ?? null,
        json(p.set),
        p.unset,
      ]);
    },
    async repin(id, to, audit) {
      await inTransaction(async (c) => {
        const r = await c.query(`UPDATE ${s}.pins SET mid = $2, doc = doc || $3::jsonb WHERE subscription_id = $1`, [
          id,
          to.mid,
          json({ gateway: to.gateway, updatedAt: audit.at }),
        ]);
        if (r.rowCount !== 1) throw new Error(`no pin for subscription ${id}`);
        await c.query(`INSERT INTO ${s}.repin_audit (subscription_id, from_mid, to_mid, reason, at) VALUES ($1, $2, $3, $4, $5)`, [
          audit.subscriptionId,
          audit.fromMid,
          audit.toMid,
          audit.reason,
          audit.at,
        ]);
      });
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
      await query(`INSERT INTO ${s}.secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
        name,
        randomBytes(32).toString('base64url'),
      ]);
      return (await query(`SELECT value FROM ${s}.secrets WHERE name = $1`, [name])).rows[0].value as string;
    },
    async close() {
      await migrated.catch(() => undefined);
      if (ownPool && !pool.ended) await pool.end();
    },
  };
}
