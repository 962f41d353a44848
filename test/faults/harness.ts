/**
 * The fault-injection harness: a router over the six fake gateways, a seeded workload (sales,
 * authorizations with captures, subscriptions and rebills, refunds) run with random transport
 * faults, and the audit of the ledger against the fakes' own books after reconciliation.
 */
import pg from 'pg';
import Database from 'better-sqlite3';
import type { GatewayAdapter } from '../../src/adapter';
import { createRouter, type MerchantAccountConfig, type Router } from '../../src/router';
import type { Store } from '../../src/store/types';
import { holdsMoney, type TransactionStatus } from '../../src/transaction/states';
import type { Fault } from '../support/fake-server';
import { seeded } from '../support/router';
import { adapterFor } from './adapters';
import { CAPS, CARD, DAY_START, TIMEOUTS } from './constants';
import type { FakeGateway } from './gateways';

export { CAPS, CARD, DAY_START, TIMEOUTS } from './constants';

/** A router over the fakes (one MID each), weighted across all with cascades on soft declines. */
export function faultRouter(
  gateways: Array<Pick<FakeGateway, 'mid' | 'gateway' | 'url'>>,
  store: Store,
  seed: number,
  t0 = Date.now(),
  adapter: (g: Pick<FakeGateway, 'mid' | 'gateway' | 'url'>) => GatewayAdapter = adapterFor,
): Router {
  const accounts: MerchantAccountConfig[] = gateways.map((g) => ({
    id: g.mid,
    adapter: adapter(g),
    currencies: ['USD'],
    ...(CAPS[g.mid] && { caps: { daily: CAPS[g.mid] } }),
  }));
  return createRouter({
    merchantAccounts: accounts,
    profiles: [
      {
        id: 'default',
        pools: { all: { strategy: 'weighted', members: gateways.map((g) => ({ mid: g.mid, weight: 1 })) } },
        route: ['all'],
        cascade: { maxAttempts: 3 },
      } as never,
    ],
    store,
    random: seeded(seed),
    clock: () => DAY_START + (Date.now() - t0),
    timeouts: TIMEOUTS,
    // Faults are the point here: a tripped circuit would only hide MIDs from the workload.
    circuit: { threshold: 1_000_000 },
  });
}

const FAULTS: Fault[] = [
  { type: 'timeout', afterProcessing: false },
  { type: 'timeout', afterProcessing: true },
  { type: 'reset', afterProcessing: false },
  { type: 'reset', afterProcessing: true },
  { type: 'status', status: 500 },
  { type: 'status', status: 502 },
  { type: 'status', status: 503 },
  { type: 'malformed' },
  { type: 'truncate' },
  { type: 'slow', ms: 30 },
  { type: 'slow', ms: TIMEOUTS.attemptMs + 50 },
];

/** Counts of a workload run. */
export interface RunStats {
  transactions: number;
  outcomes: Record<string, number>;
  faults: Record<string, number>;
  captures: number;
  refunds: number;
  rebills: number;
}

/**
 * Run `transactions` sales, authorizations and rebills (plus captures and refunds) `concurrency`
 * at a time, injecting a random fault before an operation with probability `faultRate`.
 * Reconciles every `reconcileEvery` transactions, as a scheduled job would.
 */
export async function runWorkload(
  router: Router,
  gateways: FakeGateway[],
  o: { transactions: number; seed: number; faultRate: number; concurrency: number; tag: string; reconcileEvery?: number },
): Promise<RunStats> {
  const rnd = seeded(o.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const stats: RunStats = { transactions: 0, outcomes: {}, faults: {}, captures: 0, refunds: 0, rebills: 0 };
  const count = (k: string) => {
    stats.outcomes[k] = (stats.outcomes[k] ?? 0) + 1;
  };
  const captured: string[] = [];
  const subscriptions: string[] = [];
  let n = 0;
  let started = 0;

  /** One operation; sales, authorizations and rebills count as transactions (when they start). */
  const one = async (i: number) => {
    if (rnd() < o.faultRate) {
      const f = pick(FAULTS);
      pick(gateways).inject(f);
      const name =
        f.type +
        ('afterProcessing' in f
          ? f.afterProcessing
            ? '-after'
            : '-before'
          : 'status' in f
            ? `-${f.status}`
            : 'ms' in f
              ? `-${f.ms}`
              : '');
      stats.faults[name] = (stats.faults[name] ?? 0) + 1;
    }
    const r = rnd();
    const amount = 500 + Math.floor(rnd() * 4_500);
    const key = `${o.tag}-${i}`;
    if (r < 0.15 && subscriptions.length) {
      started++;
      stats.rebills++;
      const res = await router.rebill({
        subscriptionId: pick(subscriptions),
        amount,
        currency: 'USD',
        idempotencyKey: key,
        card: { ...CARD, cvc: undefined },
      });
      count(`rebill:${res.isOk() ? 'approved' : res.error.kind}`);
      if (res.isOk()) captured.push(res.value.transactionId);
      return;
    }
    if (r < 0.35) {
      started++;
      const res = await router.authorize({ profile: 'default', idempotencyKey: key, amount, currency: 'USD', card: CARD });
      count(`authorize:${res.isOk() ? 'approved' : res.error.kind}`);
      if (!res.isOk()) return;
      stats.captures++;
      const cap = await router.capture(res.value.transactionId, rnd() < 0.5 ? { amount: Math.ceil(amount / 2) } : {});
      count(`capture:${cap.isOk() ? 'approved' : cap.error.kind}`);
      if (cap.isOk()) captured.push(res.value.transactionId);
      return;
    }
    if (r < 0.47 && captured.length) {
      stats.refunds++;
      const res = await router.refund(pick(captured), { amount: 100 + Math.floor(rnd() * 3_000) });
      count(`refund:${res.isOk() ? 'approved' : res.error.kind === 'rejected' ? res.error.rejection : res.error.kind}`);
      return;
    }
    started++;
    const sub = rnd() < 0.3 ? { id: `${key}-sub` } : undefined;
    const res = await router.sale({ profile: 'default', idempotencyKey: key, amount, currency: 'USD', card: CARD, subscription: sub });
    count(`sale:${res.isOk() ? 'approved' : res.error.kind}`);
    if (res.isOk()) {
      captured.push(res.value.transactionId);
      if (sub) subscriptions.push(sub.id);
    }
  };

  let nextReconcile = o.reconcileEvery ?? Infinity;
  const worker = async () => {
    while (started < o.transactions) {
      await one(n++);
      if (started >= nextReconcile) {
        nextReconcile += o.reconcileEvery!;
        await router.reconcile({ olderThanMs: TIMEOUTS.totalMs * 2 });
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  stats.transactions = started;
  return stats;
}

/** An attempt and its transaction as the store keeps them. */
export interface LedgerAttempt {
  id: string;
  transactionId: string;
  status: string;
  operation: string;
  mid: string;
  amount: number;
}
/** A ledger transaction. */
export interface LedgerTransaction {
  id: string;
  status: string;
  operation: string;
  mid?: string;
  amount: number;
  capturedAmount: number;
  refundedAmount: number;
  idempotencyKey?: string;
  subscriptionId?: string;
}
/** The whole ledger, read straight from the database. */
export interface Ledger {
  attempts: LedgerAttempt[];
  transactions: Map<string, LedgerTransaction>;
  pins: Map<string, string>;
}

function toLedger(
  attempts: Array<Record<string, any>>,
  txs: Array<Record<string, any>>,
  pins: Array<Record<string, any>>,
  parse: (d: unknown) => any,
): Ledger {
  return {
    attempts: attempts.map((a) => ({ id: a.id, transactionId: a.transaction_id, status: a.status, ...parse(a.doc) })),
    transactions: new Map(
      txs.map((t) => {
        const d = parse(t.doc);
        return [
          t.id,
          {
            id: t.id,
            status: t.status,
            amount: Number(t.amount),
            capturedAmount: Number(t.captured_amount),
            refundedAmount: Number(t.refunded_amount),
            operation: d.operation,
            mid: d.mid,
            idempotencyKey: d.idempotencyKey,
            subscriptionId: d.subscriptionId,
          },
        ];
      }),
    ),
    pins: new Map(pins.map((p) => [p.subscription_id, p.mid])),
  };
}

/** Read the ledger of a SQLite store file. */
export function sqliteLedger(path: string): Ledger {
  const db = new Database(path, { readonly: true });
  try {
    const all = (t: string) => db.prepare(`SELECT * FROM ${t}`).all() as Array<Record<string, any>>;
    return toLedger(all('attempts'), all('transactions'), all('pins'), (d) => JSON.parse(d as string));
  } finally {
    db.close();
  }
}

/** Read the ledger of a PostgreSQL store schema. */
export async function postgresLedger(url: string, schema: string): Promise<Ledger> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const all = async (t: string) => (await pool.query(`SELECT * FROM "${schema}".${t}`)).rows as Array<Record<string, any>>;
    return toLedger(await all('attempts'), await all('transactions'), await all('pins'), (d) => d);
  } finally {
    await pool.end();
  }
}

/** What the audit found. */
export interface AuditReport {
  gatewayCharges: number;
  approvedInLedger: number;
  /** Charged at a gateway that cannot be asked by our reference, and still pending: known, flagged for review. */
  pendingForReview: number;
  pendingAttempts: number;
  refundsAtGateways: number;
  rebillsChecked: number;
  capChecks: string[];
  violations: string[];
}

/**
 * Audit the ledger against the fakes' books:
 * - every charge a fake recorded is in the ledger exactly once, approved (or, on a gateway with no
 *   lookup by reference, still pending and flagged: never failed or declined);
 * - no idempotency key charged twice anywhere, across all gateways;
 * - refunds never exceed captures, at the gateways and in the ledger, and the ledger never counts less refunded than the gateway;
 * - caps never exceeded by what the gateways really charged;
 * - every rebill charged on its subscription's pinned MID.
 */
export function audit(gateways: FakeGateway[], ledger: Ledger, lookupGateways: ReadonlySet<string>): AuditReport {
  const v: string[] = [];
  const attempts = new Map(ledger.attempts.map((a) => [a.id, a]));
  const chargedKeys = new Map<string, number>();
  const report: AuditReport = {
    gatewayCharges: 0,
    approvedInLedger: 0,
    pendingForReview: 0,
    pendingAttempts: 0,
    refundsAtGateways: 0,
    rebillsChecked: 0,
    capChecks: [],
    violations: v,
  };
  report.pendingAttempts = ledger.attempts.filter((a) => a.status === 'pending').length;
  const booked = new Map<string, Set<string>>();
  for (const g of gateways) {
    const book = g.book();
    booked.set(g.mid, new Set(book.map((e) => e.reference)));
    const refs = new Map<string, number>();
    let chargedAmount = 0;
    for (const e of book) {
      if (e.voided) {
        // Approved, then voided at the gateway: the ledger must know it, refunded or voided.
        const a = attempts.get(e.reference);
        const tx = a && ledger.transactions.get(a.transactionId);
        if (!a || a.status !== 'approved' || !tx || (tx.status !== 'voided' && tx.refundedAmount < tx.amount)) {
          v.push(
            `${g.mid}: voided payment ${e.reference} is ${a ? `${a.status}, transaction ${tx?.status} refunded ${tx?.refundedAmount}` : 'not in the ledger'}`,
          );
        }
        continue;
      }
      report.gatewayCharges++;
      refs.set(e.reference, (refs.get(e.reference) ?? 0) + 1);
      chargedAmount += e.amount;
      report.refundsAtGateways += e.refunded;
      if (e.refunded > e.captured) v.push(`${g.mid}: ${e.reference} refunded ${e.refunded} > captured ${e.captured}`);
      const a = attempts.get(e.reference);
      if (!a) {
        v.push(`${g.mid}: charge ${e.reference} is not in the ledger (lost approval)`);
        continue;
      }
      if (a.mid !== g.mid) v.push(`${g.mid}: charge ${e.reference} is booked on ${a.mid}`);
      const tx = ledger.transactions.get(a.transactionId);
      if (a.status === 'approved') {
        report.approvedInLedger++;
        if (!tx || (!holdsMoney(tx.status as TransactionStatus) && !['voided', 'refunded', 'charged_back'].includes(tx.status)))
          v.push(`${g.mid}: charge ${e.reference} approved but its transaction is ${tx?.status}`);
      } else if (a.status === 'pending' && !lookupGateways.has(g.gateway)) {
        report.pendingForReview++;
      } else {
        v.push(`${g.mid}: charge ${e.reference} is ${a.status} in the ledger (lost approval)`);
      }
      if (tx) {
        const key = tx.idempotencyKey ? `${tx.operation}:${tx.idempotencyKey}` : tx.id;
        chargedKeys.set(key, (chargedKeys.get(key) ?? 0) + 1);
        if (a.status === 'approved' && tx.refundedAmount < e.refunded)
          v.push(`${tx.id}: ledger refunded ${tx.refundedAmount} < gateway ${e.refunded}`);
        if (tx.refundedAmount > tx.capturedAmount) v.push(`${tx.id}: ledger refunded ${tx.refundedAmount} > captured ${tx.capturedAmount}`);
        if (tx.operation === 'rebill') {
          report.rebillsChecked++;
          const pinned = tx.subscriptionId && ledger.pins.get(tx.subscriptionId);
          if (pinned !== g.mid) v.push(`rebill ${tx.id} of ${tx.subscriptionId} charged on ${g.mid}, pinned to ${pinned}`);
        }
      }
    }
    for (const [ref, n] of refs) if (n > 1) v.push(`${g.mid}: reference ${ref} charged ${n} times`);
    const cap = CAPS[g.mid];
    if (cap?.amount !== undefined) {
      report.capChecks.push(`${g.mid}: charged ${chargedAmount} of cap ${cap.amount}`);
      if (chargedAmount > cap.amount) v.push(`${g.mid}: charged ${chargedAmount} > cap ${cap.amount}`);
    }
    if (cap?.count !== undefined) {
      const charges = book.filter((e) => !e.voided).length;
      report.capChecks.push(`${g.mid}: ${charges} charges of cap ${cap.count}`);
      if (charges > cap.count) v.push(`${g.mid}: ${charges} charges > cap ${cap.count}`);
    }
    v.push(...g.violations().map((x) => `${g.mid} spec: ${x}`));
  }
  for (const [key, n] of chargedKeys) if (n > 1) v.push(`idempotency key ${key} charged ${n} times (double charge)`);
  for (const a of ledger.attempts) {
    if (a.status === 'approved' && ['sale', 'authorize', 'rebill'].includes(a.operation)) {
      // The other direction: an approval in the ledger the gateway does not have.
      if (!booked.get(a.mid)?.has(a.id)) v.push(`ledger approval ${a.id} on ${a.mid} is not in the gateway's books`);
    }
  }
  return report;
}
