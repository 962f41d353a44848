/**
 * Compiles a validated profile once, at `createRouter`, into closures and an index, so the hot
 * path evaluates no schema and scans no rule that cannot match.
 *
 * Index: each rule gets one *anchor*, the most selective field it requires (a BIN prefix, else
 * the brand, the currency, the card's country, the customer's country), and is filed under that
 * value. A request gathers the rule lists for its own values (its BIN's 8 prefixes, its brand, …)
 * plus the un-anchored rules, and walks them merged in rule order. A decision costs the rules that
 * could match, not all of them.
 * @module
 */
import type { BinInfo } from '../card/bin-table';
import { canonicalBrand, type CardBrand } from '../card/pan';
import type { DeclineReason } from '../declines/reasons';
import { DECLINE_REASONS } from '../declines/reasons';
import type { Condition, Profile, Rule } from './schema';

/** The facts of a request that rules look at. */
export interface RoutingContext {
  kind: 'sale' | 'authorize' | 'verify';
  brand?: CardBrand;
  /** First 8 digits of the PAN (fewer if the PAN is shorter). */
  bin: string;
  binInfo?: BinInfo;
  amount: number;
  currency: string;
  customerCountry?: string;
  billingCountry?: string;
  tags: readonly string[];
  metadata: Readonly<Record<string, string>>;
}

type Predicate = (ctx: RoutingContext) => boolean;

/** A compiled rule. */
export interface CompiledRule {
  readonly index: number;
  readonly name: string;
  readonly source: Rule;
  readonly test: Predicate;
  readonly route?: readonly string[];
  readonly reject?: DeclineReason;
  readonly exclude?: ReadonlySet<string>;
}

/** A compiled pool. */
export interface CompiledPool {
  readonly name: string;
  readonly strategy: 'weighted' | 'priority';
  readonly mids: readonly string[];
  readonly weights: readonly number[];
}

/** A profile ready for the hot path. */
export interface CompiledProfile {
  readonly id: string;
  readonly source: Profile;
  readonly pools: ReadonlyMap<string, CompiledPool>;
  readonly defaultRoute: readonly string[];
  readonly maxAttempts: number;
  /** Reasons that may cascade under this profile. */
  readonly cascadeOn: ReadonlySet<DeclineReason>;
  /** First decisive rule (route/reject) that matches, if any. */
  matchDecisive(ctx: RoutingContext): CompiledRule | undefined;
  /** Every filter rule (exclude only) that matches. */
  matchFilters(ctx: RoutingContext): CompiledRule[];
  readonly ruleCount: number;
}

const list = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
const upper = (v: string[] | undefined) => v?.map((s) => s.toUpperCase());

function binInterval(pattern: string): [number, number, number] {
  const [a, b = a] = pattern.split('-');
  return [Number(a.padEnd(8, '0')), Number(b.padEnd(8, '9')), a.length];
}

function compileCondition(c: Condition): Predicate {
  const tests: Predicate[] = [];
  const card = c.card;
  if (card) {
    const brands = list(card.brand)?.map((b) => canonicalBrand(b)!);
    if (brands) {
      const s = new Set<string>(brands);
      tests.push((x) => x.brand !== undefined && s.has(x.brand));
    }
    const types = list(card.type);
    if (types) tests.push((x) => x.binInfo?.type !== undefined && types.includes(x.binInfo.type));
    if (card.prepaid !== undefined) {
      const want = card.prepaid;
      tests.push((x) => x.binInfo?.prepaid !== undefined && x.binInfo.prepaid === want);
    }
    const countries = upper(list(card.country));
    if (countries) tests.push((x) => x.binInfo?.country !== undefined && countries.includes(x.binInfo.country));
    const issuers = list(card.issuer)?.map((s) => s.toLowerCase());
    if (issuers) tests.push((x) => {
      const name = x.binInfo?.issuer?.toLowerCase();
      return name !== undefined && issuers.some((i) => name.includes(i));
    });
    const bins = list(card.bin);
    if (bins) {
      const ranges = bins.map(binInterval);
      tests.push((x) => {
        const n = Number(x.bin.padEnd(8, '0'));
        return ranges.some(([lo, hi, len]) => x.bin.length >= len && n >= lo && n <= hi);
      });
    }
  }
  if (c.amount) {
    const { gt, gte, lt, lte } = c.amount;
    tests.push((x) => (gt === undefined || x.amount > gt) && (gte === undefined || x.amount >= gte) && (lt === undefined || x.amount < lt) && (lte === undefined || x.amount <= lte));
  }
  const currencies = list(c.currency);
  if (currencies) tests.push((x) => currencies.includes(x.currency));
  const cust = upper(list(c.customer?.country));
  if (cust) tests.push((x) => x.customerCountry !== undefined && cust.includes(x.customerCountry.toUpperCase()));
  const bill = upper(list(c.billing?.country));
  if (bill) tests.push((x) => x.billingCountry !== undefined && bill.includes(x.billingCountry.toUpperCase()));
  if (c.tags) {
    const s = new Set(c.tags);
    tests.push((x) => x.tags.some((t) => s.has(t)));
  }
  if (c.metadata) {
    const entries = Object.entries(c.metadata).map(([k, v]) => [k, list(v)!] as const);
    tests.push((x) => entries.every(([k, vs]) => Object.prototype.hasOwnProperty.call(x.metadata, k) && vs.includes(x.metadata[k])));
  }
  const kinds = list(c.kind);
  if (kinds) tests.push((x) => kinds.includes(x.kind));
  if (c.any) {
    const anyOf = c.any.map(compileCondition);
    tests.push((x) => anyOf.some((p) => p(x)));
  }
  if (c.not) {
    const inner = compileCondition(c.not);
    tests.push((x) => !inner(x));
  }
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0];
  return (x) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i](x)) return false;
    return true;
  };
}

type AnchorKind = 'bin' | 'brand' | 'currency' | 'cardCountry' | 'customerCountry';

/** Which anchor a rule is filed under, and its keys. */
function anchorOf(c: Condition): { kind: AnchorKind; keys: string[] } | undefined {
  const bins = list(c.card?.bin);
  if (bins) {
    return {
      kind: 'bin',
      keys: bins.map((p) => {
        const [a, b = a] = p.split('-');
        let i = 0;
        while (i < a.length && a[i] === b[i]) i++;
        return a.slice(0, i);
      }),
    };
  }
  const brands = list(c.card?.brand);
  if (brands) return { kind: 'brand', keys: brands.map((b) => canonicalBrand(b)!) };
  const cur = list(c.currency);
  if (cur) return { kind: 'currency', keys: cur };
  const cc = upper(list(c.card?.country));
  if (cc) return { kind: 'cardCountry', keys: cc };
  const cust = upper(list(c.customer?.country));
  if (cust) return { kind: 'customerCountry', keys: cust };
  return undefined;
}

/** Rules filed by anchor, each list in rule order. */
class RuleIndex {
  private readonly byKind = new Map<AnchorKind, Map<string, CompiledRule[]>>();
  private readonly loose: CompiledRule[] = [];
  private readonly scratch: (readonly CompiledRule[])[] = [];
  private readonly cursors: number[] = [];
  private readonly hasBinEmptyKey: boolean;

  constructor(readonly rules: readonly CompiledRule[]) {
    let emptyBin = false;
    for (const r of rules) {
      const a = anchorOf(r.source.when);
      if (!a) {
        this.loose.push(r);
        continue;
      }
      let m = this.byKind.get(a.kind);
      if (!m) this.byKind.set(a.kind, (m = new Map()));
      for (const k of new Set(a.keys)) {
        if (a.kind === 'bin' && k === '') emptyBin = true;
        let l = m.get(k);
        if (!l) m.set(k, (l = []));
        l.push(r);
      }
    }
    this.hasBinEmptyKey = emptyBin;
  }

  private gather(ctx: RoutingContext): (readonly CompiledRule[])[] {
    const out = this.scratch;
    out.length = 0;
    if (this.loose.length) out.push(this.loose);
    const bin = this.byKind.get('bin');
    if (bin) {
      for (let len = this.hasBinEmptyKey ? 0 : 1; len <= ctx.bin.length; len++) {
        const l = bin.get(ctx.bin.slice(0, len));
        if (l) out.push(l);
      }
    }
    const push = (kind: AnchorKind, key: string | undefined) => {
      if (key === undefined) return;
      const l = this.byKind.get(kind)?.get(key);
      if (l) out.push(l);
    };
    push('brand', ctx.brand);
    push('currency', ctx.currency);
    push('cardCountry', ctx.binInfo?.country);
    push('customerCountry', ctx.customerCountry?.toUpperCase());
    return out;
  }

  /** Visit candidate rules in rule order (a rule filed under two keys is visited once); stop when `visit` returns true. */
  walk(ctx: RoutingContext, visit: (r: CompiledRule) => boolean): void {
    const lists = this.gather(ctx);
    if (lists.length === 1) {
      for (const r of lists[0]) if (visit(r)) return;
      return;
    }
    const cur = this.cursors;
    cur.length = lists.length;
    cur.fill(0);
    let last = -1;
    for (;;) {
      let best = -1;
      let bestIdx = Infinity;
      for (let i = 0; i < lists.length; i++) {
        const r = lists[i][cur[i]];
        if (r !== undefined && r.index < bestIdx) {
          bestIdx = r.index;
          best = i;
        }
      }
      if (best < 0) return;
      const rule = lists[best][cur[best]++];
      if (rule.index === last) continue;
      last = rule.index;
      if (visit(rule)) return;
    }
  }
}

/** Compile a validated profile. Assumes cross-references were checked by `createRouter`. */
export function compileProfile(profile: Profile): CompiledProfile {
  const rules: CompiledRule[] = profile.rules.map((r, index) => ({
    index,
    name: r.name,
    source: r,
    test: compileCondition(r.when),
    route: r.route,
    reject: r.reject as DeclineReason | undefined,
    exclude: r.exclude ? new Set(r.exclude) : undefined,
  }));
  const decisive = new RuleIndex(rules.filter((r) => r.route || r.reject));
  const filters = new RuleIndex(rules.filter((r) => !r.route && !r.reject && r.exclude));
  const pools = new Map<string, CompiledPool>(
    Object.entries(profile.pools).map(([name, p]) => [
      name,
      { name, strategy: p.strategy, mids: p.members.map((m) => m.mid), weights: p.members.map((m) => m.weight ?? 1) },
    ]),
  );
  const cascadeOn = new Set<DeclineReason>(
    profile.cascade.on === 'soft'
      ? (Object.keys(DECLINE_REASONS) as DeclineReason[]).filter((r) => DECLINE_REASONS[r].cascade)
      : (profile.cascade.on as DeclineReason[]),
  );
  return {
    id: profile.id,
    source: profile,
    pools,
    defaultRoute: profile.route,
    maxAttempts: profile.cascade.maxAttempts,
    cascadeOn,
    ruleCount: rules.length,
    matchDecisive(ctx) {
      let found: CompiledRule | undefined;
      decisive.walk(ctx, (r) => (r.test(ctx) ? ((found = r), true) : false));
      return found;
    },
    matchFilters(ctx) {
      const out: CompiledRule[] = [];
      filters.walk(ctx, (r) => {
        if (r.test(ctx)) out.push(r);
        return false;
      });
      return out;
    },
  };
}
