/** The fake issuers' 3-D Secure challenge page, shared by the fakes that host one. */

const escapeHtml = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A tiny challenge page: the amount, and one button to complete and one to fail, posting `outcome` to `action`. */
export function challengeHtml(action: string, amount: number, currency: string, hidden: Record<string, string> = {}): string {
  const a = escapeHtml(action);
  const extra = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>3-D Secure challenge</title></head><body>
<h1>Confirm your payment</h1><p id="amount">${amount} ${escapeHtml(currency.toUpperCase())}</p>
<form method="post" action="${a}">${extra}<input type="hidden" name="outcome" value="complete"><button id="complete">Complete authentication</button></form>
<form method="post" action="${a}">${extra}<input type="hidden" name="outcome" value="fail"><button id="fail">Fail authentication</button></form>
</body></html>`;
}
