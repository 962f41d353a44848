/**
 * The router's internal state shared by its operations: merchant accounts, compiled profiles,
 * store, events, clock and randomness. Built once by `createRouter`; not part of the public API.
 * @module
 */
import type { MidRuntime } from './accounts';
import type { BinTable } from './card/bin-table';
import type { NetworkRuleConfig } from './declines/network-rules';
import type { DeclineRule } from './declines/normalize';
import type { RouterEmitter } from './events';
import type { MonitoringState } from './monitoring/state';
import type { Observer } from './observe/types';
import type { CompiledProfile } from './profile/compile';
import type { ApprovalCache } from './selection/approval-cache';
import type { CircuitBreakers } from './selection/circuit';
import type { RandomSource } from './selection/order';
import type { PoolStrategy } from './selection/strategies/types';
import type { Store } from './store/types';
import type { CardVault } from './subscriptions/vault';

/** Time budget of gateway calls. */
export interface Timeouts {
  /** One gateway call. Default 30 s. */
  attemptMs: number;
  /** A whole transaction, cascades included. Default 90 s. */
  totalMs: number;
}

/** Everything the router's operations share. */
export interface RouterContext {
  readonly mids: ReadonlyMap<string, MidRuntime>;
  readonly profiles: ReadonlyMap<string, CompiledProfile>;
  readonly store: Store;
  readonly bins?: BinTable | undefined;
  readonly random: RandomSource;
  readonly clock: () => number;
  readonly events: RouterEmitter;
  readonly declineRules: readonly DeclineRule[];
  readonly networkRules: NetworkRuleConfig;
  readonly circuits: CircuitBreakers;
  readonly timeouts: Timeouts;
  /**
   * How long an idempotency claim is reserved for the process that made it (twice the
   * transaction budget): past it, a retry or `reconcile()` may settle what that process left.
   */
  readonly leaseMs: number;
  /** HMAC key for card fingerprints (resolved once). */
  fingerprintKey(): Promise<string>;
  /** Pool strategies by name: the built-in ones and the merchant's own. */
  readonly strategies: ReadonlyMap<string, PoolStrategy>;
  /** Approval windows of success-rate pools, cached in this process. */
  readonly approvals: ApprovalCache;
  /** Logs, metrics and traces (a no-op without a logger or OpenTelemetry); it never throws. */
  readonly observer: Observer;
  /** Where subscription cards are kept (`gatewayVaults()` unless configured). */
  readonly vault: CardVault;
  /** Chargeback monitoring: options and the MIDs paused this month. */
  readonly monitoring: MonitoringState;
}
