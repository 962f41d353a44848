/**
 * The health signal of each MID: counts of what its gateway calls did, kept apart from any
 * policy that reads them (the circuit breaker today; a sampling breaker or a success-rate
 * strategy can read the same signal). Only real gateway calls are counted.
 * @module
 */

/** What one gateway call said about its MID (not about the card). */
export type CallHealth =
  /** The gateway answered: approved, declined, or asked for authentication. */
  | 'answered'
  /** A gateway error or timeout. */
  | 'failed'
  /** The gateway answered, but refused our credentials or the MID's setup. */
  | 'merchant_failure';

/** Counts of one MID. */
export interface HealthStats {
  /** Errors or timeouts in a row since the last answer. */
  consecutiveFailures: number;
  /** Merchant failures in a row since the last answer. */
  consecutiveMerchantFailures: number;
  /** Calls and failures since the router started. */
  calls: number;
  failures: number;
  lastFailureAt?: number | undefined;
}

/** Per-MID counters of call outcomes. */
export class HealthSignal {
  private readonly stats = new Map<string, HealthStats>();

  /** Record one gateway call. Returns the MID's counts after it. */
  record(mid: string, what: CallHealth, at: number): Readonly<HealthStats> {
    let s = this.stats.get(mid);
    if (!s) this.stats.set(mid, (s = { consecutiveFailures: 0, consecutiveMerchantFailures: 0, calls: 0, failures: 0 }));
    s.calls++;
    if (what === 'answered') {
      s.consecutiveFailures = 0;
      s.consecutiveMerchantFailures = 0;
    } else if (what === 'failed') {
      s.consecutiveFailures++;
      s.failures++;
      s.lastFailureAt = at;
    } else {
      s.consecutiveMerchantFailures++;
    }
    return s;
  }

  /** The counts of a MID (zeros before its first call). */
  of(mid: string): Readonly<HealthStats> {
    return this.stats.get(mid) ?? { consecutiveFailures: 0, consecutiveMerchantFailures: 0, calls: 0, failures: 0 };
  }
}
