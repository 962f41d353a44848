/**
 * A router over the six fake gateways whose notifications are held, then delivered over real
 * HTTP to a webhook endpoint in the order a test chooses (a redelivery is the same delivery twice).
 */
import { adyen } from '../../adapters/adyen';
import { authorizenet } from '../../adapters/authorizenet';
import { braintree } from '../../adapters/braintree';
import { checkout } from '../../adapters/checkout';
import { nmi } from '../../adapters/nmi';
import { stripe } from '../../adapters/stripe';
import { createRouter, type Router, type RouterConfig } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';
import { startFakeAdyen } from '../fakes/adyen';
import { startAuthorizeNetFake } from '../fakes/authorizenet';
import { startBraintreeFake } from '../fakes/braintree';
import { startCheckoutFake } from '../fakes/checkout';
import { startNmiFake } from '../fakes/nmi';
import { startStripeFake } from '../fakes/stripe';
import { startWebhookEndpoint, type WebhookEndpoint } from '../support/webhook-endpoint';
import { type Delivery, webhookSender, type WebhookSender } from '../support/webhook-sender';

export const SECRETS = {
  stripe: 'whsec_test_router_secret',
  adyen: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056',
  checkout: 'cko_router_signature_key',
  nmi: 'nmi_router_signing_key',
  anet: 'B1B2C3D4E5F60718293A4B5C6D7E8F90'.repeat(4),
} as const;
export const STRIPE_KEY = 'sk_test_webhookRouterKey0000000';
export const CKO_KEY = 'sk_sbox_webhookrouterkey000000000000';
export const CARD = { number: '4111111111111111', expMonth: 12, expYear: 2034, cvc: '123' };

export type Fakes = Awaited<ReturnType<typeof startFakes>>;

/** Start the fakes (notifications held), an endpoint, and a way to make routers over them. */
export async function startFakes(o: { adyenRefundFailure?: number; checkoutRefundFailure?: number } = {}) {
  let router: Router | undefined;
  const endpoint: WebhookEndpoint = await startWebhookEndpoint(() => router!);
  const sender = (mid: string) => webhookSender({ url: endpoint.url(mid), hold: true });
  const senders: Record<string, WebhookSender> = {
    adyen: sender('adyen-1'),
    checkout: sender('checkout-1'),
    stripe: sender('stripe-1'),
    braintree: sender('braintree-1'),
    nmi: sender('nmi-1'),
    anet: sender('anet-1'),
  };
  const [ad, ck, st, bt, nm, an] = await Promise.all([
    startFakeAdyen({
      apiKey: 'k_test',
      merchantAccount: 'AcmeECOM',
      webhooks: { sender: senders.adyen, secret: SECRETS.adyen },
      failures: { refund: o.adyenRefundFailure ?? 0 },
    }),
    startCheckoutFake({
      secretKey: CKO_KEY,
      webhooks: { sender: senders.checkout, secret: SECRETS.checkout },
      failures: { refund: o.checkoutRefundFailure ?? 0 },
    }),
    startStripeFake({ secretKey: STRIPE_KEY, webhooks: { sender: senders.stripe, secret: SECRETS.stripe } }),
    startBraintreeFake({ webhooks: { sender: senders.braintree, secret: '' } }),
    startNmiFake({ securityKey: 'nmi_key', dupSeconds: 0, webhooks: { sender: senders.nmi, secret: SECRETS.nmi } }),
    startAuthorizeNetFake(undefined, { webhooks: { sender: senders.anet, secret: SECRETS.anet } }),
  ]);
  const base = (url: string) => ({ baseUrl: url, timeoutMs: 5_000 });
  const accounts = () => [
    {
      id: 'adyen-1',
      adapter: adyen({
        apiKey: 'k_test',
        merchantAccount: 'AcmeECOM',
        returnUrl: 'https://shop.example/return',
        webhookSecret: SECRETS.adyen,
        ...base(ad.url),
      }),
    },
    { id: 'checkout-1', adapter: checkout({ secretKey: CKO_KEY, webhookSecret: SECRETS.checkout, ...base(ck.url) }) },
    { id: 'stripe-1', adapter: stripe({ secretKey: STRIPE_KEY, webhookSecret: SECRETS.stripe, ...base(st.url) }) },
    {
      id: 'braintree-1',
      adapter: braintree({ publicKey: 'pk_test_fake', privateKey: 'sk_test_fake', merchantAccountId: 'acme_usd', ...base(bt.url) }),
    },
    { id: 'nmi-1', adapter: nmi({ securityKey: 'nmi_key', webhookSecret: SECRETS.nmi, ...base(nm.url) }) },
    {
      id: 'anet-1',
      adapter: authorizenet({ apiLoginId: 'swyd_login', transactionKey: 'swyd_key_123456', webhookSecret: SECRETS.anet, ...base(an.url) }),
    },
    // A MID whose adapter was given no webhook secret.
    { id: 'stripe-nosecret', adapter: stripe({ secretKey: STRIPE_KEY, ...base(st.url) }) },
  ];
  return {
    adyen: ad,
    checkout: ck,
    stripe: st,
    braintree: bt,
    nmi: nm,
    anet: an,
    senders,
    endpoint,
    /** A fresh router (memory store unless given) that the endpoint now serves; one profile per MID. */
    router(over: Partial<RouterConfig> = {}, store: Store = memoryStore()): Router {
      const mids = accounts();
      router = createRouter({
        merchantAccounts: mids.map((m) => ({ ...m, currencies: ['USD'] })),
        profiles: mids.map((m) => ({ id: m.id, pools: { p: { strategy: 'priority', members: [{ mid: m.id }] } }, route: ['p'] }) as never),
        store,
        timeouts: { attemptMs: 3_000, totalMs: 6_000 },
        ...over,
      });
      return router;
    },
    /** Drop what is held on every sender (a test's leftovers). */
    forget() {
      for (const s of Object.values(senders)) s.discard();
    },
    async close() {
      for (const s of Object.values(senders)) s.close();
      await Promise.all([ad.close(), ck.close(), st.close(), bt.close(), nm.close(), an.close(), endpoint.close()]);
    },
  };
}

/** The held deliveries of a sender whose event matches, oldest first. */
export function heldOf(sender: WebhookSender, event?: string | RegExp): Delivery[] {
  return sender.held().filter((d) => event === undefined || (typeof event === 'string' ? d.event === event : event.test(d.event)));
}

/** Deliver the matching held deliveries (all by default), in order, over HTTP. */
export async function deliver(sender: WebhookSender, event?: string | RegExp): Promise<Delivery[]> {
  const ds = heldOf(sender, event);
  await sender.release(ds);
  return ds;
}
