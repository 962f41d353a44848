/**
 * The `Store` interface: everything the router must remember. Every change goes through one
 * method, `write`, that applies a `StoreWrite` atomically with its conditions (a claimed
 * idempotency key, a cap with room, a transaction or attempt still in the state the writer saw,
 * an amount within its limit): all of it or nothing. A sale costs two writes: one before the
 * gateway call (claim, transaction, cap reservation, pending attempt) and one after (settlement).
 * PAN and CVC are never passed to a store: only BIN, last four and a keyed fingerprint.
 * @module
 */
import type { NormalizedDecline } from '../declines/reasons';
import type { AttemptStatus, TransactionStatus } from '../transaction/states';
import type { Operation, RequiredAction } from '../types';

export type { AttemptStatus, TransactionStatus } from '../transaction/states';

/** A cap window of a MID: `daily` (UTC day) or `monthly` (UTC month). */
export type CapWindow = 'daily' | 'monthly';

/** One cap counter: its window and key (`2026-11:USD` / `2026-11-21:USD`). */
export interface CapKey {
  window: CapWindow;
  key: string;
}

/** One cap counter to reserve against, with its limits. */
export interface CapReservation extends CapKey {
  /** Maximum total amount (minor units) in the window; absent = no amount limit. */
  amountLimit?: number | undefined;
  /** Maximum number of transactions in the window; absent = no count limit. */
  countLimit?: number | undefined;
}

/** Usage of one cap counter. */
export interface CapUsage extends CapKey {
  amount: number;
  count: number;
}

/** Card facts a store may keep. */
export interface StoredCard {
  bin: string;
  last4: string;
  brand?: string | undefined;
  /** Keyed hash of the PAN. */
  fingerprint: string;
  expMonth?: number | undefined;
  expYear?: number | undefined;
}

/** Subscription facts kept on its initial transaction: every path that pins builds the same pin from them. */
export interface SubscriptionFacts {
  id: string;
  recurringAmount?: number | undefined;
  physicalProduct?: boolean | undefined;
  firstRebillAt?: number | undefined;
}

/** A ledger transaction (sale, authorization, verification or rebill). */
export interface TransactionRecord {
  id: string;
  operation: Operation;
  status: TransactionStatus;
  profile?: string | undefined;
  mid?: string | undefined;
  gateway?: string | undefined;
  gatewayTransactionId?: string | undefined;
  networkTransactionId?: string | undefined;
  /** The gateway's vault reference for later merchant-initiated charges. */
  gatewayToken?: string | undefined;
  authCode?: string | undefined;
  amount: number;
  currency: string;
  /** Captured so far (a sale is captured in full at approval). */
  capturedAmount: number;
  /** Refunded so far, including refunds still in flight (so two refunds can never exceed the capture). */
  refundedAmount: number;
  card?: StoredCard | undefined;
  /** The subscription: on its initial transaction (with its facts) and on its rebills. */
  subscriptionId?: string | undefined;
  subscription?: SubscriptionFacts | undefined;
  /** The caller's idempotency key (as given, without the operation prefix). */
  idempotencyKey?: string | undefined;
  /** Cap counters this transaction holds on its MID, released on void. */
  capKeys?: CapKey[] | undefined;
  /** For `requires_action`: what the checkout must do. */
  action?: RequiredAction | undefined;
  createdAt: number;
  updatedAt: number;
}

/** One gateway call, as the ledger keeps it. */
export interface AttemptRecord {
  id: string;
  transactionId: string;
  operation: Operation;
  mid: string;
  gateway: string;
  amount: number;
  currency: string;
  status: AttemptStatus;
  /** Store key of the idempotency record this attempt completes, when it is final. */
  key?: string | undefined;
  /** Cap counters reserved for this attempt, released unless it is approved. */
  capKeys?: CapKey[] | undefined;
  /** Follow-ups: the transaction's state before the follow-up started (restored if it fails). */
  fromStatus?: TransactionStatus | undefined;
  code?: string | undefined;
  message?: string | undefined;
  /** The standard reason of a decline. */
  reason?: string | undefined;
  decline?: NormalizedDecline | undefined;
  gatewayTransactionId?: string | undefined;
  /** Marks a bookkeeping attempt, e.g. `hold_release` (a verification hold to void). */
  marker?: string | undefined;
  startedAt: number;
  settledAt?: number | undefined;
}

/** A subscription's pin: the MID of its initial sale and the stored credential for rebills. */
export interface PinRecord {
  subscriptionId: string;
  mid: string;
  gateway: string;
  /** Our transaction id of the initial transaction. */
  transactionId: string;
  gatewayTransactionId: string;
  networkTransactionId?: string | undefined;
  gatewayToken?: string | undefined;
  card?: StoredCard | undefined;
  currency: string;
  initialAmount: number;
  recurringAmount?: number | undefined;
  physicalProduct?: boolean | undefined;
  /** `revoked`: the cardholder revoked the authorization; `cancelled`: the merchant or consent ended it. */
  status: 'active' | 'revoked' | 'cancelled';
  createdAt: number;
  updatedAt: number;
  /** Free data for continuity features (consent, salvage state). */
  data?: Record<string, unknown> | undefined;
}

/** Audit record of a re-pin ("horizontal migration"). */
export interface RepinAuditRecord {
  subscriptionId: string;
  fromMid: string;
  toMid: string;
  reason: string;
  at: number;
}

/** One decline kept for card-network rules (30 days). */
export interface DeclineRecord {
  fingerprint: string;
  mid: string;
  brand?: string | undefined;
  at: number;
  reason: string;
  retry: string;
  networkCategory?: number | undefined;
  advice?: string | undefined;
  /** Earliest allowed retry (ms since epoch) when the issuer set one (MAC 24–30). */
  retryAfter?: number | undefined;
  amount: number;
  currency: string;
  /** Customer- or merchant-initiated. */
  initiator: 'cit' | 'mit';
}

/** Result kept under an idempotency key (a serialisable `Result`). */
export interface StoredResult {
  ok: boolean;
  value: unknown;
}

/** What an idempotency key holds when a write finds it taken. */
export type IdempotencyClaim =
  | { status: 'completed'; requestHash: string; result: StoredResult; transactionId?: string | undefined }
  /** Still being worked on, or its process died: after `leaseUntil` the claim may be recovered. */
  | { status: 'in_progress'; requestHash: string; transactionId?: string | undefined; leaseUntil: number };

/** A claim whose lease ran out without a result: its process probably died. */
export interface StaleClaim {
  key: string;
  transactionId?: string | undefined;
  leaseUntil: number;
}

/** Fields of a transaction a write may set (`undefined` removes a field). */
export type TransactionPatch = Partial<Omit<TransactionRecord, 'id' | 'capturedAmount' | 'refundedAmount'>>;
/** Fields of an attempt a write may set (`undefined` removes a field). */
export type AttemptPatch = Partial<Omit<AttemptRecord, 'id' | 'transactionId'>>;
/** Fields of a pin a write may set. */
export type PinPatch = Partial<
  Pick<PinRecord, 'mid' | 'gateway' | 'status' | 'data' | 'networkTransactionId' | 'gatewayToken' | 'gatewayTransactionId'>
>;

/**
 * One atomic change of the store. Conditions are checked before anything is applied; when one
 * fails, nothing is written and `write` says which (`WriteConflict`).
 */
export interface StoreWrite {
  /** Claim an idempotency key. Conflict `idempotency` (with what the key holds) when it is taken. */
  claim?: { key: string; requestHash: string; transactionId: string; now: number; leaseUntil: number } | undefined;
  insertTransaction?: TransactionRecord | undefined;
  /** Patch a transaction, only while its status is one of `from` (conflict `state`). */
  transaction?:
    | {
        id: string;
        from: readonly TransactionStatus[];
        patch: TransactionPatch;
        /**
         * Add to (or, negative, give back from) the captured / refunded totals. A positive add
         * must stay within its limit (captured ≤ amount, refunded ≤ captured): conflict `amount`.
         */
        add?: { captured?: number | undefined; refunded?: number | undefined } | undefined;
        /** After the adds, set the status from the amounts (`refundState`): captured / partially_refunded / refunded. */
        refundStatus?: boolean | undefined;
        /** Only while nothing is refunded, refunds in flight included (conflict `amount`): a void must not race a refund. */
        unrefunded?: boolean | undefined;
      }
    | undefined;
  insertAttempt?: AttemptRecord | undefined;
  /** Patch an attempt, only while its status is one of `from` (conflict `state`). */
  attempt?: { id: string; from: readonly AttemptStatus[]; patch: AttemptPatch } | undefined;
  /** Reserve `amount` and one transaction on every counter, all or none (conflict `cap`). */
  reserveCap?: { mid: string; counters: readonly CapReservation[]; amount: number } | undefined;
  /** Give back `amount` and `count` (0 or 1) on counters, never below zero. */
  releaseCap?: { mid: string; counters: readonly CapKey[]; amount: number; count: number } | undefined;
  /** Create a pin unless the subscription has one (`WriteOk.pinCreated` says whether it did). */
  createPin?: PinRecord | undefined;
  /** Patch a pin (`data` is replaced as a whole). */
  updatePin?: { subscriptionId: string; patch: PinPatch; now: number } | undefined;
  repinAudit?: RepinAuditRecord | undefined;
  /** Add a decline to the card's history (and prune what is older than the network rules look back). */
  decline?: DeclineRecord | undefined;
  /** Store the result of an idempotency key (the claim is kept; a later claim replays it). */
  complete?: { key: string; result: StoredResult } | undefined;
  /** Forget a claim that has no result (nothing reached a gateway). */
  release?: { key: string } | undefined;
  /**
   * Payment links: insert (`expectRevision: 0`) or replace an invoice's link, only while its stored
   * revision is `expectRevision` (conflict `state` on `link`). `record.revision` is the new one.
   */
  link?: { record: PaymentLinkRecord; expectRevision: number } | undefined;
  /**
   * Payment links (card-testing protection): count one attempt on every counter, all or none,
   * each within its `limit` (conflict `rate`). Counters whose window ended before `now` are dropped.
   */
  countAttempt?: { counters: readonly AttemptCounter[]; now: number } | undefined;
}

/** Payment links: the state of an invoice's payment link (one record per invoice, every version). */
export interface PaymentLinkRecord {
  invoiceId: string;
  /** Raised by every new link of the invoice; tokens of older versions are refused as superseded. */
  version: number;
  /** `paid`: through the link (`transactionId`) or another channel (`paidBy`). */
  status: 'open' | 'paid';
  /** When the current version's token expires (ms since epoch). */
  expiresAt: number;
  /** Payment attempts through the link, every version. */
  attempts: number;
  /** Idempotency key of a payment that may have reached a gateway: no other payment starts until it is settled. */
  pendingKey?: string | undefined;
  /** When `pendingKey` was set (ms since epoch). */
  pendingSince?: number | undefined;
  /** Our transaction that paid the invoice. */
  transactionId?: string | undefined;
  paidAt?: number | undefined;
  /** How it was paid: `card` through the link, or what `markPaid` was told (e.g. `bank transfer`). */
  paidBy?: string | undefined;
  /** Raised by every write of the record: the condition of the next one. */
  revision: number;
  createdAt: number;
  updatedAt: number;
}

/** Payment links: one attempt counter (per link or per client IP, per window). */
export interface AttemptCounter {
  /** e.g. `link:INV-1:2026-12-02T01` or `ip:203.0.113.9:2026-12-02T01`. */
  key: string;
  /** At most this many attempts in the window. */
  limit: number;
  /** End of the counter's window (ms since epoch); it may be dropped after it. */
  windowEnd: number;
}

/** A write that applied. */
export interface WriteOk {
  ok: true;
  /** With `createPin`: true when the pin was created, false when the subscription had one. */
  pinCreated?: boolean;
}

/** A write refused by one of its conditions: nothing was written. */
export type WriteConflict =
  | { ok: false; conflict: 'idempotency'; claim: IdempotencyClaim }
  | { ok: false; conflict: 'cap' }
  | { ok: false; conflict: 'amount' }
  | { ok: false; conflict: 'state'; on: 'transaction' | 'attempt' | 'pin' | 'link'; status?: string | undefined }
  /** Payment links: an attempt counter is at its limit. */
  | { ok: false; conflict: 'rate' };

/** What `write` did. */
export type WriteResult = WriteOk | WriteConflict;

/**
 * Durable state of a router. Memory, SQLite and PostgreSQL implementations pass one
 * conformance suite (`test/store/conformance.ts`).
 */
export interface Store {
  /** Apply one atomic change, with its conditions. */
  write(w: StoreWrite): Promise<WriteResult>;

  /** Current usage of counters (zeros for counters never used). */
  capUsage(mid: string, counters: readonly CapKey[]): Promise<CapUsage[]>;
  /** A ledger transaction by our id. */
  getTransaction(id: string): Promise<TransactionRecord | undefined>;
  /** Every attempt of a transaction, in the order written. */
  listAttempts(transactionId: string): Promise<AttemptRecord[]>;
  /** Attempts still `pending` that started before `startedBefore` (for reconciliation). */
  listPendingAttempts(startedBefore: number): Promise<AttemptRecord[]>;
  /** Claims without a result whose lease ended before `now`. */
  listStaleClaims(now: number): Promise<StaleClaim[]>;
  /** What an idempotency key holds, if anything. */
  getClaim(key: string): Promise<IdempotencyClaim | undefined>;

  /** A subscription's pin. */
  getPin(subscriptionId: string): Promise<PinRecord | undefined>;
  /** Pins on a MID (for migrations). */
  listPins(mid: string): Promise<PinRecord[]>;
  /** Re-pin audit records, of one subscription or all, oldest first. */
  listRepinAudit(subscriptionId?: string): Promise<RepinAuditRecord[]>;

  /** Declines of a card since `since` (ms), all MIDs. */
  declineHistory(fingerprint: string, since: number): Promise<DeclineRecord[]>;

  /** A secret kept with the state, created on first use (default fingerprint key). */
  getOrCreateSecret(name: string): Promise<string>;
  /** Release connections and file handles. Idempotent. */
  close(): Promise<void>;

  /** Payment links: an invoice's link state. */
  getLink(invoiceId: string): Promise<PaymentLinkRecord | undefined>;
  /** Payment links: attempts counted on counters (0 for counters never used or past their window). */
  attemptCounts(keys: readonly string[], now: number): Promise<number[]>;
}
