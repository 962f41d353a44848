/**
 * Recipe: country-based billers.
 *
 * EU customers are billed in EUR by an EU-acquired MID (local acquiring approves more and costs
 * less); everyone else goes to the US pool. The rule looks at the customer's country; use
 * `billing: { country }` for the billing address, or `card: { country }` (with a BIN table) for
 * the issuing country. The EU MID only accepts EUR, so a USD sale never lands on it by accident.
 *
 *   npx tsx examples/profiles/country-billers.ts
 * @module
 */
import { sandbox } from '../../adapters/sandbox';
import { createRouter, defineProfile, memoryStore } from '../../src/index';
import { runIfMain, testCard } from '../support';

/** EU member states (ISO 3166-1 alpha-2). */
export const EU = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
];

/** The profile: EU customers to the EU biller. */
export const profile = defineProfile({
  id: 'by-country',
  pools: {
    us: {
      strategy: 'weighted',
      members: [
        { mid: 'mid-us-1', weight: 1 },
        { mid: 'mid-us-2', weight: 1 },
      ],
    },
    eu: { strategy: 'priority', members: [{ mid: 'mid-eu' }] },
  },
  rules: [{ name: 'EU customers to the EU biller', when: { customer: { country: EU } }, route: ['eu'] }],
  route: ['us'],
});

/** Bill a German customer in EUR and an American in USD. */
export async function main() {
  const router = createRouter({
    merchantAccounts: [
      { id: 'mid-us-1', adapter: sandbox(), currencies: ['USD'] },
      { id: 'mid-us-2', adapter: sandbox(), currencies: ['USD'] },
      { id: 'mid-eu', adapter: sandbox(), currencies: ['EUR'], descriptor: 'ACME*EU' },
    ],
    profiles: [profile],
    store: memoryStore(),
  });
  const de = await router.sale({
    profile: 'by-country',
    idempotencyKey: 'de-1',
    amount: 3900,
    currency: 'EUR',
    card: testCard('4111111111111111'),
    customer: { country: 'DE' },
  });
  const us = await router.sale({
    profile: 'by-country',
    idempotencyKey: 'us-1',
    amount: 3900,
    currency: 'USD',
    card: testCard('4111111111111111'),
    customer: { country: 'US' },
  });
  // An EU customer paying in USD: the rule matches, but the EU MID takes only EUR.
  const mismatch = await router.explain({
    profile: 'by-country',
    idempotencyKey: 'de-2',
    amount: 3900,
    currency: 'USD',
    card: testCard('4111111111111111'),
    customer: { country: 'FR' },
  });
  const result = {
    germanyMid: de.isOk() ? de.value.mid : undefined,
    usMid: us.isOk() ? us.value.mid : undefined,
    euInUsd: {
      rule: mismatch.rule?.name,
      order: mismatch.order,
      reasons: mismatch.candidates.flatMap((c) => c.reasons.map((r) => r.code)),
    },
  };
  console.log(`DE customer, EUR: approved on ${result.germanyMid}`);
  console.log(`US customer, USD: approved on ${result.usMid}`);
  console.log(
    `FR customer, USD: rule "${result.euInUsd.rule}", eligible MIDs: ${result.euInUsd.order.length} (${result.euInUsd.reasons.join(', ')})`,
  );
  return result;
}

runIfMain(import.meta.url, main);
