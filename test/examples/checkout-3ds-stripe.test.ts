/**
 * The checkout server's 3-D Secure path against a gateway's own challenge page, in headless
 * Chromium: the example's request handler over two fake Stripe accounts on loopback (weighted),
 * each hosting its challenge page. The checkout page posts the card, the browser goes to the
 * fake's challenge page, Stripe sends it back to the fixed return URL (`/3ds/return`, found by
 * the return cookie), and the approval is shown: one PaymentIntent charged, on the MID that
 * challenged, and the fakes' books equal the ledger.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutApi } from '../../examples/checkout-server/app';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';
import { STRIPE_CARDS, adapterFor } from '../adapters/stripe/support';
import { type StripeFake, startStripeFake } from '../fakes/stripe';

const run = existsSync(CHROMIUM) || process.env.CI === 'true';

let fakes: Record<string, StripeFake>;
let server: Server;
let url = '';
let store: Store;
let browser: Browser;
const lines: string[] = [];

beforeAll(async () => {
  if (!run) return;
  fakes = { 'stripe-a': await startStripeFake(), 'stripe-b': await startStripeFake() };
  // The return URL is fixed on the adapter, so the server listens before the router exists.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => res.end();
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  store = memoryStore();
  const router = createRouter({
    merchantAccounts: Object.entries(fakes).map(([id, f]) => ({
      id,
      adapter: adapterFor(f, { returnUrl: `${url}/3ds/return` }),
      currencies: ['USD'],
    })),
    profiles: [
      {
        id: 'checkout',
        pools: {
          main: {
            strategy: 'weighted',
            members: [
              { mid: 'stripe-a', weight: 1 },
              { mid: 'stripe-b', weight: 1 },
            ],
          },
        },
        route: ['main'],
        cascade: { maxAttempts: 2, on: 'soft' },
      },
    ],
    store,
  });
  handler = checkoutApi(router, { log: (l) => lines.push(l) });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  for (const f of Object.values(fakes ?? {})) {
    await f.close();
    expect(f.violations, f.violations.join('\n')).toEqual([]);
  }
});

/** Stripe's books (PaymentIntents that charged) equal the ledger's approved transactions, per MID. */
async function booksMatchLedger(txIds: string[]) {
  const ledger: string[] = [];
  for (const id of txIds) {
    const tx = await store.getTransaction(id);
    if (tx?.status === 'captured' || tx?.status === 'authorized') ledger.push(`${tx.mid}:${tx.gatewayTransactionId}`);
  }
  const books = Object.entries(fakes).flatMap(([mid, f]) =>
    [...f.intents.values()].filter((pi) => pi.status === 'succeeded' || pi.status === 'requires_capture').map((pi) => `${mid}:${pi.id}`),
  );
  expect(books.sort()).toEqual(ledger.sort());
}

/** PaymentIntents that charged, on every fake account. */
const charged = () =>
  Object.values(fakes).reduce((n, f) => n + [...f.intents.values()].filter((pi) => pi.status === 'succeeded').length, 0);

/** Pay with Stripe's 3-D Secure test card and press a button on the fake's challenge page. */
async function checkout(button: '#complete' | '#fail') {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.fill('#number', STRIPE_CARDS.threeDSOnSession);
  await Promise.all([page.waitForURL(/\/3ds\/challenge\/pi_/), page.click('#pay')]);
  const challenge = new URL(page.url());
  const mid = Object.entries(fakes).find(([, f]) => challenge.origin === new URL(f.url).origin)![0];
  const intent = challenge.pathname.split('/').at(-1)!;
  await Promise.all([page.waitForURL(/\/3ds\/return\?/), page.click(button)]);
  const returned = new URL(page.url());
  return { context, page, mid, intent, returned, outcome: await page.textContent('#outcome') };
}

describe.skipIf(!run)("checkout server: 3-D Secure on Stripe's challenge page, in headless Chromium", () => {
  it('checkout page → fake Stripe challenge page → fixed return URL → approval shown, on the MID and PaymentIntent that challenged', async () => {
    const { context, page, mid, intent, returned, outcome } = await checkout('#complete');
    expect(outcome).toBe('Payment approved');
    expect(returned.origin).toBe(url);
    expect(returned.searchParams.get('payment_intent')).toBe(intent);
    expect(returned.searchParams.has('transactionId')).toBe(false);
    expect(await page.textContent('#mid')).toBe(mid);
    const transactionId = (await page.textContent('#transaction'))!;
    const tx = await store.getTransaction(transactionId);
    expect(tx).toMatchObject({ status: 'captured', mid, gatewayTransactionId: intent });
    expect(await store.listAttempts(transactionId)).toHaveLength(1);
    const other = mid === 'stripe-a' ? 'stripe-b' : 'stripe-a';
    expect(fakes[other].calls('/v1/payment_intents', 'POST')).toHaveLength(0);
    expect(fakes[mid].intents.get(intent)!.status).toBe('succeeded');
    await booksMatchLedger([transactionId]);
    const [cookie] = await context.cookies(`${url}/3ds/return`);
    expect(cookie).toMatchObject({ name: 'switchyard_3ds', path: '/3ds/return', httpOnly: true, sameSite: 'Lax' });
    expect(cookie.value.startsWith(`${transactionId}.`)).toBe(true);
    expect(await context.cookies(`${url}/`)).toEqual([]);
    // Reloading the return finishes nothing twice.
    await page.reload();
    expect(await page.textContent('#outcome')).toBe('Payment approved');
    expect(fakes[mid].calls(`/v1/payment_intents/${intent}/confirm`, 'POST')).toHaveLength(0);
    await context.close();
    expect(lines.join('\n')).not.toContain(STRIPE_CARDS.threeDSOnSession);
  });

  it('a failed challenge on the fake page shows authentication_failed; nothing charged, the other account never asked', async () => {
    const before: Record<string, number> = { charged: charged() };
    for (const [m, f] of Object.entries(fakes)) before[m] = f.calls('/v1/payment_intents', 'POST').length;
    const { context, page, mid, outcome } = await checkout('#fail');
    expect(outcome).toBe('Payment not completed');
    expect(await page.textContent('#reason')).toBe('authentication_failed');
    const other = mid === 'stripe-a' ? 'stripe-b' : 'stripe-a';
    expect(fakes[other].calls('/v1/payment_intents', 'POST')).toHaveLength(before[other]);
    expect(charged()).toBe(before.charged);
    await context.close();
  });

  it('a return without the cookie (another browser) is refused and completes nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/`);
    await page.fill('#number', STRIPE_CARDS.threeDSOnSession);
    await Promise.all([page.waitForURL(/\/3ds\/challenge\/pi_/), page.click('#pay')]);
    const intent = new URL(page.url()).pathname.split('/').at(-1)!;
    const stranger = await browser.newContext();
    const res = await (await stranger.newPage()).goto(`${url}/3ds/return?payment_intent=${intent}&redirect_status=succeeded`);
    expect(res!.status()).toBe(403);
    const forged = await browser.newContext();
    await forged.addCookies([{ name: 'switchyard_3ds', value: 'tx_AAAAAAAAAAAAAAAA.AAAA', url: `${url}/3ds/return` }]);
    expect((await (await forged.newPage()).goto(`${url}/3ds/return?payment_intent=${intent}`))!.status()).toBe(403);
    for (const f of Object.values(fakes)) expect(f.intents.get(intent)?.status ?? 'requires_action').toBe('requires_action');
    await Promise.all([context.close(), stranger.close(), forged.close()]);
  });
});
