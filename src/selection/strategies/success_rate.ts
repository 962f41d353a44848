/**
 * `success_rate` pools: each eligible member is ordered by its estimated approval probability on
 * the payment's card segment, learnt from recent outcomes (`approval-signal.ts` says which count,
 * the store keeps the windows, `approval-cache.ts` serves them).
 *
 * The estimate is a Beta posterior built coarse to fine: the MID overall (`*`) from a uniform
 * prior, then each finer segment with the coarser estimate as its prior, worth `minOutcomes`
 * outcomes. A segment with few outcomes stays near its parent (the back-off), one with many
 * speaks for itself; comparing a MID's sparse segment with another's rich one never mixes card
 * populations the way a hard cut-over to the parent would. Until no member has `minOutcomes`
 * outcomes overall, the pool falls back to its weights (or list order).
 *
 * Exploration: budgeted Thompson sampling. With probability `exploration` the first place goes
 * to the non-leader whose posterior draw is highest, so the budget is spent where a MID may really
 * be better (a thinly measured or aging window), not uniformly on MIDs known to be worse; the rest
 * of the time the best estimate goes first. Why not plain Thompson sampling: with windows that
 * forget (they must, for drift), posteriors never narrow, and in the seeded simulation plain
 * sampling sent a fifth of the traffic to non-leaders and recovered less of the oracle's gain.
 * Cascades after the first MID follow the estimates. The draws use the router's `random`.
 * @module
 */
import type { WindowCounts } from '../../store/approval-window';
import type { ApprovalWindowSettings, SuccessRateDecision, SuccessRateEstimate } from '../../store/types';
import type { SegmentIndex } from '../segments';
import { betaSample } from './beta';
import { priority } from './priority';
import type { PoolStrategy, StrategyEnv } from './types';
import { weighted } from './weighted';

/** Settings of a `success_rate` pool, compiled from the profile. */
export interface SuccessRateSettings {
  /** Segment dimensions, coarse to fine, and the index of their key chains (shared by pools with the same dimensions). */
  readonly segments: SegmentIndex;
  readonly window: ApprovalWindowSettings;
  /** Share of decisions that explore (0–0.5). */
  readonly exploration: number;
  /** Outcomes a segment needs before its own data outweighs its parent's; and the MID-overall baseline before the pool stops falling back. */
  readonly minOutcomes: number;
  /** Order while no member has a baseline: the weighted draw or the list. */
  readonly fallback: 'weights' | 'priority';
}

const round = (v: number, f: number) => Math.round(v * f) / f;

/**
 * Scratch space of one decision (strategies run synchronously, one at a time): each member's
 * posterior, so the hot path allocates only what the decision record keeps.
 */
const scratch = {
  alpha: new Float64Array(16),
  beta: new Float64Array(16),
  mean: new Float64Array(16),
  outcomes: new Float64Array(16),
  level: new Int32Array(16),
  seen: [] as Array<WindowCounts | undefined | null>,
};

function ensureScratch(n: number): void {
  if (scratch.alpha.length >= n) return;
  const size = 2 ** Math.ceil(Math.log2(n));
  scratch.alpha = new Float64Array(size);
  scratch.beta = new Float64Array(size);
  scratch.mean = new Float64Array(size);
  scratch.outcomes = new Float64Array(size);
  scratch.level = new Int32Array(size);
}

/**
 * The posterior of member `i` on the segment keys (finest first, `*` last), into the scratch
 * arrays: alpha, beta, mean, the level its estimate rests on, and the outcomes there. Returns
 * whether the MID has `minOutcomes` outcomes overall (its baseline).
 */
function posterior(i: number, mid: string, keys: readonly string[], sr: SuccessRateSettings, env: StrategyEnv): boolean {
  const m = sr.minOutcomes;
  const maxAgeMs = sr.window.maxAgeMs;
  const seen = scratch.seen;
  let alpha = 1;
  let beta = 1;
  let level = keys.length - 1;
  let outcomes = 0;
  let baseline = false;
  env.approvals.readAll(mid, keys, env.now, seen);
  for (let l = keys.length - 1; l >= 0; l--) {
    const c = seen[l];
    if (c === null) {
      const ready = env.approvals.ready(mid, keys[l]);
      env.pending = env.pending && env.pending !== ready ? Promise.all([env.pending, ready]).then(() => {}) : ready;
    }
    // The window seen now (windowAt, inlined: this runs for every MID and segment of a decision).
    let approved = 0;
    let total = 0;
    if (c) {
      const age = env.now - c.at;
      if (age < maxAgeMs) {
        const f = age > 0 ? Math.exp(-age / maxAgeMs) : 1;
        approved = c.approved * f;
        total = c.total * f;
      }
    }
    if (l === keys.length - 1) {
      alpha = 1 + approved;
      beta = 1 + total - approved;
      outcomes = total;
      baseline = total >= m;
    } else {
      const mu = alpha / (alpha + beta);
      alpha = approved + m * mu;
      beta = total - approved + m * (1 - mu);
      if (total >= m) {
        level = l;
        outcomes = total;
      }
    }
  }
  scratch.alpha[i] = alpha;
  scratch.beta[i] = beta;
  scratch.mean[i] = alpha / (alpha + beta);
  scratch.level[i] = level;
  scratch.outcomes[i] = outcomes;
  return baseline;
}

const estimateOf = (mid: string, i: number, keys: readonly string[]): SuccessRateEstimate => ({
  mid,
  estimate: round(scratch.mean[i], 1e4),
  segment: keys[scratch.level[i]],
  outcomes: round(scratch.outcomes[i], 10),
});

/** Order by estimated approval, exploring within the pool's budget; fall back to weights or list order without data. */
export const successRate: PoolStrategy = (out, pool, random, allowed, env) => {
  const sr = pool.successRate;
  const fallback = sr?.fallback === 'priority' ? priority : weighted;
  if (!sr || !env) return fallback(out, pool, random, allowed);
  const mids: string[] = [];
  for (const mid of pool.mids) if ((!allowed || allowed(mid)) && !out.includes(mid)) mids.push(mid);
  if (mids.length === 0) return;
  const keys = sr.segments.keys(env.request);
  ensureScratch(mids.length);
  let baseline = false;
  for (let i = 0; i < mids.length; i++) baseline = posterior(i, mids[i], keys, sr, env) || baseline;
  const decision: SuccessRateDecision = { pool: pool.name, segments: keys, window: sr.window, mode: 'exploit', members: [] };
  env.decisions.push(decision);

  if (!baseline) {
    const start = out.length;
    fallback(out, pool, random, allowed);
    decision.mode = 'fallback';
    for (let i = start; i < out.length; i++) decision.members.push(estimateOf(out[i], mids.indexOf(out[i]), keys));
    return;
  }
  // Indices by estimate, best first (list order breaks ties): an insertion sort, the lists are short.
  const mean = scratch.mean;
  const order: number[] = [];
  for (let i = 0; i < mids.length; i++) {
    let k = order.length;
    while (k > 0 && mean[order[k - 1]] < mean[i]) k--;
    order.splice(k, 0, i);
  }
  let samples: number[] | undefined;
  if (order.length > 1 && sr.exploration > 0 && random() < sr.exploration) {
    samples = order.map((i) => (i === order[0] ? Number.NaN : betaSample(scratch.alpha[i], scratch.beta[i], random)));
    let pick = 1;
    for (let k = 2; k < order.length; k++) if (samples[k] > samples[pick]) pick = k;
    order.unshift(...order.splice(pick, 1));
    samples.unshift(...samples.splice(pick, 1));
    decision.mode = 'explore';
  }
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    out.push(mids[i]);
    const e = estimateOf(mids[i], i, keys);
    if (samples && !Number.isNaN(samples[k])) e.sample = round(samples[k], 1e4);
    if (samples && k === 0) e.explored = true;
    decision.members.push(e);
  }
};
