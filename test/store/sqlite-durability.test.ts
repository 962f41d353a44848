/**
 * A checkout server killed mid-run (SIGKILL) must not forget what it approved: after a restart
 * on the same SQLite file, every sale it reported approved has its ledger entry and its pin,
 * rebills go to the pinned MID, and idempotent replays answer from the store without a gateway call.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { sqliteStore } from '../../src/store/sqlite';
import { saleFor, shopRouter } from './fixtures/shop';

const ROOT = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'switchyard-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the sale worker until it has reported `count` approvals, then SIGKILL it. */
async function approveThenKill(path: string, count: number): Promise<Map<number, string>> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/store/fixtures/sale-worker.ts', path], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const approved = new Map<number, string>();
  const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^approved (\d+) (\S+)$/.exec(line);
    if (!m) throw new Error(`unexpected worker output: ${line}\n${stderr}`);
    approved.set(Number(m[1]), m[2]);
    if (approved.size === count) {
      child.kill('SIGKILL');
      break;
    }
  }
  expect(await exited, `worker ended before ${count} approvals:\n${stderr}`).toBe('SIGKILL');
  return approved;
}

describe('sqliteStore durability after SIGKILL', () => {
  it('keeps every reported approval, pin and idempotency record', async () => {
    const path = join(dir, 'shop.db');
    const approved = await approveThenKill(path, 150);
    const raw = new Database(path);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();

    const store = sqliteStore({ path });
    const { router, adapters, calls } = shopRouter({ store });
    try {
      for (const [i, txId] of approved) {
        const sale = saleFor(i);
        const tx = await router.transaction(txId);
        expect(tx, `transaction of sale ${i}`).toMatchObject({
          id: txId,
          status: 'captured',
          amount: sale.amount,
          capturedAmount: sale.amount,
          subscriptionId: `sub-${i}`,
        });
        const attempts = await store.listAttempts(txId);
        expect(attempts.map((a) => a.status)).toEqual(['approved']);
        expect(await router.pin(`sub-${i}`), `pin of sub-${i}`).toMatchObject({
          mid: tx!.mid,
          transactionId: txId,
          gatewayTransactionId: tx!.gatewayTransactionId,
          status: 'active',
        });
      }
      // Both MIDs took sales, so a rebill that ignored the pin would be caught.
      expect(new Set(await Promise.all([...approved.values()].map(async (id) => (await router.transaction(id))!.mid))).size).toBe(2);

      // Replays of reported sales come from the store: same transaction, no gateway call.
      for (const [i, txId] of approved) {
        const r = await router.sale(saleFor(i));
        expect(r.isOk() && r.value.transactionId).toBe(txId);
        expect(r.isOk() && r.value.replayed).toBe(true);
      }
      expect(calls()).toBe(0);

      // Rebills after the restart go to each subscription's pinned MID.
      for (const i of [...approved.keys()].slice(0, 20)) {
        const pin = (await router.pin(`sub-${i}`))!;
        const before = adapters[pin.mid].calls.sale ?? 0;
        const r = await router.rebill({ subscriptionId: `sub-${i}`, amount: 2_999, currency: 'USD', idempotencyKey: `rebill-${i}-1` });
        expect(r.isOk() && r.value.mid).toBe(pin.mid);
        expect(adapters[pin.mid].calls.sale).toBe(before + 1);
      }
    } finally {
      await store.close();
    }
  }, 60_000);
});
