/**
 * `switchyard/links`: payment links for invoices. A signed URL per invoice, a hosted payment page
 * (node:http handler), link state in the router's store, and one charge per invoice however often
 * the customer clicks, reloads or retries.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routerContext } from '../router';
import type { PaymentLinkRecord } from '../store/types';
import { createLinkPages } from './pages';
import { createLinkState } from './state';
import { signLinkToken } from './token';
import type { IssuedLink, PaymentLinksOptions } from './types';

export { signLinkToken, readLinkToken, signReturnToken, readReturnToken, type LinkClaims, type TokenCheck } from './token';
export { escapeHtml, contentSecurityPolicy } from './html';
export { shopperAdvice } from './advice';
export { checkCardForm, type CardForm, type FormCheck } from './form';
export type { PaymentLinkRecord } from '../store/types';
export type { InvoiceDetails, IssuedLink, NewLinkNotice, PaymentLinksOptions } from './types';

/** Payment links of one router and profile. */
export interface PaymentLinks {
  /**
   * Issue a link for an invoice. A new link supersedes the invoice's earlier ones (their pages say
   * so); a paid invoice keeps its link, whose page says "already paid".
   * @throws PaymentLinkError `unknown_invoice`, `void_invoice` or `invalid_invoice_id`.
   */
  create(invoiceId: string): Promise<IssuedLink>;
  /** Record that the invoice was paid another way (`by`: e.g. 'bank transfer'): every link of it then says "already paid". */
  markPaid(invoiceId: string, options: { by: string; at?: Date | number | undefined }): Promise<PaymentLinkRecord>;
  /** The invoice's link state (version, status, attempts, paying transaction). */
  status(invoiceId: string): Promise<PaymentLinkRecord | undefined>;
  /** The hosted page: a node:http request handler, mountable in Express (`app.use('/pay', links.handler)`) or Fastify. */
  handler: (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;
}

/** Why `create` or `markPaid` refused. */
export class PaymentLinkError extends Error {
  constructor(
    readonly code: 'unknown_invoice' | 'void_invoice' | 'invalid_invoice_id' | 'busy',
    message: string,
  ) {
    super(message);
    this.name = 'PaymentLinkError';
  }
}

/** An invoice id: 1–200 printable characters (it appears in the link, so no personal data). */
export function isInvoiceId(id: unknown): id is string {
  return typeof id === 'string' && id.length >= 1 && id.length <= 200 && !/[\u0000-\u001f\u007f]/.test(id);
}

function checkOptions(o: PaymentLinksOptions): void {
  const problems: string[] = [];
  if (!o || typeof o !== 'object') throw new TypeError('createPaymentLinks: options: required');
  if (typeof o.secret !== 'string' || o.secret.length < 32) problems.push('secret: at least 32 characters');
  if (typeof o.profile !== 'string' || !o.profile) problems.push('profile: a profile id of the router');
  if (typeof o.invoice !== 'function') problems.push('invoice: a function (invoiceId) => invoice details');
  try {
    const u = new URL(o.baseUrl);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push('baseUrl: an http(s) URL');
  } catch {
    problems.push('baseUrl: an absolute URL, e.g. https://pay.example.com/pay');
  }
  if (o.ttlHours !== undefined && !(o.ttlHours > 0)) problems.push('ttlHours: a positive number');
  for (const k of ['perLinkPerHour', 'perIpPerHour'] as const) {
    const v = o.limits?.[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) problems.push(`limits.${k}: a whole number ≥ 1`);
  }
  if (problems.length) throw new TypeError(`createPaymentLinks: ${problems.join('; ')}`);
}

/**
 * Payment links for invoices.
 * @example
 * const links = createPaymentLinks({
 *   router, profile: 'invoices', secret: process.env.LINK_SECRET!, baseUrl: 'https://pay.example.com/pay',
 *   invoice: async (id) => ({ amount: 12_500, currency: 'USD', status: 'open', description: 'Consulting, November' }),
 *   onNewLink: async ({ invoiceId, url }) => mailer.send(invoiceId, url),
 * });
 * const { url } = await links.create('INV-1001');   // put it in the invoice e-mail
 * http.createServer(links.handler).listen(8080);    // or app.use('/pay', links.handler)
 */
export function createPaymentLinks(options: PaymentLinksOptions): PaymentLinks {
  checkOptions(options);
  const ctx = routerContext(options.router);
  if (!ctx.profiles.has(options.profile))
    throw new TypeError(`createPaymentLinks: profile: the router has no profile "${options.profile}"`);
  const clock = options.clock ?? ctx.clock;
  const base = options.baseUrl.replace(/\/+$/, '');
  const ttlMs = (options.ttlHours ?? 72) * 3_600_000;
  const state = createLinkState(ctx.store, clock, ctx.leaseMs);

  const issue = (record: PaymentLinkRecord): IssuedLink => {
    const token = signLinkToken(options.secret, { invoiceId: record.invoiceId, version: record.version, expiresAt: record.expiresAt });
    return { invoiceId: record.invoiceId, url: `${base}/${token}`, token, version: record.version, expiresAt: new Date(record.expiresAt) };
  };
  /** A new version of the invoice's link (unless `keep` says the current one stays). */
  const renew = async (invoiceId: string, keep: (cur: PaymentLinkRecord) => boolean) => {
    let renewed = false;
    const record = await state.update(invoiceId, (cur) => {
      renewed = false;
      if (cur && (cur.status === 'paid' || keep(cur))) return undefined;
      renewed = true;
      const now = clock();
      // Whole seconds: the token carries its expiry in seconds.
      const expiresAt = Math.floor((now + ttlMs) / 1000) * 1000;
      return cur
        ? { ...cur, version: cur.version + 1, expiresAt, updatedAt: now }
        : { invoiceId, version: 1, status: 'open', expiresAt, attempts: 0, revision: 0, createdAt: now, updatedAt: now };
    });
    return { record, renewed };
  };

  const pages = createLinkPages({
    options,
    ctx,
    clock,
    state,
    issue,
    renew: async (invoiceId, fromVersion) => {
      const { record, renewed } = await renew(invoiceId, (cur) => cur.version !== fromVersion);
      if (renewed && options.onNewLink) {
        try {
          await options.onNewLink({ ...issue(record), reason: 'expired' });
        } catch (e) {
          options.onError?.(e);
          return { sent: false };
        }
        return { sent: true };
      }
      return { sent: renewed ? false : options.onNewLink !== undefined };
    },
  });

  return {
    async create(invoiceId) {
      if (!isInvoiceId(invoiceId)) throw new PaymentLinkError('invalid_invoice_id', 'invoiceId: 1 to 200 printable characters');
      const invoice = await options.invoice(invoiceId);
      if (!invoice) throw new PaymentLinkError('unknown_invoice', `invoiceId: no invoice "${invoiceId}"`);
      if (invoice.status === 'void') throw new PaymentLinkError('void_invoice', `invoiceId: invoice "${invoiceId}" is void`);
      const { record } = await renew(invoiceId, () => false);
      return issue(record);
    },
    async markPaid(invoiceId, { by, at }) {
      if (!isInvoiceId(invoiceId)) throw new PaymentLinkError('invalid_invoice_id', 'invoiceId: 1 to 200 printable characters');
      if (typeof by !== 'string' || !by.trim()) throw new TypeError('markPaid: by: say how it was paid, e.g. "bank transfer"');
      return state.markPaid(invoiceId, by.trim().slice(0, 100), at === undefined ? clock() : +at);
    },
    status: (invoiceId) => ctx.store.getLink(invoiceId),
    handler: (req, res) => {
      pages.handle(req, res).catch((e) => {
        options.onError?.(e);
        if (!res.headersSent) {
          res.statusCode = 500;
          res.setHeader('content-type', 'text/plain; charset=utf-8');
          res.end('Something went wrong. Reload the page in a moment.');
        } else res.end();
      });
    },
  };
}
