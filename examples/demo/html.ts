/**
 * The demo report as one self-contained HTML page: inline CSS and SVG charts (volume per MID,
 * share of first attempts against weights, cascade flow, declines by reason), no external assets.
 * @module
 */
import { DECLINE_REASONS } from '../../src/index';
import { pct, usd } from './report';
import type { SimulationReport } from './simulate';

/** Colour of each MID's bars (and of its cascade flows). */
export const MID_COLOURS: Readonly<Record<string, string>> = {
  'nmi-1': '#1f77b4',
  'anet-1': '#ff7f0e',
  'bt-1': '#2ca02c',
  'stripe-1': '#9467bd',
  'adyen-1': '#d62728',
  'pp-1': '#17becf',
};
const GREY = '#9e9e9e';
const HARD = '#c0392b';
const SOFT = '#e6a23c';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const colour = (mid: string) => MID_COLOURS[mid] ?? GREY;

function volumeChart(r: SimulationReport): string {
  const w = 1000,
    h = 340,
    top = 30,
    bottom = 60,
    left = 70;
  const max = Math.max(1, ...r.mids.map((m) => m.approvedAmount));
  const step = (w - left - 20) / r.mids.length;
  const barW = step * 0.6;
  const y = (v: number) => top + (h - top - bottom) * (1 - v / max);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = max * f;
    return `<line x1="${left}" x2="${w - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#e0e0e0"/><text x="${left - 8}" y="${y(v) + 4}" text-anchor="end" class="axis">${esc(usd(Math.round(v)).replace(/\.\d\d$/, ''))}</text>`;
  });
  const bars = r.mids.map((m, i) => {
    const x = left + i * step + (step - barW) / 2;
    const by = y(m.approvedAmount);
    return (
      `<rect class="bar" data-mid="${esc(m.id)}" x="${x.toFixed(1)}" y="${by.toFixed(1)}" width="${barW.toFixed(1)}" height="${(h - bottom - by).toFixed(1)}" fill="${colour(m.id)}"><title>${esc(m.id)}: ${usd(m.approvedAmount)}</title></rect>` +
      `<text x="${(x + barW / 2).toFixed(1)}" y="${(by - 6).toFixed(1)}" text-anchor="middle" class="value">${esc(usd(m.approvedAmount).replace(/\.\d\d$/, ''))}</text>` +
      `<text x="${(x + barW / 2).toFixed(1)}" y="${h - bottom + 18}" text-anchor="middle" class="label">${esc(m.id)}</text>` +
      `<text x="${(x + barW / 2).toFixed(1)}" y="${h - bottom + 34}" text-anchor="middle" class="axis">${esc(m.pool)}</text>`
    );
  });
  return `<svg id="chart-volume" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Approved volume per MID">${ticks.join('')}${bars.join('')}</svg>`;
}

function weightChart(r: SimulationReport): string {
  const weighted = r.mids.filter((m) => m.weightShare !== undefined);
  const w = 1000,
    rowH = 34,
    left = 110,
    h = weighted.length * rowH + 40;
  const x = (f: number) => left + (w - left - 80) * f;
  const rows = weighted.map((m, i) => {
    const yy = 20 + i * rowH;
    return (
      `<text x="${left - 8}" y="${yy + 15}" text-anchor="end" class="label">${esc(m.id)}</text>` +
      `<rect x="${left}" y="${yy}" width="${(x(m.firstAttemptShare ?? 0) - left).toFixed(1)}" height="12" fill="${colour(m.id)}"><title>first attempts ${pct(m.firstAttemptShare ?? 0, 1)}</title></rect>` +
      `<rect x="${left}" y="${yy + 14}" width="${(x(m.weightShare ?? 0) - left).toFixed(1)}" height="8" fill="#bdbdbd"><title>weight ${pct(m.weightShare ?? 0, 1)}</title></rect>` +
      `<text x="${(x(Math.max(m.firstAttemptShare ?? 0, m.weightShare ?? 0)) + 6).toFixed(1)}" y="${yy + 15}" class="axis">${pct(m.firstAttemptShare ?? 0, 1)} of ${esc(m.pool)} (weight ${pct(m.weightShare ?? 0, 1)})</text>`
    );
  });
  return `<svg id="chart-weights" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Share of first attempts against configured weight">${rows.join('')}</svg>`;
}

function cascadeChart(r: SimulationReport): string {
  const w = 1000,
    h = 380,
    nodeW = 16,
    pad = 14,
    top = 20;
  const flows = r.flows;
  const total = Math.max(
    1,
    flows.reduce((n, f) => n + f.count, 0),
  );
  const column = (names: string[], x: number, side: 'from' | 'to') => {
    const sums = names.map((n) => flows.filter((f) => f[side] === n).reduce((s, f) => s + f.count, 0));
    const scale = (h - top * 2 - pad * (names.length - 1)) / total;
    let y = top;
    return names.map((name, i) => {
      const node = { name, x, y, height: Math.max(2, sums[i] * scale), scale, used: 0 };
      y += node.height + pad;
      return node;
    });
  };
  const order = (names: Iterable<string>) =>
    [...new Set(names)].sort((a, b) => (a === 'declined' ? 1 : b === 'declined' ? -1 : a.localeCompare(b)));
  const left = column(order(flows.map((f) => f.from)), 150, 'from');
  const right = column(order(flows.map((f) => f.to)), w - 170, 'to');
  const idx = (nodes: typeof left, name: string) => nodes.findIndex((n) => n.name === name);
  // Stack bands in node order at both ends, so they cross as little as possible.
  const sorted = [...flows].sort((x, y) => idx(left, x.from) - idx(left, y.from) || idx(right, x.to) - idx(right, y.to));
  const links = sorted.map((f) => {
    const a = left.find((n) => n.name === f.from)!;
    const b = right.find((n) => n.name === f.to)!;
    const t = Math.max(1, f.count * a.scale);
    const y1 = a.y + a.used + t / 2,
      y2 = b.y + b.used + t / 2;
    a.used += t;
    b.used += t;
    const x1 = a.x + nodeW,
      x2 = b.x,
      mx = (x1 + x2) / 2;
    return `<path class="flow" d="M${x1},${y1.toFixed(1)} C${mx},${y1.toFixed(1)} ${mx},${y2.toFixed(1)} ${x2},${y2.toFixed(1)}" stroke="${colour(f.from)}" stroke-width="${t.toFixed(1)}" stroke-opacity="0.45" fill="none"><title>${esc(f.from)} → ${esc(f.to)}: ${f.count}</title></path>`;
  });
  const nodes = [...left, ...right].map((n, i) => {
    const isLeft = i < left.length;
    return (
      `<rect x="${n.x}" y="${n.y.toFixed(1)}" width="${nodeW}" height="${n.height.toFixed(1)}" fill="${n.name === 'declined' ? HARD : colour(n.name)}"/>` +
      `<text x="${isLeft ? n.x - 8 : n.x + nodeW + 8}" y="${(n.y + n.height / 2 + 4).toFixed(1)}" text-anchor="${isLeft ? 'end' : 'start'}" class="label">${esc(n.name)}</text>`
    );
  });
  const caption = `<text x="150" y="14" class="axis">first MID (soft decline)</text><text x="${w - 170}" y="14" class="axis">approved on / declined</text>`;
  return `<svg id="chart-cascades" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Cascade flow">${caption}${links.join('')}${nodes.join('')}</svg>`;
}

function declineChart(r: SimulationReport): string {
  const rows = r.declineAttempts;
  const w = 1000,
    rowH = 24,
    left = 210,
    h = rows.length * rowH + 20;
  const max = Math.max(1, ...rows.map((d) => d.count));
  const bars = rows.map((d, i) => {
    const yy = 10 + i * rowH;
    const len = ((w - left - 90) * d.count) / max;
    const hard = DECLINE_REASONS[d.reason].category === 'hard';
    return (
      `<text x="${left - 8}" y="${yy + 14}" text-anchor="end" class="label">${esc(d.reason)}</text>` +
      `<rect class="reason-bar" data-reason="${esc(d.reason)}" x="${left}" y="${yy}" width="${len.toFixed(1)}" height="${rowH - 6}" fill="${hard ? HARD : SOFT}"/>` +
      `<text x="${(left + len + 6).toFixed(1)}" y="${yy + 14}" class="value">${d.count}</text>`
    );
  });
  return `<svg id="chart-declines" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Declined attempts by standard reason">${bars.join('')}</svg>`;
}

const ratio = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(2)} %`);

/** Each MID's and the entity's Visa-style ratio as a bar against the VAMP line and the merchant's thresholds. */
function disputeChart(r: SimulationReport): string {
  const h = r.disputes.health;
  const rows = [...h.mids.map((m) => ({ id: m.mid, x: m })), ...h.entities.map((e) => ({ id: `entity: ${e.entity}`, x: e }))];
  const vamp = rows[0]?.x.visa.threshold ?? 0.015;
  const warn = h.mids[0]?.thresholds.warnAt;
  const pause = h.mids[0]?.thresholds.pauseAt;
  const top = Math.max(vamp * 1.4, ...rows.map((row) => row.x.visa.ratio ?? 0)) || 0.02;
  const w = 1000;
  const left = 200;
  const bar = 22;
  const plot = w - left - 40;
  const height = rows.length * (bar + 8) + 40;
  const xOf = (v: number) => left + (plot * v) / top;
  const bars = rows.map(({ id, x }, i) => {
    const y = 10 + i * (bar + 8);
    const v = x.visa.ratio ?? 0;
    const fill = id.startsWith('entity') ? '#444' : colour(id);
    return `<text class="label" x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(id)}</text><rect class="ratio" data-mid="${esc(id)}" x="${left}" y="${y}" width="${Math.max(1, xOf(v) - left).toFixed(1)}" height="${bar}" fill="${fill}"></rect><text class="value" x="${xOf(v) + 6}" y="${y + 16}">${ratio(x.visa.ratio)}</text>`;
  });
  const line = (v: number | undefined, label: string, stroke: string) =>
    v === undefined
      ? ''
      : `<line x1="${xOf(v)}" x2="${xOf(v)}" y1="4" y2="${height - 24}" stroke="${stroke}" stroke-width="2" stroke-dasharray="5 3"></line><text class="axis" x="${xOf(v)}" y="${height - 8}" text-anchor="middle">${esc(label)} ${ratio(v)}</text>`;
  return `<svg id="chart-disputes" viewBox="0 0 ${w} ${height}" width="${w}" height="${height}" role="img" aria-label="Visa-style dispute ratio per MID and entity against the thresholds">${bars.join('')}${line(vamp, 'VAMP', HARD)}${line(warn, 'warn', SOFT)}${line(pause, 'pause', '#8e44ad')}</svg>`;
}

function disputeSection(r: SimulationReport): string {
  const d = r.disputes;
  const h = d.health;
  const rows = [
    ...h.mids.map((m) => ({ name: m.mid, x: m, state: m.paused ? 'paused for new sales' : m.warnings.length ? 'warned' : '' })),
    ...h.entities.map((e) => ({ name: `entity: ${e.entity} (${e.mids.length} MIDs)`, x: e, state: '' })),
  ].map(
    ({ name, x, state }) =>
      `<tr><td>${esc(name)}</td><td>${x.counts.sales.count}</td><td>${x.counts.disputes.count}</td><td>${x.counts.fraudReports.count}</td><td>${x.counts.prevented.count}</td><td>${ratio(x.visa.ratio)}</td><td>${ratio(x.visa.threshold)}${x.visa.meetsMinimum ? '' : ' (applies above 1,500)'}</td><td>${ratio(x.projected.visa.ratio)}</td><td>${ratio(x.mastercard.ratio)}</td><td>${esc(x.mastercard.tier ?? '–')}</td><td>${esc(state)}</td></tr>`,
  );
  const alerts = d.alerts.map(
    (a) =>
      `<tr><td>${esc(a.alertId)}</td><td>${esc(a.kind)}</td><td>${esc(a.mid)}</td><td>${esc(a.matchedBy)}</td><td>${esc(a.outcome)}</td><td>${usd(a.refunded)}</td></tr>`,
  );
  return `<h2>Dispute ratios against the programs' thresholds (${esc(h.month)})</h2>
<p class="note">Visa-style (VAMP): fraud reports plus disputes over settled sales of the month; Mastercard-style (ECP): chargebacks over the previous month's sales (none before ${esc(h.month)}: no ratio yet). The entity adds up the MIDs the networks aggregate. Dashed lines: VAMP merchant threshold and the merchant's own warn and pause levels.</p>
${disputeChart(r)}
<table><thead><tr><th></th><th>sales</th><th>disputes</th><th>fraud reports</th><th>prevented</th><th>Visa-style</th><th>VAMP line</th><th>projected</th><th>Mastercard-style</th><th>ECP tier</th><th>state</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<h2>Prevention alerts resolved</h2>
<p class="note">${d.alerts.length} alerts resolved before they became chargebacks, each refunded on the MID of its sale; ${h.entities.reduce((n, e) => n + e.counts.prevented.count, 0)} disputes prevented.${d.warnings.length ? ` Warnings: ${esc(d.warnings.join(', '))}.` : ''}${d.paused.length ? ` Paused for new sales: ${esc(d.paused.join(', '))}.` : ''}</p>
<table><thead><tr><th>alert</th><th>service</th><th>MID</th><th>matched by</th><th>outcome</th><th>refunded</th></tr></thead>
<tbody>${alerts.join('\n')}</tbody></table>`;
}

/** Render the report as a self-contained HTML page. */
export function htmlReport(r: SimulationReport): string {
  const volume = r.mids.reduce((n, m) => n + m.approvedAmount, 0);
  const s = r.subscriptions;
  const midRows = r.mids.map(
    (m) =>
      `<tr><td><span class="swatch" style="background:${colour(m.id)}"></span>${esc(m.id)}</td><td>${esc(m.label)}</td><td>${esc(m.pool)}</td><td>${m.attempts}</td><td>${m.approved}</td><td>${m.declined}</td><td>${pct(m.approved, m.attempts)}</td><td>${usd(m.approvedAmount)}</td><td>${pct(m.approvedAmount, volume)}</td><td>${m.monthlyCap ? `${pct(m.capUsed ?? 0, m.monthlyCap)} of ${usd(m.monthlyCap)}` : 'no cap'}</td><td>${m.brands ? esc(m.brands.join(', ')) : 'all'}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard demo report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1040px;color:#222;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.kpis{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}.kpi{background:#f4f6f8;border-radius:6px;padding:10px 14px;min-width:150px}
.kpi b{display:block;font-size:20px}table{border-collapse:collapse;width:100%}td,th{padding:4px 8px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child,td:nth-child(2),td:nth-child(3){text-align:left}.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
svg .label{font-size:13px;fill:#333}svg .axis{font-size:11px;fill:#777}svg .value{font-size:12px;fill:#222}.note{color:#666;font-size:12px}
</style></head><body>
<h1>Switchyard demo report</h1>
<p class="note">${r.checkouts} simulated checkouts in ${esc(r.month)}, then two monthly rebill cycles with salvage; sandbox gateways with seeded approval rates, decline mixes and latencies (seed ${r.seed}). State in ${esc(r.dbPath)}.</p>
<div class="kpis">
<div class="kpi">Sales approved<b>${r.approvedSales} / ${r.checkouts}</b>${pct(r.approvedSales, r.checkouts)}</div>
<div class="kpi">Volume<b>${usd(volume)}</b>sales and rebills</div>
<div class="kpi">Saved by cascades<b>${r.savedByCascade}</b>${usd(r.savedAmount)}</div>
<div class="kpi">Rebills on pinned MID<b>${s.onPinnedMid} / ${s.rebills}</b>${s.rebillsApproved} approved</div>
<div class="kpi">Salvaged rebills<b>${s.salvaged} / ${s.salvageRetries}</b>retries</div>
</div>
<h2>Approved volume per MID</h2>
${volumeChart(r)}
<h2>Share of first attempts against configured weight</h2>
<p class="note">Coloured: the share of its pool's first attempts the MID received; grey: its configured weight. A MID whose monthly cap filled takes less.</p>
${weightChart(r)}
<h2>Cascade flow</h2>
<p class="note">Sales that got a soft decline on their first MID: where they were approved in the end, or declined. ${r.cascades} cascades saved ${r.savedByCascade} sales.</p>
${cascadeChart(r)}
<h2>Declines by standard reason</h2>
<p class="note">Declined attempts, normalized from ISO 8583 codes. Red: hard (never cascaded), amber: soft.</p>
${declineChart(r)}
<h2>Merchant accounts</h2>
<table><thead><tr><th>MID</th><th>gateway</th><th>pool</th><th>attempts</th><th>approved</th><th>declined</th><th>approval</th><th>volume</th><th>share</th><th>cap used (${esc(r.month)})</th><th>brands</th></tr></thead>
<tbody>${midRows.join('\n')}</tbody></table>
${disputeSection(r)}
<h2>Subscriptions</h2>
<p>${s.pinned} subscriptions pinned to the MID of their initial sale. ${s.rebills} rebills, ${s.rebillsApproved} approved; ${s.onPinnedMid} of ${s.rebills} ran on the pinned MID. Salvage: ${s.salvageRetries} retries, ${s.salvaged} recovered. Revoked by the issuer: ${s.revoked}.</p>
</body></html>
`;
}
