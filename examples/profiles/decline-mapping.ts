/**
 * Recipe: decline message mapping.
 *
 * Gateways return codes and messages the built-in tables may not know, and a generic decline
 * cascades by default. `declineRules` (a CRM's "decline message mapping") map them to a standard
 * reason, checked before the built-in tables; scope a rule to a gateway or a MID. Here:
 * - "Card on negative file" is a blocked card: map it to `restricted_card` so it never cascades
 *   (a retry elsewhere looks like card testing);
 * - mid-a's processor code `Z1` means "MID not set up for this currency": map it to
 *   `invalid_merchant`, a MID problem rather than the card's, so your decline reports and
 *   alerts point at the MID (it still moves on to the next MID, as a soft decline).
 *
 *   npx tsx examples/profiles/decline-mapping.ts
 * @module
 */
import { sandbox, type SandboxResponse } from '../../adapters/sandbox';
import { createRouter, defineProfile, memoryStore, type DeclineRule } from '../../src/index';
import { runIfMain, testCard } from '../support';

/** The profile: two MIDs, cascade on soft declines. */
export const profile = defineProfile({
  id: 'mapped',
  pools: { main: { strategy: 'priority', members: [{ mid: 'mid-a' }, { mid: 'mid-b' }] } },
  route: ['main'],
  cascade: { maxAttempts: 2, on: 'soft' },
});

/** The mappings. */
export const declineRules: DeclineRule[] = [
  { messageIncludes: 'negative file', reason: 'restricted_card' },
  { mid: 'mid-a', code: 'Z1', reason: 'invalid_merchant' },
];

/** mid-a: amount 1001 → "Card on negative file" (code N0), 1002 → code Z1; mid-b approves. */
const midA = (req: { amount: number }): SandboxResponse =>
  req.amount === 1001
    ? { status: 'declined', code: 'N0', message: 'Card on negative file' }
    : req.amount === 1002
      ? { status: 'declined', code: 'Z1', message: 'Declined' }
      : { status: 'approved' };

async function run(rules: DeclineRule[] | undefined) {
  const router = createRouter({
    merchantAccounts: [
      { id: 'mid-a', adapter: sandbox({ respond: midA }) },
      { id: 'mid-b', adapter: sandbox() },
    ],
    profiles: [profile],
    store: memoryStore(),
    declineRules: rules,
  });
  const out: Record<string, { reason?: string; approved: boolean; mids: string[] }> = {};
  for (const [label, amount] of [
    ['negative file', 1001],
    ['Z1', 1002],
  ] as const) {
    const r = await router.sale({ profile: 'mapped', idempotencyKey: label, amount, currency: 'USD', card: testCard('4111111111111111') });
    const attempts = r.isOk() ? r.value.attempts : r.error.attempts;
    out[label] = { reason: attempts[0].decline?.reason, approved: r.isOk(), mids: attempts.map((a) => a.mid) };
  }
  return out;
}

/** The same declines without and with the mappings. */
export async function main() {
  const without = await run(undefined);
  const withRules = await run(declineRules);
  for (const [name, r] of [
    ['built-in tables', without],
    ['with declineRules', withRules],
  ] as const) {
    console.log(`${name}:`);
    for (const [label, o] of Object.entries(r))
      console.log(`  ${label.padEnd(14)} -> ${o.reason}, tried ${o.mids.join(' > ')}, ${o.approved ? 'approved' : 'declined'}`);
  }
  return { without, withRules };
}

runIfMain(import.meta.url, main);
