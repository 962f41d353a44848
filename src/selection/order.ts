/**
 * Candidate order: a route's pools in order, each pool ordered by its strategy, concatenated and
 * de-duplicated.
 * @module
 */
import type { CompiledPool } from '../profile/compile';
import { priority } from './strategies/priority';
import type { PoolStrategy, RandomSource } from './strategies/types';
import { weighted } from './strategies/weighted';

export type { RandomSource } from './strategies/types';

const STRATEGIES: Readonly<Record<CompiledPool['strategy'], PoolStrategy>> = { priority, weighted };

/** Order one pool's members. */
export function orderPool(pool: CompiledPool, random: RandomSource, allowed?: (mid: string) => boolean): string[] {
  const out: string[] = [];
  STRATEGIES[pool.strategy](out, pool, random, allowed);
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
    if (pool) STRATEGIES[pool.strategy](out, pool, random, allowed);
  }
  return out;
}
