/**
 * 3-D Secure end to end on sandbox MIDs: a challenge finishes on the same MID and the same
 * transaction; repeated completions and keys replay; abandoned challenges expire with their cap
 * released; failed ones decline without a cascade; authentication_required steps up on the same
 * MID; external 3-D Secure data and `threeDS: 'required'` rules are routed only where they can be
 * handled. After every scenario the sandboxes' books are compared with the ledger.
 */
import { describe, expect, it } from 'vitest';
import { sandbox, type SandboxAdapter } from '../../adapters/sandbox';
import type { GatewayAdapter, GatewayCompletionRequest } from '../../src/adapter';
import type { MerchantAccountConfig } from '../../src/router';
import type { Store } from '../../src/store/types';
import type { RequiresActionFailure } from '../../src/types';
import { CARDS, saleRequest, seeded, testRouter } from '../support/router';

const STEP_UP = '4000000000003063';
const T0 = Date.UTC(2026, 5, 1, 12);

function clock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function mids(ids: string[], opts: Parameters<typeof sandbox>[0] = {}, extra: Partial<MerchantAccountConfig> = {}) {
  const adapters: Record<string, SandboxAdapter> = {};
  const accounts = ids.map((id) => {
    adapters[id] = sandbox({ id, ...opts });
    return { id, adapter: adapters[id], ...extra } as MerchantAccountConfig;
  });
  return { adapters, accounts };
}

const weighted = (ids: string[]) => ({
  pools: { p: { strategy: 'weighted' as const, members: ids.map((mid) => ({ mid, weight: 1 })) } },
  route: ['p'],
  cascade: { maxAttempts: ids.length, on: 'soft' as const },
});

function challenge(r: Awaited<ReturnType<ReturnType<typeof testRouter>['router']['sale']>>): RequiresActionFailure {
  if (r.isOk() || r.error.kind !== 'requires_action') throw new Error(`expected requires_action, got ${JSON.stringify(r)}`);
  return r.error;
}

/** Every approved charge in the sandboxes' books is one approved transaction of the ledger on that MID, and the other way round. */
async function booksMatchLedger(store: Store, adapters: Record<string, SandboxAdapter>, txIds: string[]) {
  const approved = new Map<string, string>();
  for (const id of txIds) {
    const tx = await store.getTransaction(id);
    if (tx && (tx.status === 'captured' || tx.status === 'authorized')) approved.set(tx.gatewayTransactionId!, tx.mid!);
  }
  let charges = 0;
  for (const [mid, a] of Object.entries(adapters)) {
    for (const c of a.charges.values()) {
      charges++;
      expect(approved.get(c.gatewayTransactionId), `charge ${c.gatewayTransactionId} on ${mid}`).toBe(mid);
    }
  }
  expect(charges).toBe(approved.size);
}

describe('3-D Secure: completeAction', () => {
  it('finishes the challenge on the same MID and transaction: one charge, cap and pin right, the key answers the approval', async () => {
    const { adapters, accounts } = mids(['a', 'b', 'c'], {}, { caps: { monthly: { amount: 100_000 } } });
    const { router, store } = testRouter(weighted(['a', 'b', 'c']), accounts);
    const req = saleRequest({ number: CARDS.threeDS, subscription: { id: 'sub-3ds' } });
    const first = challenge(await router.sale(req));
    expect(first.action).toMatchObject({ type: 'redirect', method: 'GET' });
    expect(first.action.type === 'redirect' && first.action.url).toContain(`transactionId=${first.transactionId}`);
    expect(first.expiresAt).toBe((await store.getTransaction(first.transactionId))!.expiresAt);
    const mid = first.mid;
    // The cap reservation is kept while the challenge is open.
    const counters = [{ window: 'monthly' as const, key: `${new Date().toISOString().slice(0, 7)}:USD` }];
    expect((await store.capUsage(mid, counters))[0]).toMatchObject({ amount: 1999, count: 1 });
    // The same key while the challenge is open: the same action, no new payment.
    const again = challenge(await router.sale(req));
    expect(again).toMatchObject({ transactionId: first.transactionId, action: first.action, replayed: true });

    const done = await router.completeAction(first.transactionId, { authenticated: true });
    expect(done.isOk()).toBe(true);
    const approval = done.unwrap();
    expect(approval).toMatchObject({ transactionId: first.transactionId, mid, operation: 'sale', amount: 1999 });
    expect(adapters[mid].charges.size).toBe(1);
    for (const other of Object.keys(adapters).filter((m) => m !== mid)) expect(adapters[other].charges.size).toBe(0);
    const tx = await store.getTransaction(first.transactionId);
    expect(tx).toMatchObject({ status: 'captured', mid, capturedAmount: 1999, gatewayTransactionId: approval.gatewayTransactionId });
    expect(tx!.action).toBeUndefined();
    expect((await store.capUsage(mid, counters))[0]).toMatchObject({ amount: 1999, count: 1 });
    expect(await store.getPin('sub-3ds')).toMatchObject({ mid, transactionId: first.transactionId });
    expect(await store.listAttempts(first.transactionId)).toHaveLength(1);
    // The order's key now answers the approval.
    const replay = await router.sale(req);
    expect(replay.isOk() && replay.value).toMatchObject({ transactionId: first.transactionId, replayed: true });
    await booksMatchLedger(store, adapters, [first.transactionId]);
  });

  it('a repeated completion returns the first result without a second gateway call; two at once make one call', async () => {
    const { adapters, accounts } = mids(['a'], { latencyMs: 20 });
    const { router, store } = testRouter(weighted(['a']), accounts);
    const c = challenge(await router.sale(saleRequest({ number: CARDS.threeDS })));
    const [x, y] = await Promise.all([
      router.completeAction(c.transactionId, { authenticated: true }),
      router.completeAction(c.transactionId, { authenticated: true }),
    ]);
    expect(adapters.a.calls.complete).toBe(1);
    expect([x, y].filter((r) => r.isOk())).toHaveLength(1);
    const loser = [x, y].find((r) => r.isErr())!;
    expect(loser.isErr() && loser.error).toMatchObject({ kind: 'rejected', rejection: 'idempotency_in_progress' });
    const later = await router.completeAction(c.transactionId, { authenticated: false });
    expect(later.isOk() && later.value).toMatchObject({ transactionId: c.transactionId, replayed: true });
    expect(adapters.a.calls.complete).toBe(1);
    expect(adapters.a.charges.size).toBe(1);
    await booksMatchLedger(store, adapters, [c.transactionId]);
  });

  it('a failed challenge declines as authentication_failed on its MID: no cascade, cap released, nothing charged', async () => {
    const { adapters, accounts } = mids(['a', 'b'], {}, { caps: { monthly: { count: 5 } } });
    const { router, store } = testRouter(weighted(['a', 'b']), accounts);
    const declined: string[] = [];
    router.on('declined', (e) => declined.push(`${e.mid}:${e.decline.reason}`));
    const c = challenge(await router.sale(saleRequest({ number: CARDS.threeDS })));
    const r = await router.completeAction(c.transactionId, { authenticated: false });
    expect(r.isErr() && r.error).toMatchObject({
      kind: 'declined',
      decline: { reason: 'authentication_failed' },
      transactionId: c.transactionId,
    });
    expect(declined).toEqual([`${c.mid}:authentication_failed`]);
    expect(Object.values(adapters).reduce((n, a) => n + a.charges.size, 0)).toBe(0);
    const other = c.mid === 'a' ? 'b' : 'a';
    expect(adapters[other].calls.sale ?? 0).toBe(0);
    expect((await store.getTransaction(c.transactionId))!.status).toBe('declined');
    const counter = { window: 'monthly' as const, key: `${new Date().toISOString().slice(0, 7)}:USD` };
    expect((await store.capUsage(c.mid, [counter]))[0].count).toBe(0);
  });

  it('rejects a completion for a transaction not waiting for action, an unknown one, and bad input (naming the field)', async () => {
    const { accounts } = mids(['a']);
    const { router } = testRouter(weighted(['a']), accounts);
    const ok = (await router.sale(saleRequest())).unwrap();
    const r = await router.completeAction(ok.transactionId, { authenticated: true });
    expect(r.isErr() && r.error).toMatchObject({ kind: 'rejected', rejection: 'invalid_state' });
    const unknown = await router.completeAction('tx_nope', {});
    expect(unknown.isErr() && unknown.error).toMatchObject({ kind: 'rejected', rejection: 'unknown_transaction', field: 'transactionId' });
    const c = challenge(await router.sale(saleRequest({ number: CARDS.threeDS })));
    const cases: Array<[unknown, string]> = [
      [{ authenticated: 'yes' }, 'input.authenticated'],
      [{ extra: 1 }, 'input.extra'],
      [{ threeDS: { cavv: 5 } }, 'input.threeDS.cavv'],
      [{ card: { number: '4111111111111112', expMonth: 12, expYear: 2030 } }, 'input.card.number'],
      [{ card: { number: CARDS.visa, expMonth: 12, expYear: 2030 } }, 'input.card'],
      ['nope', 'input'],
    ];
    for (const [input, field] of cases) {
      const bad = await router.completeAction(c.transactionId, input as never);
      expect(bad.isErr() && bad.error, field).toMatchObject({ kind: 'rejected', rejection: 'validation', field });
      expect(JSON.stringify(bad)).not.toContain('4111111111111112');
    }
    // Nothing was settled by the bad inputs: the challenge is still open.
    expect((await router.completeAction(c.transactionId, { authenticated: true })).isOk()).toBe(true);
  });

  it('a completion step that asks for more keeps the transaction waiting, with the new action and the same deadline', async () => {
    let step = 0;
    const a = sandbox({
      id: 'a',
      complete: () => (step++ === 0 ? { status: 'requires_action', url: 'https://acs.example/step2' } : { status: 'approved' }),
    });
    const { router, store } = testRouter(weighted(['a']), [{ id: 'a', adapter: a }]);
    const c = challenge(await router.sale(saleRequest({ number: CARDS.threeDS })));
    const next = challenge(await router.completeAction(c.transactionId, { authenticated: true }));
    expect(next).toMatchObject({ transactionId: c.transactionId, expiresAt: c.expiresAt, action: { url: 'https://acs.example/step2' } });
    expect((await store.getTransaction(c.transactionId))!.status).toBe('requires_action');
    expect((await router.completeAction(c.transactionId, { authenticated: true })).isOk()).toBe(true);
    expect(a.calls.complete).toBe(2);
    expect(a.charges.size).toBe(1);
  });
});

describe('3-D Secure: expiry', () => {
  it('an abandoned challenge expires at reconcile: failed (authentication_abandoned), cap released, key answers it, nothing charged', async () => {
    const t = clock();
    const { adapters, accounts } = mids(['a'], { actionLifetimeMs: 600_000 }, { caps: { monthly: { count: 1 } } });
    const { router, store } = testRouter(weighted(['a']), accounts, { clock: t.now });
    const expired: string[] = [];
    router.on('action:expired', (e) => expired.push(e.transactionId));
    const req = saleRequest({ number: CARDS.threeDS });
    const c = challenge(await router.sale(req));
    expect(c.expiresAt).toBe(T0 + 600_000);
    // The open challenge holds the MID's only cap slot.
    const blocked = await router.sale(saleRequest());
    expect(blocked.isErr() && blocked.error).toMatchObject({ kind: 'rejected', rejection: 'no_eligible_mid' });
    t.advance(599_999);
    expect((await router.reconcile()).expired).toBe(0);
    t.advance(1);
    const report = await router.reconcile();
    expect(report).toMatchObject({ expired: 1, checked: 1 });
    expect(expired).toEqual([c.transactionId]);
    const tx = await store.getTransaction(c.transactionId);
    expect(tx).toMatchObject({ status: 'failed' });
    const [attempt] = await store.listAttempts(c.transactionId);
    expect(attempt).toMatchObject({ status: 'failed', code: 'authentication_abandoned' });
    const again = await router.sale(req);
    expect(again.isErr() && again.error).toMatchObject({ kind: 'rejected', rejection: 'authentication_abandoned', replayed: true });
    const late = await router.completeAction(c.transactionId, { authenticated: true });
    expect(late.isErr() && late.error).toMatchObject({ kind: 'rejected', rejection: 'authentication_abandoned', replayed: true });
    expect(adapters.a.charges.size).toBe(0);
    expect(adapters.a.calls.complete ?? 0).toBe(0);
    // The slot is free again.
    expect((await router.sale(saleRequest())).isOk()).toBe(true);
    expect((await router.reconcile()).expired).toBe(0);
  });

  it('a completion after the deadline expires the challenge instead of charging; a key retried after it too', async () => {
    const t = clock();
    const { adapters, accounts } = mids(['a'], {}, { threeDS: { expiresAfterMs: 60_000 } });
    const { router } = testRouter(weighted(['a']), accounts, { clock: t.now });
    const c = challenge(await router.sale(saleRequest({ number: CARDS.threeDS })));
    expect(c.expiresAt).toBe(T0 + 60_000);
    t.advance(60_000);
    const r = await router.completeAction(c.transactionId, { authenticated: true });
    expect(r.isErr() && r.error).toMatchObject({ kind: 'rejected', rejection: 'authentication_abandoned' });
    expect(adapters.a.charges.size).toBe(0);

    const req = saleRequest({ number: CARDS.threeDS });
    const d = challenge(await router.sale(req));
    t.advance(60_000);
    const retried = await router.sale(req);
    expect(retried.isErr() && retried.error).toMatchObject({
      kind: 'rejected',
      rejection: 'authentication_abandoned',
      transactionId: d.transactionId,
    });
  });

  it('money safety: a completion whose answer was lost is looked up before expiry; an approval found is booked, never charged twice', async () => {
    const t = clock();
    const inner = sandbox({ id: 'a', capabilities: { idempotencyKeys: false } });
    let lose = true;
    let lookups = true;
    // The gateway processes the completion but the answer never arrives.
    const adapter: GatewayAdapter = {
      ...inner,
      capabilities: { ...inner.capabilities },
      complete: async (req: GatewayCompletionRequest, opts) => {
        const r = await inner.complete!(req, opts);
        return lose ? { status: 'error', ambiguous: true, message: 'socket hang up after sending' } : r;
      },
      lookup: async (req, opts) => (lookups ? inner.lookup!(req, opts) : { status: 'error', ambiguous: true, message: 'lookup down' }),
    };
    const { router, store } = testRouter(weighted(['a']), [{ id: 'a', adapter }], { clock: t.now });
    // Resolved at once by a lookup of the completion's own reference.
    const c = challenge(await router.sale(saleRequest({ number: CARDS.threeDS })));
    const r = await router.completeAction(c.transactionId, { authenticated: true });
    expect(r.isOk() && r.value.mid).toBe('a');
    expect(inner.charges.size).toBe(1);

    // Lookups down as well: ambiguous; expiry later finds the approval instead of expiring it.
    lookups = false;
    const d = challenge(await router.sale(saleRequest({ number: CARDS.threeDS })));
    const unknown = await router.completeAction(d.transactionId, { authenticated: true });
    expect(unknown.isErr() && unknown.error.kind).toBe('ambiguous');
    expect(inner.charges.size).toBe(2);
    t.advance(15 * 60_000);
    expect((await router.reconcile()).expired).toBe(0); // the lease of the completion has not run out yet
    t.advance(10 * 60_000);
    expect((await router.reconcile()).unresolved).toBe(1); // the gateway cannot be asked: never expired blindly
    lookups = true;
    lose = false;
    const report = await router.reconcile();
    expect(report).toMatchObject({ approved: 1, expired: 0 });
    expect((await store.getTransaction(d.transactionId))!.status).toBe('captured');
    const again = await router.completeAction(d.transactionId, { authenticated: true });
    expect(again.isOk() && again.value.replayed).toBe(true);
    expect(inner.charges.size).toBe(2);
    await booksMatchLedger(store, { a: inner }, [c.transactionId, d.transactionId]);
  });
});

describe('3-D Secure: step-up instead of cascade', () => {
  it('authentication_required (ISO 1A) on a customer-initiated sale becomes requires_action on the same MID; no other MID is called', async () => {
    const { adapters, accounts } = mids(['a', 'b', 'c']);
    const { router, store } = testRouter(weighted(['a', 'b', 'c']), accounts);
    const cascades: string[] = [];
    router.on('cascade', (e) => cascades.push(e.fromMid));
    const c = challenge(await router.sale(saleRequest({ number: STEP_UP })));
    expect(cascades).toEqual([]);
    const others = Object.keys(adapters).filter((m) => m !== c.mid);
    for (const m of others) expect(adapters[m].calls.sale ?? 0, m).toBe(0);
    expect(adapters[c.mid].calls).toMatchObject({ sale: 1, authenticate: 1 });
    const [attempt] = await store.listAttempts(c.transactionId);
    expect(attempt.message).toMatch(/step-up/);
    const done = await router.completeAction(c.transactionId, { authenticated: true });
    expect(done.isOk() && done.value.mid).toBe(c.mid);
    await booksMatchLedger(store, adapters, [c.transactionId]);
  });

  it('with stepUp off the decline stands, still never cascaded; rules with threeDS "never" turn it off too', async () => {
    const { adapters, accounts } = mids(['a', 'b']);
    const { router } = testRouter({ ...weighted(['a', 'b']), threeDS: { stepUp: false } }, accounts);
    const r = await router.sale(saleRequest({ number: STEP_UP }));
    expect(r.isErr() && r.error).toMatchObject({ kind: 'declined', decline: { reason: 'authentication_required' } });
    expect(r.isErr() && r.error.attempts.filter((a) => a.outcome !== 'skipped')).toHaveLength(1);
    expect((adapters.a.calls.authenticate ?? 0) + (adapters.b.calls.authenticate ?? 0)).toBe(0);

    const m2 = mids(['a', 'b']);
    const never = testRouter(
      { ...weighted(['a', 'b']), rules: [{ name: 'low-risk', when: { amount: { lt: 3000 } }, threeDS: 'never' }] },
      m2.accounts,
    );
    const n = await never.router.sale(saleRequest({ number: STEP_UP }));
    expect(n.isErr() && n.error.kind).toBe('declined');
    expect((m2.adapters.a.calls.authenticate ?? 0) + (m2.adapters.b.calls.authenticate ?? 0)).toBe(0);
  });

  it('a rebill (merchant-initiated) is never stepped up', async () => {
    let rebill = false;
    const a = sandbox({ id: 'a', respond: () => (rebill ? { status: 'declined', code: '1A' } : { status: 'approved' }) });
    const { router } = testRouter(weighted(['a']), [{ id: 'a', adapter: a }]);
    expect((await router.sale(saleRequest({ subscription: { id: 'sub-mit' } }))).isOk()).toBe(true);
    rebill = true;
    const r = await router.rebill({ subscriptionId: 'sub-mit', amount: 1999, currency: 'USD', idempotencyKey: 'rb-1' });
    expect(r.isErr() && r.error).toMatchObject({ kind: 'declined', decline: { reason: 'authentication_required' } });
    expect(a.calls.authenticate ?? 0).toBe(0);
  });
});

describe('3-D Secure: routing', () => {
  it('external 3-D Secure data goes only to MIDs that accept it; explain shows why the others are out', async () => {
    const a = sandbox({ id: 'a', capabilities: { threeDS: false } });
    const b = sandbox({ id: 'b' });
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a },
      { id: 'b', adapter: b },
    ]);
    const threeDS = {
      eci: '05',
      cavv: 'AAABBEg0VhI0VniQEjRWAAAAAAA=',
      version: '2.2.0',
      dsTransactionId: 'f25084f0-5b16-4c0a-ae5d-b24808a95e4b',
    };
    const req = saleRequest({ threeDS });
    const e = await router.explain(req);
    expect(e.order).toEqual(['b']);
    expect(e.candidates.find((c) => c.mid === 'a')!.reasons.map((x) => x.code)).toEqual(['three_ds_not_accepted']);
    for (let i = 0; i < 5; i++) expect((await router.sale(saleRequest({ threeDS }))).unwrap().mid).toBe('b');
    expect(a.calls.sale ?? 0).toBe(0);
    // Without 3-D Secure data the first MID takes it again.
    expect((await router.sale(saleRequest())).unwrap().mid).toBe('a');
  });

  it("a rule's threeDS: 'required' starts with a challenge on MIDs that can run one, and skips the others", async () => {
    const a = sandbox({ id: 'a', capabilities: { challenge: false } });
    const b = sandbox({ id: 'b' });
    const { router, store } = testRouter(
      {
        pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] } },
        route: ['p'],
        rules: [{ name: 'eea', when: { customer: { country: ['DE', 'FR', 'NL'] } }, threeDS: 'required' }],
      },
      [
        { id: 'a', adapter: a },
        { id: 'b', adapter: b },
      ],
    );
    const req = saleRequest({ customer: { country: 'DE' } });
    const e = await router.explain(req);
    expect(e.threeDS).toEqual({ mode: 'required', need: 'challenge' });
    expect(e.candidates.find((c) => c.mid === 'a')!.reasons.map((x) => x.code)).toEqual(['challenge_not_supported']);
    const c = challenge(await router.sale(req));
    expect(c.mid).toBe('b');
    expect(b.calls).toMatchObject({ authenticate: 1 });
    expect(b.calls.sale ?? 0).toBe(0);
    expect((await router.completeAction(c.transactionId, { authenticated: true })).unwrap().mid).toBe('b');
    // US customers: no rule, no challenge.
    const us = (await router.sale(saleRequest())).unwrap();
    expect(us.mid).toBe('a');
    await booksMatchLedger(store, { a, b }, [c.transactionId, us.transactionId]);
  });

  it('200 challenged sales on a weighted pool: every completion on the MID that issued the challenge, books equal the ledger', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    const { adapters, accounts } = mids(ids);
    const { router, store } = testRouter(weighted(ids), accounts, { random: seeded(7) });
    const txIds: string[] = [];
    let elsewhere = 0;
    const issued = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const c = challenge(await router.sale(saleRequest({ number: i % 2 ? CARDS.threeDS : STEP_UP })));
      issued.set(c.mid, (issued.get(c.mid) ?? 0) + 1);
      const done = (await router.completeAction(c.transactionId, { authenticated: true })).unwrap();
      if (done.mid !== c.mid || done.transactionId !== c.transactionId) elsewhere++;
      txIds.push(c.transactionId);
    }
    expect(elsewhere).toBe(0);
    expect(issued.size).toBe(4); // the pool really spread them
    for (const [mid, n] of issued) expect(adapters[mid].charges.size, mid).toBe(n);
    await booksMatchLedger(store, adapters, txIds);
  });
});

describe('3-D Secure: card data', () => {
  it('a gateway echoing the PAN in its action or its completion answer never gets it into results, events or the store', async () => {
    const PAN = CARDS.threeDS;
    const inner = sandbox({ id: 'echo' });
    const adapter: GatewayAdapter = {
      ...inner,
      capabilities: { ...inner.capabilities },
      authenticate: inner.authenticate,
      sale: async (req) => ({
        status: 'requires_action',
        action: { type: 'sdk', gateway: 'echo', data: { pan: req.card?.number, nested: { again: `card ${req.card?.number}` } } },
      }),
      complete: async (req) => ({ status: 'declined', code: '6P', message: `authentication failed for ${req.input.card?.number}` }),
    };
    const { router, store } = testRouter(weighted(['echo']), [{ id: 'echo', adapter }]);
    const seen: unknown[] = [];
    router.on('requires_action', (e) => seen.push(e));
    router.on('declined', (e) => seen.push(e));
    const c = challenge(await router.sale(saleRequest({ number: PAN })));
    seen.push(c);
    seen.push(await router.completeAction(c.transactionId, { card: { number: PAN, expMonth: 12, expYear: 2030, cvc: '123' } }));
    seen.push(await store.getTransaction(c.transactionId), await store.listAttempts(c.transactionId));
    const text = JSON.stringify(seen);
    expect(text).not.toContain(PAN);
    expect(text).toContain('400000******3220');
  });
});
