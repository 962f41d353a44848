/**
 * Reports of the `smart` scenario: a text table and a self-contained HTML page whose SVG chart
 * plots the approval rate per day of static weights, success-rate routing and the oracle on the
 * same seeded traffic, with the day the degraded MID fell marked.
 * @module
 */
import { SMART_DRIFT, SMART_MIDS, type SmartReport, type SmartStrategy } from './smart';

/** Line colour of each compared strategy. */
export const SMART_COLOURS: Readonly<Record<SmartStrategy, string>> = {
  static: '#d62728',
  success_rate: '#1f77b4',
  oracle: '#2ca02c',
};

/** How each strategy is named in the reports. */
export const SMART_LABELS: Readonly<Record<SmartStrategy, string>> = {
  static: 'static weights',
  success_rate: 'success-rate routing',
  oracle: 'oracle (true best MID)',
};

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number, d = 1) => `${(100 * x).toFixed(d)}%`;
const strategies = (r: SmartReport) => (Object.keys(SMART_COLOURS) as SmartStrategy[]).filter((s) => r.runs[s]);

/** The comparison as text. */
export function smartTextReport(r: SmartReport): string {
  const lines = [
    `Smart scenario: ${r.transactions} transactions over ${r.days} days (seed ${r.seed}); ${SMART_DRIFT.mid} loses ${SMART_DRIFT.drop * 100} points on ${SMART_DRIFT.segment} from transaction ${r.driftAt}`,
    '',
    `${'strategy'.padEnd(26)}${'approved'.padStart(10)}${'rate'.padStart(9)}   first attempts`,
  ];
  for (const s of strategies(r)) {
    const run = r.runs[s];
    const firsts = SMART_MIDS.map((m) => `${m.id} ${run.firstAttempts[m.id] ?? 0}`).join(', ');
    lines.push(`${SMART_LABELS[s].padEnd(26)}${String(run.approved).padStart(10)}${pct(run.approvalRate, 2).padStart(9)}   ${firsts}`);
  }
  const sr = r.runs.success_rate;
  if (sr) {
    lines.push('');
    if (Number.isFinite(r.recovery))
      lines.push(`Success-rate routing recovered ${pct(r.recovery)} of the oracle's gain over static weights.`);
    lines.push(
      `Exploration: ${pct(sr.exploreShare ?? 0, 2)} of decisions; fallback to the weights while cold: ${pct(sr.fallbackShare ?? 0, 2)}.`,
    );
    lines.push(
      sr.drift.movedAfter === null
        ? `After the drift, ${SMART_DRIFT.mid}'s traffic on ${SMART_DRIFT.segment} did not move.`
        : `After the drift, ${SMART_DRIFT.mid}'s traffic on ${SMART_DRIFT.segment} moved away within ${sr.drift.movedAfter} transactions.`,
    );
  }
  return lines.join('\n');
}

/** The approval rate per day of each strategy, one polyline each, with the drift marked. */
function seriesChart(r: SmartReport): string {
  const w = 1000,
    h = 380,
    top = 20,
    bottom = 50,
    left = 60,
    right = 20;
  const all = strategies(r).flatMap((s) => r.runs[s].series);
  const lo = Math.max(0, Math.floor(Math.min(...all) * 20) / 20 - 0.05);
  const hi = Math.min(1, Math.ceil(Math.max(...all) * 20) / 20 + 0.05);
  const x = (day: number) => left + ((w - left - right) * (day + 0.5)) / r.days;
  const y = (v: number) => top + (h - top - bottom) * (1 - (v - lo) / (hi - lo));
  const ticks: string[] = [];
  for (let v = lo; v <= hi + 1e-9; v += 0.05)
    ticks.push(
      `<line x1="${left}" x2="${w - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/><text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="axis">${pct(v, 0)}</text>`,
    );
  const every = Math.max(1, Math.ceil(r.days / 15));
  for (let d = 0; d < r.days; d += every)
    ticks.push(`<text x="${x(d).toFixed(1)}" y="${h - bottom + 18}" text-anchor="middle" class="axis">${d + 1}</text>`);
  ticks.push(`<text x="${(w + left) / 2}" y="${h - 8}" text-anchor="middle" class="axis">day of the month</text>`);
  const driftX = left + (w - left - right) * SMART_DRIFT.at;
  const drift = `<line id="drift" x1="${driftX}" x2="${driftX}" y1="${top}" y2="${h - bottom}" stroke="#555" stroke-dasharray="4 4"/><text x="${driftX + 6}" y="${top + 12}" class="axis">${esc(SMART_DRIFT.mid)} degrades on ${esc(SMART_DRIFT.segment)}</text>`;
  const lines = strategies(r).map((s) => {
    const points = r.runs[s].series.map((v, d) => `${x(d).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    return `<polyline class="series" data-strategy="${esc(s)}" points="${points}" fill="none" stroke="${SMART_COLOURS[s]}" stroke-width="4"><title>${esc(SMART_LABELS[s])}: ${pct(r.runs[s].approvalRate, 2)}</title></polyline>`;
  });
  return `<svg id="chart-approval" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Approval rate per day by routing strategy">${ticks.join('')}${drift}${lines.join('')}</svg>`;
}

/** The comparison as a self-contained HTML page. */
export function smartHtmlReport(r: SmartReport): string {
  const rows = strategies(r).map((s) => {
    const run = r.runs[s];
    return `<tr><td><span class="swatch" style="background:${SMART_COLOURS[s]}"></span>${esc(SMART_LABELS[s])}</td><td>${run.approved}</td><td>${pct(run.approvalRate, 2)}</td>${SMART_MIDS.map((m) => `<td>${run.firstAttempts[m.id] ?? 0}</td>`).join('')}</tr>`;
  });
  const sr = r.runs.success_rate;
  const kpis = sr
    ? `<div class="kpis"><div class="kpi">Oracle gain recovered<b>${Number.isFinite(r.recovery) ? pct(r.recovery) : 'n/a'}</b>over static weights</div>` +
      `<div class="kpi">Exploration<b>${pct(sr.exploreShare ?? 0, 2)}</b>of decisions</div>` +
      `<div class="kpi">Moved off the degraded MID<b>${sr.drift.movedAfter ?? 'never'}</b>transactions after the drift</div></div>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard smart routing report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1040px;color:#222;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.kpis{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}.kpi{background:#f4f6f8;border-radius:6px;padding:10px 14px;min-width:150px}
.kpi b{display:block;font-size:20px}table{border-collapse:collapse;width:100%}td,th{padding:4px 8px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
svg .axis{font-size:11px;fill:#777}.note{color:#666;font-size:12px}
</style></head><body>
<h1>Switchyard smart routing report</h1>
<p class="note">${r.transactions} seeded transactions over ${r.days} days (seed ${r.seed}), the same cards, amounts and gateway draws for every strategy; cascades off. Four MIDs whose approval rates differ by card segment; ${esc(SMART_DRIFT.mid)} loses ${SMART_DRIFT.drop * 100} points on ${esc(SMART_DRIFT.segment)} halfway through.</p>
${kpis}
<h2>Approval rate per day</h2>
${seriesChart(r)}
<h2>Strategies</h2>
<table><thead><tr><th>strategy</th><th>approved</th><th>rate</th>${SMART_MIDS.map((m) => `<th>${esc(m.id)} first</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</body></html>
`;
}
