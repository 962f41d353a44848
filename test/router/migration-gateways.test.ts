/**
 * Migrations across each pair of gateway families, over real HTTP on loopback against the fakes
 * (every request checked against the gateway's description in the repo):
 * - gateways that take a network transaction id with the card (Authorize.Net, Adyen, Braintree,
 *   Checkout.com): a subscription moved there is charged with the card from the vault and the
 *   portable network transaction id, never the old gateway's ids;
 * - token-only gateways (NMI, Stripe): a subscription moved there needs a token of that gateway
 *   (the same account: `tokenScope`) or the customer.
 * The first rebill after each migration is checked on the wire of the new gateway.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adyen } from '../../adapters/adyen';
import { authorizenet } from '../../adapters/authorizenet';
import { braintree } from '../../adapters/braintree';
import { checkout } from '../../adapters/checkout';
import { nmi } from '../../adapters/nmi';
import { createRouter, type MerchantAccountConfig } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { startFakeAdyen, type FakeAdyen } from '../fakes/adyen';
import { startAuthorizeNetFake, type AuthorizeNetFake } from '../fakes/authorizenet';
import { startBraintreeFake, type BraintreeFake } from '../fakes/braintree';
import { startCheckoutFake, type CheckoutFake } from '../fakes/checkout';
import { startNmiFake, type NmiFake } from '../fakes/nmi';
import { startStripeFake, type StripeFake } from '../fakes/stripe';
import { adapterFor } from '../adapters/stripe/support';
import { saleRequest } from '../support/router';
import { testVault, type TestVault } from '../support/vault';

const NMI_KEY = 'migration_nmi_key';
const CKO_KEY = 'sk_sbox_migration';
let nmiFake: NmiFake;
let anetFake: AuthorizeNetFake;
let ckoFake: CheckoutFake;
let adyenFake: FakeAdyen;
let btFake: BraintreeFake;
let stripeFake: StripeFake;

beforeAll(async () => {
  [nmiFake, anetFake, ckoFake, adyenFake, btFake, stripeFake] = await Promise.all([
    startNmiFake({ securityKey: NMI_KEY }),
    startAuthorizeNetFake(),
    startCheckoutFake({ secretKey: CKO_KEY }),
    startFakeAdyen({ apiKey: 'k_mig', merchantAccount: 'AcmeECOM' }),
    startBraintreeFake(),
    startStripeFake(),
  ]);
});
afterAll(async () => {
  await Promise.all([nmiFake, anetFake, ckoFake, adyenFake, btFake, stripeFake].map((f) => f.close()));
});
afterEach(() => {
  for (const f of [nmiFake, anetFake, ckoFake, adyenFake, btFake, stripeFake]) expect(f.violations.splice(0)).toEqual([]);
});

/** Every MID of the tests: two per token-only gateway (one account, one token scope), one per other gateway. */
function mids(): MerchantAccountConfig[] {
  const nmiAccount = nmi({ securityKey: NMI_KEY, baseUrl: nmiFake.url, timeoutMs: 2_000 });
  const stripeAccount = adapterFor(stripeFake);
  return [
    { id: 'nmi-a', adapter: nmiAccount, tokenScope: 'nmi-account' },
    { id: 'nmi-b', adapter: nmiAccount, tokenScope: 'nmi-account' },
    { id: 'stripe-a', adapter: stripeAccount, tokenScope: 'stripe-account' },
    { id: 'stripe-b', adapter: stripeAccount, tokenScope: 'stripe-account' },
    {
      id: 'anet-a',
      adapter: authorizenet({
        apiLoginId: anetFake.apiLoginId,
        transactionKey: anetFake.transactionKey,
        baseUrl: anetFake.url,
        timeoutMs: 2_000,
        customerProfiles: true,
      }),
    },
    { id: 'cko-a', adapter: checkout({ secretKey: CKO_KEY, baseUrl: ckoFake.url, timeoutMs: 2_000 }) },
    {
      id: 'adyen-a',
      adapter: adyen({ apiKey: 'k_mig', merchantAccount: 'AcmeECOM', baseUrl: adyenFake.url, returnUrl: 'https://shop.example/return' }),
    },
    {
      id: 'bt-a',
      adapter: braintree({
        publicKey: 'pk_test_fake',
        privateKey: 'sk_test_fake',
        baseUrl: btFake.url,
        merchantAccountId: 'acme_usd',
        timeoutMs: 2_000,
      }),
    },
  ];
}

/** A router whose profile sends new sales to `first`; migrations move them from there. */
function routerOn(first: string, vault: TestVault = testVault()) {
  const router = createRouter({
    merchantAccounts: mids(),
    profiles: [{ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: first }] } }, route: ['p'] }],
    store: memoryStore(),
    vault,
  });
  return { router, vault };
}

const PAN = '4111111111111111';
let amount = 1000;
// A new amount each time: NMI's and Authorize.Net's duplicate windows refuse the same card and amount.
const initialSale = (subscriptionId: string) =>
  saleRequest({
    amount: amount++,
    card: { number: PAN, expMonth: 12, expYear: 2030, cvc: '123' },
    customer: { id: `cus_${subscriptionId.replace(/\W/g, '')}`, email: `${subscriptionId}@example.com`, country: 'US' },
    subscription: { id: subscriptionId },
  });
const rebill = (subscriptionId: string, key: string) => ({ subscriptionId, amount: 2999, currency: 'USD', idempotencyKey: key });
const lastJson = (f: { requests: Array<{ path: string; body: string }> }, path: string) =>
  JSON.parse(f.requests.filter((r) => r.path.startsWith(path)).at(-1)!.body);

describe('to a gateway that takes a network transaction id with the card', () => {
  it('Authorize.Net → Checkout.com: the card from the vault, previous_payment_id = the network transaction id; then the new src_ instrument', async () => {
    const { router, vault } = routerOn('anet-a');
    const sale = (await router.sale(initialSale('anet-cko'))).unwrap();
    expect(sale.networkTransactionId).toMatch(/^NTID\d+X$/);
    const dry = (await router.migrate({ from: 'anet-a', to: 'cko-a', dryRun: true })).unwrap();
    expect(dry.subscriptions).toEqual([expect.objectContaining({ credential: 'retokenize', vault: true, moves: true })]);
    const real = (await router.migrate({ from: 'anet-a', to: 'cko-a', reason: 'Authorize.Net MID closed' })).unwrap();
    expect(real.counts).toEqual(dry.counts);

    const first = (await router.rebill(rebill('anet-cko', 'r1'))).unwrap();
    expect(first.mid).toBe('cko-a');
    const body = lastJson(ckoFake, '/payments');
    expect(body).toMatchObject({
      source: { type: 'card', number: PAN, expiry_month: 12, expiry_year: 2030, stored: true },
      payment_type: 'Recurring',
      merchant_initiated: true,
      previous_payment_id: sale.networkTransactionId,
      capture: true,
    });
    expect(body.source.cvv).toBeUndefined();
    const anetIds = [
      sale.gatewayTransactionId,
      ...[...anetFake.profiles.values()].flatMap((p) => [p.customerProfileId, p.paymentProfileId]),
    ];
    for (const id of anetIds) expect(JSON.stringify(body)).not.toContain(`"${id}`);
    expect(vault.calls.filter((c) => c.op === 'reveal')).toHaveLength(1);

    // The approval gave Checkout.com's own instrument: the next rebill uses it, and no card.
    (await router.rebill(rebill('anet-cko', 'r2'))).unwrap();
    const second = lastJson(ckoFake, '/payments');
    expect(second.source).toEqual({ type: 'id', id: ckoFake.payments.get(first.gatewayTransactionId)!.sourceId });
    expect(second.previous_payment_id).toBe(sale.networkTransactionId);
    expect(vault.calls.filter((c) => c.op === 'reveal')).toHaveLength(1);
  });

  it('Stripe → Adyen: the card from the vault with networkPaymentReference = Stripe’s network transaction id, ContAuth, no CVC', async () => {
    const { router } = routerOn('stripe-a');
    const sale = (await router.sale(initialSale('stripe-adyen'))).unwrap();
    expect(sale.networkTransactionId).toBeDefined();
    adyenFake.acceptNetworkReference(sale.networkTransactionId!);
    (await router.migrate({ from: 'stripe-a', to: 'adyen-a' })).unwrap();
    const r = (await router.rebill(rebill('stripe-adyen', 'r1'))).unwrap();
    expect(r.mid).toBe('adyen-a');
    const charge = adyenFake.charges.get(r.gatewayTransactionId)!;
    expect(charge).toMatchObject({
      shopperInteraction: 'ContAuth',
      recurringProcessingModel: 'Subscription',
      networkPaymentReference: sale.networkTransactionId,
      card: { bin: '411111', last4: '1111' },
    });
    expect(charge.paidWithStoredPaymentMethodId).toBeUndefined();
  });

  it('Adyen → Braintree: the card tokenized at Braintree, charged with externalVault on the network transaction id', async () => {
    const { router } = routerOn('adyen-a');
    const sale = (await router.sale(initialSale('adyen-bt'))).unwrap();
    (await router.migrate({ from: 'adyen-a', to: 'bt-a' })).unwrap();
    const r = (await router.rebill(rebill('adyen-bt', 'r1'))).unwrap();
    expect(r.mid).toBe('bt-a');
    const ops = btFake.operations.slice(-2);
    expect(ops).toEqual(['tokenizeCreditCard', 'chargeCreditCard']);
    const input = btFake.variables.at(-1)!.input;
    expect(input.options.externalVault).toEqual({ status: 'VAULTED', verifyingNetworkTransactionId: sale.networkTransactionId });
    expect(input.transaction.paymentInitiator).toBe('RECURRING');
  });
});

describe('to a token-only gateway', () => {
  it('Checkout.com → NMI: NMI takes no network transaction id from elsewhere; nothing moves, a forced move is refused before any call', async () => {
    const { router } = routerOn('cko-a');
    (await router.sale(initialSale('cko-nmi'))).unwrap();
    const dry = (await router.migrate({ from: 'cko-a', to: 'nmi-a', dryRun: true })).unwrap();
    expect(dry.counts).toMatchObject({ needsCustomer: 1, moved: 0 });
    expect((await router.migrate({ from: 'cko-a', to: 'nmi-a' })).unwrap().counts).toEqual(dry.counts);
    expect((await router.pin('cko-nmi'))!.mid).toBe('cko-a');
    (await router.repin('cko-nmi', 'nmi-a', { reason: 'forced' })).unwrap();
    const before = nmiFake.requests.length;
    const r = await router.rebill(rebill('cko-nmi', 'r1'));
    expect(r.isErr() && r.error).toMatchObject({ kind: 'rejected', rejection: 'credential_not_portable' });
    expect(nmiFake.requests.length).toBe(before);
  });

  it('NMI → NMI on the same account (token scope): the Customer Vault id and NMI’s own initial_transaction_id, no card', async () => {
    const { router, vault } = routerOn('nmi-a');
    const sale = (await router.sale(initialSale('nmi-nmi'))).unwrap();
    const vaultId = (await router.pin('nmi-nmi'))!.credentials![0].gatewayToken!;
    expect(nmiFake.vault.has(vaultId)).toBe(true);
    const real = (await router.migrate({ from: 'nmi-a', to: 'nmi-b' })).unwrap();
    expect(real.subscriptions[0]).toMatchObject({ credential: 'as_is', moves: true });
    const r = (await router.rebill(rebill('nmi-nmi', 'r1'))).unwrap();
    expect(r.mid).toBe('nmi-b');
    const form = nmiFake.forms('/api/transact.php').at(-1)!;
    expect(form).toMatchObject({
      type: 'sale',
      customer_vault_id: vaultId,
      initiated_by: 'merchant',
      stored_credential_indicator: 'used',
      initial_transaction_id: sale.gatewayTransactionId,
      billing_method: 'recurring',
    });
    expect(form.ccnumber).toBeUndefined();
    expect(vault.calls.filter((c) => c.op === 'reveal')).toHaveLength(0);
  });

  it('NMI → Checkout.com (NMI gives no network transaction id): the customer must come back; NMI’s ids never reach Checkout.com', async () => {
    const { router } = routerOn('nmi-a');
    const sale = (await router.sale(initialSale('nmi-cko'))).unwrap();
    expect(sale.networkTransactionId).toBeUndefined();
    const dry = (await router.migrate({ from: 'nmi-a', to: 'cko-a', dryRun: true })).unwrap();
    expect(dry.subscriptions[0]).toMatchObject({ credential: 'needs_customer', moves: false });
    (await router.repin('nmi-cko', 'cko-a', { reason: 'forced' })).unwrap();
    const before = ckoFake.requests.length;
    const noCard = await router.rebill(rebill('nmi-cko', 'r1'));
    const withCard = await router.rebill({ ...rebill('nmi-cko', 'r2'), card: { number: PAN, expMonth: 12, expYear: 2030 } });
    for (const r of [noCard, withCard]) expect(r.isErr() && r.error.rejection).toBe('credential_not_portable');
    expect(ckoFake.requests.length).toBe(before);
  });

  it('NMI → Stripe needs the customer; Stripe → Stripe on the same account moves as is with the saved PaymentMethod', async () => {
    const nmiSide = routerOn('nmi-a');
    (await nmiSide.router.sale(initialSale('nmi-stripe'))).unwrap();
    expect((await nmiSide.router.migrate({ from: 'nmi-a', to: 'stripe-a', dryRun: true })).unwrap().counts.needsCustomer).toBe(1);

    const { router } = routerOn('stripe-a');
    (await router.sale(initialSale('stripe-stripe'))).unwrap();
    const token = (await router.pin('stripe-stripe'))!.credentials![0].gatewayToken!;
    expect(token).toMatch(/^cus_\w+:pm_\w+$/);
    (await router.migrate({ from: 'stripe-a', to: 'stripe-b' })).unwrap();
    const r = (await router.rebill(rebill('stripe-stripe', 'r1'))).unwrap();
    expect(r.mid).toBe('stripe-b');
    const form = stripeFake.form(stripeFake.calls('/v1/payment_intents', 'POST').at(-1)!);
    expect(form).toMatchObject({ off_session: 'true', customer: token.split(':')[0], payment_method: token.split(':')[1] });
    expect(form.card).toBeUndefined();
  });
});
