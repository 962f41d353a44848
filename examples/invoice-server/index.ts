/**
 * An invoice server with payment links: every invoice gets a signed link to a hosted card page.
 *
 *   LINK_SECRET=$(openssl rand -base64 32) npx tsx examples/invoice-server/index.ts
 *
 * Environment: `PORT` (default 3001; 0 picks a free port), `SWITCHYARD_DB` (SQLite file, default
 * ./invoices.db), `LINK_SECRET` (at least 32 characters; a random one per run when unset, so
 * links die with the process), `PUBLIC_URL` (how customers reach this server; default its
 * own address). It prints `listening on <url>`, then each "e-mail" it would send.
 *
 *   curl -s -X POST localhost:3001/invoices/INV-1001/link     → {"url":"http://localhost:3001/pay/…"}
 *   open the url, pay with 4111 1111 1111 1111, any future expiry, any CVC
 *   curl -s -X POST localhost:3001/invoices/INV-1002/paid     → marks it paid by bank transfer
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
// In your project: import { sandbox } from 'switchyard/adapters/sandbox';
import { sandbox } from '../../adapters/sandbox';
// In your project: import { createRouter, defineProfile, sqliteStore } from 'switchyard';
import { createRouter, defineProfile, sqliteStore } from '../../src/index';
// In your project: import { createPaymentLinks, PaymentLinkError, type InvoiceDetails } from 'switchyard/links';
import { createPaymentLinks, type InvoiceDetails, PaymentLinkError } from '../../src/links';

/** The merchant's invoices (a database in real life). */
export const INVOICES = new Map<string, InvoiceDetails>([
  [
    'INV-1001',
    {
      amount: 125_000,
      currency: 'USD',
      status: 'open',
      description: 'Wholesale order #5531: 50 cases',
      customer: { id: 'cust-7', email: 'ap@buyer.example', name: 'Buyer Ltd', country: 'US' },
      dueAt: '2026-12-31',
    },
  ],
  ['INV-1002', { amount: 48_000, currency: 'USD', status: 'open', description: 'Support plan, December', dueAt: '2026-12-15' }],
]);

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Start the server from the environment; resolves with its URL once it listens. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; close: () => Promise<void> }> {
  const port = Number(env.PORT ?? 3001);
  const store = sqliteStore({ path: env.SWITCHYARD_DB ?? 'invoices.db' });
  const router = createRouter({
    merchantAccounts: [{ id: 'mid-inv', adapter: sandbox({ id: 'mid-inv' }), currencies: ['USD'], descriptor: 'ACME*INVOICES' }],
    profiles: [
      defineProfile({ id: 'invoices', pools: { main: { strategy: 'priority', members: [{ mid: 'mid-inv' }] } }, route: ['main'] }),
    ],
    store,
  });
  let links: ReturnType<typeof createPaymentLinks> | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/pay/')) return links!.handler(req, res);
    const m = /^\/invoices\/([^/]+)\/(link|paid)$/.exec(path);
    if (req.method !== 'POST' || !m) return json(res, 404, { error: 'POST /invoices/<id>/link or /invoices/<id>/paid' });
    const id = decodeURIComponent(m[1]!);
    const done =
      m[2] === 'link'
        ? links!.create(id).then((l) => ({ url: l.url, expiresAt: l.expiresAt }))
        : links!.markPaid(id, { by: 'bank transfer' });
    done.then(
      (body) => json(res, 200, body),
      (e: unknown) => json(res, e instanceof PaymentLinkError ? 400 : 500, { error: e instanceof Error ? e.message : String(e) }),
    );
  });
  await new Promise<void>((r) => server.listen(port, env.HOST ?? '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  links = createPaymentLinks({
    router,
    profile: 'invoices',
    secret: env.LINK_SECRET ?? randomBytes(32).toString('base64url'),
    baseUrl: `${env.PUBLIC_URL ?? url}/pay`,
    invoice: (id) => INVOICES.get(id),
    merchant: { name: 'Acme Wholesale', contact: 'billing@acme.example' },
    onNewLink: ({ invoiceId, url: link }) =>
      console.log(`e-mail to ${INVOICES.get(invoiceId)?.customer?.email ?? 'the customer'}: new link for ${invoiceId}: ${link}`),
    onError: (e) => console.error('payment page error:', e instanceof Error ? e.message : e),
  });
  console.log(`listening on ${url}`);
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await router.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (running) => {
      const stop = () => running.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
