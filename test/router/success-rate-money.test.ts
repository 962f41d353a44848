/**
 * Money safety of success-rate routing: the outcome counts with the settlement, so a settlement
 * applied twice (a lost answer, reconciliation from two servers) counts once; a retry of an
 * ambiguous sale never goes to another MID, whatever the estimates or an exploration draw say.
 */
import { describe, expect, it } from 'vitest';
import { sandbox, type SandboxAdapter } from '../../adapters/sandbox';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';
import { faultPlan, faultyStore, watchedAdapter } from '../support/faulty';
import { CARDS, saleRequest, seeded } from '../support/router';

const T0 = Date.UTC(2030, 0, 15, 10);
const TIMEOUTS = { attemptMs: 500, totalMs: 1_000 };

function setup(store: Store, adapters: SandboxAdapter[], wrap: (a: SandboxAdapter) => SandboxAdapter = (a) => a) {
  let now = T0;
  const router = createRouter({
    merchantAccounts: adapters.map((a) => ({ id: a.name, adapter: wrap(a) })),
    profiles: [
      {
        id: 'default',
        pools: {
          smart: {
            strategy: 'success_rate',
            members: adapters.map((a) => ({ mid: a.name, weight: 1 })),
            exploration: 0.5,
            minOutcomes: 1,
          },
        },
        route: ['smart'],
        cascade: { maxAttempts: 3 },
      },
    ],
    store,
    clock: () => now,
    timeouts: TIMEOUTS,
    random: seeded(4),
  });
  return { router, pastLease: () => (now += 3 * TIMEOUTS.totalMs) };
}

const counted = async (store: Store, mid: string) => (await store.approvalWindows([{ mid, segment: '*' }]))[0]?.total ?? 0;
const charges = (as: SandboxAdapter[]) => as.reduce((n, a) => n + a.charges.size, 0);

describe('success-rate routing and money safety', () => {
  it('a settlement whose answer is lost after it committed counts once; reconciliation and the retry count nothing more', async () => {
    const inner = memoryStore();
    const plan = faultPlan({ failAt: 1, mode: 'after' });
    const gw = sandbox({ id: 'a' });
    const { router, pastLease } = setup(faultyStore(inner, plan), [gw], (a) => watchedAdapter(a, () => (plan.armed = true)));
    const req = saleRequest();
    expect((await router.sale(req)).isErr()).toBe(true);
    plan.armed = false;
    expect(await counted(inner, 'a')).toBe(1);
    pastLease();
    await router.reconcile({ olderThanMs: 0 });
    const replay = await router.sale(req);
    expect(replay.isOk() && replay.value.replayed).toBe(true);
    expect(await counted(inner, 'a')).toBe(1);
    expect(charges([gw])).toBe(1);
  });

  it('a settlement that failed before it committed is counted once by reconcile(), and a second reconcile() counts nothing', async () => {
    const inner = memoryStore();
    const plan = faultPlan({ failAt: 1, mode: 'before' });
    const gw = sandbox({ id: 'a' });
    const { router, pastLease } = setup(faultyStore(inner, plan), [gw], (a) => watchedAdapter(a, () => (plan.armed = true)));
    expect((await router.sale(saleRequest())).isErr()).toBe(true);
    plan.armed = false;
    expect(await counted(inner, 'a')).toBe(0);
    pastLease();
    expect(await router.reconcile({ olderThanMs: 0 })).toMatchObject({ approved: 1 });
    await router.reconcile({ olderThanMs: 0 });
    expect(await counted(inner, 'a')).toBe(1);
    expect(charges([gw])).toBe(1);
  });

  it('an ambiguous sale is never tried on another MID: not in the loop, not by a retry, whatever exploration draws', async () => {
    const a = sandbox({ id: 'a' });
    const b = sandbox({ id: 'b' });
    const store = memoryStore();
    const { router } = setup(store, [a, b]);
    for (let i = 0; i < 20; i++) expect((await router.sale(saleRequest())).isOk()).toBe(true);
    const calls = (g: SandboxAdapter) => Object.values(g.calls).reduce((n, x) => n + x, 0);
    const before = { a: calls(a), b: calls(b) };
    const req = saleRequest({ number: CARDS.timeout });
    const first = await router.sale(req);
    expect(first.isErr() && first.error.kind).toBe('ambiguous');
    const tried = first.isErr() ? first.error.attempts.map((x) => x.mid) : [];
    expect(tried).toHaveLength(1);
    const other = tried[0] === 'a' ? 'b' : 'a';
    const made = { a: calls(a) - before.a, b: calls(b) - before.b };
    expect(made[tried[0] as 'a' | 'b']).toBeGreaterThan(0);
    expect(made[other]).toBe(0);
    for (let i = 0; i < 10; i++) {
      const again = await router.sale(req);
      expect(again.isErr() && again.error.rejection).toBe('idempotency_in_progress');
    }
    expect({ a: calls(a) - before.a, b: calls(b) - before.b }).toEqual(made);
  });
});
