/**
 * Counts what the router reports through its events: attempts, approvals, declines by reason,
 * cascades (and the sales they saved), caps reached, pins. Nothing here decides anything; it
 * listens.
 * @module
 */
import type { DeclineReason, Router } from '../../src/index';

/** Counters of one MID. */
export interface MidTally {
  attempts: number;
  /** First attempts of sales (what the weighted draw chose). */
  firstAttempts: number;
  approved: number;
  approvedAmount: number;
  rebillsApproved: number;
  declined: number;
  capReached: number;
}

/** What the router's events said during a run. */
export interface Tally {
  mids: Map<string, MidTally>;
  /** Declined attempts by standard reason. */
  declineAttempts: Map<DeclineReason, number>;
  cascades: number;
  /** Cascades by the reason of the decline (or `gateway_error`) that set them off. */
  cascadeReasons: Map<string, number>;
  /** Sales approved after at least one cascade. */
  savedByCascade: number;
  savedAmount: number;
  /** Cascaded sales: first MID → MID that approved (or `declined`). */
  flows: Map<string, number>;
  pinsCreated: number;
  revoked: number;
  /** Transactions that cascaded at least once, with their first MID. */
  cascaded: Map<string, string>;
  /** Call when a sale ends in a failure, to close its cascade flow. */
  saleFailed(transactionId: string | undefined): void;
}

/** Listen to a router's events and count them. */
export function tallyEvents(router: Router, midIds: readonly string[]): Tally {
  const mids = new Map(
    midIds.map((id) => [
      id,
      { attempts: 0, firstAttempts: 0, approved: 0, approvedAmount: 0, rebillsApproved: 0, declined: 0, capReached: 0 },
    ]),
  );
  const firstMid = new Map<string, string>();
  const tally: Tally = {
    mids,
    declineAttempts: new Map(),
    cascades: 0,
    cascadeReasons: new Map(),
    savedByCascade: 0,
    savedAmount: 0,
    flows: new Map(),
    pinsCreated: 0,
    revoked: 0,
    cascaded: new Map(),
    saleFailed(transactionId) {
      if (!transactionId) return;
      const from = tally.cascaded.get(transactionId);
      if (from) bump(tally.flows, `${from}\u2192declined`);
      firstMid.delete(transactionId);
    },
  };
  const bump = <K>(m: Map<K, number>, k: K, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

  router.on('attempt', (e) => {
    mids.get(e.mid)!.attempts++;
    if (e.operation === 'sale' && !firstMid.has(e.transactionId)) {
      firstMid.set(e.transactionId, e.mid);
      mids.get(e.mid)!.firstAttempts++;
    }
  });
  router.on('approved', (e) => {
    // Follow-ups (the refunds of prevention alerts) are not sales.
    if (e.operation === 'refund' || e.operation === 'capture' || e.operation === 'void') return;
    const m = mids.get(e.mid)!;
    m.approved++;
    m.approvedAmount += e.amount;
    if (e.operation === 'rebill') m.rebillsApproved++;
    const from = tally.cascaded.get(e.transactionId);
    if (from) {
      tally.savedByCascade++;
      tally.savedAmount += e.amount;
      bump(tally.flows, `${from}\u2192${e.mid}`);
    }
    firstMid.delete(e.transactionId);
  });
  router.on('declined', (e) => {
    mids.get(e.mid)!.declined++;
    bump(tally.declineAttempts, e.decline.reason);
  });
  router.on('cascade', (e) => {
    tally.cascades++;
    bump(tally.cascadeReasons, e.reason);
    if (!tally.cascaded.has(e.transactionId)) tally.cascaded.set(e.transactionId, firstMid.get(e.transactionId) ?? e.fromMid);
  });
  router.on('cap:reached', (e) => {
    mids.get(e.mid)!.capReached++;
  });
  router.on('pin:created', () => {
    tally.pinsCreated++;
  });
  router.on('subscription:revoked', () => {
    tally.revoked++;
  });
  return tally;
}
