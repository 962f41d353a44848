/**
 * Two checkout servers (separate processes) on one PostgreSQL database record sales and disputes
 * at once, some of the disputes the same ones: the monthly counters are exact (every sale and
 * every dispute counted, each shared dispute and fraud report once).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { createRouter } from '../../src/router';
import { postgresStore } from '../../src/store/postgres';
import { describePg, scratchSchema } from '../store/pg-env';

const ROOT = resolve(__dirname, '../..');

interface Summary {
  approved: number;
  ownDisputes: number;
  sharedCreated: number;
  fraudCreated: number;
}

function startServer(url: string, schema: string, tag: string, ids: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/monitoring/fixtures/pg-dispute-worker.ts', url, schema, tag, JSON.stringify(ids)],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
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

describePg('chargeback counters shared by two checkout servers', (url) => {
  const schema = scratchSchema(url, 'mon');

  it('counts exactly when two processes record sales and disputes at once', async () => {
    const store = postgresStore({ connectionString: url, schema });
    await store.ready();
    const router = createRouter({
      merchantAccounts: [{ id: 'm1', adapter: sandbox({ id: 'm1' }) }],
      profiles: [{ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'm1' }] } }, route: ['p'] }],
      store,
    });
    const card = { number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: '123' };
    const ids: string[] = [];
    for (let i = 0; i < 40; i++)
      ids.push(
        (await router.sale({ profile: 'default', idempotencyKey: `seed-${i}`, amount: 1000, currency: 'USD', card })).unwrap()
          .transactionId,
      );

    const servers = [startServer(url, schema, 'A', ids), startServer(url, schema, 'B', ids)];
    await Promise.all(servers.map((s) => s.ready));
    for (const s of servers) s.go();
    const [a, b] = (await Promise.all(servers.map((s) => s.summary()))) as [Summary, Summary];

    expect(a.approved + b.approved).toBe(200);
    expect(a.ownDisputes + b.ownDisputes).toBe(50);
    expect(a.sharedCreated + b.sharedCreated).toBe(40); // each shared dispute created by exactly one server
    expect(a.fraudCreated + b.fraudCreated).toBe(40);
    const h = (await router.midHealth('m1')).mids[0]!;
    expect(h.counts.sales).toEqual({ count: 240, amount: 240_000 });
    expect(h.counts.byBrand.visa.sales.count).toBe(240);
    expect(h.counts.disputes).toEqual({ count: 90, amount: 90_000 });
    expect(h.counts.byReasonCode).toEqual({ '10.4': { count: 40, amount: 40_000 }, '13.1': { count: 50, amount: 50_000 } });
    expect(h.counts.fraudReports.count).toBe(40);
    expect(h.visa).toMatchObject({ numerator: 130, denominator: 240 });
    expect((await router.disputes({ mid: 'm1' })).length).toBe(90);
    await router.close();
  }, 120_000);
});
