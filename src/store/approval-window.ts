/**
 * The arithmetic of approval windows, written once: every store applies `withOutcome` (PostgreSQL
 * runs the same formula in SQL) and the estimate cache reads windows with `windowAt`.
 *
 * A window is a pair of discounted counts, approvals and outcomes, as of its newest outcome. Each
 * new outcome on the same MID and segment multiplies the older ones by `1 − 1/outcomes` (so the
 * window holds at most `outcomes` outcomes' worth of weight: "the last 200"), and time multiplies
 * them by `exp(−age / maxAge)`; once the newest outcome is `maxAge` old, the window is empty.
 * This is the discounted Beta posterior of discounted Thompson sampling (Raj & Kalyani, 2017): one
 * row per MID and segment, updated by one atomic statement, with no blocks to roll or prune.
 * @module
 */
import type { ApprovalWindowSettings } from './types';

/** Counts of one window: approvals and outcomes (discounted), as of `at`. */
export interface WindowCounts {
  approved: number;
  total: number;
  at: number;
}

/** Counts below this are zero: repeated discounts must not end in an underflow (PostgreSQL refuses one). */
export const NEGLIGIBLE = 1e-6;

const clean = (v: number) => (v < NEGLIGIBLE ? 0 : v);

/**
 * The window after one more outcome at `at`. An outcome older than the window's newest by
 * `maxAgeMs` or more changes nothing; one newer than it by `maxAgeMs` or more starts it again.
 * @example
 * withOutcome(undefined, true, 1000, { outcomes: 200, maxAgeMs: 3_600_000 }) // { approved: 1, total: 1, at: 1000 }
 */
export function withOutcome(prev: WindowCounts | undefined, approved: boolean, at: number, w: ApprovalWindowSettings): WindowCounts {
  const x = approved ? 1 : 0;
  if (!prev || at - prev.at >= w.maxAgeMs) return { approved: x, total: 1, at };
  const d = at - prev.at;
  if (-d >= w.maxAgeMs) return { approved: prev.approved, total: prev.total, at: prev.at };
  const keep = (1 - 1 / w.outcomes) * Math.exp(-Math.max(d, 0) / w.maxAgeMs);
  const add = Math.exp(Math.min(d, 0) / w.maxAgeMs);
  return { approved: clean(prev.approved) * keep + x * add, total: clean(prev.total) * keep + add, at: Math.max(prev.at, at) };
}

/**
 * A window's counts seen at `now`: aged by the time since its newest outcome, empty once that is
 * `maxAgeMs` old.
 */
export function windowAt(w: WindowCounts | undefined, now: number, s: ApprovalWindowSettings): { approved: number; total: number } {
  if (!w) return { approved: 0, total: 0 };
  const age = now - w.at;
  if (age >= s.maxAgeMs) return { approved: 0, total: 0 };
  if (age <= 0) return { approved: w.approved, total: w.total };
  const f = Math.exp(-age / s.maxAgeMs);
  return { approved: w.approved * f, total: w.total * f };
}
