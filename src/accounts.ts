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
  /** 3-D Secure: how long a challenge on this MID stays open (ms); default: the adapter's, else 15 minutes. */
  readonly actionLifetimeMs?: number | undefined;
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

/** How long a 3-D Secure challenge stays open when neither the MID nor its adapter says. */
export const DEFAULT_ACTION_LIFETIME_MS = 15 * 60_000;

/**
 * How long a 3-D Secure challenge on a MID stays open: the MID's `threeDS.expiresAfterMs`, else
 * its adapter's `actionLifetimeMs`, else 15 minutes.
 * @example
 * actionLifetime({ ...mid, actionLifetimeMs: 600_000 }) // 600000
 */
export function actionLifetime(mid: MidRuntime): number {
  return mid.actionLifetimeMs ?? mid.adapter.actionLifetimeMs ?? DEFAULT_ACTION_LIFETIME_MS;
}

/** Whether a MID's adapter can run a 3-D Secure challenge and finish it (capability `challenge`). */
export function canChallenge(mid: MidRuntime): boolean {
  const a = mid.adapter;
  return a.capabilities.challenge === true && typeof a.authenticate === 'function' && typeof a.complete === 'function';
}
