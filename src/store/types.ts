/**
 * The `Store` interface: everything the router must remember, with every check-and-update
 * expressed as one atomic operation so a SQL store can do it in one statement or transaction.
 * PAN and CVC are never passed to a store: only BIN, last four and a keyed fingerprint.
 * @module
 */
import type { Operation } from '../types';

/** A cap window of a MID: `daily` (UTC day) or `monthly` (UTC month). */
export type CapWindow = 'daily' | 'monthly';

/** One cap counter to reserve against: the window, its key (`2026-11` / `2026-11-21`) and the limits. */
export interface CapReservation {
  window: CapWindow;
  key: string;
  /** Maximum total amount (minor units) in the window; absent = no amount limit. */
  amountLimit?: number;
  /** Maximum number of transactions in the window; absent = no count limit. */
  countLimit?: number;
}

/** Usage of one cap counter. */
export interface CapUsage {
  window: CapWindow;
  key: string;
  amount: number;
  count: number;
}

/** Card facts a store may keep. */
export interface StoredCard {
  bin: string;
  last4: string;
  brand?: string;
  /** Keyed hash of the PAN. */
  fingerprint: string;
  expMonth?: number;
  expYear?: number;
}

/** Status of a transaction in the ledger. */
export type TransactionStatus = 'pending' | 'approved' | 'declined' | 'failed' | 'ambiguous' | 'requires_action' | 'voided';

/** A ledger transaction (sale, authorization, verification or rebill). */
export interface TransactionRecord {
  id: string;
  operation: Operation;
  status: TransactionStatus;
  profile?: string;
  mid?: string;
  gateway?: string;
  gatewayTransactionId?: string;
  networkTransactionId?: string;
  authCode?: string;
  amount: number;
  currency: string;
  /** Captured so far (a sale is captured in full at approval). */
  capturedAmount: number;
  refundedAmount: number;
  card?: StoredCard;
  subscriptionId?: string;
  idempotencyKey?: string;
  /** Cap counters reserved for this transaction's MID, released on void. */
  capKeys?: Array<{ window: CapWindow; key: string }>;
  createdAt: number;
  updatedAt: number;
}

/** Status of one attempt: written `pending` before the gateway call, settled after. */
export type AttemptStatus = 'pending' | 'approved' | 'declined' | 'requires_action' | 'error' | 'ambiguous' | 'failed';

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
  code?: string;
  message?: string;
  reason?: string;
  gatewayTransactionId?: string;
  startedAt: number;
  settledAt?: number;
}

/** A subscription's pin: the MID of its initial sale and the stored credential for rebills. */
export interface PinRecord {
  subscriptionId: string;
  mid: string;
  gateway: string;
  /** Our transaction id of the initial transaction. */
  transactionId: string;
  gatewayTransactionId: string;
  networkTransactionId?: string;
  gatewayToken?: string;
  card?: StoredCard;
  currency: string;
  initialAmount: number;
  recurringAmount?: number;
  physicalProduct?: boolean;
  /** `revoked`: the cardholder revoked the authorization; `cancelled`: the merchant or consent ended it. */
  status: 'active' | 'revoked' | 'cancelled';
  createdAt: number;
  updatedAt: number;
  /** Free data for continuity features (consent, salvage state). */
  data?: Record<string, unknown>;
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
  brand?: string;
  at: number;
  reason: string;
  retry: string;
  networkCategory?: number;
  advice?: string;
  /** Earliest allowed retry (ms since epoch) when the issuer set one (MAC 24–30). */
  retryAfter?: number;
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

/** What claiming an idempotency key found. */
export type IdempotencyClaim =
  | { status: 'claimed' }
  | { status: 'completed'; requestHash: string; result: StoredResult }
  | { status: 'in_progress'; requestHash: string };

/** Changes written together, atomically (one SQL transaction). */
export interface StoreCommit {
  transaction?: { id: string; patch: Partial<Omit<TransactionRecord, 'id'>> };
  attempt?: { id: string; patch: Partial<Omit<AttemptRecord, 'id'>> };
  /** Create the pin, unless the subscription already has one. */
  pin?: PinRecord;
  decline?: DeclineRecord;
  idempotency?: { key: string; result: StoredResult };
}

/**
 * Durable state of a router. Memory, SQLite and PostgreSQL implementations pass one
 * conformance suite (`test/store/conformance.ts`).
 */
export interface Store {
  /** Reserve `amount` (and one transaction) on every counter, all or nothing. False when any limit would be exceeded. */
  reserveCap(mid: string, counters: readonly CapReservation[], amount: number): Promise<boolean>;
  /** Give back a reservation (decline, error, void). */
  releaseCap(mid: string, counters: ReadonlyArray<{ window: CapWindow; key: string }>, amount: number): Promise<void>;
  /** Current usage of counters (zeros for counters never used). */
  capUsage(mid: string, counters: ReadonlyArray<{ window: CapWindow; key: string }>): Promise<CapUsage[]>;

  /** Claim an idempotency key for a request (by its hash); tells what an earlier claim left. */
  claimIdempotencyKey(key: string, requestHash: string, now: number): Promise<IdempotencyClaim>;
  /** Forget a claim that produced nothing worth replaying. */
  releaseIdempotencyKey(key: string): Promise<void>;

  /** Write a new ledger transaction (ids are unique). */
  insertTransaction(tx: TransactionRecord): Promise<void>;
  /** A ledger transaction by our id. */
  getTransaction(id: string): Promise<TransactionRecord | undefined>;
  /** Write a new attempt, normally `pending`, before the gateway call. */
  insertAttempt(attempt: AttemptRecord): Promise<void>;
  /** Every attempt of a transaction, in the order written. */
  listAttempts(transactionId: string): Promise<AttemptRecord[]>;
  /** Attempts still `pending` that started before `startedBefore` (for reconciliation). */
  listPendingAttempts(startedBefore: number): Promise<AttemptRecord[]>;
  /** Write several changes atomically. An attempt patch applies only while the attempt is pending; returns false if it was not. */
  commit(changes: StoreCommit): Promise<boolean>;

  /**
   * Add `amount` to a transaction's captured or refunded total, if the result stays within
   * its limit (captured ≤ amount, refunded ≤ captured) and the transaction is approved.
   */
  reserveAmount(transactionId: string, field: 'captured' | 'refunded', amount: number): Promise<boolean>;
  /** Undo `reserveAmount` after a failed capture or refund. */
  releaseAmount(transactionId: string, field: 'captured' | 'refunded', amount: number): Promise<void>;
  /** Mark an approved, unrefunded transaction voided. False if it was not voidable. */
  markVoided(transactionId: string, now: number): Promise<boolean>;

  /** A subscription's pin. */
  getPin(subscriptionId: string): Promise<PinRecord | undefined>;
  /** Pins on a MID (for migrations). */
  listPins(mid: string): Promise<PinRecord[]>;
  /** Update a pin's status or data. */
  updatePin(
    subscriptionId: string,
    patch: Partial<Pick<PinRecord, 'status' | 'data' | 'networkTransactionId' | 'gatewayToken'>>,
    now: number,
  ): Promise<void>;
  /** Move a pin to another MID and keep the audit record, atomically. */
  repin(subscriptionId: string, to: Pick<PinRecord, 'mid' | 'gateway'>, audit: RepinAuditRecord): Promise<void>;
  /** Re-pin audit records, of one subscription or all, oldest first. */
  listRepinAudit(subscriptionId?: string): Promise<RepinAuditRecord[]>;

  /** Declines of a card since `since` (ms), all MIDs. */
  declineHistory(fingerprint: string, since: number): Promise<DeclineRecord[]>;

  /** A secret kept with the state, created on first use (default fingerprint key). */
  getOrCreateSecret(name: string): Promise<string>;
  /** Release connections and file handles. */
  close(): Promise<void>;
}
