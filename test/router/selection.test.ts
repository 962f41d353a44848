import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/store/memory';
import { CARDS, saleRequest, sandboxMids, seeded, testRouter } from '../support/router';

describe('weighted and priority pools', () => {
  it('a 70/30 weighted pool lands within ±2 points over 20,000 sales', async () => {
    const { accounts, adapters } = sandboxMids(['nmi-1', 'anet-1']);
    const { router } = testRouter(
      {
        pools: {
          main: {
            strategy: 'weighted',
            members: [
              { mid: 'nmi-1', weight: 70 },
              { mid: 'anet-1', weight: 30 },
            ],
          },
        },
        route: ['main'],
      },
      accounts,
      { random: seeded(7) },
    );
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const r = await router.sale(saleRequest());
      expect(r.isOk()).toBe(true);
      const mid = r.unwrap().mid;
      counts[mid] = (counts[mid] ?? 0) + 1;
    }
    const share = counts['nmi-1'] / 20_000;
    expect(share).toBeGreaterThanOrEqual(0.68);
    expect(share).toBeLessThanOrEqual(0.72);
    expect(adapters['nmi-1'].charges.size + adapters['anet-1'].charges.size).toBe(20_000);
  }, 60_000);

  it('the weighted draw orders the rest by further draws (every member appears once)', async () => {
    const { accounts } = sandboxMids(['a', 'b', 'c']);
    const { router } = testRouter(
      {
        pools: {
          p: {
            strategy: 'weighted',
            members: [
              { mid: 'a', weight: 1 },
              { mid: 'b', weight: 1 },
              { mid: 'c', weight: 98 },
            ],
          },
        },
        route: ['p'],
      },
      accounts,
      { random: seeded(3) },
    );
    const firsts: Record<string, number> = {};
    for (let i = 0; i < 500; i++) {
      const e = await router.explain(saleRequest());
      expect([...e.order].sort()).toEqual(['a', 'b', 'c']);
      firsts[e.order[0]] = (firsts[e.order[0]] ?? 0) + 1;
    }
    expect(firsts.c).toBeGreaterThan(450);
  });

  it('weights only among eligible members: an ineligible heavy member does not skew the others', async () => {
    const { accounts } = sandboxMids(['heavy', 'x', 'y']);
    accounts[0].currencies = ['EUR'];
    const { router } = testRouter(
      {
        pools: {
          p: {
            strategy: 'weighted',
            members: [
              { mid: 'heavy', weight: 90 },
              { mid: 'x', weight: 5 },
              { mid: 'y', weight: 5 },
            ],
          },
        },
        route: ['p'],
      },
      accounts,
      { random: seeded(11) },
    );
    let x = 0;
    for (let i = 0; i < 2000; i++) if ((await router.explain(saleRequest())).order[0] === 'x') x++;
    expect(x / 2000).toBeGreaterThan(0.45);
    expect(x / 2000).toBeLessThan(0.55);
  });

  it('priority keeps list order; a route concatenates pools without duplicates', async () => {
    const { accounts } = sandboxMids(['a', 'b', 'c']);
    const { router } = testRouter(
      {
        pools: {
          one: { strategy: 'priority', members: [{ mid: 'b' }, { mid: 'a' }] },
          two: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'c' }] },
        },
        route: ['one', 'two'],
      },
      accounts,
    );
    expect((await router.explain(saleRequest())).order).toEqual(['b', 'a', 'c']);
  });
});

describe('eligibility: explain says why a MID is not eligible', () => {
  it('disabled, brand, currency, min and max amount, cap', async () => {
    const { adapters } = sandboxMids(['x']);
    const { sandbox } = await import('../../adapters/sandbox');
    const store = memoryStore();
    const accounts = [
      { id: 'ok', adapter: sandbox() },
      { id: 'off', adapter: sandbox(), enabled: false },
      { id: 'visa-only', adapter: sandbox(), brands: ['visa'] },
      { id: 'eur-only', adapter: sandbox(), currencies: ['EUR'] },
      { id: 'min', adapter: sandbox(), minAmount: 5000 },
      { id: 'max', adapter: sandbox(), maxAmount: 1000 },
      { id: 'capped', adapter: sandbox(), caps: { daily: { amount: 3000 } } },
      { id: 'no-auth', adapter: sandbox({ capabilities: { authorize: false } }) },
    ];
    expect(adapters.x).toBeDefined();
    const { router } = testRouter(
      { pools: { all: { strategy: 'priority', members: accounts.map((a) => ({ mid: a.id })) } }, route: ['all'] },
      accounts,
      { store },
    );
    // Use up most of the daily cap.
    expect((await router.sale(saleRequest({ amount: 2500, profile: 'default' }))).unwrap().mid).toBe('ok');
    router.setMidEnabled('ok', false, 'MID under review');
    expect((await router.sale(saleRequest({ amount: 2500 }))).unwrap().mid).toBe('visa-only');
    const capped = await router.sale(saleRequest({ amount: 2500, number: CARDS.mastercard }));
    expect(capped.unwrap().mid).toBe('capped');

    const e = await router.explain(saleRequest({ number: CARDS.mastercard, amount: 2000 }));
    const why = Object.fromEntries(e.candidates.map((c) => [c.mid, c.reasons.map((r) => r.code)]));
    expect(why).toEqual({
      ok: ['disabled'],
      off: ['disabled'],
      'visa-only': ['brand_not_accepted'],
      'eur-only': ['currency_not_accepted'],
      min: ['below_min_amount'],
      max: ['above_max_amount'],
      capped: ['cap_reached'],
      'no-auth': [],
    });
    expect(e.candidates.find((c) => c.mid === 'ok')!.reasons[0].message).toContain('MID under review');
    expect(e.order).toEqual(['no-auth']);
    const auth = await router.authorize(saleRequest({ number: CARDS.mastercard, amount: 2000 }));
    expect(auth.isErr() && auth.error.rejection).toBe('no_eligible_mid');
    expect(auth.isErr() && auth.error.message).toMatch(/no-auth \(operation_not_supported\)/);
  });
});

describe('caps', () => {
  it('are never exceeded by 100 concurrent sales, and a decline gives its reservation back', async () => {
    const { sandbox } = await import('../../adapters/sandbox');
    let n = 0;
    const a = sandbox({
      latencyMs: () => Math.floor(Math.random() * 5),
      respond: () => (++n % 5 === 0 ? { status: 'declined', code: '05' } : { status: 'approved' }),
    });
    const { router, store } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'capped' }] } }, route: ['p'] }, [
      { id: 'capped', adapter: a, caps: { monthly: { amount: 50_000 } } },
    ]);
    const results = await Promise.all(Array.from({ length: 100 }, () => router.sale(saleRequest({ amount: 1000 }))));
    const approved = results.filter((r) => r.isOk()).length;
    const charged = () => [...a.charges.values()].reduce((s, c) => s + c.amount, 0);
    expect(approved).toBeGreaterThan(0);
    expect(charged()).toBe(approved * 1000);
    expect(charged()).toBeLessThanOrEqual(50_000);
    const month = new Date().toISOString().slice(0, 7);
    const usage = async () => (await store.capUsage('capped', [{ window: 'monthly', key: `${month}:USD` }]))[0].amount;
    // Only approvals hold cap: declined reservations were given back.
    expect(await usage()).toBe(charged());
    // Later sales fill the cap exactly, never past it.
    for (let i = 0; i < 30; i++) await router.sale(saleRequest({ amount: 1000 }));
    expect(charged()).toBe(50_000);
    expect(await usage()).toBe(50_000);
    const rejected = results.filter((r) => r.isErr() && r.error.kind === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((r) => r.isErr() && r.error.rejection === 'no_eligible_mid' && /cap/.test(r.error.message))).toBe(true);
  });

  it('count caps and daily windows; cap:reached is emitted; the next MID takes the sale', async () => {
    const { accounts } = sandboxMids(['small', 'big']);
    accounts[0].caps = { daily: { count: 2 } };
    let day = Date.UTC(2026, 10, 21, 10);
    const { router } = testRouter(
      { pools: { p: { strategy: 'priority', members: [{ mid: 'small' }, { mid: 'big' }] } }, route: ['p'] },
      accounts,
      { clock: () => day },
    );
    const reached: string[] = [];
    router.on('cap:reached', (e) => reached.push(`${e.mid}:${e.window}:${e.key}`));
    const mids = [];
    for (let i = 0; i < 3; i++) mids.push((await router.sale(saleRequest())).unwrap().mid);
    expect(mids).toEqual(['small', 'small', 'big']);
    expect(reached).toEqual(['small:daily:2026-11-21:USD']);
    day += 24 * 3_600_000;
    expect((await router.sale(saleRequest())).unwrap().mid).toBe('small');
  });

  it('a void gives the cap back', async () => {
    const { accounts } = sandboxMids(['m']);
    accounts[0].caps = { monthly: { amount: 2000 } };
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'm' }] } }, route: ['p'] }, accounts);
    const auth = (await router.authorize(saleRequest({ amount: 2000 }))).unwrap();
    expect((await router.authorize(saleRequest({ amount: 2000 }))).isErr()).toBe(true);
    expect((await router.void(auth.transactionId)).isOk()).toBe(true);
    expect((await router.authorize(saleRequest({ amount: 2000 }))).isOk()).toBe(true);
  });
});
