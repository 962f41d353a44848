/**
 * The checkout server's 3-D Secure path, as pages a browser walks through:
 *
 * 1. `GET /` — the checkout page. It posts the card to `POST /checkout`; on `requires_action`
 *    with a redirect it sends the browser to the challenge page (`next` in the answer).
 * 2. The challenge page: with real gateways the issuer's (Stripe, Adyen, Checkout.com) or the
 *    gateway's SDK; with the sandbox MIDs of this example, `GET /sandbox/3ds`, a stand-in issuer
 *    page with two buttons.
 * 3. `GET /3ds/return?transactionId=…&token=…` — where the browser comes back (from a real
 *    gateway, to its fixed return URL `/3ds/return`, with the return cookie). It checks the
 *    return token (an HMAC of the transaction id, compared in constant time: nobody can finish
 *    someone else's payment from a guessed id), calls `router.completeAction` with what the
 *    gateway appended (`redirectResult`, `payment_intent`, `cko-session-id`, or the sandbox's
 *    `authenticated`), and shows the outcome.
 *
 * `POST /checkout/complete` does step 3 for pages that finish an SDK action themselves
 * (Stripe.js, Adyen Web, Braintree verifyCard). Every text shown is HTML-escaped: gateway
 * messages are untrusted.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
// In your project: import type { Approval, CompletionInput, Failure, Result, Router } from 'switchyard';
import type { Approval, CompletionInput, Failure, Result, Router } from '../../src/index';

/** HTML-escape untrusted text (gateway messages, ids from the query string). */
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Return tokens: an HMAC of the transaction id under a secret of this server. */
export class ReturnTokens {
  private readonly key: Buffer;
  constructor(secret?: string) {
    this.key = secret ? Buffer.from(secret) : randomBytes(32);
  }
  /** The token for a transaction. */
  issue(transactionId: string): string {
    return createHmac('sha256', this.key).update(transactionId).digest('base64url');
  }
  /** Whether `token` is the one of `transactionId` (constant time). */
  check(transactionId: string, token: string | null | undefined): boolean {
    if (typeof token !== 'string') return false;
    const want = Buffer.from(this.issue(transactionId));
    const got = Buffer.from(token);
    return got.length === want.length && timingSafeEqual(got, want);
  }
}

/** The cookie that carries the transaction and its return token to a gateway's fixed return URL. */
export const RETURN_COOKIE = 'switchyard_3ds';

/**
 * The `set-cookie` of a challenge answer. Real gateways send the browser back to the one URL set
 * on the adapter (Stripe's and Adyen's `returnUrl`, Checkout.com's success and failure URLs), with
 * only their own parameters: the cookie says which transaction that is. Add `Secure` behind HTTPS.
 */
export function returnCookie(tokens: ReturnTokens, transactionId: string): string {
  return `${RETURN_COOKIE}=${transactionId}.${tokens.issue(transactionId)}; Path=/3ds/return; HttpOnly; SameSite=Lax; Max-Age=3600`;
}

/** The transaction and token of the return cookie, if the `cookie` header has one. */
function fromCookie(header: string | undefined): { transactionId: string; token: string } | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, value = ''] = part.trim().split('=', 2);
    const dot = value.lastIndexOf('.');
    if (name === RETURN_COOKIE && dot > 0) return { transactionId: value.slice(0, dot), token: value.slice(dot + 1) };
  }
  return undefined;
}

/** The path the browser comes back to after the challenge. */
export function returnPath(tokens: ReturnTokens, transactionId: string): string {
  return `/3ds/return?${new URLSearchParams({ transactionId, token: tokens.issue(transactionId) })}`;
}

/**
 * Where the checkout page sends the browser for a redirect action: the action's URL, with our
 * return path for the sandbox's stand-in issuer page (real gateways return to the URL configured
 * on the adapter: Stripe's and Adyen's `returnUrl`, Checkout.com's success and failure URLs).
 */
export function nextUrl(action: { type: string; url?: string }, back: string): string | undefined {
  if (action.type !== 'redirect' || !action.url) return undefined;
  if (!action.url.startsWith('/sandbox/3ds')) return action.url;
  return `${action.url}${action.url.includes('?') ? '&' : '?'}${new URLSearchParams({ return: back })}`;
}

/** What the gateway appended to the return URL, as `completeAction` input. */
export function completionInputOf(query: URLSearchParams): CompletionInput {
  const authenticated = query.get('authenticated');
  const input: CompletionInput = {};
  if (authenticated === 'true' || authenticated === 'false') input.authenticated = authenticated === 'true';
  const redirectResult = query.get('redirectResult');
  if (redirectResult) input.redirectResult = redirectResult;
  const paymentIntent = query.get('payment_intent');
  if (paymentIntent) input.paymentIntent = paymentIntent;
  const sessionId = query.get('cko-session-id');
  if (sessionId) input.sessionId = sessionId;
  return input;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>body{font:16px system-ui;margin:2rem auto;max-width:32rem}label{display:block;margin:.5rem 0}
input{font:inherit;padding:.3rem}button,.button{font:inherit;padding:.4rem 1rem;margin-right:.5rem;border:1px solid #777;border-radius:3px;background:#eee;color:#000;text-decoration:none}.ok{color:#17602a}.no{color:#9b1c1c}</style>
</head><body>${body}</body></html>`;

/** The checkout page: a card form whose script follows a 3-D Secure redirect. */
export function checkoutPage(): string {
  return page(
    'Checkout',
    `<h1>Checkout</h1>
<form id="pay-form">
<label>Card number <input id="number" name="number" inputmode="numeric" autocomplete="cc-number" required></label>
<label>Expiry <input id="expMonth" name="expMonth" value="12" size="2"> / <input id="expYear" name="expYear" value="2030" size="4"></label>
<label>CVC <input id="cvc" name="cvc" value="123" size="4"></label>
<label>Amount (cents) <input id="amount" name="amount" value="1999" size="8"></label>
<button id="pay" type="submit">Pay</button>
</form>
<p id="status" role="status"></p>
<script>
document.getElementById('pay-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const v = (id) => document.getElementById(id).value;
  const status = document.getElementById('status');
  status.textContent = 'Paying…';
  const res = await fetch('/checkout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({
    idempotencyKey: 'web-' + crypto.randomUUID(), amount: Number(v('amount')), currency: 'USD',
    card: { number: v('number'), expMonth: Number(v('expMonth')), expYear: Number(v('expYear')), cvc: v('cvc') } }) });
  const r = await res.json();
  if (r.status === 'requires_action' && r.next) { location.assign(r.next); return; }
  status.textContent = r.status === 'approved' ? 'Payment approved on ' + r.mid : (r.reason || r.error || r.status);
});
</script>`,
  );
}

/** The sandbox's stand-in issuer page: the amount is not known here, only the return path, checked to stay on this site. */
export function sandboxChallengePage(query: URLSearchParams): { status: number; html: string } {
  const back = query.get('return') ?? '';
  if (!/^\/3ds\/return\?[\w=&%.-]+$/.test(back))
    return { status: 400, html: page('Bad request', '<h1>Bad request</h1><p>return: must be this site’s return path</p>') };
  const link = (ok: boolean) => `${escapeHtml(back)}&amp;authenticated=${ok}`;
  return {
    status: 200,
    html: page(
      '3-D Secure (sandbox issuer)',
      `<h1>Confirm your payment</h1><p>Sandbox issuer: reference <code>${escapeHtml(query.get('reference'))}</code></p>
<p><a class="button" id="authenticate" href="${link(true)}">Authenticate</a>
<a class="button" id="fail" href="${link(false)}">Fail authentication</a></p>`,
    ),
  };
}

/** The page shown after the return: the outcome of `completeAction`, every text escaped. */
export function resultPage(result: Result<Approval, Failure>): string {
  if (result.isOk()) {
    const a = result.value;
    return page(
      'Payment approved',
      `<h1 class="ok" id="outcome">Payment approved</h1><p>Transaction <code id="transaction">${escapeHtml(a.transactionId)}</code>
on <span id="mid">${escapeHtml(a.mid)}</span>, ${escapeHtml(a.amount)} ${escapeHtml(a.currency)}, card ${escapeHtml(a.maskedCard)}.</p>`,
    );
  }
  const f = result.error;
  const reason = f.kind === 'declined' ? f.decline.reason : f.kind === 'rejected' ? f.rejection : f.kind;
  return page(
    'Payment not completed',
    `<h1 class="no" id="outcome">Payment not completed</h1><p>Reason: <span id="reason">${escapeHtml(reason)}</span></p>
<p id="message">${escapeHtml(f.message)}</p>`,
  );
}

/** The page for a return whose token does not match. */
export function forbiddenPage(): string {
  return page('Forbidden', '<h1>Forbidden</h1><p>This return link is not valid.</p>');
}

/**
 * Finish a challenge from a return URL's query, after checking its token: the query's
 * `transactionId` and `token` (the sandbox's return path), else the return cookie's.
 */
export async function completeFromReturn(
  router: Router,
  tokens: ReturnTokens,
  query: URLSearchParams,
  cookieHeader?: string,
): Promise<{ status: number; html: string; result?: Result<Approval, Failure> }> {
  const cookie = query.has('transactionId') ? undefined : fromCookie(cookieHeader);
  const transactionId = query.get('transactionId') ?? cookie?.transactionId ?? '';
  const token = cookie ? cookie.token : query.get('token');
  if (!transactionId || !tokens.check(transactionId, token)) return { status: 403, html: forbiddenPage() };
  const result = await router.completeAction(transactionId, completionInputOf(query));
  return { status: 200, html: resultPage(result), result };
}
