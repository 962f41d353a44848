/**
 * `explain`: the routing decision for a request — matched rule, every candidate MID with why
 * it is or is not eligible (caps, network rules and open circuits included), the attempt order
 * and the cascade policy — without calling a gateway or changing state.
 * @module
 */
import { fingerprintPan, maskPan } from '../card/pan';
import { checkNetworkRules } from '../declines/network-rules';
import type { IneligibleReason } from '../selection/eligibility';
import { planRoute } from '../selection/plan';
import type { DeclineRecord } from '../store/types';
import type { PaymentRequest } from '../types';
import { routingContext } from './cards';
import { capCounters } from '../accounts';
import type { RouterContext } from '../context';
import { validatePayment } from './validate';

/** One MID in an explanation. */
export interface ExplainedCandidate {
  mid: string;
  gateway: string;
  eligible: boolean;
  /** Position in the attempt order (0 = first), for eligible MIDs. */
  position?: number;
  reasons: IneligibleReason[];
}

/** What `explain` returns: the decision, without charging or changing state. */
export interface Explanation {
  valid: boolean;
  /** When the request would be refused by validation. */
  issue?: { field: string; message: string };
  profile?: string;
  /** The decisive rule that matched, or undefined when the default route applies. */
  rule?: { name: string; index: number; action: 'route' | 'reject' };
  /** Set when a reject rule matched. */
  rejected?: string;
  route: readonly string[];
  /** Filter rules (exclude) that matched. */
  filters: string[];
  candidates: ExplainedCandidate[];
  /** Eligible MIDs in attempt order. */
  order: string[];
  cascade?: { maxAttempts: number; on: 'soft' | string[] };
  card?: {
    brand?: string;
    masked: string;
    type?: string;
    prepaid?: boolean;
    country?: string;
    issuer?: string;
    /** Set when the card is a network or wallet token (`masked` is then the token's BIN and last four). */
    tokenType?: string | undefined;
  };
  /**
   * 3-D Secure: the mode that applies (`required`, `if_available`, `never`) and what it asks of
   * the MIDs: `external` (the request carries 3-D Secure data: only MIDs accepting it),
   * `challenge` (required and none given: only MIDs that can run a challenge, which starts it).
   */
  threeDS?: { mode: 'required' | 'if_available' | 'never'; need?: 'external' | 'challenge' | undefined };
}

/** Explain the routing of a request. */
export async function explain(ctx: RouterContext, request: PaymentRequest): Promise<Explanation> {
  const { mids, profiles } = ctx;
  const now = ctx.clock();
  const parsed = validatePayment(request, now);
  const empty = { route: [], filters: [], candidates: [], order: [] };
  if ('field' in parsed) return { valid: false, issue: parsed, ...empty };
  const r = parsed.request;
  const profile = profiles.get(r.profile);
  if (!profile) return { valid: false, issue: { field: 'profile', message: `no profile "${r.profile}"` }, ...empty };
  const rc = routingContext(ctx, 'sale', r, parsed.card);
  const plan = planRoute(ctx, profile, rc, 'sale', Boolean(r.threeDS?.cavv || r.threeDS?.eci));
  const info = rc.binInfo;
  const base: Explanation = {
    valid: true,
    profile: profile.id,
    rule: plan.rule && { name: plan.rule.name, index: plan.rule.index, action: plan.rule.reject ? 'reject' : 'route' },
    rejected: plan.rejectedBy?.reject,
    route: plan.route,
    filters: plan.filters.map((f) => f.name),
    candidates: [],
    order: [],
    cascade: { maxAttempts: profile.maxAttempts, on: profile.source.cascade.on as 'soft' | string[] },
    threeDS: { mode: plan.threeDS, ...(plan.threeDSNeed && { need: plan.threeDSNeed }) },
    card: {
      brand: rc.brand,
      masked: maskPan(parsed.card.digits),
      type: info?.type,
      prepaid: info?.prepaid,
      country: info?.country,
      issuer: info?.issuer,
      ...(rc.tokenType && { tokenType: rc.tokenType }),
    },
  };
  if (plan.rejectedBy) return base;
  const fingerprint = fingerprintPan(parsed.card.digits, await ctx.fingerprintKey());
  const history: DeclineRecord[] = await ctx.store.declineHistory(fingerprint, now - 30 * 24 * 3_600_000);
  for (const id of plan.candidates) {
    const mid = mids.get(id)!;
    const reasons: IneligibleReason[] = [];
    const counters = capCounters(mid, r.currency, now);
    if (counters.length) {
      const usage = await ctx.store.capUsage(id, counters);
      counters.forEach((c, i) => {
        const u = usage[i];
        if (c.amountLimit !== undefined && u.amount + r.amount > c.amountLimit)
          reasons.push({
            code: 'cap_reached',
            message: `${c.window} cap ${c.amountLimit} ${r.currency}: ${u.amount} used, no room for ${r.amount}`,
          });
        if (c.countLimit !== undefined && u.count + 1 > c.countLimit)
          reasons.push({ code: 'cap_reached', message: `${c.window} cap of ${c.countLimit} transactions reached` });
      });
    }
    const verdict = checkNetworkRules(history, { mid: id, brand: rc.brand, now, initiator: 'cit' }, ctx.networkRules);
    if (!verdict.allowed) reasons.push({ code: 'network_rule', message: verdict.message });
    base.candidates.push({ mid: id, gateway: mid.adapter.gateway, eligible: reasons.length === 0, reasons });
  }
  let pos = 0;
  for (const c of base.candidates)
    if (c.eligible) {
      c.position = pos++;
      base.order.push(c.mid);
    }
  for (const i of plan.ineligible)
    base.candidates.push({ mid: i.mid, gateway: mids.get(i.mid)!.adapter.gateway, eligible: false, reasons: i.reasons });
  return base;
}
