/**
 * Why a MID can or cannot take a transaction. Static checks (enabled, operation, brand,
 * currency, amount range, rule exclusions, open circuit) run while ordering candidates; caps and
 * network rules need the store and are checked per attempt (atomically, for caps).
 * @module
 */
import type { AdapterCapabilities } from '../adapter';
import { canChallenge, type MidRuntime } from '../accounts';
import type { CardBrand } from '../card/pan';
import type { DisputeLevelFigures } from '../monitoring/state';
import type { IneligibleReason } from './ineligible';

export type { IneligibleReason } from './ineligible';

/** The facts static eligibility looks at. */
export interface EligibilityInput {
  capability: keyof AdapterCapabilities;
  brand?: CardBrand;
  currency: string;
  amount: number;
  excludedBy?: ReadonlyMap<string, string>;
  circuitOpenUntil?: (mid: string) => number;
  /** The card is a network or wallet token: only adapters with `networkTokens` take it. */
  networkToken?: boolean | undefined;
  /**
   * 3-D Secure the MID must handle: `external` (the request carries completed 3-D Secure data),
   * `challenge` (a rule requires authentication and the request has none).
   */
  threeDS?: 'external' | 'challenge' | undefined;
  /** Chargeback monitoring: the pause of a MID for new initial sales, if it is paused. */
  disputePause?: ((mid: string) => DisputeLevelFigures | undefined) | undefined;
}

function handlesThreeDS(mid: MidRuntime, need: EligibilityInput['threeDS']): boolean {
  if (need === 'external') return mid.adapter.capabilities.threeDS;
  if (need === 'challenge') return canChallenge(mid);
  return true;
}

/** Whether `mid` passes every static check; the allocation-free twin of `staticIneligibility` for the hot path. */
export function staticallyEligible(mid: MidRuntime, x: EligibilityInput): boolean {
  const caps = mid.adapter.capabilities;
  if (!mid.enabled) return false;
  if (!(x.capability === 'verify' ? caps.verify || (caps.authorize && caps.void) : caps[x.capability])) return false;
  if (mid.brands && (x.brand === undefined || !mid.brands.has(x.brand))) return false;
  if (mid.currencies && !mid.currencies.has(x.currency)) return false;
  if (mid.minAmount !== undefined && x.amount < mid.minAmount) return false;
  if (mid.maxAmount !== undefined && x.amount > mid.maxAmount) return false;
  if (x.excludedBy?.has(mid.id)) return false;
  if (x.networkToken && !caps.networkTokens) return false;
  if (x.threeDS && !handlesThreeDS(mid, x.threeDS)) return false;
  if (x.disputePause?.(mid.id)) return false;
  return (x.circuitOpenUntil?.(mid.id) ?? 0) === 0;
}

/** Every static reason `mid` cannot take the transaction (empty = eligible so far). */
export function staticIneligibility(mid: MidRuntime, x: EligibilityInput): IneligibleReason[] {
  const out: IneligibleReason[] = [];
  if (!mid.enabled) out.push({ code: 'disabled', message: mid.disabledReason ? `disabled: ${mid.disabledReason}` : 'disabled' });
  const caps = mid.adapter.capabilities;
  // Verification works with zero-amount verify, or as a pre-authorization that is voided.
  const supported = x.capability === 'verify' ? caps.verify || (caps.authorize && caps.void) : caps[x.capability];
  if (!supported) out.push({ code: 'operation_not_supported', message: `${mid.adapter.gateway} adapter cannot ${x.capability}` });
  if (mid.brands && (x.brand === undefined || !mid.brands.has(x.brand)))
    out.push({ code: 'brand_not_accepted', message: `does not accept ${x.brand ?? 'this brand'}` });
  if (mid.currencies && !mid.currencies.has(x.currency))
    out.push({ code: 'currency_not_accepted', message: `does not accept ${x.currency}` });
  if (mid.minAmount !== undefined && x.amount < mid.minAmount)
    out.push({ code: 'below_min_amount', message: `amount ${x.amount} is below the minimum ${mid.minAmount}` });
  if (mid.maxAmount !== undefined && x.amount > mid.maxAmount)
    out.push({ code: 'above_max_amount', message: `amount ${x.amount} is above the maximum ${mid.maxAmount}` });
  if (x.networkToken && !caps.networkTokens)
    out.push({ code: 'network_token_not_accepted', message: `the ${mid.adapter.gateway} adapter takes no network or wallet tokens` });
  const rule = x.excludedBy?.get(mid.id);
  if (rule !== undefined) out.push({ code: 'excluded_by_rule', message: `excluded by rule "${rule}"` });
  if (x.threeDS === 'external' && !handlesThreeDS(mid, 'external'))
    out.push({ code: 'three_ds_not_accepted', message: `${mid.adapter.gateway} adapter does not accept external 3-D Secure data` });
  if (x.threeDS === 'challenge' && !handlesThreeDS(mid, 'challenge'))
    out.push({
      code: 'challenge_not_supported',
      message: `3-D Secure is required and the ${mid.adapter.gateway} adapter cannot run a challenge`,
    });
  const pause = x.disputePause?.(mid.id);
  if (pause) out.push({ code: 'dispute_pause', message: pauseMessage(pause), dispute: pause });
  const until = x.circuitOpenUntil?.(mid.id) ?? 0;
  if (until > 0)
    out.push({ code: 'circuit_open', message: `circuit open after repeated gateway errors, until ${new Date(until).toISOString()}` });
  return out;
}

const pct = (r: number) => `${(r * 100).toFixed(2)} %`;

/**
 * Why a paused MID takes no new sale, with its figures.
 * @example
 * pauseMessage(p) // 'paused for new sales since 2026-11-12: Visa-style dispute ratio 1.60 % (8 / 500) reached pauseAt 1.50 %; …'
 */
export function pauseMessage(p: DisputeLevelFigures): string {
  const parts = p.crossed.map((k) => {
    const r = p[k];
    return `${k === 'visa' ? 'Visa' : 'Mastercard'}-style dispute ratio ${pct(r.ratio ?? 0)} (${r.numerator} / ${r.denominator})`;
  });
  return `paused for new sales since ${new Date(p.at).toISOString().slice(0, 10)}: ${parts.join(' and ')} reached pauseAt ${pct(p.threshold)}; rebills continue; resume with setMidEnabled or at the end of ${p.month}`;
}
