/**
 * Success-rate routing (issue 18):
 * - the seeded simulation: 50,000 transactions, four MIDs whose approval rates differ by up to 25
 *   points per segment, one degrading halfway; static weights, success-rate routing and the
 *   oracle on the same traffic (examples/demo/smart.ts);
 * - the decision with success-rate pools on the 1,000-rule profile and with the same pools
 *   weighted, measured alternately in one process, with the store reads made while measuring;
 * - `router.sale` with a success-rate pool on memory and SQLite, with the store reads per sale.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandbox } from '../adapters/sandbox';
import { simulateSmart } from '../examples/demo/smart';
import type { BinTable } from '../src/card/bin-table';
import { detectBrand } from '../src/card/pan';
import { routingContext } from '../src/operations/cards';
import type { RoutingContext } from '../src/profile/compile';
import type { ProfileInput } from '../src/profile/schema';
import { createRouter, routerContext } from '../src/router';
import { SegmentIndex } from '../src/selection/segments';
import { planRoute } from '../src/selection/plan';
import { memoryStore } from '../src/store/memory';
import type { Store } from '../src/store/types';
import { type Figures, measure } from './measure';
import { MIDS, makeProfile, makeRequests, rng } from './workload';

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** The 50,000-transaction simulation. */
export async function successRateSimulationBench(transactions = 50_000) {
  const r = await simulateSmart({ transactions, seed: 2026 });
  const pct = (x: number) => round(100 * x, 2);
  const run = (k: keyof typeof r.runs) => ({
    approvalRatePct: pct(r.runs[k].approvalRate),
    firstAttempts: r.runs[k].firstAttempts,
    drift: r.runs[k].drift,
  });
  const sr = r.runs.success_rate;
  return {
    transactions,
    seed: r.seed,
    static: run('static'),
    successRate: { ...run('success_rate'), exploreSharePct: pct(sr.exploreShare ?? 0), fallbackSharePct: pct(sr.fallbackShare ?? 0) },
    oracle: run('oracle'),
    recoveryPct: pct(r.recovery),
    movedWithin: sr.drift.movedAfter,
    seconds: Math.round(r.durationMs / 1000),
  };
}

/** Every pool of the 1,000-rule profile as a success-rate pool over brand, card type and issuing country. */
export function successRateProfile(n: number): ProfileInput {
  const p = makeProfile(n);
  const pools = Object.fromEntries(
    Object.entries(p.pools).map(([name, pool]) => [
      name,
      {
        strategy: 'success_rate',
        members: pool.members.map((m) => ({ mid: m.mid, weight: m.weight ?? 1 })),
        segments: ['brand', 'cardType', 'binCountry'],
        minOutcomes: 1,
      },
    ]),
  );
  return { ...p, pools: pools as ProfileInput['pools'] };
}

/** A router on `profile` over the bench MIDs with a fixed clock and seeded draws, and its routing contexts. */
export function decisionSetup(profile: ProfileInput, bins: BinTable, now: number) {
  const store = memoryStore();
  const router = createRouter({
    merchantAccounts: MIDS.map((id, i) => ({
      id,
      adapter: sandbox(),
      currencies: i % 7 === 0 ? ['USD', 'EUR'] : undefined,
      brands: i % 5 === 0 ? ['visa', 'mastercard'] : undefined,
    })),
    profiles: [{ ...profile, id: 'bench' }],
    store,
    bins,
    random: rng(9).next,
    clock: () => now,
  });
  const ctx = routerContext(router);
  const compiled = ctx.profiles.get('bench')!;
  const contexts: RoutingContext[] = makeRequests(4096).map((r) => {
    const digits = r.card.number!;
    return routingContext(ctx, 'sale', r, { digits, brand: detectBrand(digits)!.brand, expMonth: 12, expYear: 2031 });
  });
  return { store, ctx, compiled, contexts };
}

/** One outcome per MID and segment the requests touch, approvals at random, and every window read once: pools decide on estimates, not their fallback. */
export async function warmWindows(sr: ReturnType<typeof decisionSetup>, now: number): Promise<void> {
  const seen = new Set<string>();
  const index = new SegmentIndex(['brand', 'cardType', 'binCountry']);
  const r = rng(5);
  for (const c of sr.contexts) {
    const keys = index.keys(c);
    for (const mid of MIDS) {
      if (seen.has(mid + keys[0])) continue;
      seen.add(mid + keys[0]);
      await sr.store.write({
        approvalOutcome: {
          mid,
          segments: [...keys],
          approved: r.next() < 0.75,
          at: now,
          window: { outcomes: 200, maxAgeMs: 72 * 3_600_000 },
        },
      });
    }
  }
  for (const c of sr.contexts) {
    const plan = planRoute(sr.ctx, sr.compiled, c, 'sale');
    if (plan.pending) await plan.pending;
  }
  await sr.ctx.approvals.idle();
}

/** Median of a list of numbers. */
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The decision on the 1,000-rule profile with every pool `success_rate` (warm windows for every
 * MID and segment the requests touch) and with the same pools weighted, side by side: `rounds`
 * alternating measurements of each in one process, so both see the same machine load. The
 * figures of each are the medians over the rounds; `ratioP50` is the median of the rounds' ratios.
 */
export async function successRateDecisionBench(bins: BinTable, timeMs: number, rounds = 6) {
  const now = Date.UTC(2026, 10, 21);
  const w = decisionSetup(makeProfile(1000), bins, now);
  const sr = decisionSetup(successRateProfile(1000), bins, now);
  await warmWindows(sr, now);
  const reads = sr.ctx.approvals.stats.reads;
  const per = Math.max(200, Math.round(timeMs / rounds));
  const weighted: Figures[] = [];
  const successRate: Figures[] = [];
  let i = 0;
  let j = 0;
  for (let k = 0; k < rounds; k++) {
    weighted.push(await measure('decision 1000 rules weighted', () => planRoute(w.ctx, w.compiled, w.contexts[i++ & 4095], 'sale'), per));
    successRate.push(
      await measure('decision 1000 rules success_rate', () => planRoute(sr.ctx, sr.compiled, sr.contexts[j++ & 4095], 'sale'), per),
    );
  }
  const of = (list: Figures[]) => ({
    p50us: round(median(list.map((f) => f.p50us)), 3),
    p99us: round(median(list.map((f) => f.p99us)), 3),
    opsPerSec: Math.round(median(list.map((f) => f.opsPerSec))),
    samples: list.reduce((n, f) => n + f.samples, 0),
  });
  return {
    rounds,
    msPerRound: per,
    weighted: of(weighted),
    successRate: of(successRate),
    ratioP50: round(median(successRate.map((f, k) => f.p50us / weighted[k].p50us)), 2),
    ratiosP50: successRate.map((f, k) => round(f.p50us / weighted[k].p50us, 2)),
    storeReadsWhileMeasuring: sr.ctx.approvals.stats.reads - reads,
  };
}

const saleProfile = {
  id: 'default',
  pools: {
    p: {
      strategy: 'success_rate' as const,
      members: [
        { mid: 'a', weight: 70 },
        { mid: 'b', weight: 30 },
      ],
      segments: ['brand' as const, 'cardType' as const],
    },
  },
  route: ['p'],
  cascade: { maxAttempts: 2 },
};

let n = 0;
const sale = () => ({
  profile: 'default',
  idempotencyKey: `sr-sale-${++n}`,
  amount: 1999,
  currency: 'USD',
  card: { number: '4111111111111111', expMonth: 12, expYear: 2031, cvc: '123' },
  customer: { country: 'US' },
});

async function saleOn(store: Store, name: string, timeMs: number) {
  const router = createRouter({
    merchantAccounts: [
      { id: 'a', adapter: sandbox(), caps: { monthly: { amount: 1e15 } } },
      { id: 'b', adapter: sandbox() },
    ],
    profiles: [saleProfile],
    store,
    fingerprintKey: 'bench-key',
  });
  const stats = routerContext(router).approvals.stats;
  let sales = 0;
  const fig = await measure(
    name,
    async () => {
      sales++;
      if ((await router.sale(sale())).isErr()) throw new Error('sale failed');
    },
    timeMs,
  );
  return { ...fig, storeReads: stats.reads, sales, readsPer1000Sales: round((1000 * stats.reads) / sales, 2) };
}

/** `router.sale` with a success-rate pool on memory and SQLite (real clock, the default one-second time to live). */
export async function successRateSaleBench(timeMs: number) {
  const memory = await saleOn(memoryStore(), 'sale memory success_rate', timeMs);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-sr-'));
  try {
    const { sqliteStore } = await import('../src/store/sqlite');
    const store = sqliteStore({ path: join(dir, 'bench.db') });
    const sqlite = await saleOn(store, 'sale sqlite success_rate', timeMs);
    await store.close();
    return { memory, sqlite };
  } catch (e) {
    console.warn(`SQLite store unavailable: ${(e as Error).message}`);
    return { memory, sqlite: null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
