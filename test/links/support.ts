/** Test fixtures of payment links: a sandbox router, links over it, a loopback server, form helpers. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sandbox, type SandboxOptions } from '../../adapters/sandbox';
import { createPaymentLinks, type InvoiceDetails, type PaymentLinks, type PaymentLinksOptions } from '../../src/links';
import { createRouter, type Router } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';

export const SECRET = 'test-secret-0123456789-abcdefghijklmnop';

/** A mutable invoice book the `invoice` callback reads. */
export type InvoiceBook = Map<string, InvoiceDetails>;

/** Everything a links test needs. */
export interface LinksWorld {
  router: Router;
  links: PaymentLinks;
  store: Store;
  invoices: InvoiceBook;
  gateway: ReturnType<typeof sandbox>;
  newLinks: Array<{ invoiceId: string; url: string }>;
  /** Base URL of the loopback server (`<origin>/pay`). */
  base: string;
  server: Server;
  references: Set<string>;
  /** Payment attempts the gateway received so far (distinct references). */
  charges(): number;
  /** Payments the gateway approved so far. */
  approved(): number;
  close(): Promise<void>;
}

/** A router over one sandbox MID, payment links on `/pay`, served on 127.0.0.1. */
export async function linksWorld(
  opts: {
    store?: Store;
    gateway?: SandboxOptions;
    links?: Partial<PaymentLinksOptions>;
    clock?: () => number;
    timeouts?: { attemptMs: number; totalMs: number };
    /** Share another world's gateway and invoices (a second server on the same database). */
    share?: LinksWorld;
  } = {},
): Promise<LinksWorld> {
  const store = opts.store ?? memoryStore();
  const gateway = opts.share?.gateway ?? sandbox({ id: 'sandbox', ...opts.gateway });
  // Every payment attempt the gateway received, by our reference (a resend of one attempt is the same charge).
  const references: Set<string> = opts.share?.references ?? new Set();
  const adapter = Object.create(gateway) as typeof gateway;
  adapter.sale = (req, o) => {
    references.add(req.reference);
    return gateway.sale(req, o);
  };
  adapter.authorize = (req, o) => {
    references.add(req.reference);
    return gateway.authorize(req, o);
  };
  const router = createRouter({
    merchantAccounts: [{ id: 'mid-inv', adapter, currencies: ['USD', 'EUR'], descriptor: 'ACME*INVOICES' }],
    profiles: [{ id: 'invoices', pools: { main: { strategy: 'priority', members: [{ mid: 'mid-inv' }] } }, route: ['main'] }],
    store,
    ...(opts.clock && { clock: opts.clock }),
    timeouts: opts.timeouts ?? { attemptMs: 5_000, totalMs: 10_000 },
  });
  const invoices: InvoiceBook = opts.share?.invoices ?? new Map();
  const newLinks: Array<{ invoiceId: string; url: string }> = opts.share?.newLinks ?? [];
  const server = createServer((req, res) => links.handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pay`;
  const links = createPaymentLinks({
    router,
    profile: 'invoices',
    secret: SECRET,
    baseUrl: base,
    invoice: (id) => invoices.get(id),
    merchant: { name: 'Acme Wholesale', contact: 'billing@acme.example' },
    onNewLink: ({ invoiceId, url }) => {
      newLinks.push({ invoiceId, url });
    },
    ...opts.links,
  });
  return {
    router,
    links,
    store,
    invoices,
    gateway,
    newLinks,
    base,
    server,
    references,
    charges: () => references.size,
    approved: () => gateway.charges.size,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      if (!opts.share) await router.close();
    },
  };
}

/** An open invoice of $125.00. */
export function openInvoice(over: Partial<InvoiceDetails> = {}): InvoiceDetails {
  return {
    amount: 12_500,
    currency: 'USD',
    status: 'open',
    customer: { id: 'cust-7', email: 'ap@buyer.example', name: 'Buyer Ltd', country: 'US' },
    description: 'Consulting, November',
    dueAt: '2026-12-31',
    ...over,
  };
}

/** A page as fetched: status, HTML, headers, and the form's hidden fields and cookie. */
export interface Fetched {
  status: number;
  html: string;
  headers: Headers;
  cookie?: string | undefined;
  hidden: Record<string, string>;
}

/** GET a link (with a cookie, if given). */
export async function openLink(url: string, cookie?: string): Promise<Fetched> {
  const res = await fetch(url, { headers: cookie ? { cookie } : {} });
  return fetched(res);
}

async function fetched(res: Response): Promise<Fetched> {
  const html = await res.text();
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[m[1]!] = m[2]!.replaceAll('&#39;', "'");
  const set = res.headers.get('set-cookie');
  return { status: res.status, html, headers: res.headers, cookie: set ? set.split(';')[0] : undefined, hidden };
}

/** Card fields of the form. */
export const CARD = { name: 'Ada Buyer', number: '4111 1111 1111 1111', exp: '12 / 30', cvc: '123' };

/** POST the form of `page` (its cookie and hidden fields) with card fields. */
export async function submit(url: string, page: Fetched, fields: Record<string, string> = CARD, cookie = page.cookie): Promise<Fetched> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie && { cookie }) },
    body: new URLSearchParams({ ...page.hidden, ...fields }).toString(),
  });
  return fetched(res);
}

/** The visible text of a page (tags dropped, entities of the escaper decoded). */
export function text(html: string): string {
  return html
    .replace(/<style[^]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
