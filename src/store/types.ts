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
import type { IneligibleReason } from '../selection/eligibility';
import type { AttemptStatus, TransactionStatus } from '../transaction/states';
import type { CustomerInput, Operation, RequiredAction } from '../types';

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

/** One eligible MID of a routing decision, in attempt order. */
export interface RoutedCandidate {
  mid: string;
  /** The pool of the route it came from. */
  pool?: string | undefined;
  /** The pool's strategy (`weighted`, `priority`, …). */
  strategy?: string | undefined;
  /** The strategy's score where it has one: for `weighted`, the MID's share of the weight of the pool's eligible members (0–1). */
  score?: number | undefined;
}

/** A candidate the attempt loop passed over without calling its gateway. */
export interface SkippedCandidate {
  mid: string;
  /** Why: `cap reached`, `circuit open`, or the network rule's message. */
  reason: string;
  at: number;
}

/**
 * Why a transaction went to the MIDs it went to, as decided when it was opened (support reads
 * it; `explain` decides again and may draw differently).
 */
export interface RoutingDecision {
  /** `rule`: a profile rule chose the route; `default`: the profile's default route; `pin`: a rebill on its subscription's MID. */
  source: 'rule' | 'default' | 'pin';
  /** The decisive rule that matched. */
  rule?: { name: string; index: number } | undefined;
  /** Names of the exclude rules that matched. */
  filters?: string[] | undefined;
  /** Pools of the route, in order. */
  pools: string[];
  /** Eligible MIDs in attempt order. */
  candidates: RoutedCandidate[];
  /** MIDs of the route left out before any attempt, with every reason. */
  ineligible: Array<{ mid: string; reasons: IneligibleReason[] }>;
  /** The uniform random numbers weighted pools drew, in order (replaying them reproduces the order). */
  draws?: number[] | undefined;
  /** Candidates the attempt loop skipped (network rule, open circuit, cap reached), in order. */
  skipped?: SkippedCandidate[] | undefined;
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
  /** The merchant's order reference (searchable; the idempotency key is not an order id). */
  orderId?: string | undefined;
  /** The customer as the request gave it: e-mail in lower case, country in upper case. */
  customer?: CustomerInput | undefined;
  tags?: string[] | undefined;
  metadata?: Record<string, string> | undefined;
  /** Why the MIDs were tried in this order. */
  routing?: RoutingDecision | undefined;
}

/**
 * A search of the ledger, newest first. Every field narrows it; `after` continues a page from the
 * last transaction of the previous one. Stores answer it from indexes (one per field, each ordered
 * by creation time), so a search costs about `limit` rows read whatever the ledger's size.
 */
export interface TransactionSearch {
  orderId?: string | undefined;
  customerId?: string | undefined;
  /** Lower case. */
  email?: string | undefined;
  last4?: string | undefined;
  /** The card's first six digits. */
  bin?: string | undefined;
  mid?: string | undefined;
  status?: TransactionStatus | undefined;
  operation?: Operation | undefined;
  subscriptionId?: string | undefined;
  /** Created at or after (ms since epoch). */
  from?: number | undefined;
  /** Created before (ms since epoch). */
  to?: number | undefined;
  /** Only transactions older than this one in the newest-first order (created earlier, or at the same time with a smaller id). */
  after?: { createdAt: number; id: string } | undefined;
  /** At most this many (1–1000). */
  limit: number;
}

/** Counts of a MID's attempts by currency and status over a time window (payments only: sale, authorize, verify, rebill). */
export interface MidAttemptCounts {
  mid: string;
  currency: string;
  status: AttemptStatus;
  count: number;
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
  | { ok: false; conflict: 'state'; on: 'transaction' | 'attempt' | 'pin'; status?: string | undefined };

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

  /** Support search: transactions matching every field of `q`, newest first (ties by id, descending), at most `q.limit`. */
  searchTransactions(q: TransactionSearch): Promise<TransactionRecord[]>;
  /** Payment attempts (sale, authorize, verify, rebill) started in [from, to), counted per MID, currency and status. */
  countAttempts(from: number, to: number): Promise<MidAttemptCounts[]>;
}
