/**
 * Recipe: prepaid and debit redirect.
 *
 * Prepaid cards decline more and some acquirers refuse them: send them to a MID that takes them.
 * Debit cards go to a debit-friendly MID. The card's type comes from a BIN table
 * (`loadBinTable('bins.csv')` for a binlist CSV file, or rows as here); the rules are checked in
 * order and the first that matches decides the route.
 *
 *   npx tsx examples/profiles/prepaid-redirect.ts
 * @module
 */
import { sandbox } from '../../adapters/sandbox';
import { createRouter, defineProfile, loadBinTable, memoryStore } from '../../src/index';
import { runIfMain, testCard } from '../support';

/** The profile: prepaid first, then debit, else the main pool. */
export const profile = defineProfile({
  id: 'redirects',
  pools: {
    main: {
      strategy: 'weighted',
      members: [
        { mid: 'mid-main-1', weight: 1 },
        { mid: 'mid-main-2', weight: 1 },
      ],
    },
    prepaid: { strategy: 'priority', members: [{ mid: 'mid-prepaid' }] },
    debit: { strategy: 'priority', members: [{ mid: 'mid-debit' }] },
  },
  rules: [
    { name: 'prepaid to the prepaid MID', when: { card: { prepaid: true } }, route: ['prepaid'] },
    { name: 'debit to the debit MID', when: { card: { type: 'debit' } }, route: ['debit', 'main'] },
  ],
  route: ['main'],
});

/** Route a prepaid, a debit and a credit card. */
export async function main() {
  const bins = await loadBinTable([
    { start: '424242', type: 'debit', prepaid: true, country: 'US', issuer: 'Prepaid Issuer' },
    { start: '555555', type: 'debit', prepaid: false, country: 'US', issuer: 'Debit Bank' },
    { start: '411111', type: 'credit', prepaid: false, country: 'US', issuer: 'Credit Bank' },
  ]);
  const router = createRouter({
    merchantAccounts: ['mid-main-1', 'mid-main-2', 'mid-prepaid', 'mid-debit'].map((id) => ({ id, adapter: sandbox() })),
    profiles: [profile],
    store: memoryStore(),
    bins,
  });
  const out: Record<string, { rule?: string; mid?: string }> = {};
  for (const [label, pan] of [
    ['prepaid', '4242424242424242'],
    ['debit', '5555555555554444'],
    ['credit', '4111111111111111'],
  ] as const) {
    const request = { profile: 'redirects', idempotencyKey: `pp-${label}`, amount: 4999, currency: 'USD', card: testCard(pan) };
    const why = await router.explain(request);
    const sale = await router.sale(request);
    out[label] = { rule: why.rule?.name, mid: sale.isOk() ? sale.value.mid : undefined };
    console.log(`${label.padEnd(7)} ${why.card?.masked}: ${why.rule ? `rule "${why.rule.name}"` : 'default route'} -> ${out[label].mid}`);
  }
  return out;
}

runIfMain(import.meta.url, main);
