/**
 * Recipe: cascade only on specific reasons.
 *
 * `cascade: { on: 'soft' }` tries the next MID after any soft decline that may cascade. A
 * stricter merchant lists the reasons: here only `do_not_honor` and `processing_error`. An
 * issuer outage (`issuer_unavailable`) then stays a decline. Reasons that can never cascade
 * (hard declines, `insufficient_funds`: another gateway cannot add funds) are refused in the
 * profile with a ConfigError naming the entry.
 *
 *   npx tsx examples/profiles/cascade-on-reasons.ts
 * @module
 */
import { sandbox, type SandboxResponse } from '../../adapters/sandbox';
import { ConfigError, createRouter, defineProfile, memoryStore, type ProfileInput } from '../../src/index';
import { runIfMain, testCard } from '../support';

const input: ProfileInput = {
  id: 'strict-cascade',
  pools: { main: { strategy: 'priority', members: [{ mid: 'mid-a' }, { mid: 'mid-b' }] } },
  route: ['main'],
  cascade: { maxAttempts: 2, on: ['do_not_honor', 'processing_error'] },
};

/** The profile: cascade on do not honor and processor errors only. */
export const profile = defineProfile(input);

/** mid-a answers with the ISO 8583 code chosen by the amount's last two digits (05, 91, 96); mid-b approves. */
const firstMid = (req: { amount: number }): SandboxResponse => {
  const code = String(req.amount % 100).padStart(2, '0');
  return code === '00' ? { status: 'approved' } : { status: 'declined', code, message: `ISO ${code}` };
};

/** Decline on mid-a with 05, 91 and 96 and see which cascade to mid-b. */
export async function main() {
  const router = createRouter({
    merchantAccounts: [
      { id: 'mid-a', adapter: sandbox({ respond: firstMid }) },
      { id: 'mid-b', adapter: sandbox() },
    ],
    profiles: [profile],
    store: memoryStore(),
  });
  const outcomes: Record<string, { approved: boolean; mids: string[]; reason?: string }> = {};
  for (const [label, amount] of [
    ['05 do not honor', 1005],
    ['91 issuer unavailable', 1091],
    ['96 system malfunction', 1096],
  ] as const) {
    const r = await router.sale({
      profile: profile.id,
      idempotencyKey: label,
      amount,
      currency: 'USD',
      card: testCard('4111111111111111'),
    });
    const attempts = r.isOk() ? r.value.attempts : r.error.attempts;
    outcomes[label] = { approved: r.isOk(), mids: attempts.map((a) => a.mid), reason: r.isErr() ? r.error.decline?.reason : undefined };
    console.log(`${label.padEnd(22)} ${attempts.map((a) => `${a.mid}:${a.outcome}`).join(' > ')}`);
  }
  // Listing insufficient_funds is a configuration error, caught when the router is created.
  let refused = '';
  try {
    createRouter({
      merchantAccounts: [
        { id: 'mid-a', adapter: sandbox() },
        { id: 'mid-b', adapter: sandbox() },
      ],
      profiles: [{ ...input, cascade: { maxAttempts: 2, on: ['do_not_honor', 'insufficient_funds'] } }],
      store: memoryStore(),
    });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    refused = e.message;
  }
  console.log(`cascade on insufficient_funds: ${refused}`);
  return { outcomes, refused };
}

runIfMain(import.meta.url, main);
