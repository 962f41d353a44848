import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { ConfigError } from '../../src/errors';
import { CARDS, saleRequest, testRouter, totalCalls } from '../support/router';
import type { PanCardInput, PaymentRequest } from '../../src/types';

function oneMid() {
  const a = sandbox();
  const { router, store } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] }, [
    { id: 'a', adapter: a },
  ]);
  return { router, store, a };
}

describe('idempotency', () => {
  it('the same key with the same request returns the first result without a second gateway call', async () => {
    const { router, a } = oneMid();
    const req = saleRequest();
    const first = (await router.sale(req)).unwrap();
    const second = (await router.sale({ ...req, card: { ...req.card } })).unwrap();
    expect(second).toMatchObject({ ...first, replayed: true });
    expect(a.calls.sale).toBe(1);
    const declined = saleRequest({ number: CARDS.doNotHonor });
    await router.sale(declined);
    const replay = await router.sale(declined);
    expect(replay.isErr() && replay.error.replayed).toBe(true);
    expect(a.calls.sale).toBe(2);
  });

  it('the same key with a different request is rejected', async () => {
    const { router, a } = oneMid();
    const req = saleRequest();
    await router.sale(req);
    const other = await router.sale({ ...req, amount: req.amount + 1 });
    expect(other.isErr() && other.error).toMatchObject({ kind: 'rejected', rejection: 'idempotency_conflict', field: 'idempotencyKey' });
    const otherCard = await router.sale({ ...req, card: { ...(req.card as PanCardInput), number: CARDS.visa2 } });
    expect(otherCard.isErr() && otherCard.error.rejection).toBe('idempotency_conflict');
    expect(a.calls.sale).toBe(1);
  });

  it('concurrent requests with one key make one gateway call', async () => {
    const a = sandbox({ latencyMs: 20 });
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a },
    ]);
    const req = saleRequest();
    const results = await Promise.all(Array.from({ length: 10 }, () => router.sale(req)));
    expect(a.calls.sale).toBe(1);
    expect(results.filter((r) => r.isOk())).toHaveLength(1);
    expect(results.filter((r) => r.isErr() && r.error.rejection === 'idempotency_in_progress')).toHaveLength(9);
    expect((await router.sale(req)).unwrap().replayed).toBe(true);
  });

  it('sale and authorize keys are separate; rebills, captures and refunds are idempotent too', async () => {
    const { router, a } = oneMid();
    const sale = (await router.sale(saleRequest({ idempotencyKey: 'k', subscription: { id: 's' } }))).unwrap();
    expect((await router.authorize(saleRequest({ idempotencyKey: 'k' }))).isOk()).toBe(true);
    const rb = { subscriptionId: 's', amount: 100, currency: 'USD', idempotencyKey: 'rb' };
    await router.rebill(rb);
    expect((await router.rebill(rb)).unwrap().replayed).toBe(true);
    await router.refund(sale.transactionId, { amount: 100, idempotencyKey: 'rf' });
    expect((await router.refund(sale.transactionId, { amount: 100, idempotencyKey: 'rf' })).unwrap().replayed).toBe(true);
    expect(a.calls.refund).toBe(1);
    expect(a.calls.sale).toBe(2);
  });
});

describe('request validation: rejected before any gateway call, naming the field', () => {
  const cases: Array<[string, (r: PaymentRequest) => unknown, string, RegExp]> = [
    ['Luhn', (r) => ({ ...r, card: { ...r.card, number: '4111111111111112' } }), 'card.number', /Luhn/],
    ['letters in the PAN', (r) => ({ ...r, card: { ...r.card, number: '4111abcd11111111' } }), 'card.number', /digits/],
    ['length for the brand', (r) => ({ ...r, card: { ...r.card, number: '41111111111114' } }), 'card.number', /visa cards have/],
    ['expiry in the past', (r) => ({ ...r, card: { ...r.card, expMonth: 10, expYear: 2026 } }), 'card.expYear', /expired/],
    ['month outside 1–12', (r) => ({ ...r, card: { ...r.card, expMonth: 13 } }), 'card.expMonth', /1 to 12/],
    ['month zero', (r) => ({ ...r, card: { ...r.card, expMonth: 0 } }), 'card.expMonth', /1 to 12/],
    ['two-digit year', (r) => ({ ...r, card: { ...r.card, expYear: 30 } }), 'card.expYear', /four-digit/],
    ['CVC length', (r) => ({ ...r, card: { ...r.card, cvc: '12' } }), 'card.cvc', /3 digits/],
    [
      'Amex CVC length',
      (r) => ({ ...r, card: { ...r.card, number: CARDS.amex, cvc: '123' } }),
      'card.cvc',
      /4 digits for american-express/,
    ],
    ['amount zero', (r) => ({ ...r, amount: 0 }), 'amount', /positive safe integer/],
    ['amount fractional', (r) => ({ ...r, amount: 19.99 }), 'amount', /positive safe integer/],
    ['amount negative', (r) => ({ ...r, amount: -5 }), 'amount', /positive/],
    ['amount unsafe', (r) => ({ ...r, amount: 2 ** 53 }), 'amount', /safe integer/],
    ['amount as string', (r) => ({ ...r, amount: '1999' }), 'amount', /positive/],
    ['unknown currency', (r) => ({ ...r, currency: 'XYZ' }), 'currency', /ISO 4217/],
    ['lower-case currency', (r) => ({ ...r, currency: 'usd' }), 'currency', /ISO 4217/],
    ['missing idempotency key', (r) => ({ ...r, idempotencyKey: undefined }), 'idempotencyKey', /required/],
    ['unknown profile', (r) => ({ ...r, profile: 'nope' }), 'profile', /no profile/],
    ['customer country', (r) => ({ ...r, customer: { country: 'USA' } }), 'customer.country', /alpha-2/],
    ['10,000 tags', (r) => ({ ...r, tags: Array.from({ length: 10_000 }, (_, i) => `t${i}`) }), 'tags', /at most/],
    ['1 MB metadata value', (r) => ({ ...r, metadata: { big: 'x'.repeat(1_000_000) } }), 'metadata.big', /at most/],
  ];
  for (const [name, mutate, field, message] of cases) {
    it(name, async () => {
      const { router, a, store } = oneMid();
      const r = await createLike(router, mutate(saleRequest({ idempotencyKey: 'v-1' })));
      expect(r.isErr()).toBe(true);
      const f = r.isErr() ? r.error : undefined;
      expect(f?.kind).toBe('rejected');
      expect(f?.field).toBe(field);
      expect(f?.message).toMatch(message);
      expect(f?.message.startsWith(field)).toBe(true);
      expect(totalCalls({ a })).toBe(0);
      // Nothing half-written: the key is still free for a corrected request.
      expect(await store.getClaim('sale:v-1')).toBeUndefined();
    });
  }

  it('any malformed request gives a rejected Failure, never a throw, never a gateway call (property)', async () => {
    const { router, a } = oneMid();
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            profile: fc.oneof(fc.constant('default'), fc.string()),
            idempotencyKey: fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)),
            amount: fc.oneof(fc.integer(), fc.double(), fc.string()),
            currency: fc.oneof(fc.constant('USD'), fc.string()),
            card: fc.oneof(
              fc.constant(undefined),
              fc.record({
                number: fc.oneof(fc.string(), fc.constant('4111111111111112')),
                expMonth: fc.integer(),
                expYear: fc.integer(),
                cvc: fc.string(),
              }),
            ),
          },
          { requiredKeys: [] },
        ),
        async (req) => {
          const r = await router.sale(req as unknown as PaymentRequest);
          expect(r.isErr() && r.error.kind).toBe('rejected');
        },
      ),
      { numRuns: 300 },
    );
    expect(totalCalls({ a })).toBe(0);
  });
});

async function createLike(router: ReturnType<typeof oneMid>['router'], req: unknown) {
  return router.sale(req as PaymentRequest);
}

describe('configuration errors', () => {
  const a = sandbox();
  it('one ConfigError lists every problem with its path', () => {
    let err: ConfigError | undefined;
    try {
      createRouter({
        store: memoryStore(),
        merchantAccounts: [
          { id: 'm1', adapter: a },
          { id: 'm1', adapter: a },
          { id: 'm2', adapter: a, currencies: ['XXX1'] },
        ],
        profiles: [
          {
            id: 'p',
            route: ['main', 'ghost'],
            pools: {
              main: {
                strategy: 'weighted',
                members: [
                  { mid: 'm1', weight: 1 },
                  { mid: 'zz', weight: 0 },
                ],
              },
            },
            rules: [{ name: 'r', when: {}, reject: 'not_a_reason' as never }],
            cascade: { maxAttempts: 2, on: ['stolen_card'] },
          },
          { id: 'q', route: [], pools: {} },
        ],
        declineRules: [{ code: '05', reason: 'nope' as never }],
      });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const paths = err!.problems.map((p) => `${p.path}: ${p.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'merchantAccounts[1].id: duplicate merchant account id "m1"',
        expect.stringMatching(/^merchantAccounts\[2\]\.currencies\[0\]: must be an ISO 4217/),
        'profiles[0].pools.main.members[1].weight: must be > 0',
        expect.stringMatching(/^profiles\[0\]\.rules\[0\]\.reject: unknown decline reason/),
        expect.stringMatching(/^profiles\[1\]\.route: the default route must name at least one pool/),
        'declineRules[0].reason: unknown decline reason "nope"',
      ]),
    );
    expect(err!.message).toContain('profiles[0].pools.main.members[1].weight: must be > 0');
  });

  it('cross-references: unknown MID in a pool, unknown pool in a route, hard reason in cascade.on', () => {
    expect(() =>
      createRouter({
        store: memoryStore(),
        merchantAccounts: [{ id: 'm1', adapter: a }],
        profiles: [
          {
            id: 'p',
            route: ['main', 'ghost'],
            pools: { main: { strategy: 'priority', members: [{ mid: 'zz' }] } },
            cascade: { maxAttempts: 2, on: ['stolen_card'] },
          },
        ],
      }),
    ).toThrowError(
      /profiles\[0\]\.pools\.main\.members\[0\]\.mid: unknown merchant account "zz"[\s\S]*profiles\[0\]\.route\[1\]: unknown pool "ghost"[\s\S]*profiles\[0\]\.cascade\.on\[0\]: "stolen_card" never cascades/,
    );
  });

  it('network rules, circuit and timeouts must be sane numbers', () => {
    const base = {
      store: memoryStore(),
      merchantAccounts: [{ id: 'm1', adapter: a }],
      profiles: [{ id: 'p', route: ['x'], pools: { x: { strategy: 'priority' as const, members: [{ mid: 'm1' }] } } }],
    };
    expect(() =>
      createRouter({
        ...base,
        networkRules: { visaReattemptLimit: 0 },
        circuit: { threshold: -1, cooldownMs: 0 },
        timeouts: { attemptMs: -5 },
      }),
    ).toThrowError(
      /circuit\.threshold: must be an integer ≥ 1[\s\S]*circuit\.cooldownMs[\s\S]*networkRules\.visaReattemptLimit: must be an integer ≥ 1[\s\S]*timeouts\.attemptMs/,
    );
  });

  it('duplicate profile ids and a missing store', () => {
    expect(() =>
      createRouter({
        merchantAccounts: [{ id: 'm1', adapter: a }],
        profiles: [
          { id: 'p', route: ['x'], pools: { x: { strategy: 'priority', members: [{ mid: 'm1' }] } } },
          { id: 'p', route: ['x'], pools: { x: { strategy: 'priority', members: [{ mid: 'm1' }] } } },
        ],
      } as never),
    ).toThrowError(/store: is required[\s\S]*profiles\[1\]\.id: duplicate profile id "p"/);
  });
});
