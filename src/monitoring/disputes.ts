/**
 * What a dispute's change means for the counters and for its transaction: a chargeback is counted
 * once, in the month it became one (an inquiry is not a chargeback until it becomes one); a
 * dispute decided for the cardholder (lost or accepted) charges the transaction back.
 * @module
 */
import type { RouterContext } from '../context';
import type { DisputeRecord, MonthCount, TransactionRecord } from '../store/types';
import { disputeIncrements } from './counts';
import { monthKey } from './month';

const AGAINST = new Set(['lost', 'accepted']);

/** The effect of moving a dispute from `before` to `after`. `after.countedIn` is set when it is counted now. */
export interface DisputeEffect {
  counts: MonthCount[];
  /** Decided for the cardholder now: the transaction is charged back. */
  lost: boolean;
  /** Decided for the merchant after it was lost (a reversal). */
  reversed: boolean;
}

/**
 * Counts and transaction effect of a dispute change; `at` is the event's time (its month counts it).
 * @example
 * disputeEffect(ctx, undefined, { ...d, status: 'needs_response' }, tx, at) // counts 1 dispute in at's month
 */
export function disputeEffect(
  ctx: RouterContext,
  before: DisputeRecord | undefined,
  after: DisputeRecord,
  tx: TransactionRecord | undefined,
  at: number,
): DisputeEffect {
  let counts: MonthCount[] = [];
  const countedBefore = before?.countedIn;
  if (countedBefore) after.countedIn = countedBefore;
  else if (after.status !== 'inquiry') {
    const month = monthKey(at, ctx.monitoring.options.timeZone);
    after.countedIn = month;
    counts = disputeIncrements(after.mid, month, {
      brand: tx?.card?.brand,
      amount: after.amount,
      category: after.category,
      reasonCode: after.reasonCode,
    });
  }
  const wasAgainst = before !== undefined && AGAINST.has(before.status);
  return {
    counts,
    lost: AGAINST.has(after.status) && !wasAgainst,
    reversed: wasAgainst && after.status === 'won',
  };
}
