/**
 * The `smart` scenario: four MIDs whose approval rates differ by card segment (a US acquirer, a
 * UK acquirer, a global processor, a debit specialist), drifting over the month: one MID's
 * approvals on its best segment fall 25 points halfway through, another's on US cards slowly
 * improve. The same seeded traffic (cards, amounts and the gateways' random draws) runs three
 * times through real routers: static weights, success-rate routing, and an oracle (a custom pool
 * strategy that always picks the truly best MID). Cascades are off, so the figures are routing's.
 *
 * Used by `npm run demo -- --scenario smart`, by the benchmark (50,000 transactions) and by a
 * smaller test.
 * @module
 */
import { sandbox, type SandboxResponse } from '../../adapters/sandbox';
import {
  type BinRow,
  createRouter,
  loadBinTable,
  memoryStore,
  type PoolStrategy,
  type ProfileInput,
  type Router,
  type Store,
} from '../../src/index';
import { pickWeighted, seeded, syntheticPan } from './random';

/** A card segment of the scenario: brand, type and issuing country. */
export interface SmartSegment {
  key: string;
  brand: 'visa' | 'mastercard';
  type: 'credit' | 'debit';
  country: 'US' | 'GB';
  bin: string;
  /** Share of the traffic (weight). */
  weight: number;
}

/** The eight segments, with one BIN each. */
export const SMART_SEGMENTS: readonly SmartSegment[] = [
  { key: 'visa|credit|US', brand: 'visa', type: 'credit', country: 'US', bin: '411111', weight: 22 },
  { key: 'visa|debit|US', brand: 'visa', type: 'debit', country: 'US', bin: '400551', weight: 16 },
  { key: 'visa|credit|GB', brand: 'visa', type: 'credit', country: 'GB', bin: '492181', weight: 10 },
  { key: 'visa|debit|GB', brand: 'visa', type: 'debit', country: 'GB', bin: '465943', weight: 9 },
  { key: 'mastercard|credit|US', brand: 'mastercard', type: 'credit', country: 'US', bin: '555555', weight: 15 },
  { key: 'mastercard|debit|US', brand: 'mastercard', type: 'debit', country: 'US', bin: '510510', weight: 10 },
  { key: 'mastercard|credit|GB', brand: 'mastercard', type: 'credit', country: 'GB', bin: '542418', weight: 9 },
  { key: 'mastercard|debit|GB', brand: 'mastercard', type: 'debit', country: 'GB', bin: '535110', weight: 9 },
];

/** The MIDs, their static weights and what they stand for. */
export const SMART_MIDS = [
  { id: 'nmi-us', label: 'NMI, US acquirer', weight: 35 },
  { id: 'adyen-uk', label: 'Adyen, UK acquirer', weight: 30 },
  { id: 'stripe-global', label: 'Stripe, global', weight: 20 },
  { id: 'bt-debit', label: 'Braintree, debit', weight: 15 },
] as const;

/** The MID and segment that degrade halfway through. */
export const SMART_DRIFT = { mid: 'nmi-us', segment: 'visa|credit|US', at: 0.5, drop: 0.25 } as const;

/**
 * True approval rate of a MID on a segment at a point of the month (0 = start, 1 = end), for
 * payments whose card has no problem of its own. Rates on a segment differ by up to 25 points.
 */
export function trueRate(mid: string, s: SmartSegment, t: number): number {
  const us = s.country === 'US';
  const debit = s.type === 'debit';
  let p: number;
  switch (mid) {
    case 'nmi-us':
      p = us ? (debit ? 0.8 : 0.84) : debit ? 0.6 : 0.62;
      break;
    case 'adyen-uk':
      // Its US approvals improve over the month (an issuer relationship warming up).
      p = us ? (debit ? 0.62 : 0.64) + 0.1 * t : debit ? 0.81 : 0.83;
      break;
    case 'stripe-global':
      p = 0.73 + (s.brand === 'mastercard' ? 0.02 : 0) - (debit ? 0.02 : 0);
      break;
    default:
      p = debit ? (us ? 0.82 : 0.79) : 0.62;
  }
  if (mid === SMART_DRIFT.mid && s.key === SMART_DRIFT.segment && t >= SMART_DRIFT.at) p -= SMART_DRIFT.drop;
  return p;
}

/** BIN rows of the segments (brand, type and country come from them). */
export const SMART_BINS: readonly BinRow[] = SMART_SEGMENTS.map((s) => ({
  start: s.bin,
  scheme: s.brand,
  type: s.type,
  prepaid: false,
  country: s.country,
  issuer: `${s.country} demo bank`,
}));

const weights = SMART_MIDS.map((m) => ({ mid: m.id, weight: m.weight }));

/** The three profiles of the comparison: one pool `smart` each, cascades off. */
export const SMART_PROFILES = {
  static: { id: 'smart', pools: { smart: { strategy: 'weighted', members: weights } }, route: ['smart'] },
  success_rate: {
    id: 'smart',
    pools: {
      smart: {
        strategy: 'success_rate',
        members: weights,
        segments: ['brand', 'cardType', 'binCountry'],
        window: { outcomes: 200, maxAgeHours: 72 },
        exploration: 0.05,
        minOutcomes: 30,
        fallback: 'weights',
      },
    },
    route: ['smart'],
  },
  oracle: { id: 'smart', pools: { smart: { strategy: 'oracle', members: weights } }, route: ['smart'] },
} as const satisfies Record<string, ProfileInput>;

/** The name of a compared strategy. */
export type SmartStrategy = keyof typeof SMART_PROFILES;

/** How one strategy did on the traffic. */
export interface SmartRun {
  strategy: SmartStrategy;
  approved: number;
  approvalRate: number;
  /** Approval rate per time bucket (days of the month, by default). */
  series: number[];
  /** First attempts per MID. */
  firstAttempts: Record<string, number>;
  /** success_rate only: shares of decisions that explored and that fell back to the weights. */
  exploreShare?: number | undefined;
  fallbackShare?: number | undefined;
  /** The degraded MID on the affected segment: its share before the drift, and how fast the traffic moved. */
  drift: {
    shareBefore: number;
    /** Transactions after the drift until its share (rolling, last 100 of the segment) fell to 20% of `shareBefore`; null: never. */
    movedAfter: number | null;
    /** Its share of the segment's transactions in the 2,000 transactions after the drift. */
    shareFirst2000: number;
  };
}

/** The comparison. */
export interface SmartReport {
  transactions: number;
  seed: number;
  days: number;
  /** Index of the first transaction after the drift. */
  driftAt: number;
  runs: Record<SmartStrategy, SmartRun>;
  /** Share of the oracle's gain over static weights that success-rate routing recovered. */
  recovery: number;
  durationMs: number;
}

/** Options of `simulateSmart`. */
export interface SmartOptions {
  /** Default 3,000. */
  transactions?: number | undefined;
  /** Default 2026. */
  seed?: number | undefined;
  /** Length of the simulated month in days (also the number of series buckets). Default 30. */
  days?: number | undefined;
  /** A fresh store for each strategy (default: memory). */
  store?: ((strategy: SmartStrategy) => Store) | undefined;
  /** Which strategies to run (default all three). */
  strategies?: readonly SmartStrategy[] | undefined;
  onProgress?: ((phase: string, done: number, total: number) => void) | undefined;
}

interface Payment {
  segment: SmartSegment;
  pan: string;
  amount: number;
  /** The gateway's draw (the same for every strategy: common random numbers). */
  u: number;
  /** The card's own draw: insufficient funds or expired, whichever MID tries it. */
  v: number;
}

const START = Date.UTC(2026, 4, 1);
const DAY = 86_400_000;

/** The seeded traffic, built once and replayed for every strategy. */
function traffic(n: number, seed: number): Payment[] {
  const r = seeded(seed);
  const segs = SMART_SEGMENTS.map((s) => [s, s.weight] as const);
  return Array.from({ length: n }, () => {
    const segment = pickWeighted(r, segs);
    return {
      segment,
      pan: syntheticPan(r, segment.bin, 16),
      amount: pickWeighted(r, [
        [2995, 3],
        [4995, 3],
        [9995, 2],
      ] as const),
      u: r(),
      v: r(),
    };
  });
}

/** What the gateway of `mid` answers to payment `p` at point `t` of the month. */
function answer(mid: string, p: Payment, t: number): SandboxResponse {
  if (p.v < 0.07) return { status: 'declined', code: '51', message: 'Insufficient Funds' };
  if (p.v < 0.08) return { status: 'declined', code: '54', message: 'Expired Card' };
  const rate = trueRate(mid, p.segment, t);
  if (p.u < rate) return { status: 'approved' };
  return p.u < rate + (1 - rate) * 0.9
    ? { status: 'declined', code: '05', message: 'Do Not Honor' }
    : { status: 'declined', code: '96', message: 'System Malfunction' };
}

/** The oracle: a pool strategy of its own (the `strategies` seam) that orders by the true rates. */
function oracle(time: () => number): PoolStrategy {
  return (out, pool, _random, allowed, env) => {
    const s = SMART_SEGMENTS.find((x) => x.bin === env?.request.bin.slice(0, 6));
    const mids = pool.mids.filter((m) => (!allowed || allowed(m)) && !out.includes(m));
    if (!s) return void out.push(...mids);
    out.push(...mids.sort((a, b) => trueRate(b, s, time()) - trueRate(a, s, time())));
  };
}

async function run(strategy: SmartStrategy, payments: Payment[], o: Required<Pick<SmartOptions, 'seed' | 'days'>> & SmartOptions) {
  const n = payments.length;
  let i = 0;
  const frac = () => i / n;
  const clock = () => START + Math.floor((i * o.days * DAY) / n);
  const store = o.store?.(strategy) ?? memoryStore();
  const router: Router = createRouter({
    merchantAccounts: SMART_MIDS.map((m) => ({
      id: m.id,
      adapter: sandbox({ id: m.id, respond: () => answer(m.id, payments[i], frac()) }),
      currencies: ['USD'],
    })),
    profiles: [SMART_PROFILES[strategy]],
    store,
    bins: await loadBinTable(SMART_BINS),
    random: seeded(o.seed + 17),
    clock,
    fingerprintKey: `smart-${o.seed}`,
    strategies: { oracle: oracle(frac) },
  });
  const buckets = Array.from({ length: o.days }, () => ({ n: 0, ok: 0 }));
  const firstAttempts: Record<string, number> = Object.fromEntries(SMART_MIDS.map((m) => [m.id, 0]));
  const driftAt = Math.ceil(n * SMART_DRIFT.at);
  const seg: Array<{ i: number; degraded: boolean }> = [];
  let approved = 0;
  let explored = 0;
  let fellBack = 0;
  for (i = 0; i < n; i++) {
    const p = payments[i];
    const r = await router.sale({
      profile: 'smart',
      idempotencyKey: `smart-${strategy}-${i}`,
      amount: p.amount,
      currency: 'USD',
      card: { number: p.pan, expMonth: 12, expYear: 2031, cvc: '123' },
      customer: { country: p.segment.country },
    });
    const attempts = r.isOk() ? r.value.attempts : r.error.attempts;
    const first = attempts.find((a) => a.outcome !== 'skipped')?.mid;
    if (first) firstAttempts[first]++;
    if (r.isOk()) approved++;
    const b = buckets[Math.min(o.days - 1, Math.floor((i * o.days) / n))];
    b.n++;
    if (r.isOk()) b.ok++;
    if (p.segment.key === SMART_DRIFT.segment) seg.push({ i, degraded: first === SMART_DRIFT.mid });
    if (strategy === 'success_rate') {
      const id = r.isOk() ? r.value.transactionId : r.error.transactionId;
      const mode = id ? (await router.transaction(id))?.routing?.successRate?.[0]?.mode : undefined;
      if (mode === 'explore') explored++;
      if (mode === 'fallback') fellBack++;
    }
    if (i % 500 === 499) o.onProgress?.(strategy, i + 1, n);
  }
  o.onProgress?.(strategy, n, n);
  await router.close();
  return {
    strategy,
    approved,
    approvalRate: approved / n,
    series: buckets.map((b) => (b.n ? b.ok / b.n : 0)),
    firstAttempts,
    ...(strategy === 'success_rate' && { exploreShare: explored / n, fallbackShare: fellBack / n }),
    drift: driftFigures(seg, driftAt),
  } satisfies SmartRun;
}

/** The degraded MID's share of the affected segment before the drift, and how quickly it fell after. */
function driftFigures(seg: Array<{ i: number; degraded: boolean }>, driftAt: number): SmartRun['drift'] {
  const share = (xs: typeof seg) => (xs.length ? xs.filter((x) => x.degraded).length / xs.length : 0);
  const before = seg.filter((x) => x.i < driftAt);
  const shareBefore = share(before.slice(-300));
  const after = seg.filter((x) => x.i >= driftAt);
  let movedAfter: number | null = null;
  let inWindow = 0;
  for (let k = 0; k < after.length; k++) {
    inWindow += after[k].degraded ? 1 : 0;
    if (k >= 100) inWindow -= after[k - 100].degraded ? 1 : 0;
    const size = Math.min(k + 1, 100);
    if (size >= 50 && inWindow / size <= 0.2 * shareBefore) {
      movedAfter = after[k].i - driftAt;
      break;
    }
  }
  return { shareBefore, movedAfter, shareFirst2000: share(after.filter((x) => x.i < driftAt + 2000)) };
}

/**
 * Run the comparison on one seeded traffic.
 * @example
 * const report = await simulateSmart({ transactions: 50_000, seed: 7 });
 * report.recovery // share of the oracle's gain over static weights that success-rate routing recovered
 */
export async function simulateSmart(options: SmartOptions = {}): Promise<SmartReport> {
  const began = Date.now();
  const o = { ...options, seed: options.seed ?? 2026, days: options.days ?? 30 };
  const n = options.transactions ?? 3_000;
  const payments = traffic(n, o.seed);
  const which = options.strategies ?? (['static', 'success_rate', 'oracle'] as const);
  const runs = {} as Record<SmartStrategy, SmartRun>;
  for (const s of which) runs[s] = await run(s, payments, o);
  const gain = runs.oracle && runs.static ? runs.oracle.approved - runs.static.approved : Number.NaN;
  const recovery = runs.success_rate && gain > 0 ? (runs.success_rate.approved - runs.static.approved) / gain : Number.NaN;
  return {
    transactions: n,
    seed: o.seed,
    days: o.days,
    driftAt: Math.ceil(n * SMART_DRIFT.at),
    runs,
    recovery,
    durationMs: Date.now() - began,
  };
}
