/**
 * A shop for the console tests: a router on a real SQLite file with three sandbox MIDs (one whose
 * gateway answers with a hostile decline message), a day of orders (approvals, a cascade, a
 * decline, a subscription with rebills, a refund), and the console served on loopback HTTP
 * under `/support`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sandbox, testCardResponse } from '../../adapters/sandbox';
import { createConsole } from '../../src/console/index';
import { createRouter, type Router } from '../../src/router';
import { sqliteStore } from '../../src/store/sqlite';

/** The console's token in the tests. */
export const TOKEN = 'console-test-token-0123456789abcdef';
/** A decline message a gateway could send: markup, script, quotes, an attribute breakout. */
export const HOSTILE = `<script>alert("pwned")</script> "quoted" 'single' & <img src=x onerror=alert(1)> </td><b>`;
/** The PANs the shop charges (no page may show them). */
export const PANS = ['4111111111111111', '5555555555554444', '4000000000000002', '4242424242424242', '4000000000009953'];
const T0 = Date.UTC(2026, 10, 21, 9, 30);

/** The router, the console server and the ids the tests look for. */
export interface ConsoleShop {
  router: Router;
  server: Server;
  url: string;
  ids: {
    cascaded: string;
    declined: string;
    subscriptionId: string;
    initial: string;
    rebills: string[];
    hostileOrder: string;
    disputed: string;
  };
  close(): Promise<void>;
}

/** Build the shop in `dir` and serve its console. */
export async function consoleShop(dir: string): Promise<ConsoleShop> {
  let now = T0;
  const router = createRouter({
    merchantAccounts: [
      {
        id: 'eu-acquirer',
        adapter: sandbox({
          id: 'eu-acquirer',
          respond: (req) =>
            req.metadata?.hostile === 'yes'
              ? { status: 'declined', code: '51', message: HOSTILE }
              : req.amount === 4_200
                ? { status: 'declined', code: '05', message: 'Do Not Honor' }
                : testCardResponse(req),
        }),
        currencies: ['EUR', 'USD'],
        brands: ['visa', 'mastercard'],
        caps: { monthly: { amount: 5_000_000 } },
      },
      { id: 'us-gateway', adapter: sandbox({ id: 'us-gateway' }), currencies: ['USD'], brands: ['visa', 'mastercard'] },
      { id: 'backup', adapter: sandbox({ id: 'backup' }), currencies: ['USD', 'EUR'], brands: ['visa'] },
    ],
    profiles: [
      {
        id: 'default',
        pools: {
          main: {
            strategy: 'weighted',
            members: [
              { mid: 'eu-acquirer', weight: 70 },
              { mid: 'us-gateway', weight: 30 },
            ],
          },
          fallback: { strategy: 'priority', members: [{ mid: 'backup' }] },
        },
        route: ['main', 'fallback'],
        rules: [{ name: 'hostile-to-eu', when: { tags: ['hostile'] }, route: ['main'] }],
        cascade: { maxAttempts: 2 },
      },
    ],
    store: sqliteStore({ path: join(dir, 'shop.db') }),
    clock: () => (now += 1_000),
    random: () => 0.2,
  });
  const card = (number: string, cvc = '123') => ({ number, expMonth: 12, expYear: 2030, cvc });
  const sale = async (i: number, over: Record<string, unknown>) =>
    router.sale({
      profile: 'default',
      idempotencyKey: `checkout-${i}`,
      amount: 1_999,
      currency: 'USD',
      card: card(PANS[0]),
      ...over,
    } as never);
  const first: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await sale(i, {
      orderId: `ORD-10${i}`,
      customer: { id: `cust-${i}`, email: `buyer${i}@example.com` },
      card: card(PANS[i % 2]),
    });
    first.push(r.unwrap().transactionId);
  }
  const cascaded = await sale(10, {
    orderId: 'ORD-2001',
    amount: 4_200,
    customer: { id: 'cust-ada', email: 'Ada.Lovelace@Example.com', country: 'GB', ip: '203.0.113.9' },
    card: card(PANS[1], '456'),
    metadata: { campaign: 'winter <sale>' },
  });
  const declined = await sale(11, {
    orderId: 'ORD-2002',
    amount: 2_500,
    tags: ['hostile'],
    metadata: { hostile: 'yes' },
    customer: { id: 'cust-ada', email: 'ada.lovelace@example.com' },
    card: card(PANS[3], '789'),
  });
  const initial = await sale(12, {
    orderId: 'ORD-3000',
    amount: 100,
    customer: { id: 'cust-sub', email: 'sub@example.com' },
    subscription: { id: 'sub-gold', recurringAmount: 2_999 },
    card: card(PANS[0]),
  });
  const rebills: string[] = [];
  const rb1 = await router.rebill({
    subscriptionId: 'sub-gold',
    amount: 2_999,
    currency: 'USD',
    idempotencyKey: 'rebill-1',
    orderId: 'INV-1',
  });
  rebills.push(rb1.unwrap().transactionId);
  const rb2 = await router.rebill({
    subscriptionId: 'sub-gold',
    amount: 2_999,
    currency: 'USD',
    idempotencyKey: 'rebill-2',
    orderId: 'INV-2',
    card: { number: PANS[4], expMonth: 12, expYear: 2030 },
  });
  if (rb2.isErr()) rebills.push(rb2.error.transactionId!);
  await router.refund(cascaded.unwrap().transactionId, { amount: 1_000 });
  // A dispute on the first (Visa) sale, for the MIDs page's dispute ratios.
  (await router.recordDispute({ transactionId: first[0]!, disputeId: 'CB-CONSOLE-1', reasonCode: '10.4' })).unwrap();

  const handler = createConsole({ router, token: TOKEN, basePath: '/support', clock: () => now });
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/support')) return void handler(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/support`;
  return {
    router,
    server,
    url,
    ids: {
      cascaded: cascaded.unwrap().transactionId,
      declined: declined.isErr() ? declined.error.transactionId! : '',
      subscriptionId: 'sub-gold',
      initial: initial.unwrap().transactionId,
      rebills,
      hostileOrder: 'ORD-2002',
      disputed: first[0]!,
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await router.close();
    },
  };
}
