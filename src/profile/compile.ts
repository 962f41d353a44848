/**
 * Compiles a validated profile once, at `createRouter`, into closures and an index, so the hot
 * path evaluates no schema and scans no rule that cannot match.
 *
 * Index: each rule gets one *anchor*, the most selective field it requires (a BIN prefix, else
 * the brand, the currency, the card's country, the customer's country), and is filed under that
 * value. A request gathers the rule lists for its own values (its BIN's prefixes, its brand, …)
 * plus the un-anchored rules; each list is in rule order, so the first match overall is found by
 * scanning each list only up to the best match so far. A decision costs the rules that could
 * match, not all of them.
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
  /** The first 8 digits as a number, right-padded with zeros (computed once per request). */
  binNumber: number;
  binInfo?: BinInfo;
  amount: number;
  currency: string;
  /** Upper case. */
  customerCountry?: string;
  /** Upper case. */
  billingCountry?: string;
  tags: readonly string[];
  metadata: Readonly<Record<string, string>>;
  /** Set when the card is a network or wallet token (`bin` is then the token's BIN). */
  tokenType?: 'network_token' | 'apple_pay' | 'google_pay' | undefined;
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
  readonly threeDS?: 'required' | 'if_available' | 'never';
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
  /** 3-D Secure: step up on `authentication_required` declines of customer-initiated payments. */
  readonly stepUp: boolean;
  /** 3-D Secure mode of payments no rule sets. */
  readonly threeDS: 'required' | 'if_available' | 'never';
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
    if (issuers)
      tests.push((x) => {
        const name = x.binInfo?.issuer?.toLowerCase();
        return name !== undefined && issuers.some((i) => name.includes(i));
      });
    const bins = list(card.bin);
    if (bins) {
      const ranges = bins.map(binInterval);
      tests.push((x) => {
        const n = x.binNumber;
        for (let i = 0; i < ranges.length; i++) {
          const [lo, hi, len] = ranges[i];
          if (x.bin.length >= len && n >= lo && n <= hi) return true;
        }
        return false;
      });
    }
  }
  if (c.amount) {
    const { gt, gte, lt, lte } = c.amount;
    tests.push(
      (x) =>
        (gt === undefined || x.amount > gt) &&
        (gte === undefined || x.amount >= gte) &&
        (lt === undefined || x.amount < lt) &&
        (lte === undefined || x.amount <= lte),
    );
  }
  const currencies = list(c.currency);
  if (currencies) tests.push((x) => currencies.includes(x.currency));
  const cust = upper(list(c.customer?.country));
  if (cust) tests.push((x) => x.customerCountry !== undefined && cust.includes(x.customerCountry));
  const bill = upper(list(c.billing?.country));
  if (bill) tests.push((x) => x.billingCountry !== undefined && bill.includes(x.billingCountry));
  if (c.tags) {
    const s = new Set(c.tags);
    tests.push((x) => {
      for (let i = 0; i < x.tags.length; i++) if (s.has(x.tags[i])) return true;
      return false;
    });
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
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

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
  // The rest by how many values the field takes (more values, smaller buckets): countries, currency, brand.
  const cc = upper(list(c.card?.country));
  if (cc) return { kind: 'cardCountry', keys: cc };
  const cust = upper(list(c.customer?.country));
  if (cust) return { kind: 'customerCountry', keys: cust };
  const cur = list(c.currency);
  if (cur) return { kind: 'currency', keys: cur };
  const brands = list(c.card?.brand);
  if (brands) return { kind: 'brand', keys: brands.map((b) => canonicalBrand(b)!) };
  return undefined;
}

/** Rules filed by anchor, each list in rule order. */
class RuleIndex {
  private readonly byKind = new Map<AnchorKind, Map<string, CompiledRule[]>>();
  private readonly loose: CompiledRule[] = [];
  /** BIN-anchored rules by `length × 10⁸ + prefix`: numeric keys, no string slicing per request. */
  private readonly byBin = new Map<number, CompiledRule[]>();
  /** The prefix lengths present in `byBin`, ascending. */
  private readonly binLengths: number[];

  constructor(readonly rules: readonly CompiledRule[]) {
    const lengths = new Set<number>();
    for (const r of rules) {
      const a = anchorOf(r.source.when);
      if (!a) {
        this.loose.push(r);
        continue;
      }
      for (const k of new Set(a.keys)) {
        let l: CompiledRule[] | undefined;
        if (a.kind === 'bin') {
          const key = k.length * 1e8 + (k === '' ? 0 : Number(k));
          lengths.add(k.length);
          l = this.byBin.get(key);
          if (!l) this.byBin.set(key, (l = []));
        } else {
          let m = this.byKind.get(a.kind);
          if (!m) this.byKind.set(a.kind, (m = new Map()));
          l = m.get(k);
          if (!l) m.set(k, (l = []));
        }
        l.push(r);
      }
    }
    this.binLengths = [...lengths].sort((x, y) => x - y);
    this.byBrand = this.byKind.get('brand');
    this.byCurrency = this.byKind.get('currency');
    this.byCardCountry = this.byKind.get('cardCountry');
    this.byCustomerCountry = this.byKind.get('customerCountry');
  }
  private readonly byBrand?: Map<string, CompiledRule[]>;
  private readonly byCurrency?: Map<string, CompiledRule[]>;
  private readonly byCardCountry?: Map<string, CompiledRule[]>;
  private readonly byCustomerCountry?: Map<string, CompiledRule[]>;

  private gather(ctx: RoutingContext): (readonly CompiledRule[])[] {
    const out: (readonly CompiledRule[])[] = [];
    if (this.loose.length) out.push(this.loose);
    for (let i = 0; i < this.binLengths.length; i++) {
      const len = this.binLengths[i];
      if (len > ctx.bin.length) break;
      const l = this.byBin.get(len * 1e8 + Math.floor(ctx.binNumber / POW10[8 - len]));
      if (l) out.push(l);
    }
    let l: readonly CompiledRule[] | undefined;
    if (ctx.brand !== undefined && (l = this.byBrand?.get(ctx.brand))) out.push(l);
    if ((l = this.byCurrency?.get(ctx.currency))) out.push(l);
    if (ctx.binInfo?.country !== undefined && (l = this.byCardCountry?.get(ctx.binInfo.country))) out.push(l);
    if (ctx.customerCountry !== undefined && (l = this.byCustomerCountry?.get(ctx.customerCountry))) out.push(l);
    return out;
  }

  /**
   * The first rule, in rule order, that matches. Each candidate list is in rule order, so a list
   * is scanned only until its own first match or until it passes the best match found so far.
   */
  first(ctx: RoutingContext): CompiledRule | undefined {
    let best: CompiledRule | undefined;
    for (const l of this.gather(ctx)) {
      for (let i = 0; i < l.length; i++) {
        const r = l[i];
        if (best !== undefined && r.index >= best.index) break;
        if (r.test(ctx)) {
          best = r;
          break;
        }
      }
    }
    return best;
  }

  /** Every rule that matches, in rule order (a rule filed under two matching keys counts once). */
  all(ctx: RoutingContext): CompiledRule[] {
    const out: CompiledRule[] = [];
    for (const l of this.gather(ctx)) for (const r of l) if (!out.includes(r) && r.test(ctx)) out.push(r);
    if (out.length > 1) out.sort((a, b) => a.index - b.index);
    return out;
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
    threeDS: r.threeDS,
  }));
  const decisive = new RuleIndex(rules.filter((r) => r.route || r.reject));
  const filters = new RuleIndex(rules.filter((r) => !r.route && !r.reject && (r.exclude || r.threeDS)));
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
    stepUp: profile.threeDS.stepUp,
    threeDS: profile.threeDS.mode,
    ruleCount: rules.length,
    matchDecisive: (ctx) => decisive.first(ctx),
    matchFilters: (ctx) => filters.all(ctx),
  };
}
