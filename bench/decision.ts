/**
 * Scenario 1: a routing decision (what `explain` decides, validation excluded) on profiles of
 * 10, 100 and 1,000 rules, 50 MIDs in 10 pools, a BIN table of 500,000 ranges.
 * Scenario 2: the same 1,000 rules in json-rules-engine, evaluated to the first matching rule.
 */
import { Engine, type NestedCondition } from 'json-rules-engine';
import { sandbox } from '../adapters/sandbox';
import type { BinTable } from '../src/card/bin-table';
import { detectBrand } from '../src/card/pan';
import { routingContext } from '../src/operations/cards';
import { createRouter, routerContext } from '../src/router';
import { planRoute } from '../src/selection/plan';
import { memoryStore } from '../src/store/memory';
import type { Condition, ProfileInput } from '../src/profile/schema';
import type { RoutingContext } from '../src/profile/compile';
import { measure, type Figures } from './measure';
import { MIDS, makeProfile, makeRequests, rng } from './workload';

/** Build a router for a profile and the routing contexts of `requests` (parsing excluded from timing). */
function setup(profile: ProfileInput, bins: BinTable) {
  const router = createRouter({
    merchantAccounts: MIDS.map((id, i) => ({
      id,
      adapter: sandbox(),
      currencies: i % 7 === 0 ? ['USD', 'EUR'] : undefined,
      brands: i % 5 === 0 ? ['visa', 'mastercard'] : undefined,
    })),
    profiles: [{ ...profile, id: 'bench' }],
    store: memoryStore(),
    bins,
    random: rng(9).next,
  });
  const ctx = routerContext(router);
  const compiled = ctx.profiles.get('bench')!;
  const contexts: RoutingContext[] = makeRequests(4096).map((r) => {
    const digits = r.card.number!;
    const brand = detectBrand(digits)!.brand;
    return routingContext(ctx, 'sale', r, { digits, brand, expMonth: 12, expYear: 2031 });
  });
  return { ctx, compiled, contexts };
}

/** Decision figures for 10, 100 and 1,000 rules. */
export async function decisionBench(
  bins: BinTable,
  timeMs: number,
): Promise<Record<string, Figures & { rules: number; matchedShare: number }>> {
  const out: Record<string, Figures & { rules: number; matchedShare: number }> = {};
  for (const n of [10, 100, 1000]) {
    const { ctx, compiled, contexts } = setup(makeProfile(n), bins);
    let i = 0;
    let matched = 0;
    for (const c of contexts) if (compiled.matchDecisive(c)) matched++;
    const fig = await measure(`decision ${n} rules`, () => planRoute(ctx, compiled, contexts[i++ & 4095], 'sale'), timeMs);
    out[`rules_${n}`] = { ...fig, rules: n, matchedShare: Math.round((matched / contexts.length) * 1000) / 1000 };
  }
  return out;
}

/** Convert one of our conditions to json-rules-engine conditions (custom operators for BINs and tags). */
function toJre(c: Condition): NestedCondition[] {
  const all: NestedCondition[] = [];
  const list = <T>(v: T | T[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  if (c.card?.brand)
    all.push({ fact: 'brand', operator: 'in', value: list(c.card.brand)!.map((b) => (b === 'amex' ? 'american-express' : b)) });
  if (c.card?.bin) all.push({ fact: 'bin', operator: 'binMatches', value: list(c.card.bin) });
  if (c.card?.country) all.push({ fact: 'cardCountry', operator: 'in', value: list(c.card.country) });
  if (c.amount?.gt !== undefined) all.push({ fact: 'amount', operator: 'greaterThan', value: c.amount.gt });
  if (c.amount?.gte !== undefined) all.push({ fact: 'amount', operator: 'greaterThanInclusive', value: c.amount.gte });
  if (c.amount?.lt !== undefined) all.push({ fact: 'amount', operator: 'lessThan', value: c.amount.lt });
  if (c.amount?.lte !== undefined) all.push({ fact: 'amount', operator: 'lessThanInclusive', value: c.amount.lte });
  if (c.currency) all.push({ fact: 'currency', operator: 'in', value: list(c.currency) });
  if (c.customer?.country) all.push({ fact: 'customerCountry', operator: 'in', value: list(c.customer.country) });
  if (c.tags) all.push({ fact: 'tags', operator: 'intersects', value: c.tags });
  return all;
}

/** json-rules-engine on the same 1,000 rules, to the first match (priority order, engine.stop()). */
export async function jsonRulesEngineBench(bins: BinTable, timeMs: number) {
  const profile = makeProfile(1000);
  const { compiled, contexts } = setup(profile, bins);
  const decisive = (profile.rules ?? []).map((r, i) => ({ r, i })).filter(({ r }) => r.route || r.reject);
  const engine = new Engine([], { allowUndefinedFacts: true });
  engine.addOperator('binMatches', (bin: string, patterns: string[]) =>
    patterns.some((p) => {
      const [a, b = a] = p.split('-');
      const n = Number(bin.padEnd(8, '0'));
      return n >= Number(a.padEnd(8, '0')) && n <= Number(b.padEnd(8, '9'));
    }),
  );
  engine.addOperator('intersects', (tags: string[], want: string[]) => Array.isArray(tags) && tags.some((t) => want.includes(t)));
  decisive.forEach(({ r, i }, j) =>
    engine.addRule({
      name: r.name,
      priority: decisive.length - j,
      conditions: { all: toJre(r.when as Condition) },
      event: { type: 'match', params: { index: i } },
    }),
  );
  const facts = contexts.map((c) => ({
    brand: c.brand,
    bin: c.bin,
    cardCountry: c.binInfo?.country,
    amount: c.amount,
    currency: c.currency,
    customerCountry: c.customerCountry,
    tags: c.tags,
  }));
  // Both engines must agree on the first matching rule.
  let agree = 0;
  for (let k = 0; k < 200; k++) {
    const ours = compiled.matchDecisive(contexts[k])?.name;
    let theirs: string | undefined;
    engine.on('success', function stopAtFirst(ev) {
      theirs ??= profile.rules![(ev.params as { index: number }).index].name;
      engine.stop();
    });
    await engine.run(facts[k]);
    (engine as unknown as { removeAllListeners(e: string): void }).removeAllListeners('success');
    if (ours === theirs) agree++;
  }
  engine.on('success', () => engine.stop());
  let i = 0;
  const fig = await measure(
    'json-rules-engine 1000 rules',
    async () => {
      await engine.run(facts[i++ & 4095]);
    },
    timeMs,
  );
  return { ...fig, agreementOn200: agree };
}
