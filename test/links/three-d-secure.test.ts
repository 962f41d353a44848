/**
 * 3-D Secure on the payment-link page, over a fake Stripe on loopback: the sale's redirect action
 * sends the shopper to the bank with a return URL on the link handler (signed, bound to the link,
 * the attempt and this browser), the return calls `completeAction`, and the invoice is paid once
 * whatever the shopper does meanwhile: another card while the challenge is open, two returns at
 * once, reloads, a tampered token, a return from another browser, an abandoned challenge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { GatewayAdapter } from '../../src/adapter';
import { memoryStore } from '../../src/store/memory';
import { postgresStore } from '../../src/store/postgres';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { PG_URL, testSchema } from '../store/pg-env';
import { STRIPE_CARDS } from '../adapters/stripe/support';
import { CARD, openInvoice, text } from './support';
import { bankUrl, get, Jar, post, type StripeLinksWorld, stripeLinksWorld } from './three-d-secure-support';

const THREE_DS = { ...CARD, number: STRIPE_CARDS.threeDSOnSession };
const VISA = { ...CARD, number: STRIPE_CARDS.visa };
const MINUTE = 60_000;

let world: StripeLinksWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const dir = mkdtempSync(join(tmpdir(), 'switchyard-links-3ds-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!schemas.length) return;
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString: PG_URL });
  for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await pool.end();
});
const STORES: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => memoryStore()],
  ['sqlite file', async () => sqliteStore({ path: join(dir, `links-${schemas.length}-${Date.now()}.db`) })],
  [
    'postgres',
    async () => {
      const schema = testSchema('links3ds');
      schemas.push(schema);
      const s = postgresStore({ connectionString: PG_URL, schema });
      await s.ready();
      return s;
    },
  ],
];

async function ready(opts: Parameters<typeof stripeLinksWorld>[0] = {}) {
  world = await stripeLinksWorld(opts);
  world.invoices.set('INV-3DS', openInvoice());
  const link = await world.links.create('INV-3DS');
  const jar = new Jar();
  const form = await get(link.url, jar);
  expect(form.status).toBe(200);
  return { w: world, link, jar, form };
}

/** The PaymentIntents of the fake still waiting for the cardholder. */
const waiting = (w: StripeLinksWorld) => [...w.fake.intents.values()].filter((pi) => pi.status === 'requires_action');

/** Press a button on the fake bank's challenge page; the URL it sends the browser back to. */
async function answerChallenge(url: string, jar: Jar, outcome: 'complete' | 'fail'): Promise<string> {
  const res = await post(url, jar, { outcome });
  expect(res.status).toBe(303);
  return res.location!;
}

describe.each(STORES)('payment links: 3-D Secure is paid once (%s)', (_name, makeStore) => {
  it('another card while the challenge is open, two returns at once and reloads: one charge, the link paid once', async () => {
    const { w, link, jar, form } = await ready({ store: await makeStore() });
    const challenged = await post(link.url, jar, { ...form.hidden, ...THREE_DS });
    expect(waiting(w)).toHaveLength(1);
    const intent = waiting(w)[0]!.id;
    // The shopper tries another card in another tab while the bank's page is still open: nothing is charged.
    const second = await post(link.url, jar, { ...form.hidden, ...VISA });
    expect(text(second.html)).toContain('Confirm the payment with your bank');
    expect(w.fake.calls('/v1/payment_intents', 'POST')).toHaveLength(1);
    // The bank's page, then back to the link's return URL.
    expect(challenged.status).toBe(200);
    const bank = bankUrl(challenged.html)!;
    expect(bank).toBe(`${w.fake.url}/3ds/challenge/${intent}`);
    const back = await answerChallenge(bank, jar, 'complete');
    expect(w.charged()).toBe(1);
    expect(back.startsWith(`${link.url}/3ds/`)).toBe(true);
    expect(new URL(back).searchParams.get('payment_intent')).toBe(intent);
    // Two returns at once (a double redirect), then reloads.
    const [r1, r2] = await Promise.all([get(back, jar), get(back, jar)]);
    for (const r of [r1, r2]) expect(text(r.html)).toMatch(/Payment received|already paid/);
    const paid = await w.links.status('INV-3DS');
    expect(paid).toMatchObject({ status: 'paid', paidBy: 'card', attempts: 1 });
    const tx = await w.store.getTransaction(paid!.transactionId!);
    expect(tx).toMatchObject({ status: 'captured', gatewayTransactionId: intent });
    for (let i = 0; i < 3; i++) expect(text((await get(back, jar)).html)).toMatch(/Payment received|already paid/);
    expect(text((await post(link.url, jar, { ...form.hidden, ...VISA })).html)).toContain('already paid');
    expect(await w.links.status('INV-3DS')).toEqual(paid);
    expect(w.charged()).toBe(1);
    expect(w.fake.intents.size).toBe(1);
    expect(w.fake.violations).toEqual([]);
  });
});

describe('payment links: 3-D Secure through completeAction', () => {
  it('the return URL carries no personal data and is bound to the link, the attempt and the browser', async () => {
    const { w, link, jar, form } = await ready();
    const challenged = await post(link.url, jar, { ...form.hidden, ...THREE_DS });
    const intent = waiting(w)[0]!.id;
    const returnUrl = w.fake.intents.get(intent)!.returnUrl!;
    expect(returnUrl).toMatch(new RegExp(`^${link.url.replace(/[.?]/g, '\\$&')}/3ds/a1\\.[A-Za-z0-9_-]{43}$`));
    for (const secret of ['Buyer', 'ap@buyer', '4000', 'cust-7', '12500']) expect(returnUrl).not.toContain(secret);
    const cookie = challenged.headers.getSetCookie().find((c) => c.startsWith('switchyard_link_3ds_'))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/pay/);
    const retrievals = () => w.fake.calls(`/v1/payment_intents/${intent}`, 'GET').length;
    const before = retrievals();
    // A tampered token, an attempt number changed, and the right URL from another browser: refused, nothing completed.
    const sig = returnUrl.slice(-43);
    const flipped = returnUrl.slice(0, -43) + (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    const refused = [
      await get(`${flipped}?payment_intent=${intent}`, jar),
      await get(`${returnUrl.replace('/3ds/a1.', '/3ds/a2.')}?payment_intent=${intent}`, jar),
      await get(`${returnUrl}?payment_intent=${intent}`, new Jar()),
      await get(`${returnUrl.replace(/\/pay\/[^/]+\/3ds/, '/pay/x.1.1.y/3ds')}?payment_intent=${intent}`, jar),
    ];
    for (const r of refused) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(text(r.html)).not.toMatch(/Payment received|already paid/);
    }
    expect(text(refused[0]!.html)).toContain('This confirmation link is not valid');
    expect(text(refused[2]!.html)).toContain('the browser where you started the payment');
    expect(retrievals()).toBe(before);
    expect((await w.links.status('INV-3DS'))?.pendingKey).toBe('link:INV-3DS:v1:a1');
    // The genuine return still completes it.
    const back = await answerChallenge(bankUrl(challenged.html)!, jar, 'complete');
    expect(text((await get(back, jar)).html)).toContain('Payment received');
    expect(w.charged()).toBe(1);
  });

  it('a failed challenge shows the decline advice, and another card pays', async () => {
    const { w, link, jar, form } = await ready();
    const challenged = await post(link.url, jar, { ...form.hidden, ...THREE_DS });
    const back = await answerChallenge(bankUrl(challenged.html)!, jar, 'fail');
    const declined = await get(back, jar);
    expect(declined.status).toBe(402);
    expect(text(declined.html)).toContain('The payment could not be confirmed with your bank');
    expect(await w.links.status('INV-3DS')).toMatchObject({ status: 'open', attempts: 1 });
    expect((await w.links.status('INV-3DS'))?.pendingKey).toBeUndefined();
    // The form on the return page posts to the link, not to the return URL.
    expect(declined.html).toContain(`action="/pay/${link.token}"`);
    const reload = await get(back, jar);
    expect(text(reload.html)).toContain('The payment could not be confirmed with your bank');
    const paid = await post(link.url, jar, { ...declined.hidden, ...VISA });
    expect(text(paid.html)).toContain('Payment received');
    expect(w.charged()).toBe(1);
  });

  it('an abandoned challenge: the page waits for the bank, then after its expiry nothing is charged and another card pays', async () => {
    let now = Date.now();
    const { w, link, jar, form } = await ready({ clock: () => now });
    await post(link.url, jar, { ...form.hidden, ...THREE_DS });
    const intent = waiting(w)[0]!.id;
    const reopened = await get(link.url, jar);
    expect(reopened.status).toBe(202);
    expect(text(reopened.html)).toContain('Confirm the payment with your bank');
    expect(bankUrl(reopened.html)).toBe(`${w.fake.url}/3ds/challenge/${intent}`);
    // From another browser the page says to wait, and offers no way to the bank (the return would be refused there).
    const elsewhere = await get(link.url, new Jar());
    expect(text(elsewhere.html)).toContain('Confirm the payment with your bank');
    expect(bankUrl(elsewhere.html)).toBeUndefined();
    now += 16 * MINUTE;
    const after = await get(link.url, jar);
    expect(after.status).toBe(402);
    expect(text(after.html)).toContain('was not confirmed with your bank in time');
    expect(w.fake.intents.get(intent)!.status).toBe('canceled');
    const tx = await w.store.getClaim('sale:link:INV-3DS:v1:a1');
    expect((await w.store.getTransaction(tx!.transactionId!))?.status).toBe('failed');
    const paid = await post(link.url, jar, { ...after.hidden, ...VISA });
    expect(text(paid.html)).toContain('Payment received');
    // A late return of the abandoned challenge completes nothing.
    const late = await get(`${w.fake.intents.get(intent)!.returnUrl}?payment_intent=${intent}`, jar);
    expect(text(late.html)).toContain('already paid');
    expect(w.charged()).toBe(1);
    expect(await w.links.status('INV-3DS')).toMatchObject({ status: 'paid', attempts: 2 });
  });

  it('an action that needs the gateway SDK in the browser: a clear message, nothing pending, another card pays', async () => {
    const { w, link, jar, form } = await ready({
      // Without a return URL Stripe answers `use_stripe_sdk`: Stripe.js would have to run in the page.
      wrap: (a): GatewayAdapter => ({ ...a, sale: (req, o) => a.sale({ ...req, returnUrl: undefined }, o) }),
    });
    const sdk = await post(link.url, jar, { ...form.hidden, ...THREE_DS });
    expect(sdk.status).toBe(402);
    expect(text(sdk.html)).toContain('in a way this page cannot show');
    expect(bankUrl(sdk.html)).toBeUndefined();
    expect((await w.links.status('INV-3DS'))?.pendingKey).toBeUndefined();
    const paid = await post(link.url, jar, { ...sdk.hidden, ...VISA });
    expect(text(paid.html)).toContain('Payment received');
    expect(w.charged()).toBe(1);
  });

  it('a bank that wants a POST: a one-button form to it, and only that page may post to its origin', async () => {
    const { w, link, jar, form } = await ready({
      wrap: (a): GatewayAdapter => ({
        ...a,
        sale: async () => ({
          status: 'requires_action',
          gatewayTransactionId: 'pi_post',
          action: {
            type: 'redirect',
            url: 'https://acs.bank.example/challenge?x=1&y=2',
            method: 'POST',
            data: { PaReq: 'p"<x>', MD: 'md-1' },
          },
        }),
      }),
    });
    const page = await post(link.url, jar, { ...form.hidden, ...THREE_DS });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self' https://acs.bank.example;");
    expect(page.html).toContain('<form id="bank" method="post" action="https://acs.bank.example/challenge?x=1&amp;y=2">');
    expect(page.html).toContain('<input type="hidden" name="PaReq" value="p&quot;&lt;x&gt;">');
    expect(page.html).not.toContain('http-equiv="refresh"');
    expect(page.html).not.toContain('<script');
    // The wait page offers the same form in this browser; elsewhere it offers none and posts nowhere else.
    expect((await get(link.url, jar)).headers.get('content-security-policy')).toContain("form-action 'self' https://acs.bank.example;");
    const elsewhere = await get(link.url, new Jar());
    expect(elsewhere.headers.get('content-security-policy')).toContain("form-action 'self';");
    expect(elsewhere.html).not.toContain('acs.bank.example');
    expect((await w.links.status('INV-3DS'))?.challenge?.transactionId).toMatch(/^tx_/);
  });
});
