/**
 * The demo report as text: per-MID approvals and declines, share of volume against the
 * configured weights, cap usage, cascades, declines by standard reason, pinned rebills.
 * @module
 */
import { DECLINE_REASONS } from '../../src/index';
import type { SimulationReport } from './simulate';

/** Dollars from cents, e.g. `$1,234.50`. */
export function usd(cents: number): string {
  return `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A share as a percentage with one decimal. */
export function pct(part: number, whole: number): string {
  return whole === 0 ? '  -  ' : `${((100 * part) / whole).toFixed(1)}%`;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

/** Render the report as text. */
export function textReport(r: SimulationReport): string {
  const out: string[] = [];
  const volume = r.mids.reduce((n, m) => n + m.approvedAmount, 0);
  out.push(
    `Switchyard demo: ${r.checkouts} checkouts in ${r.month}, then two monthly rebill cycles (seed ${r.seed}, ${(r.durationMs / 1000).toFixed(1)} s)`,
  );
  out.push('');
  out.push(`Sales approved: ${r.approvedSales} of ${r.checkouts} (${pct(r.approvedSales, r.checkouts)}), ${usd(r.approvedSalesAmount)}`);
  out.push(
    `Saved by cascades: ${r.savedByCascade} sales (${usd(r.savedAmount)}) approved on a later MID after a soft decline; ${r.cascades} cascades in all`,
  );
  out.push(`  cascaded on: ${r.cascadeReasons.map((c) => `${c.reason} ${c.count}`).join(', ')}`);
  out.push(`Prepaid redirect: ${r.prepaidOnPrepaidMid} of ${r.prepaidSales} approved prepaid sales went through pp-1 first`);
  out.push(`No-Amex MID: ${r.amexOnNoAmexMid} of ${r.amexSales} approved Amex sales on anet-1`);
  out.push('');
  out.push('Merchant accounts');
  out.push(
    table(
      ['MID', 'pool', 'attempts', 'approved', 'declined', 'approval', 'volume', 'vol. share', '1st tries', 'weight', 'cap used', 'latency'],
      r.mids.map((m) => [
        m.id,
        m.pool,
        String(m.attempts),
        String(m.approved),
        String(m.declined),
        pct(m.approved, m.attempts),
        usd(m.approvedAmount),
        pct(m.approvedAmount, volume),
        m.firstAttemptShare === undefined ? '-' : pct(m.firstAttemptShare, 1),
        m.weightShare === undefined ? '-' : pct(m.weightShare, 1),
        m.monthlyCap ? `${pct(m.capUsed ?? 0, m.monthlyCap)} of ${usd(m.monthlyCap)}` : 'no cap',
        `${m.meanLatencyMs.toFixed(1)} ms`,
      ]),
    ),
  );
  out.push("  (1st tries: share of its pool's first attempts, against the configured weight; a capped MID takes less once full)");
  const capped = r.mids.filter((m) => m.capReached > 0);
  if (capped.length) out.push(`  Caps reached: ${capped.map((m) => `${m.id} skipped ${m.capReached} times`).join(', ')}`);
  out.push('');
  out.push('Cascade flow (first MID -> outcome)');
  out.push(
    table(
      ['from', 'to', 'sales'],
      r.flows.slice(0, 12).map((f) => [f.from, f.to, String(f.count)]),
    ),
  );
  out.push('');
  out.push('Declines by standard reason');
  const finals = new Map(r.finalDeclines.map((d) => [d.reason, d.count]));
  out.push(
    table(
      ['reason', 'category', 'cascades', 'attempts', 'final'],
      r.declineAttempts.map((d) => {
        const info = DECLINE_REASONS[d.reason];
        return [d.reason, info.category, info.cascade ? 'yes' : 'no', String(d.count), String(finals.get(d.reason) ?? 0)];
      }),
    ),
  );
  const failed = Object.entries(r.failedSales)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  if (failed) out.push(`  Failed sales by outcome: ${failed}`);
  out.push('');
  const s = r.subscriptions;
  out.push('Subscriptions');
  out.push(`  Pinned: ${s.pinned} subscriptions, each to the MID of its initial sale`);
  out.push(
    `  Rebills: ${s.rebills}, approved ${s.rebillsApproved} (${pct(s.rebillsApproved, s.rebills)}); on the pinned MID: ${s.onPinnedMid} of ${s.rebills}`,
  );
  out.push(`  Salvage retries: ${s.salvageRetries}, recovered ${s.salvaged}; subscriptions revoked by the issuer: ${s.revoked}`);
  out.push('');
  out.push(...disputeLines(r));
  return out.join('\n');
}

const ratio = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(2)}%`);

/** The chargeback monitoring part: each MID's and the entity's ratios against the programs' thresholds. */
export function disputeLines(r: SimulationReport): string[] {
  const d = r.disputes;
  const h = d.health;
  const out: string[] = [
    `Disputes in ${h.month}, as the card networks count them (${d.recorded} disputes, ${d.fraudReports} fraud reports recorded)`,
  ];
  const rows = [
    ...h.mids.map((m) => ({
      name: m.mid,
      x: m,
      warn: m.thresholds.warnAt,
      pause: m.thresholds.pauseAt,
      state: m.paused ? 'paused' : m.warnings.length ? 'warned' : '',
    })),
    ...h.entities.map((e) => ({ name: `entity: ${e.entity}`, x: e, warn: undefined, pause: undefined, state: '' })),
  ];
  out.push(
    table(
      ['', 'sales', 'disputes', 'fraud', 'prevented', 'Visa-style', 'VAMP line', 'Mastercard-style', 'ECP tier', 'warn / pause', 'state'],
      rows.map(({ name, x, warn, pause, state }) => [
        name,
        String(x.counts.sales.count),
        String(x.counts.disputes.count),
        String(x.counts.fraudReports.count),
        String(x.counts.prevented.count),
        ratio(x.visa.ratio),
        `${ratio(x.visa.threshold)}${x.visa.meetsMinimum ? '' : ' (n/a < 1,500)'}`,
        ratio(x.mastercard.ratio),
        x.mastercard.tier ?? '-',
        warn === undefined ? '-' : `${ratio(warn)} / ${ratio(pause)}`,
        state,
      ]),
    ),
  );
  out.push("  (Mastercard-style: this month's chargebacks over last month's sales; none last month: no ratio yet)");
  const refunded = d.alerts.filter((a) => a.outcome === 'refunded').length;
  out.push(
    `  Prevention alerts: ${d.alerts.length} resolved (${refunded} refunded on the MID of the sale), ${h.entities.reduce((n, e) => n + e.counts.prevented.count, 0)} disputes prevented`,
  );
  if (d.warnings.length)
    out.push(`  Warnings: ${d.warnings.join(', ')}${d.paused.length ? `; paused for new sales: ${d.paused.join(', ')}` : ''}`);
  return out;
}
