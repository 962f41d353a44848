/**
 * Card-network retry rules the router enforces before every attempt, from the card's decline
 * history (keyed fingerprint, last 30 days). Facts and their sources: README, "Card-network rules".
 * - never again on a MID after a `retry: 'never'` decline there (Visa category 1, MAC 03/21), 30 days;
 * - Visa categories 2–4: at most `visaReattemptLimit` reattempts per MID in 30 days (15; Visa
 *   raised it to 20 with separate CIT/MIT counts in May 2025: set 20 and `visaSeparateInitiators`);
 * - Mastercard: no attempt after `mastercardDailyDeclineLimit` declines on the card in 24 hours (10);
 * - Mastercard MAC 24–30: no retry on that MID before the delay the issuer set (any brand:
 *   the delay is only ever recorded from a merchant advice code).
 *
 * Every limit counts declines per card fingerprint; the never-retry rule, the Visa limit and the
 * delay count per MID (Visa counts reattempts per merchant), the Mastercard 24-hour limit counts
 * across MIDs. The history holds declines only, so the counts are conservative.
 * @module
 */
import type { DeclineRecord } from '../store/types';

/** Limits of the network rules; the defaults follow the networks' published thresholds. */
export interface NetworkRuleConfig {
  /** Reattempts allowed per card and MID in 30 days after a Visa category 2–4 decline. Default 15. */
  visaReattemptLimit: number;
  /** Count customer- and merchant-initiated reattempts separately (Visa, from May 2025). Default false. */
  visaSeparateInitiators: boolean;
  /** Declines on one Mastercard in 24 hours after which no attempt is made. Default 10. */
  mastercardDailyDeclineLimit: number;
}

/** Defaults of `NetworkRuleConfig`. */
export const DEFAULT_NETWORK_RULES: NetworkRuleConfig = {
  visaReattemptLimit: 15,
  visaSeparateInitiators: false,
  mastercardDailyDeclineLimit: 10,
};

/** Which rule blocked an attempt. */
export type NetworkRuleName = 'never_retry' | 'visa_reattempt_limit' | 'mastercard_daily_limit' | 'mastercard_retry_delay';

/** Verdict for one card on one MID. */
export type NetworkVerdict = { allowed: true } | { allowed: false; rule: NetworkRuleName; message: string; retryAfter?: number };

const DAY = 24 * 3_600_000;
const THIRTY_DAYS = 30 * DAY;

/**
 * Whether the card may be attempted on `mid` now.
 * @param history the card's declines, newest last, from `Store.declineHistory`.
 */
export function checkNetworkRules(
  history: readonly DeclineRecord[],
  input: { mid: string; brand?: string; now: number; initiator: 'cit' | 'mit' },
  config: NetworkRuleConfig = DEFAULT_NETWORK_RULES,
): NetworkVerdict {
  const { mid, brand, now, initiator } = input;
  let onMid = 0;
  let onMidSameInitiator = 0;
  const lastDay: number[] = [];
  let retryAfter = 0;
  for (const d of history) {
    if (d.at <= now - THIRTY_DAYS) continue;
    if (d.mid === mid) {
      if (d.retry === 'never') {
        return {
          allowed: false,
          rule: 'never_retry',
          message: `card-network rule: the issuer said never retry (${d.reason}${d.advice ? `, advice ${d.advice}` : ''}) on ${mid} within the last 30 days`,
        };
      }
      onMid++;
      if (d.initiator === initiator) onMidSameInitiator++;
      if (d.retryAfter !== undefined && d.retryAfter > retryAfter) retryAfter = d.retryAfter;
    }
    if (d.at > now - DAY) lastDay.push(d.at);
  }
  if (retryAfter > now) {
    return {
      allowed: false,
      rule: 'mastercard_retry_delay',
      message: `card-network rule: Mastercard merchant advice asks to wait until ${new Date(retryAfter).toISOString()} before retrying on ${mid}`,
      retryAfter,
    };
  }
  if (brand === 'visa') {
    const count = config.visaSeparateInitiators ? onMidSameInitiator : onMid;
    if (count > config.visaReattemptLimit) {
      return {
        allowed: false,
        rule: 'visa_reattempt_limit',
        message: `card-network rule: Visa allows ${config.visaReattemptLimit} reattempts in 30 days; this card has ${count} declines on ${mid}`,
      };
    }
  }
  const limit = config.mastercardDailyDeclineLimit;
  if (brand === 'mastercard' && lastDay.length >= limit) {
    // Allowed again once enough of the declines have aged out of the 24 hours to leave limit - 1.
    const sorted = lastDay.sort((x, y) => x - y);
    return {
      allowed: false,
      rule: 'mastercard_daily_limit',
      message: `card-network rule: Mastercard charges for more than ${limit} declined attempts on a card in 24 hours; this card has ${lastDay.length}`,
      retryAfter: sorted.length ? sorted[Math.max(0, sorted.length - limit)] + DAY : undefined,
    };
  }
  return { allowed: true };
}
