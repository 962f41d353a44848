/** `priority` pools: members in the order listed. @module */
import type { PoolStrategy } from './types';

/** Keep list order. */
export const priority: PoolStrategy = (out, pool, _random, allowed) => {
  for (const mid of pool.mids) if ((!allowed || allowed(mid)) && !out.includes(mid)) out.push(mid);
};
