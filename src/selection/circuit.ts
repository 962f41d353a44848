/**
 * Per-MID circuit breaker: after `threshold` consecutive gateway errors or timeouts (never
 * declines: a cardholder's decline says nothing about the MID's health) the MID is skipped for
 * `cooldownMs`, then half-open: one trial call; success closes it, failure opens it again.
 *
 * A second counter watches merchant failures (the gateway refused our credentials or the MID's
 * setup, or declined with `invalid_merchant`): after `merchantThreshold` in a row the router
 * disables the MID (`mid:disabled` event, `explain` shows why), since every sale routed there is
 * wasted until someone fixes the account. Unlike a circuit it does not reopen by itself:
 * credentials do not heal with time; `router.setMidEnabled(mid, true)` turns it back on.
 *
 * Written here rather than taken from cockatiel or opossum (reviewed again for issue 7, kept):
 * both wrap a function call (`breaker.execute(fn)` / `breaker.fire()`) and own their timers,
 * half-open scheduling and events per breaker, while the router must *ask* "is this MID open?"
 * while ordering candidates, and `explain` must show it, without making a call. Their
 * classification of failures is by thrown error, but adapters report outcomes as values
 * (`GatewayResult`) and only some of those count (errors, not declines). Adapting either library
 * would take more code than this whole module (two numbers and a flag per MID), and add a
 * dependency to every checkout server.
 * @module
 */

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

interface State {
  failures: number;
  merchantFailures: number;
  openUntil: number;
  trialInFlight: boolean;
}

/** Circuit state of every MID of one router. */
export class CircuitBreakers {
  private readonly states = new Map<string, State>();
  constructor(
    private readonly options: CircuitOptions,
    private readonly onOpen: (mid: string, failures: number, until: number, reason: string) => void,
    private readonly onClose: (mid: string) => void,
  ) {}

  private state(mid: string): State {
    let s = this.states.get(mid);
    if (!s) this.states.set(mid, (s = { failures: 0, merchantFailures: 0, openUntil: 0, trialInFlight: false }));
    return s;
  }

  /** Until when the MID is skipped, or 0 when it may be tried. Does not change state. */
  openUntil(mid: string, now: number): number {
    const s = this.states.get(mid);
    if (!s || s.openUntil === 0) return 0;
    if (now < s.openUntil) return s.openUntil;
    return s.trialInFlight ? s.openUntil : 0;
  }

  /** Take the half-open trial slot if the circuit is past its cool-down. False when the MID must be skipped. */
  acquire(mid: string, now: number): boolean {
    const s = this.states.get(mid);
    if (!s || s.openUntil === 0) return true;
    if (now < s.openUntil || s.trialInFlight) return false;
    s.trialInFlight = true;
    return true;
  }

  /** Record a call that reached the gateway and got an answer (approval or decline). */
  success(mid: string): void {
    const s = this.states.get(mid);
    if (!s) return;
    const wasOpen = s.openUntil !== 0;
    s.failures = 0;
    s.merchantFailures = 0;
    s.openUntil = 0;
    s.trialInFlight = false;
    if (wasOpen) this.onClose(mid);
  }

  /** Record a gateway error or timeout. */
  failure(mid: string, now: number, reason: string): void {
    const s = this.state(mid);
    s.failures++;
    const halfOpen = s.trialInFlight;
    s.trialInFlight = false;
    if (halfOpen || s.failures >= this.options.threshold) {
      s.openUntil = now + this.options.cooldownMs;
      this.onOpen(mid, s.failures, s.openUntil, reason);
    }
  }

  /**
   * Record a merchant failure: the gateway answered, but refused our credentials or the MID's
   * setup. Returns the count when it reaches `merchantThreshold` (the caller disables the MID),
   * else 0. A half-open trial slot is given back: the gateway did answer.
   */
  merchantFailure(mid: string): number {
    const s = this.state(mid);
    s.trialInFlight = false;
    s.merchantFailures++;
    return s.merchantFailures >= this.options.merchantThreshold ? s.merchantFailures : 0;
  }
}
