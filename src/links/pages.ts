/**
 * The hosted payment page: opening a link (token, link state, invoice), the form, and paying.
 * Every answer is a whole HTML page with security headers; a refused link says what to do.
 *
 * 3-D Secure: a redirect action sends the shopper to the bank (script-free, see `challengePage`)
 * with a return URL `<link>/3ds/a<attempt>.<sig>` given to the sale. The signature binds the
 * invoice, link version and attempt to a random value kept in an HttpOnly cookie of this browser,
 * so the URL carries nothing personal, cannot be forged, and is worthless elsewhere. The return
 * calls `completeAction` only while that attempt is the link's pending payment (single use: the
 * link settles once, conditionally on its pending key); afterwards it just shows the outcome.
 *
 * Actions for a gateway SDK in the browser (Stripe.js `use_stripe_sdk`, Adyen native 3DS2,
 * Braintree `verifyCard`, NMI Gateway.js) are not run: they need the gateway's script, frames and
 * connections from its origins, which a page with no script and no external asset cannot allow.
 * The shopper is told so and may use another card; nothing was charged.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouterContext } from '../context';
import { isDeclineReason } from '../declines/reasons';
import { currencyExponent, isCurrency } from '../money';
import type { AttemptCounter, PaymentLinkRecord } from '../store/types';
import type { RouterResult } from '../transaction/results';
import type { CompletionInput, RequiredAction } from '../types';
import { shopperAdvice } from './advice';
import { checkCardForm, readForm } from './form';
import { type BankStep, challengePage, contentSecurityPolicy, type FormView, formPage, messagePage, type RenderedPage } from './html';
import type { InvoiceDetails, IssuedLink, PaymentLinksOptions } from './types';
import { attemptKey, isRedirect, type LinkState, saleKey } from './state';
import { type LinkClaims, readLinkToken, readReturnToken, signLinkToken, signReturnToken } from './token';

const HOUR = 3_600_000;
const COOKIE = 'switchyard_link_csrf';

interface Deps {
  options: PaymentLinksOptions;
  ctx: RouterContext;
  clock: () => number;
  state: LinkState;
  issue: (record: PaymentLinkRecord) => IssuedLink;
  /** Issue the next version after an expired `fromVersion`; `sent`: whether the customer is told of it. */
  renew: (invoiceId: string, fromVersion: number) => Promise<{ sent: boolean }>;
}

/** A link that may be paid: its state, the invoice as it is now, and what the token said. */
interface OpenLink {
  link: PaymentLinkRecord;
  invoice: InvoiceDetails;
  claims: LinkClaims;
}

type Answer = { page: RenderedPage; cookie?: string | undefined; challengeCookie?: string | undefined };

/** What a gateway appends to the 3-D Secure return URL, as `completeAction` input (nothing else is read). */
function completionInputOf(query: URLSearchParams): CompletionInput {
  const input: CompletionInput = {};
  const take = (name: string, field: 'paymentIntent' | 'sessionId' | 'redirectResult') => {
    const v = query.get(name);
    if (v && v.length <= 20_000) input[field] = v;
  };
  take('payment_intent', 'paymentIntent');
  take('cko-session-id', 'sessionId');
  take('redirectResult', 'redirectResult');
  return input;
}

/** The bank step of a redirect action. */
function bankStep(action: Extract<RequiredAction, { type: 'redirect' }>): BankStep {
  return { url: action.url, method: action.method, ...(action.data && { data: action.data }) };
}

/**
 * Amount in minor units as the customer reads it.
 * @example
 * formatAmount(123456, 'USD') // '$1,234.56'
 * formatAmount(5000, 'JPY')   // '¥5,000'
 */
export function formatAmount(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: exp, maximumFractionDigits: exp }).format(
    minor / 10 ** exp,
  );
}

/** A date as the customer reads it, in UTC. */
function formatDate(at: Date | string | number | undefined): string | undefined {
  if (at === undefined) return undefined;
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? undefined : new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

/** The cookie value of `name`, if the request has one. */
function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** The hosted pages of one `createPaymentLinks`. */
export function createLinkPages(deps: Deps) {
  const { options, ctx, clock, state } = deps;
  const merchantName = options.merchant?.name ?? 'Invoice payment';
  const descriptor = options.merchant?.descriptor ?? [...ctx.mids.values()].find((m) => m.merchant.descriptor)?.merchant.descriptor;
  const contact = options.merchant?.contact ? ` (${options.merchant.contact})` : '';
  const ask = `${merchantName}${contact}`;
  const base = new URL(options.baseUrl);
  const cookieAttrs = `Path=${base.pathname.replace(/\/+$/, '') || '/'}; HttpOnly; SameSite=Strict${base.protocol === 'https:' ? '; Secure' : ''}`;
  const perLink = options.limits?.perLinkPerHour ?? 5;
  const perIp = options.limits?.perIpPerHour ?? 10;
  const waitMs = options.waitMs ?? 20_000;
  const linkBase = options.baseUrl.replace(/\/+$/, '');
  const linkPath = base.pathname.replace(/\/+$/, '');

  const challengeCookieName = (invoiceId: string) =>
    `switchyard_link_3ds_${createHmac('sha256', options.secret).update(`switchyard-link-3ds-cookie\n${invoiceId}`).digest('base64url').slice(0, 12)}`;
  /** The challenge cookie: Lax, because the bank sends the browser back by a cross-site top-level GET. */
  const challengeCookie = (invoiceId: string, nonce: string, expiresAt: number) => {
    const maxAge = Math.max(60, Math.ceil((expiresAt - ctx.clock()) / 1000) + 3600);
    return `${challengeCookieName(invoiceId)}=${nonce}; ${cookieAttrs.replace('SameSite=Strict', 'SameSite=Lax')}; Max-Age=${maxAge}`;
  };
  const nonceOf = (req: IncomingMessage, invoiceId: string) => {
    const v = cookieOf(req, challengeCookieName(invoiceId));
    return v && /^[A-Za-z0-9_-]{43}$/.test(v) ? v : undefined;
  };
  const csrfFor = (cookie: string, invoiceId: string) =>
    createHmac('sha256', options.secret).update(`switchyard-link-csrf\n${cookie}\n${invoiceId}`).digest('base64url');
  const csrfValid = (req: IncomingMessage, invoiceId: string, given: string | undefined) => {
    const cookie = cookieOf(req, COOKIE);
    if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie) || typeof given !== 'string') return false;
    const a = Buffer.from(given);
    const b = Buffer.from(csrfFor(cookie, invoiceId));
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const message = (
    status: number,
    title: string,
    text: string,
    tone: 'bad' | 'info' | 'good',
    details?: Array<[string, string | undefined]>,
  ) => ({
    page: messagePage(status, { merchantName, title, text, tone, details }),
  });
  const invalid = () =>
    message(
      400,
      'This payment link is not valid',
      `Check that you opened the whole link from your invoice e-mail (long links are sometimes cut in two). If it still does not work, ask ${ask} for a new link.`,
      'bad',
    );

  /** "Already paid" (or, right after paying, the receipt), with the date, for every link version. */
  async function paidPage(link: PaymentLinkRecord, receipt: boolean): Promise<Answer> {
    const tx = link.transactionId ? await ctx.store.getTransaction(link.transactionId).catch(() => undefined) : undefined;
    const by = link.paidBy === 'card' || !link.paidBy ? (tx?.card ? `Card ending ${tx.card.last4}` : 'Card') : link.paidBy;
    const details: Array<[string, string | undefined]> = [
      ['Invoice', link.invoiceId],
      ['Amount paid', tx ? formatAmount(tx.amount, tx.currency) : undefined],
      ['Paid on', formatDate(link.paidAt)],
      ['Paid by', by],
      ['Reference', tx?.id],
      ['On your statement', tx ? descriptor : undefined],
    ];
    return receipt
      ? message(200, 'Payment received', `Thank you: invoice ${link.invoiceId} is paid. Keep this page for your records.`, 'good', details)
      : message(
          200,
          `Invoice ${link.invoiceId} is already paid`,
          `This invoice was paid on ${formatDate(link.paidAt) ?? 'an earlier date'}. There is nothing more to pay.`,
          'good',
          details,
        );
  }

  const inProgress = (link: PaymentLinkRecord) =>
    message(
      202,
      'Your payment is being confirmed',
      `We are still waiting for the bank's answer for invoice ${link.invoiceId}. Do not pay again: reload this page in a few minutes to see the result. If it still says this tomorrow, contact ${ask}.`,
      'info',
    );

  /** Read the invoice, checking its shape; `undefined` when it cannot be read now. */
  async function loadInvoice(invoiceId: string): Promise<InvoiceDetails | 'unknown' | undefined> {
    try {
      const inv = await options.invoice(invoiceId);
      if (!inv) return 'unknown';
      if (
        !Number.isSafeInteger(inv.amount) ||
        inv.amount <= 0 ||
        !isCurrency(inv.currency) ||
        !['open', 'paid', 'void'].includes(inv.status)
      ) {
        throw new TypeError(
          `invoice ${invoiceId}: amount must be a positive integer (minor units), currency ISO 4217, status open/paid/void`,
        );
      }
      return inv;
    } catch (e) {
      options.onError?.(e);
      return undefined;
    }
  }

  /** Open a link: a page that refuses it or says it is paid, or the link to pay. */
  async function open(token: string): Promise<Answer | OpenLink> {
    const now = clock();
    const check = readLinkToken(options.secret, token, now);
    if (check.status === 'invalid') return invalid();
    const { claims } = check;
    let link = await ctx.store.getLink(claims.invoiceId);
    if (!link || claims.version > link.version) return invalid();
    link = await state.resolve(link);
    if (link.status === 'paid') return paidPage(link, false);
    if (claims.version < link.version) {
      return message(
        410,
        'This link was replaced by a newer one',
        `A newer payment link was sent for invoice ${claims.invoiceId}. Use the link in the most recent e-mail about this invoice, or ask ${ask} to send it again.`,
        'info',
      );
    }
    if (check.status === 'expired') {
      const { sent } = await deps.renew(claims.invoiceId, claims.version);
      return message(
        410,
        'This payment link has expired',
        sent
          ? `For your security, payment links expire. We have sent a new link for invoice ${claims.invoiceId} to the e-mail address on the invoice: use that one.`
          : `For your security, payment links expire. Ask ${ask} for a new link to invoice ${claims.invoiceId}.`,
        'info',
      );
    }
    const invoice = await loadInvoice(claims.invoiceId);
    if (invoice === undefined) {
      return message(503, 'This invoice cannot be shown right now', 'Nothing was charged. Reload this page in a few minutes.', 'bad');
    }
    if (invoice === 'unknown') return message(404, 'This invoice was not found', `Ask ${ask} about invoice ${claims.invoiceId}.`, 'bad');
    if (invoice.status === 'paid') {
      const at = invoice.paidAt === undefined ? now : +new Date(invoice.paidAt);
      return paidPage(await state.markPaid(claims.invoiceId, 'another payment method', Number.isNaN(at) ? now : at), false);
    }
    if (invoice.status === 'void') {
      return message(
        410,
        `Invoice ${claims.invoiceId} was cancelled`,
        `There is nothing to pay. Contact ${ask} if you think this is a mistake.`,
        'info',
      );
    }
    return { link, invoice, claims };
  }

  function formView(o: OpenLink, csrf: string, extra: Partial<FormView> = {}): FormView {
    const { invoice } = o;
    return {
      merchantName,
      descriptor,
      invoiceId: o.claims.invoiceId,
      description: invoice.description,
      customerName: invoice.customer?.name,
      dueAt: formatDate(invoice.dueAt),
      amountText: formatAmount(invoice.amount, invoice.currency),
      amount: invoice.amount,
      currency: invoice.currency,
      csrf,
      ...extra,
    };
  }

  /** The form, with a CSRF token bound to the request's cookie (a new cookie when it has none). */
  function form(req: IncomingMessage, o: OpenLink, status: number, extra: Partial<FormView> = {}): Answer {
    const existing = cookieOf(req, COOKIE);
    const cookie = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : randomBytes(32).toString('base64url');
    return {
      page: formPage(formView(o, csrfFor(cookie, o.claims.invoiceId), extra), status),
      ...(cookie !== existing && { cookie: `${COOKIE}=${cookie}; ${cookieAttrs}` }),
    };
  }

  /** What the customer is told after an attempt that charged nothing. */
  function adviceFor(result: RouterResult | undefined): string {
    if (!result || result.isOk()) return 'Your payment did not go through and nothing was charged. Try again, or use another card.';
    const f = result.error;
    switch (f.kind) {
      case 'declined':
        return shopperAdvice(f.decline.reason);
      case 'requires_action':
        return `Your bank asks you to confirm this payment in a way this page cannot show (it needs the bank's app or script). Nothing was charged: use another card, or contact ${ask}.`;
      case 'rejected': {
        if (f.rejection === 'validation') {
          const label = {
            'card.number': 'Card number',
            'card.expMonth': 'Expiry date',
            'card.expYear': 'Expiry date',
            'card.cvc': 'Security code (CVC)',
          }[f.field ?? ''];
          if (label) return `${label}: the card details were refused; check them and try again.`;
        }
        if (f.rejection === 'no_eligible_mid') return 'This card cannot be used for this invoice. Nothing was charged: use another card.';
        if (f.rejection === 'network_rule') return 'This card cannot be tried again for now. Nothing was charged: use another card.';
        if (f.rejection === 'authentication_abandoned')
          return 'The payment was not confirmed with your bank in time, so nothing was charged. Try again, or use another card.';
        if (isDeclineReason(f.rejection)) return shopperAdvice(f.rejection);
        return `This payment cannot be taken right now. Nothing was charged. Contact ${ask}.`;
      }
      default:
        return 'The payment could not be processed and nothing was charged. Try again in a few minutes, or use another card.';
    }
  }

  /** Opening a link whose payment waits for the bank: the wait page, or after its expiry the form again. */
  async function challengeOnOpen(req: IncomingMessage, o: OpenLink): Promise<Answer> {
    const key = o.link.pendingKey!;
    const link = await expireIfDue(o.link);
    if (link.status === 'paid') return paidPage(link, false);
    if (link.pendingKey) return link.challenge ? bankWait(req, link, o.invoice) : inProgress(link);
    return form(req, { ...o, link }, 402, { notice: { tone: 'bad', text: adviceFor(await state.resultOf(key)) } });
  }

  /** The page after a payment attempt settled (or did not, in time). */
  async function afterAttempt(
    req: IncomingMessage,
    o: OpenLink,
    key: string,
    holderName: string,
    result?: RouterResult,
    action?: string,
  ): Promise<Answer> {
    const link = (await ctx.store.getLink(o.link.invoiceId)) ?? o.link;
    if (link.status === 'paid') return paidPage(link, link.transactionId !== undefined && link.paidBy === 'card');
    if (link.pendingKey) return link.challenge ? bankWait(req, link, o.invoice) : inProgress(link);
    const outcome = result ?? (await state.resultOf(key));
    return form(req, { ...o, link }, 402, { notice: { tone: 'bad', text: adviceFor(outcome) }, holderName, ...(action && { action }) });
  }

  /**
   * A payment waiting for the bank: where to finish it (in the browser holding its challenge
   * cookie), and when another card may be tried. Nothing else starts meanwhile: the bank could
   * still approve it.
   */
  async function bankWait(req: IncomingMessage, link: PaymentLinkRecord, invoice?: InvoiceDetails): Promise<Answer> {
    const c = link.challenge!;
    const tx = await ctx.store.getTransaction(c.transactionId).catch(() => undefined);
    const sameBrowser = nonceOf(req, link.invoiceId) !== undefined;
    const bank = sameBrowser && tx?.action && isRedirect(tx.action) ? bankStep(tx.action) : undefined;
    const until = new Date(c.expiresAt).toISOString().slice(11, 16);
    return {
      page: challengePage(202, {
        merchantName,
        invoiceId: link.invoiceId,
        amountText: tx ? formatAmount(tx.amount, tx.currency) : invoice && formatAmount(invoice.amount, invoice.currency),
        text: `Your bank is waiting for you to confirm this payment${bank ? '' : ' in the browser where you started it'}. Do not pay again meanwhile. If you closed your bank's page, you can pay with another card after ${until} UTC; nothing is charged for a payment you did not confirm.`,
        bank,
      }),
    };
  }

  /**
   * A challenge past its deadline is expired through `completeAction` (the router asks the gateway
   * first: an approval the shopper finished without coming back is booked). The link as it then is.
   */
  async function expireIfDue(link: PaymentLinkRecord): Promise<PaymentLinkRecord> {
    if (!link.pendingKey || !link.challenge || ctx.clock() < link.challenge.expiresAt) return link;
    await options.router.completeAction(link.challenge.transactionId, {});
    const now = await ctx.store.getLink(link.invoiceId);
    return now ? state.resolve(now) : link;
  }

  /** The attempt counters of a payment from `ip` now: this link's and this IP's, per UTC clock hour. */
  function counters(invoiceId: string, ip: string, now: number): AttemptCounter[] {
    const hour = Math.floor(now / HOUR);
    const windowEnd = (hour + 1) * HOUR;
    return [
      { key: `link:${invoiceId}:${hour}`, limit: perLink, windowEnd },
      { key: `ip:${ip}:${hour}`, limit: perIp, windowEnd },
    ];
  }

  async function pay(req: IncomingMessage, o: OpenLink): Promise<Answer> {
    const body = await readForm(req);
    if (!body) return message(400, 'This form could not be read', 'Reload the page and try again.', 'bad');
    const { invoice } = o;
    if (!csrfValid(req, o.claims.invoiceId, body.csrf)) {
      return form(req, o, 403, {
        notice: { tone: 'bad', text: 'For your security, this form expired. Nothing was charged: enter your card details again.' },
      });
    }
    const checked = checkCardForm(body, clock());
    if (!checked.ok) return form(req, o, 422, { errors: checked.errors, holderName: checked.holderName });
    const card = checked.card;
    if (Number(body.amount) !== invoice.amount || body.currency !== invoice.currency) {
      const was =
        isCurrency(body.currency) && /^\d{1,15}$/.test(body.amount ?? '') ? formatAmount(Number(body.amount), body.currency) : undefined;
      return form(req, o, 409, {
        holderName: card.holderName,
        notice: {
          tone: 'info',
          text: `The amount due changed${was ? ` from ${was}` : ''} to ${formatAmount(invoice.amount, invoice.currency)} since you opened this page. Nothing was charged: check the new amount, then enter your card details again to pay it.`,
        },
      });
    }
    // A payment waiting for the bank blocks every other until it is final (completed, or expired when due).
    if (o.link.pendingKey && o.link.challenge) {
      const link = await expireIfDue(o.link);
      if (link.status === 'paid') return paidPage(link, false);
      if (link.pendingKey) return link.challenge ? bankWait(req, link, invoice) : inProgress(link);
      o = { ...o, link };
    }
    // A payment still pending (another tab, a double click, a lost answer) is waited for, never doubled.
    if (o.link.pendingKey) {
      const settled = await state.waitSettled(o.link.invoiceId, o.link.pendingKey, waitMs);
      if (!settled || settled.status === 'paid' || settled.pendingKey) return afterAttempt(req, o, o.link.pendingKey, card.holderName);
      o = { ...o, link: settled };
    }
    const now = clock();
    const ip = (options.clientIp ? options.clientIp(req) : req.socket.remoteAddress) ?? 'unknown';
    const { write, key } = await state.startAttempt(o.link, counters(o.link.invoiceId, ip, now));
    if (!write.ok && write.conflict === 'rate') {
      const next = new Date((Math.floor(now / HOUR) + 1) * HOUR).toISOString().slice(11, 16);
      return message(
        429,
        'Too many payment attempts',
        `For your security, this invoice cannot be paid by card for a while after several attempts. Nothing more was charged. Try again after ${next} UTC, or contact ${ask}.`,
        'bad',
      );
    }
    if (!write.ok) {
      // Another request started a payment first: show its outcome.
      const raced = await ctx.store.getLink(o.link.invoiceId);
      if (raced?.pendingKey) {
        await state.waitSettled(raced.invoiceId, raced.pendingKey, waitMs);
        return afterAttempt(req, o, raced.pendingKey, card.holderName);
      }
      if (raced?.status === 'paid') return paidPage(raced, false);
      return form(req, o, 409, {
        holderName: card.holderName,
        notice: { tone: 'info', text: 'Nothing was charged. Please submit again.' },
      });
    }
    // The bank sends the shopper back here; the URL is worthless without this browser's challenge cookie.
    const nonce = randomBytes(32).toString('base64url');
    const returnUrl = `${linkBase}/${signLinkToken(options.secret, o.claims)}/3ds/${signReturnToken(options.secret, o.claims, o.link.attempts + 1, nonce)}`;
    const result = await options.router.sale({
      profile: options.profile,
      returnUrl,
      idempotencyKey: key,
      amount: invoice.amount,
      currency: invoice.currency,
      card: { number: card.number, expMonth: card.expMonth, expYear: card.expYear, cvc: card.cvc, holderName: card.holderName },
      customer: {
        ...(invoice.customer?.id && { id: invoice.customer.id }),
        ...(invoice.customer?.email && { email: invoice.customer.email }),
        ...(invoice.customer?.country && { country: invoice.customer.country }),
        ...(ip !== 'unknown' && { ip }),
      },
      metadata: { invoiceId: o.link.invoiceId, linkVersion: String(o.link.version) },
    });
    if (result.isOk()) await state.settle(o.link.invoiceId, key, { kind: 'paid', transactionId: result.value.transactionId, at: clock() });
    else if (result.error.kind === 'requires_action' && isRedirect(result.error.action)) {
      const f = result.error;
      const action = result.error.action;
      const link = await state.waitForBank(o.link.invoiceId, key, { transactionId: f.transactionId, expiresAt: f.expiresAt });
      if (link.pendingKey === key) return toBank(link, action, f.expiresAt, nonce, invoice);
    } else {
      const f = result.error;
      const stillOpen = f.kind === 'ambiguous' || (f.kind === 'rejected' && f.rejection.startsWith('idempotency_'));
      if (!stillOpen) await state.settle(o.link.invoiceId, key, { kind: 'cleared' });
    }
    return afterAttempt(req, o, key, card.holderName, result);
  }

  /** The page that takes the shopper to the bank, setting this browser's challenge cookie. */
  function toBank(
    link: PaymentLinkRecord,
    action: Extract<RequiredAction, { type: 'redirect' }>,
    expiresAt: number,
    nonce: string | undefined,
    invoice?: InvoiceDetails,
  ): Answer {
    return {
      page: challengePage(200, {
        merchantName,
        invoiceId: link.invoiceId,
        amountText: invoice && formatAmount(invoice.amount, invoice.currency),
        text: "Your bank asks you to confirm this payment. We are taking you to your bank's page; you will come back here afterwards.",
        bank: bankStep(action),
      }),
      ...(nonce && { challengeCookie: challengeCookie(link.invoiceId, nonce, expiresAt) }),
    };
  }

  /**
   * The shopper is back from the bank (`GET <link>/3ds/<return token>`): check the token against
   * this browser's challenge cookie, complete the payment if it is still the link's pending one,
   * and show the receipt, the decline advice, or that the bank still waits.
   */
  async function returnFrom(req: IncomingMessage, linkToken: string, returnToken: string, query: URLSearchParams): Promise<Answer> {
    const check = readLinkToken(options.secret, linkToken, clock());
    if (check.status === 'invalid') return invalid();
    const { claims } = check;
    const notValid = () =>
      message(
        403,
        'This confirmation link is not valid',
        `Nothing was charged by opening it. Open the payment link from your invoice e-mail to see where your payment stands, or contact ${ask}.`,
        'bad',
      );
    const nonce = nonceOf(req, claims.invoiceId);
    if (!nonce) {
      if (!/^a[1-9][0-9]{0,8}\.[A-Za-z0-9_-]{43}$/.test(returnToken)) return notValid();
      return message(
        403,
        'Open this page in the browser where you started the payment',
        `Your bank sent you back to a page that only the browser where you started the payment can open. Go back to that browser, or open the payment link from your invoice e-mail there. Nothing was charged by opening this page.`,
        'info',
      );
    }
    const attempt = readReturnToken(options.secret, claims, returnToken, nonce);
    if (attempt === undefined) return notValid();
    const key = attemptKey(claims.invoiceId, claims.version, attempt);
    let link = await ctx.store.getLink(claims.invoiceId);
    if (!link) return invalid();
    const txId = (await ctx.store.getClaim(saleKey(key)))?.transactionId || undefined;
    let result: RouterResult | undefined;
    if (link.pendingKey === key && req.method === 'GET') {
      const challenged = link.challenge?.transactionId ?? txId;
      if (challenged) {
        result = await options.router.completeAction(challenged, completionInputOf(query));
        const f = result.isErr() ? result.error : undefined;
        if (f?.kind === 'requires_action' && isRedirect(f.action)) return toBank(link, f.action, f.expiresAt, undefined);
        const running = f?.kind === 'rejected' && f.rejection === 'idempotency_in_progress';
        link = (running ? await state.waitSettled(link.invoiceId, key, waitMs, true) : undefined) ?? link;
      }
    }
    link = await state.resolve((await ctx.store.getLink(link.invoiceId)) ?? link);
    if (link.status === 'paid') return paidPage(link, link.paidBy === 'card' && txId !== undefined && link.transactionId === txId);
    if (link.pendingKey) return link.challenge ? bankWait(req, link) : inProgress(link);
    const advice = adviceFor(result ?? (await state.resultOf(key)));
    const invoice = check.status === 'valid' && claims.version === link.version ? await loadInvoice(claims.invoiceId) : undefined;
    if (invoice && invoice !== 'unknown' && invoice.status === 'open') {
      return form(req, { link, invoice, claims }, 402, { notice: { tone: 'bad', text: advice }, action: `${linkPath}/${linkToken}` });
    }
    return message(402, 'Your payment did not go through', `${advice} Open the payment link from your invoice e-mail to pay.`, 'bad');
  }

  function send(req: IncomingMessage, res: ServerResponse, a: Answer): void {
    res.statusCode = a.page.status;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('content-security-policy', contentSecurityPolicy(a.page.nonce, a.page.formOrigin));
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    const cookies = [a.cookie, a.challengeCookie].filter((c): c is string => c !== undefined);
    if (cookies.length) res.setHeader('set-cookie', cookies);
    res.end(req.method === 'HEAD' ? undefined : a.page.html);
  }

  return {
    /** Answer one request. */
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
        res.setHeader('allow', 'GET, HEAD, POST');
        return send(req, res, message(405, 'Not allowed', 'Open the link from your invoice e-mail.', 'bad'));
      }
      const url = new URL(req.url ?? '/', 'http://link.invalid');
      const segments = url.pathname.split('/').filter(Boolean);
      if (segments.length >= 3 && segments.at(-2) === '3ds') {
        if (method === 'POST') {
          res.setHeader('allow', 'GET, HEAD');
          return send(req, res, message(405, 'Not allowed', 'Open the payment link from your invoice e-mail.', 'bad'));
        }
        return send(req, res, await returnFrom(req, segments.at(-3)!, segments.at(-1)!, url.searchParams));
      }
      const opened = await open(segments.at(-1) ?? '');
      if ('page' in opened) return send(req, res, opened);
      if (method === 'POST') return send(req, res, await pay(req, opened));
      if (opened.link.pendingKey && opened.link.challenge) return send(req, res, await challengeOnOpen(req, opened));
      if (opened.link.pendingKey) return send(req, res, inProgress(opened.link));
      return send(req, res, form(req, opened, 200));
    },
  };
}
