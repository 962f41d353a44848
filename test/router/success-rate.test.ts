/**
 * `success_rate` pools through the public router: cold start on the weights, learning which MID
 * approves which segment, back-off, what counts, exploration (its share, never into an
 * ineligible MID), `explain`, the routing decision on the transaction, the cache's store reads,
 * and configuration errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sandbox, type SandboxRequest, type SandboxResponse, testCardResponse } from '../../adapters/sandbox';
import type { BinTable } from '../../src/card/bin-table';
import { loadBinTable } from '../../src/card/bin-table';
import { ConfigError } from '../../src/errors';
import type { ProfileInput } from '../../src/profile/schema';
import { createRouter, type MerchantAccountConfig, type RouterConfig, routerContext } from '../../src/router';
import type { PoolStrategy } from '../../src/selection/strategies/types';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';
import { syntheticPan } from '../../examples/demo/random';
import { CARDS, saleRequest, seeded } from '../support/router';

const T0 = Date.UTC(2026, 10, 21, 12);
let BINS: BinTable;
beforeAll(async () => {
  BINS = await loadBinTable([
    { start: '411111', type: 'credit', country: 'US' }, // CARDS.visa
    { start: '424242', type: 'debit', country: 'GB' }, // CARDS.visa2
    { start: '555555', type: 'credit', country: 'US' }, // CARDS.mastercard
  ]);
});

const brandOf = (req: SandboxRequest) => (req.card?.number?.startsWith('4') ? 'visa' : 'mastercard');
/** A MID that approves one brand and declines the other with do-not-honor. */
const approves =
  (brand: 'visa' | 'mastercard') =>
  (req: SandboxRequest): SandboxResponse =>
    brandOf(req) === brand ? { status: 'approved' } : { status: 'declined', code: '05', message: 'Do Not Honor' };

type SrPool = Extract<ProfileInput['pools'][string], object>;

function setup(opts: {
  pool?: Partial<SrPool>;
  accounts?: MerchantAccountConfig[];
  store?: Store;
  random?: () => number;
  profile?: Partial<ProfileInput>;
  over?: Partial<RouterConfig>;
}) {
  let now = T0;
  const accounts = opts.accounts ?? [
    { id: 'a', adapter: sandbox({ id: 'a', respond: approves('visa') }) },
    { id: 'b', adapter: sandbox({ id: 'b', respond: approves('mastercard') }) },
  ];
  const store = opts.store ?? memoryStore();
  const router = createRouter({
    merchantAccounts: accounts,
    profiles: [
      {
        id: 'default',
        pools: {
          smart: {
            strategy: 'success_rate',
            members: accounts.map((a) => ({ mid: a.id, weight: 1 })),
            segments: ['brand', 'cardType'],
            minOutcomes: 20,
            exploration: 0.05,
            ...opts.pool,
          },
        },
        route: ['smart'],
        ...opts.profile,
      },
    ],
    store,
    bins: BINS,
    random: opts.random ?? seeded(42),
    clock: () => now,
    ...opts.over,
  });
  return {
    router,
    store,
    tick: (ms = 1_000) => {
      now += ms;
    },
  };
}

const cardRandom = seeded(5);
/** Run `n` sales alternating cards of the BINs of the given cards (a new card each time: network rules count declines per card); returns the first MID tried of each. */
async function sales(router: ReturnType<typeof setup>['router'], n: number, cards: string[], tick?: () => void) {
  const firsts: Array<{ card: string; mid: string }> = [];
  for (let i = 0; i < n; i++) {
    const card = cards[i % cards.length];
    const r = await router.sale(saleRequest({ number: syntheticPan(cardRandom, card.slice(0, 6), 16) }));
    const attempts = r.isOk() ? r.value.attempts : r.error.attempts;
    if (!attempts.some((a) => a.outcome !== 'skipped')) throw new Error(`no attempt: ${r.isErr() && r.error.message}`);
    firsts.push({ card, mid: attempts.find((a) => a.outcome !== 'skipped')!.mid });
    tick?.();
  }
  return firsts;
}

const share = (xs: Array<{ card: string; mid: string }>, card: string, mid: string) => {
  const of = xs.filter((x) => x.card === card);
  return of.filter((x) => x.mid === mid).length / of.length;
};

describe('success_rate pools', () => {
  it('fall back to the weights while no MID has enough outcomes, then send each brand to the MID that approves it', async () => {
    const { router } = setup({
      pool: {
        members: [
          { mid: 'a', weight: 3 },
          { mid: 'b', weight: 1 },
        ],
      },
    });
    const cold = await router.explain(saleRequest({ number: CARDS.mastercard }));
    expect(cold.successRate?.[0]).toMatchObject({ pool: 'smart', mode: 'fallback' });
    const early = await sales(router, 40, [CARDS.visa, CARDS.mastercard]);
    // Weights 3:1 while cold: MID a takes most first attempts of either brand.
    expect(early.slice(0, 20).filter((x) => x.mid === 'a').length).toBeGreaterThan(11);
    await sales(router, 300, [CARDS.visa, CARDS.mastercard]);
    const late = await sales(router, 400, [CARDS.visa, CARDS.mastercard]);
    expect(share(late, CARDS.visa, 'a')).toBeGreaterThan(0.9);
    expect(share(late, CARDS.mastercard, 'b')).toBeGreaterThan(0.9);
    const why = await router.explain(saleRequest({ number: CARDS.mastercard }));
    expect(why.order[0]).toBe('b');
  });

  it('explain shows per MID the estimate, the segment it rests on after back-off, the outcomes behind it, and whether the draw explored', async () => {
    const { router } = setup({ pool: { exploration: 0 } });
    await sales(router, 200, [CARDS.visa, CARDS.mastercard]);
    // A visa debit card: its own segment has no outcomes yet, so both MIDs back off to the brand.
    const why = await router.explain(saleRequest({ number: CARDS.visa2 }));
    const d = why.successRate![0];
    expect(d.segments).toEqual(['brand=visa|cardType=debit', 'brand=visa', '*']);
    expect(d.mode).toBe('exploit');
    expect(d.window).toEqual({ outcomes: 200, maxAgeMs: 72 * 3_600_000 });
    const a = why.candidates.find((c) => c.mid === 'a')!.successRate!;
    const b = why.candidates.find((c) => c.mid === 'b')!.successRate!;
    expect(a).toMatchObject({ pool: 'smart', mode: 'exploit', segment: 'brand=visa' });
    expect(a.estimate).toBeGreaterThan(0.9);
    expect(a.outcomes).toBeGreaterThan(50);
    // b saw few visa cards (no exploration): its estimate leans on its overall record, pulled down by its visa declines.
    expect(['brand=visa', '*']).toContain(b.segment);
    expect(b.estimate).toBeLessThan(a.estimate - 0.2);
    expect(why.order).toEqual(['a', 'b']);
    // On its own segment the credit card rests on the finest key.
    const credit = await router.explain(saleRequest({ number: CARDS.visa }));
    expect(credit.candidates.find((c) => c.mid === 'a')!.successRate!.segment).toBe('brand=visa|cardType=credit');
  });

  it('a drop on one MID moves its traffic within the window, and the old outcomes age out', async () => {
    let failing = false;
    const accounts = [
      { id: 'a', adapter: sandbox({ id: 'a', respond: () => (failing ? { status: 'declined', code: '05' } : { status: 'approved' }) }) },
      {
        id: 'b',
        adapter: sandbox({
          id: 'b',
          respond: (r: SandboxRequest) =>
            r.card!.number!.startsWith('4111') ? { status: 'approved' } : { status: 'declined', code: '05' },
        }),
      },
    ] as MerchantAccountConfig[];
    const { router, tick } = setup({
      accounts,
      pool: {
        members: [
          { mid: 'a', weight: 1 },
          { mid: 'b', weight: 1 },
        ],
      },
    });
    await sales(router, 300, [CARDS.visa, CARDS.visa2], () => tick());
    expect((await router.explain(saleRequest({ number: CARDS.visa }))).order[0]).toBe('a');
    failing = true;
    const after = await sales(router, 200, [CARDS.visa]);
    expect(share(after.slice(-100), CARDS.visa, 'b')).toBeGreaterThan(0.85);
    // Past the window's maximum age nothing is left: the pool falls back to its weights.
    tick(73 * 3_600_000);
    expect((await router.explain(saleRequest({ number: CARDS.visa }))).successRate![0].mode).toBe('fallback');
  });

  it('never explores into an ineligible MID: brands, disabled MIDs and rules apply first', async () => {
    const accounts: MerchantAccountConfig[] = [
      { id: 'a', adapter: sandbox({ id: 'a' }) },
      { id: 'b', adapter: sandbox({ id: 'b' }) },
      { id: 'visa-only', adapter: sandbox({ id: 'visa-only' }), brands: ['visa'] },
      { id: 'off', adapter: sandbox({ id: 'off' }), enabled: false },
      { id: 'excluded', adapter: sandbox({ id: 'excluded' }) },
    ];
    const { router } = setup({
      accounts,
      pool: { exploration: 0.5, minOutcomes: 5 },
      profile: { rules: [{ name: 'no excluded', when: { card: { brand: 'mastercard' } }, exclude: ['excluded'] }] },
    });
    const firsts = await sales(router, 400, [CARDS.mastercard]);
    const used = new Set(firsts.map((x) => x.mid));
    expect(used.has('visa-only') || used.has('off') || used.has('excluded')).toBe(false);
    expect(used).toEqual(new Set(['a', 'b']));
    const why = await router.explain(saleRequest({ number: CARDS.mastercard }));
    expect(why.successRate![0].members.map((m) => m.mid).sort()).toEqual(['a', 'b']);
  });

  it('caps and currencies still apply: the best MID with a full cap is skipped, one without the currency never tried', async () => {
    let n = 0;
    const accounts: MerchantAccountConfig[] = [
      { id: 'a', adapter: sandbox({ id: 'a' }), caps: { daily: { count: 40 } } },
      { id: 'b', adapter: sandbox({ id: 'b', respond: () => (n++ % 2 ? { status: 'approved' } : { status: 'declined', code: '05' }) }) },
      { id: 'eur', adapter: sandbox({ id: 'eur' }), currencies: ['EUR'] },
    ];
    const { router } = setup({ accounts, pool: { exploration: 0.2, minOutcomes: 5 } });
    const firsts = await sales(router, 120, [CARDS.visa]);
    expect(firsts.some((x) => x.mid === 'eur')).toBe(false);
    const onA = firsts.filter((x) => x.mid === 'a').length;
    expect(onA).toBe(40);
    // Once its cap is full the best estimate is still a, and every sale goes to b.
    expect(firsts.slice(-30).every((x) => x.mid === 'b')).toBe(true);
    const why = await router.explain(saleRequest({ number: CARDS.visa }));
    expect(why.successRate![0].members.map((m) => m.mid)).not.toContain('eur');
    expect(why.candidates.find((c) => c.mid === 'a')).toMatchObject({ eligible: false, reasons: [{ code: 'cap_reached' }] });
  });

  it('explores about `exploration` of its decisions, with a Thompson draw, and not at all with 0', async () => {
    for (const exploration of [0.1, 0]) {
      const { router } = setup({ pool: { exploration } });
      await sales(router, 200, [CARDS.visa, CARDS.mastercard]);
      let explored = 0;
      for (let i = 0; i < 2_000; i++) {
        const d = (await router.explain(saleRequest({ number: CARDS.visa }))).successRate![0];
        if (d.mode === 'explore') {
          explored++;
          expect(d.members[0]).toMatchObject({ mid: 'b', explored: true });
          expect(d.members[0].sample).toBeGreaterThan(0);
        } else expect(d.members[0].mid).toBe('a');
      }
      if (exploration) expect(explored / 2_000).toBeCloseTo(0.1, 1);
      else expect(explored).toBe(0);
    }
  });

  it('the same seed gives the same decisions', async () => {
    const run = async () =>
      (await sales(setup({ random: seeded(9) }).router, 300, [CARDS.visa, CARDS.mastercard])).map((x) => x.mid).join();
    expect(await run()).toBe(await run());
  });

  it('keeps the routing decision on the transaction, for success-rate and weighted pools alike', async () => {
    const { router } = setup({ pool: { exploration: 0 } });
    await sales(router, 100, [CARDS.visa, CARDS.mastercard]);
    const r = await router.sale(saleRequest({ number: CARDS.visa }));
    const tx = await router.transaction(r.unwrap().transactionId);
    expect(tx!.routing).toMatchObject({
      source: 'default',
      pools: ['smart'],
      candidates: [
        { mid: 'a', pool: 'smart' },
        { mid: 'b', pool: 'smart' },
      ],
    });
    const d = tx!.routing!.successRate![0];
    expect(d).toMatchObject({ pool: 'smart', mode: 'exploit', segments: ['brand=visa|cardType=credit', 'brand=visa', '*'] });
    expect(d.members.map((m) => m.mid)).toEqual(['a', 'b']);
    expect(d.members[0].estimate).toBeGreaterThan(0.8);

    const weighted = createRouter({
      merchantAccounts: [{ id: 'a', adapter: sandbox() }],
      profiles: [
        {
          id: 'default',
          pools: { main: { strategy: 'weighted', members: [{ mid: 'a', weight: 1 }] } },
          rules: [{ name: 'visa', when: { card: { brand: 'visa' } }, route: ['main'] }],
          route: ['main'],
        },
      ],
      store: memoryStore(),
    });
    const w = await weighted.sale(saleRequest());
    const routing = (await weighted.transaction(w.unwrap().transactionId))!.routing;
    expect(routing).toMatchObject({
      source: 'rule',
      rule: { name: 'visa' },
      pools: ['main'],
      candidates: [{ mid: 'a', strategy: 'weighted' }],
    });
    expect(routing!.successRate).toBeUndefined();
  });

  it('reads the store once per batch of windows it never saw, not per decision', async () => {
    const { router, tick } = setup({ over: { successRate: { cacheTtlMs: 60_000 } } });
    const stats = routerContext(router).approvals.stats;
    await sales(router, 300, [CARDS.visa, CARDS.mastercard, CARDS.visa2], () => tick(10));
    // Two MIDs × (three segments + brand levels + overall): a handful of first reads, then the cache.
    expect(stats.reads).toBeLessThanOrEqual(6);
    expect(stats.misses).toBe(stats.keysRead);
    const before = stats.reads;
    await sales(router, 300, [CARDS.visa, CARDS.mastercard], () => tick(10));
    expect(stats.reads).toBe(before);
    expect(stats.hits).toBeGreaterThan(2_000);
    // Past the time to live a decision is served from the cache while one batched read refreshes it.
    tick(60_000);
    await sales(router, 2, [CARDS.visa]);
    expect(stats.reads).toBe(before + 1);
    expect(stats.stale).toBeGreaterThan(0);
  });

  it('a slow or failing store read delays a decision at most firstReadWaitMs, and the sale goes through once', async () => {
    const inner = memoryStore();
    let hang = true;
    const store: Store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'approvalWindows')
          return (keys: Parameters<Store['approvalWindows']>[0]) =>
            hang ? new Promise<never>(() => {}) : Promise.reject(new Error('connection lost'));
        return Reflect.get(target, prop, receiver);
      },
    });
    const a = sandbox({ id: 'a' });
    const { router } = setup({ store, accounts: [{ id: 'a', adapter: a }], over: { successRate: { firstReadWaitMs: 30 } } });
    const t = Date.now();
    const r = await router.sale(saleRequest());
    expect(r.isOk()).toBe(true);
    expect(Date.now() - t).toBeLessThan(2_000);
    hang = false;
    expect((await router.sale(saleRequest({ number: CARDS.mastercard }))).isOk()).toBe(true);
    expect(a.charges.size).toBe(2);
  });
});

describe('what counts in a MID’s approval windows', () => {
  const windows = (store: Store, mid = 'a') => store.approvalWindows([{ mid, segment: '*' }]);

  it('approvals for, soft issuer declines and processing errors against; the card’s own declines, challenges and ambiguous outcomes not at all', async () => {
    const { router, store } = setup({ accounts: [{ id: 'a', adapter: sandbox({ id: 'a', respond: testCardResponse }) }] });
    const ignored = [CARDS.insufficientFunds, CARDS.stolen, CARDS.lost, '4000000000000069', '4000000000000127', '4000000000000077'];
    for (const card of [...ignored, CARDS.timeout, CARDS.threeDS]) await router.sale(saleRequest({ number: card }));
    expect(await windows(store)).toEqual([]);
    await router.sale(saleRequest({ number: CARDS.doNotHonor }));
    await router.sale(saleRequest({ number: '4000000000000119' })); // 96 processing error
    await router.sale(saleRequest({ number: CARDS.cleanError })); // the gateway's error before processing: nothing charged
    await router.sale(saleRequest({ number: CARDS.visa }));
    const [w] = await windows(store);
    expect(w.total).toBeCloseTo(1 + 0.995 + 0.995 ** 2 + 0.995 ** 3, 9);
    expect(w.approved).toBe(1);
  });

  it('only the first gateway attempt counts (a cascade sees a card another MID just declined), and rebills never', async () => {
    const accounts: MerchantAccountConfig[] = [
      { id: 'a', adapter: sandbox({ id: 'a', respond: () => ({ status: 'declined', code: '05' }) }) },
      { id: 'b', adapter: sandbox({ id: 'b' }) },
    ];
    const { router, store } = setup({
      accounts,
      pool: { fallback: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] },
      profile: { cascade: { maxAttempts: 2, on: 'soft' } },
    });
    const r = await router.sale(saleRequest({ subscription: { id: 'sub-1' } }));
    expect(r.unwrap().attempts.map((x) => [x.mid, x.outcome])).toEqual([
      ['a', 'declined'],
      ['b', 'approved'],
    ]);
    expect((await windows(store, 'a'))[0]).toMatchObject({ approved: 0, total: 1 });
    expect(await windows(store, 'b')).toEqual([]);
    expect((await router.rebill({ subscriptionId: 'sub-1', amount: 1999, currency: 'USD', idempotencyKey: 'rb-1' })).isOk()).toBe(true);
    expect(await windows(store, 'b')).toEqual([]);
  });
});

describe('configuration', () => {
  const base =
    (pool: Record<string, unknown>, extra: Partial<RouterConfig> = {}) =>
    () =>
      createRouter({
        merchantAccounts: [{ id: 'a', adapter: sandbox() }],
        profiles: [{ id: 'p', pools: { smart: { members: [{ mid: 'a' }], ...pool } as never }, route: ['smart'] }],
        store: memoryStore(),
        ...extra,
      });
  const problems = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
      throw e;
    }
    return [];
  };

  it('names every bad setting by its path', () => {
    expect(problems(base({ strategy: 'weighted', members: [{ mid: 'a', weight: 1 }], exploration: 0.1 }))).toEqual([
      'profiles[0].pools.smart.exploration: only success_rate pools take this setting',
    ]);
    expect(problems(base({ strategy: 'success_rate', window: { outcomes: 50 }, minOutcomes: 60 }))).toEqual([
      "profiles[0].pools.smart.minOutcomes: must not exceed the window's 50 outcomes",
    ]);
    expect(problems(base({ strategy: 'success_rate', segments: ['brand', 'shoeSize'] })).join()).toMatch(/pools\.smart\.segments\[1\]/);
    expect(problems(base({ strategy: 'success_rate', segments: ['brand', 'brand'] })).join()).toMatch(/lists a dimension twice/);
    expect(problems(base({ strategy: 'success_rate', exploration: 0.9 })).join()).toMatch(/exploration: must be ≤ 0.5/);
    expect(problems(base({ strategy: 'smartest' })).join()).toMatch(/pools\.smart\.strategy: unknown strategy "smartest"/);
    expect(problems(base({ strategy: 'success_rate' }, { successRate: { cacheTtlMs: -1 } }))).toEqual([
      'successRate.cacheTtlMs: must be a number of milliseconds ≥ 0',
    ]);
    expect(problems(base({ strategy: 'priority' }, { strategies: { weighted: () => {} } }))).toEqual([
      'strategies.weighted: "weighted" is a built-in strategy; give yours another name',
    ]);
  });

  it('plugs in a strategy of yours: it orders the eligible members, sees the request, and eligibility still applies', async () => {
    const seen: string[] = [];
    const reverse: PoolStrategy = (out, pool, _random, allowed, env) => {
      seen.push(`${env!.request.brand}:${env!.request.amount}`);
      for (const mid of [...pool.mids].reverse()) if ((!allowed || allowed(mid)) && !out.includes(mid)) out.push(mid);
    };
    const router = createRouter({
      merchantAccounts: [
        { id: 'a', adapter: sandbox() },
        { id: 'b', adapter: sandbox() },
        { id: 'c', adapter: sandbox(), currencies: ['EUR'] },
      ],
      profiles: [
        { id: 'default', pools: { mine: { strategy: 'reverse', members: [{ mid: 'a' }, { mid: 'b' }, { mid: 'c' }] } }, route: ['mine'] },
      ],
      store: memoryStore(),
      strategies: { reverse },
    });
    expect((await router.explain(saleRequest())).order).toEqual(['b', 'a']);
    expect((await router.sale(saleRequest())).unwrap().mid).toBe('b');
    expect(seen).toEqual(['visa:1999', 'visa:1999']);
  });
});
