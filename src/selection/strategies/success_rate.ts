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
import type { ApprovalWindowSettings, SuccessRateDecision, SuccessRateEstimate } from '../../store/types';
import { windowAt } from '../../store/approval-window';
import { OVERALL, type SegmentDimension, segmentKeys } from '../segments';
import { betaSample } from './beta';
import { priority } from './priority';
import type { PoolStrategy, StrategyEnv } from './types';
import { weighted } from './weighted';

/** Settings of a `success_rate` pool, compiled from the profile. */
export interface SuccessRateSettings {
  /** Segment dimensions, coarse to fine. */
  readonly dimensions: readonly SegmentDimension[];
  readonly amountBands: readonly number[];
  readonly amountLabels: readonly string[];
  readonly window: ApprovalWindowSettings;
  /** Share of decisions that explore (0–0.5). */
  readonly exploration: number;
  /** Outcomes a segment needs before its own data outweighs its parent's; and the MID-overall baseline before the pool stops falling back. */
  readonly minOutcomes: number;
  /** Order while no member has a baseline: the weighted draw or the list. */
  readonly fallback: 'weights' | 'priority';
}

const round = (v: number, f: number) => Math.round(v * f) / f;

interface Posterior {
  alpha: number;
  beta: number;
  mean: number;
  segment: string;
  outcomes: number;
  baseline: boolean;
}

/** The posterior of one MID on the segment keys (finest first, `*` last). */
function posterior(mid: string, keys: readonly string[], sr: SuccessRateSettings, env: StrategyEnv): Posterior {
  const m = sr.minOutcomes;
  let alpha = 1;
  let beta = 1;
  let segment = OVERALL;
  let outcomes = 0;
  let baseline = false;
  for (let l = keys.length - 1; l >= 0; l--) {
    const r = env.approvals.read(mid, keys[l], env.now);
    if (r.ready) env.pending = env.pending && env.pending !== r.ready ? Promise.all([env.pending, r.ready]).then(() => {}) : r.ready;
    const c = windowAt(r.counts, env.now, sr.window);
    if (l === keys.length - 1) {
      alpha = 1 + c.approved;
      beta = 1 + c.total - c.approved;
      outcomes = c.total;
      baseline = c.total >= m;
    } else {
      const mu = alpha / (alpha + beta);
      alpha = c.approved + m * mu;
      beta = c.total - c.approved + m * (1 - mu);
      if (c.total >= m) {
        segment = keys[l];
        outcomes = c.total;
      }
    }
  }
  return { alpha, beta, mean: alpha / (alpha + beta), segment, outcomes, baseline };
}

const estimateOf = (mid: string, p: Posterior): SuccessRateEstimate => ({
  mid,
  estimate: round(p.mean, 1e4),
  segment: p.segment,
  outcomes: round(p.outcomes, 10),
});

/** Order by estimated approval, exploring within the pool's budget; fall back to weights or list order without data. */
export const successRate: PoolStrategy = (out, pool, random, allowed, env) => {
  const sr = pool.successRate;
  const fallback = sr?.fallback === 'priority' ? priority : weighted;
  if (!sr || !env) return fallback(out, pool, random, allowed);
  const mids: string[] = [];
  for (const mid of pool.mids) if ((!allowed || allowed(mid)) && !out.includes(mid)) mids.push(mid);
  if (mids.length === 0) return;
  const keys = segmentKeys(sr.dimensions, env.request, sr.amountBands, sr.amountLabels);
  const post = mids.map((mid) => posterior(mid, keys, sr, env));
  const decision: SuccessRateDecision = { pool: pool.name, segments: keys, window: sr.window, mode: 'exploit', members: [] };
  env.decisions.push(decision);

  if (!post.some((p) => p.baseline)) {
    const start = out.length;
    fallback(out, pool, random, allowed);
    decision.mode = 'fallback';
    for (let i = start; i < out.length; i++) decision.members.push(estimateOf(out[i], post[mids.indexOf(out[i])]));
    return;
  }
  // Indices by estimate, best first (list order breaks ties).
  const order = mids.map((_, i) => i).sort((a, b) => post[b].mean - post[a].mean || a - b);
  let samples: number[] | undefined;
  if (order.length > 1 && sr.exploration > 0 && random() < sr.exploration) {
    samples = order.map((i) => (i === order[0] ? Number.NaN : betaSample(post[i].alpha, post[i].beta, random)));
    let pick = 1;
    for (let k = 2; k < order.length; k++) if (samples[k] > samples[pick]) pick = k;
    order.unshift(...order.splice(pick, 1));
    samples.unshift(...samples.splice(pick, 1));
    decision.mode = 'explore';
  }
  order.forEach((i, k) => {
    out.push(mids[i]);
    const e = estimateOf(mids[i], post[i]);
    if (samples && !Number.isNaN(samples[k])) e.sample = round(samples[k], 1e4);
    if (samples && k === 0) e.explored = true;
    decision.members.push(e);
  });
};
