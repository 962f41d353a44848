/**
 * 3-D Secure on the payment-link page with Checkout.com (a fake on loopback, real HTTP): the
 * payment's own return URL becomes `success_url` and `failure_url` (none is set on the adapter),
 * the bank sends the browser back with `cko-session-id`, and `completeAction` reads the payment.
 * A double return and a reload charge nothing more.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { checkout } from '../../adapters/checkout';
import { createPaymentLinks } from '../../src/links';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { type CheckoutFake, startCheckoutFake } from '../fakes/checkout';
import { CARD, openInvoice, SECRET, text } from './support';
import { bankUrl, get, Jar, post } from './three-d-secure-support';

const KEY = 'sk_sbox_linkstestkey0000000000000000';
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup.length = 0;
});

it('Checkout.com: back from the bank with cko-session-id → receipt; a double return and a reload charge once', async () => {
  const fake: CheckoutFake = await startCheckoutFake({ secretKey: KEY });
  cleanup.push(() => fake.close());
  const store = memoryStore();
  const router = createRouter({
    merchantAccounts: [
      {
        id: 'cko-inv',
        adapter: checkout({ secretKey: KEY, baseUrl: fake.url, timeoutMs: 3_000, requestThreeDS: true }),
        currencies: ['USD'],
      },
    ],
    profiles: [{ id: 'invoices', pools: { main: { strategy: 'priority', members: [{ mid: 'cko-inv' }] } }, route: ['main'] }],
    store,
  });
  cleanup.push(() => router.close());
  const server = createServer((req, res) => links.handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  const links = createPaymentLinks({
    router,
    profile: 'invoices',
    secret: SECRET,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pay`,
    invoice: () => openInvoice(),
  });
  const link = await links.create('INV-CKO');
  const jar = new Jar();
  const form = await get(link.url, jar);
  const challenged = await post(link.url, jar, { ...form.hidden, ...CARD });
  const bank = bankUrl(challenged.html)!;
  expect(bank).toMatch(new RegExp(`^${fake.url}/3ds/pay_`));
  const payment = [...fake.payments.values()][0]!;
  const res = await post(bank, jar, { outcome: 'complete' });
  const back = res.location!;
  expect(back.startsWith(`${link.url}/3ds/a1.`)).toBe(true);
  expect(new URL(back).searchParams.get('cko-session-id')).toMatch(/^sid_/);
  const [r1, r2] = await Promise.all([get(back, jar), get(back, jar)]);
  for (const r of [r1, r2]) expect(text(r.html)).toMatch(/Payment received|already paid/);
  expect(text((await get(back, jar)).html)).toMatch(/Payment received|already paid/);
  expect(fake.payments.size).toBe(1);
  expect(payment).toMatchObject({ status: 'Authorized', captured: 12_500 });
  const state = await links.status('INV-CKO');
  expect(state).toMatchObject({ status: 'paid', attempts: 1 });
  expect((await store.getTransaction(state!.transactionId!))?.gatewayTransactionId).toBe(payment.id);
  expect(fake.violations).toEqual([]);
});
