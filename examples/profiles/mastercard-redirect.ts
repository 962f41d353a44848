/**
 * Recipe: Mastercard redirect.
 *
 * Send every Mastercard to the MID with the best Mastercard approval rate (or the one enrolled
 * in Mastercard's express consent program), with the main pool as the cascade fallback. The
 * brand comes from the PAN itself: no BIN table needed.
 *
 *   npx tsx examples/profiles/mastercard-redirect.ts
 * @module
 */
import { sandbox } from '../../adapters/sandbox';
import { createRouter, defineProfile, memoryStore } from '../../src/index';
import { runIfMain, testCard } from '../support';

/** The profile: Mastercard to `mid-mc` first, everything else to the main pool. */
export const profile = defineProfile({
  id: 'mc-redirect',
  pools: {
    main: {
      strategy: 'weighted',
      members: [
        { mid: 'mid-a', weight: 60 },
        { mid: 'mid-b', weight: 40 },
      ],
    },
    mastercard: { strategy: 'priority', members: [{ mid: 'mid-mc' }] },
  },
  rules: [{ name: 'Mastercard to mid-mc', when: { card: { brand: 'mastercard' } }, route: ['mastercard', 'main'] }],
  route: ['main'],
  cascade: { maxAttempts: 2, on: 'soft' },
});

/** Route a Mastercard and a Visa; show the order explain() gives for the Mastercard. */
export async function main() {
  const router = createRouter({
    merchantAccounts: ['mid-a', 'mid-b', 'mid-mc'].map((id) => ({ id, adapter: sandbox() })),
    profiles: [profile],
    store: memoryStore(),
  });
  const mc = { profile: 'mc-redirect', idempotencyKey: 'mc-1', amount: 2999, currency: 'USD', card: testCard('5555555555554444') };
  const why = await router.explain(mc);
  const mcSale = await router.sale(mc);
  const visaSale = await router.sale({ ...mc, idempotencyKey: 'visa-1', card: testCard('4111111111111111') });
  const result = {
    rule: why.rule?.name,
    order: why.order,
    mastercardMid: mcSale.isOk() ? mcSale.value.mid : undefined,
    visaMid: visaSale.isOk() ? visaSale.value.mid : undefined,
  };
  console.log(`Mastercard: rule "${result.rule}", attempt order ${result.order.join(' > ')}, approved on ${result.mastercardMid}`);
  console.log(`Visa: default route, approved on ${result.visaMid}`);
  return result;
}

runIfMain(import.meta.url, main);
