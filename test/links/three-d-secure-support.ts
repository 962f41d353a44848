/**
 * Payment links over a fake Stripe on loopback (real HTTP): a 3-D Secure card gets Stripe's
 * redirect action, the fake hosts the issuer's challenge page and sends the browser back to the
 * return URL the link gave the sale. Helpers walk the flow over HTTP with the browser's cookies.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayAdapter } from '../../src/adapter';
import { createPaymentLinks, type InvoiceDetails, type PaymentLinks, type PaymentLinksOptions } from '../../src/links';
import { createRouter, type Router } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';
import { adapterFor } from '../adapters/stripe/support';
import { type StripeFake, startStripeFake } from '../fakes/stripe';
import { type Fetched, SECRET } from './support';

/** Everything a 3-D Secure links test needs. */
export interface StripeLinksWorld {
  router: Router;
  links: PaymentLinks;
  store: Store;
  fake: StripeFake;
  invoices: Map<string, InvoiceDetails>;
  base: string;
  server: Server;
  /** PaymentIntents the fake charged (succeeded or authorized). */
  charged(): number;
  close(): Promise<void>;
}

/** A router over one fake Stripe MID, payment links on `/pay` served on 127.0.0.1. */
export async function stripeLinksWorld(
  opts: {
    store?: Store;
    clock?: () => number;
    links?: Partial<PaymentLinksOptions>;
    /** Wrap the Stripe adapter (e.g. to drop the return URL, so Stripe answers with its SDK action). */
    wrap?: (adapter: GatewayAdapter) => GatewayAdapter;
    /** The host name in link URLs (the server listens on 127.0.0.1): `localhost` makes the link another site than the bank. */
    host?: string;
  } = {},
): Promise<StripeLinksWorld> {
  const fake = await startStripeFake();
  const store = opts.store ?? memoryStore();
  const router = createRouter({
    merchantAccounts: [
      {
        id: 'stripe-inv',
        adapter: opts.wrap ? opts.wrap(adapterFor(fake)) : adapterFor(fake),
        currencies: ['USD'],
        descriptor: 'ACME*INVOICES',
      },
    ],
    profiles: [{ id: 'invoices', pools: { main: { strategy: 'priority', members: [{ mid: 'stripe-inv' }] } }, route: ['main'] }],
    store,
    ...(opts.clock && { clock: opts.clock }),
  });
  const invoices = new Map<string, InvoiceDetails>();
  let links: PaymentLinks | undefined;
  const server = createServer((req, res) => links!.handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}/pay`;
  links = createPaymentLinks({
    router,
    profile: 'invoices',
    secret: SECRET,
    baseUrl: base,
    invoice: (id) => invoices.get(id),
    merchant: { name: 'Acme Wholesale', contact: 'billing@acme.example' },
    ...opts.links,
  });
  return {
    router,
    links,
    store,
    fake,
    invoices,
    base,
    server,
    charged: () => [...fake.intents.values()].filter((pi) => pi.status === 'succeeded' || pi.status === 'requires_capture').length,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await router.close();
      await fake.close();
    },
  };
}

/** A cookie jar of `name=value` pairs, as a browser keeps them for one site. */
export class Jar {
  readonly cookies = new Map<string, string>();
  /** Keep the cookies a response sets (one `set-cookie` each). */
  take(headers: Headers): void {
    for (const c of headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  }
  get header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** GET `url` with the jar's cookies (no redirect followed). */
export async function get(url: string, jar: Jar): Promise<Fetched & { location?: string | undefined }> {
  const res = await fetch(url, { headers: { cookie: jar.header }, redirect: 'manual' });
  jar.take(res.headers);
  return read(res);
}

/** POST a form to `url` with the jar's cookies (no redirect followed). */
export async function post(url: string, jar: Jar, fields: Record<string, string>): Promise<Fetched & { location?: string | undefined }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  jar.take(res.headers);
  return read(res);
}

async function read(res: Response): Promise<Fetched & { location?: string | undefined }> {
  const html = await res.text();
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[m[1]!] = m[2]!.replaceAll('&#39;', "'");
  return { status: res.status, html, headers: res.headers, hidden, location: res.headers.get('location') ?? undefined };
}

/** The bank's URL a challenge page sends the browser to (its meta refresh, or its continue link). */
export function bankUrl(html: string): string | undefined {
  const m = /<a id="continue" href="([^"]+)"/.exec(html);
  return m ? m[1]!.replaceAll('&amp;', '&') : undefined;
}
