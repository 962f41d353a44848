/**
 * Recipe: brand blocking.
 *
 * Two tools: a MID's `brands` list (this MID's acquirer does not take Amex: the router never
 * sends it one, and explain() says `brand_not_accepted`), and a `reject` rule (the merchant takes
 * no Discover at all: refused before any gateway call, as `card_not_supported`).
 *
 *   npx tsx examples/profiles/brand-blocking.ts
 * @module
 */
import { sandbox } from '../../adapters/sandbox';
import { createRouter, defineProfile, memoryStore } from '../../src/index';
import { runIfMain, testCard } from '../support';

/** The profile: Discover refused; Amex can only land on `mid-amex`. */
export const profile = defineProfile({
  id: 'brands',
  pools: { main: { strategy: 'priority', members: [{ mid: 'mid-no-amex' }, { mid: 'mid-amex' }] } },
  rules: [{ name: 'no Discover', when: { card: { brand: 'discover' } }, reject: 'card_not_supported' }],
  route: ['main'],
});

/** Try an Amex, a Visa and a Discover. */
export async function main() {
  const router = createRouter({
    merchantAccounts: [
      { id: 'mid-no-amex', adapter: sandbox(), brands: ['visa', 'mastercard', 'discover'] },
      { id: 'mid-amex', adapter: sandbox() },
    ],
    profiles: [profile],
    store: memoryStore(),
  });
  const req = (key: string, pan: string) => ({
    profile: 'brands',
    idempotencyKey: key,
    amount: 1500,
    currency: 'USD',
    card: testCard(pan),
  });
  const amexWhy = await router.explain(req('amex', '378282246310005'));
  const amex = await router.sale(req('amex', '378282246310005'));
  const visa = await router.sale(req('visa', '4111111111111111'));
  const discover = await router.sale(req('discover', '6011111111111117'));
  const blocked = amexWhy.candidates.find((c) => c.mid === 'mid-no-amex')!;
  const result = {
    amexMid: amex.isOk() ? amex.value.mid : undefined,
    amexBlockedBecause: blocked.reasons.map((r) => r.code),
    visaMid: visa.isOk() ? visa.value.mid : undefined,
    discover: discover.isErr()
      ? { kind: discover.error.kind, rejection: discover.error.rejection, message: discover.error.message }
      : undefined,
  };
  console.log(`Amex: ${blocked.mid} not eligible (${blocked.reasons.map((r) => r.message).join('; ')}), approved on ${result.amexMid}`);
  console.log(`Visa: approved on ${result.visaMid}`);
  console.log(`Discover: ${result.discover?.kind}, ${result.discover?.message}`);
  return result;
}

runIfMain(import.meta.url, main);
