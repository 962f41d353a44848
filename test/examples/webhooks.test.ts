/**
 * The webhook examples, each listening on loopback: the fake Stripe and Braintree post their
 * signed notifications to the Express route and to the Fastify route over real HTTP (some
 * twice), the router records each once; an Express app with a JSON body parser in front of the
 * route (the usual mistake) answers 400 and changes nothing.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { braintree } from '../../adapters/braintree';
import { stripe } from '../../adapters/stripe';
import { webhookApp } from '../../examples/webhooks/express';
import { webhookServer } from '../../examples/webhooks/fastify';
import { createRouter, type Router } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { startBraintreeFake, type BraintreeFake } from '../fakes/braintree';
import { startStripeFake, type StripeFake } from '../fakes/stripe';
import { webhookSender, type WebhookSender } from '../support/webhook-sender';
import { stripeSignatureHeader } from '../support/webhook-signing';

const SECRET = 'whsec_example_secret';
const KEY = 'sk_test_exampleRouteKey000000000';
const CARD = { number: '4111111111111111', expMonth: 12, expYear: 2034, cvc: '123' };

interface Setup {
  url: string;
  router: Router;
  stripe: StripeFake;
  braintree: BraintreeFake;
  senders: WebhookSender[];
  close(): Promise<void>;
}

/** A router whose MIDs' gateways post to `base`/webhooks/<mid>, once `base` is known. */
async function setup(listen: (router: Router) => Promise<{ url: string; close(): Promise<void> }>): Promise<Setup> {
  let base = '';
  const lazy = (mid: string): WebhookSender => {
    let s: WebhookSender | undefined;
    const get = () => (s ??= webhookSender({ url: `${base}/webhooks/${mid}`, duplicateRate: 0.5, delayMs: [0, 20], seed: 3 }));
    return {
      send: (d) => get().send(d),
      flush: () => get().flush(),
      held: () => get().held(),
      release: (o) => get().release(o),
      discard: () => get().discard(),
      close: () => get().close(),
      get stats() {
        return get().stats;
      },
    };
  };
  const senders = [lazy('stripe-1'), lazy('braintree-1')];
  const [st, bt] = await Promise.all([
    startStripeFake({ secretKey: KEY, webhooks: { sender: senders[0], secret: SECRET } }),
    startBraintreeFake({ webhooks: { sender: senders[1], secret: '' } }),
  ]);
  const router = createRouter({
    merchantAccounts: [
      { id: 'stripe-1', adapter: stripe({ secretKey: KEY, webhookSecret: SECRET, baseUrl: st.url }) },
      {
        id: 'braintree-1',
        adapter: braintree({ publicKey: 'pk_test_fake', privateKey: 'sk_test_fake', merchantAccountId: 'acme_usd', baseUrl: bt.url }),
      },
    ],
    profiles: ['stripe-1', 'braintree-1'].map(
      (mid) => ({ id: mid, pools: { p: { strategy: 'priority', members: [{ mid }] } }, route: ['p'] }) as never,
    ),
    store: memoryStore(),
  });
  const server = await listen(router);
  base = server.url;
  return {
    url: base,
    router,
    stripe: st,
    braintree: bt,
    senders,
    async close() {
      for (const s of senders) s.close();
      await Promise.all([server.close(), st.close(), bt.close()]);
    },
  };
}

async function disputeBoth(s: Setup): Promise<{ stripeTx: string; braintreeTx: string }> {
  const a = (await s.router.sale({ profile: 'stripe-1', idempotencyKey: 'ex-1', amount: 2500, currency: 'USD', card: CARD })).unwrap();
  const b = (await s.router.sale({ profile: 'braintree-1', idempotencyKey: 'ex-2', amount: 3500, currency: 'USD', card: CARD })).unwrap();
  s.stripe.dispute(a.gatewayTransactionId, { outcome: 'lost' });
  s.braintree.dispute(b.gatewayTransactionId, { outcome: 'won' });
  await Promise.all(s.senders.map((x) => x.flush()));
  return { stripeTx: a.transactionId, braintreeTx: b.transactionId };
}

const expressListen =
  (app: express.Express = express()) =>
  async (router: Router) => {
    const server = webhookApp(router, app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  };

describe.each([
  ['Express', expressListen()],
  [
    'Fastify',
    async (router: Router) => {
      const app = webhookServer(router);
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url, close: () => app.close() };
    },
  ],
] as const)('the %s route', (_name, listen) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup(listen);
  });
  afterAll(() => s.close());

  it('passes the raw body: Stripe (JSON) and Braintree (form) notifications verify, each recorded once', async () => {
    const { stripeTx, braintreeTx } = await disputeBoth(s);
    const disputes = await s.router.disputes({});
    expect(disputes.map((d) => [d.transactionId, d.status])).toEqual(
      expect.arrayContaining([
        [stripeTx, 'lost'],
        [braintreeTx, 'won'],
      ]),
    );
    expect(disputes).toHaveLength(2);
    const stats = s.senders.map((x) => x.stats);
    expect(stats.reduce((n, x) => n + x.duplicates, 0)).toBeGreaterThan(0);
    for (const x of stats) expect(Object.keys(x.answers)).toEqual(['200']);
    const recorded = await s.router.notifications({});
    expect(recorded.filter((r) => r.notification.kind.startsWith('dispute_'))).toHaveLength(4);
  });
});

describe('an Express app with a JSON body parser in front of the route', () => {
  let s: Setup;
  beforeAll(async () => {
    const app = express();
    app.use(express.json()); // the mistake: the body is parsed before the webhook route sees it
    s = await setup(expressListen(app));
  });
  afterAll(() => s.close());

  it('answers 400 (the body is no longer the raw bytes), so nothing is recorded', async () => {
    const a = (await s.router.sale({ profile: 'stripe-1', idempotencyKey: 'ex-3', amount: 2500, currency: 'USD', card: CARD })).unwrap();
    const event = JSON.stringify({
      id: 'evt_parsed_1',
      object: 'event',
      created: Math.floor(Date.now() / 1000),
      type: 'charge.dispute.created',
      data: {
        object: {
          id: 'dp_x',
          object: 'dispute',
          amount: 2500,
          currency: 'usd',
          status: 'needs_response',
          payment_intent: a.gatewayTransactionId,
        },
      },
    });
    const res = await fetch(`${s.url}/webhooks/stripe-1`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripeSignatureHeader(SECRET, event, Math.floor(Date.now() / 1000)),
      },
      body: event,
    });
    expect(res.status).toBe(400);
    expect(await s.router.disputes({})).toEqual([]);
    expect((await s.router.notifications({})).filter((n) => n.notification.id === 'evt_parsed_1')).toEqual([]);
  });
});
