/**
 * PAN and CVC never reach the database: after a realistic run (sales, subscriptions, declines,
 * an ambiguous timeout, refunds, rebills with a card), the SQLite file and every PostgreSQL
 * table are scanned for the full test PANs and for any CVC field.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresStore } from '../../src/store/postgres';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { DECLINING_PAN, TEST_PANS, saleFor, shopRouter } from './fixtures/shop';
import { describePg, scratchSchema } from './pg-env';

const AMBIGUOUS_PAN = '4000000000000259';
const ALL_PANS = [...TEST_PANS, DECLINING_PAN, AMBIGUOUS_PAN];

/** Run a day of business through a router on `store`; returns the ids of transactions it recorded. */
async function runBusiness(store: Store): Promise<string[]> {
  const { router } = shopRouter({ store });
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await router.sale(saleFor(i));
    if (!r.isOk()) throw new Error(r.error.message);
    ids.push(r.value.transactionId);
  }
  expect((await router.refund(ids[0], { amount: 500, idempotencyKey: 'refund-0' })).isOk()).toBe(true);
  const declined = await router.sale(saleFor(100, { card: { number: DECLINING_PAN, expMonth: 1, expYear: 2031, cvc: '987' } }));
  expect(declined.isErr() && declined.error.kind).toBe('declined');
  const ambiguous = await router.sale(saleFor(101, { card: { number: AMBIGUOUS_PAN, expMonth: 2, expYear: 2032, cvc: '456' } }));
  expect(ambiguous.isErr() && ambiguous.error.kind).toBe('ambiguous');
  const rebill = await router.rebill({
    subscriptionId: 'sub-1',
    amount: 2_999,
    currency: 'USD',
    idempotencyKey: 'rebill-1',
    card: { number: TEST_PANS[1], expMonth: 12, expYear: 2030 },
  });
  expect(rebill.isOk()).toBe(true);
  return ids;
}

/** Fail naming what was found if `text` holds a test PAN or a CVC field. */
function expectNoCardData(text: string, where: string) {
  for (const pan of ALL_PANS) expect(text.includes(pan), `${where} holds the PAN ${pan}`).toBe(false);
  expect(/"cvc"|\bcvc\b/i.test(text), `${where} holds a CVC field`).toBe(false);
}

describe('sqliteStore keeps no card data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-nopan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has no PAN or CVC anywhere in the database files', async () => {
    const path = join(dir, 'shop.db');
    const store = sqliteStore({ path });
    const ids = await runBusiness(store);
    // Scan while open (data still in the WAL file) and after close (checkpointed into the main file).
    const files = () =>
      [path, `${path}-wal`, `${path}-shm`]
        .filter(existsSync)
        .map((f) => readFileSync(f).toString('latin1'))
        .join('\n');
    const open = files();
    await store.close();
    const closed = files();
    for (const [text, when] of [
      [open, 'the open database'],
      [closed, 'the closed database'],
    ] as const) {
      // The scan sees the real records (transaction ids, BIN and last four)...
      for (const id of ids) expect(text.includes(id), `${when} has transaction ${id}`).toBe(true);
      expect(text).toMatch(/last4\W+4444/);
      // ...and no PAN or CVC.
      expectNoCardData(text, when);
    }
  });
});

describePg('postgresStore keeps no card data', (url) => {
  const schema = scratchSchema(url, 'nopan');

  it('has no PAN or CVC in any table', async () => {
    const store = postgresStore({ connectionString: url, schema });
    const ids = await runBusiness(store);
    await store.close();
    const pool = new pg.Pool({ connectionString: url });
    try {
      const tables = (await pool.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema])).rows.map(
        (r) => r.table_name as string,
      );
      expect(tables).toEqual(
        expect.arrayContaining(['transactions', 'attempts', 'pins', 'declines', 'idempotency', 'caps', 'repin_audit', 'secrets']),
      );
      let all = '';
      for (const t of tables) {
        const { rows } = await pool.query(`SELECT t::text AS row FROM "${schema}"."${t}" t`);
        all += rows.map((r) => r.row).join('\n');
      }
      for (const id of ids) expect(all).toContain(id);
      expect(all).toMatch(/last4\W+4444/);
      expectNoCardData(all, `schema ${schema}`);
    } finally {
      await pool.end();
    }
  });
});
