/**
 * PAN and CVC never reach the database, a result, an event or a failure message: after a
 * realistic run (sales, subscriptions, declines, an ambiguous timeout, refunds, rebills with a
 * card) plus hostile gateways (decline messages and errors that echo the card number with odd
 * separators and the security code in gateway shapes, an adapter that throws with both), the
 * SQLite file, every PostgreSQL table, every result and every event payload are scanned for the
 * test PANs (with any separators) and for the CVCs used.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { ROUTER_EVENTS } from '../../src/events';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { postgresStore } from '../../src/store/postgres';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { DECLINING_PAN, TEST_PANS, saleFor, shopRouter } from './fixtures/shop';
import { describePg, scratchSchema } from './pg-env';

const AMBIGUOUS_PAN = '4000000000000259';
const HOSTILE_PAN = '5105105105105100';
const ALL_PANS = [...TEST_PANS, DECLINING_PAN, AMBIGUOUS_PAN, HOSTILE_PAN];
const CVCS = ['987', '456', '731'];

/** A router whose gateways echo the card back in every shape a gateway might. */
function hostileRouter(store: Store) {
  const echo = (req: { card?: { number?: string; cvc?: string } }) => {
    const p = req.card?.number ?? '';
    const spaced = p.replace(/(.{4})/g, '$1\u00a0').trim();
    return `Declined: card ${spaced} / ${p.replace(/(.{4})/g, '$1.')} card[cvc]=${req.card?.cvc} <cardCode>${req.card?.cvc}</cardCode> CVV2 value: ${req.card?.cvc}`;
  };
  const decliner = sandbox({ id: 'echo', respond: (req) => ({ status: 'declined', code: '05', message: echo(req) }) });
  const erring = sandbox({ id: 'erring', respond: (req) => ({ status: 'error', ambiguous: false, message: `bad request ${echo(req)}` }) });
  const thrower = sandbox({ id: 'thrower' });
  const throwing = {
    ...thrower,
    sale: (req: { card?: { number?: string; cvc?: string } }) => {
      throw new Error(`boom ${req.card?.number} security code: ${req.card?.cvc}`);
    },
  } as unknown as typeof thrower;
  const router = createRouter({
    merchantAccounts: [
      { id: 'echo', adapter: decliner },
      { id: 'erring', adapter: erring },
      { id: 'thrower', adapter: throwing },
    ],
    profiles: [
      {
        id: 'default',
        pools: { p: { strategy: 'priority', members: [{ mid: 'erring' }, { mid: 'echo' }] } },
        route: ['p'],
        cascade: { maxAttempts: 2 },
      },
      { id: 'throw', pools: { p: { strategy: 'priority', members: [{ mid: 'thrower' }] } }, route: ['p'] },
    ],
    store,
  });
  return router;
}

/** Run the hostile gateways and collect every result and event, as JSON. */
async function runHostile(store: Store): Promise<string> {
  const router = hostileRouter(store);
  const seen: unknown[] = [];
  for (const e of ROUTER_EVENTS) router.on(e, (p) => seen.push([e, p]));
  const card = (cvc: string) => ({ number: HOSTILE_PAN, expMonth: 3, expYear: 2033, cvc });
  seen.push(await router.sale(saleFor(200, { card: card(CVCS[0]) })));
  seen.push(await router.sale(saleFor(201, { profile: 'throw', card: card(CVCS[1]) })));
  seen.push(await router.authorize(saleFor(202, { card: card(CVCS[2]) })));
  seen.push(await router.explain(saleFor(203, { card: card(CVCS[0]) })));
  seen.push(await router.refund(HOSTILE_PAN));
  await new Promise((r) => setImmediate(r));
  return JSON.stringify(seen);
}

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

/** A test PAN written with any separators (up to 3 non-digits between its digits). */
const panPattern = (pan: string) => new RegExp(pan.split('').join('[^0-9]{0,3}'));

/** Fail naming what was found if `text` holds a test PAN, a CVC field or one of the CVCs used. */
function expectNoCardData(text: string, where: string) {
  for (const pan of ALL_PANS) expect(panPattern(pan).test(text), `${where} holds the PAN ${pan}`).toBe(false);
  expect(/"cvc"\s*:/i.test(text), `${where} holds a CVC field`).toBe(false);
  for (const cvc of CVCS)
    expect(new RegExp(`(?<![0-9A-Za-z_-])${cvc}(?![0-9A-Za-z_-])`).test(text), `${where} holds the CVC ${cvc}`).toBe(false);
}

describe('no card data in results, events or failure messages', () => {
  it('hostile gateways echo the card: nothing of it reaches a result, an event or the store (memory)', async () => {
    const store = memoryStore();
    const seen = await runHostile(store);
    expect(seen).toContain('510510******5100');
    expectNoCardData(seen, 'results and events');
  });
});

describe('sqliteStore keeps no card data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-nopan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has no PAN or CVC anywhere in the database files', async () => {
    const path = join(dir, 'shop.db');
    const store = sqliteStore({ path });
    const ids = await runBusiness(store);
    expectNoCardData(await runHostile(store), 'results and events');
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
    expectNoCardData(await runHostile(store), 'results and events');
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
