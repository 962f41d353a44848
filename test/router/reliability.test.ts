/**
 * Reliability of the router: ambiguous outcomes (same-MID resend only where the gateway
 * deduplicates, lookup otherwise, never a cascade), reconciliation, the time budget, the circuit
 * breaker and the disabling of a MID whose gateway keeps refusing its credentials.
 * Gateways are the fake Checkout.com and NMI on loopback; sandboxes stand in for healthy MIDs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkout } from '../../adapters/checkout';
import { nmi } from '../../adapters/nmi';
import { sandbox } from '../../adapters/sandbox';
import { ConfigError } from '../../src/errors';
import { createRouter } from '../../src/router';
import type { ProfileInput } from '../../src/profile/schema';
import { memoryStore } from '../../src/store/memory';
import { startCheckoutFake, type CheckoutFake } from '../fakes/checkout';
import { startNmiFake, type NmiFake } from '../fakes/nmi';
import { saleRequest, sandboxMids, testRouter } from '../support/router';

const CKO_SECRET = 'sk_sbox_reliabilitytestkey000000000000';
const NMI_KEY = 'reliability_key';
let cko: CheckoutFake;
let nmiFake: NmiFake;
beforeAll(async () => {
  [cko, nmiFake] = await Promise.all([startCheckoutFake({ secretKey: CKO_SECRET }), startNmiFake({ securityKey: NMI_KEY })]);
});
afterAll(async () => {
  expect(cko.violations).toEqual([]);
  expect(nmiFake.violations).toEqual([]);
  await Promise.all([cko.close(), nmiFake.close()]);
});

const priority = (mids: string[]): Omit<ProfileInput, 'id'> => ({
  pools: { p: { strategy: 'priority', members: mids.map((mid) => ({ mid })) } },
  route: ['p'],
  cascade: { maxAttempts: 3 },
});

function routerOn(gateway: 'checkout' | 'nmi', over: { caps?: { daily: { amount: number } } } = {}) {
  const adapter =
    gateway === 'checkout'
      ? checkout({ secretKey: CKO_SECRET, baseUrl: cko.url, timeoutMs: 5_000 })
      : nmi({ securityKey: NMI_KEY, baseUrl: nmiFake.url, timeoutMs: 5_000 });
  const backup = sandbox({ id: 'backup' });
  const store = memoryStore();
  const router = createRouter({
    merchantAccounts: [
      { id: 'gw', adapter, currencies: ['USD'], ...over },
      { id: 'backup', adapter: backup },
    ],
    profiles: [{ id: 'default', ...priority(['gw', 'backup']) }],
    store,
    timeouts: { attemptMs: 400, totalMs: 2_000 },
  });
  const events: string[] = [];
  for (const e of ['ambiguous', 'cascade', 'reconciled', 'approved'] as const) router.on(e, () => events.push(e));
  return { router, store, backup, events };
}

describe('ambiguous outcomes', () => {
  it('resends on the same MID with the same idempotency key where the gateway deduplicates: one charge, no cascade', async () => {
    const { router, backup, events } = routerOn('checkout');
    const before = cko.payments.size;
    const replays = cko.replays;
    cko.inject({ type: 'timeout', afterProcessing: true });
    const r = await router.sale(saleRequest());
    expect(r.isOk() && r.value.mid).toBe('gw');
    expect(cko.payments.size).toBe(before + 1);
    expect(cko.replays).toBe(replays + 1);
    expect(Object.keys(backup.calls)).toEqual([]);
    expect(events).not.toContain('cascade');
  });

  it('never resends where the gateway does not deduplicate: looks the attempt up by our reference instead', async () => {
    const { router, backup } = routerOn('nmi');
    const sales = () => nmiFake.forms('/api/transact.php').length;
    const before = sales();
    nmiFake.inject({ type: 'reset', afterProcessing: true });
    const r = await router.sale(saleRequest());
    expect(r.isOk() && r.value.mid).toBe('gw');
    expect(sales()).toBe(before + 1); // sent once
    const attempt = (await router.transaction(r.unwrap().transactionId))!;
    expect(attempt.status).toBe('captured');
    expect(Object.keys(backup.calls)).toEqual([]);
  });

  it('still unknown: Failure ambiguous, attempt pending, cap kept; reconcile settles it and replays the truth', async () => {
    const { router, store, backup, events } = routerOn('nmi', { caps: { daily: { amount: 100_000 } } });
    // Lost before NMI processed it: the lookup cannot find it yet, so the router may not call it failed.
    nmiFake.inject({ type: 'timeout', afterProcessing: false });
    const req = saleRequest({ amount: 4_000 });
    const r = await router.sale(req);
    expect(r.isErr() && r.error.kind).toBe('ambiguous');
    expect(events).toContain('ambiguous');
    expect(Object.keys(backup.calls)).toEqual([]);
    const txId = r.isErr() ? r.error.transactionId! : '';
    expect((await store.listAttempts(txId)).map((a) => a.status)).toEqual(['pending']);
    const counter = [{ window: 'daily' as const, key: `${new Date().toISOString().slice(0, 10)}:USD` }];
    expect((await store.capUsage('gw', counter))[0].amount).toBe(4_000);

    // Not old enough yet: the default waits for the transaction budget to pass.
    expect((await router.reconcile()).checked).toBe(0);
    const report = await router.reconcile({ olderThanMs: 0 });
    expect(report).toMatchObject({ checked: 1, notFound: 1, unresolved: 0 });
    expect(events).toContain('reconciled');
    expect((await router.transaction(txId))!.status).toBe('failed');
    expect((await store.capUsage('gw', counter))[0].amount).toBe(0);
    const replay = await router.sale(req);
    expect(replay.isErr() && replay.error).toMatchObject({ kind: 'error', replayed: true });
    // A second run finds nothing left to do: nothing is released twice.
    expect(await router.reconcile({ olderThanMs: 0 })).toMatchObject({ checked: 0 });
    expect((await store.capUsage('gw', counter))[0].amount).toBe(0);
  });

  it('reconcile finds an approval the router never heard of: ledger, pin and idempotent replay', async () => {
    const { router, store } = routerOn('nmi');
    // The approval body is cut mid-stream, and the lookup is lost too.
    nmiFake.inject({ type: 'truncate' }, { type: 'status', status: 502 });
    // (A distinct amount: NMI's duplicate check would refuse a repeat of an earlier test's sale.)
    const req = saleRequest({ amount: 2_345, subscription: { id: 'sub-reliability-1' } });
    const r = await router.sale(req);
    expect(r.isErr() && r.error.kind).toBe('ambiguous');
    expect(await router.pin('sub-reliability-1')).toBeUndefined();
    const report = await router.reconcile({ olderThanMs: 0 });
    expect(report).toMatchObject({ checked: 1, approved: 1 });
    const txId = r.isErr() ? r.error.transactionId! : '';
    const tx = (await router.transaction(txId))!;
    expect(tx).toMatchObject({ status: 'captured', mid: 'gw', capturedAmount: req.amount });
    expect(nmiFake.charges.get(tx.gatewayTransactionId!)?.success).toBe(true);
    expect(await router.pin('sub-reliability-1')).toMatchObject({ mid: 'gw', transactionId: txId });
    const replay = await router.sale(req);
    expect(replay.isOk() && replay.value).toMatchObject({ replayed: true, transactionId: txId, mid: 'gw' });
    expect((await store.listAttempts(txId)).map((a) => a.status)).toEqual(['approved']);
  });
});

describe('time budget', () => {
  it('a transaction, cascades included, ends within timeouts.totalMs', async () => {
    const slowError = () => sandbox({ latencyMs: 150, respond: () => ({ status: 'error', ambiguous: false, message: 'HTTP 400' }) });
    const last = sandbox();
    const { router } = testRouter(
      priority(['a', 'b', 'c']),
      [
        { id: 'a', adapter: slowError() },
        { id: 'b', adapter: slowError() },
        { id: 'c', adapter: last },
      ],
      { timeouts: { attemptMs: 200, totalMs: 250 } },
    );
    const t = Date.now();
    const r = await router.sale(saleRequest());
    expect(Date.now() - t).toBeLessThan(600);
    // b got the 100 ms left and did not answer in time: that is ambiguous, so c is never tried.
    expect(r.isErr() && r.error.kind).toBe('ambiguous');
    expect(Object.keys(last.calls)).toEqual([]);
  });

  it('refuses an attempt budget larger than the total budget, naming the field', () => {
    const { accounts } = sandboxMids(['a']);
    expect(() =>
      createRouter({
        merchantAccounts: accounts,
        profiles: [{ id: 'default', ...priority(['a']) }],
        store: memoryStore(),
        timeouts: { attemptMs: 5_000, totalMs: 1_000 },
      }),
    ).toThrow(expect.objectContaining({ name: 'ConfigError', problems: [expect.objectContaining({ path: 'timeouts.attemptMs' })] }));
    expect(ConfigError).toBeDefined();
  });
});

describe('circuit breaker and merchant failures', () => {
  it('opens after consecutive errors (never declines), shows in explain, half-opens with one trial, closes on success', async () => {
    let now = Date.UTC(2030, 0, 1);
    let failing = true;
    const flaky = sandbox({
      respond: () => (failing ? { status: 'error', ambiguous: false, message: 'HTTP 503' } : { status: 'approved' }),
    });
    const declining = sandbox({ respond: () => ({ status: 'declined', code: '05' }) });
    const { router } = testRouter(
      priority(['flaky', 'other']),
      [
        { id: 'flaky', adapter: flaky },
        { id: 'other', adapter: declining },
      ],
      { clock: () => now, circuit: { threshold: 2, cooldownMs: 10_000 } },
    );
    const log: string[] = [];
    router.on('circuit:open', (e) => log.push(`open ${e.mid}`)).on('circuit:close', (e) => log.push(`close ${e.mid}`));
    for (let i = 0; i < 4; i++)
      await router.sale(saleRequest({ card: { number: '4111111111111111', expMonth: 12, expYear: 2034, cvc: '123' } }));
    expect(log).toEqual(['open flaky']); // 'other' declined four times: its circuit stays closed
    expect(flaky.calls.sale).toBe(2);
    const ex = await router.explain(saleRequest());
    expect(ex.candidates.find((c) => c.mid === 'flaky')?.reasons.map((r) => r.code)).toEqual(['circuit_open']);
    now += 10_001;
    failing = false;
    const r = await router.sale(saleRequest());
    expect(r.isOk() && r.value.mid).toBe('flaky');
    expect(log).toEqual(['open flaky', 'close flaky']);
  });

  it('disables a MID whose gateway refuses its credentials repeatedly, reports it, and routes around it', async () => {
    const broken = sandbox({
      respond: () => ({ status: 'error', ambiguous: false, merchantError: true, message: 'authentication failed' }),
    });
    const { router } = testRouter(
      priority(['broken', 'good']),
      [
        { id: 'broken', adapter: broken },
        { id: 'good', adapter: sandbox() },
      ],
      { circuit: { merchantThreshold: 3 } },
    );
    const disabled: unknown[] = [];
    router.on('mid:disabled', (e) => disabled.push(e));
    for (let i = 0; i < 5; i++) expect((await router.sale(saleRequest())).unwrap().mid).toBe('good');
    expect(broken.calls.sale).toBe(3);
    expect(disabled).toEqual([{ mid: 'broken', gateway: 'sandbox', failures: 3, reason: 'authentication failed' }]);
    const ex = await router.explain(saleRequest());
    expect(ex.candidates.find((c) => c.mid === 'broken')?.reasons[0]).toMatchObject({ code: 'disabled' });
  });

  it('counts invalid_merchant declines as merchant failures too', async () => {
    const misconfigured = sandbox({ respond: () => ({ status: 'declined', code: '03', message: 'Invalid merchant' }) });
    const { router } = testRouter(
      priority(['m', 'good']),
      [
        { id: 'm', adapter: misconfigured },
        { id: 'good', adapter: sandbox() },
      ],
      { circuit: { merchantThreshold: 2 } },
    );
    const disabled: string[] = [];
    router.on('mid:disabled', (e) => disabled.push(e.mid));
    for (let i = 0; i < 3; i++) await router.sale(saleRequest());
    expect(disabled).toEqual(['m']);
    expect(misconfigured.calls.sale).toBe(2);
  });
});
