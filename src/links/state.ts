/**
 * A payment link's state in the router's store, moved only by conditional writes on its revision.
 * The money rule: a payment starts only from a link with no payment pending, in the same write
 * that marks it pending; the pending key is cleared only once its sale is known to have charged
 * nothing, or proven never to have started (its key is then taken, so a late start is refused).
 * A sale waiting for 3-D Secure stays pending until its transaction is final (completed or expired).
 * @module
 */
import type { Store, IdempotencyClaim, PaymentLinkRecord, AttemptCounter, WriteResult } from '../store/types';
import { fromStored, type RouterResult } from '../transaction/results';
import type { TransactionStatus } from '../transaction/states';
import type { RequiredAction } from '../types';

/**
 * Whether the link page can run this 3-D Secure action: a browser redirect to an http(s) page.
 * SDK actions are not run (the page loads no gateway script: see `pages.ts`).
 */
export function isRedirect(action: RequiredAction): action is Extract<RequiredAction, { type: 'redirect' }> {
  return action.type === 'redirect' && /^https?:\/\//i.test(action.url);
}

/** How a pending payment ended, when it is known. */
export type PendingOutcome = { kind: 'paid'; transactionId: string; at: number } | { kind: 'cleared' };

/** Transaction states in which the invoice's money moved (or is held for capture). */
const PAID: ReadonlySet<TransactionStatus> = new Set([
  'authorized',
  'capture_pending',
  'captured',
  'refund_pending',
  'partially_refunded',
  'refunded',
]);
/** Final transaction states that charged nothing. */
const NOTHING_CHARGED: ReadonlySet<TransactionStatus> = new Set(['declined', 'failed', 'expired', 'voided']);
const ABANDONED = 'switchyard-link:abandoned';

/**
 * The idempotency key of payment attempt `attempt` of a link version.
 * @example
 * attemptKey('INV-1001', 2, 3) // 'link:INV-1001:v2:a3'
 */
export const attemptKey = (invoiceId: string, version: number, attempt: number) => `link:${invoiceId}:v${version}:a${attempt}`;

/** The store key of a link payment's idempotency claim (the router prefixes the operation). */
export const saleKey = (pendingKey: string) => `sale:${pendingKey}`;

/** Link state operations over a store. */
export type LinkState = ReturnType<typeof createLinkState>;

/** Link state over `store`; `leaseMs`: how long a pending key without a claim may still be starting. */
export function createLinkState(store: Store, clock: () => number, leaseMs: number) {
  /**
   * Read, change, write under the read revision; again on a lost race. `change` returning
   * `undefined` keeps the record as it is (it is returned).
   */
  async function update(
    invoiceId: string,
    change: (cur: PaymentLinkRecord | undefined) => PaymentLinkRecord | undefined,
  ): Promise<PaymentLinkRecord> {
    for (let i = 0; i < 50; i++) {
      const cur = await store.getLink(invoiceId);
      const next = change(cur);
      if (!next) {
        if (!cur) throw new Error(`payment link of ${invoiceId}: no record`);
        return cur;
      }
      const expectRevision = cur?.revision ?? 0;
      const record = { ...next, revision: expectRevision + 1 };
      const w = await store.write({ link: { record, expectRevision } });
      if (w.ok) return record;
      if (w.conflict !== 'state') throw new Error(`payment link of ${invoiceId}: write refused (${w.conflict})`);
    }
    throw new Error(`payment link of ${invoiceId}: too many concurrent writers`);
  }

  /** Settle the pending payment `key` (no-op if another request settled it first). */
  function settle(invoiceId: string, key: string, outcome: PendingOutcome): Promise<PaymentLinkRecord> {
    return update(invoiceId, (cur) => {
      if (!cur || cur.pendingKey !== key) return undefined;
      const { pendingKey: _k, pendingSince: _s, challenge: _c, ...rest } = cur;
      const now = clock();
      if (outcome.kind === 'cleared') return { ...rest, updatedAt: now };
      // Paid another way meanwhile: keep that, and the card transaction too (the merchant refunds one).
      return {
        ...rest,
        status: 'paid',
        transactionId: outcome.transactionId,
        paidAt: cur.status === 'paid' ? cur.paidAt : outcome.at,
        paidBy: cur.status === 'paid' ? cur.paidBy : 'card',
        updatedAt: now,
      };
    });
  }

  /** What a claim says about its payment: paid, charged nothing, or not known yet. */
  async function outcomeOf(claim: IdempotencyClaim): Promise<PendingOutcome | undefined> {
    const now = clock();
    let txId = claim.transactionId;
    if (claim.status === 'completed') {
      const r = fromStored(claim.result);
      if (r.isOk()) return { kind: 'paid', transactionId: r.value.transactionId, at: now };
      const f = r.error;
      const idempotency = f.kind === 'rejected' && (f.rejection === 'idempotency_in_progress' || f.rejection === 'idempotency_conflict');
      // A redirect challenge may still be completed at the bank: its transaction says when it is final.
      const challenge = f.kind === 'requires_action' && isRedirect(f.action);
      if (f.kind !== 'ambiguous' && !idempotency && !challenge) return { kind: 'cleared' };
      txId ||= f.transactionId;
    }
    const tx = txId ? await store.getTransaction(txId) : undefined;
    if (tx && PAID.has(tx.status)) return { kind: 'paid', transactionId: tx.id, at: now };
    if (tx && claim.status === 'completed' && NOTHING_CHARGED.has(tx.status)) return { kind: 'cleared' };
    return undefined;
  }

  /** Settle the link's pending payment if its outcome is known now; the link as it then is. */
  async function resolve(link: PaymentLinkRecord): Promise<PaymentLinkRecord> {
    const key = link.pendingKey;
    if (!key) return link;
    const claim = await store.getClaim(saleKey(key));
    if (claim) {
      const outcome = await outcomeOf(claim);
      return outcome ? settle(link.invoiceId, key, outcome) : link;
    }
    const now = clock();
    if (now - (link.pendingSince ?? 0) <= leaseMs) return link;
    // Its process died before the router claimed the key: take the key, so a late start is refused.
    const { pendingKey: _k, pendingSince: _s, challenge: _c, ...rest } = link;
    const w = await store.write({
      claim: { key: saleKey(key), requestHash: ABANDONED, transactionId: '', now, leaseUntil: now },
      complete: {
        key: saleKey(key),
        result: {
          ok: false,
          value: { kind: 'rejected', rejection: 'idempotency_conflict', message: 'abandoned by the payment link', attempts: [] },
        },
      },
      link: { record: { ...rest, revision: link.revision + 1, updatedAt: now }, expectRevision: link.revision },
    });
    if (!w.ok && w.conflict !== 'idempotency' && w.conflict !== 'state')
      throw new Error(`payment link of ${link.invoiceId}: write refused (${w.conflict})`);
    return (await store.getLink(link.invoiceId)) ?? link;
  }

  return {
    update,
    settle,
    resolve,

    /** Record that the pending payment `key` waits for the cardholder's bank (no-op once it is settled). */
    waitForBank(invoiceId: string, key: string, challenge: { transactionId: string; expiresAt: number }): Promise<PaymentLinkRecord> {
      return update(invoiceId, (cur) =>
        !cur || cur.pendingKey !== key || cur.challenge ? undefined : { ...cur, challenge: { ...challenge }, updatedAt: clock() },
      );
    },

    /** Mark the invoice paid another way (`by`); created if it has no link yet. */
    markPaid(invoiceId: string, by: string, at: number): Promise<PaymentLinkRecord> {
      return update(invoiceId, (cur) => {
        const now = clock();
        if (cur?.status === 'paid') return undefined;
        const base: PaymentLinkRecord = cur ?? {
          invoiceId,
          version: 1,
          status: 'open',
          expiresAt: now,
          attempts: 0,
          revision: 0,
          createdAt: now,
          updatedAt: now,
        };
        return { ...base, status: 'paid', paidBy: by, paidAt: at, updatedAt: now };
      });
    },

    /**
     * Start payment attempt `attempts + 1` of an open link with nothing pending: one write marks it
     * pending and counts it on `counters` (conflict `rate` at a limit, `state` on a lost race).
     */
    async startAttempt(link: PaymentLinkRecord, counters: readonly AttemptCounter[]): Promise<{ write: WriteResult; key: string }> {
      const now = clock();
      const attempts = link.attempts + 1;
      const key = attemptKey(link.invoiceId, link.version, attempts);
      const record: PaymentLinkRecord = {
        ...link,
        attempts,
        pendingKey: key,
        pendingSince: now,
        revision: link.revision + 1,
        updatedAt: now,
      };
      const write = await store.write({ link: { record, expectRevision: link.revision }, countAttempt: { counters, now } });
      return { write, key };
    },

    /**
     * Wait until the payment `key` is no longer pending (resolving it meanwhile), at most `waitMs`.
     * A payment waiting for the bank returns at once, unless `challenge` says a completion is running.
     */
    async waitSettled(invoiceId: string, key: string, waitMs: number, challenge = false): Promise<PaymentLinkRecord | undefined> {
      // Real time, not the injectable clock: this is a wait, not a business rule.
      const until = Date.now() + waitMs;
      for (;;) {
        let link = await store.getLink(invoiceId);
        if (link?.pendingKey === key) link = await resolve(link);
        if (!link || link.pendingKey !== key || (link.challenge && !challenge) || Date.now() >= until) return link;
        await new Promise((r) => setTimeout(r, 100));
      }
    },

    /** The router's result of the payment `key`, once it is stored. */
    async resultOf(key: string): Promise<RouterResult | undefined> {
      const claim = await store.getClaim(saleKey(key));
      return claim?.status === 'completed' ? fromStored(claim.result) : undefined;
    },
  };
}
