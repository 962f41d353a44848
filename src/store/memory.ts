/**
 * `memoryStore()`: the Store in process memory. For tests, demos and benchmarks; state is lost
 * when the process ends, so production uses `sqliteStore` or `postgresStore`.
 * Every method does its whole check-and-update synchronously, which makes it atomic in Node.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type {
  AttemptRecord,
  CapReservation,
  CapUsage,
  CapWindow,
  DeclineRecord,
  IdempotencyClaim,
  PinRecord,
  RepinAuditRecord,
  Store,
  StoreCommit,
  StoredResult,
  TransactionRecord,
} from './types';

/**
 * Deep copy of plain data (objects, arrays, primitives): what a real store would hand back, so a
 * caller can never mutate stored state. Much cheaper than structuredClone for these small records.
 */
function clonePlain<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clonePlain) as T;
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = clonePlain((v as Record<string, unknown>)[k]);
  return out as T;
}

const THIRTY_DAYS = 30 * 24 * 3_600_000;

/**
 * A Store kept in memory.
 * @example
 * const router = createRouter({ ..., store: memoryStore() });
 */
export function memoryStore(): Store {
  const caps = new Map<string, { amount: number; count: number }>();
  const idem = new Map<string, { requestHash: string; result?: StoredResult }>();
  const txs = new Map<string, TransactionRecord>();
  const attempts = new Map<string, AttemptRecord>();
  const attemptsByTx = new Map<string, string[]>();
  const pins = new Map<string, PinRecord>();
  const audit: RepinAuditRecord[] = [];
  const declines = new Map<string, DeclineRecord[]>();
  const secrets = new Map<string, string>();
  const capKey = (mid: string, w: CapWindow, k: string) => `${mid}\u0000${w}\u0000${k}`;
  const copy = clonePlain;

  return {
    async reserveCap(mid: string, counters: readonly CapReservation[], amount: number) {
      for (const c of counters) {
        const u = caps.get(capKey(mid, c.window, c.key)) ?? { amount: 0, count: 0 };
        if (c.amountLimit !== undefined && u.amount + amount > c.amountLimit) return false;
        if (c.countLimit !== undefined && u.count + 1 > c.countLimit) return false;
      }
      for (const c of counters) {
        const k = capKey(mid, c.window, c.key);
        const u = caps.get(k) ?? { amount: 0, count: 0 };
        caps.set(k, { amount: u.amount + amount, count: u.count + 1 });
      }
      return true;
    },
    async releaseCap(mid, counters, amount) {
      for (const c of counters) {
        const k = capKey(mid, c.window, c.key);
        const u = caps.get(k);
        if (u) caps.set(k, { amount: Math.max(0, u.amount - amount), count: Math.max(0, u.count - 1) });
      }
    },
    async capUsage(mid, counters): Promise<CapUsage[]> {
      return counters.map((c) => ({
        window: c.window,
        key: c.key,
        ...(caps.get(capKey(mid, c.window, c.key)) ?? { amount: 0, count: 0 }),
      }));
    },

    async claimIdempotencyKey(key, requestHash): Promise<IdempotencyClaim> {
      const existing = idem.get(key);
      if (!existing) {
        idem.set(key, { requestHash });
        return { status: 'claimed' };
      }
      return existing.result
        ? { status: 'completed', requestHash: existing.requestHash, result: copy(existing.result) }
        : { status: 'in_progress', requestHash: existing.requestHash };
    },
    async releaseIdempotencyKey(key) {
      const e = idem.get(key);
      if (e && !e.result) idem.delete(key);
    },

    async insertTransaction(tx) {
      if (txs.has(tx.id)) throw new Error(`transaction ${tx.id} exists`);
      txs.set(tx.id, copy(tx));
    },
    async getTransaction(id) {
      return copy(txs.get(id));
    },
    async insertAttempt(a) {
      if (attempts.has(a.id)) throw new Error(`attempt ${a.id} exists`);
      attempts.set(a.id, copy(a));
      const list = attemptsByTx.get(a.transactionId) ?? [];
      list.push(a.id);
      attemptsByTx.set(a.transactionId, list);
    },
    async listAttempts(transactionId) {
      return (attemptsByTx.get(transactionId) ?? []).map((id) => copy(attempts.get(id)!));
    },
    async listPendingAttempts(startedBefore) {
      return [...attempts.values()].filter((a) => a.status === 'pending' && a.startedAt < startedBefore).map(copy);
    },
    async commit(c: StoreCommit) {
      if (c.attempt) {
        const a = attempts.get(c.attempt.id);
        if (!a || a.status !== 'pending') return false;
      }
      if (c.attempt) Object.assign(attempts.get(c.attempt.id)!, copy(c.attempt.patch));
      if (c.transaction) {
        const t = txs.get(c.transaction.id);
        if (t) Object.assign(t, copy(c.transaction.patch));
      }
      if (c.pin && !pins.has(c.pin.subscriptionId)) pins.set(c.pin.subscriptionId, copy(c.pin));
      if (c.decline) {
        const list = (declines.get(c.decline.fingerprint) ?? []).filter((d) => d.at > c.decline!.at - THIRTY_DAYS);
        list.push(copy(c.decline));
        declines.set(c.decline.fingerprint, list);
      }
      if (c.idempotency) {
        const e = idem.get(c.idempotency.key);
        idem.set(c.idempotency.key, { requestHash: e?.requestHash ?? '', result: copy(c.idempotency.result) });
      }
      return true;
    },

    async reserveAmount(id, field, amount) {
      const t = txs.get(id);
      if (!t || t.status !== 'approved') return false;
      if (field === 'captured') {
        if (t.capturedAmount + amount > t.amount) return false;
        t.capturedAmount += amount;
      } else {
        if (t.refundedAmount + amount > t.capturedAmount) return false;
        t.refundedAmount += amount;
      }
      return true;
    },
    async releaseAmount(id, field, amount) {
      const t = txs.get(id);
      if (!t) return;
      if (field === 'captured') t.capturedAmount = Math.max(0, t.capturedAmount - amount);
      else t.refundedAmount = Math.max(0, t.refundedAmount - amount);
    },
    async markVoided(id, now) {
      const t = txs.get(id);
      if (!t || t.status !== 'approved' || t.refundedAmount > 0) return false;
      t.status = 'voided';
      t.updatedAt = now;
      return true;
    },

    async getPin(id) {
      return copy(pins.get(id));
    },
    async listPins(mid) {
      return [...pins.values()].filter((p) => p.mid === mid).map(copy);
    },
    async updatePin(id, patch, now) {
      const p = pins.get(id);
      if (p) Object.assign(p, copy(patch), { updatedAt: now });
    },
    async repin(id, to, record) {
      const p = pins.get(id);
      if (!p) throw new Error(`no pin for subscription ${id}`);
      Object.assign(p, { mid: to.mid, gateway: to.gateway, updatedAt: record.at });
      audit.push(copy(record));
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
  };
}
