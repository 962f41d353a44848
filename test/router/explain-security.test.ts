import { describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import type { RouterEventName } from '../../src/events';
import { CARDS, saleRequest, testRouter, totalCalls } from '../support/router';

describe('explain', () => {
  it('returns the decision without calling a gateway or changing state', async () => {
    const a = sandbox();
    const b = sandbox();
    const { router, store } = testRouter(
      {
        pools: {
          main: {
            strategy: 'weighted',
            members: [
              { mid: 'a', weight: 70 },
              { mid: 'b', weight: 30 },
            ],
          },
        },
        rules: [{ name: 'EUR off b', when: { currency: 'EUR' }, exclude: ['b'] }],
        route: ['main'],
        cascade: { maxAttempts: 2, on: 'soft' },
      },
      [
        { id: 'a', adapter: a, caps: { monthly: { amount: 100_000 } } },
        { id: 'b', adapter: b },
      ],
    );
    const req = saleRequest({ currency: 'EUR', subscription: { id: 'never-created' } });
    const e = await router.explain(req);
    expect(e).toMatchObject({
      valid: true,
      profile: 'default',
      route: ['main'],
      filters: ['EUR off b'],
      order: ['a'],
      cascade: { maxAttempts: 2, on: 'soft' },
      card: { brand: 'visa', masked: '411111******1111' },
    });
    expect(e.candidates).toEqual([
      { mid: 'a', gateway: 'sandbox', eligible: true, position: 0, reasons: [] },
      { mid: 'b', gateway: 'sandbox', eligible: false, reasons: [{ code: 'excluded_by_rule', message: 'excluded by rule "EUR off b"' }] },
    ]);
    expect(totalCalls({ a, b })).toBe(0);
    expect(await router.pin('never-created')).toBeUndefined();
    expect((await store.capUsage('a', [{ window: 'monthly', key: `${new Date().toISOString().slice(0, 7)}:EUR` }]))[0].amount).toBe(0);
    // The idempotency key was not claimed: the real sale goes through.
    expect((await router.sale(req)).isOk()).toBe(true);
  });

  it('reports an invalid request instead of throwing', async () => {
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] }, [
      { id: 'a', adapter: sandbox() },
    ]);
    const e = await router.explain({ ...saleRequest(), currency: 'ZZZ' });
    expect(e).toMatchObject({ valid: false, issue: { field: 'currency' } });
  });

  it('shows network-rule blocks and an open circuit as reasons', async () => {
    let fail = true;
    const a = sandbox({ respond: () => (fail ? { status: 'error', ambiguous: false, message: 'HTTP 503' } : { status: 'approved' }) });
    const b = sandbox();
    const { router } = testRouter(
      { pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] } }, route: ['p'], cascade: { maxAttempts: 2 } },
      [
        { id: 'a', adapter: a },
        { id: 'b', adapter: b },
      ],
      { circuit: { threshold: 2, cooldownMs: 60_000 } },
    );
    const opened: string[] = [];
    router.on('circuit:open', (e) => opened.push(e.mid));
    await router.sale(saleRequest());
    await router.sale(saleRequest());
    expect(opened).toEqual(['a']);
    const e = await router.explain(saleRequest());
    expect(e.candidates.find((c) => c.mid === 'a')?.reasons.map((r) => r.code)).toEqual(['circuit_open']);
    expect(e.order).toEqual(['b']);
    fail = false;
    const stolen = await router.sale(saleRequest({ number: CARDS.stolen }));
    expect(stolen.isErr() && stolen.error.attempts.map((x) => x.mid)).toEqual(['b']);
    const e2 = await router.explain(saleRequest({ number: CARDS.stolen }));
    expect(e2.candidates.find((c) => c.mid === 'b')?.reasons[0]).toMatchObject({ code: 'network_rule' });
  });
});

describe('no PAN or CVC in events, results, errors or the store', () => {
  it('a run through every outcome leaks neither', async () => {
    const pans = Object.values(CARDS);
    const a = sandbox();
    const b = sandbox({
      respond: (r) =>
        r.amount === 1313
          ? { status: 'error', ambiguous: false, message: `bad card ${r.card?.number} cvc=${r.card?.cvc}` }
          : { status: 'approved' },
    });
    const { router, store } = testRouter(
      { pools: { p: { strategy: 'priority', members: [{ mid: 'b' }, { mid: 'a' }] } }, route: ['p'], cascade: { maxAttempts: 2 } },
      [
        { id: 'a', adapter: a },
        { id: 'b', adapter: b },
      ],
    );
    const seen: unknown[] = [];
    const names: RouterEventName[] = [
      'attempt',
      'approved',
      'declined',
      'cascade',
      'ambiguous',
      'cap:reached',
      'circuit:open',
      'circuit:close',
      'pin:created',
      'pin:moved',
      'subscription:revoked',
    ];
    for (const n of names) router.on(n, (p) => seen.push(p));
    const results: unknown[] = [];
    const txIds: string[] = [];
    for (const [i, number] of pans.entries()) {
      for (const amount of [1313, 1999]) {
        const cvc = number === CARDS.amex ? '9876' : '987';
        const r = await router.sale(
          saleRequest({ number, amount, card: { number, expMonth: 12, expYear: 2030, cvc }, subscription: { id: `s-${i}-${amount}` } }),
        );
        results.push(r.isOk() ? r.value : r.error);
        const id = r.isOk() ? r.value.transactionId : r.error.transactionId;
        if (id) txIds.push(id);
      }
    }
    results.push(
      (await router.sale({ ...saleRequest(), card: { number: '4111111111111112', expMonth: 1, expYear: 2030, cvc: '987' } })).unwrapErr(),
    );
    const stored = await Promise.all(txIds.map(async (id) => [await store.getTransaction(id), await store.listAttempts(id)]));
    const text = JSON.stringify([seen, results, stored]);
    expect(seen.length).toBeGreaterThan(20);
    for (const pan of [...pans, '4111111111111112']) expect(text).not.toContain(pan);
    expect(text).not.toMatch(/cvc=\d/);
    expect(text).not.toContain('"987"');
    expect(text).toContain('411111******1111');
  });
});
