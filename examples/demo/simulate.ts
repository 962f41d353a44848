/**
 * The simulation: a month of checkouts through the demo profile, then two monthly rebill cycles
 * of the subscriptions (each followed by a salvage pass of the soft declines), on a router with
 * an SQLite store. Returns the facts the report shows, read from router events and the store.
 * @module
 */
import { join } from 'node:path';
import {
  createRouter,
  loadBinTable,
  sqliteStore,
  type AlertOutcome,
  type Approval,
  type DeclineReason,
  type Failure,
  type MidHealthReport,
  type Result,
} from '../../src/index';
import { DEMO_BINS, CARD_MIX, DEMO_MIDS, DEMO_PROFILE, demoMerchantAccounts } from './setup';
import { pickWeighted, seeded, syntheticPan } from './random';
import { tallyEvents, type MidTally } from './tally';

/** Options of a demo run. */
export interface SimulationOptions {
  /** Number of checkouts (default 3000). */
  checkouts?: number;
  /** Seed of every random draw (default 2026). */
  seed?: number;
  /** Folder for the SQLite file. */
  dir: string;
  /** Payments in flight at once (default 16). */
  concurrency?: number;
  /** Share of checkouts that start a subscription (default 0.45). */
  subscriptionShare?: number;
  /** Called as work completes: `done` of `total` operations of a phase. */
  onProgress?: (phase: string, done: number, total: number) => void;
}

/** One MID's line of the report. */
export interface MidReport extends MidTally {
  id: string;
  label: string;
  pool: string;
  /** Configured weight as a share of its pool (weighted pools only). */
  weightShare?: number;
  /** Share of its pool's first attempts it received. */
  firstAttemptShare?: number;
  brands?: string[];
  monthlyCap?: number;
  /** Cap usage in the checkout month, from the store. */
  capUsed?: number;
  /** Mean gateway latency of its attempts, ms. */
  meanLatencyMs: number;
}

/** Everything the demo report shows. */
export interface SimulationReport {
  seed: number;
  dbPath: string;
  month: string;
  durationMs: number;
  checkouts: number;
  approvedSales: number;
  approvedSalesAmount: number;
  /** Sales approved on a later MID after a soft decline. */
  savedByCascade: number;
  savedAmount: number;
  cascades: number;
  /** Cascades by the reason that set them off, most frequent first. */
  cascadeReasons: Array<{ reason: string; count: number }>;
  /** First MID → MID that approved (or `declined`) for cascaded sales. */
  flows: Array<{ from: string; to: string; count: number }>;
  /** Final outcome of failed sales: `declined`, `rejected:<reason>`, `ambiguous`, `error`. */
  failedSales: Record<string, number>;
  mids: MidReport[];
  /** Declined attempts by standard reason, most frequent first. */
  declineAttempts: Array<{ reason: DeclineReason; count: number }>;
  /** Final decline reason of declined sales. */
  finalDeclines: Array<{ reason: DeclineReason; count: number }>;
  prepaidSales: number;
  prepaidOnPrepaidMid: number;
  amexSales: number;
  amexOnNoAmexMid: number;
  subscriptions: {
    pinned: number;
    rebills: number;
    rebillsApproved: number;
    onPinnedMid: number;
    salvageRetries: number;
    salvaged: number;
    revoked: number;
  };
  /** Chargeback monitoring at the end of the checkout month: seeded disputes, fraud reports and prevention alerts. */
  disputes: {
    health: MidHealthReport;
    recorded: number;
    fraudReports: number;
    alerts: Array<{ alertId: string; kind: string; mid: string; outcome: AlertOutcome; refunded: number; matchedBy: string }>;
    /** `mid:dispute_warning` events, as `mid level`. */
    warnings: string[];
    /** MIDs paused for new sales. */
    paused: string[];
  };
}

const DAY = 24 * 3_600_000;
const START = Date.UTC(2026, 2, 2, 9); // 2 March 2026: checkouts in March, rebills in April and May.
const AMOUNTS = [
  [2995, 30],
  [3995, 25],
  [4995, 25],
  [6995, 12],
  [9995, 8],
] as const;

/** Run `task(i)` for i in [0, count) with at most `n` in flight. */
async function inPool(n: number, count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(n, count) }, worker));
}

const sortedCounts = <K extends string>(m: Map<K, number> | Record<K, number>) =>
  (m instanceof Map ? [...m] : (Object.entries(m) as Array<[K, number]>))
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));

/** Run the simulation. */
export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
  const seed = options.seed ?? 2026;
  const checkouts = options.checkouts ?? 3000;
  const concurrency = options.concurrency ?? 16;
  const subscriptionShare = options.subscriptionShare ?? 0.45;
  const random = seeded(seed);
  const began = Date.now();
  // Simulated calendar: real time flows inside a phase; phases jump ahead (a month, a few days).
  let simBase = START;
  let anchor = Date.now();
  const clock = () => simBase + (Date.now() - anchor);
  const jumpTo = (t: number) => {
    simBase = Math.max(t, clock());
    anchor = Date.now();
  };

  const dbPath = join(options.dir, 'switchyard-demo.db');
  const store = sqliteStore({ path: dbPath });
  const router = createRouter({
    merchantAccounts: demoMerchantAccounts(seed),
    profiles: [DEMO_PROFILE],
    store,
    bins: await loadBinTable(DEMO_BINS),
    random: seeded(seed + 1),
    clock,
    fingerprintKey: `demo-${seed}`,
  });
  const tally = tallyEvents(
    router,
    DEMO_MIDS.map((m) => m.id),
  );
  const latency = new Map<string, { total: number; n: number }>();
  const failedSales: Record<string, number> = {};
  const finalDeclines = new Map<DeclineReason, number>();
  const subscriptions: Array<{ id: string; mid: string }> = [];
  const sold: Array<{ transactionId: string; amount: number; bin: string; last4: string; at: number; subscribed: boolean }> = [];
  const warnings: string[] = [];
  const paused: string[] = [];
  router.on('mid:dispute_warning', (w) => warnings.push(`${w.mid} ${w.level}`));
  router.on('mid:dispute_pause', (p) => paused.push(p.mid));
  let prepaidSales = 0,
    prepaidOnPrepaidMid = 0,
    amexSales = 0,
    amexOnNoAmexMid = 0,
    approvedSales = 0,
    approvedSalesAmount = 0;
  const prepaidBins = new Set(DEMO_BINS.filter((b) => b.prepaid).map((b) => b.start));
  const noAmex = new Set(DEMO_MIDS.filter((m) => m.brands && !m.brands.includes('amex')).map((m) => m.id));

  let done = 0;
  let phase = { name: 'checkouts', total: checkouts };
  const startPhase = (name: string, total: number) => {
    phase = { name, total };
    done = 0;
    options.onProgress?.(name, 0, total);
  };
  const progressed = () => options.onProgress?.(phase.name, ++done, phase.total);
  const observe = (r: Result<Approval, Failure>) => {
    for (const a of r.isOk() ? r.value.attempts : r.error.attempts) {
      if (a.outcome === 'skipped') continue;
      const l = latency.get(a.mid) ?? { total: 0, n: 0 };
      l.total += a.durationMs;
      l.n++;
      latency.set(a.mid, l);
    }
  };

  // 1. A month of checkouts.
  startPhase('checkouts', checkouts);
  await inPool(concurrency, checkouts, async (i) => {
    const [bin, length] = pickWeighted(
      random,
      CARD_MIX.map(([b, len, w]) => [[b, len] as const, w] as const),
    );
    const subscribe = random() < subscriptionShare;
    const amount = pickWeighted(random, AMOUNTS);
    const number = syntheticPan(random, bin, length);
    const r = await router.sale({
      profile: 'checkout',
      idempotencyKey: `order-${i}`,
      amount,
      currency: 'USD',
      card: { number, expMonth: 1 + (i % 12), expYear: 2028 + (i % 4), cvc: length === 15 ? '1234' : '123' },
      customer: { id: `cust-${i}`, email: `customer${i}@example.com`, country: 'US' },
      ...(subscribe && { subscription: { id: `sub-${i}`, recurringAmount: 5995 } }),
    });
    observe(r);
    if (r.isOk()) {
      approvedSales++;
      approvedSalesAmount += r.value.amount;
      if (prepaidBins.has(bin)) {
        prepaidSales++;
        if (r.value.attempts.some((a) => a.mid === 'pp-1' && a.outcome !== 'skipped')) prepaidOnPrepaidMid++;
      }
      if (length === 15) {
        amexSales++;
        if (noAmex.has(r.value.mid)) amexOnNoAmexMid++;
      }
      if (subscribe) subscriptions.push({ id: `sub-${i}`, mid: r.value.mid });
      sold.push({
        transactionId: r.value.transactionId,
        amount: r.value.amount,
        bin: number.slice(0, 6),
        last4: number.slice(-4),
        at: clock(),
        subscribed: subscribe,
      });
    } else {
      const f = r.error;
      const key = f.kind === 'rejected' ? `rejected:${f.rejection}` : f.kind;
      failedSales[key] = (failedSales[key] ?? 0) + 1;
      if (f.kind === 'declined' && f.decline) finalDeclines.set(f.decline.reason, (finalDeclines.get(f.decline.reason) ?? 0) + 1);
      tally.saleFailed(f.transactionId);
    }
    progressed();
  });
  const month = new Date(START).toISOString().slice(0, 7);

  // 1b. Late in the month: disputes, issuer fraud reports and prevention alerts (seeded).
  jumpTo(START + 24 * DAY);
  const disputeRandom = seeded(seed + 2);
  const REASONS = ['13.2', '13.1', '10.4', '4837', '4853', '13.3', '12.6'];
  let recorded = 0;
  let fraudReports = 0;
  const alerts: SimulationReport['disputes']['alerts'] = [];
  startPhase('disputes and alerts', sold.length);
  for (const [i, s] of sold.entries()) {
    const x = disputeRandom();
    if (x < 0.014) {
      const status = disputeRandom() < 0.3 ? 'under_review' : disputeRandom() < 0.2 ? 'won' : 'needs_response';
      const reasonCode = REASONS[Math.floor(disputeRandom() * REASONS.length)];
      if ((await router.recordDispute({ transactionId: s.transactionId, disputeId: `CB-${i}`, reasonCode, status })).isOk()) recorded++;
    } else if (x < 0.018) {
      if ((await router.recordDispute({ transactionId: s.transactionId, disputeId: `TC40-${i}`, kind: 'fraud_report' })).isOk())
        fraudReports++;
    } else if (x < 0.022) {
      // Half the alerts carry our order reference (CDRN), half only the card, amount and date (Ethoca).
      const byCard = disputeRandom() < 0.5;
      const alert = byCard
        ? { alertId: `ETH-${i}`, kind: 'ethoca_dispute', card: { bin: s.bin, last4: s.last4 }, amount: s.amount, date: s.at }
        : { alertId: `CDRN-${i}`, kind: 'cdrn_dispute', transactionId: s.transactionId };
      const r = await router.resolveAlert({ ...alert, action: s.subscribed ? 'refund_and_cancel' : 'refund' });
      if (r.isOk())
        alerts.push({
          alertId: r.value.alertId,
          kind: r.value.kind,
          mid: r.value.mid,
          outcome: r.value.outcome,
          refunded: r.value.refunded,
          matchedBy: r.value.matchedBy,
        });
    }
    progressed();
  }
  const health = await router.midHealth(undefined, { at: START + 29 * DAY });

  // 2. Two rebill cycles, each followed by one salvage pass of the soft declines.
  let rebills = 0,
    rebillsApproved = 0,
    onPinnedMid = 0,
    salvageRetries = 0,
    salvaged = 0;
  const rebillOnce = async (subscriptionId: string, amount: number, key: string) => {
    const pin = await router.pin(subscriptionId);
    const r = await router.rebill({ subscriptionId, amount, currency: 'USD', idempotencyKey: key });
    observe(r);
    rebills++;
    const tx = await router.transaction(r.isOk() ? r.value.transactionId : (r.error.transactionId ?? ''));
    const attempts = r.isOk() ? r.value.attempts : r.error.attempts;
    // Pinned: the ledger's MID and every gateway attempt are the pin's MID.
    if (pin && tx?.mid === pin.mid && attempts.every((a) => a.mid === pin.mid)) onPinnedMid++;
    if (r.isOk()) rebillsApproved++;
    return r;
  };
  for (const cycle of [1, 2]) {
    jumpTo(START + cycle * 30 * DAY);
    const retries: Array<{ id: string; at: number; amount: number }> = [];
    const active: typeof subscriptions = [];
    for (const s of subscriptions) if ((await router.pin(s.id))?.status === 'active') active.push(s);
    startPhase(`rebills, month ${cycle + 1}`, active.length);
    await inPool(concurrency, active.length, async (i) => {
      const s = active[i];
      const r = await rebillOnce(s.id, 5995, `${s.id}-cycle-${cycle}`);
      if (r.isErr() && r.error.nextRetryAt !== undefined && r.error.nextAmount !== undefined)
        retries.push({ id: s.id, at: r.error.nextRetryAt, amount: r.error.nextAmount });
      progressed();
    });
    if (retries.length) jumpTo(Math.max(...retries.map((x) => x.at)));
    await inPool(concurrency, retries.length, async (i) => {
      const x = retries[i];
      salvageRetries++;
      if ((await rebillOnce(x.id, x.amount, `${x.id}-cycle-${cycle}-salvage`)).isOk()) salvaged++;
    });
  }

  // 3. Read caps and pins back from the store.
  const mids: MidReport[] = [];
  const poolFirst = new Map<string, number>();
  for (const m of DEMO_MIDS) poolFirst.set(m.pool, (poolFirst.get(m.pool) ?? 0) + tally.mids.get(m.id)!.firstAttempts);
  for (const m of DEMO_MIDS) {
    const t = tally.mids.get(m.id)!;
    const poolWeight = DEMO_MIDS.filter((x) => x.pool === m.pool).reduce((n, x) => n + (x.weight ?? 0), 0);
    const [usage] = m.monthlyCap ? await store.capUsage(m.id, [{ window: 'monthly', key: `${month}:USD` }]) : [];
    const l = latency.get(m.id);
    mids.push({
      id: m.id,
      label: m.label,
      pool: m.pool,
      ...t,
      brands: m.brands,
      monthlyCap: m.monthlyCap,
      capUsed: usage?.amount,
      weightShare: m.weight ? m.weight / poolWeight : undefined,
      firstAttemptShare: m.weight && poolFirst.get(m.pool) ? t.firstAttempts / poolFirst.get(m.pool)! : undefined,
      meanLatencyMs: l ? l.total / l.n : 0,
    });
  }
  let pinned = 0;
  for (const s of subscriptions) if ((await router.pin(s.id))?.mid === s.mid) pinned++;
  await store.close();
  return {
    seed,
    dbPath,
    month,
    durationMs: Date.now() - began,
    checkouts,
    approvedSales,
    approvedSalesAmount,
    savedByCascade: tally.savedByCascade,
    savedAmount: tally.savedAmount,
    cascades: tally.cascades,
    cascadeReasons: sortedCounts(tally.cascadeReasons),
    flows: [...tally.flows]
      .map(([k, count]) => {
        const [from, to] = k.split('\u2192');
        return { from, to, count };
      })
      .sort((a, b) => b.count - a.count),
    failedSales,
    mids,
    declineAttempts: sortedCounts(tally.declineAttempts),
    finalDeclines: sortedCounts(finalDeclines),
    prepaidSales,
    prepaidOnPrepaidMid,
    amexSales,
    amexOnNoAmexMid,
    subscriptions: { pinned, rebills, rebillsApproved, onPinnedMid, salvageRetries, salvaged, revoked: tally.revoked },
    disputes: { health, recorded, fraudReports, alerts, warnings, paused },
  };
}
