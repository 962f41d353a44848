/**
 * Routing plan of one request: the matched rule, the ordered eligible candidates and the
 * statically ineligible MIDs with their reasons. Shared by `sale`/`authorize` and `explain`.
 * @module
 */
import type { AdapterCapabilities } from '../adapter';
import type { CompiledProfile, CompiledRule, RoutingContext } from '../profile/compile';
import type { RouterContext } from '../flow/context';
import { orderRoute } from './order';
import { staticIneligibility, type IneligibleReason } from './eligibility';

/** A routing decision before caps and network rules. */
export interface RoutingPlan {
  rule?: CompiledRule;
  /** Pools of the route used. */
  route: readonly string[];
  /** Set when a decisive `reject` rule matched. */
  rejectedBy?: CompiledRule;
  /** Eligible MIDs in attempt order. */
  candidates: string[];
  /** MIDs of the route that are not eligible, with why. */
  ineligible: Array<{ mid: string; reasons: IneligibleReason[] }>;
  /** Filter rules that matched. */
  filters: CompiledRule[];
}

/** Decide the route and candidate order for a request. */
export function planRoute(ctx: RouterContext, profile: CompiledProfile, rc: RoutingContext, capability: keyof AdapterCapabilities): RoutingPlan {
  const rule = profile.matchDecisive(rc);
  if (rule?.reject) return { rule, rejectedBy: rule, route: [], candidates: [], ineligible: [], filters: [] };
  const route = rule?.route ?? profile.defaultRoute;
  const filters = profile.matchFilters(rc);
  let excludedBy: Map<string, string> | undefined;
  for (const f of filters) for (const mid of f.exclude!) (excludedBy ??= new Map()).set(mid, f.name);
  const now = ctx.clock();
  const input = { capability, brand: rc.brand, currency: rc.currency, amount: rc.amount, excludedBy, circuitOpenUntil: (m: string) => ctx.circuits.openUntil(m, now) };
  const ineligible: RoutingPlan['ineligible'] = [];
  const checked = new Map<string, boolean>();
  const allowed = (id: string) => {
    let ok = checked.get(id);
    if (ok === undefined) {
      const reasons = staticIneligibility(ctx.mids.get(id)!, input);
      ok = reasons.length === 0;
      if (!ok) ineligible.push({ mid: id, reasons });
      checked.set(id, ok);
    }
    return ok;
  };
  const candidates = orderRoute(route, profile.pools, ctx.random, allowed);
  return { rule, route, candidates, ineligible, filters };
}
