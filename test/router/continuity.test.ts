import { describe, expect, it } from 'vitest';
import { sandbox, type SandboxResponse } from '../../adapters/sandbox';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';
import { CARDS, saleRequest, testRouter } from '../support/router';
import { testVault } from '../support/vault';

const DAY = 24 * 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 12);

describe('verify', () => {
  it('uses zero-amount verification where the gateway supports it', async () => {
    const a = sandbox();
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a, caps: { daily: { count: 1 } } },
    ]);
    const v = (await router.verify(saleRequest({ amount: 0, subscription: { id: 'trial-1', recurringAmount: 4999 } }))).unwrap();
    expect(v).toMatchObject({ operation: 'verify', mid: 'a', amount: 0 });
    expect(a.calls).toEqual({ verify: 1 });
    expect(await router.pin('trial-1')).toMatchObject({ mid: 'a', initialAmount: 0, recurringAmount: 4999, status: 'active' });
    // A verification takes no cap.
    expect((await router.sale(saleRequest())).isOk()).toBe(true);
  });

  it('without zero-amount support, pre-authorizes the configured amount and voids it at once', async () => {
    const a = sandbox({ capabilities: { verify: false } });
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'], verifyAmount: 4999 }, [
      { id: 'a', adapter: a },
    ]);
    const released: string[] = [];
    router.on('hold:released', (e) => released.push(e.transactionId));
    const v = (await router.verify(saleRequest({ amount: 0 }))).unwrap();
    expect(v).toMatchObject({ operation: 'verify', amount: 4999, holdReleased: true });
    expect(a.calls).toEqual({ authorize: 1, void: 1 });
    const hold = a.charges.get(v.gatewayTransactionId)!;
    expect(hold).toMatchObject({ amount: 4999, voided: true, captured: 0 });
    expect(released).toEqual([v.transactionId]);
    expect((await router.transaction(v.transactionId))?.status).toBe('voided');
  });

  it('a failed void is retried, surfaced as an event, kept in the ledger and released later', async () => {
    let voidWorks = false;
    const a = sandbox({ capabilities: { verify: false } });
    const realVoid = a.void;
    (a as { void: typeof a.void }).void = async (req, o) =>
      voidWorks ? realVoid(req, o) : { status: 'error', ambiguous: false, message: 'HTTP 503' };
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a },
    ]);
    const failed: string[] = [];
    router.on('hold:release_failed', (e) => failed.push(e.message));
    const v = (await router.verify(saleRequest({ amount: 100 }))).unwrap();
    expect(v.holdReleased).toBe(false);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/HTTP 503/);
    expect(a.charges.get(v.gatewayTransactionId)!.voided).toBe(false);
    voidWorks = true;
    expect(await router.releaseHolds()).toEqual({ released: 1, pending: 0 });
    expect(a.charges.get(v.gatewayTransactionId)!.voided).toBe(true);
    expect(await router.releaseHolds()).toEqual({ released: 0, pending: 0 });
  }, 10_000);

  it('a zero-amount verify with no MID able to do it, and no verifyAmount, is refused clearly', async () => {
    const a = sandbox({ capabilities: { verify: false } });
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a },
    ]);
    const r = await router.verify(saleRequest({ amount: 0 }));
    expect(r.isErr() && r.error.rejection).toBe('no_eligible_mid');
    expect(r.isErr() && r.error.message).toMatch(/verifyAmount/);
    expect(a.calls).toEqual({});
  });
});

describe('trial → consent → rebills on the pinned MID (Mastercard express consent)', () => {
  function setup() {
    let now = T0;
    const a = sandbox();
    const b = sandbox();
    const { router } = testRouter(
      {
        pools: {
          p: {
            strategy: 'weighted',
            members: [
              { mid: 'ec', weight: 1 },
              { mid: 'b', weight: 1 },
            ],
          },
        },
        route: ['p'],
      },
      [
        { id: 'ec', adapter: a, expressConsent: true, descriptor: 'ACME*TRIAL', cancellation: 'https://acme.example/cancel' },
        { id: 'b', adapter: b },
      ],
      { clock: () => now, random: () => 0 },
    );
    return { router, a, b, tick: (ms: number) => (now += ms) };
  }

  it('needs a recorded consent before the first rebill of a negative-option trial; then rebills stay pinned', async () => {
    const { router, a, b, tick } = setup();
    const trial = (
      await router.sale(
        saleRequest({
          amount: 199,
          number: CARDS.mastercard,
          subscription: { id: 'sub-1', recurringAmount: 4999, physicalProduct: true, firstRebillAt: T0 + 14 * DAY },
        }),
      )
    ).unwrap();
    expect(trial.mid).toBe('ec');
    const details = await router.consentDetails('sub-1');
    expect(details).toMatchObject({
      mid: 'ec',
      descriptor: 'ACME*TRIAL',
      trialAmount: 199,
      recurringAmount: 4999,
      currency: 'USD',
      firstRebillAt: T0 + 14 * DAY,
      cancellation: 'https://acme.example/cancel',
      negativeOptionTrial: true,
    });
    tick(14 * DAY);
    const noConsent = await router.rebill({ subscriptionId: 'sub-1', amount: 4999, currency: 'USD', idempotencyKey: 'rb-1' });
    expect(noConsent.isErr() && noConsent.error).toMatchObject({ kind: 'rejected', rejection: 'consent_required' });
    expect(a.calls.sale).toBe(1);
    const bad = await router.recordConsent('sub-1', { given: true, at: 0, channel: 'email' });
    expect(bad.isErr() && bad.error.field).toBe('at');
    (await router.recordConsent('sub-1', { given: true, at: T0 + 13 * DAY, channel: 'email' })).unwrap();
    for (let i = 0; i < 3; i++) {
      const r = (await router.rebill({ subscriptionId: 'sub-1', amount: 4999, currency: 'USD', idempotencyKey: `rb-ok-${i}` })).unwrap();
      expect(r.mid).toBe('ec');
      expect(a.charges.get(r.gatewayTransactionId)?.storedCredential).toMatchObject({
        type: 'subsequent',
        initiator: 'merchant',
        networkTransactionId: trial.networkTransactionId,
      });
      tick(30 * DAY);
    }
    expect(b.charges.size).toBe(0);
  });

  it('consent denied cancels further rebills; non-trial subscriptions and non-enrolled MIDs need no consent', async () => {
    const { router } = setup();
    await router.sale(saleRequest({ amount: 199, subscription: { id: 'deny', recurringAmount: 4999, physicalProduct: true } }));
    await router.recordConsent('deny', { given: false, at: T0, channel: 'sms' });
    const r = await router.rebill({ subscriptionId: 'deny', amount: 4999, currency: 'USD', idempotencyKey: 'x' });
    expect(r.isErr() && r.error.rejection).toBe('consent_denied');
    expect((await router.pin('deny'))?.status).toBe('cancelled');
    await router.sale(saleRequest({ amount: 4999, subscription: { id: 'full-price', recurringAmount: 4999, physicalProduct: true } }));
    expect((await router.rebill({ subscriptionId: 'full-price', amount: 4999, currency: 'USD', idempotencyKey: 'y' })).isOk()).toBe(true);
    await router.sale(saleRequest({ amount: 0 + 100, subscription: { id: 'digital', recurringAmount: 4999, physicalProduct: false } }));
    expect((await router.rebill({ subscriptionId: 'digital', amount: 4999, currency: 'USD', idempotencyKey: 'z' })).isOk()).toBe(true);
  });
});

describe('decline salvage', () => {
  function salvageRouter(answers: SandboxResponse[]) {
    let now = T0;
    let i = 0;
    const a = sandbox({
      respond: (r) => (r.storedCredential?.type === 'subsequent' ? answers[Math.min(i++, answers.length - 1)] : { status: 'approved' }),
    });
    const { router } = testRouter(
      {
        pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } },
        route: ['p'],
        salvage: { attempts: [{ afterDays: 3 }, { afterDays: 5, amountPercent: 50 }], minAmount: 1000 },
      },
      [{ id: 'a', adapter: a }],
      { clock: () => now },
    );
    return { router, a, at: () => now, tick: (ms: number) => (now += ms) };
  }

  it('follows the schedule: timing and amounts, then ends', async () => {
    const nsf = { status: 'declined', code: '51', message: 'Insufficient Funds' } as const;
    const { router, tick, at } = salvageRouter([nsf, nsf, nsf]);
    await router.sale(saleRequest({ subscription: { id: 's' } }));
    const first = await router.rebill({ subscriptionId: 's', amount: 4000, currency: 'USD', idempotencyKey: 'r1' });
    expect(first.isErr() && first.error).toMatchObject({ kind: 'declined', nextRetryAt: at() + 3 * DAY, nextAmount: 4000 });
    tick(3 * DAY);
    const second = await router.rebill({ subscriptionId: 's', amount: 4000, currency: 'USD', idempotencyKey: 'r2' });
    expect(second.isErr() && second.error).toMatchObject({ nextRetryAt: at() + 5 * DAY, nextAmount: 2000 });
    tick(5 * DAY);
    const third = await router.rebill({ subscriptionId: 's', amount: 2000, currency: 'USD', idempotencyKey: 'r3' });
    expect(third.isErr() && third.error.nextRetryAt).toBeUndefined();
    expect(third.isErr() && third.error.message).toMatch(/retries are used up/);
  });

  it('an approval resets the schedule; the minimum amount ends it', async () => {
    const nsf = { status: 'declined', code: '51' } as const;
    const { router } = salvageRouter([nsf, { status: 'approved' }, nsf, nsf]);
    await router.sale(saleRequest({ subscription: { id: 's' } }));
    await router.rebill({ subscriptionId: 's', amount: 1500, currency: 'USD', idempotencyKey: 'a' });
    expect((await router.rebill({ subscriptionId: 's', amount: 1500, currency: 'USD', idempotencyKey: 'b' })).isOk()).toBe(true);
    const again = await router.rebill({ subscriptionId: 's', amount: 1500, currency: 'USD', idempotencyKey: 'c' });
    expect(again.isErr() && again.error).toMatchObject({ nextAmount: 1500 });
    const halved = await router.rebill({ subscriptionId: 's', amount: 1500, currency: 'USD', idempotencyKey: 'd' });
    expect(halved.isErr() && halved.error.nextRetryAt).toBeUndefined();
    expect(halved.isErr() && halved.error.message).toMatch(/below the minimum 1000/);
  });

  it('never earlier than a Mastercard MAC 24–30 delay, which the router also enforces', async () => {
    const mac30 = { status: 'declined', code: '51', advice: '30' } as const;
    const { router, tick, at } = salvageRouter([mac30, { status: 'approved' }]);
    await router.sale(saleRequest({ number: CARDS.mastercard, subscription: { id: 'mc' } }));
    const r = await router.rebill({ subscriptionId: 'mc', amount: 4000, currency: 'USD', idempotencyKey: 'x' });
    expect(r.isErr() && r.error.nextRetryAt).toBe(at() + 10 * DAY);
    tick(3 * DAY);
    const early = await router.rebill({ subscriptionId: 'mc', amount: 4000, currency: 'USD', idempotencyKey: 'y' });
    expect(early.isErr() && early.error).toMatchObject({ kind: 'rejected', rejection: 'network_rule' });
    tick(7 * DAY);
    expect((await router.rebill({ subscriptionId: 'mc', amount: 4000, currency: 'USD', idempotencyKey: 'z' })).isOk()).toBe(true);
  });

  it('hard declines and revocation end the schedule and emit subscription:revoked', async () => {
    for (const [code, reason] of [
      ['R1', 'revocation_of_authorization'],
      ['43', 'stolen_card'],
      ['46', 'account_closed'],
    ] as const) {
      const { router } = salvageRouter([{ status: 'declined', code }]);
      const revoked: string[] = [];
      router.on('subscription:revoked', (e) => revoked.push(e.reason));
      await router.sale(saleRequest({ subscription: { id: 's' } }));
      const r = await router.rebill({ subscriptionId: 's', amount: 4000, currency: 'USD', idempotencyKey: 'x' });
      expect(r.isErr() && r.error.nextRetryAt).toBeUndefined();
      expect(revoked).toEqual([reason]);
      expect((await router.pin('s'))?.status).toBe('revoked');
    }
  });

  it('an expired card ends the schedule without revoking: get updated card details', async () => {
    const { router } = salvageRouter([{ status: 'declined', code: '54' }]);
    await router.sale(saleRequest({ subscription: { id: 's' } }));
    const r = await router.rebill({ subscriptionId: 's', amount: 4000, currency: 'USD', idempotencyKey: 'x' });
    expect(r.isErr() && r.error.message).toMatch(/updated card details/);
    expect((await router.pin('s'))?.status).toBe('active');
  });
});

describe('horizontal migration', () => {
  it('dry run lists what would move; the real run re-pins with an audit record each', async () => {
    const vault = testVault();
    const { router, store } = testRouter(
      { pools: { p: { strategy: 'priority', members: [{ mid: 'old' }] } }, route: ['p'] },
      [
        { id: 'old', adapter: sandbox() },
        { id: 'new', adapter: sandbox() },
      ],
      { vault },
    );
    for (let i = 0; i < 5; i++) await router.sale(saleRequest({ subscription: { id: `s${i}` } }));
    await router.rebill({ subscriptionId: 's4', amount: 1, currency: 'USD', idempotencyKey: 'k' });
    const dry = (await router.migrate({ from: 'old', to: 'new', dryRun: true })).unwrap();
    expect(dry.dryRun).toBe(true);
    expect(dry.moved.map((m) => m.subscriptionId).sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
    // Another gateway: each needs its card again, which the vault gives back with the network transaction id.
    expect(dry.counts).toEqual({ asIs: 0, retokenize: 5, retokenizeWithVault: 5, needsCustomer: 0, moved: 5, skipped: 0 });
    expect((await router.pin('s0'))?.mid).toBe('old');
    expect(await store.listRepinAudit()).toEqual([]);
    const some = (
      await router.migrate({ from: 'old', to: 'new', subscriptions: ['s0', 's1', 'ghost'], reason: 'old MID closing 30 Nov' })
    ).unwrap();
    expect(some.moved.map((m) => m.subscriptionId)).toEqual(['s0', 's1']);
    expect(some.skipped).toEqual([{ subscriptionId: 'ghost', why: 'not pinned to old' }]);
    expect(some.subscriptions.find((x) => x.subscriptionId === 's0')).toMatchObject({ credential: 'retokenize', vault: true, moves: true });
    expect((await router.pin('s0'))?.mid).toBe('new');
    expect((await router.pin('s2'))?.mid).toBe('old');
    expect((await store.listRepinAudit('s1'))[0]).toMatchObject({ fromMid: 'old', toMid: 'new', reason: 'old MID closing 30 Nov' });
    expect((await router.rebill({ subscriptionId: 's0', amount: 100, currency: 'USD', idempotencyKey: 'after' })).unwrap().mid).toBe('new');
    expect(vault.calls.filter((c) => c.op === 'reveal').map((c) => c.context.mid)).toEqual(['new']);
    const bad = await router.migrate({ from: 'old', to: 'nowhere' });
    expect(bad.isErr() && bad.error.field).toBe('to');
  });
});

describe('migration racing a re-pin', () => {
  it('a subscription re-pinned elsewhere after the migration read it stays where it was moved, reported, not moved again', async () => {
    const inner = memoryStore();
    let racing = false;
    // Another process re-pins s0 to `third` right after the migration listed the pins of `old`.
    const store: Store = {
      ...inner,
      async listPins(mid) {
        const pins = await inner.listPins(mid);
        if (racing) {
          racing = false;
          await inner.write({
            updatePin: { subscriptionId: 's0', patch: { mid: 'third', gateway: 'sandbox' }, now: T0 },
            repinAudit: { subscriptionId: 's0', fromMid: 'old', toMid: 'third', reason: 'support moved it', at: T0 },
          });
        }
        return pins;
      },
    };
    const { router } = testRouter(
      { pools: { p: { strategy: 'priority', members: [{ mid: 'old' }] } }, route: ['p'] },
      [
        { id: 'old', adapter: sandbox() },
        { id: 'new', adapter: sandbox() },
        { id: 'third', adapter: sandbox() },
      ],
      { store, vault: testVault() },
    );
    for (const id of ['s0', 's1']) await router.sale(saleRequest({ subscription: { id } }));
    const moved: string[] = [];
    router.on('pin:moved', (e) => moved.push(`${e.subscriptionId}:${e.toMid}`));
    racing = true;
    const report = (await router.migrate({ from: 'old', to: 'new' })).unwrap();
    expect((await router.pin('s0'))?.mid).toBe('third');
    expect((await router.pin('s1'))?.mid).toBe('new');
    expect(report.moved.map((m) => m.subscriptionId)).toEqual(['s1']);
    expect(report.skipped).toEqual([{ subscriptionId: 's0', why: 'moved to third meanwhile; left there' }]);
    expect(report.counts).toMatchObject({ moved: 1, skipped: 1 });
    expect(moved).toEqual(['s1:new']);
    expect((await inner.listRepinAudit('s0')).map((a) => a.toMid)).toEqual(['third']);
  });
});

describe('refund window', () => {
  it('refunds only within the profile window unless overridden', async () => {
    let now = T0;
    const { router } = testRouter(
      { pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'], refundWindowHours: 48 },
      [{ id: 'a', adapter: sandbox() }],
      { clock: () => now },
    );
    const s1 = (await router.sale(saleRequest())).unwrap();
    const s2 = (await router.sale(saleRequest())).unwrap();
    now += 47 * 3_600_000;
    expect((await router.refund(s1.transactionId, { amount: 100 })).isOk()).toBe(true);
    now += 2 * 3_600_000;
    const late = await router.refund(s2.transactionId);
    expect(late.isErr() && late.error.rejection).toBe('refund_window_closed');
    expect((await router.refund(s2.transactionId, { override: true })).isOk()).toBe(true);
  });
});
