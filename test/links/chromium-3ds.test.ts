/**
 * 3-D Secure on the payment-link page in headless Chromium, against a fake Stripe on loopback
 * (real HTTP): open the link, pay with a card that needs a challenge, the page goes on to the
 * bank's page by itself (no script: an instant meta refresh), the bank sends the browser back to
 * the link's return URL, `completeAction` runs and the receipt shows; reload the return: still
 * paid, one charge. A failed challenge shows the advice and another card pays. The link is served
 * as `localhost` and the bank as `127.0.0.1`: two sites, so the return proves the challenge
 * cookie survives a cross-site return. No CSP violation, no script, on any page.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../support/chromium';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_CARDS } from '../adapters/stripe/support';
import { openInvoice } from './support';
import { type StripeLinksWorld, stripeLinksWorld } from './three-d-secure-support';

let browser: Browser;
let world: StripeLinksWorld | undefined;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // A decline page answers 402, which the console reports as a failed load: not a problem.
    if (m.type() === 'error' && !m.text().includes('status of 402')) problems.push(m.text());
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

async function fillCard(page: Page, number: string) {
  await page.getByLabel('Name on card').fill('Ada Buyer');
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry date (MM / YY)').fill('12 / 30');
  await page.getByLabel('Security code (CVC)').fill('123');
}

/** A world whose link URLs name the server `localhost` (the fake bank stays on 127.0.0.1). */
async function ready() {
  world = await stripeLinksWorld({ host: 'localhost' });
  world.invoices.set('INV-3DS', openInvoice({ description: '<script>alert(1)</script>Audit' }));
  return { w: world, link: await world.links.create('INV-3DS') };
}

describe.skipIf(!existsSync(CHROMIUM) && process.env.CI !== 'true')('payment links: 3-D Secure in headless Chromium', () => {
  it('pay → the bank’s challenge page → back to the link → receipt; a reload of the return charges nothing more', async () => {
    const { w, link } = await ready();
    expect(new URL(link.url).hostname).toBe('localhost');
    const { page, problems } = await newPage();
    await page.goto(link.url);
    await fillCard(page, STRIPE_CARDS.threeDSOnSession);
    await page.getByRole('button', { name: 'Pay $125.00' }).click();
    // The challenge page goes on by itself to the fake bank (another site).
    await page.waitForURL(/\/3ds\/challenge\/pi_/);
    expect(new URL(page.url()).origin).toBe(new URL(w.fake.url).origin);
    expect(await page.locator('#amount').textContent()).toBe('12500 USD');
    await page.click('#complete');
    await page.getByRole('heading', { name: 'Payment received' }).waitFor();
    const back = new URL(page.url());
    expect(back.origin).toBe(new URL(link.url).origin);
    expect(back.pathname).toMatch(/^\/pay\/[^/]+\/3ds\/a1\.[\w-]{43}$/);
    expect(await page.getByText(`Card ending ${STRIPE_CARDS.threeDSOnSession.slice(-4)}`).isVisible()).toBe(true);
    const cookies = await page.context().cookies(link.url);
    expect(cookies.find((c) => c.name.startsWith('switchyard_link_3ds_'))).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/pay' });
    await page.reload();
    await page
      .getByText(/Payment received|already paid/)
      .first()
      .waitFor();
    await page.goto(link.url);
    await page.getByRole('heading', { name: 'Invoice INV-3DS is already paid' }).waitFor();
    expect(w.charged()).toBe(1);
    expect(w.fake.intents.size).toBe(1);
    expect(await w.links.status('INV-3DS')).toMatchObject({ status: 'paid', paidBy: 'card', attempts: 1 });
    expect(problems).toEqual([]);
  }, 60_000);

  it('a failed challenge shows the advice on the return page, and another card pays from there', async () => {
    const { w, link } = await ready();
    const { page, problems } = await newPage();
    await page.goto(link.url);
    await fillCard(page, STRIPE_CARDS.threeDSOnSession);
    await page.getByRole('button', { name: 'Pay $125.00' }).click();
    await page.waitForURL(/\/3ds\/challenge\/pi_/);
    await page.click('#fail');
    await page.getByText('The payment could not be confirmed with your bank').waitFor();
    expect(page.url()).toMatch(/\/3ds\/a1\./);
    await fillCard(page, STRIPE_CARDS.visa);
    await page.getByRole('button', { name: 'Pay $125.00' }).click();
    await page.getByRole('heading', { name: 'Payment received' }).waitFor();
    expect(page.url()).toBe(link.url);
    expect(w.charged()).toBe(1);
    expect(await w.links.status('INV-3DS')).toMatchObject({ status: 'paid', attempts: 2 });
    expect(problems).toEqual([]);
  }, 60_000);
});
