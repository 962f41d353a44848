import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createRouter,
  defineProfile,
  memoryStore,
  type DeclineRule,
  type Failure,
  type NetworkRuleConfig,
  type Router,
} from '../../src/index';
import { sandbox, type SandboxAdapter, type SandboxResponse } from '../../adapters/sandbox';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 15, 12);
const VISA = '4111111111111111';
const MASTERCARD = '5555555555554444';
const APPROVE: SandboxResponse = { status: 'approved' };

/** A sandbox that answers from a script, one response per call, then keeps the last. */
function scripted(...responses: SandboxResponse[]): SandboxAdapter {
  let i = 0;
  return sandbox({ respond: () => responses[Math.min(i++, responses.length - 1)] });
}

interface Harness {
  router: Router;
  gateways: Record<string, SandboxAdapter>;
  setTime(t: number): void;
  sale(pan: string): ReturnType<Router['sale']>;
  calls(mid: string): number;
}

function harness(
  gateways: Record<string, SandboxAdapter>,
  opts: { maxAttempts?: number; networkRules?: Partial<NetworkRuleConfig>; declineRules?: DeclineRule[] } = {},
): Harness {
  let now = T0;
  let n = 0;
  const mids = Object.keys(gateways);
  const router = createRouter({
    merchantAccounts: mids.map((id) => ({ id, adapter: gateways[id], currencies: ['USD'] })),
    profiles: [
      defineProfile({
        id: 'default',
        pools: { main: { strategy: 'priority', members: mids.map((mid) => ({ mid })) } },
        route: ['main'],
        cascade: { maxAttempts: opts.maxAttempts ?? mids.length, on: 'soft' },
      }),
    ],
    store: memoryStore(),
    clock: () => now,
    fingerprintKey: 'test-key',
    networkRules: opts.networkRules,
    declineRules: opts.declineRules,
  });
  return {
    router,
    gateways,
    setTime: (t) => {
      now = t;
    },
    sale: (pan) =>
      router.sale({
        profile: 'default',
        idempotencyKey: `order-${++n}`,
        amount: 1999,
        currency: 'USD',
        card: { number: pan, expMonth: 12, expYear: 2035, cvc: '123' },
      }),
    calls: (mid) => gateways[mid].calls.sale ?? 0,
  };
}

function failure(r: Awaited<ReturnType<Router['sale']>>): Failure {
  if (r.isOk()) throw new Error(`expected a failure, got an approval on ${r.value.mid}`);
  return r.error;
}

describe('card-network rules in the router', () => {
  const NEVER_RETRY: Array<[string, string, SandboxResponse]> = [
    ['lost card (ISO 41)', VISA, { status: 'declined', code: '41', message: 'Lost Card, Pick Up' }],
    ['stolen card (ISO 43)', VISA, { status: 'declined', code: '43', message: 'Stolen Card, Pick Up' }],
    ['pick up card (ISO 04)', VISA, { status: 'declined', code: '04', message: 'Pick Up Card' }],
    ['revocation of authorization (ISO R1)', VISA, { status: 'declined', code: 'R1', message: 'Revocation of Authorization Order' }],
    ['Mastercard MAC 03 on a do-not-honor', MASTERCARD, { status: 'declined', code: '05', message: 'Do Not Honor', advice: '03' }],
    [
      'Mastercard MAC 21 on insufficient funds',
      MASTERCARD,
      { status: 'declined', code: '51', message: 'Insufficient Funds', advice: '21' },
    ],
    [
      'Stripe-style do_not_try_again advice',
      VISA,
      { status: 'declined', code: '05', message: 'Your card was declined.', advice: 'do_not_try_again' },
    ],
  ];

  it.each(NEVER_RETRY)('%s blocks the card on that MID for 30 days, then allows it', async (_label, pan, decline) => {
    const h = harness({ a: scripted(decline, APPROVE) });
    const first = failure(await h.sale(pan));
    expect(first.kind).toBe('declined');
    expect(first.decline).toMatchObject({ retry: 'never', cascade: false });
    expect(h.calls('a')).toBe(1);

    for (const later of [T0 + 1, T0 + DAY, T0 + 29 * DAY + 23 * HOUR]) {
      h.setTime(later);
      const refused = failure(await h.sale(pan));
      expect(refused).toMatchObject({ kind: 'rejected', rejection: 'network_rule' });
      expect(refused.message).toMatch(/never retry/);
      expect(refused.attempts).toEqual([expect.objectContaining({ mid: 'a', outcome: 'skipped' })]);
      expect(h.calls('a')).toBe(1); // refused before any gateway call
    }

    h.setTime(T0 + 30 * DAY + 60_000);
    const after = await h.sale(pan);
    expect(after.isOk()).toBe(true);
    expect(h.calls('a')).toBe(2);
  });

  it('keeps PAN and CVC out of failures and events while refusing', async () => {
    const h = harness({ a: scripted({ status: 'declined', code: '43', message: 'Stolen card 4111111111111111 cvc: 123' }) });
    const seen: unknown[] = [];
    for (const e of ['attempt', 'declined', 'cascade'] as const) h.router.on(e, (p) => seen.push(p));
    const results = [await h.sale(VISA), await h.sale(VISA)];
    const text = JSON.stringify([results.map((r) => (r.isOk() ? r.value : r.error)), seen]);
    expect(text).not.toContain(VISA);
    expect(text).not.toMatch(/cvc\W*123/i);
  });

  it('cascades only to MIDs where the card is still allowed', async () => {
    const h = harness({
      a: scripted({ status: 'declined', code: '05', message: 'Do Not Honor' }),
      b: scripted({ status: 'declined', code: '04', message: 'Pick Up Card' }, APPROVE),
      c: scripted(APPROVE),
    });
    // First sale: a declines softly and cascades, b says pick up card: the loop stops there.
    const first = failure(await h.sale(VISA));
    expect(first.decline?.reason).toBe('pickup_card');
    expect(first.attempts.map((x) => [x.mid, x.outcome])).toEqual([
      ['a', 'declined'],
      ['b', 'declined'],
    ]);
    expect(h.calls('c')).toBe(0);

    // Next day: a declines softly again, b is refused by the network rule, c approves.
    h.setTime(T0 + DAY);
    const second = await h.sale(VISA);
    expect(second.isOk()).toBe(true);
    const attempts = second.isOk() ? second.value.attempts : [];
    expect(attempts.map((x) => [x.mid, x.outcome])).toEqual([
      ['a', 'declined'],
      ['b', 'skipped'],
      ['c', 'approved'],
    ]);
    expect(attempts[1].message).toMatch(/never retry/);
    expect(h.calls('b')).toBe(1);
  });

  it('never cascades after a never-retry decline, even with MIDs left', async () => {
    const h = harness({ a: scripted({ status: 'declined', code: '43' }), b: scripted(APPROVE) });
    const f = failure(await h.sale(VISA));
    expect(f.decline?.reason).toBe('stolen_card');
    expect(h.calls('b')).toBe(0);
  });

  it('enforces the Visa reattempt limit of 15 in 30 days per MID', async () => {
    const h = harness({ a: scripted({ status: 'declined', code: '05', message: 'Do Not Honor' }) });
    for (let i = 0; i < 16; i++) {
      h.setTime(T0 + i * HOUR);
      expect(failure(await h.sale(VISA)).kind, `attempt ${i + 1}`).toBe('declined'); // the original and 15 reattempts
    }
    h.setTime(T0 + 16 * HOUR);
    const refused = failure(await h.sale(VISA));
    expect(refused).toMatchObject({ kind: 'rejected', rejection: 'network_rule' });
    expect(refused.message).toMatch(/Visa allows 15 reattempts/);
    expect(h.calls('a')).toBe(16);
    // Once the first declines are older than 30 days, the card may be tried again.
    h.setTime(T0 + 30 * DAY + 1);
    expect(failure(await h.sale(VISA)).kind).toBe('declined');
  });

  it('takes a configured Visa limit of 20 (the 2025 rule)', async () => {
    const h = harness({ a: scripted({ status: 'declined', code: '51' }) }, { networkRules: { visaReattemptLimit: 20 } });
    for (let i = 0; i < 21; i++) {
      h.setTime(T0 + i * HOUR);
      expect(failure(await h.sale(VISA)).kind, `attempt ${i + 1}`).toBe('declined');
    }
    h.setTime(T0 + 21 * HOUR);
    const refused = failure(await h.sale(VISA));
    expect(refused.rejection).toBe('network_rule');
    expect(refused.message).toMatch(/Visa allows 20 reattempts/);
    expect(h.calls('a')).toBe(21);
  });

  it('stops a Mastercard after 10 declines in 24 hours, counting cascades across MIDs', async () => {
    const dnh: SandboxResponse = { status: 'declined', code: '05', message: 'Do Not Honor' };
    const h = harness({ a: scripted(dnh), b: scripted(dnh) });
    for (let i = 0; i < 5; i++) {
      h.setTime(T0 + i * 60_000);
      const f = failure(await h.sale(MASTERCARD));
      expect(f.attempts.map((x) => x.outcome)).toEqual(['declined', 'declined']); // each sale cascades a → b
    }
    h.setTime(T0 + HOUR);
    const refused = failure(await h.sale(MASTERCARD));
    expect(refused).toMatchObject({ kind: 'rejected', rejection: 'network_rule', nextRetryAt: T0 + DAY });
    expect(refused.message).toMatch(/Mastercard/);
    expect(h.calls('a') + h.calls('b')).toBe(10);
    h.setTime(T0 + DAY);
    expect(failure(await h.sale(MASTERCARD)).kind).toBe('declined'); // the oldest decline aged out
  });

  it('holds a retry until the MAC 24–30 delay has passed', async () => {
    const h = harness({ a: scripted({ status: 'declined', code: '51', message: 'Insufficient Funds', advice: '25' }, APPROVE) });
    const first = failure(await h.sale(MASTERCARD));
    expect(first).toMatchObject({ kind: 'declined', nextRetryAt: T0 + DAY });
    expect(first.decline).toMatchObject({ reason: 'insufficient_funds', retryDelayMs: DAY, cascade: false });

    h.setTime(T0 + 23 * HOUR);
    const early = failure(await h.sale(MASTERCARD));
    expect(early).toMatchObject({ kind: 'rejected', rejection: 'network_rule', nextRetryAt: T0 + DAY });
    expect(h.calls('a')).toBe(1);

    h.setTime(T0 + DAY);
    const ok = await h.sale(MASTERCARD);
    expect(ok.isOk() && ok.value.mid).toBe('a');
  });
});

describe('declineRules overrides', () => {
  it('win over the built-in tables: a code mapped to do_not_retry blocks the MID', async () => {
    const h = harness(
      { a: scripted({ status: 'declined', code: '05', message: 'Do Not Honor' }) },
      { declineRules: [{ gateway: 'sandbox', code: '05', reason: 'do_not_retry' }] },
    );
    const f = failure(await h.sale(VISA));
    expect(f.decline).toMatchObject({ reason: 'do_not_retry', source: 'override', retry: 'never' });
    h.setTime(T0 + DAY);
    expect(failure(await h.sale(VISA)).rejection).toBe('network_rule');
  });

  it('match on message text, case-insensitively, and can make a decline cascade', async () => {
    const nsf: SandboxResponse = { status: 'declined', code: '51', message: 'NSF - ROUTE TO BACKUP PROCESSOR' };
    const without = harness({ a: scripted(nsf), b: scripted(APPROVE) });
    expect(failure(await without.sale(VISA)).decline?.reason).toBe('insufficient_funds');
    expect(without.calls('b')).toBe(0);

    const h = harness(
      { a: scripted(nsf), b: scripted(APPROVE) },
      { declineRules: [{ messageIncludes: 'route to backup', reason: 'processing_error' }] },
    );
    const r = await h.sale(VISA);
    expect(r.isOk() && r.value.mid).toBe('b');
    expect(r.isOk() && r.value.attempts[0].decline).toMatchObject({ reason: 'processing_error', source: 'override' });
  });

  it('apply only to the MID and gateway they name', async () => {
    const dnh: SandboxResponse = { status: 'declined', code: '05', message: 'Do Not Honor' };
    const h = harness(
      { a: scripted(dnh), b: scripted(dnh) },
      {
        declineRules: [
          { mid: 'b', code: '05', reason: 'call_issuer' },
          { gateway: 'stripe', code: '05', reason: 'stolen_card' },
        ],
      },
    );
    const f = failure(await h.sale(VISA));
    expect(f.attempts.map((x) => x.decline?.reason)).toEqual(['do_not_honor', 'call_issuer']);
  });

  it('are validated at createRouter: an unknown reason throws ConfigError naming the field', () => {
    const make = (declineRules: DeclineRule[]) => () => harness({ a: scripted(APPROVE) }, { declineRules });
    expect(make([{ code: '05', reason: 'card_melted' as never }])).toThrow(ConfigError);
    try {
      make([
        { code: '05', reason: 'do_not_honor' },
        { code: '05', reason: 'card_melted' as never },
      ])();
    } catch (e) {
      expect((e as ConfigError).problems).toContainEqual({
        path: 'declineRules[1].reason',
        message: expect.stringContaining('card_melted'),
      });
    }
    expect(make([{ mid: 'nope', code: '05', reason: 'do_not_honor' }])).toThrow(/declineRules\[0\]\.mid/);
    expect(make([{ reason: 'do_not_honor' }])).toThrow(/needs code or messageIncludes/);
  });
});

describe('rebills under network rules', () => {
  it('a MAC 21 on a rebill revokes the subscription, and the pinned MID refuses the card for 30 days', async () => {
    const h = harness({ a: scripted(APPROVE, { status: 'declined', code: '05', message: 'Do Not Honor', advice: '21' }, APPROVE) });
    const revoked: unknown[] = [];
    h.router.on('subscription:revoked', (p) => revoked.push(p));
    const initial = await h.router.sale({
      profile: 'default',
      idempotencyKey: 'sub-initial',
      amount: 999,
      currency: 'USD',
      subscription: { id: 'sub-1' },
      card: { number: MASTERCARD, expMonth: 12, expYear: 2035, cvc: '123' },
    });
    expect(initial.isOk()).toBe(true);

    h.setTime(T0 + 30 * DAY);
    const rebill = failure(await h.router.rebill({ subscriptionId: 'sub-1', amount: 999, currency: 'USD', idempotencyKey: 'rebill-1' }));
    expect(rebill.decline).toMatchObject({ reason: 'revocation_of_authorization', retry: 'never', cascade: false });
    expect(revoked).toEqual([expect.objectContaining({ subscriptionId: 'sub-1', mid: 'a' })]);
    expect((await h.router.pin('sub-1'))?.status).toBe('revoked');

    // A new sale of the same card on that MID within 30 days is refused before the gateway.
    h.setTime(T0 + 31 * DAY);
    expect(failure(await h.sale(MASTERCARD))).toMatchObject({ kind: 'rejected', rejection: 'network_rule' });
    expect(h.calls('a')).toBe(2);
  });
});
