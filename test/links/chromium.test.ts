/**
 * The whole payment-link flow in headless Chromium: open, fill by label, pay, receipt; again →
 * "already paid"; tampered token; expired link → new link e-mailed and paid; amount changed
 * between load and pay; decline then another card; a double click and two POSTs at once → one
 * charge. Also: the page renders its inline style under its CSP, with no CSP violation and no
 * script run from invoice text.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../support/chromium';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { linksWorld, type LinksWorld, openInvoice } from './support';

const HOUR = 3_600_000;
let browser: Browser;
let world: LinksWorld | undefined;

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

/** A fresh browser context and page, recording CSP violations and dialogs (a script that ran). */
async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

async function fillCard(page: Page, number: string, exp = '12 / 30', cvc = '123') {
  await page.getByLabel('Name on card').fill('Ada Buyer');
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry date (MM / YY)').fill(exp);
  await page.getByLabel('Security code (CVC)').fill(cvc);
}

describe.skipIf(!existsSync(CHROMIUM) && process.env.CI !== 'true')('payment links in headless Chromium', () => {
  it('open, fill, pay, receipt; open again: already paid', async () => {
    world = await linksWorld();
    world.invoices.set('INV-1001', openInvoice({ description: '<img src=x onerror=alert(1)>Consulting' }));
    const { url } = await world.links.create('INV-1001');
    const { page, problems } = await newPage();
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Pay invoice INV-1001' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('#amount-due').textContent()).toBe('$125.00');
    expect(await page.getByText('<img src=x onerror=alert(1)>Consulting').isVisible()).toBe(true);
    expect(await page.getByText('ACME*INVOICES').isVisible()).toBe(true);
    for (const [label, auto] of [
      ['Name on card', 'cc-name'],
      ['Card number', 'cc-number'],
      ['Expiry date (MM / YY)', 'cc-exp'],
      ['Security code (CVC)', 'cc-csc'],
    ]) {
      expect(await page.getByLabel(label!).getAttribute('autocomplete')).toBe(auto);
    }
    // The nonce'd inline style applies (the CSP lets exactly it through).
    const bg = await page
      .getByRole('button', { name: 'Pay $125.00' })
      .evaluate(
        (b) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor,
      );
    expect(bg).toBe('rgb(24, 73, 169)');
    await fillCard(page, '4111 1111 1111 1111');
    await page.getByRole('button', { name: 'Pay $125.00' }).click();
    await page.getByRole('heading', { name: 'Payment received' }).waitFor();
    expect(await page.getByText('Card ending 1111').isVisible()).toBe(true);
    expect(await page.content()).not.toContain('4111 1111 1111 1111');
    await page.goto(url);
    await page.getByRole('heading', { name: 'Invoice INV-1001 is already paid' }).waitFor();
    expect(world.charges()).toBe(1);
    expect(problems).toEqual([]);
  }, 60_000);

  it('a tampered token shows a page saying what to do', async () => {
    world = await linksWorld();
    world.invoices.set('INV-1001', openInvoice());
    const { token } = await world.links.create('INV-1001');
    const [id, version, exp, sig] = token.split('.');
    const { page } = await newPage();
    // A later expiry under the old signature: the customer (or anyone) extending the link.
    const res = await page.goto(`${world.base}/${[id, version, Number(exp) + 86_400, sig].join('.')}`);
    expect(res?.status()).toBe(400);
    await page.getByRole('heading', { name: 'This payment link is not valid' }).waitFor();
    expect(await page.getByText('opened the whole link from your invoice e-mail').isVisible()).toBe(true);
    expect(await page.locator('form').count()).toBe(0);
  }, 60_000);

  it('an expired link: a new link is issued, onNewLink called, and the new link pays', async () => {
    let now = Date.now();
    world = await linksWorld({ clock: () => now, links: { ttlHours: 24 } });
    world.invoices.set('INV-7', openInvoice());
    const { url } = await world.links.create('INV-7');
    now += 25 * HOUR;
    const { page } = await newPage();
    await page.goto(url);
    await page.getByRole('heading', { name: 'This payment link has expired' }).waitFor();
    expect(world.newLinks.map((l) => l.invoiceId)).toEqual(['INV-7']);
    await page.goto(world.newLinks[0]!.url);
    await fillCard(page, '4242424242424242');
    await page.getByRole('button', { name: /^Pay/ }).click();
    await page.getByRole('heading', { name: 'Payment received' }).waitFor();
    expect(await world.links.status('INV-7')).toMatchObject({ status: 'paid', version: 2 });
  }, 60_000);

  it('the amount changed between page load and payment: the customer confirms the new amount', async () => {
    world = await linksWorld();
    world.invoices.set('INV-8', openInvoice());
    const { url } = await world.links.create('INV-8');
    const { page } = await newPage();
    await page.goto(url);
    await fillCard(page, '4111111111111111');
    world.invoices.set('INV-8', openInvoice({ amount: 9_900 }));
    await page.getByRole('button', { name: 'Pay $125.00' }).click();
    await page.getByText('The amount due changed from $125.00 to $99.00').waitFor();
    expect(world.charges()).toBe(0);
    expect(await page.getByLabel('Card number').inputValue()).toBe('');
    await fillCard(page, '4111111111111111');
    await page.getByRole('button', { name: 'Pay $99.00' }).click();
    await page.getByRole('heading', { name: 'Payment received' }).waitFor();
    expect(await page.getByText('$99.00').isVisible()).toBe(true);
  }, 60_000);

  it('a decline shows its advice, then another card pays', async () => {
    world = await linksWorld();
    world.invoices.set('INV-9', openInvoice());
    const { url } = await world.links.create('INV-9');
    const { page } = await newPage();
    await page.goto(url);
    await fillCard(page, '4000000000000127');
    await page.getByRole('button', { name: /^Pay/ }).click();
    await page.getByText('The security code (CVC) did not match').waitFor();
    await fillCard(page, '5555555555554444');
    await page.getByRole('button', { name: /^Pay/ }).click();
    await page.getByRole('heading', { name: 'Payment received' }).waitFor();
    expect(await page.getByText('Card ending 4444').isVisible()).toBe(true);
    expect(world.charges()).toBe(2);
    expect(world.approved()).toBe(1);
  }, 60_000);

  it('field validation names the field, with the error tied to its input', async () => {
    world = await linksWorld();
    world.invoices.set('INV-10', openInvoice());
    const { url } = await world.links.create('INV-10');
    const { page } = await newPage();
    await page.goto(url);
    await fillCard(page, '4111 1111 1111 1112', '01 / 20');
    await page.getByRole('button', { name: /^Pay/ }).click();
    const number = page.getByLabel('Card number');
    await page.getByText('Card number: this is not a valid card number').waitFor();
    expect(await number.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('Expiry date: this card has expired').isVisible()).toBe(true);
    expect(world.charges()).toBe(0);
  }, 60_000);

  it('a double click, and two POSTs at once with the browser session, charge once', async () => {
    world = await linksWorld({ gateway: { latencyMs: 200 } });
    world.invoices.set('INV-11', openInvoice());
    world.invoices.set('INV-12', openInvoice());
    const { page } = await newPage();
    const l11 = await world.links.create('INV-11');
    await page.goto(l11.url);
    await fillCard(page, '4111111111111111');
    await page.getByRole('button', { name: /^Pay/ }).dblclick();
    await page.getByRole('heading', { name: /Payment received|already paid/ }).waitFor();
    expect(world.charges()).toBe(1);

    const l12 = await world.links.create('INV-12');
    await page.goto(l12.url);
    const form = Object.fromEntries(
      await page
        .locator('input[type=hidden]')
        .evaluateAll((els) => els.map((e) => [(e as unknown as { name: string }).name, (e as unknown as { value: string }).value])),
    );
    const card = { name: 'Ada Buyer', number: '4242424242424242', exp: '12/30', cvc: '123' };
    const [a, b] = await Promise.all([
      page.request.post(l12.url, { form: { ...form, ...card } }),
      page.request.post(l12.url, { form: { ...form, ...card, number: '5555555555554444' } }),
    ]);
    for (const r of [a, b]) expect(await r.text()).toMatch(/Payment received|already paid/);
    expect(world.charges()).toBe(2);
    expect(await world.links.status('INV-12')).toMatchObject({ status: 'paid', attempts: 1 });
  }, 60_000);
});
