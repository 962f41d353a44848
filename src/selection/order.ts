/**
 * Candidate order: a route's pools in order, each pool ordered by its strategy, concatenated and
 * de-duplicated. `weighted` draws the winner by weight, then the rest by further draws without
 * replacement; `priority` keeps list order.
 * @module
 */
import type { CompiledPool } from '../profile/compile';

/** A source of uniform numbers in [0, 1); injectable for deterministic tests. */
export type RandomSource = () => number;

/** Order one pool's members into `out`, skipping MIDs already in it. Members not `allowed` are dropped before the draw. */
function appendPool(out: string[], pool: CompiledPool, random: RandomSource, allowed?: (mid: string) => boolean): void {
  if (pool.strategy === 'priority') {
    for (const mid of pool.mids) if ((!allowed || allowed(mid)) && !out.includes(mid)) out.push(mid);
    return;
  }
  // Weighted: collect the eligible members, then draw without replacement (winner first).
  const mids: string[] = [];
  const weights: number[] = [];
  let total = 0;
  for (let i = 0; i < pool.mids.length; i++) {
    const mid = pool.mids[i];
    if ((allowed && !allowed(mid)) || out.includes(mid)) continue;
    mids.push(mid);
    weights.push(pool.weights[i]);
    total += pool.weights[i];
  }
  for (let n = mids.length; n > 0; n--) {
    let r = random() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= weights[i];
      if (r < 0) {
        pick = i;
        break;
      }
    }
    out.push(mids[pick]);
    total -= weights[pick];
    // Remove the pick by moving the last live entry into its place.
    mids[pick] = mids[n - 1];
    weights[pick] = weights[n - 1];
  }
}

/** Order one pool's members. */
export function orderPool(pool: CompiledPool, random: RandomSource, allowed?: (mid: string) => boolean): string[] {
  const out: string[] = [];
  appendPool(out, pool, random, allowed);
  return out;
}

/** Concatenate the pools of a route in order, without duplicates. */
export function orderRoute(
  route: readonly string[],
  pools: ReadonlyMap<string, CompiledPool>,
  random: RandomSource,
  allowed?: (mid: string) => boolean,
): string[] {
  const out: string[] = [];
  for (const name of route) {
    const pool = pools.get(name);
    if (pool) appendPool(out, pool, random, allowed);
  }
  return out;
}
