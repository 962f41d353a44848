/**
 * Candidate order: a route's pools in order, each pool ordered by its strategy, concatenated and
 * de-duplicated.
 * @module
 */
import type { CompiledPool } from '../profile/compile';
import { priority } from './strategies/priority';
import { successRate } from './strategies/success_rate';
import type { PoolStrategy, RandomSource, StrategyEnv } from './strategies/types';
import { weighted } from './strategies/weighted';

export type { RandomSource } from './strategies/types';

/** The built-in strategies by name. */
export const BUILTIN_STRATEGY_IMPLEMENTATIONS: ReadonlyMap<string, PoolStrategy> = new Map<string, PoolStrategy>([
  ['priority', priority],
  ['weighted', weighted],
  ['success_rate', successRate],
]);

/** Order one pool's members. */
export function orderPool(
  pool: CompiledPool,
  random: RandomSource,
  allowed?: (mid: string) => boolean,
  strategies: ReadonlyMap<string, PoolStrategy> = BUILTIN_STRATEGY_IMPLEMENTATIONS,
  env?: StrategyEnv,
): string[] {
  const out: string[] = [];
  strategies.get(pool.strategy)!(out, pool, random, allowed, env);
  return out;
}

/**
 * Concatenate the pools of a route in order, without duplicates. `env` is built only when a pool
 * needs more than its members (success_rate or a strategy of yours), so weighted and priority
 * routes allocate nothing for it.
 */
export function orderRoute(
  route: readonly string[],
  pools: ReadonlyMap<string, CompiledPool>,
  random: RandomSource,
  allowed?: (mid: string) => boolean,
  strategies: ReadonlyMap<string, PoolStrategy> = BUILTIN_STRATEGY_IMPLEMENTATIONS,
  env?: () => StrategyEnv,
): { candidates: string[]; env?: StrategyEnv | undefined } {
  const out: string[] = [];
  let built: StrategyEnv | undefined;
  for (const name of route) {
    const pool = pools.get(name);
    if (!pool) continue;
    if (pool.strategy === 'weighted') weighted(out, pool, random, allowed);
    else if (pool.strategy === 'priority') priority(out, pool, random, allowed);
    else strategies.get(pool.strategy)!(out, pool, random, allowed, (built ??= env?.()));
  }
  return { candidates: out, env: built };
}
