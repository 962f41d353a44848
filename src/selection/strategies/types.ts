/**
 * The shape of a pool strategy: order a pool's eligible members after the MIDs already chosen.
 * `weighted`, `priority` and `success_rate` implement it, each in its own file; a merchant's
 * own strategy plugs in through `createRouter({ strategies })`.
 * @module
 */
import type { CompiledPool, RoutingContext } from '../../profile/compile';
import type { WindowSlot } from '../approval-cache';
import type { WindowCounts } from '../../store/approval-window';
import type { SuccessRateDecision } from '../../store/types';

/** A source of uniform numbers in [0, 1); injectable for deterministic tests. */
export type RandomSource = () => number;

/** Approval windows as this process knows them (the router's cache; never waits for the store). */
export interface ApprovalReader {
  /**
   * The window of `mid` on `segment`: undefined when there is none, null when this process never
   * read it (a read is on its way; `ready` resolves once it is in, and the planner decides again).
   */
  read(mid: string, segment: string, now: number): WindowCounts | undefined | null;
  /**
   * The windows of every member of a pool (`mids`, the pool's own list) on every key of a chain
   * (finest first), at `member * keys.length + level`; a slot never read has a negative
   * `fetchedAt`. The hot path's form: nothing allocated, nothing looked up per MID.
   */
  readPool(mids: readonly string[], keys: readonly string[], now: number): readonly WindowSlot[];
  /** Resolves (never rejects) once the first read of a window `read` answered null for is in. */
  ready(mid: string, segment: string): Promise<void>;
}

/** What a strategy may look at beyond the pool: the request, the time, the approval windows. */
export interface StrategyEnv {
  /** The facts of the request (card, amount, currency, countries, tags). */
  readonly request: RoutingContext;
  readonly now: number;
  readonly approvals: ApprovalReader;
  /**
   * Success-rate decisions of this plan, in pool order (shown by `explain`, kept on the
   * transaction), each built when first read: deciding keeps only the numbers.
   */
  readonly decisions: Array<() => SuccessRateDecision>;
  /** Set by a strategy that read a window never seen before: the planner waits for it and decides again. */
  pending?: Promise<void> | undefined;
}

/**
 * Appends `pool`'s members to `out` in attempt order, skipping MIDs already in `out` and those
 * not `allowed` (statically ineligible: exploration never reaches them). Caps and network rules
 * are checked per attempt after it, on whatever order it chose.
 */
export type PoolStrategy = (
  out: string[],
  pool: CompiledPool,
  random: RandomSource,
  allowed?: (mid: string) => boolean,
  env?: StrategyEnv,
) => void;
