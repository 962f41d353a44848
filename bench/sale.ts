/**
 * Scenario 4: `router.sale` through the sandbox adapter with zero latency, on the memory store
 * and on SQLite. Scenario 6: 100,000 rebills of pinned subscriptions on SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sandbox } from '../adapters/sandbox';
import { createRouter } from '../src/router';
import { memoryStore } from '../src/store/memory';
import type { Store } from '../src/store/types';
import { measure } from './measure';

const profile = {
  id: 'default',
  pools: {
    p: {
      strategy: 'weighted' as const,
      members: [
        { mid: 'a', weight: 70 },
        { mid: 'b', weight: 30 },
      ],
    },
  },
  route: ['p'],
  cascade: { maxAttempts: 2 },
};

function routerOn(store: Store) {
  return createRouter({
    merchantAccounts: [
      { id: 'a', adapter: sandbox(), caps: { monthly: { amount: 1e15 } } },
      { id: 'b', adapter: sandbox() },
    ],
    profiles: [profile],
    store,
    fingerprintKey: 'bench-key',
  });
}

let n = 0;
const sale = () => ({
  profile: 'default',
  idempotencyKey: `sale-${++n}`,
  amount: 1999,
  currency: 'USD',
  card: { number: '4111111111111111', expMonth: 12, expYear: 2031, cvc: '123' },
  customer: { country: 'US' },
});

/** Load the SQLite store if the optional dependency and the module are there. */
async function sqlite(path: string): Promise<Store | undefined> {
  try {
    const mod = (await import('../src/store/sqlite')) as { sqliteStore: (o: { path: string }) => Store | Promise<Store> };
    return await mod.sqliteStore({ path });
  } catch (e) {
    console.warn(`SQLite store unavailable: ${(e as Error).message}`);
    return undefined;
  }
}

/** Sale overhead on memory and SQLite. */
export async function saleBench(timeMs: number) {
  const memRouter = routerOn(memoryStore());
  const memory = await measure(
    'sale memory',
    async () => {
      if ((await memRouter.sale(sale())).isErr()) throw new Error('sale failed');
    },
    timeMs,
  );
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  try {
    const store = await sqlite(join(dir, 'bench.db'));
    if (!store) return { memory, sqlite: null };
    const sqlRouter = routerOn(store);
    const onSqlite = await measure(
      'sale sqlite',
      async () => {
        if ((await sqlRouter.sale(sale())).isErr()) throw new Error('sale failed');
      },
      timeMs,
    );
    await store.close();
    return { memory, sqlite: onSqlite };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 100,000 rebills of pinned subscriptions on SQLite, `concurrency` at a time. */
export async function rebillBatchBench(rebills = 100_000, subscriptions = 10_000, concurrency = 64) {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-rebill-'));
  try {
    const store = await sqlite(join(dir, 'rebill.db'));
    if (!store) return null;
    const router = routerOn(store);
    const t0 = performance.now();
    for (let s = 0; s < subscriptions; s++) {
      const r = await router.sale({ ...sale(), subscription: { id: `sub-${s}` } });
      if (r.isErr()) throw new Error(r.error.message);
    }
    const setupMs = performance.now() - t0;
    let next = 0;
    let failed = 0;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let k = next++; k < rebills; k = next++) {
          const r = await router.rebill({
            subscriptionId: `sub-${k % subscriptions}`,
            amount: 1999,
            currency: 'USD',
            idempotencyKey: `rb-${k}`,
          });
          if (r.isErr()) failed++;
        }
      }),
    );
    const wallMs = performance.now() - t1;
    await store.close();
    return {
      rebills,
      subscriptions,
      concurrency,
      failed,
      setupMs: Math.round(setupMs),
      wallMs: Math.round(wallMs),
      rebillsPerSec: Math.round(rebills / (wallMs / 1000)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
