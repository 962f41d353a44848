/**
 * Recipe: load balancing with caps.
 *
 * A weighted pool spreads sales over three MIDs 50/30/20 (a CRM's "load balancer"). Each MID has
 * a monthly cap; `mid-small` is nearly full, so once its cap has no room for a sale the router
 * skips it (event `cap:reached`) and the sale goes to the next MID of the draw. Caps are reserved
 * atomically in the store, so two checkout servers sharing PostgreSQL cannot overshoot.
 *
 *   npx tsx examples/profiles/load-balancing.ts
 * @module
 */
import { sandbox } from '../../adapters/sandbox';
import { createRouter, defineProfile, memoryStore } from '../../src/index';
import { runIfMain, testCard } from '../support';

/** The profile: one weighted pool. */
export const profile = defineProfile({
  id: 'balanced',
  pools: {
    main: {
      strategy: 'weighted',
      members: [
        { mid: 'mid-big', weight: 50 },
        { mid: 'mid-medium', weight: 30 },
        { mid: 'mid-small', weight: 20 },
      ],
    },
  },
  route: ['main'],
  cascade: { maxAttempts: 2, on: 'soft' },
});

/** Run 300 sales of $20 and count where they went. */
export async function main() {
  const router = createRouter({
    merchantAccounts: [
      { id: 'mid-big', adapter: sandbox(), caps: { monthly: { amount: 10_000_000 } } },
      { id: 'mid-medium', adapter: sandbox(), caps: { monthly: { amount: 5_000_000 } } },
      // Room for 25 sales of $20 this month: it fills up during the run.
      { id: 'mid-small', adapter: sandbox(), caps: { monthly: { amount: 50_000 } } },
    ],
    profiles: [profile],
    store: memoryStore(),
  });
  let capSkips = 0;
  router.on('cap:reached', () => capSkips++);
  const approvedOn: Record<string, number> = { 'mid-big': 0, 'mid-medium': 0, 'mid-small': 0 };
  for (let i = 0; i < 300; i++) {
    const r = await router.sale({
      profile: 'balanced',
      idempotencyKey: `lb-${i}`,
      amount: 2000,
      currency: 'USD',
      card: testCard('4242424242424242'),
    });
    if (r.isOk()) approvedOn[r.value.mid]++;
  }
  // What the router would do now for one more sale: mid-small is not eligible, and explain says why.
  const next = await router.explain({
    profile: 'balanced',
    idempotencyKey: 'lb-next',
    amount: 2000,
    currency: 'USD',
    card: testCard('4242424242424242'),
  });
  const small = next.candidates.find((c) => c.mid === 'mid-small')!;
  console.log('approved per MID:', approvedOn);
  console.log(`mid-small skipped ${capSkips} times: ${small.reasons.map((x) => x.message).join('; ')}`);
  return { approvedOn, capSkips, smallReasons: small.reasons.map((x) => x.code), nextOrder: next.order };
}

runIfMain(import.meta.url, main);
