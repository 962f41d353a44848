/**
 * Bad input, property-based: any malformed value in a request, a rebill, a follow-up or a
 * profile gives a typed error naming the field (a `rejected` Failure, or a `ConfigError` from
 * `createRouter`), never another exception, never a gateway call, never a store write.
 * Oversized input (a 1 MB metadata value, 10,000 tags) is refused with a clear error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { ConfigError } from '../../src/errors';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';
import type { PaymentRequest } from '../../src/types';
import { saleRequest, totalCalls } from '../support/router';

/** A memory store that counts every write. */
function countingStore(): { store: Store; writes: () => number } {
  const inner = memoryStore();
  let writes = 0;
  const WRITES = new Set([
    'reserveCap',
    'claimIdempotencyKey',
    'insertTransaction',
    'insertAttempt',
    'commit',
    'reserveAmount',
    'markVoided',
    'updatePin',
    'repin',
  ]);
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v === 'function' && WRITES.has(String(prop)))
        return (...args: unknown[]) => {
          writes++;
          return v.apply(target, args);
        };
      return v;
    },
  });
  return { store, writes: () => writes };
}

const profile = { id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] };

function setup() {
  const a = sandbox({ id: 'a' });
  const { store, writes } = countingStore();
  const router = createRouter({ merchantAccounts: [{ id: 'a', adapter: a }], profiles: [profile as never], store });
  return { router, a, writes };
}

/** Values of every wrong kind. */
const junk = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(Number.NaN),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  fc.constant('x'.repeat(300)),
);

const FIELDS = [
  'profile',
  'idempotencyKey',
  'amount',
  'currency',
  'card',
  'card.number',
  'card.expMonth',
  'card.expYear',
  'card.cvc',
  'card.holderName',
  'customer',
  'customer.country',
  'customer.email',
  'billing',
  'billing.country',
  'tags',
  'metadata',
  'subscription',
  'subscription.id',
  'threeDS',
] as const;

function withField(req: PaymentRequest, path: string, value: unknown): unknown {
  const out = structuredClone(req) as Record<string, any>;
  const [head, tail] = path.split('.');
  if (tail) out[head] = { ...(typeof out[head] === 'object' && out[head] ? out[head] : {}), [tail]: value };
  else out[head] = value;
  return out;
}

describe('malformed requests (property)', () => {
  it('one bad field: a rejected Failure naming a field, no gateway call, no store write', async () => {
    const { router, a, writes } = setup();
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIELDS), junk, async (field, value) => {
        const req = withField(saleRequest({ subscription: { id: 's1' } }), field, value);
        const before = writes();
        const r = await router.sale(req as PaymentRequest);
        // Some junk happens to be valid (a string holder name, an empty tag list…): then it may sell.
        if (r.isOk()) return;
        rejected++;
        expect(r.error.kind).toBe('rejected');
        expect(r.error.field).toEqual(expect.any(String));
        expect(r.error.message.startsWith(r.error.field!)).toBe(true);
        expect(writes()).toBe(before);
      }),
      { numRuns: 400, seed: 7 },
    );
    expect(rejected).toBeGreaterThan(300);
    // Only the valid ones reached the gateway and the store.
    expect(totalCalls({ a })).toBe(400 - rejected);
  });

  it('rebills and follow-ups with bad arguments are refused by field, without a gateway call', async () => {
    const { router, a, writes } = setup();
    await fc.assert(
      fc.asyncProperty(junk, junk, junk, async (id, amount, key) => {
        const rebill = await router.rebill({ subscriptionId: id, amount, currency: 'USD', idempotencyKey: key } as never);
        expect(rebill.isErr() && rebill.error.kind).toBe('rejected');
        const refund = await router.refund(id as string, { amount } as never);
        expect(refund.isErr() && refund.error.kind).toBe('rejected');
        expect(refund.isErr() && refund.error.field).toEqual(expect.any(String));
      }),
      { numRuns: 200, seed: 7 },
    );
    expect(totalCalls({ a })).toBe(0);
    expect(writes()).toBe(0);
  });

  it('oversized input is refused with a clear error: 1 MB metadata value, 10,000 tags', async () => {
    const { router, a, writes } = setup();
    const big = await router.sale(saleRequest({ metadata: { note: 'x'.repeat(1_000_000) } }));
    expect(big.isErr() && big.error).toMatchObject({ kind: 'rejected', field: 'metadata.note' });
    expect(big.isErr() && big.error.message).toMatch(/at most 500 characters/);
    expect(big.isErr() && big.error.message.length).toBeLessThan(200);
    const tags = await router.sale(saleRequest({ tags: Array.from({ length: 10_000 }, (_, i) => `t${i}`) }));
    expect(tags.isErr() && tags.error).toMatchObject({ kind: 'rejected', field: 'tags' });
    expect(tags.isErr() && tags.error.message).toMatch(/10000 tags; at most 50/);
    const keys = await router.sale(saleRequest({ metadata: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v'])) }));
    expect(keys.isErr() && keys.error).toMatchObject({ kind: 'rejected', field: 'metadata' });
    expect(totalCalls({ a })).toBe(0);
    expect(writes()).toBe(0);
  });
});

describe('malformed profiles (property)', () => {
  const PROFILE_FIELDS = ['id', 'pools', 'route', 'rules', 'cascade', 'refundWindowHours', 'verifyAmount', 'salvage'] as const;
  it('createRouter throws only ConfigError, each problem with a path under profiles[0]', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROFILE_FIELDS), junk, (field, value) => {
        const bad = { ...profile, [field]: value };
        try {
          createRouter({ merchantAccounts: [{ id: 'a', adapter: sandbox() }], profiles: [bad as never], store: memoryStore() });
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          for (const p of (e as ConfigError).problems) expect(p.path.startsWith('profiles[0]')).toBe(true);
          expect((e as ConfigError).message).not.toMatch(/undefined is not|cannot read/i);
        }
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('oversized profiles are refused or compiled, never crash: 10,000 tags in a rule', () => {
    const rules = [{ name: 'huge', when: { tags: Array.from({ length: 10_000 }, (_, i) => `t${i}`) }, route: ['p'] }];
    try {
      createRouter({
        merchantAccounts: [{ id: 'a', adapter: sandbox() }],
        profiles: [{ ...profile, rules } as never],
        store: memoryStore(),
      });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
    }
  });

  it('merchant accounts with bad values: ConfigError naming the path', () => {
    fc.assert(
      fc.property(fc.constantFrom('id', 'currencies', 'brands', 'minAmount', 'caps', 'descriptor'), junk, (field, value) => {
        try {
          createRouter({
            merchantAccounts: [{ id: 'a', adapter: sandbox(), [field]: value } as never],
            profiles: [profile as never],
            store: memoryStore(),
          });
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          expect(
            (e as ConfigError).problems.every((p) => p.path.startsWith('merchantAccounts[0]') || p.path.startsWith('profiles[0]')),
          ).toBe(true);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
