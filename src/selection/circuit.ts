/**
 * Per-MID circuit breaker. Counting lives in `health.ts`; this module is the policy: after
 * `threshold` consecutive gateway errors or timeouts (never declines: a cardholder's decline says
 * nothing about the MID's health) the MID is skipped for `cooldownMs`, then half-open: one trial
 * call; an answer closes it, a failure opens it again. After `merchantThreshold` merchant failures
 * in a row (our credentials or the MID's setup refused) the caller disables the MID, since
 * credentials do not heal with time.
 *
 * A call needs a `CallPermit`, taken right before the gateway call and given back exactly once:
 * by `report` when the call was made, or by `release` when it was not (a cap had no room, the
 * store refused). So a half-open trial slot is only ever spent on a real call.
 *
 * Written here rather than taken from cockatiel or opossum: both wrap the call (`execute(fn)`),
 * while the router must ask "may this MID be tried?" while ordering candidates, and `explain`
 * must show it without making a call; outcomes arrive as values, of which only some count.
 * @module
 */
import { type CallHealth, HealthSignal, type HealthStats } from './health';

/** Settings of the per-MID circuit breaker. */
export interface CircuitOptions {
  /** Consecutive errors that open the circuit. Default 5. */
  threshold: number;
  /** How long an open circuit skips the MID. Default 30 s. */
  cooldownMs: number;
  /** Consecutive merchant failures (credentials, MID setup, `invalid_merchant`) that disable the MID. Default 3. */
  merchantThreshold: number;
}

/** Defaults of `CircuitOptions`. */
export const DEFAULT_CIRCUIT: CircuitOptions = { threshold: 5, cooldownMs: 30_000, merchantThreshold: 3 };

/** When a MID's counts open its circuit. */
export interface BreakerPolicy {
  opens(stats: Readonly<HealthStats>): boolean;
}

/** The default policy: `threshold` errors or timeouts in a row. */
export function consecutiveFailures(threshold: number): BreakerPolicy {
  return { opens: (s) => s.consecutiveFailures >= threshold };
}

/** Permission for one gateway call on a MID; settle it exactly once. */
export interface CallPermit {
  /** The call was made: record what it said about the MID. Returns the MID's counts after it. */
  report(what: CallHealth, at: number, reason: string): Readonly<HealthStats>;
  /** No call was made: give the permit (and a half-open trial slot) back. */
  release(): void;
}

interface State {
  openUntil: number;
  trialInFlight: boolean;
}

/** Circuit state of every MID of one router. */
export class CircuitBreakers {
  readonly signal = new HealthSignal();
  private readonly states = new Map<string, State>();
  private readonly policy: BreakerPolicy;

  constructor(
    private readonly options: CircuitOptions,
    private readonly onOpen: (mid: string, failures: number, until: number, reason: string) => void,
    private readonly onClose: (mid: string) => void,
  ) {
    this.policy = consecutiveFailures(options.threshold);
  }

  /** Until when the MID is skipped, or 0 when it may be tried. Changes nothing. */
  openUntil(mid: string, now: number): number {
    const s = this.states.get(mid);
    if (!s || s.openUntil === 0) return 0;
    if (now < s.openUntil) return s.openUntil;
    return s.trialInFlight ? s.openUntil : 0;
  }

  /** A permit for one call, or undefined when the circuit is open (or its half-open trial is taken). */
  acquire(mid: string, now: number): CallPermit | undefined {
    const s = this.states.get(mid);
    const trial = !!s && s.openUntil !== 0;
    if (trial) {
      if (now < s.openUntil || s.trialInFlight) return undefined;
      s.trialInFlight = true;
    }
    let done = false;
    const giveBack = () => {
      if (trial && s) s.trialInFlight = false;
    };
    return {
      report: (what, at, reason) => {
        if (done) return this.signal.of(mid);
        done = true;
        const stats = this.signal.record(mid, what, at);
        giveBack();
        this.apply(mid, what, at, reason, trial);
        return stats;
      },
      release: () => {
        if (done) return;
        done = true;
        giveBack();
      },
    };
  }

  /** Whether a MID's merchant failures in a row reached the limit that disables it. */
  merchantLimitReached(stats: Readonly<HealthStats>): boolean {
    return stats.consecutiveMerchantFailures >= this.options.merchantThreshold;
  }

  private apply(mid: string, what: CallHealth, at: number, reason: string, wasTrial: boolean): void {
    const s = this.states.get(mid);
    if (what === 'answered') {
      if (s && s.openUntil !== 0) {
        s.openUntil = 0;
        this.onClose(mid);
      }
      return;
    }
    if (what !== 'failed') return;
    const stats = this.signal.of(mid);
    if (wasTrial || this.policy.opens(stats)) {
      const state = s ?? { openUntil: 0, trialInFlight: false };
      this.states.set(mid, state);
      state.openUntil = at + this.options.cooldownMs;
      this.onOpen(mid, stats.consecutiveFailures, state.openUntil, reason);
    }
  }
}
