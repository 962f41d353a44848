/**
 * The hosted page over real HTTP on loopback: what it shows and the headers it sends, escaping,
 * CSRF, refused links (tampered, superseded, expired with a new link sent), paid invoices, a
 * changed amount, declines, 3-D Secure, ambiguous outcomes, and card-testing limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createPaymentLinks, PaymentLinkError } from '../../src/links';
import { CARD, linksWorld, type LinksWorld, openInvoice, openLink, SECRET, submit, text } from './support';

const HOUR = 3_600_000;
let world: LinksWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function ready(over: Parameters<typeof linksWorld>[0] = {}) {
  world = await linksWorld(over);
  world.invoices.set('INV-1001', openInvoice());
  const link = await world.links.create('INV-1001');
  return { w: world, link };
}

describe('payment link page', () => {
  it('shows the invoice, the descriptor and an accessible card form under a strict CSP', async () => {
    const { w, link } = await ready();
    expect(link.url.startsWith(`${w.base}/`)).toBe(true);
    const page = await openLink(link.url);
    expect(page.status).toBe(200);
    const t = text(page.html);
    expect(t).toContain('Pay invoice INV-1001');
    expect(t).toContain('$125.00');
    expect(t).toContain('ACME*INVOICES');
    expect(t).toContain('Acme Wholesale');
    for (const [name, auto] of [
      ['name', 'cc-name'],
      ['number', 'cc-number'],
      ['exp', 'cc-exp'],
      ['cvc', 'cc-csc'],
    ]) {
      expect(page.html).toMatch(
        new RegExp(`<label for="f-${name}">[^<]+</label>\\s*<input id="f-${name}" name="${name}" autocomplete="${auto}"`),
      );
    }
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+'; img-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/,
    );
    expect(page.html).toContain(`<style nonce="${/nonce-([^']+)/.exec(csp)![1]}">`);
    expect(page.html).not.toMatch(/<script|<link|src=|https?:\/\//i);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('set-cookie')).toMatch(/^switchyard_link_csrf=[A-Za-z0-9_-]{43}; Path=\/pay; HttpOnly; SameSite=Strict$/);
    expect(page.hidden.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('escapes invoice text and what the customer typed', async () => {
    const { w, link } = await ready();
    const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>"'\``;
    w.invoices.set('INV-1001', openInvoice({ description: hostile, customer: { name: `"><b>Buyer</b>` } }));
    const page = await openLink(link.url);
    expect(page.html).not.toContain('<script>');
    expect(page.html).not.toContain('<img');
    expect(page.html).not.toContain('<b>Buyer');
    expect(text(page.html)).toContain(hostile);
    const again = await submit(link.url, page, { ...CARD, number: '4111 1111 1111 1112', name: `<i>x</i>"` });
    expect(again.html).not.toContain('<i>x');
    expect(again.html).toContain('value="&lt;i&gt;x&lt;/i&gt;&quot;"');
  });

  it('refuses a tampered token, and a token of another secret, with a page saying what to do', async () => {
    const { w, link } = await ready();
    const [id, version, exp, sig] = link.token.split('.');
    const tampered = [
      `${id}.${version}.${Number(exp) + 3600}.${sig}`,
      `${Buffer.from('INV-1002').toString('base64url')}.${version}.${exp}.${sig}`,
      `${id}.${version}.${exp}.${sig!.slice(0, -2)}AA`,
      'garbage',
    ];
    for (const token of tampered) {
      const page = await openLink(`${w.base}/${token}`);
      expect(page.status, token).toBe(400);
      expect(text(page.html)).toContain('This payment link is not valid');
      expect(text(page.html)).toContain('ask Acme Wholesale (billing@acme.example) for a new link');
      expect(page.html).not.toContain('<form');
    }
    const other = await linksWorld({ links: { secret: 'another-secret-0123456789-abcdefghijklm', baseUrl: w.base } });
    other.invoices.set('INV-1001', openInvoice());
    const foreign = await other.links.create('INV-1001');
    await other.close();
    expect((await openLink(`${w.base}/${foreign.token}`)).status).toBe(400);
    expect(w.charges()).toBe(0);
  });

  it('pays once: receipt, then "already paid" with the date on every later visit and every link version', async () => {
    const { w, link } = await ready();
    const page = await openLink(link.url);
    const paid = await submit(link.url, page);
    expect(paid.status).toBe(200);
    const receipt = text(paid.html);
    expect(receipt).toContain('Payment received');
    expect(receipt).toContain('$125.00');
    expect(receipt).toContain('Card ending 1111');
    expect(receipt).not.toMatch(/4111 ?1111 ?1111 ?1111/);
    const state = await w.links.status('INV-1001');
    expect(state).toMatchObject({ status: 'paid', paidBy: 'card', attempts: 1, version: 1 });
    expect(state!.transactionId).toMatch(/\S/);
    expect(await w.router.transaction(state!.transactionId!)).toMatchObject({ status: 'captured', amount: 12_500, currency: 'USD' });
    const day = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(state!.paidAt!));
    for (const url of [link.url, (await w.links.create('INV-1001')).url]) {
      const later = await openLink(url);
      expect(text(later.html)).toContain('Invoice INV-1001 is already paid');
      expect(text(later.html)).toContain(`paid on ${day}`);
      expect(later.html).not.toContain('<form');
    }
    // A resubmit of the same form (reload of the POST, retry after a lost answer) charges nothing.
    const resubmitted = await submit(link.url, page);
    expect(text(resubmitted.html)).toContain('already paid');
    expect(w.charges()).toBe(1);
    expect(w.approved()).toBe(1);
    // Refunds work as for any sale.
    expect((await w.router.refund(state!.transactionId!)).isOk()).toBe(true);
  });

  it('refuses a superseded link and points to the newest one', async () => {
    const { w, link } = await ready();
    const newer = await w.links.create('INV-1001');
    expect(newer.version).toBe(2);
    const old = await openLink(link.url);
    expect(old.status).toBe(410);
    expect(text(old.html)).toContain('This link was replaced by a newer one');
    expect(text(old.html)).toContain('Use the link in the most recent e-mail');
    // Its form, opened before, cannot pay either.
    expect((await openLink(newer.url)).status).toBe(200);
    expect(w.charges()).toBe(0);
  });

  it('an expired link issues a new one once, calls onNewLink, and the new one pays', async () => {
    let now = Date.UTC(2026, 11, 2, 2);
    const { w, link } = await ready({ clock: () => now, links: { ttlHours: 1 } });
    const form = await openLink(link.url);
    now += HOUR;
    const expired = await openLink(link.url);
    expect(expired.status).toBe(410);
    expect(text(expired.html)).toContain('This payment link has expired');
    expect(text(expired.html)).toContain('We have sent a new link for invoice INV-1001');
    expect(w.newLinks).toHaveLength(1);
    expect(w.newLinks[0]!.url).not.toBe(link.url);
    // The old link is now superseded: no second e-mail.
    expect(text((await openLink(link.url)).html)).toContain('replaced by a newer one');
    expect(w.newLinks).toHaveLength(1);
    // The form opened before expiry cannot pay.
    expect((await submit(link.url, form)).status).toBe(410);
    const fresh = await openLink(w.newLinks[0]!.url);
    expect(text((await submit(w.newLinks[0]!.url, fresh)).html)).toContain('Payment received');
    expect(w.charges()).toBe(1);
  });

  it('without onNewLink, an expired link says to ask the merchant', async () => {
    let now = Date.UTC(2026, 11, 2, 2);
    const { link } = await ready({ clock: () => now, links: { ttlHours: 1, onNewLink: undefined } });
    now += 2 * HOUR;
    expect(text((await openLink(link.url)).html)).toContain('Ask Acme Wholesale (billing@acme.example) for a new link');
  });

  it('shows "already paid" after markPaid, or when the invoice says paid, and "cancelled" for a void invoice', async () => {
    const { w, link } = await ready();
    await w.links.markPaid('INV-1001', { by: 'bank transfer', at: Date.UTC(2026, 10, 30) });
    const page = text((await openLink(link.url)).html);
    expect(page).toContain('Invoice INV-1001 is already paid');
    expect(page).toContain('November 30, 2026');
    expect(page).toContain('bank transfer');

    w.invoices.set('INV-2', openInvoice());
    const l2 = await w.links.create('INV-2');
    const form2 = await openLink(l2.url);
    w.invoices.set('INV-2', openInvoice({ status: 'paid', paidAt: '2026-12-01T10:00:00Z' }));
    expect(text((await submit(l2.url, form2)).html)).toContain('is already paid');
    expect(await w.links.status('INV-2')).toMatchObject({ status: 'paid', paidBy: 'another payment method' });

    w.invoices.set('INV-3', openInvoice());
    const l3 = await w.links.create('INV-3');
    w.invoices.set('INV-3', openInvoice({ status: 'void' }));
    expect(text((await openLink(l3.url)).html)).toContain('Invoice INV-3 was cancelled');
    await expect(w.links.create('INV-3')).rejects.toBeInstanceOf(PaymentLinkError);
    await expect(w.links.create('INV-404')).rejects.toMatchObject({ code: 'unknown_invoice' });
    expect(w.charges()).toBe(0);
  });

  it('asks to confirm a changed amount before charging it', async () => {
    const { w, link } = await ready();
    const page = await openLink(link.url);
    w.invoices.set('INV-1001', openInvoice({ amount: 15_000 }));
    const changed = await submit(link.url, page);
    expect(changed.status).toBe(409);
    expect(text(changed.html)).toContain('The amount due changed from $125.00 to $150.00');
    expect(changed.hidden.amount).toBe('15000');
    expect(w.charges()).toBe(0);
    const paid = await submit(link.url, changed, CARD, page.cookie);
    expect(text(paid.html)).toContain('$150.00');
    const tx = await w.router.transaction((await w.links.status('INV-1001'))!.transactionId!);
    expect(tx?.amount).toBe(15_000);
  });

  it('refuses a post without the form token, and names the field at fault', async () => {
    const { w, link } = await ready();
    const page = await openLink(link.url);
    const noCookie = await submit(link.url, page, CARD, '');
    expect(noCookie.status).toBe(403);
    expect(text(noCookie.html)).toContain('this form expired');
    const forged = await submit(link.url, { ...page, hidden: { ...page.hidden, csrf: 'A'.repeat(43) } });
    expect(forged.status).toBe(403);
    const bad = await submit(link.url, page, { name: '', number: '4111 1111 1111 1112', exp: '13/30', cvc: '12' });
    expect(bad.status).toBe(422);
    const t = text(bad.html);
    expect(t).toContain('Name on card: enter the name');
    expect(t).toContain('Card number: this is not a valid card number');
    expect(t).toContain('Expiry date: the month must be 01 to 12');
    expect(t).toContain('Security code (CVC): enter the 3 or 4 digits');
    expect(bad.html).toContain('aria-invalid="true" aria-describedby="f-number-error"');
    expect(bad.html).not.toContain('4111 1111 1111 1112');
    expect(bad.html).not.toContain('41111111111111112');
    expect(w.charges()).toBe(0);
  });

  it('a decline shows the advice for its reason and another card pays', async () => {
    const { w, link } = await ready();
    const page = await openLink(link.url);
    const declined = await submit(link.url, page, { ...CARD, number: '4000000000009953' });
    expect(declined.status).toBe(402);
    expect(text(declined.html)).toContain('not enough funds or credit. Use another card');
    expect(declined.html).not.toContain('4000000000009953');
    const stolen = await submit(link.url, declined, { ...CARD, number: '4000000000009979' }, page.cookie);
    expect(text(stolen.html)).toContain('Your bank declined the payment. Use another card, or contact your bank.');
    expect(text(stolen.html)).not.toMatch(/stolen/i);
    const paid = await submit(link.url, stolen, CARD, page.cookie);
    expect(text(paid.html)).toContain('Payment received');
    expect(await w.links.status('INV-1001')).toMatchObject({ status: 'paid', attempts: 3 });
    expect(w.charges()).toBe(3);
  });

  it('a 3-D Secure challenge sends the shopper to the bank with a return URL on the link, and blocks another card meanwhile', async () => {
    const { w, link } = await ready();
    const page = await openLink(link.url);
    const challenged = await submit(link.url, page, { ...CARD, number: '4000000000003220' });
    expect(challenged.status).toBe(200);
    expect(text(challenged.html)).toContain('Confirm the payment with your bank');
    const bank = new URL(/<a id="continue" href="([^"]+)"/.exec(challenged.html)![1]!.replaceAll('&amp;', '&'));
    expect(bank.origin).toBe('https://sandbox.invalid');
    expect(bank.searchParams.get('return')).toMatch(new RegExp(`^${link.url.replace(/[.?]/g, '\\$&')}/3ds/a1\\.[\\w-]{43}$`));
    expect(challenged.html).toContain(`<meta http-equiv="refresh" content="0; url=${bank.href.replaceAll('&', '&amp;')}">`);
    expect(challenged.headers.get('content-security-policy')).not.toContain('script-src');
    const state = await w.links.status('INV-1001');
    expect(state).toMatchObject({ pendingKey: 'link:INV-1001:v1:a1', challenge: { transactionId: expect.stringMatching(/^tx_/) } });
    const other = await submit(link.url, page, CARD);
    expect(other.status).toBe(202);
    expect(text(other.html)).toContain('Do not pay again meanwhile');
    expect(w.charges()).toBe(1);
    expect(w.approved()).toBe(0);
  });

  it('an ambiguous outcome blocks every other payment until it is known, then settles from the ledger', async () => {
    const { w, link } = await ready({ links: { waitMs: 300 } });
    const page = await openLink(link.url);
    const unknown = await submit(link.url, page, { ...CARD, number: '4000000000000259' });
    expect(unknown.status).toBe(202);
    expect(text(unknown.html)).toContain('Do not pay again');
    const pending = await w.links.status('INV-1001');
    expect(pending?.pendingKey).toMatch(/^link:INV-1001:v1:a1$/);
    // Another card, another tab: not charged while the first outcome is unknown.
    const second = await submit(link.url, page, CARD);
    expect(second.status).toBe(202);
    expect(text((await openLink(link.url)).html)).toContain('Your payment is being confirmed');
    expect(w.charges()).toBe(1);
    // Reconciliation finds the gateway charged it: the link reads that from the ledger.
    const tx = (await w.store.getClaim('sale:link:INV-1001:v1:a1'))!.transactionId!;
    const attempt = (await w.store.listAttempts(tx))[0]!;
    await w.store.write({
      attempt: { id: attempt.id, from: ['pending'], patch: { status: 'approved', settledAt: Date.now() } },
      transaction: { id: tx, from: ['pending'], patch: { status: 'captured', updatedAt: Date.now() }, add: { captured: 12_500 } },
    });
    expect(text((await openLink(link.url)).html)).toContain('is already paid');
    expect(await w.links.status('INV-1001')).toMatchObject({ status: 'paid', transactionId: tx });
    expect(w.charges()).toBe(1);
  });

  it('limits payment attempts per link and per client IP in an hour, counted in the store', async () => {
    const { w, link } = await ready({ links: { limits: { perLinkPerHour: 2, perIpPerHour: 3 } } });
    const page = await openLink(link.url);
    const decline = { ...CARD, number: '4000000000000002' };
    expect((await submit(link.url, page, decline)).status).toBe(402);
    expect((await submit(link.url, page, decline)).status).toBe(402);
    const refused = await submit(link.url, page, CARD);
    expect(refused.status).toBe(429);
    expect(text(refused.html)).toContain('Too many payment attempts');
    expect(w.charges()).toBe(2);
    // The same IP on another invoice: one attempt left of its 3.
    w.invoices.set('INV-2', openInvoice());
    const l2 = await w.links.create('INV-2');
    const p2 = await openLink(l2.url);
    expect((await submit(l2.url, p2, decline)).status).toBe(402);
    expect((await submit(l2.url, p2, CARD)).status).toBe(429);
    expect(w.charges()).toBe(3);
  });

  it('checks its options', async () => {
    const { w } = await ready();
    const base = {
      router: w.router,
      profile: 'invoices',
      secret: SECRET,
      baseUrl: 'https://pay.example.com/pay',
      invoice: () => undefined,
    };
    expect(() => createPaymentLinks({ ...base, secret: 'short' })).toThrow(/secret: at least 32 characters/);
    expect(() => createPaymentLinks({ ...base, baseUrl: 'pay' })).toThrow(/baseUrl/);
    expect(() => createPaymentLinks({ ...base, profile: 'nope' })).toThrow(/profile: the router has no profile "nope"/);
    expect(() => createPaymentLinks({ ...base, limits: { perIpPerHour: 0 } })).toThrow(/limits.perIpPerHour/);
  });
});
