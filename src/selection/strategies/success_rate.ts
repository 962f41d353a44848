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
import type { WindowSlot } from '../approval-cache';
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
 * Scratch space of one decision (strategies run synchronously, one at a time): the eligible
 * members, their posteriors and the order, so the hot path allocates only the decision's record.
 */
const scratch = {
  mids: [] as string[],
  index: new Int32Array(16),
  alpha: new Float64Array(16),
  beta: new Float64Array(16),
  mean: new Float64Array(16),
  outcomes: new Float64Array(16),
  level: new Int32Array(16),
  order: new Int32Array(16),
  sample: new Float64Array(16),
};

function ensureScratch(n: number): void {
  if (scratch.alpha.length >= n) return;
  const size = 2 ** Math.ceil(Math.log2(n));
  scratch.index = new Int32Array(size);
  scratch.alpha = new Float64Array(size);
  scratch.beta = new Float64Array(size);
  scratch.mean = new Float64Array(size);
  scratch.outcomes = new Float64Array(size);
  scratch.level = new Int32Array(size);
  scratch.order = new Int32Array(size);
  scratch.sample = new Float64Array(size);
}

/**
 * The posterior of eligible member `i` (pool member `p`) on the segment keys (finest first, `*`
 * last), from the pool's windows in `scratch.seen`, into the scratch arrays: alpha, beta, mean,
 * the level its estimate rests on, and the outcomes there. Returns whether the MID has
 * `minOutcomes` outcomes overall (its baseline).
 */
function posterior(
  i: number,
  p: number,
  mid: string,
  keys: readonly string[],
  slots: readonly WindowSlot[],
  sr: SuccessRateSettings,
  env: StrategyEnv,
): boolean {
  const m = sr.minOutcomes;
  const maxAgeMs = sr.window.maxAgeMs;
  let alpha = 1;
  let beta = 1;
  let level = keys.length - 1;
  let outcomes = 0;
  let baseline = false;
  const at = p * keys.length;
  for (let l = keys.length - 1; l >= 0; l--) {
    const slot = slots[at + l];
    if (slot.fetchedAt < 0) {
      const ready = env.approvals.ready(mid, keys[l]);
      env.pending = env.pending && env.pending !== ready ? Promise.all([env.pending, ready]).then(() => {}) : ready;
    }
    // The window seen now (windowAt, inlined: this runs for every MID and segment of a decision).
    let approved = 0;
    let total = 0;
    const c = slot.counts;
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

/** Numbers kept per member of a decision, in the order chosen: pool index, mean, outcomes, level, sample (NaN: none). */
const FIELDS = 5;

/**
 * The decision's record, built when something reads it (`explain`, the transaction's routing):
 * the hot path keeps only one array of numbers per pool, as it keeps the ineligible reasons.
 */
function decisionOf(
  pool: { name: string; mids: readonly string[] },
  keys: readonly string[],
  window: SuccessRateSettings['window'],
  mode: SuccessRateDecision['mode'],
  kept: number[],
): () => SuccessRateDecision {
  let built: SuccessRateDecision | undefined;
  return () => {
    if (built) return built;
    const members: SuccessRateEstimate[] = [];
    for (let k = 0; k < kept.length; k += FIELDS) {
      const e: SuccessRateEstimate = {
        mid: pool.mids[kept[k]],
        estimate: round(kept[k + 1], 1e4),
        segment: keys[kept[k + 3]],
        outcomes: round(kept[k + 2], 10),
      };
      if (!Number.isNaN(kept[k + 4])) e.sample = round(kept[k + 4], 1e4);
      if (mode === 'explore' && k === 0) e.explored = true;
      members.push(e);
    }
    built = { pool: pool.name, segments: keys, window, mode, members };
    return built;
  };
}

/** Keep member `i` (scratch index) at place `k` of the record, with its draw when there is one. */
function keep(kept: number[], i: number, sample: number): void {
  kept.push(scratch.index[i], scratch.mean[i], scratch.outcomes[i], scratch.level[i], sample);
}

/** Segment keys of the last request seen: the pools of one route usually share their dimensions. */
let lastRequest: StrategyEnv['request'] | undefined;
let lastIndex: SegmentIndex | undefined;
let lastKeys: readonly string[] = [];

/** Order by estimated approval, exploring within the pool's budget; fall back to weights or list order without data. */
export const successRate: PoolStrategy = (out, pool, random, allowed, env) => {
  const sr = pool.successRate;
  const fallback = sr?.fallback === 'priority' ? priority : weighted;
  if (!sr || !env) return fallback(out, pool, random, allowed);
  ensureScratch(pool.mids.length);
  const mids = scratch.mids;
  let n = 0;
  for (let p = 0; p < pool.mids.length; p++) {
    const mid = pool.mids[p];
    if ((allowed && !allowed(mid)) || out.includes(mid)) continue;
    mids[n] = mid;
    scratch.index[n++] = p;
  }
  if (n === 0) return;
  if (lastRequest !== env.request || lastIndex !== sr.segments) {
    lastKeys = sr.segments.keys(env.request);
    lastRequest = env.request;
    lastIndex = sr.segments;
  }
  const keys = lastKeys;
  const slots = env.approvals.readPool(pool.mids, keys, env.now);
  let baseline = false;
  for (let i = 0; i < n; i++) baseline = posterior(i, scratch.index[i], mids[i], keys, slots, sr, env) || baseline;
  const kept: number[] = [];

  if (!baseline) {
    const start = out.length;
    fallback(out, pool, random, allowed);
    for (let k = 0; k < out.length - start; k++) {
      let i = 0;
      while (mids[i] !== out[start + k]) i++;
      keep(kept, i, Number.NaN);
    }
    env.decisions.push(decisionOf(pool, keys, sr.window, 'fallback', kept));
    return;
  }
  // Indices by estimate, best first (list order breaks ties): an insertion sort, the lists are short.
  const mean = scratch.mean;
  const order = scratch.order;
  for (let i = 0; i < n; i++) {
    let k = i;
    while (k > 0 && mean[order[k - 1]] < mean[i]) {
      order[k] = order[k - 1];
      k--;
    }
    order[k] = i;
  }
  let mode: SuccessRateDecision['mode'] = 'exploit';
  if (n > 1 && sr.exploration > 0 && random() < sr.exploration) {
    // The leader is not drawn for; the non-leader with the highest draw goes first.
    const sample = scratch.sample;
    sample[0] = Number.NaN;
    let pick = 1;
    for (let k = 1; k < n; k++) {
      sample[k] = betaSample(scratch.alpha[order[k]], scratch.beta[order[k]], random);
      if (k > 1 && sample[k] > sample[pick]) pick = k;
    }
    const first = order[pick];
    const drawn = sample[pick];
    for (let k = pick; k > 0; k--) {
      order[k] = order[k - 1];
      sample[k] = sample[k - 1];
    }
    order[0] = first;
    sample[0] = drawn;
    mode = 'explore';
    for (let k = 0; k < n; k++) keep(kept, order[k], sample[k]);
  } else for (let k = 0; k < n; k++) keep(kept, order[k], Number.NaN);
  for (let k = 0; k < n; k++) out.push(mids[order[k]]);
  env.decisions.push(decisionOf(pool, keys, sr.window, mode, kept));
};
