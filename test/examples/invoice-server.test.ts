/**
 * The example invoice server, started with its documented command on a free port and a fresh
 * SQLite file: a link is created over HTTP, its page paid with a test card, the receipt shown,
 * the link then says "already paid"; an invoice marked paid by bank transfer says so; no card
 * number reaches the server's output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD, openLink, submit, text } from '../links/support';
import { type RunningExample, startExample } from './run';

let server: RunningExample | undefined;
let url = '';
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-invoices-'));
  server = await startExample('examples/invoice-server/index.ts', {
    SWITCHYARD_DB: join(dir, 'invoices.db'),
    LINK_SECRET: 'example-secret-0123456789-abcdefghijkl',
  });
  url = server.url;
}, 30_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('examples/invoice-server', () => {
  it('issues a link, takes the payment on its page, then says already paid', async () => {
    const created = await fetch(`${url}/invoices/INV-1001/link`, { method: 'POST' });
    expect(created.status).toBe(200);
    const { url: link } = (await created.json()) as { url: string };
    expect(link.startsWith(`${url}/pay/`)).toBe(true);
    const page = await openLink(link);
    expect(text(page.html)).toContain('$1,250.00');
    const paid = await submit(link, page, CARD);
    expect(text(paid.html)).toContain('Payment received');
    expect(text((await openLink(link)).html)).toContain('Invoice INV-1001 is already paid');
  });

  it('marks an invoice paid by bank transfer, and refuses an unknown one', async () => {
    const { url: link } = (await (await fetch(`${url}/invoices/INV-1002/link`, { method: 'POST' })).json()) as { url: string };
    expect((await fetch(`${url}/invoices/INV-1002/paid`, { method: 'POST' })).status).toBe(200);
    expect(text((await openLink(link)).html)).toContain('bank transfer');
    const unknown = await fetch(`${url}/invoices/INV-9/link`, { method: 'POST' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'invoiceId: no invoice "INV-9"' });
  });

  it('never prints a card number', () => {
    expect(server!.output()).not.toMatch(/4111\s?1111\s?1111\s?1111/);
  });
});
