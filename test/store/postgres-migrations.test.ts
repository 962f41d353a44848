/** PostgreSQL schema over time: advisory-locked migrations, upgrades of a version-1 schema, bad options. */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS, migratePostgres, postgresStore } from '../../src/store/postgres';
import { STORED_CARD, attemptRecord, migratedPin, pinRecord, txRecord } from './conformance';
import { describePg, testSchema } from './pg-env';

describePg('postgresStore migrations', (url) => {
  let pool: pg.Pool;
  const schemas: string[] = [];
  const fresh = (tag: string) => {
    const s = testSchema(tag);
    schemas.push(s);
    return s;
  };
  const versions = async (schema: string) =>
    (await pool.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows.map((r) => r.version);
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: url });
  });
  /** Migrate a schema as a switchyard that knew versions up to `version` would. */
  const migrateUpTo = (schema: string, version: number) =>
    migratePostgres(
      pool,
      schema,
      POSTGRES_MIGRATIONS.filter((m) => m.version <= version),
    );
  afterAll(async () => {
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pool.end();
  });

  it('migrates once when five servers start on an empty database at the same moment', async () => {
    const schema = fresh('race');
    const stores = Array.from({ length: 5 }, () => postgresStore({ connectionString: url, schema }));
    const latest = POSTGRES_MIGRATIONS.at(-1)!.version;
    expect(await Promise.all(stores.map((s) => s.ready()))).toEqual([latest, latest, latest, latest, latest]);
    expect(await versions(schema)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    await Promise.all(stores.map((s) => s.close()));
  });

  it('upgrades a schema created at version 1 and keeps its data; a pool passed in stays open', async () => {
    const schema = fresh('v1');
    expect(await migratePostgres(pool, schema, POSTGRES_MIGRATIONS.slice(0, 1))).toBe(1);
    // Rows as a version-1 switchyard wrote them.
    const tx = txRecord({ status: 'approved' as never, capturedAmount: 1999 });
    const { id, status, amount, capturedAmount, refundedAmount, ...txDoc } = tx;
    await pool.query(
      `INSERT INTO "${schema}".transactions (id, status, amount, captured_amount, refunded_amount, doc) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, status, amount, capturedAmount, refundedAmount, JSON.stringify(txDoc)],
    );
    const pin = pinRecord('sub-v1', { transactionId: id });
    const { subscriptionId, mid, status: pinStatus, ...pinDoc } = pin;
    await pool.query(`INSERT INTO "${schema}".pins (subscription_id, mid, status, doc) VALUES ($1, $2, $3, $4)`, [
      subscriptionId,
      mid,
      pinStatus,
      JSON.stringify(pinDoc),
    ]);
    await pool.query(
      `INSERT INTO "${schema}".caps (mid, cap_window, cap_key, amount, count) VALUES ('mid-a', 'monthly', '2026-11:USD', 1999, 1)`,
    );
    await pool.query(`INSERT INTO "${schema}".idempotency (key, request_hash, result, created_at) VALUES ('sale:order-1', 'h1', $1, 1)`, [
      JSON.stringify({ ok: true, value: { transactionId: id } }),
    ]);
    await expect(pool.query(`SELECT * FROM "${schema}".declines`)).rejects.toThrow(/does not exist/);

    const store = postgresStore({ pool, schema });
    expect(await store.ready()).toBe(POSTGRES_MIGRATIONS.at(-1)!.version);
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
    await store.close();
    expect(await versions(schema)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('upgrades a version-2 schema to the state machine: states renamed, a claim left in progress linked to its transaction', async () => {
    const schema = fresh('v2');
    expect(await migratePostgres(pool, schema, POSTGRES_MIGRATIONS.slice(0, 2))).toBe(2);
    const rows: Array<[string, string, number, number, number, string]> = [
      ['tx_sale', 'approved', 1000, 1000, 0, 'sale'],
      ['tx_refunded', 'approved', 1000, 1000, 1000, 'sale'],
      ['tx_part', 'approved', 1000, 1000, 300, 'rebill'],
      ['tx_auth', 'approved', 1000, 0, 0, 'authorize'],
      ['tx_verify', 'approved', 0, 0, 0, 'verify'],
      ['tx_amb', 'ambiguous', 1000, 0, 0, 'sale'],
    ];
    for (const [id, status, amount, cap, ref, operation] of rows) {
      await pool.query(
        `INSERT INTO "${schema}".transactions (id, status, amount, captured_amount, refunded_amount, doc) VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          id,
          status,
          amount,
          cap,
          ref,
          JSON.stringify({ operation, currency: 'USD', idempotencyKey: `k-${id}`, createdAt: 1, updatedAt: 1 }),
        ],
      );
    }
    await pool.query(
      `INSERT INTO "${schema}".attempts (id, transaction_id, status, started_at, doc) VALUES ('at_amb', 'tx_amb', 'ambiguous', 1, '{}')`,
    );
    await pool.query(`INSERT INTO "${schema}".idempotency (key, request_hash, result, created_at) VALUES ('sale:k-tx_amb', 'h', NULL, 1)`);
    const store = postgresStore({ pool, schema });
    const status = async (id: string) => (await store.getTransaction(id))!.status;
    expect(await status('tx_sale')).toBe('captured');
    expect(await status('tx_refunded')).toBe('refunded');
    expect(await status('tx_part')).toBe('partially_refunded');
    expect(await status('tx_auth')).toBe('authorized');
    expect(await status('tx_verify')).toBe('verified');
    expect(await status('tx_amb')).toBe('pending');
    expect((await store.listAttempts('tx_amb'))[0].status).toBe('pending');
    expect(await store.listStaleClaims(2)).toEqual([{ key: 'sale:k-tx_amb', transactionId: 'tx_amb', leaseUntil: 0 }]);
    await store.close();
  });

  it('upgrades pins to credentials per MID: a pin an older switchyard re-pinned keeps its ids on the MID that made them', async () => {
    const schema = fresh('v3pins');
    expect(await migrateUpTo(schema, 3)).toBe(3);
    const tx = txRecord({ id: 'tx_initial', status: 'captured', mid: 'nmi-old', gateway: 'nmi' });
    const { id, status, amount, capturedAmount, refundedAmount, ...txDoc } = tx;
    await pool.query(
      `INSERT INTO "${schema}".transactions (id, status, amount, captured_amount, refunded_amount, doc) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, status, amount, capturedAmount, refundedAmount, JSON.stringify(txDoc)],
    );
    const moved = pinRecord('sub-moved', { mid: 'cko-new', gateway: 'checkout', transactionId: id, gatewayToken: '7000001' });
    const lost = pinRecord('sub-lost-tx', {
      mid: 'cko-new',
      gateway: 'checkout',
      transactionId: 'tx_gone',
      networkTransactionId: undefined,
    });
    const still = pinRecord('sub-still', { transactionId: 'tx_gone2' });
    for (const p of [moved, lost, still]) {
      const { subscriptionId, mid, status: st, ...doc } = p;
      await pool.query(`INSERT INTO "${schema}".pins (subscription_id, mid, status, doc) VALUES ($1, $2, $3, $4)`, [
        subscriptionId,
        mid,
        st,
        JSON.stringify(doc),
      ]);
    }
    await pool.query(
      `INSERT INTO "${schema}".repin_audit (subscription_id, from_mid, to_mid, reason, at) VALUES ('sub-moved', 'nmi-old', 'cko-new', 'closing', 5), ('sub-lost-tx', 'auth-old', 'cko-new', 'closing', 5)`,
    );
    const store = postgresStore({ pool, schema });
    await store.ready();
    expect(await store.getPin('sub-moved')).toEqual(migratedPin(moved, { mid: 'nmi-old', gateway: 'nmi' }));
    expect(await store.getPin('sub-lost-tx')).toEqual(migratedPin(lost, { mid: 'auth-old', gateway: 'unknown' }));
    expect(await store.getPin('sub-still')).toEqual(migratedPin(still, { mid: 'mid-a', gateway: 'sandbox' }));
    await store.close();
  });

  it('splits the counters every settlement adds to in stripes: counts of version 10 kept, concurrent writers on rows of their own', async () => {
    const schema = fresh('v10counts');
    expect(await migrateUpTo(schema, 10)).toBe(10);
    const day = Math.floor(Date.UTC(2026, 10, 3) / 86_400_000);
    const at = day * 86_400_000;
    // Counts as version 10 kept them: one row per key, filled by its trigger and by apply_write.
    await pool.query(
      `INSERT INTO "${schema}".attempts (id, transaction_id, status, started_at, doc) VALUES ('at_old1', 'tx_old', 'approved', $1, $2), ('at_old2', 'tx_old', 'pending', $1, $2)`,
      [at, JSON.stringify({ mid: 'mid-a', operation: 'sale', currency: 'USD' })],
    );
    await pool.query(
      `INSERT INTO "${schema}".mid_month_counts (mid, month, metric, count, amount) VALUES ('mid-a', '2026-11', 'sales', 5, 500)`,
    );

    const store = postgresStore({ connectionString: url, schema, maxConnections: 8 });
    expect(await store.ready()).toBe(POSTGRES_MIGRATIONS.at(-1)!.version);
    const sale = { mid: 'mid-a', month: '2026-11', metric: 'sales', count: 1, amount: 10 };
    const attempts = Array.from({ length: 40 }, (_, i) => attemptRecord('tx_new', { id: `at_new${i}`, status: 'pending', startedAt: at }));
    await Promise.all(attempts.map((a) => store.write({ insertAttempt: a, monitor: { counts: [sale] } })));
    await Promise.all(attempts.map((a) => store.write({ attempt: { id: a.id, from: ['pending'], patch: { status: 'approved' } } })));
    // The pending attempt of version 10 settles too: its -1 lands on another stripe than its +1.
    expect((await store.write({ attempt: { id: 'at_old2', from: ['pending'], patch: { status: 'declined' } } })).ok).toBe(true);

    expect(await store.monthCounts(['2026-11'])).toEqual([{ ...sale, count: 45, amount: 900 }]);
    const counts = [...(await store.countAttempts(day, day + 1))].sort((x, y) => (x.status < y.status ? -1 : 1));
    expect(counts).toEqual([
      { mid: 'mid-a', currency: 'USD', status: 'approved', count: 41 },
      { mid: 'mid-a', currency: 'USD', status: 'declined', count: 1 },
    ]);
    // Several connections wrote at once, so the increments went to more than one row: no writer waited on one hot row.
    const rows = async (table: string, where: string) =>
      Number((await pool.query(`SELECT count(*) AS n FROM "${schema}".${table} WHERE ${where}`)).rows[0].n);
    expect(await rows('mid_month_counts', `mid = 'mid-a' AND metric = 'sales'`)).toBeGreaterThan(1);
    expect(await rows('attempt_counts', `mid = 'mid-a' AND status = 'approved'`)).toBeGreaterThan(1);
    await store.close();
  });

  it('rolls a failing migration back entirely and leaves the version where it was', async () => {
    const schema = fresh('broken');
    await migratePostgres(pool, schema);
    const broken = [
      ...POSTGRES_MIGRATIONS,
      {
        version: 99,
        name: 'broken',
        sql: (s: string) => `CREATE TABLE ${s}.half_done (a int); INSERT INTO ${s}.no_such_table VALUES (1);`,
      },
    ];
    await expect(migratePostgres(pool, schema, broken)).rejects.toThrow(/no_such_table/);
    expect((await pool.query(`SELECT to_regclass($1) AS t`, [`"${schema}".half_done`])).rows[0].t).toBeNull();
    expect(await versions(schema)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    // The advisory lock was released: migrating again works at once.
    expect(await migratePostgres(pool, schema)).toBe(POSTGRES_MIGRATIONS.at(-1)!.version);
  });

  it('refuses a schema written by a newer switchyard, in ready() and in every call', async () => {
    const schema = fresh('future');
    await migratePostgres(pool, schema);
    await pool.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (99, 'from the future')`);
    const store = postgresStore({ connectionString: url, schema });
    await expect(store.ready()).rejects.toThrow(/version 99, newer than this switchyard knows \(\d+\): upgrade switchyard/);
    await expect(store.getPin('x')).rejects.toThrow(/newer/);
    await store.close();
  });

  it('reports an unreachable server from ready()', async () => {
    const store = postgresStore({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    await expect(store.ready()).rejects.toThrow(/ECONNREFUSED|connect/);
    await store.close();
  });

  it('names bad options', () => {
    expect(() => postgresStore({ connectionString: url, schema: 'bad-name; DROP TABLE x' })).toThrow(/schema/);
    expect(() => postgresStore({} as never)).toThrow(/connectionString/);
  });
});
