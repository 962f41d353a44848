/**
 * Routing plan of one request: the matched rule, the ordered eligible candidates and the
 * statically ineligible MIDs with their reasons. Shared by `sale`/`authorize` and `explain`.
 * @module
 */
import type { AdapterCapabilities } from '../adapter';
import type { CompiledProfile, CompiledRule, RoutingContext } from '../profile/compile';
import type { RouterContext } from '../context';
import { orderRoute } from './order';
import { staticIneligibility, staticallyEligible, type IneligibleReason } from './eligibility';

/** A routing decision before caps and network rules. */
export interface RoutingPlan {
  rule?: CompiledRule;
  /** Pools of the route used. */
  route: readonly string[];
  /** Set when a decisive `reject` rule matched. */
  rejectedBy?: CompiledRule;
  /** Eligible MIDs in attempt order. */
  candidates: string[];
  /** MIDs of the route that are not eligible, with why (built on first read: the hot path never reads it). */
  readonly ineligible: Array<{ mid: string; reasons: IneligibleReason[] }>;
  /** Filter rules that matched. */
  filters: CompiledRule[];
}

/** Decide the route and candidate order for a request. */
export function planRoute(
  ctx: RouterContext,
  profile: CompiledProfile,
  rc: RoutingContext,
  capability: keyof AdapterCapabilities,
): RoutingPlan {
  const rule = profile.matchDecisive(rc);
  if (rule?.reject) return { rule, rejectedBy: rule, route: [], candidates: [], ineligible: [], filters: [] };
  const route = rule?.route ?? profile.defaultRoute;
  const filters = profile.matchFilters(rc);
  let excludedBy: Map<string, string> | undefined;
  for (const f of filters) for (const mid of f.exclude!) (excludedBy ??= new Map()).set(mid, f.name);
  const now = ctx.clock();
  const input = {
    capability,
    brand: rc.brand,
    currency: rc.currency,
    amount: rc.amount,
    excludedBy,
    circuitOpenUntil: (m: string) => ctx.circuits.openUntil(m, now),
    networkToken: rc.tokenType !== undefined,
  };
  const failed: string[] = [];
  const allowed = (id: string) => {
    if (staticallyEligible(ctx.mids.get(id)!, input)) return true;
    if (!failed.includes(id)) failed.push(id);
    return false;
  };
  const candidates = orderRoute(route, profile.pools, ctx.random, allowed);
  let ineligible: RoutingPlan['ineligible'] | undefined;
  return {
    rule,
    route,
    candidates,
    filters,
    get ineligible() {
      return (ineligible ??= failed.map((id) => ({ mid: id, reasons: staticIneligibility(ctx.mids.get(id)!, input) })));
    },
  };
}
