/**
 * Success-rate routing shared across servers: two routers, each with its own store connection
 * and its own cache, on one PostgreSQL schema and on one SQLite file. What server A learns (a
 * MID failing on a segment) reaches server B's decisions once B's cache's time to live has
 * passed; within it B decides on what it read (the staleness accepted). On PostgreSQL the same is
 * measured with real clocks, with A in the test process and then in a process of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { routerContext } from '../../src/router';
import { postgresStore } from '../../src/store/postgres';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { bestForVisa, successRateServer, visaSale } from '../support/success-rate-server';
import { TSX } from '../examples/run';
import { describePg, scratchSchema } from './pg-env';

const T0 = Date.UTC(2026, 10, 21, 12);
const TTL = 5_000;

const server = (store: Store, failing: { on: boolean }, clock: () => number, ttl = TTL) => successRateServer(store, failing, clock, ttl);
const visa = visaSale;
const first = bestForVisa;

/** The scenario on two stores that share one database. */
async function shared(makeStore: () => Promise<Store>) {
  const failing = { on: false };
  let nowA = T0;
  let nowB = T0;
  const storeA = await makeStore();
  const storeB = await makeStore();
  const a = server(storeA, failing, () => nowA);
  const b = server(storeB, failing, () => nowB);
  try {
    // A learns that both MIDs approve visa; B, never having read the windows, waits for one read and agrees.
    for (let i = 0; i < 150; i++) {
      expect((await a.sale(visa())).isOk()).toBe(true);
      nowA += 1_000;
    }
    nowB = nowA;
    expect(await first(b)).toBe('a');
    const estimate = (await b.explain(visa())).candidates.find((c) => c.mid === 'a')!.successRate!;
    expect(estimate.outcomes).toBeGreaterThan(20);

    // MID a starts declining visa: A sees it and moves.
    failing.on = true;
    let moved = false;
    for (let i = 0; i < 200 && !moved; i++) {
      await a.sale(visa());
      nowA += 100;
      moved = (await first(a)) === 'b';
    }
    expect(moved).toBe(true);
    // Within its time to live B still decides on what it read: the staleness accepted.
    nowB += TTL - 1;
    expect(await first(b)).toBe('a');
    // Past it, the next decision is served from the cache while one batched read refreshes it; the one after reflects A's outcomes.
    nowB += 2;
    const reads = routerContext(b).approvals.stats.reads;
    await first(b);
    await routerContext(b).approvals.idle();
    expect(routerContext(b).approvals.stats.reads).toBe(reads + 1);
    const after = await b.explain(visa());
    expect(await first(b)).toBe('b');
    const ea = after.candidates.find((c) => c.mid === 'a')!.successRate!;
    const eb = after.candidates.find((c) => c.mid === 'b')!.successRate!;
    expect(ea.estimate).toBeLessThan(eb.estimate);
  } finally {
    await a.close();
    await b.close();
  }
}

describePg('success-rate routing shared across servers on PostgreSQL', (url) => {
  const schema = scratchSchema(url, 'srshared');

  it("server B's decisions reflect a MID failing on server A once its cache's time to live has passed", async () => {
    await shared(async () => {
      const s = postgresStore({ connectionString: url, schema, maxConnections: 2 });
      await s.ready();
      return s;
    });
  });

  it('measured with real clocks: B reflects A within the time to live plus one read', async () => {
    const ttl = 250;
    const other = `${schema}_rt`;
    const make = async () => {
      const s = postgresStore({ connectionString: url, schema: other, maxConnections: 2 });
      await s.ready();
      return s;
    };
    const failing = { on: false };
    const [sa, sb] = [await make(), await make()];
    const a = server(sa, failing, Date.now, ttl);
    const b = server(sb, failing, Date.now, ttl);
    try {
      for (let i = 0; i < 80; i++) await a.sale(visa());
      expect(await first(b)).toBe('a');
      failing.on = true;
      for (let i = 0; i < 300 && (await first(a)) !== 'b'; i++) await a.sale(visa());
      const learnt = Date.now();
      while ((await first(b)) !== 'b') {
        if (Date.now() - learnt > 10 * ttl) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      const seen = Date.now() - learnt;
      console.info(`success-rate staleness across two servers on PostgreSQL: ${seen} ms (time to live ${ttl} ms)`);
      expect(seen).toBeLessThanOrEqual(ttl + 500);
    } finally {
      await a.close();
      await b.close();
      await sa.close();
      const pg = await import('pg');
      const pool = new pg.default.Pool({ connectionString: url });
      await pool.query(`DROP SCHEMA IF EXISTS "${other}" CASCADE`);
      await pool.end();
    }
  });

  it('two processes: B (this process) reflects what A (another process) learns within the time to live plus one read', async () => {
    const ttl = 250;
    const other = `${schema}_px`;
    const sb = postgresStore({ connectionString: url, schema: other, maxConnections: 2 });
    await sb.ready();
    const b = server(sb, { on: false }, Date.now, ttl);
    const child = spawn(TSX, ['test/store/fixtures/success-rate-server.ts', url, other], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const r = await lines.next();
      if (r.done) throw new Error(`server A ended: ${stderr}`);
      return r.value;
    };
    try {
      expect(await next()).toBe('warm');
      expect(await first(b)).toBe('a');
      child.stdin.write('fail\n');
      expect(await next()).toBe('learnt');
      const learnt = Date.now();
      // B has not made a sale since: only the windows A wrote in its own process can move it.
      while ((await first(b)) !== 'b') {
        if (Date.now() - learnt > 10 * ttl) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      const seen = Date.now() - learnt;
      console.info(`success-rate staleness across two processes on PostgreSQL: ${seen} ms (time to live ${ttl} ms)`);
      expect(seen).toBeLessThanOrEqual(ttl + 500);
      expect(routerContext(b).approvals.stats.reads).toBeGreaterThan(1);
    } finally {
      child.kill();
      await b.close();
      await sb.close();
      const pg = await import('pg');
      const pool = new pg.default.Pool({ connectionString: url });
      await pool.query(`DROP SCHEMA IF EXISTS "${other}" CASCADE`);
      await pool.end();
    }
  }, 60_000);
});

const dir = mkdtempSync(join(tmpdir(), 'switchyard-sr-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("SQLite: two stores on one file share the windows; B's decisions reflect A once its time to live has passed", async () => {
  const path = join(dir, 'shared.db');
  await shared(async () => sqliteStore({ path }));
});
