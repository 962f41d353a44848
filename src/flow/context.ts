/**
 * The router's internal state shared by its operations: merchant accounts, compiled profiles,
 * store, events, clock and randomness. Built once by `createRouter`.
 * @module
 */
import type EventEmitter from 'eventemitter3';
import type { GatewayAdapter, MerchantContext } from '../adapter';
import type { BinTable } from '../card/bin-table';
import type { CardBrand } from '../card/pan';
import type { DeclineRule } from '../declines/normalize';
import type { NetworkRuleConfig } from '../declines/network-rules';
import type { RouterEventListeners } from '../events';
import type { CompiledProfile } from '../profile/compile';
import type { CircuitBreakers } from '../selection/circuit';
import type { RandomSource } from '../selection/order';
import type { CapReservation, Store } from '../store/types';

/** A merchant account as the router keeps it. */
export interface MidRuntime {
  readonly id: string;
  readonly adapter: GatewayAdapter;
  enabled: boolean;
  /** Why the router disabled it, when it did. */
  disabledReason?: string;
  readonly currencies?: ReadonlySet<string>;
  readonly brands?: ReadonlySet<CardBrand>;
  readonly minAmount?: number;
  readonly maxAmount?: number;
  readonly caps?: { daily?: { amount?: number; count?: number }; monthly?: { amount?: number; count?: number } };
  readonly expressConsent: boolean;
  /** How a cardholder cancels, for the express consent message. */
  readonly cancellation?: string;
  readonly merchant: MerchantContext;
}

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
  readonly bins?: BinTable;
  readonly random: RandomSource;
  readonly clock: () => number;
  readonly events: EventEmitter<RouterEventListeners>;
  readonly declineRules: readonly DeclineRule[];
  readonly networkRules: NetworkRuleConfig;
  readonly circuits: CircuitBreakers;
  readonly timeouts: Timeouts;
  /** HMAC key for card fingerprints (resolved once). */
  fingerprintKey(): Promise<string>;
}

/** The cap counters of a MID for an amount in a currency at a time (UTC windows, per currency). */
export function capCounters(mid: MidRuntime, currency: string, now: number): CapReservation[] {
  if (!mid.caps) return [];
  const iso = new Date(now).toISOString();
  const out: CapReservation[] = [];
  if (mid.caps.daily)
    out.push({
      window: 'daily',
      key: `${iso.slice(0, 10)}:${currency}`,
      amountLimit: mid.caps.daily.amount,
      countLimit: mid.caps.daily.count,
    });
  if (mid.caps.monthly)
    out.push({
      window: 'monthly',
      key: `${iso.slice(0, 7)}:${currency}`,
      amountLimit: mid.caps.monthly.amount,
      countLimit: mid.caps.monthly.count,
    });
  return out;
}
