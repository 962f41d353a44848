/**
 * Decline salvage ("recycle billing") for rebills: after a soft decline, when the rebill may be
 * tried again and for how much, from the profile's schedule — never earlier than a Mastercard
 * MAC 24–30 delay and never past the Visa / Mastercard reattempt limits. Pure functions.
 * @module
 */
import { checkNetworkRules, type NetworkRuleConfig } from '../declines/network-rules';
import type { NormalizedDecline } from '../declines/reasons';
import type { Profile } from '../profile/schema';
import type { DeclineRecord } from '../store/types';

/** Salvage progress of one subscription, kept in its pin. */
export interface SalvageState {
  /** Declined rebills in the current cycle. */
  declines: number;
  /** Amount of the first declined rebill of the cycle: percentages apply to it. */
  baseAmount: number;
  startedAt: number;
}

/** What the schedule says after a declined rebill. */
export type SalvageDecision =
  | { retry: true; nextRetryAt: number; nextAmount: number; state: SalvageState }
  | { retry: false; why: string; state?: SalvageState };

const DAY = 24 * 3_600_000;

/** Decide the next salvage retry after a declined rebill. */
export function planSalvage(input: {
  decline: NormalizedDecline;
  schedule?: Profile['salvage'];
  state?: SalvageState;
  amount: number;
  now: number;
  mid: string;
  brand?: string;
  history: readonly DeclineRecord[];
  networkRules: NetworkRuleConfig;
}): SalvageDecision {
  const { decline, schedule, now } = input;
  if (decline.retry === 'never') return { retry: false, why: `the issuer said never retry (${decline.reason}): cancel the subscription` };
  if (decline.retry === 'after_update') return { retry: false, why: `${decline.reason}: get updated card details before charging again` };
  if (decline.retry === 'with_authentication')
    return { retry: false, why: 'the issuer asks for customer authentication, which a merchant-initiated rebill cannot give' };
  const state: SalvageState = input.state
    ? { ...input.state, declines: input.state.declines + 1 }
    : { declines: 1, baseAmount: input.amount, startedAt: now };
  if (!schedule) return { retry: false, why: 'the profile has no salvage schedule', state };
  const step = schedule.attempts[state.declines - 1];
  if (!step) return { retry: false, why: `the salvage schedule's ${schedule.attempts.length} retries are used up`, state };
  const nextAmount = Math.round((state.baseAmount * (step.amountPercent ?? 100)) / 100);
  if (schedule.minAmount !== undefined && nextAmount < schedule.minAmount) {
    return { retry: false, why: `the next salvage amount ${nextAmount} is below the minimum ${schedule.minAmount}`, state };
  }
  let at = now + step.afterDays * DAY;
  if (decline.retryDelayMs !== undefined) at = Math.max(at, now + decline.retryDelayMs);
  // The retry must also be allowed by the card-network rules at that time.
  for (let i = 0; i < 3; i++) {
    const v = checkNetworkRules(input.history, { mid: input.mid, brand: input.brand, now: at, initiator: 'mit' }, input.networkRules);
    if (v.allowed) return { retry: true, nextRetryAt: at, nextAmount, state };
    if (v.retryAfter === undefined || v.retryAfter <= at) return { retry: false, why: v.message, state };
    at = v.retryAfter;
  }
  return { retry: false, why: 'card-network rules leave no retry window', state };
}
