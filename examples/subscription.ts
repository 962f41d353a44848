/**
 * Example: a subscription's life, from trial to salvage.
 *
 * 1. A $4.95 trial of a $59.95/month product that ships (a negative-option trial), on a MID
 *    enrolled in Mastercard's express consent program. The sale pins the subscription to its MID.
 * 2. Before the first rebill, the cardholder must give express consent: without it the rebill
 *    is refused (`consent_required`) and no gateway is called.
 * 3. With consent recorded, every rebill runs on the pinned MID with the stored credential.
 * 4. A soft decline (insufficient funds) starts the profile's salvage schedule: retry after 3
 *    days at the full price, then after 7 more days at half price; a salvage approval ends it.
 *
 *   npx tsx examples/subscription.ts
 * @module
 */
import { sandbox, type SandboxRequest, type SandboxResponse } from '../adapters/sandbox';
import { createRouter, defineProfile, memoryStore } from '../src/index';
import { runIfMain, testCard } from './support';

const DAY = 24 * 3_600_000;

/** The profile: the express-consent MID first, salvage on soft declines of rebills. */
export const profile = defineProfile({
  id: 'continuity',
  pools: { main: { strategy: 'priority', members: [{ mid: 'mid-trials' }, { mid: 'mid-backup' }] } },
  route: ['main'],
  cascade: { maxAttempts: 2, on: 'soft' },
  salvage: { attempts: [{ afterDays: 3 }, { afterDays: 7, amountPercent: 50 }], minAmount: 1000 },
});

/** Run the story; returns what happened at each step. */
export async function main() {
  let now = Date.UTC(2026, 0, 5, 12);
  // The issuer's answers to rebills, in order (the trial sale is approved).
  const rebillAnswers: SandboxResponse[] = [
    { status: 'approved' },
    { status: 'declined', code: '51', message: 'Insufficient Funds' },
    { status: 'declined', code: '51', message: 'Insufficient Funds' },
    { status: 'approved' },
  ];
  const trials = sandbox({
    respond: (req: SandboxRequest) =>
      req.storedCredential?.type === 'subsequent' ? (rebillAnswers.shift() ?? { status: 'approved' }) : { status: 'approved' },
  });
  const backup = sandbox();
  const router = createRouter({
    merchantAccounts: [
      { id: 'mid-trials', adapter: trials, expressConsent: true, cancellation: 'https://acme.example/cancel', descriptor: 'ACME*SKINCARE' },
      { id: 'mid-backup', adapter: backup },
    ],
    profiles: [profile],
    store: memoryStore(),
    clock: () => now,
  });
  const log: string[] = [];
  const say = (line: string) => {
    log.push(line);
    console.log(line);
  };
  const date = () => new Date(now).toISOString().slice(0, 10);

  // 1. The trial.
  const trial = await router.sale({
    profile: 'continuity',
    idempotencyKey: 'order-trial-42',
    amount: 495,
    currency: 'USD',
    card: testCard('5555555555554444'),
    customer: { id: 'cust-42', email: 'pat@example.com', country: 'US' },
    subscription: { id: 'sub-42', recurringAmount: 5995, physicalProduct: true, firstRebillAt: now + 14 * DAY },
  });
  if (trial.isErr()) throw new Error(`trial failed: ${trial.error.message}`);
  const pin = await router.pin('sub-42');
  say(`${date()} trial $4.95 approved on ${trial.value.mid}; sub-42 pinned to ${pin?.mid}`);

  // 2. Express consent.
  const facts = await router.consentDetails('sub-42');
  say(
    `${date()} consent message: ${facts?.descriptor}, $${(facts!.recurringAmount! / 100).toFixed(2)}/month from ${new Date(facts!.firstRebillAt!).toISOString().slice(0, 10)}, cancel at ${facts?.cancellation}`,
  );
  now += 14 * DAY;
  const early = await router.rebill({ subscriptionId: 'sub-42', amount: 5995, currency: 'USD', idempotencyKey: 'sub-42-m1' });
  say(`${date()} rebill without consent: ${early.isErr() ? `${early.error.kind} (${early.error.rejection})` : 'approved?!'}`);
  await router.recordConsent('sub-42', { given: true, at: now, channel: 'email' });

  // 3. Rebills on the pinned MID.
  const results: Array<{ date: string; amount: number; mid?: string; approved: boolean; reason?: string }> = [];
  const rebill = async (amount: number, key: string) => {
    const r = await router.rebill({ subscriptionId: 'sub-42', amount, currency: 'USD', idempotencyKey: key });
    const attempts = r.isOk() ? r.value.attempts : r.error.attempts;
    results.push({
      date: date(),
      amount,
      mid: attempts[0]?.mid,
      approved: r.isOk(),
      reason: r.isErr() ? r.error.decline?.reason : undefined,
    });
    say(`${date()} rebill $${(amount / 100).toFixed(2)} on ${attempts[0]?.mid}: ${r.isOk() ? 'approved' : r.error.message}`);
    return r;
  };
  await rebill(5995, 'sub-42-m1-consented');

  // 4. A declined month and its salvage.
  now += 30 * DAY;
  let r = await rebill(5995, 'sub-42-m2');
  let retry = 0;
  while (r.isErr() && r.error.nextRetryAt !== undefined && r.error.nextAmount !== undefined) {
    now = r.error.nextRetryAt;
    r = await rebill(r.error.nextAmount, `sub-42-m2-salvage-${++retry}`);
  }
  const backupCalls = Object.values(backup.calls).reduce((n, c) => n + c, 0);
  say(`mid-backup calls: ${backupCalls} (rebills never leave the pinned MID)`);
  return {
    trialMid: trial.value.mid,
    pinnedMid: pin?.mid,
    consentRequired: early.isErr() && early.error.rejection === 'consent_required',
    rebills: results,
    backupCalls,
    log,
  };
}

runIfMain(import.meta.url, main);
