/**
 * A seeded month: warnings fire once per level at the merchant's figures, a MID crossing
 * `pauseAt` takes no new initial sale afterwards (on every server sharing the store) while its
 * rebills continue, the other MIDs' weights are untouched, and the pause ends with
 * `setMidEnabled` or with the month.
 */
import { describe, expect, it } from 'vitest';
import { createRouter, routerContext } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { DisputeLevelFigures } from '../../src/monitoring/state';
import { saleRequest, sandboxMids, seeded } from '../support/router';

const NOV = Date.UTC(2026, 10, 3, 9);
const PROFILE = {
  id: 'default',
  pools: {
    p: {
      strategy: 'weighted' as const,
      members: [
        { mid: 'a', weight: 50 },
        { mid: 'b', weight: 30 },
        { mid: 'c', weight: 20 },
      ],
    },
  },
  route: ['p'],
};

function month() {
  let now = NOV;
  const store = memoryStore();
  const { adapters, accounts } = sandboxMids(['a', 'b', 'c']);
  accounts[0]!.disputes = { warnAt: 0.01, pauseAt: 0.02 };
  const make = (seed: number) =>
    createRouter({
      merchantAccounts: accounts,
      profiles: [PROFILE],
      store,
      random: seeded(seed),
      clock: () => now,
      disputeMonitoring: { pauseRefreshMs: 1_000 },
    });
  return { router: make(7), make, store, adapters, tick: (ms: number) => (now += ms), at: (t: number) => (now = t) };
}

describe('warnings and a brake at the merchant’s thresholds', () => {
  it('warns at warnAt, pauses at pauseAt, keeps rebills going and leaves every weight alone', async () => {
    const { router, adapters, tick } = month();
    const warnings: DisputeLevelFigures[] = [];
    const pauses: DisputeLevelFigures[] = [];
    router.on('mid:dispute_warning', (f) => warnings.push(f));
    router.on('mid:dispute_pause', (f) => pauses.push(f));
    const onA: string[] = [];
    const subsOnA: string[] = [];
    for (let i = 0; i < 240; i++) {
      const s = (await router.sale(saleRequest({ subscription: { id: `sub-${i}` } }))).unwrap();
      if (s.mid === 'a') {
        onA.push(s.transactionId);
        subsOnA.push(`sub-${i}`);
      }
      tick(60_000);
    }
    const n = onA.length;
    expect(n).toBeGreaterThan(100);
    const weights = structuredClone(routerContext(router).profiles.get('default')!.source.pools);
    const warnAt = Math.ceil(0.01 * n);
    const pauseAt = Math.ceil(0.02 * n);
    for (let k = 1; k <= pauseAt + 2; k++) {
      await router.recordDispute({ transactionId: onA[k - 1]!, disputeId: `cb-${k}` });
      expect(warnings.filter((w) => w.level === 'warn').length, `after ${k} disputes`).toBe(k >= warnAt ? 1 : 0);
      expect(pauses.length, `after ${k} disputes`).toBe(k >= pauseAt ? 1 : 0);
    }
    expect(warnings.map((w) => w.level)).toEqual(['warn', 'pause']);
    expect(warnings[0]).toMatchObject({
      mid: 'a',
      month: '2026-11',
      threshold: 0.01,
      crossed: ['visa'],
      visa: { numerator: warnAt, denominator: n },
    });
    expect(pauses[0]).toMatchObject({ mid: 'a', level: 'pause', threshold: 0.02, visa: { numerator: pauseAt, denominator: n } });
    expect(pauses[0]!.visa.ratio).toBeGreaterThanOrEqual(0.02);

    // explain names the pause with its figures; no new initial sale reaches a.
    const why = await router.explain(saleRequest());
    const a = why.candidates.find((c) => c.mid === 'a')!;
    expect(a.eligible).toBe(false);
    expect(a.reasons[0]).toMatchObject({ code: 'dispute_pause', dispute: { threshold: 0.02, visa: { numerator: pauseAt } } });
    expect(a.reasons[0]!.message).toMatch(/pauseAt 2\.00 %/);
    const salesOnA = adapters.a.calls.sale;
    const after: Record<string, number> = { b: 0, c: 0 };
    for (let i = 0; i < 200; i++) after[(await router.sale(saleRequest())).unwrap().mid]! += 1;
    expect(adapters.a.calls.sale).toBe(salesOnA);
    // b and c keep their own weights (30 : 20) between them.
    expect(after.b! / 200).toBeGreaterThan(0.5);
    expect(after.b! / 200).toBeLessThan(0.7);
    expect(routerContext(router).profiles.get('default')!.source.pools).toEqual(weights);

    // Rebills stay pinned to a and go through.
    for (const sub of subsOnA.slice(0, 5)) {
      const r = (await router.rebill({ subscriptionId: sub, amount: 1999, currency: 'USD', idempotencyKey: `rb-${sub}` })).unwrap();
      expect(r.mid).toBe('a');
    }
    const h = (await router.midHealth('a')).mids[0]!;
    expect(h.paused).toMatchObject({ level: 'pause' });
    expect(h.warnings.sort()).toEqual(['pause', 'warn']);
  });

  it('holds the pause on every server sharing the store, until the merchant resumes or the month ends', async () => {
    const { router, make, tick, at } = month();
    const other = make(99);
    const onA: string[] = [];
    while (onA.length < 10) {
      const s = (await router.sale(saleRequest())).unwrap();
      if (s.mid === 'a') onA.push(s.transactionId);
    }
    for (let k = 0; k < 1; k++) await router.recordDispute({ transactionId: onA[k]!, disputeId: `cb-${k}` }); // 1 / 10 = 10 %
    expect((await router.midHealth('a')).mids[0]!.paused).toBeDefined();
    tick(2_000); // past the other server's refresh interval
    const seen = await other.explain(saleRequest());
    expect(seen.candidates.find((c) => c.mid === 'a')!.reasons.map((r) => r.code)).toEqual(['dispute_pause']);

    // The merchant resumes it: at once here, and on the other server once written.
    router.setMidEnabled('a', true);
    expect((await router.explain(saleRequest())).order).toContain('a');
    await new Promise((r) => setTimeout(r, 10));
    tick(2_000);
    expect((await other.explain(saleRequest())).order).toContain('a');
    // More disputes this month warn no more and do not pause again.
    const events: string[] = [];
    router.on('mid:dispute_pause', () => events.push('pause'));
    await router.recordDispute({ transactionId: onA[1]!, disputeId: 'cb-x' });
    expect(events).toEqual([]);
    expect((await router.explain(saleRequest())).order).toContain('a');

    // A pause ends with its month.
    const fresh = month();
    const onA2: string[] = [];
    while (onA2.length < 4) {
      const s = (await fresh.router.sale(saleRequest())).unwrap();
      if (s.mid === 'a') onA2.push(s.transactionId);
    }
    await fresh.router.recordDispute({ transactionId: onA2[0]!, disputeId: 'cb-1' });
    expect((await fresh.router.explain(saleRequest())).order).not.toContain('a');
    fresh.at(Date.UTC(2026, 11, 1, 0, 0, 1));
    expect((await fresh.router.explain(saleRequest())).order).toContain('a');
    at(NOV);
  });

  it('a ratio without a denominator does not trigger: no sales, no pause', async () => {
    const { router, at } = month();
    at(Date.UTC(2026, 9, 20));
    let oct: string | undefined;
    while (!oct) {
      const s = (await router.sale(saleRequest())).unwrap();
      if (s.mid === 'a') oct = s.transactionId;
    }
    at(Date.UTC(2026, 10, 2)); // November: no Visa sale on a yet; last month's Mastercard sales: none
    const pauses: unknown[] = [];
    router.on('mid:dispute_pause', (p) => pauses.push(p));
    await router.recordDispute({ transactionId: oct, disputeId: 'cb-oct' });
    expect(pauses).toEqual([]);
    const h = (await router.midHealth('a')).mids[0]!;
    expect(h.visa.ratio).toBeUndefined();
    expect(h.mastercard.ratio).toBeUndefined();
  });

  it('refuses bad thresholds in the configuration, naming the field', () => {
    const { accounts } = sandboxMids(['a']);
    const make =
      (disputes: unknown, extra: Record<string, unknown> = {}) =>
      () =>
        createRouter({
          merchantAccounts: [{ ...accounts[0]!, disputes } as never],
          profiles: [{ ...PROFILE, pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } } }],
          store: memoryStore(),
          ...extra,
        });
    expect(make({ warnAt: 1.5 })).toThrow(/merchantAccounts\[0\]\.disputes\.warnAt/);
    expect(make({ warnAt: 0.03, pauseAt: 0.02 })).toThrow(/merchantAccounts\[0\]\.disputes\.warnAt: must not exceed pauseAt/);
    expect(make({ pauseAt: 0 })).toThrow(/disputes\.pauseAt/);
    expect(make({ pause: 0.1 })).toThrow(/disputes/);
    expect(make({ warnAt: 0.01 }, { disputeMonitoring: { timeZone: 'Mars/Olympus' } })).toThrow(/disputeMonitoring\.timeZone/);
    expect(make({ warnAt: 0.01 }, { disputeMonitoring: { alertWindowMs: -1 } })).toThrow(/disputeMonitoring\.alertWindowMs/);
    expect(make({ warnAt: 0.01 })).not.toThrow();
  });
});
