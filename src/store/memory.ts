/**
 * `memoryStore()`: the Store in process memory. For tests, demos and benchmarks; state is lost
 * when the process ends, so production uses `sqliteStore` or `postgresStore`.
 * `write` checks every condition, then applies everything, with no `await` in between: atomic in Node.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { refundState } from '../transaction/states';
import { type WindowCounts, withOutcome } from './approval-window';
import { DECLINE_HISTORY_MS, type StoreWriteParts, writeParts } from './records';
import { matchesSearch, newestFirst, PAYMENT_OPERATIONS, utcDay } from './search';
import type {
  ApprovalWindow,
  AttemptRecord,
  CapUsage,
  MidAttemptCounts,
  DeclineRecord,
  DisputeRecord,
  IdempotencyClaim,
  MonitorEntry,
  MonthCount,
  NotificationRecord,
  PaymentLinkRecord,
  PinRecord,
  RepinAuditRecord,
  StaleClaim,
  Store,
  StoredResult,
  TransactionRecord,
  WriteConflict,
  WriteResult,
} from './types';

/**
 * Deep copy of plain data (objects, arrays, primitives): what a real store would hand back, so a
 * caller can never mutate stored state. Keys whose value is `undefined` are left out, as JSON would.
 */
function clonePlain<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clonePlain) as T;
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = clonePlain(x);
  }
  return out as T;
}

/** `Object.assign` of a patch whose `undefined` values remove the field. */
function applyPatch(target: Record<string, unknown>, patch: object): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete target[k];
    else target[k] = clonePlain(v);
  }
}

interface Claim {
  requestHash: string;
  transactionId?: string | undefined;
  leaseUntil: number;
  result?: StoredResult | undefined;
}

/**
 * A Store kept in memory.
 * @example
 * const router = createRouter({ ..., store: memoryStore() });
 */
export function memoryStore(): Store {
  const caps = new Map<string, { amount: number; count: number }>();
  const claims = new Map<string, Claim>();
  const txs = new Map<string, TransactionRecord>();
  const attempts = new Map<string, AttemptRecord>();
  const attemptsByTx = new Map<string, string[]>();
  const pins = new Map<string, PinRecord>();
  const audit: RepinAuditRecord[] = [];
  const declines = new Map<string, DeclineRecord[]>();
  const secrets = new Map<string, string>();
  const windows = new Map<string, WindowCounts>();
  const windowKey = (mid: string, segment: string) => `${mid}\u0000${segment}`;
  const notifications = new Map<string, NotificationRecord>();
  const disputes = new Map<string, DisputeRecord>();
  const links = new Map<string, PaymentLinkRecord>();
  const counters = new Map<string, { count: number; windowEnd: number }>();
  const monthly = new Map<string, MonthCount>();
  const entries = new Map<string, MonitorEntry>();
  const countOf = (key: string, now: number) => {
    const c = counters.get(key);
    return c && c.windowEnd > now ? c.count : 0;
  };
  const capKey = (mid: string, w: string, k: string) => `${mid}\u0000${w}\u0000${k}`;
  const copy = clonePlain;
  const claimOf = (c: Claim): IdempotencyClaim =>
    c.result
      ? { status: 'completed', requestHash: c.requestHash, result: copy(c.result), transactionId: c.transactionId }
      : { status: 'in_progress', requestHash: c.requestHash, transactionId: c.transactionId, leaseUntil: c.leaseUntil };

  /** The first condition of `w` that fails, or undefined. */
  function conflict(w: StoreWriteParts): WriteConflict | undefined {
    if (w.claim) {
      const c = claims.get(w.claim.key);
      if (c) return { ok: false, conflict: 'idempotency', claim: claimOf(c) };
    }
    if (w.insertTransaction && txs.has(w.insertTransaction.id)) throw new Error(`transaction ${w.insertTransaction.id} exists`);
    // The attempt first: a settlement that lost a race reports it as such.
    if (w.attempt) {
      const a = attempts.get(w.attempt.id);
      if (!a || !w.attempt.from.includes(a.status)) return { ok: false, conflict: 'state', on: 'attempt', status: a?.status };
    }
    if (w.transaction) {
      const t = txs.get(w.transaction.id);
      if (!t || !w.transaction.from.includes(t.status)) return { ok: false, conflict: 'state', on: 'transaction', status: t?.status };
      const amount = w.transaction.patch.amount ?? t.amount;
      const captured = t.capturedAmount + (w.transaction.add?.captured ?? 0);
      const refunded = t.refundedAmount + (w.transaction.add?.refunded ?? 0);
      if ((w.transaction.add?.captured ?? 0) > 0 && captured > amount) return { ok: false, conflict: 'amount' };
      if ((w.transaction.add?.refunded ?? 0) > 0 && refunded > captured) return { ok: false, conflict: 'amount' };
      if (w.transaction.unrefunded && t.refundedAmount > 0) return { ok: false, conflict: 'amount' };
    }
    if (w.insertAttempt && attempts.has(w.insertAttempt.id)) throw new Error(`attempt ${w.insertAttempt.id} exists`);
    if (w.reserveCap) {
      const { mid, counters, amount } = w.reserveCap;
      for (const c of counters) {
        const u = caps.get(capKey(mid, c.window, c.key)) ?? { amount: 0, count: 0 };
        if (c.amountLimit !== undefined && u.amount + amount > c.amountLimit) return { ok: false, conflict: 'cap' };
        if (c.countLimit !== undefined && u.count + 1 > c.countLimit) return { ok: false, conflict: 'cap' };
      }
    }
    if (w.updatePin) {
      const p = pins.get(w.updatePin.subscriptionId);
      if (!p || (w.updatePin.expectMid !== undefined && p.mid !== w.updatePin.expectMid))
        return { ok: false, conflict: 'state', on: 'pin' };
    }
    if (w.notification) {
      const n = notifications.get(w.notification.record.id);
      const from = w.notification.from;
      if (from ? !n || !from.includes(n.status) : n) return { ok: false, conflict: 'notification', status: n?.status };
    }
    if (w.dispute && (disputes.get(w.dispute.id)?.revision ?? 0) !== w.dispute.revision - 1) return { ok: false, conflict: 'dispute' };
    if (w.link && (links.get(w.link.record.invoiceId)?.revision ?? 0) !== w.link.expectRevision) {
      return { ok: false, conflict: 'state', on: 'link', status: links.get(w.link.record.invoiceId)?.status };
    }
    if (w.countAttempt?.counters.some((c) => countOf(c.key, w.countAttempt!.now) + 1 > c.limit)) return { ok: false, conflict: 'rate' };
    if (w.monitor?.entry && entries.has(w.monitor.entry.id)) return { ok: false, conflict: 'monitor' };
    return undefined;
  }

  function apply(w: StoreWriteParts): WriteResult {
    if (w.claim)
      claims.set(w.claim.key, { requestHash: w.claim.requestHash, transactionId: w.claim.transactionId, leaseUntil: w.claim.leaseUntil });
    if (w.insertTransaction) txs.set(w.insertTransaction.id, copy(w.insertTransaction));
    if (w.transaction) {
      const t = txs.get(w.transaction.id)!;
      applyPatch(t as unknown as Record<string, unknown>, w.transaction.patch);
      t.capturedAmount = Math.max(0, t.capturedAmount + (w.transaction.add?.captured ?? 0));
      t.refundedAmount = Math.max(0, t.refundedAmount + (w.transaction.add?.refunded ?? 0));
      if (w.transaction.refundStatus) t.status = refundState(t.capturedAmount, t.refundedAmount);
    }
    if (w.insertAttempt) {
      attempts.set(w.insertAttempt.id, copy(w.insertAttempt));
      const list = attemptsByTx.get(w.insertAttempt.transactionId) ?? [];
      list.push(w.insertAttempt.id);
      attemptsByTx.set(w.insertAttempt.transactionId, list);
    }
    if (w.attempt) applyPatch(attempts.get(w.attempt.id)! as unknown as Record<string, unknown>, w.attempt.patch);
    if (w.reserveCap) {
      for (const c of w.reserveCap.counters) {
        const k = capKey(w.reserveCap.mid, c.window, c.key);
        const u = caps.get(k) ?? { amount: 0, count: 0 };
        caps.set(k, { amount: u.amount + w.reserveCap.amount, count: u.count + 1 });
      }
    }
    if (w.releaseCap) {
      for (const c of w.releaseCap.counters) {
        const k = capKey(w.releaseCap.mid, c.window, c.key);
        const u = caps.get(k);
        if (u) caps.set(k, { amount: Math.max(0, u.amount - w.releaseCap.amount), count: Math.max(0, u.count - w.releaseCap.count) });
      }
    }
    let pinCreated: boolean | undefined;
    if (w.createPin) {
      pinCreated = !pins.has(w.createPin.subscriptionId);
      if (pinCreated) pins.set(w.createPin.subscriptionId, copy(w.createPin));
    }
    if (w.updatePin) {
      const p = pins.get(w.updatePin.subscriptionId)!;
      applyPatch(p as unknown as Record<string, unknown>, { ...w.updatePin.patch, updatedAt: w.updatePin.now });
    }
    if (w.repinAudit) audit.push(copy(w.repinAudit));
    if (w.decline) {
      const d = w.decline;
      const list = (declines.get(d.fingerprint) ?? []).filter((x) => x.at > d.at - DECLINE_HISTORY_MS);
      list.push(copy(d));
      declines.set(d.fingerprint, list);
    }
    if (w.complete) {
      const c = claims.get(w.complete.key);
      claims.set(w.complete.key, {
        requestHash: c?.requestHash ?? '',
        transactionId: c?.transactionId,
        leaseUntil: c?.leaseUntil ?? 0,
        result: copy(w.complete.result),
      });
    }
    if (w.release && !claims.get(w.release.key)?.result) claims.delete(w.release.key);
    if (w.pinCredential) {
      const p = pins.get(w.pinCredential.subscriptionId);
      const c = w.pinCredential.credential;
      if (p) {
        p.credentials = [...(p.credentials ?? []).filter((x) => x.mid !== c.mid), copy(c)];
        if (w.pinCredential.vaultReference !== undefined) p.vaultReference = w.pinCredential.vaultReference;
        p.updatedAt = w.pinCredential.now;
      }
    }
    if (w.notification) notifications.set(w.notification.record.id, copy(w.notification.record));
    if (w.dispute) disputes.set(w.dispute.id, copy(w.dispute));
    if (w.link) links.set(w.link.record.invoiceId, copy(w.link.record));
    if (w.countAttempt) {
      const { now } = w.countAttempt;
      for (const [k, c] of counters) if (c.windowEnd <= now) counters.delete(k);
      for (const c of w.countAttempt.counters) counters.set(c.key, { count: countOf(c.key, now) + 1, windowEnd: c.windowEnd });
    }
    if (w.approvalOutcome) {
      const o = w.approvalOutcome;
      for (const seg of o.segments) {
        const k = windowKey(o.mid, seg);
        windows.set(k, withOutcome(windows.get(k), o.approved, o.at, o.window));
      }
    }
    if (w.monitor?.entry) entries.set(w.monitor.entry.id, copy(w.monitor.entry));
    for (const c of w.monitor?.counts ?? []) {
      const k = `${c.mid}\u0000${c.month}\u0000${c.metric}`;
      const u = monthly.get(k) ?? { mid: c.mid, month: c.month, metric: c.metric, count: 0, amount: 0 };
      monthly.set(k, { ...u, count: u.count + c.count, amount: u.amount + c.amount });
    }
    return pinCreated === undefined ? { ok: true } : { ok: true, pinCreated };
  }

  return {
    async write(write) {
      const w = writeParts(write);
      return conflict(w) ?? apply(w);
    },
    async capUsage(mid, counters): Promise<CapUsage[]> {
      return counters.map((c) => ({
        window: c.window,
        key: c.key,
        ...(caps.get(capKey(mid, c.window, c.key)) ?? { amount: 0, count: 0 }),
      }));
    },
    async getTransaction(id) {
      return copy(txs.get(id));
    },
    async listAttempts(transactionId) {
      return (attemptsByTx.get(transactionId) ?? []).map((id) => copy(attempts.get(id)!));
    },
    async listPendingAttempts(startedBefore) {
      return [...attempts.values()].filter((a) => a.status === 'pending' && a.startedAt < startedBefore).map(copy);
    },
    async listStaleClaims(now): Promise<StaleClaim[]> {
      const out: StaleClaim[] = [];
      for (const [key, c] of claims)
        if (!c.result && c.leaseUntil < now) out.push({ key, transactionId: c.transactionId, leaseUntil: c.leaseUntil });
      return out;
    },
    async getClaim(key) {
      const c = claims.get(key);
      return c && claimOf(c);
    },
    async getPin(id) {
      return copy(pins.get(id));
    },
    async listPins(mid) {
      return [...pins.values()].filter((p) => p.mid === mid).map(copy);
    },
    async listRepinAudit(id) {
      return audit.filter((a) => id === undefined || a.subscriptionId === id).map(copy);
    },
    async declineHistory(fingerprint, since) {
      return (declines.get(fingerprint) ?? []).filter((d) => d.at >= since).map(copy);
    },
    async getOrCreateSecret(name) {
      let s = secrets.get(name);
      if (!s) secrets.set(name, (s = randomBytes(32).toString('base64url')));
      return s;
    },
    async close() {},
    async listActionAttempts(expiredBefore) {
      return [...attempts.values()]
        .filter((a) => a.status === 'requires_action' && (a.expiresAt ?? 0) <= expiredBefore)
        .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0) || a.startedAt - b.startedAt)
        .map(copy);
    },
    async findByGatewayReference(mid, ref) {
      const byId = ref.reference === undefined ? undefined : attempts.get(ref.reference);
      if (byId && byId.mid === mid) return { transaction: copy(txs.get(byId.transactionId)!), attempt: copy(byId) };
      const gid = ref.gatewayTransactionId;
      if (gid === undefined) return undefined;
      for (const t of txs.values()) if (t.mid === mid && t.gatewayTransactionId === gid) return { transaction: copy(t) };
      const list = [...attempts.values()].filter((a) => a.mid === mid && a.gatewayTransactionId === gid);
      const a = list.at(-1);
      return a && { transaction: copy(txs.get(a.transactionId)!), attempt: copy(a) };
    },
    async getNotification(id) {
      return copy(notifications.get(id));
    },
    async listNotifications(f) {
      const out = [...notifications.values()].filter((n) => (!f.status || n.status === f.status) && (!f.mid || n.mid === f.mid));
      return out.slice(0, f.limit ?? out.length).map(copy);
    },
    async getDispute(id) {
      return copy(disputes.get(id));
    },
    async listDisputes(f) {
      return [...disputes.values()]
        .filter(
          (d) =>
            (!f.mid || d.mid === f.mid) &&
            (!f.status || d.status === f.status) &&
            (!f.transactionId || d.transactionId === f.transactionId) &&
            (f.from === undefined || d.openedAt >= f.from) &&
            (f.to === undefined || d.openedAt < f.to),
        )
        .sort((a, b) => a.openedAt - b.openedAt)
        .map(copy);
    },
    async listAcceptedAttempts(startedBefore) {
      return [...attempts.values()].filter((a) => a.status === 'accepted' && a.startedAt < startedBefore).map(copy);
    },
    async getLink(invoiceId) {
      return copy(links.get(invoiceId));
    },
    async attemptCounts(keys, now) {
      return keys.map((k) => countOf(k, now));
    },
    async approvalWindows(keys): Promise<ApprovalWindow[]> {
      const out: ApprovalWindow[] = [];
      for (const { mid, segment } of keys) {
        const c = windows.get(windowKey(mid, segment));
        if (c) out.push({ mid, segment, approved: c.approved, total: c.total, at: c.at });
      }
      return out;
    },
    async monthCounts(months, mids) {
      return [...monthly.values()].filter((c) => months.includes(c.month) && (!mids || mids.includes(c.mid))).map(copy);
    },
    async getMonitorEntry(id) {
      return copy(entries.get(id));
    },
    async listMonitorEntries(f) {
      return [...entries.values()]
        .filter((e) => (!f.kind || e.kind === f.kind) && (!f.mid || e.mid === f.mid) && (!f.month || e.month === f.month))
        .sort((a, b) => a.at - b.at)
        .map(copy);
    },
    async findCardTransactions(q) {
      return [...txs.values()]
        .filter((t) => t.card?.bin === q.bin && t.card.last4 === q.last4 && t.createdAt >= q.from && t.createdAt < q.to)
        .sort((a, b) => a.createdAt - b.createdAt)
        .map(copy);
    },
    async searchTransactions(q) {
      const out: TransactionRecord[] = [];
      for (const t of txs.values()) if (matchesSearch(t, q)) out.push(t);
      return out.sort(newestFirst).slice(0, q.limit).map(copy);
    },
    async countAttempts(fromDay, toDay): Promise<MidAttemptCounts[]> {
      const counts = new Map<string, MidAttemptCounts>();
      for (const a of attempts.values()) {
        const day = utcDay(a.startedAt);
        if (day < fromDay || day >= toDay || !PAYMENT_OPERATIONS.includes(a.operation)) continue;
        const k = `${a.mid}\u0000${a.currency}\u0000${a.status}`;
        const c = counts.get(k) ?? { mid: a.mid, currency: a.currency, status: a.status, count: 0 };
        c.count++;
        counts.set(k, c);
      }
      return [...counts.values()];
    },
  };
}
