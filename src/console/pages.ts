/**
 * The console's pages, rendered on the server from the router's read methods: search, a
 * transaction with its attempts, notes and routing decision, a subscription with its charges,
 * and the MIDs' health. Every value goes through `html` (escaped); cards show as BIN + last four.
 * @module
 */
import { toDecimalString } from '../money';
import type { MidHealth } from '../monitoring/health';
import type { AttemptView, MidStatus, SubscriptionView } from '../operations/support';
import type { RoutingDecision, TransactionRecord } from '../store/types';
import { html, SafeHtml } from './html';
import { CONSOLE_CSS } from './style';

/** Links of a page, relative to where the console is mounted. */
export interface Links {
  base: string;
  home(): string;
  search(q: string, by?: string, cursor?: string): string;
  transaction(id: string): string;
  subscription(id: string): string;
  mids(): string;
  login(): string;
  logout(): string;
}

/** Links under a mount path (`''` at the root). */
export function linksAt(base: string): Links {
  const b = base.replace(/\/+$/, '');
  const qs = (p: Record<string, string | undefined>) =>
    new URLSearchParams(Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();
  return {
    base: b,
    home: () => `${b}/`,
    search: (q, by, cursor) => `${b}/?${qs({ q, by: by === 'auto' ? undefined : by, cursor })}`,
    transaction: (id) => `${b}/transactions/${encodeURIComponent(id)}`,
    subscription: (id) => `${b}/subscriptions/${encodeURIComponent(id)}`,
    mids: () => `${b}/mids`,
    login: () => `${b}/login`,
    logout: () => `${b}/logout`,
  };
}

const when = (ms: number | undefined) => (ms === undefined ? '' : `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`);
const money = (amount: number, currency: string) => {
  try {
    return `${toDecimalString(amount, currency)} ${currency}`;
  } catch {
    return `${amount} ${currency}`;
  }
};
const percent = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

/** Card as BIN + last four (the ledger holds nothing more). */
export function cardText(card: TransactionRecord['card']): string {
  if (!card) return '—';
  return `${card.bin} •••• ${card.last4}${card.brand ? ` ${card.brand}` : ''}${card.expMonth ? ` (${String(card.expMonth).padStart(2, '0')}/${card.expYear})` : ''}`;
}

const GOOD = new Set(['captured', 'authorized', 'verified', 'approved', 'active', 'closed', 'partially_refunded', 'refunded', 'voided']);
const BAD = new Set(['declined', 'failed', 'error', 'revoked', 'cancelled', 'open', 'expired']);
/** A status as a coloured badge. */
export function badge(status: string): SafeHtml {
  const kind = GOOD.has(status) ? 'ok' : BAD.has(status) ? 'bad' : 'warn';
  return html`<span class="badge ${kind}">${status.replaceAll('_', ' ')}</span>`;
}

/** The frame of every page. */
export function layout(title: string, body: SafeHtml, links: Links, signedIn = true): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Switchyard support</title>
<style>${new SafeHtml(CONSOLE_CSS)}</style>
</head>
<body>
<header><span class="brand">Switchyard support</span>${
    signedIn
      ? html`<nav><a href="${links.home()}">Search</a><a href="${links.mids()}">Merchant accounts</a></nav>
<form method="post" action="${links.logout()}"><button type="submit">Sign out</button></form>`
      : ''
  }</header>
<main>
${body}
</main>
</body>
</html>`;
}

/** The sign-in page (answered with 401 to any request without the token). */
export function signInPage(links: Links, failed: boolean): SafeHtml {
  return layout(
    'Sign in',
    html`<section class="signin"><h1>Sign in</h1>
<p class="muted">This page needs the console's access token.</p>
${failed ? html`<p class="badge bad">That token is not valid.</p>` : ''}
<form method="post" action="${links.login()}">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></section>`,
    links,
    false,
  );
}

/** The ways to search, with their labels. */
export const SEARCH_KINDS = {
  auto: 'Anything',
  order: 'Order id',
  email: 'E-mail',
  last4: 'Card last four',
  customer: 'Customer id',
  subscription: 'Subscription id',
  transaction: 'Transaction id',
} as const;

/** What a search found, for the page. */
export interface SearchResult {
  q: string;
  by: keyof typeof SEARCH_KINDS;
  /** What the query was read as, e.g. "e-mail". */
  readAs?: string | undefined;
  problem?: string | undefined;
  transactions: TransactionRecord[];
  nextCursor?: string | undefined;
  subscription?: string | undefined;
}

/** A table of transactions. */
export function transactionTable(rows: readonly TransactionRecord[], links: Links): SafeHtml {
  if (!rows.length) return html`<p class="empty">No transactions.</p>`;
  return html`<table><thead><tr><th>Created</th><th>Order</th><th>Customer</th><th>Card</th><th class="num">Amount</th><th>Operation</th><th>Status</th><th>MID</th></tr></thead><tbody>${rows.map(
    (t) => html`<tr>
<td><a href="${links.transaction(t.id)}">${when(t.createdAt)}</a></td>
<td>${t.orderId ?? html`<span class="muted">—</span>`}</td>
<td>${t.customer?.email ?? t.customer?.id ?? html`<span class="muted">—</span>`}</td>
<td class="mono">${cardText(t.card)}</td>
<td class="num">${money(t.amount, t.currency)}</td>
<td>${t.operation}</td>
<td>${badge(t.status)}</td>
<td>${t.mid ?? '—'}</td>
</tr>`,
  )}</tbody></table>`;
}

/** The search page, with results when a query was given. */
export function searchPage(links: Links, result?: SearchResult): SafeHtml {
  const by = result?.by ?? 'auto';
  const form = html`<section><h1>Find an order</h1>
<form class="search" method="get" action="${links.home()}">
<input type="search" name="q" value="${result?.q ?? ''}" placeholder="Order id, e-mail, last four digits of the card…" aria-label="Search" autofocus>
<select name="by" aria-label="Search by">${Object.entries(SEARCH_KINDS).map(
    ([k, label]) => html`<option value="${k}"${k === by ? html` selected` : ''}>${label}</option>`,
  )}</select>
<button type="submit">Search</button>
</form></section>`;
  if (!result) return layout('Search', form, links);
  const found = html`<section><h2>Results${result.readAs ? html` <span class="muted">(${result.readAs})</span>` : ''}</h2>
${result.problem ? html`<p class="badge bad">${result.problem}</p>` : transactionTable(result.transactions, links)}
${result.subscription ? html`<p>Subscription <a href="${links.subscription(result.subscription)}">${result.subscription}</a></p>` : ''}
${result.nextCursor ? html`<p class="pager"><a href="${links.search(result.q, result.by, result.nextCursor)}">Older transactions →</a></p>` : ''}
</section>`;
  return layout(`Search: ${result.q}`, html`${form}${found}`, links);
}

/** The routing decision, in words. */
export function routingSection(r: RoutingDecision | undefined): SafeHtml {
  if (!r)
    return html`<section><h2>Why this route</h2><p class="empty">No routing decision was recorded (a transaction from before version 6).</p></section>`;
  const source =
    r.source === 'pin'
      ? 'the subscription’s pinned MID (rebills never move)'
      : r.source === 'rule'
        ? html`rule <b>${r.rule?.name}</b> (#${r.rule?.index})`
        : 'the profile’s default route';
  return html`<section><h2>Why this route</h2>
<dl class="facts">
<dt>Chosen by</dt><dd>${source}</dd>
<dt>Pools</dt><dd>${r.pools.length ? r.pools.join(' → ') : '—'}</dd>
<dt>Exclude rules matched</dt><dd>${r.filters?.length ? r.filters.join(', ') : '—'}</dd>
<dt>Random draws</dt><dd class="mono">${r.draws?.length ? r.draws.map((d) => d.toFixed(6)).join(', ') : '—'}</dd>
</dl>
<h2>Candidates in order</h2>
${
  r.candidates.length
    ? html`<ol class="order">${r.candidates.map(
        (c) =>
          html`<li><b>${c.mid}</b>${c.pool ? html` <span class="muted">from pool ${c.pool} (${c.strategy})</span>` : ''}${
            c.score !== undefined ? html` · share ${percent(c.score)}` : ''
          }</li>`,
      )}</ol>`
    : html`<p class="empty">No eligible MID.</p>`
}
${
  r.skipped?.length
    ? html`<h2>Skipped during the attempts</h2><table><tbody>${r.skipped.map(
        (s) => html`<tr><td>${s.mid}</td><td>${s.reason}</td><td class="muted">${when(s.at)}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  r.ineligible.length
    ? html`<h2>Not eligible</h2><table><tbody>${r.ineligible.map(
        (i) =>
          html`<tr><td>${i.mid}</td><td>${i.reasons.map((x) => html`<div>${x.message} <span class="muted">(${x.code})</span></div>`)}</td></tr>`,
      )}</tbody></table>`
    : ''
}
</section>`;
}

/** A transaction with its facts, attempts and notes, and routing decision. */
export function transactionPage(links: Links, t: TransactionRecord, attempts: readonly AttemptView[]): SafeHtml {
  const facts = html`<section><h1>${money(t.amount, t.currency)} ${t.operation} ${badge(t.status)}</h1>
<dl class="facts">
<dt>Transaction</dt><dd class="mono">${t.id}</dd>
<dt>Order</dt><dd>${t.orderId ?? '—'}</dd>
<dt>Created</dt><dd>${when(t.createdAt)}</dd>
<dt>Updated</dt><dd>${when(t.updatedAt)}</dd>
<dt>Customer</dt><dd>${t.customer?.id ?? '—'}</dd>
<dt>E-mail</dt><dd>${t.customer?.email ?? '—'}</dd>
<dt>Country / IP</dt><dd>${[t.customer?.country, t.customer?.ip].filter(Boolean).join(' · ') || '—'}</dd>
<dt>Card</dt><dd class="mono">${cardText(t.card)}</dd>
<dt>MID</dt><dd>${t.mid ? `${t.mid} (${t.gateway ?? ''})` : '—'}</dd>
<dt>Gateway transaction</dt><dd class="mono">${t.gatewayTransactionId ?? '—'}</dd>
<dt>Captured / refunded</dt><dd>${money(t.capturedAmount, t.currency)} / ${money(t.refundedAmount, t.currency)}</dd>
<dt>Subscription</dt><dd>${t.subscriptionId ? html`<a href="${links.subscription(t.subscriptionId)}">${t.subscriptionId}</a>` : '—'}</dd>
<dt>Tags</dt><dd>${t.tags?.length ? t.tags.join(', ') : '—'}</dd>
<dt>Metadata</dt><dd>${
    t.metadata && Object.keys(t.metadata).length
      ? Object.entries(t.metadata).map(([k, v]) => html`<div><span class="muted">${k}:</span> ${v}</div>`)
      : '—'
  }</dd>
</dl></section>`;
  const rows = attempts.map(
    (a, i) => html`<tr>
<td>${i + 1}</td>
<td>${when(a.startedAt)}</td>
<td>${a.mid}<div class="muted">${a.gateway}</div></td>
<td>${a.operation}</td>
<td class="num">${money(a.amount, a.currency)}</td>
<td>${badge(a.status)}${a.reason ? html`<div class="mono">${a.reason}</div>` : ''}</td>
<td>${a.code ? html`<span class="mono">${a.code}</span> ` : ''}<span class="gateway-message">${a.message ?? ''}</span>${
      a.advice
        ? html`<p class="note"><b>Support:</b> ${a.advice.support}</p><p class="note shopper"><b>Tell the shopper:</b> ${a.advice.shopper}</p>`
        : ''
    }</td>
<td class="num">${a.settledAt !== undefined ? `${a.settledAt - a.startedAt} ms` : '—'}</td>
</tr>`,
  );
  const table = html`<section><h2>Attempts</h2>${
    attempts.length
      ? html`<table><thead><tr><th>#</th><th>Started</th><th>MID</th><th>Operation</th><th class="num">Amount</th><th>Outcome</th><th>Gateway said · notes</th><th class="num">Took</th></tr></thead><tbody>${rows}</tbody></table>`
      : html`<p class="empty">No attempts.</p>`
  }</section>`;
  return layout(`Transaction ${t.id}`, html`${facts}${table}${routingSection(t.routing)}`, links);
}

/** A subscription with its pin, consent, salvage and charges. */
export function subscriptionPage(links: Links, s: SubscriptionView): SafeHtml {
  const p = s.pin;
  const body = html`<section><h1>Subscription ${s.subscriptionId} ${badge(s.status)}</h1>
<dl class="facts">
<dt>Pinned MID</dt><dd>${p.mid} (${p.gateway})</dd>
<dt>Card</dt><dd class="mono">${cardText(p.card)}</dd>
<dt>Initial transaction</dt><dd><a href="${links.transaction(p.transactionId)}">${p.transactionId}</a></dd>
<dt>Started</dt><dd>${when(p.createdAt)}</dd>
<dt>Initial amount</dt><dd>${money(p.initialAmount, p.currency)}</dd>
<dt>Recurring amount</dt><dd>${p.recurringAmount !== undefined ? money(p.recurringAmount, p.currency) : '—'}</dd>
<dt>Rebills approved</dt><dd>${s.rebillCount}</dd>
<dt>Stored credential</dt><dd>${p.networkTransactionId ? 'network transaction id' : ''}${p.gatewayToken ? `${p.networkTransactionId ? ' + ' : ''}gateway token` : ''}${!p.networkTransactionId && !p.gatewayToken ? '—' : ''}</dd>
<dt>Express consent</dt><dd>${s.consent ? `${s.consent.given ? 'given' : 'refused'} ${when(s.consent.at)} by ${s.consent.channel}` : '—'}</dd>
<dt>Salvage</dt><dd>${s.salvage ? `${s.salvage.declines} declined rebill(s) since ${when(s.salvage.startedAt)}` : 'no declined rebill open'}</dd>
</dl></section>
<section><h2>Charges</h2>${transactionTable(s.transactions, links)}</section>
${
  s.repins.length
    ? html`<section><h2>Re-pins</h2><table><tbody>${s.repins.map(
        (r) => html`<tr><td>${when(r.at)}</td><td>${r.fromMid} → ${r.toMid}</td><td>${r.reason}</td></tr>`,
      )}</tbody></table></section>`
    : ''
}`;
  return layout(`Subscription ${s.subscriptionId}`, body, links);
}

const ratioPercent = (x: number) => `${(x * 100).toFixed(2)}%`;

/** A MID's dispute ratios this month as the networks count them, against the program thresholds. */
function disputeCell(h: MidHealth | undefined): SafeHtml {
  if (!h) return html`<span class="muted">—</span>`;
  const ratio = (r: { numerator: number; denominator: number; ratio?: number | undefined }) =>
    r.ratio === undefined
      ? html`<span class="muted">no sales yet</span>`
      : html`<b>${ratioPercent(r.ratio)}</b> (${r.numerator}/${r.denominator})`;
  const v = h.visa;
  const m = h.mastercard;
  return html`<div>Visa-style ${ratio(v)} <span class="muted">of ${ratioPercent(v.threshold)}${v.meetsMinimum ? '' : ', under the minimum count'}</span></div>
<div>Mastercard-style ${ratio(m)}${m.tier ? html` ${badge(m.tier)}` : ''}</div>${h.paused ? html`<div>${badge('paused')}</div>` : ''}`;
}

/** The MIDs' health (dispute ratios from `midHealth`, when given). */
export function midsPage(links: Links, mids: readonly MidStatus[], now: number, disputes?: ReadonlyMap<string, MidHealth>): SafeHtml {
  const circuit = (m: MidStatus) =>
    html`${badge(m.circuit.state)}${m.circuit.openUntil && m.circuit.state === 'open' ? html`<div class="muted">until ${when(m.circuit.openUntil)}</div>` : ''}${
      m.circuit.consecutiveFailures ? html`<div class="muted">${m.circuit.consecutiveFailures} error(s) in a row</div>` : ''
    }`;
  const rate = (f: MidStatus['today']) =>
    html`<b>${percent(f.approvalRate)}</b><div class="muted">${f.approved}/${f.answered} approved${f.errors ? `, ${f.errors} error(s)` : ''}</div>`;
  const caps = (m: MidStatus) =>
    m.caps.length
      ? m.caps.map(
          (c) =>
            html`<div>${c.window} ${c.currency}: ${money(c.amount, c.currency)}${c.amountLimit !== undefined ? ` of ${money(c.amountLimit, c.currency)}` : ''}${
              c.countLimit !== undefined ? ` · ${c.count} of ${c.countLimit}` : ` · ${c.count}`
            }</div>`,
        )
      : html`<span class="muted">no caps</span>`;
  return layout(
    'Merchant accounts',
    html`<section><h1>Merchant accounts</h1><p class="muted">As of ${when(now)}. Approval rates count answered payment attempts (approved or declined) per UTC day and month.</p>
<table><thead><tr><th>MID</th><th>State</th><th>Circuit</th><th>Approval today</th><th>Approval this month</th><th>Cap use</th><th>Dispute ratio</th></tr></thead><tbody>${mids.map(
      (m) => html`<tr>
<td><b>${m.mid}</b><div class="muted">${m.gateway}</div></td>
<td>${m.enabled ? badge('active') : html`${badge('disabled')}<div class="muted">${m.disabledReason ?? ''}</div>`}</td>
<td>${circuit(m)}</td>
<td>${rate(m.today)}</td>
<td>${rate(m.month)}</td>
<td>${caps(m)}</td>
<td>${disputeCell(disputes?.get(m.mid))}</td>
</tr>`,
    )}</tbody></table></section>`,
    links,
  );
}

/** A short page for 404 and errors. */
export function messagePage(links: Links, title: string, text: string): SafeHtml {
  return layout(title, html`<section><h1>${title}</h1><p>${text}</p><p><a href="${links.home()}">Back to search</a></p></section>`, links);
}
