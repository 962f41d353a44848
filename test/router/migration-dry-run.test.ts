/**
 * A dry run tells the truth: 1,000 subscriptions over three gateways (NMI, Authorize.Net,
 * Checkout.com, on their fakes over loopback), with and without a vault copy of the card, with
 * and without the gateway's own vault record, a few cancelled. Each closing MID is migrated once
 * dry, then for real: the counts and the subscriptions moved are the same, and then every moved
 * subscription's rebill is approved on its new MID while every one left behind is still pinned
 * where it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adyen } from '../../adapters/adyen';
import { authorizenet } from '../../adapters/authorizenet';
import { checkout } from '../../adapters/checkout';
import { nmi } from '../../adapters/nmi';
import { createRouter, type MerchantAccountConfig, type MigrationReport, type Router } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';
import type { CardVault } from '../../src/subscriptions/vault';
import { startFakeAdyen, type FakeAdyen } from '../fakes/adyen';
import { startAuthorizeNetFake, type AuthorizeNetFake } from '../fakes/authorizenet';
import { startCheckoutFake, type CheckoutFake } from '../fakes/checkout';
import { startNmiFake, type NmiFake } from '../fakes/nmi';
import { testVault } from '../support/vault';

const NMI_KEY = 'dryrun_nmi_key';
const CKO_KEY = 'sk_sbox_dryrun';
const TOTAL = 1_000;
let nmiFake: NmiFake;
let anetFake: AuthorizeNetFake;
let ckoFake: CheckoutFake;
let adyenFake: FakeAdyen;

beforeAll(async () => {
  [nmiFake, anetFake, ckoFake, adyenFake] = await Promise.all([
    startNmiFake({ securityKey: NMI_KEY, dupSeconds: 0 }),
    startAuthorizeNetFake(),
    startCheckoutFake({ secretKey: CKO_KEY }),
    startFakeAdyen({ apiKey: 'k_dry', merchantAccount: 'AcmeECOM' }),
  ]);
});
afterAll(async () => {
  await Promise.all([nmiFake, anetFake, ckoFake, adyenFake].map((f) => f.close()));
});

function mids(): MerchantAccountConfig[] {
  const nmiAccount = nmi({ securityKey: NMI_KEY, baseUrl: nmiFake.url, timeoutMs: 5_000 });
  const anet = authorizenet({
    apiLoginId: anetFake.apiLoginId,
    transactionKey: anetFake.transactionKey,
    baseUrl: anetFake.url,
    timeoutMs: 5_000,
    customerProfiles: true,
  });
  const cko = checkout({ secretKey: CKO_KEY, baseUrl: ckoFake.url, timeoutMs: 5_000 });
  return [
    { id: 'nmi-old', adapter: nmiAccount, tokenScope: 'nmi-account' },
    { id: 'nmi-new', adapter: nmiAccount, tokenScope: 'nmi-account' },
    { id: 'anet-old', adapter: anet },
    { id: 'cko-old', adapter: cko },
    // Another Checkout.com entity: its instruments are not the old one's.
    { id: 'cko-new', adapter: checkout({ secretKey: CKO_KEY, baseUrl: ckoFake.url, timeoutMs: 5_000 }) },
    {
      id: 'adyen-new',
      adapter: adyen({ apiKey: 'k_dry', merchantAccount: 'AcmeECOM', baseUrl: adyenFake.url, returnUrl: 'https://shop.example/r' }),
    },
  ];
}

const GATEWAYS = ['nmi-old', 'anet-old', 'cko-old'] as const;
const MOVES = { 'nmi-old': 'nmi-new', 'anet-old': 'cko-new', 'cko-old': 'adyen-new' } as const;
/** How each subscription's initial sale ran: the vault kept a copy (A), it did not (B), gateways were asked to keep nothing (C). */
type Variant = 'A' | 'B' | 'C';

/** Run `fn` over `items`, `width` at a time. */
async function inBatches<T, R>(items: readonly T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

describe('migration dry run on 1,000 subscriptions over three gateways', () => {
  it('says what the real run then does, subscription by subscription', async () => {
    const store: Store = memoryStore();
    const vault = testVault();
    const accounts = mids();
    const profile = (mid: string) => ({ id: mid, pools: { p: { strategy: 'priority' as const, members: [{ mid }] } }, route: ['p'] });
    const routerWith = (v: CardVault): Router =>
      createRouter({
        merchantAccounts: accounts,
        profiles: GATEWAYS.map(profile),
        store,
        vault: v,
        timeouts: { attemptMs: 10_000, totalMs: 20_000 },
      });
    const routers: Record<Variant, Router> = {
      A: routerWith(vault),
      B: routerWith({ name: 'test-pci', gatewayVaults: true, reveal: vault.reveal!.bind(vault) }),
      C: routerWith({ ...vault, gatewayVaults: false, store: vault.store!.bind(vault), reveal: vault.reveal!.bind(vault) }),
    };
    const main = routers.A;

    const subs = Array.from({ length: TOTAL }, (_, i) => ({
      id: `sub-${i}`,
      i,
      gateway: GATEWAYS[i % 3],
      variant: (['A', 'B', 'C'] as const)[Math.floor(i / 3) % 3],
      cancelled: i % 97 === 0,
    }));
    await inBatches(subs, 25, async (s) => {
      const r = await routers[s.variant].sale({
        profile: s.gateway,
        idempotencyKey: `initial-${s.id}`,
        amount: 1000 + s.i,
        currency: 'USD',
        card: { number: s.i % 2 ? '4111111111111111' : '5555555555554444', expMonth: 12, expYear: 2031, cvc: '123' },
        customer: { id: `c${s.i}`, email: `c${s.i}@example.com`, country: 'US' },
        subscription: { id: s.id },
      });
      expect(r.isOk(), `${s.id}: ${r.isErr() && r.error.message}`).toBe(true);
      if (s.cancelled) await main.recordConsent(s.id, { given: false, at: Date.now(), channel: 'web' });
    });
    // The card networks know Checkout.com's scheme ids: Adyen takes them as networkPaymentReference.
    for (const s of subs.filter((x) => x.gateway === 'cko-old'))
      adyenFake.acceptNetworkReference((await main.pin(s.id))!.credentials![0].networkTransactionId!);

    const reports: Record<string, { dry: MigrationReport; real: MigrationReport }> = {};
    for (const from of GATEWAYS) {
      const dry = (await main.migrate({ from, to: MOVES[from], dryRun: true })).unwrap();
      const real = (await main.migrate({ from, to: MOVES[from], reason: `${from} closed` })).unwrap();
      reports[from] = { dry, real };
      expect(real.counts).toEqual(dry.counts);
      expect(real.moved.map((m) => m.subscriptionId)).toEqual(dry.moved.map((m) => m.subscriptionId));
      expect(real.subscriptions).toEqual(dry.subscriptions);
    }

    // What each dry run said, by kind of subscription (the expectation written out).
    const expected = (from: (typeof GATEWAYS)[number]) => {
      const mine = subs.filter((s) => s.gateway === from);
      const active = mine.filter((s) => !s.cancelled);
      const count = (f: (s: (typeof subs)[number]) => boolean) => active.filter(f).length;
      if (from === 'nmi-old')
        // NMI to NMI on one account: the Customer Vault id moves; without it NMI takes nothing from elsewhere.
        return {
          asIs: count((s) => s.variant !== 'C'),
          retokenize: 0,
          retokenizeWithVault: 0,
          needsCustomer: count((s) => s.variant === 'C'),
        };
      // To a gateway that takes the network transaction id with the card: the vault copy decides.
      return { asIs: 0, retokenize: active.length, retokenizeWithVault: count((s) => s.variant !== 'B'), needsCustomer: 0 };
    };
    for (const from of GATEWAYS) {
      const e = expected(from);
      const cancelled = subs.filter((s) => s.gateway === from && s.cancelled).length;
      const moved = e.asIs + e.retokenizeWithVault;
      const all = subs.filter((s) => s.gateway === from).length;
      expect(reports[from].dry.counts).toEqual({ ...e, moved, skipped: all - moved });
      expect(cancelled).toBeGreaterThan(0);
    }

    // And the real run did it: every moved subscription charges on its new MID, the rest stayed.
    const rebills = await inBatches(subs, 25, async (s) => {
      const pin = (await main.pin(s.id))!;
      const moved = reports[s.gateway].real.moved.some((m) => m.subscriptionId === s.id);
      expect(pin.mid).toBe(moved ? MOVES[s.gateway] : s.gateway);
      if (!moved) return 'stayed';
      const r = await main.rebill({ subscriptionId: s.id, amount: 2000 + s.i, currency: 'USD', idempotencyKey: `rebill-${s.id}` });
      expect(r.isOk(), `${s.id}: ${r.isErr() && r.error.message}`).toBe(true);
      expect(r.isOk() && r.value.mid).toBe(MOVES[s.gateway]);
      return 'charged';
    });
    const movedTotal = GATEWAYS.reduce((n, g) => n + reports[g].dry.counts.moved, 0);
    expect(rebills.filter((x) => x === 'charged')).toHaveLength(movedTotal);
    expect(movedTotal).toBeGreaterThan(500);
    for (const f of [nmiFake, anetFake, ckoFake, adyenFake]) expect(f.violations).toEqual([]);
  }, 300_000);
});
