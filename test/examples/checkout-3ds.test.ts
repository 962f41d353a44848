/**
 * The checkout server's 3-D Secure path, end to end in headless Chromium: the example started
 * with its documented command (fresh SQLite file), the checkout page, the challenge page, the
 * return, the outcome shown; then the ledger in the SQLite file is read: one transaction, on the
 * MID that issued the challenge. In-process: the return page requires its token (constant-time
 * HMAC) and escapes what it shows, gateway messages included.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { listen, type RunningServer } from '../../examples/checkout-server/app';
import { ReturnTokens, returnPath } from '../../examples/checkout-server/three-d-secure';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { type RunningExample, startExample } from './run';

const THREE_DS_CARD = '4000000000003220';
const run = existsSync(CHROMIUM) || process.env.CI === 'true';

let server: RunningExample | undefined;
let url = '';
let dir = '';
let browser: Browser;

beforeAll(async () => {
  if (!run) return;
  dir = mkdtempSync(join(tmpdir(), 'switchyard-3ds-'));
  server = await startExample('examples/checkout-server/index.ts', { SWITCHYARD_DB: join(dir, 'checkout.db') });
  url = server.url;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Pay with the 3-D Secure card on the checkout page and press a button on the challenge page. */
async function checkout(button: '#authenticate' | '#fail') {
  const page = await browser.newPage();
  await page.goto(`${url}/`);
  await page.fill('#number', THREE_DS_CARD);
  await Promise.all([page.waitForURL(/\/sandbox\/3ds\?/), page.click('#pay')]);
  const challengeUrl = new URL(page.url());
  await Promise.all([page.waitForURL(/\/3ds\/return\?/), page.click(button)]);
  const returned = new URL(page.url());
  const outcome = await page.textContent('#outcome');
  return { page, challengeUrl, returned, outcome };
}

describe.skipIf(!run)('checkout server: 3-D Secure in headless Chromium', () => {
  it('checkout page → challenge page → return → approval shown; one transaction in the ledger, on the MID that challenged', async () => {
    const { page, challengeUrl, returned, outcome } = await checkout('#authenticate');
    expect(outcome).toBe('Payment approved');
    const transactionId = returned.searchParams.get('transactionId')!;
    expect(challengeUrl.searchParams.get('transactionId')).toBe(transactionId);
    expect(await page.textContent('#transaction')).toBe(transactionId);
    const mid = await page.textContent('#mid');
    expect(['mid-a', 'mid-b']).toContain(mid);
    expect(await page.textContent('body')).toContain('400000******3220');
    await page.close();

    const db = new Database(join(dir, 'checkout.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, status, doc FROM transactions').all() as Array<{ id: string; status: string; doc: string }>;
      const mine = rows.filter((r) => r.id === transactionId);
      expect(mine).toHaveLength(1);
      expect(mine[0].status).toBe('captured');
      expect(JSON.parse(mine[0].doc).mid).toBe(mid);
      const attempts = db.prepare('SELECT status, doc FROM attempts WHERE transaction_id = ?').all(transactionId) as Array<{
        status: string;
        doc: string;
      }>;
      expect(attempts.map((a) => [a.status, JSON.parse(a.doc).mid])).toEqual([['approved', mid]]);
      const raw =
        JSON.stringify(db.prepare('SELECT * FROM transactions').all()) + JSON.stringify(db.prepare('SELECT * FROM attempts').all());
      expect(raw).not.toContain(THREE_DS_CARD);
    } finally {
      db.close();
    }
  });

  it('a failed challenge shows authentication_failed; reloading the return shows the same result (no second completion)', async () => {
    const { page, returned, outcome } = await checkout('#fail');
    expect(outcome).toBe('Payment not completed');
    expect(await page.textContent('#reason')).toBe('authentication_failed');
    await page.reload();
    expect(await page.textContent('#reason')).toBe('authentication_failed');
    expect(returned.searchParams.get('token')).toMatch(/^[\w-]{43}$/);
    await page.close();
  });

  it('a return link with a wrong token is refused (403) and completes nothing; the log holds no card number', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.fill('#number', THREE_DS_CARD);
    await Promise.all([page.waitForURL(/\/sandbox\/3ds\?/), page.click('#pay')]);
    const tx = new URL(page.url()).searchParams.get('transactionId')!;
    const res = await page.goto(`${url}/3ds/return?transactionId=${tx}&token=AAAA&authenticated=true`);
    expect(res!.status()).toBe(403);
    await page.close();
    const db = new Database(join(dir, 'checkout.db'), { readonly: true });
    try {
      expect((db.prepare('SELECT status FROM transactions WHERE id = ?').get(tx) as { status: string }).status).toBe('requires_action');
    } finally {
      db.close();
    }
    expect(server!.output()).toMatch(/GET \/3ds\/return 200 approved mid=mid-[ab] card=400000\*{6}3220/);
    expect(server!.output()).toMatch(/GET \/3ds\/return 403 forbidden/);
    expect(server!.output()).not.toContain(THREE_DS_CARD);
  });
});

describe('checkout server: the 3-D Secure pages (in process)', () => {
  let server: RunningServer;
  const tokens = new ReturnTokens('test-secret');
  beforeAll(async () => {
    const hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    const mid = sandbox({
      id: 'mid-x',
      challengeUrl: '/sandbox/3ds',
      complete: () => ({ status: 'declined', code: '6P', message: hostile }),
    });
    const router = createRouter({
      merchantAccounts: [{ id: 'mid-x', adapter: mid }],
      profiles: [{ id: 'checkout', pools: { p: { strategy: 'priority', members: [{ mid: 'mid-x' }] } }, route: ['p'] }],
      store: memoryStore(),
    });
    server = await listen(router, 0, { returnSecret: 'test-secret', log: () => undefined });
  });
  afterAll(() => server?.close());

  let orders = 0;
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, any> };
  };
  const challenge = async () =>
    (
      await post('/checkout', {
        idempotencyKey: `order-3ds-${++orders}`,
        amount: 1999,
        currency: 'USD',
        card: { number: THREE_DS_CARD, expMonth: 12, expYear: 2030, cvc: '123' },
      })
    ).body;

  it('answers requires_action with the action, where to go next and the tokened return path', async () => {
    const c = await challenge();
    expect(c).toMatchObject({ status: 'requires_action', mid: 'mid-x', action: { type: 'redirect', method: 'GET' } });
    expect(c.returnUrl).toBe(returnPath(tokens, c.transactionId));
    expect(c.next.startsWith('/sandbox/3ds?')).toBe(true);
    expect(new URL(c.next, server.url).searchParams.get('return')).toBe(c.returnUrl);
    expect(typeof c.expiresAt).toBe('number');
  });

  it('requires the return token: missing, wrong, or another transaction’s are refused; the right one completes', async () => {
    const c = await challenge();
    const other = await challenge();
    for (const token of ['', 'x', tokens.issue(other.transactionId), tokens.issue(c.transactionId).slice(0, -1)]) {
      const r = await fetch(
        `${server.url}/3ds/return?transactionId=${c.transactionId}&token=${encodeURIComponent(token)}&authenticated=true`,
      );
      expect(r.status, token).toBe(403);
    }
    const api = await post('/checkout/complete', { transactionId: c.transactionId, token: 'nope', input: { authenticated: true } });
    expect(api.status).toBe(403);
    const ok = await fetch(`${server.url}${c.returnUrl}&authenticated=false`);
    expect(ok.status).toBe(200);
  });

  it('escapes the gateway message and the query on every page', async () => {
    const c = await challenge();
    const html = await (await fetch(`${server.url}${c.returnUrl}&authenticated=true`)).text();
    expect(html).toContain('Payment not completed');
    expect(html).not.toMatch(/<img|<script>alert/);
    expect(html).toContain('&#60;img src&#61;x');
    const page = await fetch(
      `${server.url}/sandbox/3ds?reference=${encodeURIComponent('<b>x</b>')}&return=${encodeURIComponent(c.returnUrl)}`,
    );
    const text = await page.text();
    expect(text).not.toContain('<b>x</b>');
    expect(text).toContain('&#60;b&#62;x&#60;&#47;b&#62;');
    const off = await fetch(`${server.url}/sandbox/3ds?return=${encodeURIComponent('https://evil.example/steal')}`);
    expect(off.status).toBe(400);
  });
});
