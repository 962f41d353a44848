/**
 * Money safety, defect by defect: once a request may have reached a gateway, nothing a store, a
 * listener or an adapter does can make a retry charge twice; claims of dead processes are
 * recovered; every path builds the same pin; a half-open circuit slot is never lost; the request
 * is read once; nothing leaks a card number; refusals before any gateway call free the key.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox, type SandboxAdapter } from '../../adapters/sandbox';
import type { GatewayAdapter } from '../../src/adapter';
import { ConfigError } from '../../src/errors';
import { createRouter, type MerchantAccountConfig } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import type { PaymentRequest } from '../../src/types';
import { faultPlan, faultyStore, watchedAdapter } from '../support/faulty';
import { CARDS, saleRequest } from '../support/router';

const T0 = Date.UTC(2030, 0, 15, 10);
const TIMEOUTS = { attemptMs: 500, totalMs: 1_000 }; // lease: 2 s

/** A router on one (or more) sandbox MIDs with a clock the test moves. */
function setup(
  opts: { store?: Store; adapters?: GatewayAdapter[]; accounts?: Partial<MerchantAccountConfig>; cascade?: number; circuit?: object } = {},
) {
  let now = T0;
  const adapters = opts.adapters ?? [sandbox({ id: 'a' })];
  const store = opts.store ?? memoryStore();
  const router = createRouter({
    merchantAccounts: adapters.map((adapter, i) => ({ id: `mid-${i}`, adapter, ...opts.accounts })),
    profiles: [
      {
        id: 'default',
        pools: { p: { strategy: 'priority', members: adapters.map((_, i) => ({ mid: `mid-${i}` })) } },
        route: ['p'],
        cascade: { maxAttempts: opts.cascade ?? 1 },
      },
    ],
    store,
    clock: () => now,
    timeouts: TIMEOUTS,
    ...(opts.circuit && { circuit: opts.circuit }),
  });
  return {
    router,
    store,
    tick: (ms: number) => {
      now += ms;
    },
    pastLease: () => {
      now += 3 * TIMEOUTS.totalMs;
    },
  };
}

const charges = (a: SandboxAdapter) => a.charges.size;
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.message);
process.on('warning', onWarning);

describe('double charge: no failure after the gateway call releases the key', () => {
  it('a store whose settlement write fails once: the retry does not charge again; reconcile records the approval and the key replays it', async () => {
    const gw = sandbox({ id: 'a' });
    const plan = faultPlan({ failAt: 1 });
    const { router, store, pastLease } = setup({
      store: faultyStore(memoryStore(), plan),
      adapters: [watchedAdapter(gw, () => (plan.armed = true))],
    });
    const req = saleRequest();
    const first = await router.sale(req);
    expect(first.isErr() && first.error.kind).toBe('ambiguous');
    plan.armed = false;
    const retry = await router.sale(req);
    expect(retry.isErr() && retry.error.rejection).toBe('idempotency_in_progress');
    expect(charges(gw)).toBe(1);
    pastLease();
    expect(await router.reconcile({ olderThanMs: 0 })).toMatchObject({ approved: 1 });
    const replay = await router.sale(req);
    expect(replay.isOk() && replay.value.replayed).toBe(true);
    expect(charges(gw)).toBe(1);
    const tx = await store.getTransaction(replay.unwrap().transactionId);
    expect(tx).toMatchObject({ status: 'captured', capturedAmount: req.amount });
  });

  it('a settlement whose answer is lost after it committed: the retry replays the approval, nothing charged twice', async () => {
    const gw = sandbox({ id: 'a' });
    const plan = faultPlan({ failAt: 1, mode: 'after' });
    const { router } = setup({ store: faultyStore(memoryStore(), plan), adapters: [watchedAdapter(gw, () => (plan.armed = true))] });
    const req = saleRequest();
    const first = await router.sale(req);
    expect(first.isErr() && first.error.kind).toBe('ambiguous');
    plan.armed = false;
    const retry = await router.sale(req);
    expect(retry.isOk() && retry.value.replayed).toBe(true);
    expect(charges(gw)).toBe(1);
  });

  it('SQLite locked by another process past busyTimeoutMs: ambiguous, then one charge after the lock goes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-lock-'));
    const path = join(dir, 'lock.db');
    const other = new Database(path);
    other.pragma('journal_mode = WAL');
    const gw = sandbox({ id: 'a' });
    // The other process takes the write lock the moment the gateway answers, before the router settles.
    const locked = watchedAdapter(gw, () => other.prepare('BEGIN IMMEDIATE').run());
    const { router, pastLease } = setup({ store: sqliteStore({ path, busyTimeoutMs: 50 }), adapters: [locked] });
    try {
      const req = saleRequest();
      const first = await router.sale(req);
      expect(first.isErr() && first.error.kind).toBe('ambiguous');
      other.prepare('COMMIT').run();
      const retry = await router.sale(req);
      expect(retry.isErr() && retry.error.rejection).toBe('idempotency_in_progress');
      pastLease();
      const recovered = await router.sale(req); // past the lease, the retry itself recovers the claim
      expect(recovered.isOk() && recovered.value.replayed).toBe(true);
      expect(charges(gw)).toBe(1);
    } finally {
      await router.close();
      other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a listener that throws (or rejects, or mutates its payload) changes no result and is reported', async () => {
    const gw = sandbox({ id: 'a' });
    const { router } = setup({ adapters: [gw] });
    const errors: string[] = [];
    router.on('error', (e) => errors.push(e.message));
    router.on('approved', () => {
      throw new Error('listener bug 4111111111111111');
    });
    router.on('approved', async () => Promise.reject(new Error('async listener bug')));
    router.on('attempt', (e) => {
      (e as { amount: number }).amount = 1;
    });
    const req = saleRequest();
    const r = await router.sale(req);
    expect(r.isOk() && r.value.amount).toBe(req.amount);
    await new Promise((res) => setImmediate(res));
    expect(errors).toHaveLength(3);
    expect(errors.join(' ')).not.toContain('4111111111111111');
    expect((await router.sale(req)).unwrap().replayed).toBe(true);
    expect(charges(gw)).toBe(1);
  });

  it('without an error listener, a throwing listener becomes a process warning, not an exception', async () => {
    const { router } = setup();
    router.on('approved', () => {
      throw new Error('nobody listens to errors');
    });
    warnings.length = 0;
    expect((await router.sale(saleRequest())).isOk()).toBe(true);
    await new Promise((res) => setImmediate(res));
    expect(warnings.some((w) => w.includes('nobody listens to errors'))).toBe(true);
  });

  it('an adapter that answers an unknown status (or garbage) is ambiguous, never a throw, and the key is kept', async () => {
    for (const garbage of [{ status: 'succeeded' }, { status: 'approved' }, null, 'ok', { status: 'declined', code: 5 }]) {
      const gw = sandbox({ id: 'a' });
      let calls = 0;
      const odd: GatewayAdapter = {
        ...gw,
        capabilities: { ...gw.capabilities, idempotencyKeys: false, lookup: false },
        sale: async () => (calls++, garbage as never),
      };
      const { router } = setup({ adapters: [odd] });
      const req = saleRequest();
      const r = await router.sale(req);
      expect(r.isErr() && r.error.kind, JSON.stringify(garbage)).toBe('ambiguous');
      expect(r.isErr() && r.error.message).toMatch(/unknown shape/);
      const again = await router.sale(req);
      expect(again.isErr() && again.error.rejection).toBe('idempotency_in_progress');
      expect(calls).toBe(1);
    }
  });
});

describe('lost sale: claims of dead processes are recovered', () => {
  it('a claim left by a process that died mid-call: in progress until its lease ends, then the retry recovers it from the gateway', async () => {
    const gw = sandbox({ id: 'a' });
    // The gateway books the charge; the answer never comes back (the process "died" waiting).
    const lost: GatewayAdapter = {
      ...gw,
      capabilities: { ...gw.capabilities, idempotencyKeys: false, lookup: false },
      sale: async (req) => (await gw.sale(req), new Promise(() => undefined)),
    };
    const dead = setup({ adapters: [lost] });
    const req = saleRequest();
    expect((await dead.router.sale(req)).unwrapErr().kind).toBe('ambiguous');
    // A second server on the same store, whose MID can ask the gateway.
    let now = T0;
    const alive = createRouter({
      merchantAccounts: [{ id: 'mid-0', adapter: gw }],
      profiles: [{ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'mid-0' }] } }, route: ['p'] }],
      store: dead.store,
      clock: () => now,
      timeouts: TIMEOUTS,
    });
    now = T0 + 500;
    expect((await alive.sale(req)).unwrapErr().rejection).toBe('idempotency_in_progress');
    now = T0 + 3 * TIMEOUTS.totalMs;
    const recovered = await alive.sale(req);
    expect(recovered.isOk() && recovered.value.replayed).toBe(true);
    expect(charges(gw)).toBe(1);
    expect(await dead.store.listStaleClaims(now + 1)).toEqual([]);
  });

  it('reconcile() finishes a claim whose process died between two attempts of a cascade', async () => {
    const declining = sandbox({ id: 'a', respond: () => ({ status: 'declined', code: '05' }) });
    const { router, store, pastLease } = setup({ adapters: [declining, sandbox({ id: 'b' })], cascade: 2 });
    // Process death right after the first attempt settled: the second attempt's opening never happens.
    const plan = faultPlan({ failAt: 2 });
    const dying = createRouter({
      merchantAccounts: [
        { id: 'mid-0', adapter: watchedAdapter(declining, () => (plan.armed = true)) },
        { id: 'mid-1', adapter: sandbox({ id: 'b' }) },
      ],
      profiles: [
        {
          id: 'default',
          pools: { p: { strategy: 'priority', members: [{ mid: 'mid-0' }, { mid: 'mid-1' }] } },
          route: ['p'],
          cascade: { maxAttempts: 2 },
        },
      ],
      store: faultyStore(store, plan),
      clock: () => T0,
      timeouts: TIMEOUTS,
    });
    const req = saleRequest();
    const r = await dying.sale(req);
    expect(r.isErr() && r.error.kind).toBe('ambiguous');
    pastLease();
    expect(await router.reconcile({ olderThanMs: 0 })).toMatchObject({ claimsFinished: 1 });
    const replay = await router.sale(req);
    expect(replay.isErr() && replay.error.kind).toBe('declined');
    expect(replay.isErr() && replay.error.replayed).toBe(true);
  });
});

describe('compliance: every path builds the same pin', () => {
  it('a trial whose outcome was ambiguous and settled by reconcile() keeps its recurring amount and physical product: the first rebill needs consent', async () => {
    const gw = sandbox({ id: 'a' });
    let reachable = false; // the gateway's lookup is down during the sale, back for reconciliation
    const answerLost: GatewayAdapter = {
      ...gw,
      capabilities: { ...gw.capabilities, idempotencyKeys: false },
      sale: async (req) => (await gw.sale(req), { status: 'error', ambiguous: true, message: 'connection reset' }),
      lookup: async (req) => (reachable ? gw.lookup!(req) : { status: 'error', ambiguous: true, message: 'unreachable' }),
    };
    const { router, pastLease } = setup({ adapters: [answerLost], accounts: { expressConsent: true } });
    const req = saleRequest({ amount: 100, subscription: { id: 'trial-1', recurringAmount: 4999, physicalProduct: true } });
    const sale = await router.sale(req);
    expect(sale.isErr() && sale.error.kind).toBe('ambiguous');
    pastLease();
    reachable = true;
    expect(await router.reconcile({ olderThanMs: 0 })).toMatchObject({ approved: 1 });
    expect(await router.pin('trial-1')).toMatchObject({ recurringAmount: 4999, physicalProduct: true, initialAmount: 100 });
    const rebill = await router.rebill({ subscriptionId: 'trial-1', amount: 4999, currency: 'USD', idempotencyKey: 'rb-1' });
    expect(rebill.isErr() && rebill.error.rejection).toBe('consent_required');
  });

  it("refuses subscription.physicalProduct that is not a boolean ('yes' is not true)", async () => {
    const { router } = setup();
    const r = await router.sale(saleRequest({ subscription: { id: 's', physicalProduct: 'yes' as never } }));
    expect(r.isErr() && r.error).toMatchObject({ kind: 'rejected', field: 'subscription.physicalProduct' });
  });

  it('pin:created fires once: a second initial sale for a pinned subscription does not announce a pin', async () => {
    const { router } = setup();
    const pins: string[] = [];
    router.on('pin:created', (e) => pins.push(e.subscriptionId));
    await router.sale(saleRequest({ subscription: { id: 'sub-x' } }));
    await router.sale(saleRequest({ subscription: { id: 'sub-x' } }));
    expect(pins).toEqual(['sub-x']);
  });
});

describe('stuck MID: the half-open trial slot is spent only on a real call', () => {
  it('a sale skipped for its cap gives the slot back; the next sale is the trial and closes the circuit', async () => {
    let fail = true;
    const gw = sandbox({
      id: 'a',
      respond: () => (fail ? { status: 'error', ambiguous: false, message: 'HTTP 503' } : { status: 'approved' }),
    });
    const { router, tick } = setup({
      adapters: [gw],
      accounts: { caps: { daily: { amount: 5_000 } } },
      circuit: { threshold: 1, cooldownMs: 1_000 },
    });
    expect((await router.sale(saleRequest({ amount: 1_000 }))).unwrapErr().kind).toBe('error');
    tick(1_500);
    fail = false;
    const tooBig = await router.sale(saleRequest({ amount: 9_000 }));
    expect(tooBig.isErr() && tooBig.error.rejection).toBe('no_eligible_mid');
    const closes: string[] = [];
    router.on('circuit:close', (e) => closes.push(e.mid));
    expect((await router.sale(saleRequest({ amount: 1_000 }))).isOk()).toBe(true);
    expect(closes).toEqual(['mid-0']);
  });
});

describe('request re-read: the router reads the caller’s request once', () => {
  it('a request mutated after validation (here by a listener) still charges what was validated', async () => {
    const seen: number[] = [];
    const gw = sandbox({ id: 'a', respond: (r) => (seen.push(r.amount), { status: 'approved' }) });
    const { router } = setup({ adapters: [gw] });
    const req = saleRequest({ amount: 1999 });
    router.on('attempt', () => {
      req.amount = -500;
      req.card.number = CARDS.mastercard;
    });
    const r = await router.sale(req);
    expect(r.unwrap().amount).toBe(1999);
    expect(seen).toEqual([1999]);
    expect(r.unwrap().maskedCard).toBe('411111******1111');
  });

  it('a getter that answers differently the second time, or as a string, cannot corrupt the cap counter', async () => {
    const { router, store } = setup({ accounts: { caps: { monthly: { amount: 1_000_000 } } } });
    let reads = 0;
    const req = {
      ...saleRequest(),
      get amount() {
        return reads++ === 0 ? 1000 : ('1000' as never);
      },
    } as PaymentRequest;
    expect((await router.sale(req)).unwrap().amount).toBe(1000);
    const [usage] = await store.capUsage('mid-0', [{ window: 'monthly', key: '2030-01:USD' }]);
    expect(usage).toMatchObject({ amount: 1000, count: 1 });
    expect(typeof usage.amount).toBe('number');
  });

  it('a getter that throws gives a rejected Result, not an exception', async () => {
    const { router } = setup();
    const req = Object.defineProperty(saleRequest(), 'currency', {
      get: () => {
        throw new Error('boom');
      },
    }) as PaymentRequest;
    const r = await router.sale(req);
    expect(r.isErr() && r.error).toMatchObject({ kind: 'rejected', rejection: 'validation' });
    const hostileOptions = Object.defineProperty({}, 'amount', {
      get: () => {
        throw new Error('boom');
      },
    });
    expect((await router.refund('tx_x', hostileOptions)).unwrapErr()).toMatchObject({
      kind: 'rejected',
      rejection: 'validation',
      field: 'options',
    });
  });
});

describe('leaks: no card number or security code in results, events, errors or the store', () => {
  it('an adapter that throws synchronously with the card in its message leaks nothing', async () => {
    const gw = sandbox({ id: 'a' });
    const throwing: GatewayAdapter = {
      ...gw,
      sale: (req) => {
        throw new Error(`cannot charge ${req.card?.number} cvc ${req.card?.cvc} card[cvc]=${req.card?.cvc}`);
      },
    };
    const store = memoryStore();
    const { router } = setup({ adapters: [throwing], store });
    const seen: unknown[] = [];
    for (const e of ['attempt', 'ambiguous', 'error', 'approved', 'declined'] as const) router.on(e, (p) => seen.push(p));
    const req = saleRequest({ card: { number: CARDS.visa, expMonth: 12, expYear: 2031, cvc: '987' } });
    const r = await router.sale(req);
    expect(r.isErr() && r.error.kind).toBe('ambiguous');
    const text = JSON.stringify([r, seen, await store.listAttempts(r.unwrapErr().transactionId!)]);
    expect(text).not.toContain(CARDS.visa);
    expect(text).not.toMatch(/987/);
  });

  it("keeps the gateway's ids as sent: a network transaction id that happens to pass Luhn is not masked (it carries every later MIT)", async () => {
    // Checkout.com's scheme_id and Visa's transaction ids are 15 digits; one in ten passes Luhn.
    const nti = '378282246310005';
    const gw = sandbox({ id: 'a' });
    const ids: GatewayAdapter = {
      ...gw,
      sale: async (req, ctx) => {
        const r = await gw.sale(req, ctx);
        return r.status === 'approved' ? { ...r, networkTransactionId: nti, gatewayToken: `tok_${nti}` } : r;
      },
    };
    const store = memoryStore();
    const { router } = setup({ adapters: [ids], store });
    const sale = (await router.sale(saleRequest({ subscription: { id: 'sub-nti' } }))).unwrap();
    expect(sale.networkTransactionId).toBe(nti);
    expect((await store.getTransaction(sale.transactionId))?.networkTransactionId).toBe(nti);
    expect((await store.getPin('sub-nti'))?.networkTransactionId).toBe(nti);
  });

  it('refuses ids, keys, tags and metadata that hold a card number, without echoing it', async () => {
    const { router } = setup();
    const pan = '4111 1111 1111 1111';
    const cases: Array<[Partial<PaymentRequest>, string]> = [
      [{ idempotencyKey: `order-${pan}` }, 'idempotencyKey'],
      [{ subscription: { id: `sub ${pan}` } }, 'subscription.id'],
      [{ tags: [`t ${pan}`] }, 'tags[0]'],
      [{ metadata: { note: pan } }, 'metadata.note'],
      [{ metadata: { [pan]: 'x' } }, 'metadata'],
      [{ customer: { email: `${pan.replaceAll(' ', '')}@example.com` } }, 'customer.email'],
    ];
    for (const [over, field] of cases) {
      const r = await router.sale(saleRequest(over));
      expect(r.isErr() && r.error.field, field).toBe(field);
      expect(JSON.stringify(r)).not.toMatch(/4111.?1111.?1111.?1111/);
    }
    const follow = await router.refund(pan.replaceAll(' ', ''));
    expect(JSON.stringify(follow)).not.toContain('4111111111111111');
    const rebill = await router.rebill({ subscriptionId: '4111111111111111', amount: 1, currency: 'USD', idempotencyKey: 'k' });
    expect(JSON.stringify(rebill)).not.toContain('4111111111111111');
  });
});

describe('smaller defects', () => {
  it('the request hash ignores key order: a genuine retry is a replay, not a conflict', async () => {
    const { router } = setup();
    const req = saleRequest({ customer: { id: 'c1', email: 'a@b.co', country: 'US' }, metadata: { a: '1', b: '2' } });
    await router.sale(req);
    const reordered = { ...req, customer: { country: 'US', email: 'a@b.co', id: 'c1' }, metadata: { b: '2', a: '1' } };
    expect((await router.sale(reordered)).unwrap().replayed).toBe(true);
  });

  it('a refusal before any gateway call leaves the key free: the retry with override refunds', async () => {
    let now = T0;
    const gw = sandbox({ id: 'a' });
    const router = createRouter({
      merchantAccounts: [{ id: 'mid-0', adapter: gw }],
      profiles: [
        { id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'mid-0' }] } }, route: ['p'], refundWindowHours: 1 },
      ],
      store: memoryStore(),
      clock: () => now,
    });
    const sale = (await router.sale(saleRequest())).unwrap();
    now += 2 * 3_600_000;
    const late = await router.refund(sale.transactionId, { idempotencyKey: 'refund-1' });
    expect(late.isErr() && late.error.rejection).toBe('refund_window_closed');
    const forced = await router.refund(sale.transactionId, { idempotencyKey: 'refund-1', override: true });
    expect(forced.isOk() && forced.value.replayed).not.toBe(true);
    expect(forced.isOk()).toBe(true);
  });

  it('a refusal for no eligible MID leaves the key free, and a retry of a request that already ran still replays it', async () => {
    const { router } = setup({ accounts: { caps: { daily: { amount: 3_000 } } } });
    const first = saleRequest({ amount: 2_000 });
    expect((await router.sale(first)).isOk()).toBe(true);
    const refused = saleRequest({ amount: 2_000 });
    expect((await router.sale(refused)).unwrapErr().rejection).toBe('no_eligible_mid');
    expect((await router.sale({ ...refused, amount: 500 })).isOk()).toBe(true); // same key, corrected request
    // The cap is full now, but the retry of the first sale replays its approval.
    expect((await router.sale(first)).unwrap().replayed).toBe(true);
  });

  it('ids and keys have a length limit, checked as validation before any lookup', async () => {
    const { router } = setup();
    const tooLong = { kind: 'rejected', rejection: 'validation' };
    expect((await router.sale(saleRequest({ idempotencyKey: 'k'.repeat(256) }))).unwrapErr()).toMatchObject({
      ...tooLong,
      field: 'idempotencyKey',
    });
    expect((await router.capture('t'.repeat(256))).unwrapErr()).toMatchObject({ ...tooLong, field: 'transactionId' });
    expect(
      (await router.rebill({ subscriptionId: 's'.repeat(256), amount: 1, currency: 'USD', idempotencyKey: 'k' })).unwrapErr(),
    ).toMatchObject({
      ...tooLong,
      field: 'subscriptionId',
    });
    expect((await router.sale(saleRequest({ subscription: { id: 's'.repeat(256) } }))).unwrapErr()).toMatchObject({
      ...tooLong,
      field: 'subscription.id',
    });
  });

  it('the sandbox answers a resend with the same reference from its books: one charge, even when concurrent', async () => {
    const gw = sandbox({ id: 'a', latencyMs: 5 });
    const req = {
      reference: 'at_same',
      transactionId: 'tx',
      amount: 100,
      currency: 'USD',
      card: { number: CARDS.visa, expMonth: 12, expYear: 2031 },
      merchant: { id: 'm' },
    };
    const [x, y] = await Promise.all([gw.sale(req), gw.sale(req)]);
    expect(x).toEqual(y);
    expect(await gw.sale(req)).toEqual(x);
    expect(gw.charges.size).toBe(1);
    const refund = {
      reference: 'at_refund',
      transactionId: 'tx',
      gatewayTransactionId: (x as { gatewayTransactionId: string }).gatewayTransactionId,
      amount: 50,
      currency: 'USD',
      originalAmount: 100,
      merchant: { id: 'm' },
    };
    await gw.refund(refund);
    await gw.refund(refund);
    expect([...gw.charges.values()][0].refunded).toBe(50);
  });

  it('close() refuses later operations, releases the store and is idempotent', async () => {
    const { router } = setup();
    await router.close();
    await router.close();
    expect((await router.sale(saleRequest())).unwrapErr().rejection).toBe('router_closed');
  });
});

describe('configuration: one ConfigError lists every problem in one pass', () => {
  const gw = sandbox();
  const base = { store: memoryStore() };

  it('reports shape and reference problems together, and a MID with a shape error is still known', () => {
    try {
      createRouter({
        ...base,
        merchantAccounts: [
          { id: 'mid-a', adapter: gw, currencies: ['usd'] },
          { id: 'mid-b', adapter: gw },
        ],
        profiles: [
          {
            id: 'p',
            pools: {
              main: {
                strategy: 'weighted',
                members: [
                  { mid: 'mid-a', weight: 0 },
                  { mid: 'mid-z', weight: 1 },
                ],
              },
            },
            route: ['main', 'nope'],
          },
        ],
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const paths = (e as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
      expect(paths.some((p) => p.startsWith('merchantAccounts[0].currencies[0]'))).toBe(true);
      expect(paths.some((p) => p.startsWith('profiles[0].pools.main.members[0].weight'))).toBe(true);
      expect(paths).toContain('profiles[0].pools.main.members[1].mid: unknown merchant account "mid-z"');
      expect(paths).toContain('profiles[0].route[1]: unknown pool "nope"');
      expect(paths.some((p) => p.includes('"mid-a"'))).toBe(false);
    }
  });

  it("refuses route: ['constructor'] and declineRules: 'x' clearly", () => {
    const problems = (cfg: object) => {
      try {
        createRouter({
          ...base,
          merchantAccounts: [{ id: 'm', adapter: gw }],
          profiles: [{ id: 'p', pools: { main: { strategy: 'priority', members: [{ mid: 'm' }] } }, route: ['main'] }],
          ...cfg,
        } as never);
        return [];
      } catch (e) {
        return (e as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
      }
    };
    expect(
      problems({ profiles: [{ id: 'p', pools: { main: { strategy: 'priority', members: [{ mid: 'm' }] } }, route: ['constructor'] }] }),
    ).toEqual(['profiles[0].route[0]: unknown pool "constructor"']);
    expect(problems({ declineRules: 'x' })).toEqual([
      'declineRules: must be an array of rules ({ code or messageIncludes, reason, gateway?, mid? })',
    ]);
  });
});

afterAll(() => {
  process.off('warning', onWarning);
});
