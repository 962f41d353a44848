/**
 * One fault-injection run on a store: the workload over the six fakes with random faults, then
 * reconciliation until nothing more settles, then the audit. Prints the counts; returns the report.
 */
import type { Store } from '../../src/store/types';
import { adapterFor } from './adapters';
import { startGateways } from './gateways';
import { audit, faultRouter, runWorkload, type AuditReport, type Ledger } from './harness';

/** Gateways whose adapter can look a payment up by our reference. */
export const LOOKUP_GATEWAYS = new Set(['stripe', 'nmi', 'authorizenet', 'braintree']);

/** Settings of a run (env overrides let CI or a developer scale it). */
export const RUN = {
  transactions: Number(process.env.SWITCHYARD_FAULT_TRANSACTIONS ?? 10_000),
  seed: Number(process.env.SWITCHYARD_FAULT_SEED ?? 7),
  faultRate: Number(process.env.SWITCHYARD_FAULT_RATE ?? 0.12),
  concurrency: 8,
};

/** Run the suite on a store; `ledger()` reads the store's database after the run. */
export async function faultRun(name: string, store: Store, ledger: () => Promise<Ledger> | Ledger): Promise<AuditReport> {
  const gateways = await startGateways();
  try {
    const router = faultRouter(gateways, store, RUN.seed);
    const started = Date.now();
    const stats = await runWorkload(router, gateways, { ...RUN, tag: `${name}-${RUN.seed}`, reconcileEvery: 1_000 });
    // The outage ends: faults still queued on a fake (one that stopped taking sales at its cap
    // keeps them) are dropped, as a gateway comes back. Reconciliation already ran under faults
    // during the workload; now it must settle everything a gateway can answer for.
    const leftover = gateways.reduce((n, g) => n + g.clearFaults(), 0);
    const rounds = [];
    for (let idle = 0, i = 0; idle < 3 && i < 40; i++) {
      const r = await router.reconcile({ olderThanMs: 0 });
      rounds.push(r);
      idle = r.unresolved === 0 ? 3 : r.approved + r.declined + r.notFound === 0 ? idle + 1 : 0;
    }
    const report = audit(gateways, await ledger(), LOOKUP_GATEWAYS);
    console.log(
      `\n[fault suite: ${name}] ${stats.transactions} transactions in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${RUN.seed}\n` +
        `  outcomes: ${JSON.stringify(stats.outcomes)}\n` +
        `  faults injected: ${JSON.stringify(stats.faults)}\n` +
        `  faults left queued at the end (dropped): ${leftover}\n` +
        `  reconcile rounds: ${JSON.stringify(rounds)}\n` +
        `  gateway charges ${report.gatewayCharges}, approved in ledger exactly once ${report.approvedInLedger}, ` +
        `pending for review (gateway without lookup) ${report.pendingForReview}, pending attempts left ${report.pendingAttempts}\n` +
        `  refunded at gateways ${report.refundsAtGateways}; rebills on their pinned MID ${report.rebillsChecked}; caps: ${report.capChecks.join('; ')}\n` +
        `  violations: ${report.violations.length}${report.violations.length ? `\n    ${report.violations.slice(0, 20).join('\n    ')}` : ''}\n`,
    );
    // Diagnose a lost approval: what does the gateway say about it now?
    for (const line of report.violations.filter((x) => x.includes('(lost approval)')).slice(0, 5)) {
      const [mid, rest] = line.split(': charge ');
      const reference = rest.split(' ')[0];
      const g = gateways.find((x) => x.mid === mid)!;
      const found = await adapterFor(g).lookup?.({ reference, transactionId: '', amount: 0, currency: 'USD', merchant: { id: mid } });
      const attempt = (await ledger()).attempts.find((a) => a.id === reference);
      console.log(`  diagnosis of ${reference}: lookup now ${JSON.stringify(found)}; ledger attempt ${JSON.stringify(attempt)}`);
    }
    return report;
  } finally {
    await Promise.all(gateways.map((g) => g.close()));
  }
}
