/**
 * Routing plan of one request: the matched rule, the ordered eligible candidates and the
 * statically ineligible MIDs with their reasons. Shared by `sale`/`authorize` and `explain`.
 * @module
 */
import type { AdapterCapabilities } from '../adapter';
import type { CompiledProfile, CompiledRule, RoutingContext } from '../profile/compile';
import type { RouterContext } from '../context';
import { pauseOf } from '../monitoring/brake';
import type { RoutedCandidate, RoutingDecision, SuccessRateDecision } from '../store/types';
import { orderRoute } from './order';
import type { StrategyEnv } from './strategies/types';
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
  /** The uniform random numbers the pools drew, in order. */
  draws: number[];
  /** 3-D Secure mode: the decisive rule's, else the first matching filter's, else the profile's. */
  threeDS: 'required' | 'if_available' | 'never';
  /** What the candidates had to handle: external 3-D Secure data, or a required challenge. */
  threeDSNeed?: 'external' | 'challenge' | undefined;
  /** How each `success_rate` pool of the route ordered its members (built on first read). */
  readonly successRate?: SuccessRateDecision[] | undefined;
  /**
   * Set when a success-rate pool read an approval window this process had never seen: it
   * resolves once the window is in; plan again then (the first plan used no data for it).
   */
  pending?: Promise<void> | undefined;
}

/** What strategies beyond weighted and priority see of this plan. */
function strategyEnv(ctx: RouterContext, rc: RoutingContext, now: number): StrategyEnv {
  return { request: rc, now, approvals: ctx.approvals, decisions: [] };
}

/** What 3-D Secure needs from a request's MIDs: external data to pass on, a required challenge, or nothing. */
function threeDSNeed(mode: RoutingPlan['threeDS'], external: boolean, capability: keyof AdapterCapabilities): RoutingPlan['threeDSNeed'] {
  if (external) return 'external';
  return mode === 'required' && (capability === 'sale' || capability === 'authorize') ? 'challenge' : undefined;
}

/** Decide the route and candidate order for a request. */
export function planRoute(
  ctx: RouterContext,
  profile: CompiledProfile,
  rc: RoutingContext,
  capability: keyof AdapterCapabilities,
  external3DS = false,
): RoutingPlan {
  const rule = profile.matchDecisive(rc);
  if (rule?.reject)
    return { rule, rejectedBy: rule, route: [], candidates: [], ineligible: [], filters: [], draws: [], threeDS: profile.threeDS };
  const route = rule?.route ?? profile.defaultRoute;
  const filters = profile.matchFilters(rc);
  let excludedBy: Map<string, string> | undefined;
  for (const f of filters) if (f.exclude) for (const mid of f.exclude) (excludedBy ??= new Map()).set(mid, f.name);
  const threeDS = rule?.threeDS ?? filters.find((f) => f.threeDS)?.threeDS ?? profile.threeDS;
  const need = threeDSNeed(threeDS, external3DS, capability);
  const now = ctx.clock();
  const input = {
    capability,
    brand: rc.brand,
    currency: rc.currency,
    amount: rc.amount,
    excludedBy,
    circuitOpenUntil: (m: string) => ctx.circuits.openUntil(m, now),
    networkToken: rc.tokenType !== undefined,
    threeDS: need,
    disputePause: (m: string) => pauseOf(ctx, m, now),
  };
  const failed: string[] = [];
  const allowed = (id: string) => {
    if (staticallyEligible(ctx.mids.get(id)!, input)) return true;
    if (!failed.includes(id)) failed.push(id);
    return false;
  };
  const draws: number[] = [];
  const random = () => {
    const r = ctx.random();
    draws.push(r);
    return r;
  };
  const { candidates, env } = orderRoute(route, profile.pools, random, allowed, ctx.strategies, () => strategyEnv(ctx, rc, now));
  let ineligible: RoutingPlan['ineligible'] | undefined;
  let successRate: SuccessRateDecision[] | undefined;
  return {
    rule,
    route,
    candidates,
    filters,
    draws,
    threeDS,
    threeDSNeed: need,
    pending: env?.pending,
    get successRate() {
      return env?.decisions.length ? (successRate ??= env.decisions.map((d) => d())) : undefined;
    },
    get ineligible() {
      return (ineligible ??= failed.map((id) => ({ mid: id, reasons: staticIneligibility(ctx.mids.get(id)!, input) })));
    },
  };
}

/**
 * The decision a plan stands for, as the ledger keeps it: rule or default route, pools, the
 * candidates in order with their pool and score (a weighted MID's share of its pool's eligible
 * weight), the MIDs left out with why, and the draws. `candidates` may be narrowed by the caller
 * (a verify without zero-amount support); the others then count as ineligible.
 */
export function routingDecision(
  profile: CompiledProfile,
  plan: RoutingPlan,
  candidates: readonly string[] = plan.candidates,
  dropped?: { code: 'operation_not_supported'; message: string },
): RoutingDecision {
  const taken = new Set<string>();
  const order: RoutedCandidate[] = [];
  const eligible = new Set(candidates);
  for (const name of plan.route) {
    const pool = profile.pools.get(name);
    if (!pool) continue;
    let total = 0;
    pool.mids.forEach((m, i) => {
      if (eligible.has(m) && !taken.has(m)) total += pool.weights[i];
    });
    pool.mids.forEach((m, i) => {
      if (!eligible.has(m) || taken.has(m)) return;
      taken.add(m);
      const score = pool.strategy === 'weighted' && total > 0 ? Math.round((pool.weights[i] / total) * 1e4) / 1e4 : undefined;
      order.push({ mid: m, pool: name, strategy: pool.strategy, ...(score !== undefined && { score }) });
    });
  }
  const position = new Map(candidates.map((m, i) => [m, i]));
  order.sort((a, b) => position.get(a.mid)! - position.get(b.mid)!);
  const ineligible = [...plan.ineligible];
  if (dropped) for (const m of plan.candidates) if (!eligible.has(m)) ineligible.push({ mid: m, reasons: [dropped] });
  return {
    source: plan.rule ? 'rule' : 'default',
    ...(plan.rule && { rule: { name: plan.rule.name, index: plan.rule.index } }),
    ...(plan.filters.length > 0 && { filters: plan.filters.map((f) => f.name) }),
    pools: [...plan.route],
    candidates: order,
    ineligible,
    ...(plan.draws.length > 0 && { draws: [...plan.draws] }),
    ...(plan.successRate && { successRate: plan.successRate }),
  };
}
