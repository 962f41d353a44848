import { describe, expect, it } from 'vitest';
import { buildBinTable } from '../../src/card/bin-table';
import type { Condition } from '../../src/profile/schema';
import { CARDS, saleRequest, sandboxMids, testRouter, totalCalls } from '../support/router';
import type { PaymentRequest } from '../../src/types';

// A BIN table that gives the test cards type, prepaid, country and issuer.
const bins = buildBinTable([
  { start: '411111', type: 'credit', prepaid: false, country: 'US', issuer: 'JPMorgan Chase Bank' },
  { start: '424242', type: 'debit', prepaid: true, country: 'GB', issuer: 'Barclays Bank PLC' },
  { start: '555555', type: 'credit', prepaid: false, country: 'DE', issuer: 'Deutsche Bank' },
]);

/** Route to pool `hit` when `when` matches, else to `miss`; returns which pool the request went to. */
async function routesTo(when: Condition, req: PaymentRequest): Promise<'hit' | 'miss'> {
  const { accounts } = sandboxMids(['hit-mid', 'miss-mid']);
  const { router } = testRouter(
    {
      pools: {
        hit: { strategy: 'priority', members: [{ mid: 'hit-mid' }] },
        miss: { strategy: 'priority', members: [{ mid: 'miss-mid' }] },
      },
      rules: [{ name: 'r', when, route: ['hit'] }],
      route: ['miss'],
    },
    accounts,
    { bins },
  );
  const e = await router.explain(req);
  expect(e.valid).toBe(true);
  return e.order[0] === 'hit-mid' ? 'hit' : 'miss';
}

describe('rule matchers (each: a request that matches and one that does not)', () => {
  const cases: Array<[string, Condition, PaymentRequest, PaymentRequest]> = [
    ['card.brand', { card: { brand: ['mastercard'] } }, saleRequest({ number: CARDS.mastercard }), saleRequest({ number: CARDS.visa })],
    ['card.brand amex alias', { card: { brand: 'amex' } }, saleRequest({ number: CARDS.amex }), saleRequest({ number: CARDS.discover })],
    ['card.type', { card: { type: ['debit'] } }, saleRequest({ number: CARDS.visa2 }), saleRequest({ number: CARDS.visa })],
    ['card.prepaid', { card: { prepaid: true } }, saleRequest({ number: CARDS.visa2 }), saleRequest({ number: CARDS.visa })],
    ['card.prepaid false', { card: { prepaid: false } }, saleRequest({ number: CARDS.visa }), saleRequest({ number: CARDS.visa2 })],
    ['card.country', { card: { country: ['GB', 'IE'] } }, saleRequest({ number: CARDS.visa2 }), saleRequest({ number: CARDS.visa })],
    [
      'card.issuer substring, any case',
      { card: { issuer: 'barclays' } },
      saleRequest({ number: CARDS.visa2 }),
      saleRequest({ number: CARDS.visa }),
    ],
    ['card.bin prefix', { card: { bin: ['4111'] } }, saleRequest({ number: CARDS.visa }), saleRequest({ number: CARDS.visa2 })],
    ['card.bin 8-digit prefix', { card: { bin: '42424242' } }, saleRequest({ number: CARDS.visa2 }), saleRequest({ number: CARDS.visa })],
    ['card.bin range', { card: { bin: ['424200-424299'] } }, saleRequest({ number: CARDS.visa2 }), saleRequest({ number: CARDS.visa })],
    ['amount gt', { amount: { gt: 5000 } }, saleRequest({ amount: 5001 }), saleRequest({ amount: 5000 })],
    ['amount gte', { amount: { gte: 5000 } }, saleRequest({ amount: 5000 }), saleRequest({ amount: 4999 })],
    ['amount lt', { amount: { lt: 100 } }, saleRequest({ amount: 99 }), saleRequest({ amount: 100 })],
    ['amount lte + gte', { amount: { gte: 100, lte: 200 } }, saleRequest({ amount: 200 }), saleRequest({ amount: 201 })],
    ['currency', { currency: ['EUR', 'GBP'] }, saleRequest({ currency: 'EUR' }), saleRequest({ currency: 'USD' })],
    [
      'customer.country',
      { customer: { country: 'FR' } },
      saleRequest({ customer: { country: 'fr' } }),
      saleRequest({ customer: { country: 'US' } }),
    ],
    [
      'billing.country',
      { billing: { country: ['DE'] } },
      saleRequest({ billing: { country: 'DE' } }),
      saleRequest({ billing: { country: 'AT' } }),
    ],
    ['tags (any of)', { tags: ['trial', 'vip'] }, saleRequest({ tags: ['x', 'vip'] }), saleRequest({ tags: ['x'] })],
    [
      'metadata value',
      { metadata: { funnel: 'a' } },
      saleRequest({ metadata: { funnel: 'a' } }),
      saleRequest({ metadata: { funnel: 'b' } }),
    ],
    ['metadata list', { metadata: { funnel: ['a', 'b'] } }, saleRequest({ metadata: { funnel: 'b' } }), saleRequest({ metadata: {} })],
    ['kind', { kind: 'sale' }, saleRequest(), saleRequest()],
    [
      'any',
      { any: [{ currency: 'EUR' }, { card: { brand: 'mastercard' } }] },
      saleRequest({ number: CARDS.mastercard }),
      saleRequest({ number: CARDS.visa }),
    ],
    ['not', { not: { card: { country: 'US' } } }, saleRequest({ number: CARDS.mastercard }), saleRequest({ number: CARDS.visa })],
    [
      'AND of matchers',
      { card: { brand: 'visa' }, amount: { gt: 1000 } },
      saleRequest({ amount: 1001 }),
      saleRequest({ number: CARDS.mastercard, amount: 1001 }),
    ],
  ];
  for (const [name, when, yes, no] of cases) {
    it(name, async () => {
      expect(await routesTo(when, yes)).toBe('hit');
      if (name !== 'kind') expect(await routesTo(when, no)).toBe('miss');
    });
  }

  it('kind: a rule for authorizations does not match sales', async () => {
    expect(await routesTo({ kind: ['authorize', 'verify'] }, saleRequest())).toBe('miss');
  });

  it('a card missing from the BIN table still routes, and unknown-field rules do not match it', async () => {
    const unknown = saleRequest({ number: CARDS.discover });
    expect(await routesTo({ card: { prepaid: true } }, unknown)).toBe('miss');
    expect(await routesTo({ card: { prepaid: false } }, unknown)).toBe('miss');
    expect(await routesTo({ card: { country: 'US' } }, unknown)).toBe('miss');
    expect(await routesTo({ not: { card: { type: 'credit' } } }, unknown)).toBe('hit');
  });
});

describe('decisive rules and filters', () => {
  const { accounts, adapters } = sandboxMids(['a', 'b', 'c', 'humboldt-1']);
  const { router } = testRouter(
    {
      pools: {
        main: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'humboldt-1' }] },
        backup: { strategy: 'priority', members: [{ mid: 'b' }] },
        prepaid: { strategy: 'priority', members: [{ mid: 'c' }] },
      },
      rules: [
        { name: 'MC trials off humboldt', when: { card: { brand: ['mastercard'] }, tags: ['trial'] }, exclude: ['humboldt-1'] },
        { name: 'prepaid cards', when: { card: { prepaid: true } }, route: ['prepaid', 'backup'] },
        { name: 'no amex', when: { card: { brand: ['amex'] } }, reject: 'card_not_supported' },
        { name: 'big tickets', when: { amount: { gt: 10_000 } }, route: ['backup'] },
        { name: 'EUR to backup', when: { currency: 'EUR' }, exclude: ['a'] },
      ],
      route: ['main', 'backup'],
    },
    accounts,
    { bins },
  );

  it('the first decisive rule that matches wins', async () => {
    const e = await router.explain(saleRequest({ number: CARDS.visa2, amount: 20_000 }));
    expect(e.rule).toEqual({ name: 'prepaid cards', index: 1, action: 'route' });
    expect(e.order).toEqual(['c', 'b']);
  });

  it('a reject rule refuses the sale before any gateway call', async () => {
    const r = await router.sale(saleRequest({ number: CARDS.amex }));
    expect(r.isErr() && r.error).toMatchObject({ kind: 'rejected', rejection: 'card_not_supported' });
    expect(r.isErr() && r.error.message).toContain('no amex');
    expect(r.isErr() && r.error.attempts).toEqual([]);
    expect(totalCalls(adapters)).toBe(0);
  });

  it('every matching filter removes its MIDs; filters do not stop the default route', async () => {
    const e = await router.explain(saleRequest({ number: CARDS.mastercard, tags: ['trial'], currency: 'EUR' }));
    expect(e.rule).toBeUndefined();
    expect(e.filters).toEqual(['MC trials off humboldt', 'EUR to backup']);
    expect(e.order).toEqual(['b']);
    const reasons = Object.fromEntries(e.candidates.filter((c) => !c.eligible).map((c) => [c.mid, c.reasons.map((r) => r.message)]));
    expect(reasons).toEqual({ a: ['excluded by rule "EUR to backup"'], 'humboldt-1': ['excluded by rule "MC trials off humboldt"'] });
  });

  it('without a matching rule the default route applies in pool order', async () => {
    const e = await router.explain(saleRequest());
    expect(e.rule).toBeUndefined();
    expect(e.route).toEqual(['main', 'backup']);
    expect(e.order).toEqual(['a', 'humboldt-1', 'b']);
  });
});
