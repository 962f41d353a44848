/**
 * The shape of a pool strategy: order a pool's eligible members after the MIDs already chosen.
 * @module
 */
import type { CompiledPool } from '../../profile/compile';

/** A source of uniform numbers in [0, 1); injectable for deterministic tests. */
export type RandomSource = () => number;

/** Appends `pool`'s members to `out` in attempt order, skipping MIDs already in `out` and those not `allowed`. */
export type PoolStrategy = (out: string[], pool: CompiledPool, random: RandomSource, allowed?: (mid: string) => boolean) => void;
