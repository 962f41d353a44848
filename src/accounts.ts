/**
 * Merchant accounts as the router keeps them at run time: the validated configuration, the
 * adapter, whether the MID takes new sales, and its cap counters.
 * @module
 */
import type { GatewayAdapter, MerchantContext } from './adapter';
import type { CardBrand } from './card/pan';
import type { CapReservation } from './store/types';

/** Volume caps of a MID, per UTC day and month, per currency: by amount (minor units) and/or count. */
export interface CapLimits {
  daily?: { amount?: number | undefined; count?: number | undefined } | undefined;
  monthly?: { amount?: number | undefined; count?: number | undefined } | undefined;
}

/** A merchant account as the router keeps it. */
export interface MidRuntime {
  readonly id: string;
  readonly adapter: GatewayAdapter;
  enabled: boolean;
  /** Why the router disabled it, when it did. */
  disabledReason?: string | undefined;
  readonly currencies?: ReadonlySet<string> | undefined;
  readonly brands?: ReadonlySet<CardBrand> | undefined;
  readonly minAmount?: number | undefined;
  readonly maxAmount?: number | undefined;
  readonly caps?: CapLimits | undefined;
  readonly expressConsent: boolean;
  /** How a cardholder cancels, for the express consent message. */
  readonly cancellation?: string | undefined;
  readonly merchant: MerchantContext;
  /** MIDs with the same scope (and gateway) share the gateway's vault; absent: tokens work on this MID only. */
  readonly tokenScope?: string | undefined;
}

/**
 * The cap counters of a MID for a currency at a time (UTC windows).
 * @example
 * capCounters(mid, 'USD', Date.UTC(2026, 10, 21)) // [{ window: 'monthly', key: '2026-11:USD', amountLimit: 5000000 }]
 */
export function capCounters(mid: MidRuntime, currency: string, now: number): CapReservation[] {
  if (!mid.caps) return [];
  const iso = new Date(now).toISOString();
  const out: CapReservation[] = [];
  const { daily, monthly } = mid.caps;
  if (daily) out.push({ window: 'daily', key: `${iso.slice(0, 10)}:${currency}`, amountLimit: daily.amount, countLimit: daily.count });
  if (monthly)
    out.push({ window: 'monthly', key: `${iso.slice(0, 7)}:${currency}`, amountLimit: monthly.amount, countLimit: monthly.count });
  return out;
}
