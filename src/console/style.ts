/**
 * The console's only style sheet, inline (no external assets), allowed by its SHA-256 hash in the
 * Content-Security-Policy: no other style and no script can run on a console page.
 * @module
 */
import { createHash } from 'node:crypto';

/** The console's CSS. */
export const CONSOLE_CSS = `
:root { --ink: #1d2330; --muted: #5b6475; --line: #dfe3ea; --bg: #f5f7fa; --card: #fff; --accent: #2450a6;
  --ok: #1f7a3d; --ok-bg: #e3f4e8; --bad: #a42626; --bad-bg: #fbe6e6; --warn: #8a5a00; --warn-bg: #fdf1d8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #17213a; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: center; }
header .brand { font-weight: 700; letter-spacing: .02em; }
header nav a { color: #c9d6f5; text-decoration: none; margin-right: 16px; }
header nav a:hover { color: #fff; }
header form { margin-left: auto; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 20px; margin: 4px 0 12px; }
h2 { font-size: 15px; margin: 0 0 10px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
section > * + h2 { margin-top: 18px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin-bottom: 16px; }
a { color: var(--accent); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
tbody tr:nth-child(even) td { background: #fafbfd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #e8ecf3; color: var(--muted); }
.badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
dl.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 6px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.note { margin: 4px 0 0; padding: 6px 10px; border-left: 3px solid var(--accent); background: #f0f4fc; border-radius: 0 4px 4px 0; }
.note.shopper { border-left-color: var(--ok); background: #f1f8f3; }
.note b { font-weight: 600; }
.gateway-message { white-space: pre-wrap; overflow-wrap: anywhere; }
form.search { display: flex; gap: 8px; flex-wrap: wrap; }
input, select, button { font: inherit; padding: 7px 10px; border: 1px solid #c3cad6; border-radius: 6px; background: #fff; }
input[type=search] { flex: 1 1 320px; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
header button { background: transparent; border-color: #56627f; color: #c9d6f5; padding: 4px 10px; }
.muted { color: var(--muted); }
.empty { color: var(--muted); padding: 8px 0; }
.pager { margin-top: 10px; }
ol.order { margin: 0; padding-left: 20px; }
.signin { max-width: 420px; margin: 80px auto; }
.signin form { display: flex; flex-direction: column; gap: 10px; }
`;

/** The CSP source allowing exactly `CONSOLE_CSS`. */
export const CONSOLE_CSS_HASH = `'sha256-${createHash('sha256').update(CONSOLE_CSS, 'utf8').digest('base64')}'`;

/** The Content-Security-Policy of every console response: nothing but the one style sheet, forms to the console itself. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  `style-src ${CONSOLE_CSS_HASH}`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');
