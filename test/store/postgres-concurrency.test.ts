/**
 * Two checkout servers (separate processes, separate routers) share one PostgreSQL database:
 * a MID's cap is never exceeded however their sales interleave, and an idempotency key sent to
 * both at once reaches the gateway once.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres';
import { expect, it } from 'vitest';
import { describePg, scratchSchema } from './pg-env';

const ROOT = resolve(__dirname, '../..');
const CAP = 100_000; // room for 100 of the 400 sales of 1,000

interface Summary {
  outcomes: Record<string, number>;
  approvedAmount: number;
  gatewayCalls: Record<string, number>;
  shared: { ok: boolean; transactionId?: string; replayed?: boolean; kind?: string; rejection?: string };
}

/** Start a worker; resolves `ready` when it is connected and migrated, `summary` when it is done. */
function startServer(url: string, schema: string, tag: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/store/fixtures/pg-sales-worker.ts', url, schema, tag, String(CAP)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error(`worker ${tag} ended early:\n${stderr}`);
    return r.value;
  };
  return {
    ready: next().then((l) => expect(l).toBe('ready')),
    go: () => child.stdin.write('go\n'),
    summary: async () => JSON.parse(await next()) as Summary,
  };
}

describePg('postgresStore shared by two checkout servers', (url) => {
  const schema = scratchSchema(url, 'conc');

  it('never exceeds the cap with 2 × 200 concurrent sales, and one shared idempotency key calls the gateway once', async () => {
    // Both start on an empty schema: they also race to migrate it.
    const servers = [startServer(url, schema, 'A'), startServer(url, schema, 'B')];
    await Promise.all(servers.map((s) => s.ready));
    for (const s of servers) s.go();
    const [a, b] = await Promise.all(servers.map((s) => s.summary()));

    const approved = (a.outcomes.approved ?? 0) + (b.outcomes.approved ?? 0);
    expect(a.approvedAmount + b.approvedAmount).toBeLessThanOrEqual(CAP);
    // The cap is used up exactly: refused sales were refused for the cap, not lost.
    expect(a.approvedAmount + b.approvedAmount).toBe(CAP);
    expect(approved).toBe(100);
    expect((a.outcomes['rejected:no_eligible_mid'] ?? 0) + (b.outcomes['rejected:no_eligible_mid'] ?? 0)).toBe(300);
    expect((a.gatewayCalls.USD ?? 0) + (b.gatewayCalls.USD ?? 0)).toBe(100);

    // The shared key: one gateway call; the other server replayed it or was told it is in progress.
    expect((a.gatewayCalls.EUR ?? 0) + (b.gatewayCalls.EUR ?? 0)).toBe(1);
    const [owner, other] = a.gatewayCalls.EUR ? [a.shared, b.shared] : [b.shared, a.shared];
    expect(owner).toMatchObject({ ok: true, replayed: false });
    if (other.ok) expect(other).toEqual({ ok: true, transactionId: owner.transactionId, replayed: true });
    else expect(other).toMatchObject({ kind: 'rejected', rejection: 'idempotency_in_progress' });

    // The database agrees with what the servers reported.
    const pool = new pg.Pool({ connectionString: url });
    try {
      const caps = await pool.query(
        `SELECT amount, count FROM "${schema}".caps WHERE mid = 'mid-east' AND cap_window = 'monthly' AND cap_key LIKE '%:USD'`,
      );
      expect(caps.rows.map((r) => ({ amount: Number(r.amount), count: Number(r.count) }))).toEqual([{ amount: CAP, count: 100 }]);
      const txs = await pool.query(
        `SELECT status, count(*)::int AS n, sum(amount)::int AS total FROM "${schema}".transactions WHERE doc->>'currency' = 'USD' GROUP BY status ORDER BY status`,
      );
      // Sales refused for the cap wrote nothing: no transaction, no claim.
      expect(txs.rows).toEqual([{ status: 'captured', n: 100, total: CAP }]);
      const claims = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".idempotency WHERE key LIKE 'sale:%' AND result IS NULL`);
      expect(claims.rows[0].n).toBe(0);
      const migrations = await pool.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(migrations.rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    } finally {
      await pool.end();
    }
  }, 60_000);
});
