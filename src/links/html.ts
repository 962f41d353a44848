/**
 * The hosted payment page's HTML: server-rendered, inline CSS under a per-response nonce, no
 * script and no external asset. Every value from outside (invoice text, gateway messages, what
 * the customer typed) goes through `escapeHtml`. Card number, expiry and CVC are never written back.
 * @module
 */
import { randomBytes } from 'node:crypto';

/**
 * Escape text for HTML element content and double-quoted attribute values.
 * @example
 * escapeHtml('<b title="x">&') // '&lt;b title=&quot;x&quot;&gt;&amp;'
 */
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** A rendered page: status, HTML and the nonce its CSP allows. */
export interface RenderedPage {
  status: number;
  html: string;
  nonce: string;
  /** The one other origin this page's form may post to: the bank's, for a 3-D Secure challenge posted as a form. */
  formOrigin?: string | undefined;
}

/**
 * The Content-Security-Policy of a page: nothing but its own inline style and forms posting to
 * itself (and, on a challenge page whose bank wants a POST, to that bank's origin only).
 */
export function contentSecurityPolicy(nonce: string, formOrigin?: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    "img-src 'none'",
    formOrigin ? `form-action 'self' ${formOrigin}` : "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d2430}
main{max-width:30rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 .75rem}.merchant{color:#566072;font-size:.9rem;margin:0 0 1rem}
.amount{font-size:2rem;font-weight:700;margin:.25rem 0}dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:1rem 0}
dt{color:#566072}dd{margin:0}label{display:block;font-weight:600;margin-top:.9rem}
input{width:100%;padding:.6rem .7rem;font:inherit;border:1px solid #9aa3b2;border-radius:.4rem}
input[aria-invalid=true]{border-color:#b42318;outline-color:#b42318}.row{display:flex;gap:.75rem}.row>div{flex:1}
.error{color:#b42318;font-size:.9rem;margin:.2rem 0 0}.notice{padding:.75rem 1rem;border-radius:.4rem;margin:1rem 0}
.notice.bad{background:#fef3f2;color:#7a271a}.notice.info{background:#eff8ff;color:#194185}.notice.good{background:#ecfdf3;color:#05603a}
button{margin-top:1.25rem;width:100%;padding:.8rem;font:inherit;font-weight:700;color:#fff;background:#1849a9;border:0;border-radius:.4rem;cursor:pointer}
.small{color:#566072;font-size:.85rem}`;

/** A whole page around `body` (`head`: extra markup for the head, already escaped). */
export function page(status: number, title: string, body: string, head = ''): RenderedPage {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">${head}<title>${escapeHtml(title)}</title><style nonce="${nonce}">${CSS}</style></head>
<body><main>${body}</main></body></html>`;
  return { status, html, nonce };
}

/** What the payment form shows. */
export interface FormView {
  merchantName: string;
  descriptor?: string | undefined;
  invoiceId: string;
  description?: string | undefined;
  customerName?: string | undefined;
  dueAt?: string | undefined;
  amountText: string;
  amount: number;
  currency: string;
  csrf: string;
  /** A notice above the form (decline advice, changed amount…). */
  notice?: { tone: 'bad' | 'info'; text: string } | undefined;
  /** Field errors, by field name. */
  errors?: Partial<Record<CardField, string>> | undefined;
  /** The name on the card, kept when the form is shown again (never the card data). */
  holderName?: string | undefined;
  /** Where the form posts (a path of this site); default: the page's own URL. */
  action?: string | undefined;
}

/** The form's card fields. */
export type CardField = 'name' | 'number' | 'exp' | 'cvc';

const FIELDS: ReadonlyArray<{ name: CardField; label: string; autocomplete: string; inputmode?: string; extra?: string }> = [
  { name: 'name', label: 'Name on card', autocomplete: 'cc-name', extra: 'maxlength="100"' },
  { name: 'number', label: 'Card number', autocomplete: 'cc-number', inputmode: 'numeric', extra: 'maxlength="23"' },
  {
    name: 'exp',
    label: 'Expiry date (MM / YY)',
    autocomplete: 'cc-exp',
    inputmode: 'numeric',
    extra: 'maxlength="9" placeholder="MM / YY"',
  },
  { name: 'cvc', label: 'Security code (CVC)', autocomplete: 'cc-csc', inputmode: 'numeric', extra: 'maxlength="4"' },
];

function field(f: (typeof FIELDS)[number], error: string | undefined, value: string | undefined): string {
  const id = `f-${f.name}`;
  const describedBy = error ? ` aria-invalid="true" aria-describedby="${id}-error"` : '';
  return `<div><label for="${id}">${escapeHtml(f.label)}</label>
<input id="${id}" name="${f.name}" autocomplete="${f.autocomplete}"${f.inputmode ? ` inputmode="${f.inputmode}"` : ''} ${f.extra ?? ''} required${describedBy}${value ? ` value="${escapeHtml(value)}"` : ''}>
${error ? `<p class="error" id="${id}-error">${escapeHtml(error)}</p>` : ''}</div>`;
}

function summary(v: Pick<FormView, 'merchantName' | 'descriptor' | 'invoiceId' | 'description' | 'customerName' | 'dueAt'>): string {
  const rows: Array<[string, string | undefined]> = [
    ['Invoice', v.invoiceId],
    ['For', v.description],
    ['Billed to', v.customerName],
    ['Due', v.dueAt],
    ['On your statement', v.descriptor],
  ];
  return `<dl>${rows
    .filter(([, x]) => x)
    .map(([k, x]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(x)}</dd>`)
    .join('')}</dl>`;
}

/** The payment form. */
export function formPage(v: FormView, status = 200): RenderedPage {
  const e = v.errors ?? {};
  const notice = v.notice ? `<div class="notice ${v.notice.tone}" role="alert">${escapeHtml(v.notice.text)}</div>` : '';
  const errorCount = Object.keys(e).length;
  const body = `<p class="merchant">${escapeHtml(v.merchantName)}</p>
<h1>Pay invoice ${escapeHtml(v.invoiceId)}</h1>
<p class="amount" id="amount-due">${escapeHtml(v.amountText)}</p>
${summary(v)}${notice}${errorCount ? `<div class="notice bad" role="alert">Please correct ${errorCount === 1 ? 'the field' : `the ${errorCount} fields`} marked below.</div>` : ''}
<form method="post" autocomplete="on"${v.action ? ` action="${escapeHtml(v.action)}"` : ''}>
<input type="hidden" name="csrf" value="${escapeHtml(v.csrf)}">
<input type="hidden" name="amount" value="${v.amount}"><input type="hidden" name="currency" value="${escapeHtml(v.currency)}">
${field(FIELDS[0]!, e.name, v.holderName)}${field(FIELDS[1]!, e.number, undefined)}
<div class="row">${field(FIELDS[2]!, e.exp, undefined)}${field(FIELDS[3]!, e.cvc, undefined)}</div>
<button type="submit">Pay ${escapeHtml(v.amountText)}</button>
</form>
<p class="small">Your card details go straight to the payment processor; ${escapeHtml(v.merchantName)} never stores them.</p>`;
  return page(status, `Pay invoice ${v.invoiceId}`, body);
}

/** A page with a heading and a message, e.g. "already paid" or "this link expired". */
export function messagePage(
  status: number,
  v: {
    merchantName: string;
    title: string;
    text: string;
    tone: 'bad' | 'info' | 'good';
    details?: Array<[string, string | undefined]> | undefined;
  },
): RenderedPage {
  const details = v.details?.filter(([, x]) => x);
  const body = `<p class="merchant">${escapeHtml(v.merchantName)}</p>
<h1>${escapeHtml(v.title)}</h1>
<div class="notice ${v.tone}" role="${v.tone === 'bad' ? 'alert' : 'status'}">${escapeHtml(v.text)}</div>
${details?.length ? `<dl>${details.map(([k, x]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(x)}</dd>`).join('')}</dl>` : ''}`;
  return page(status, v.title, body);
}

/** Where a challenge page sends the shopper: the bank's page, by GET or by a form POST. */
export interface BankStep {
  url: string;
  method: 'GET' | 'POST';
  data?: Record<string, string> | undefined;
}

/**
 * The page between the payment form and the bank's 3-D Secure page, without a script: a GET goes
 * on at once by `<meta http-equiv="refresh" content="0">` (an instant redirect, WCAG technique
 * H76) with a link as fallback; a POST is a form the shopper sends with one button. `bank`
 * undefined: the page only says to finish at the bank (another browser, no way there from here).
 */
export function challengePage(
  status: number,
  v: { merchantName: string; invoiceId: string; amountText?: string | undefined; text: string; bank?: BankStep | undefined },
): RenderedPage {
  const b = v.bank;
  let go = '';
  let head = '';
  let formOrigin: string | undefined;
  if (b?.method === 'GET') {
    head = `<meta http-equiv="refresh" content="0; url=${escapeHtml(b.url)}">`;
    go = `<p><a id="continue" href="${escapeHtml(b.url)}">Continue to your bank</a></p>`;
  } else if (b) {
    formOrigin = new URL(b.url).origin;
    const fields = Object.entries(b.data ?? {})
      .map(([k, x]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(x)}">`)
      .join('');
    go = `<form id="bank" method="post" action="${escapeHtml(b.url)}">${fields}<button type="submit">Continue to your bank</button></form>`;
  }
  const body = `<p class="merchant">${escapeHtml(v.merchantName)}</p>
<h1>Confirm the payment with your bank</h1>
${v.amountText ? `<p class="amount">${escapeHtml(v.amountText)}</p>` : ''}
<div class="notice info" role="status">${escapeHtml(v.text)}</div>
${go}<p class="small">Invoice ${escapeHtml(v.invoiceId)}</p>`;
  return { ...page(status, 'Confirm the payment with your bank', body, head), ...(formOrigin && { formOrigin }) };
}
