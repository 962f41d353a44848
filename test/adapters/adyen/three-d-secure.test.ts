/**
 * 3-D Secure on Adyen through the router, against two fake Adyen merchant accounts on loopback
 * (each hosting the issuer's challenge page behind the RedirectShopper action): the shopper's
 * `redirectResult` finishes the same payment (pspReference) on the account that started it with
 * `/payments/details`; a failed one is refused (11, 3D Not Authenticated) without a cascade; an
 * abandoned one expires with nothing charged; a refusal 38 (Authentication required) steps up
 * with `attemptAuthentication: always` on the same account; `threeDS: 'required'` starts with it.
 * Each fake's books equal the ledger.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adyen } from '../../../adapters/adyen';
import { createRouter } from '../../../src/router';
import { memoryStore } from '../../../src/store/memory';
import type { Store } from '../../../src/store/types';
import type { PaymentRequest, RequiresActionFailure } from '../../../src/types';
import { type FakeAdyen, startFakeAdyen } from '../../fakes/adyen';

const PAN = '4111111145551142';
const RETURN = 'https://shop.example/adyen/return';
let fakes: Record<string, FakeAdyen>;
let now = Date.UTC(2026, 5, 1);
let n = 0;

beforeEach(async () => {
  fakes = {
    'adyen-a': await startFakeAdyen({ apiKey: 'k_test', merchantAccount: 'AcmeECOM' }),
    'adyen-b': await startFakeAdyen({ apiKey: 'k_test', merchantAccount: 'AcmeECOM' }),
  };
});
afterEach(async () => {
  for (const f of Object.values(fakes)) {
    await f.close();
    expect(f.violations, f.violations.join('\n')).toEqual([]);
  }
});

function setup(rules: unknown[] = []) {
  const store = memoryStore();
  const router = createRouter({
    merchantAccounts: Object.entries(fakes).map(([id, f]) => ({
      id,
      adapter: adyen({ apiKey: 'k_test', merchantAccount: 'AcmeECOM', baseUrl: f.url, returnUrl: RETURN, timeoutMs: 3_000 }),
      caps: { monthly: { amount: 1_000_000 } },
    })),
    profiles: [
      {
        id: 'default',
        pools: {
          main: {
            strategy: 'weighted',
            members: [
              { mid: 'adyen-a', weight: 1 },
              { mid: 'adyen-b', weight: 1 },
            ],
          },
        },
        rules: rules as never,
        route: ['main'],
        cascade: { maxAttempts: 2, on: 'soft' },
      },
    ],
    store,
    clock: () => now,
  });
  return { router, store };
}

const sale = (over: Partial<PaymentRequest> = {}): PaymentRequest => ({
  profile: 'default',
  idempotencyKey: `order-${++n}`,
  amount: 1999,
  currency: 'EUR',
  card: { number: PAN, expMonth: 3, expYear: 2030, cvc: '737' },
  customer: { id: `cust-${n}`, email: 'a@b.co', country: 'NL', ip: '203.0.113.9' },
  ...over,
});

function challengeOf(r: { isErr(): boolean }): RequiresActionFailure {
  const f = (r as unknown as { error: RequiresActionFailure }).error;
  if (!r.isErr() || f.kind !== 'requires_action') throw new Error(`expected requires_action: ${JSON.stringify(r)}`);
  return f;
}

/** The shopper on the fake's challenge page; returns the redirectResult the return URL carries. */
async function answerChallenge(c: RequiresActionFailure, outcome: 'complete' | 'fail'): Promise<string> {
  const url = c.action.type === 'redirect' ? c.action.url : '';
  expect(url.startsWith(fakes[c.mid].url)).toBe(true);
  expect((await fetch(url)).status).toBe(200);
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams({ outcome }), redirect: 'manual' });
  const back = new URL(res.headers.get('location')!);
  expect(back.origin + back.pathname).toBe(RETURN);
  return back.searchParams.get('redirectResult')!;
}

/** One script per fake: the weighted draw may pick either account. */
const scriptBoth = (s: Parameters<FakeAdyen['next']>[0]) => Object.values(fakes).forEach((f) => f.next(s));

async function booksMatchLedger(store: Store, txIds: string[]) {
  const ledger: string[] = [];
  for (const id of txIds) {
    const tx = await store.getTransaction(id);
    if (tx?.status === 'captured' || tx?.status === 'authorized') ledger.push(`${tx.mid}:${tx.gatewayTransactionId}`);
  }
  const books = Object.entries(fakes).flatMap(([mid, f]) => [...f.charges.keys()].map((psp) => `${mid}:${psp}`));
  expect(books.sort()).toEqual(ledger.sort());
}

const other = (c: RequiresActionFailure) => fakes[c.mid === 'adyen-a' ? 'adyen-b' : 'adyen-a'];

describe('3-D Secure on Adyen', () => {
  it('RedirectShopper → challenge page → redirectResult → /payments/details: Authorised on the same pspReference and MID; replay makes no call', async () => {
    const { router, store } = setup();
    scriptBoth({ kind: 'challenge' });
    const c = challengeOf(await router.sale(sale()));
    const psp = (await store.getTransaction(c.transactionId))!.gatewayTransactionId!;
    const redirectResult = await answerChallenge(c, 'complete');
    const done = (await router.completeAction(c.transactionId, { redirectResult })).unwrap();
    expect(done).toMatchObject({ transactionId: c.transactionId, mid: c.mid, gatewayTransactionId: psp });
    expect(fakes[c.mid].charges.get(psp)!.captured).toBe(1999);
    expect(fakes[c.mid].detailsCalls).toBe(1);
    expect(other(c).server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect((await router.completeAction(c.transactionId, { redirectResult })).unwrap().replayed).toBe(true);
    expect(fakes[c.mid].server.requests.filter((r) => r.path === '/payments/details')).toHaveLength(1);
    await booksMatchLedger(store, [c.transactionId]);
  });

  it('a failed challenge is refused (11, 3D Not Authenticated): authentication_failed, no cascade', async () => {
    const { router, store } = setup();
    scriptBoth({ kind: 'challenge' });
    const c = challengeOf(await router.sale(sale()));
    const redirectResult = await answerChallenge(c, 'fail');
    const r = await router.completeAction(c.transactionId, { redirectResult });
    expect(r.isErr() && r.error).toMatchObject({ kind: 'declined', decline: { reason: 'authentication_failed' } });
    expect(other(c).server.requests.filter((x) => x.method === 'POST')).toHaveLength(0);
    await booksMatchLedger(store, [c.transactionId]);
  });

  it('a completion without redirectResult or threeDSResult is an error naming the field; the challenge stays open', async () => {
    const { router } = setup();
    scriptBoth({ kind: 'challenge' });
    const c = challengeOf(await router.sale(sale()));
    const r = await router.completeAction(c.transactionId, {});
    expect(r.isErr() && r.error.kind).toBe('error');
    expect(r.isErr() && r.error.message).toMatch(/input\.redirectResult/);
    const redirectResult = await answerChallenge(c, 'complete');
    expect((await router.completeAction(c.transactionId, { redirectResult })).isOk()).toBe(true);
  });

  it('an abandoned challenge expires: failed, cap released, nothing authorised', async () => {
    const { router, store } = setup();
    scriptBoth({ kind: 'challenge' });
    const c = challengeOf(await router.sale(sale()));
    now += 15 * 60_000;
    expect((await router.reconcile()).expired).toBe(1);
    expect((await store.getTransaction(c.transactionId))!.status).toBe('failed');
    const key = `${new Date(now).toISOString().slice(0, 7)}:EUR`;
    expect((await store.capUsage(c.mid, [{ window: 'monthly', key }]))[0]).toMatchObject({ amount: 0, count: 0 });
    await booksMatchLedger(store, [c.transactionId]);
  });

  it('refusal 38 (Authentication required) steps up with attemptAuthentication: always on the same account', async () => {
    const { router, store } = setup();
    scriptBoth({ kind: 'refuse', code: '38' });
    const c = challengeOf(await router.sale(sale()));
    const posts = fakes[c.mid].server.requests.filter((r) => r.path === '/payments');
    expect(posts).toHaveLength(2);
    expect(JSON.parse(posts[1].body).authenticationData).toEqual({ attemptAuthentication: 'always' });
    expect(posts[1].headers['idempotency-key']).toMatch(/-3ds$/);
    expect(other(c).server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    const redirectResult = await answerChallenge(c, 'complete');
    expect((await router.completeAction(c.transactionId, { redirectResult })).unwrap().mid).toBe(c.mid);
    await booksMatchLedger(store, [c.transactionId]);
  });

  it("a rule's threeDS: 'required' starts the payment with attemptAuthentication: always", async () => {
    const { router, store } = setup([{ name: 'eea', when: { customer: { country: ['NL', 'DE'] } }, threeDS: 'required' }]);
    const c = challengeOf(await router.sale(sale()));
    const [post] = fakes[c.mid].server.requests.filter((r) => r.path === '/payments');
    expect(JSON.parse(post.body).authenticationData).toEqual({ attemptAuthentication: 'always' });
    const redirectResult = await answerChallenge(c, 'complete');
    expect((await router.completeAction(c.transactionId, { redirectResult })).isOk()).toBe(true);
    await booksMatchLedger(store, [c.transactionId]);
  });
});
