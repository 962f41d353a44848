/** PostgreSQL schema over time: advisory-locked migrations, upgrades of a version-1 schema, bad options. */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS, migratePostgres, postgresStore } from '../../src/store/postgres';
import { STORED_CARD, pinRecord, txRecord } from './conformance';
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
  afterAll(async () => {
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pool.end();
  });

  it('migrates once when five servers start on an empty database at the same moment', async () => {
    const schema = fresh('race');
    const stores = Array.from({ length: 5 }, () => postgresStore({ connectionString: url, schema }));
    expect(await Promise.all(stores.map((s) => s.ready()))).toEqual([2, 2, 2, 2, 2]);
    expect(await versions(schema)).toEqual([1, 2]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('upgrades a schema created at version 1 and keeps its data; a pool passed in stays open', async () => {
    const schema = fresh('v1');
    expect(await migratePostgres(pool, schema, POSTGRES_MIGRATIONS.slice(0, 1))).toBe(1);
    // Rows as a version-1 switchyard wrote them.
    const tx = txRecord({ status: 'approved', capturedAmount: 1999 });
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
    expect(await store.ready()).toBe(2);
    expect(await store.getTransaction(id)).toEqual(tx);
    expect(await store.getPin('sub-v1')).toEqual(pin);
    expect(await store.reserveCap('mid-a', [{ window: 'monthly', key: '2026-11:USD', amountLimit: 2_000 }], 2)).toBe(false);
    expect(await store.claimIdempotencyKey('sale:order-1', 'h1', 2)).toEqual({
      status: 'completed',
      requestHash: 'h1',
      result: { ok: true, value: { transactionId: id } },
    });
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
    await store.close();
    expect(await versions(schema)).toEqual([1, 2]);
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('rolls a failing migration back entirely and leaves the version where it was', async () => {
    const schema = fresh('broken');
    await migratePostgres(pool, schema);
    const broken = [
      ...POSTGRES_MIGRATIONS,
      { version: 3, name: 'broken', sql: (s: string) => `CREATE TABLE ${s}.half_done (a int); INSERT INTO ${s}.no_such_table VALUES (1);` },
    ];
    await expect(migratePostgres(pool, schema, broken)).rejects.toThrow(/no_such_table/);
    expect((await pool.query(`SELECT to_regclass($1) AS t`, [`"${schema}".half_done`])).rows[0].t).toBeNull();
    expect(await versions(schema)).toEqual([1, 2]);
    // The advisory lock was released: migrating again works at once.
    expect(await migratePostgres(pool, schema)).toBe(2);
  });

  it('refuses a schema written by a newer switchyard, in ready() and in every call', async () => {
    const schema = fresh('future');
    await migratePostgres(pool, schema);
    await pool.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (99, 'from the future')`);
    const store = postgresStore({ connectionString: url, schema });
    await expect(store.ready()).rejects.toThrow(/version 99, newer than this switchyard knows \(2\): upgrade switchyard/);
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
