/**
 * Candidate order: a route's pools in order, each pool ordered by its strategy, concatenated and
 * de-duplicated. `weighted` draws the winner by weight, then the rest by further draws without
 * replacement; `priority` keeps list order.
 * @module
 */
import type { CompiledPool } from '../profile/compile';

/** A source of uniform numbers in [0, 1); injectable for deterministic tests. */
export type RandomSource = () => number;

/** Order one pool's members. Members not in `allowed` are dropped before the draw. */
export function orderPool(pool: CompiledPool, random: RandomSource, allowed?: (mid: string) => boolean): string[] {
  const mids: string[] = [];
  const weights: number[] = [];
  for (let i = 0; i < pool.mids.length; i++) {
    if (allowed && !allowed(pool.mids[i])) continue;
    mids.push(pool.mids[i]);
    weights.push(pool.weights[i]);
  }
  if (pool.strategy === 'priority' || mids.length < 2) return mids;
  const out: string[] = [];
  let total = weights.reduce((a, b) => a + b, 0);
  while (mids.length > 0) {
    let r = random() * total;
    let pick = mids.length - 1;
    for (let i = 0; i < mids.length; i++) {
      r -= weights[i];
      if (r < 0) {
        pick = i;
        break;
      }
    }
    out.push(mids[pick]);
    total -= weights[pick];
    mids.splice(pick, 1);
    weights.splice(pick, 1);
  }
  return out;
}

/** Concatenate the pools of a route in order, without duplicates. */
export function orderRoute(
  route: readonly string[],
  pools: ReadonlyMap<string, CompiledPool>,
  random: RandomSource,
  allowed?: (mid: string) => boolean,
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of route) {
    const pool = pools.get(name);
    if (!pool) continue;
    for (const mid of orderPool(pool, random, allowed)) {
      if (!seen.has(mid)) {
        seen.add(mid);
        out.push(mid);
      }
    }
  }
  return out;
}
