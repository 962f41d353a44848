/**
 * 3-D Secure on the gateways that keep no pending payment (NMI, Authorize.Net, Braintree),
 * through the router against two fake accounts each on loopback: the challenge runs in the
 * browser (Gateway.js, your own 3-D Secure server, Braintree's verifyCard), and the completion
 * authorizes once more on the MID that issued the challenge, with the card again and the
 * authentication values (or Braintree's enriched nonce), as the same ledger transaction. A
 * repeated completion makes no second call; an abandoned challenge expires with nothing charged;
 * after every scenario each fake's books equal the ledger.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { authorizenet } from '../../adapters/authorizenet';
import { braintree } from '../../adapters/braintree';
import { nmi } from '../../adapters/nmi';
import type { GatewayAdapter } from '../../src/adapter';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';
import type { PaymentRequest, RequiresActionFailure } from '../../src/types';
import { type AuthorizeNetFake, startAuthorizeNetFake } from '../fakes/authorizenet';
import { type BraintreeFake, FAKE_CARDS, startBraintreeFake } from '../fakes/braintree';
import { type NmiFake, startNmiFake } from '../fakes/nmi';

const THREE_DS = {
  eci: '05',
  cavv: 'AAABBEg0VhI0VniQEjRWAAAAAAA=',
  xid: 'MDAwMDAwMDAwMDAwMDAwMzIyNzY=',
  version: '2.2.0',
  dsTransactionId: 'f25084f0-5b16-4c0a-ae5d-b24808a95e4b',
};
const closers: Array<() => Promise<void>> = [];
const checks: Array<() => void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  for (const c of checks.splice(0)) c();
});
let now = Date.UTC(2026, 5, 1);
let n = 0;

function routerOver(adapters: Record<string, GatewayAdapter>, rules: unknown[] = []) {
  const store = memoryStore();
  const router = createRouter({
    merchantAccounts: Object.entries(adapters).map(([id, adapter]) => ({
      id,
      adapter,
      currencies: ['USD'],
      caps: { monthly: { count: 10 } },
    })),
    profiles: [
      {
        id: 'default',
        pools: { main: { strategy: 'weighted', members: Object.keys(adapters).map((mid) => ({ mid, weight: 1 })) } },
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

const card = (number: string) => ({ number, expMonth: 12, expYear: 2030, cvc: '123' });
const sale = (number: string): PaymentRequest => ({
  profile: 'default',
  idempotencyKey: `order-${++n}`,
  amount: 2500,
  currency: 'USD',
  card: card(number),
  customer: { id: `c-${n}`, email: 'a@b.co', country: 'FR' },
});

function challengeOf(r: { isErr(): boolean }): RequiresActionFailure {
  const f = (r as unknown as { error: RequiresActionFailure }).error;
  if (!r.isErr() || f.kind !== 'requires_action') throw new Error(`expected requires_action: ${JSON.stringify(r)}`);
  return f;
}

/** The ledger's approved gateway transactions, as `mid:id`. */
async function ledgerOf(store: Store, txIds: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of txIds) {
    const tx = await store.getTransaction(id);
    if (tx?.status === 'captured' || tx?.status === 'authorized') out.push(`${tx.mid}:${tx.gatewayTransactionId}`);
  }
  return out.sort();
}

/** Sales the MID's monthly cap holds (open challenges keep their reservation). */
async function capCount(store: Store, mid: string): Promise<number> {
  const counter = { window: 'monthly' as const, key: `${new Date(now).toISOString().slice(0, 7)}:USD` };
  return (await store.capUsage(mid, [counter]))[0].count;
}

/** The page reports a failed authentication: declined as authentication_failed on the MID, no call anywhere, cap released. */
async function failsWithoutCall(
  router: ReturnType<typeof routerOver>['router'],
  store: Store,
  c: RequiresActionFailure,
  callsOf: (mid: string) => number,
  other: string,
) {
  expect(await capCount(store, c.mid)).toBe(1);
  const calls = callsOf(c.mid);
  const r = await router.completeAction(c.transactionId, { authenticated: false });
  expect(r.isErr() && r.error).toMatchObject({
    kind: 'declined',
    decline: { reason: 'authentication_failed' },
    transactionId: c.transactionId,
  });
  expect(callsOf(c.mid)).toBe(calls);
  expect(callsOf(other)).toBe(0);
  expect((await store.getTransaction(c.transactionId))!.status).toBe('declined');
  expect(await capCount(store, c.mid)).toBe(0);
  // Repeated: the first result, still no call.
  const again = await router.completeAction(c.transactionId, { authenticated: false });
  expect(again.isErr() && again.error).toMatchObject({ kind: 'declined', replayed: true });
  expect(callsOf(c.mid)).toBe(calls);
}

/** Past its deadline the challenge expires at reconcile: failed, cap released, no call. */
async function expiresWithoutCall(
  router: ReturnType<typeof routerOver>['router'],
  store: Store,
  c: RequiresActionFailure,
  callsOf: (mid: string) => number,
) {
  expect(await capCount(store, c.mid)).toBe(1);
  const calls = callsOf(c.mid);
  now = c.expiresAt - 1;
  expect((await router.reconcile()).expired).toBe(0);
  now = c.expiresAt;
  expect((await router.reconcile()).expired).toBe(1);
  expect((await store.getTransaction(c.transactionId))!.status).toBe('failed');
  expect((await store.listAttempts(c.transactionId))[0]).toMatchObject({ status: 'failed', code: 'authentication_abandoned' });
  expect(await capCount(store, c.mid)).toBe(0);
  expect(callsOf(c.mid)).toBe(calls);
}

describe('3-D Secure on NMI (Gateway.js payer authentication, then the Payment API with cavv)', () => {
  async function setup() {
    const fakes: Record<string, NmiFake> = {
      'nmi-a': await startNmiFake({ securityKey: 'k-a' }),
      'nmi-b': await startNmiFake({ securityKey: 'k-b' }),
    };
    for (const f of Object.values(fakes)) {
      closers.push(() => f.close());
      checks.push(() => expect(f.violations, f.violations.join('\n')).toEqual([]));
    }
    const keys: Record<string, string> = { 'nmi-a': 'k-a', 'nmi-b': 'k-b' };
    const adapters = Object.fromEntries(
      Object.entries(fakes).map(([id, f]) => [id, nmi({ securityKey: keys[id], baseUrl: f.url, timeoutMs: 2_000 })]),
    );
    const books = () =>
      Object.entries(fakes)
        .flatMap(([mid, f]) =>
          [...f.charges.values()].filter((c) => c.success && c.type !== 'refund').map((c) => `${mid}:${c.transactionid}`),
        )
        .sort();
    return { fakes, books, ...routerOver(adapters) };
  }

  it('an issuer asking for authentication → sdk action → completion with the card and cavv on the same MID: one charge', async () => {
    const { fakes, books, router, store } = await setup();
    for (const f of Object.values(fakes)) f.script({ response_code: '200', responsetext: 'Authentication Required' });
    const c = challengeOf(await router.sale(sale('4111111111111111')));
    expect(c.action).toMatchObject({ type: 'sdk', gateway: 'nmi' });
    const done = (await router.completeAction(c.transactionId, { card: card('4111111111111111'), threeDS: THREE_DS })).unwrap();
    expect(done).toMatchObject({ transactionId: c.transactionId, mid: c.mid });
    const sent = fakes[c.mid].forms('/api/transact.php').at(-1)!;
    expect(sent).toMatchObject({
      cavv: THREE_DS.cavv,
      xid: THREE_DS.xid,
      three_ds_version: '2.2.0',
      directory_server_id: THREE_DS.dsTransactionId,
    });
    expect(sent.orderid).not.toBe((await store.listAttempts(c.transactionId))[0].id);
    const calls = fakes[c.mid].requests.length;
    expect((await router.completeAction(c.transactionId, { card: card('4111111111111111'), threeDS: THREE_DS })).unwrap().replayed).toBe(
      true,
    );
    expect(fakes[c.mid].requests.length).toBe(calls);
    const other = c.mid === 'nmi-a' ? 'nmi-b' : 'nmi-a';
    expect(fakes[other].requests).toHaveLength(0);
    expect(books()).toEqual(await ledgerOf(store, [c.transactionId]));
  });

  it('a completion without the card is an error naming input.card; an abandoned challenge expires with nothing charged', async () => {
    const { fakes, books, router, store } = await setup();
    for (const f of Object.values(fakes)) f.script({ response_code: '200', responsetext: 'Authentication Required' });
    const c = challengeOf(await router.sale(sale('4111111111111111')));
    const r = await router.completeAction(c.transactionId, { threeDS: THREE_DS });
    expect(r.isErr() && r.error.message).toMatch(/input\.card/);
    now += 15 * 60_000;
    expect((await router.reconcile()).expired).toBe(1);
    expect((await store.getTransaction(c.transactionId))!.status).toBe('failed');
    expect(books()).toEqual([]);
  });

  it('a failed authentication reported by the page declines as authentication_failed: nothing sent, no cascade, cap released', async () => {
    const { fakes, books, router, store } = await setup();
    for (const f of Object.values(fakes)) f.script({ response_code: '200', responsetext: 'Authentication Required' });
    const c = challengeOf(await router.sale(sale('4111111111111111')));
    const other = c.mid === 'nmi-a' ? 'nmi-b' : 'nmi-a';
    await failsWithoutCall(router, store, c, (mid) => fakes[mid].requests.length, other);
    expect(books()).toEqual([]);
  });
});

describe('3-D Secure on Authorize.Net (your own 3-D Secure server, then cardholderAuthentication)', () => {
  async function setup() {
    const fakes: Record<string, AuthorizeNetFake> = { 'anet-a': await startAuthorizeNetFake(), 'anet-b': await startAuthorizeNetFake() };
    for (const f of Object.values(fakes)) {
      closers.push(() => f.close());
      checks.push(() => expect(f.violations, f.violations.join('\n')).toEqual([]));
    }
    const adapters = Object.fromEntries(
      Object.entries(fakes).map(([id, f]) => [
        id,
        authorizenet({
          apiLoginId: f.apiLoginId,
          transactionKey: f.transactionKey,
          baseUrl: f.url,
          timeoutMs: 2_000,
          externalThreeDS: true,
        }),
      ]),
    );
    const books = () =>
      Object.entries(fakes)
        .flatMap(([mid, f]) =>
          [...f.charges.entries()].filter(([, c]) => (c as { approved?: boolean }).approved !== false).map(([id]) => `${mid}:${id}`),
        )
        .sort();
    return { fakes, books, ...routerOver(adapters, [{ name: 'eea', when: { customer: { country: ['FR', 'DE'] } }, threeDS: 'required' }]) };
  }

  it("threeDS: 'required' → an external action (no call) → completion with ECI and CAVV on the same MID: one charge", async () => {
    const { fakes, books, router, store } = await setup();
    const c = challengeOf(await router.sale(sale('4111111111111111')));
    expect(c.action).toMatchObject({
      type: 'sdk',
      gateway: 'authorizenet',
      data: { flow: 'external', amount: '25.00', currency: 'USD', bin: '411111' },
    });
    expect(Object.values(fakes).every((f) => f.bodies.length === 0)).toBe(true);
    const done = (await router.completeAction(c.transactionId, { card: card('4111111111111111'), threeDS: THREE_DS })).unwrap();
    expect(done.mid).toBe(c.mid);
    const tr = fakes[c.mid].bodies.at(-1)!.createTransactionRequest.transactionRequest;
    expect(tr.cardholderAuthentication).toEqual({ authenticationIndicator: '05', cardholderAuthenticationValue: THREE_DS.cavv });
    const before = fakes[c.mid].bodies.length;
    expect((await router.completeAction(c.transactionId, { card: card('4111111111111111'), threeDS: THREE_DS })).unwrap().replayed).toBe(
      true,
    );
    expect(fakes[c.mid].bodies.length).toBe(before);
    expect(books()).toEqual(await ledgerOf(store, [c.transactionId]));
  });

  it('without ECI the completion is an error naming input.threeDS.eci, and nothing is sent', async () => {
    const { fakes, router } = await setup();
    const c = challengeOf(await router.sale(sale('4111111111111111')));
    const r = await router.completeAction(c.transactionId, { card: card('4111111111111111'), threeDS: { cavv: THREE_DS.cavv } });
    expect(r.isErr() && r.error.message).toMatch(/input\.threeDS\.eci/);
    expect(fakes[c.mid].bodies).toHaveLength(0);
  });

  it('a failed authentication declines as authentication_failed with nothing sent; an abandoned one expires, cap released', async () => {
    const { fakes, books, router, store } = await setup();
    const callsOf = (mid: string) => fakes[mid].bodies.length;
    const c = challengeOf(await router.sale(sale('4111111111111111')));
    await failsWithoutCall(router, store, c, callsOf, c.mid === 'anet-a' ? 'anet-b' : 'anet-a');
    const d = challengeOf(await router.sale(sale('4111111111111111')));
    await expiresWithoutCall(router, store, d, callsOf);
    const late = await router.completeAction(d.transactionId, { card: card('4111111111111111'), threeDS: THREE_DS });
    expect(late.isErr() && late.error).toMatchObject({ rejection: 'authentication_abandoned', replayed: true });
    expect(Object.values(fakes).every((f) => f.bodies.length === 0)).toBe(true);
    expect(books()).toEqual([]);
  });
});

describe("3-D Secure on Braintree (verifyCard's enriched nonce)", () => {
  async function setup() {
    const fakes: Record<string, BraintreeFake> = { 'bt-a': await startBraintreeFake(), 'bt-b': await startBraintreeFake() };
    for (const f of Object.values(fakes)) {
      closers.push(() => f.close());
      checks.push(() => expect(f.violations, f.violations.join('\n')).toEqual([]));
    }
    const adapters = Object.fromEntries(
      Object.entries(fakes).map(([id, f]) => [
        id,
        braintree({
          publicKey: 'pk_test_fake',
          privateKey: 'sk_test_fake',
          baseUrl: f.url,
          merchantAccountId: 'acme_usd',
          timeoutMs: 2_000,
        }),
      ]),
    );
    const approved = new Set(['AUTHORIZED', 'SUBMITTED_FOR_SETTLEMENT', 'SETTLED']);
    const books = () =>
      Object.entries(fakes)
        .flatMap(([mid, f]) => [...f.transactions.values()].filter((t) => approved.has(t.status)).map((t) => `${mid}:${t.id}`))
        .sort();
    return { fakes, books, ...routerOver(adapters) };
  }

  it('2099 → verifyCard action → completion with the enriched nonce: charged once on the same MID, as the same transaction', async () => {
    const { fakes, books, router, store } = await setup();
    const c = challengeOf(await router.sale(sale(FAKE_CARDS.needs3ds)));
    expect(c.action).toMatchObject({ type: 'sdk', gateway: 'braintree', data: { flow: 'threeDSecure.verifyCard', currency: 'USD' } });
    const nonce = fakes[c.mid].threeDSecureNonce(FAKE_CARDS.needs3ds, true);
    const done = (await router.completeAction(c.transactionId, { nonce })).unwrap();
    expect(done.mid).toBe(c.mid);
    const vars = fakes[c.mid].variables.at(-1)!;
    expect(vars.input.paymentMethodId).toBe(nonce);
    expect(vars.input.options.threeDSecureAuthentication).toEqual({ required: true });
    const ops = fakes[c.mid].operations.length;
    expect((await router.completeAction(c.transactionId, { nonce })).unwrap().replayed).toBe(true);
    expect(fakes[c.mid].operations.length).toBe(ops);
    expect(books()).toEqual(await ledgerOf(store, [c.transactionId]));
  });

  it('a nonce that did not authenticate is rejected (three_d_secure): authentication_failed, no cascade', async () => {
    const { fakes, books, router, store } = await setup();
    const c = challengeOf(await router.sale(sale(FAKE_CARDS.needs3ds)));
    const r = await router.completeAction(c.transactionId, { nonce: fakes[c.mid].threeDSecureNonce(FAKE_CARDS.needs3ds, false) });
    expect(r.isErr() && r.error).toMatchObject({ kind: 'declined', decline: { reason: 'authentication_failed' } });
    const other = c.mid === 'bt-a' ? 'bt-b' : 'bt-a';
    expect(fakes[other].operations).toHaveLength(0);
    expect(books()).toEqual(await ledgerOf(store, [c.transactionId]));
  });

  it('a failed verifyCard reported by the page declines with no call; an abandoned challenge expires, cap released, nothing charged', async () => {
    const { fakes, books, router, store } = await setup();
    const callsOf = (mid: string) => fakes[mid].operations.length;
    const c = challengeOf(await router.sale(sale(FAKE_CARDS.needs3ds)));
    const other = c.mid === 'bt-a' ? 'bt-b' : 'bt-a';
    const before = callsOf(other);
    await failsWithoutCall(router, store, c, (mid) => (mid === other ? callsOf(mid) - before : callsOf(mid)), other);
    const d = challengeOf(await router.sale(sale(FAKE_CARDS.needs3ds)));
    await expiresWithoutCall(router, store, d, callsOf);
    expect(books()).toEqual([]);
  });
});
