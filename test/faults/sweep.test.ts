/**
 * The single-fault sweep. For a sale (the initial sale of a trial subscription), an authorization
 * with its capture and its refund, a rebill and a verification by pre-authorization, every store
 * call and every event emission after the gateway answered is made to fail, one per run: a store
 * call that throws before doing anything, one that does its work and then throws (a commit whose
 * answer is lost), a listener that throws. After each run the checkout retries with the same key,
 * then `reconcile()` runs past the claim's lease, and the invariants must hold: the gateway
 * charged at most once, the ledger equals the gateway's books, the cap counter equals the
 * approved amount, the idempotency key answers the approval, and the pin has every fact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox, type SandboxAdapter } from '../../adapters/sandbox';
import { ROUTER_EVENTS } from '../../src/events';
import { createRouter, type Router } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { postgresStore } from '../../src/store/postgres';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import type { Approval, SubscriptionInput } from '../../src/types';
import { describePg, testSchema } from '../store/pg-env';
import { type FaultPlan, faultPlan, faultyStore, watchedAdapter } from '../support/faulty';

const T0 = Date.UTC(2030, 0, 15, 10);
const TIMEOUTS = { attemptMs: 500, totalMs: 1_000 };
const CARD = { number: '4111111111111111', expMonth: 12, expYear: 2034, cvc: '123' };
const MONTH = [{ window: 'monthly' as const, key: '2030-01:USD' }];

/** What one run is: the flow and where its single fault goes. */
interface Fault {
  on: 'store' | 'event';
  at: number;
  mode: 'before' | 'after';
}

/** A world: a router on one sandbox MID over a store wrapped for faults, with a clock the test moves. */
function world(base: Store, fault?: Fault) {
  let now = T0;
  const plan: FaultPlan = faultPlan(fault?.on === 'store' ? { failAt: fault.at, mode: fault.mode } : {});
  const events = { armed: false, count: 0, failAt: fault?.on === 'event' ? fault.at : undefined, names: [] as string[] };
  const gw = sandbox({ id: 'sweep', capabilities: { verify: false } });
  const phase = { step: false };
  // Faults are armed only by the gateway answer of the step under test, not by its setup.
  const arm = () => {
    if (!phase.step) return;
    plan.armed = true;
    events.armed = true;
  };
  const router = createRouter({
    merchantAccounts: [{ id: 'mid-1', adapter: watchedAdapter(gw, arm), caps: { monthly: { amount: 10_000_000 } }, expressConsent: true }],
    profiles: [{ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'mid-1' }] } }, route: ['p'], verifyAmount: 100 }],
    store: faultyStore(base, plan),
    clock: () => now,
    timeouts: TIMEOUTS,
  });
  router.on('error', () => undefined); // listener failures are reported there, as expected
  for (const name of ROUTER_EVENTS) {
    if (name === 'error') continue;
    router.on(name, () => {
      if (!events.armed) return;
      events.count++;
      events.names.push(name);
      if (events.count === events.failAt) throw new Error(`injected listener failure on ${name}`);
    });
  }
  const disarm = () => {
    phase.step = false;
    plan.armed = false;
    events.armed = false;
  };
  return { router, gw, plan, events, disarm, startStep: () => (phase.step = true), pastLease: () => (now += 3 * TIMEOUTS.totalMs) };
}

type World = ReturnType<typeof world>;

/** A flow: what runs before the faults (clean), the step under faults, and how to retry it. */
interface Flow {
  name: string;
  setup(router: Router): Promise<Record<string, string>>;
  step(router: Router, ids: Record<string, string>): Promise<unknown>;
  /** After everything: the ledger against the sandbox's books. */
  check(w: World, store: Store, ids: Record<string, string>, final: Approval): Promise<void>;
}

const sale = (router: Router, key: string, subscription?: SubscriptionInput) =>
  router.sale({
    profile: 'default',
    idempotencyKey: key,
    amount: 1999,
    currency: 'USD',
    card: CARD,
    ...(subscription && { subscription }),
  });
const authorize = (router: Router, key: string) =>
  router.authorize({ profile: 'default', idempotencyKey: key, amount: 5000, currency: 'USD', card: CARD });

async function capUsed(store: Store): Promise<number> {
  return (await store.capUsage('mid-1', MONTH))[0].amount;
}
const only = (gw: SandboxAdapter) => {
  expect(gw.charges.size, 'the gateway charged at most once').toBeLessThanOrEqual(1);
  return [...gw.charges.values()][0];
};

const FLOWS: Flow[] = [
  {
    name: 'sale (trial subscription)',
    setup: async () => ({}),
    step: (router) => sale(router, 'order-1', { id: 'sub-1', recurringAmount: 4999, physicalProduct: true }),
    async check(w, store, _ids, final) {
      const charge = only(w.gw)!;
      const tx = (await store.getTransaction(final.transactionId))!;
      expect(tx).toMatchObject({ status: 'captured', capturedAmount: charge.captured, gatewayTransactionId: charge.gatewayTransactionId });
      expect(await capUsed(store)).toBe(1999);
      expect(await store.getPin('sub-1')).toMatchObject({
        mid: 'mid-1',
        recurringAmount: 4999,
        physicalProduct: true,
        initialAmount: 1999,
      });
    },
  },
  {
    name: 'authorization',
    setup: async () => ({}),
    step: (router) => authorize(router, 'auth-1'),
    async check(w, store, _ids, final) {
      const charge = only(w.gw)!;
      expect(await store.getTransaction(final.transactionId)).toMatchObject({
        status: 'authorized',
        capturedAmount: 0,
        amount: charge.amount,
      });
      expect(await capUsed(store)).toBe(5000);
    },
  },
  {
    name: 'capture',
    setup: async (router) => ({ tx: (await authorize(router, 'auth-1')).unwrap().transactionId }),
    step: (router, ids) => router.capture(ids.tx, { amount: 3000, idempotencyKey: 'cap-1' }),
    async check(w, store, ids) {
      const charge = only(w.gw)!;
      expect(charge.captured).toBe(3000);
      expect(await store.getTransaction(ids.tx)).toMatchObject({ status: 'captured', capturedAmount: charge.captured });
    },
  },
  {
    name: 'refund',
    setup: async (router) => {
      const tx = (await authorize(router, 'auth-1')).unwrap().transactionId;
      (await router.capture(tx, { idempotencyKey: 'cap-1' })).unwrap();
      return { tx };
    },
    step: (router, ids) => router.refund(ids.tx, { amount: 1200, idempotencyKey: 'ref-1' }),
    async check(w, store, ids) {
      const charge = only(w.gw)!;
      expect(charge.refunded).toBe(1200);
      expect(await store.getTransaction(ids.tx)).toMatchObject({
        status: 'partially_refunded',
        capturedAmount: 5000,
        refundedAmount: charge.refunded,
      });
    },
  },
  {
    name: 'rebill',
    setup: async (router) => {
      (await sale(router, 'order-1', { id: 'sub-1' })).unwrap();
      return {};
    },
    step: (router) => router.rebill({ subscriptionId: 'sub-1', amount: 2999, currency: 'USD', idempotencyKey: 'rebill-1' }),
    async check(w, store, _ids, final) {
      const rebills = [...w.gw.charges.values()].filter((c) => c.storedCredential?.type === 'subsequent');
      expect(rebills, 'the rebill charged at most once').toHaveLength(1);
      expect(await store.getTransaction(final.transactionId)).toMatchObject({ status: 'captured', capturedAmount: 2999, mid: 'mid-1' });
      expect(await capUsed(store)).toBe(1999 + 2999);
      expect((await store.getPin('sub-1'))?.data).toMatchObject({ rebills: 1 });
    },
  },
  {
    name: 'verify (pre-authorization released)',
    setup: async () => ({}),
    step: (router) => router.verify({ profile: 'default', idempotencyKey: 'verify-1', amount: 0, currency: 'USD', card: CARD }),
    async check(w, store, _ids, final) {
      const charge = only(w.gw)!;
      expect(charge.voided, 'the hold is released at the gateway').toBe(true);
      expect(await store.getTransaction(final.transactionId)).toMatchObject({ status: 'voided' });
      expect(await capUsed(store)).toBe(0);
    },
  },
];

/** Run one flow with one fault (or none), then retry, reconcile and check everything. */
async function runOnce(makeStore: () => Promise<Store>, flow: Flow, fault?: Fault): Promise<{ storeCalls: number; events: number }> {
  const base = await makeStore();
  const w = world(base, fault);
  try {
    const ids = await flow.setup(w.router);
    w.startStep();
    const first = (await flow.step(w.router, ids)) as Awaited<ReturnType<Router['sale']>>;
    const counted = { storeCalls: w.plan.count, events: w.events.count };
    w.disarm();
    if (first.isErr()) expect(['ambiguous', 'error'], JSON.stringify(first.error)).toContain(first.error.kind);
    // The checkout retries at once: never a second charge.
    const retry = (await flow.step(w.router, ids)) as typeof first;
    if (retry.isErr()) expect(retry.error.rejection ?? retry.error.kind).toMatch(/idempotency_in_progress|ambiguous/);
    w.pastLease();
    await w.router.reconcile({ olderThanMs: 0 });
    await w.router.releaseHolds();
    const final = (await flow.step(w.router, ids)) as typeof first;
    expect(final.isOk(), `after reconcile the key answers the approval: ${JSON.stringify(final)}`).toBe(true);
    if (first.isOk()) expect(final.unwrap().transactionId).toBe(first.value.transactionId);
    await flow.check(w, base, ids, final.unwrap());
    expect(await base.listStaleClaims(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect((await base.listPendingAttempts(Number.MAX_SAFE_INTEGER)).filter((a) => a.marker === undefined)).toEqual([]);
    return counted;
  } finally {
    await base.close();
  }
}

/** Sweep every fault point of every flow on one store; returns the number of points covered. */
async function sweep(makeStore: () => Promise<Store>): Promise<{ points: number; byFlow: Record<string, string> }> {
  let points = 0;
  const byFlow: Record<string, string> = {};
  for (const flow of FLOWS) {
    const clean = await runOnce(makeStore, flow);
    expect(clean.storeCalls, `${flow.name}: store calls after the gateway answered`).toBeGreaterThan(0);
    for (let at = 1; at <= clean.storeCalls; at++) {
      for (const mode of ['before', 'after'] as const) await runOnce(makeStore, flow, { on: 'store', at, mode });
    }
    for (let at = 1; at <= clean.events; at++) await runOnce(makeStore, flow, { on: 'event', at, mode: 'before' });
    points += 2 * clean.storeCalls + clean.events;
    byFlow[flow.name] = `${clean.storeCalls} store calls × 2 modes, ${clean.events} events`;
  }
  return { points, byFlow };
}

describe('single-fault sweep', () => {
  it('memoryStore: every store call and event after the gateway call, failed one at a time', async () => {
    const { points, byFlow } = await sweep(async () => memoryStore());
    console.log(`[fault sweep: memory] ${points} fault points covered: ${JSON.stringify(byFlow)}`);
    expect(points).toBeGreaterThan(20);
  }, 120_000);

  const dir = mkdtempSync(join(tmpdir(), 'sy-sweep-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  it('sqliteStore: every store call and event after the gateway call, failed one at a time', async () => {
    const { points, byFlow } = await sweep(async () => sqliteStore({ path: join(dir, `sweep-${n++}.db`) }));
    console.log(`[fault sweep: sqlite] ${points} fault points covered: ${JSON.stringify(byFlow)}`);
    expect(points).toBeGreaterThan(20);
  }, 180_000);
});

describePg('postgresStore: single-fault sweep', (url) => {
  const schemas: string[] = [];
  it('every store call and event after the gateway call, failed one at a time', async () => {
    const { points, byFlow } = await sweep(async () => {
      const schema = testSchema('sweep');
      schemas.push(schema);
      const store = postgresStore({ connectionString: url, schema, maxConnections: 2 });
      await store.ready();
      return store;
    });
    console.log(`[fault sweep: postgres] ${points} fault points covered: ${JSON.stringify(byFlow)}`);
    expect(points).toBeGreaterThan(20);
  }, 300_000);
  afterAll(async () => {
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: url });
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pool.end();
  });
});
