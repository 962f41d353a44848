/**
 * `switchyard/console` over real HTTP on loopback, in headless Chromium (playwright-core with the
 * system's /usr/bin/chromium): sign in with the token, search by e-mail finds the order, the
 * attempts and their notes render, a hostile gateway message renders as text (no script runs,
 * no markup is injected), the routing decision and the subscription show, the MIDs' health
 * shows; every request without the token gets 401; every response has a strict CSP; no page
 * shows a PAN or CVC. A screenshot is checked for its main elements.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, escapeHtml } from '../../src/console/index';
import { safeEqual } from '../../src/console/auth';
import { colourCounts, decodePng } from '../examples/png';
import { type ConsoleShop, consoleShop, HOSTILE, PANS, TOKEN } from './shop';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-console-'));
let shop: ConsoleShop;
let browser: Browser | undefined;
const pages: string[] = [];

beforeAll(async () => {
  shop = await consoleShop(dir);
  if (existsSync(CHROMIUM)) browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(dir, { recursive: true, force: true });
});

const bearer = { authorization: `Bearer ${TOKEN}` };
async function get(path: string, headers: Record<string, string> = bearer) {
  const res = await fetch(`${shop.url}${path}`, { headers, redirect: 'manual' });
  const body = await res.text();
  pages.push(body);
  return { res, body };
}

/** A test PAN written with any separators. */
const panPattern = (pan: string) => new RegExp(pan.split('').join('[^0-9]{0,3}'));

describe('access', () => {
  it('refuses every request without the token with 401 and a sign-in form, whatever the path or method', async () => {
    for (const path of ['/', '/?q=ORD-100', `/transactions/${shop.ids.cascaded}`, '/subscriptions/sub-gold', '/mids', '/nope', '/logout']) {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Bearer wrong-token-0123456789abcdef' },
        { authorization: TOKEN },
        { cookie: 'switchyard_console=forged' },
      ]) {
        const { res, body } = await get(path, headers);
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(body).toContain('name="token"');
        expect(body).not.toContain('ORD-');
      }
    }
    const post = await fetch(`${shop.url}/mids`, { method: 'POST' });
    expect(post.status).toBe(401);
  });

  it('signs in with the token through the form (HttpOnly, SameSite=Strict session cookie), refuses a wrong one', async () => {
    const wrong = await fetch(`${shop.url}/login`, { method: 'POST', body: new URLSearchParams({ token: 'nope' }), redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const ok = await fetch(`${shop.url}/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/support/');
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^switchyard_console=[\w-]+; Path=\/support; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect(cookie).not.toContain(TOKEN);
    const page = await get('/mids', { cookie: cookie.split(';')[0] });
    expect(page.res.status).toBe(200);
    const other = await fetch(`${shop.url}/mids`, { method: 'DELETE', headers: bearer });
    expect(other.status).toBe(405);
  });

  it('compares tokens in constant time over digests (any lengths), and needs a token of 16 characters or more', () => {
    expect(safeEqual(TOKEN, TOKEN)).toBe(true);
    expect(safeEqual('', TOKEN)).toBe(false);
    expect(safeEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(safeEqual('x'.repeat(10_000), TOKEN)).toBe(false);
    expect(() => createConsole({ router: shop.router, token: 'short' })).toThrow(/at least 16/);
    expect(() => createConsole({ router: {} as never, token: TOKEN })).toThrow(/router/);
  });

  it('sends a strict CSP allowing only its own inline style, by hash, and no script', async () => {
    const { res, body } = await get('/');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe|script-src/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(body)![1];
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(body).not.toMatch(/<script|<link|src=/i);
    for (const h of ['x-content-type-options', 'referrer-policy', 'cache-control', 'x-frame-options'])
      expect(res.headers.get(h), h).toBeTruthy();
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('pages', () => {
  it('escapes hostile gateway messages, metadata and search input', async () => {
    const { body } = await get(`/transactions/${shop.ids.declined}`);
    expect(body).toContain(escapeHtml(HOSTILE));
    expect(body).not.toContain('<script>alert');
    expect(body).not.toContain('<img src=x');
    const search = await get(`/?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(search.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(search.body).not.toContain('<script>alert(1)');
    const meta = await get(`/transactions/${shop.ids.cascaded}`);
    expect(meta.body).toContain('winter &lt;sale&gt;');
  });

  it('finds by order id, e-mail (any case), last four, customer id, transaction id; shows the subscription', async () => {
    const rows = (body: string) => [...body.matchAll(/href="\/support\/transactions\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]));
    expect(rows((await get('/?q=ORD-2001')).body)).toEqual([shop.ids.cascaded]);
    expect(rows((await get('/?q=ADA.Lovelace%40example.com')).body)).toEqual([shop.ids.declined, shop.ids.cascaded]);
    expect(rows((await get('/?q=4242')).body)).toEqual([shop.ids.declined]);
    expect(rows((await get('/?q=cust-ada')).body)).toEqual([shop.ids.declined, shop.ids.cascaded]);
    expect(rows((await get(`/?q=${shop.ids.initial}`)).body)).toEqual([shop.ids.initial]);
    const bad = await get('/?q=12&by=last4');
    expect(bad.body).toContain('Card last four: must be 4 digits');
    const sub = await get('/?q=sub-gold');
    expect(sub.body).toContain('href="/support/subscriptions/sub-gold"');
    const page = await get('/subscriptions/sub-gold');
    // The initial transaction (linked in the facts), then the charges, newest first.
    expect(rows(page.body)).toEqual([shop.ids.initial, ...[...shop.ids.rebills].reverse(), shop.ids.initial]);
    expect(page.body).toContain('1 declined rebill(s)');
    expect((await get('/transactions/tx_nope')).res.status).toBe(404);
    expect((await get('/transactions/%E0%A4%A')).res.status).toBe(404);
  });

  it('shows the MIDs: approval rates, circuit, cap use', async () => {
    const { body } = await get('/mids');
    expect(body).toContain('eu-acquirer');
    expect(body).toMatch(/\d+\.\d%/);
    expect(body).toContain('monthly USD');
    expect(body).toContain('Dispute ratio');
  });

  it('shows each MID’s dispute ratios this month as the networks count them', async () => {
    const disputedMid = (await shop.router.transaction(shop.ids.disputed))!.mid!;
    const { body } = await get('/mids');
    const rowOf = (mid: string) => body.split('<tr>').find((r) => r.includes(`<b>${mid}</b>`))!;
    const visaSales = (await shop.router.midHealth(disputedMid)).mids[0]!.visa.denominator;
    expect(visaSales).toBeGreaterThan(0);
    expect(rowOf(disputedMid)).toContain(`Visa-style <b>${((1 / visaSales) * 100).toFixed(2)}%</b> (1/${visaSales})`);
    expect(rowOf(disputedMid)).toContain('of 1.50%, under the minimum count');
    const other = ['eu-acquirer', 'us-gateway', 'backup'].find((m) => m !== disputedMid && body.includes(`<b>${m}</b>`))!;
    expect(rowOf(other)).not.toContain('(1/');
  });
});

describe.skipIf(!existsSync(CHROMIUM))('in headless Chromium', () => {
  it('signs in, searches by e-mail, opens the order: attempts, notes and a hostile message as text; screenshot checked', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const dialogs: string[] = [];
    const cspViolations: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) cspViolations.push(m.text());
    });
    const first = await page.goto(`${shop.url}/`);
    expect(first?.status()).toBe(401);
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL(`${shop.url}/`), page.click('button[type=submit]')]);
    await page.fill('input[name=q]', 'Ada.Lovelace@EXAMPLE.com');
    await Promise.all([page.waitForURL(/q=/), page.click('main button[type=submit]')]);
    const rows = page.locator('main table tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain('ORD-2002');
    pages.push(await page.content());

    await Promise.all([page.waitForURL(/transactions\//), rows.first().locator('a').click()]);
    const main = page.locator('main');
    await expect.poll(() => main.textContent()).toContain('Why this route');
    const text = (await main.textContent()) ?? '';
    expect(text).toContain(HOSTILE.replace(/\s+/g, ' ').trim().slice(0, 40));
    expect(text).toContain('Support: Not enough funds or credit on the card');
    expect(text).toContain('Tell the shopper: Your card was declined for insufficient funds');
    expect(text).toContain('rule hostile-to-eu');
    expect(text).toContain('424242 •••• 4242');
    // The hostile message is text: no script element, no injected image or bold, no dialog.
    expect(await page.locator('script, img, iframe').count()).toBe(0);
    expect(await page.locator('.gateway-message > *').count()).toBe(0);
    expect(await page.locator('.gateway-message').count()).toBe(1);
    expect(await page.locator('.gateway-message').first().textContent()).toBe(HOSTILE);
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
    pages.push(await page.content());

    const shot = await page.screenshot({ fullPage: true });
    writeFileSync(join(dir, 'transaction.png'), shot);
    if (process.env.SWITCHYARD_SCREENSHOT_DIR) writeFileSync(join(process.env.SWITCHYARD_SCREENSHOT_DIR, 'console-transaction.png'), shot);
    const png = decodePng(shot);
    const colours = colourCounts(png);
    const near = (rgb: number, tolerance = 6) =>
      [...colours.entries()]
        .filter(
          ([c]) =>
            Math.abs(((c >> 16) & 255) - ((rgb >> 16) & 255)) <= tolerance &&
            Math.abs(((c >> 8) & 255) - ((rgb >> 8) & 255)) <= tolerance &&
            Math.abs((c & 255) - (rgb & 255)) <= tolerance,
        )
        .reduce((n, [, k]) => n + k, 0);
    expect(png.width).toBe(1280);
    expect(near(0x17213a), 'header bar').toBeGreaterThan(1280 * 30);
    expect(near(0xfbe6e6), 'declined badge').toBeGreaterThan(100);
    expect(near(0xf0f4fc), 'support note').toBeGreaterThan(2_000);
    expect(near(0xf1f8f3), 'shopper note').toBeGreaterThan(2_000);
    for (const sel of ['header', 'main section:nth-of-type(1) h1', 'main table', '.note', '.note.shopper']) {
      const box = await page.locator(sel).first().boundingBox();
      expect(box, sel).not.toBeNull();
      expect(box!.width * box!.height, sel).toBeGreaterThan(100);
    }

    for (const path of ['/subscriptions/sub-gold', '/mids', `/transactions/${shop.ids.cascaded}`]) {
      await page.goto(`${shop.url}${path}`);
      pages.push(await page.content());
      expect(await page.locator('main section').count()).toBeGreaterThan(0);
    }
    expect(await page.locator('main').textContent()).toContain('Not eligible');
    await context.close();
  }, 60_000);
});

describe('no card data on any page', () => {
  it('no page served in these tests shows a PAN or a CVC', () => {
    expect(pages.length).toBeGreaterThan(20);
    const all = pages.join('\n');
    expect(all).toContain('555555 •••• 4444');
    for (const pan of PANS) expect(panPattern(pan).test(all), pan).toBe(false);
    for (const cvc of ['456', '789']) expect(new RegExp(`(?<![0-9A-Za-z_-])${cvc}(?![0-9A-Za-z_-])`).test(all), cvc).toBe(false);
  });
});
