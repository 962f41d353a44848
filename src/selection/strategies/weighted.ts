/** `weighted` pools: the first MID drawn by weight, then the rest by further draws without replacement. @module */
import type { PoolStrategy } from './types';

/** Draw members by weight, winner first. Members not `allowed` are dropped before the draw. */
export const weighted: PoolStrategy = (out, pool, random, allowed) => {
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
};
