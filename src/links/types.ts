/**
 * The shapes of payment links: what the merchant's invoice callback answers, what `create` issues,
 * and the options of `createPaymentLinks`.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Router } from '../router';

/** An invoice as the merchant's system describes it, read when the page opens and again when the customer pays. */
export interface InvoiceDetails {
  /** Amount due, integer minor units. */
  amount: number;
  /** ISO 4217. */
  currency: string;
  /** `paid` (by any channel) shows "already paid"; `void` shows that there is nothing to pay. */
  status: 'open' | 'paid' | 'void';
  /** Passed to the router (rules, risk checks); `name` is shown on the page. */
  customer?: { id?: string | undefined; email?: string | undefined; name?: string | undefined; country?: string | undefined } | undefined;
  /** Shown on the page. */
  description?: string | undefined;
  /** Shown on the page. */
  dueAt?: Date | string | number | undefined;
  /** When it was paid through another channel (shown as the date on "already paid"). */
  paidAt?: Date | string | number | undefined;
}

/** A link just issued. */
export interface IssuedLink {
  invoiceId: string;
  url: string;
  /** The token at the end of `url`. */
  token: string;
  version: number;
  expiresAt: Date;
}

/** What `onNewLink` is told: a link issued because the customer opened an expired one. */
export interface NewLinkNotice extends IssuedLink {
  reason: 'expired';
}

/** Options of `createPaymentLinks`. */
export interface PaymentLinksOptions {
  router: Router;
  /** Routing profile of the sales. */
  profile: string;
  /** HMAC key of link tokens and form tokens: at least 32 characters, from your secrets manager. */
  secret: string;
  /** Where `handler` is mounted, as the customer reaches it: links are `<baseUrl>/<token>`. */
  baseUrl: string;
  /** The invoice's current state; `undefined` for an unknown invoice. */
  invoice: (invoiceId: string) => Promise<InvoiceDetails | undefined> | InvoiceDetails | undefined;
  /** Lifetime of a link, in hours. Default 72. */
  ttlHours?: number | undefined;
  /** Called with the new link when a customer opens an expired one: e-mail it. Errors are caught. */
  onNewLink?: ((link: NewLinkNotice) => unknown) | undefined;
  /** Shown on the page: your name, the statement descriptor (default: the first MID's), how to reach you. */
  merchant?: { name?: string | undefined; descriptor?: string | undefined; contact?: string | undefined } | undefined;
  /** Card-testing protection: payment attempts per link and per client IP in a UTC clock hour. Defaults 5 and 10. */
  limits?: { perLinkPerHour?: number | undefined; perIpPerHour?: number | undefined } | undefined;
  /** The client's IP. Default: the socket's address; behind a proxy, read the header your proxy sets. */
  clientIp?: ((req: IncomingMessage) => string | undefined) | undefined;
  /** How long a second submit waits for the first one's result before showing "in progress", in ms. Default 20 000. */
  waitMs?: number | undefined;
  /** Milliseconds since epoch. Default: the router's clock. */
  clock?: (() => number) | undefined;
  /** Told about unexpected errors the page answered with a 500 (for your logs; carries no card data). */
  onError?: ((error: unknown) => void) | undefined;
}
