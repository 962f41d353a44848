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
import type { IneligibleReason } from '../selection/ineligible';
import type { DisputeCategory, DisputeStatus, GatewayNotification } from '../notifications';
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
  /** Set when the card was given as a network or wallet token: BIN, last four and fingerprint are the token's. */
  tokenType?: 'network_token' | 'apple_pay' | 'google_pay' | undefined;
}

/** Subscription facts kept on its initial transaction: every path that pins builds the same pin from them. */
export interface SubscriptionFacts {
  id: string;
  recurringAmount?: number | undefined;
  physicalProduct?: boolean | undefined;
  firstRebillAt?: number | undefined;
  /** The router's card vault's reference to the card, when the vault kept it (never the card itself). */
  vaultReference?: string | undefined;
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
  /** How each `success_rate` pool of the route ordered its members: estimates, segments, outcomes, exploration. */
  successRate?: SuccessRateDecision[] | undefined;
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
  /**
   * 3-D Secure: when the challenge expires (ms since epoch). Set when the transaction enters
   * `requires_action` and kept afterwards (it marks a transaction that was challenged).
   */
  expiresAt?: number | undefined;
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

/** Window of a success-rate pool: each MID's outcomes on a segment, the older ones discounted. */
export interface ApprovalWindowSettings {
  /** About how many outcomes the window holds: each new outcome discounts the older ones by `1 − 1/outcomes`. */
  outcomes: number;
  /** Outcomes lose weight with age (time constant `maxAgeMs`) and count no more once this old. */
  maxAgeMs: number;
}

/** How one `success_rate` pool ordered its eligible members for one payment. */
export interface SuccessRateDecision {
  pool: string;
  /** Segment keys of the payment, finest first, ending with `*` (the MID overall): where outcomes are counted. */
  segments: readonly string[];
  window: ApprovalWindowSettings;
  /**
   * `exploit`: the best estimate first; `explore`: an exploration draw put another MID first;
   * `fallback`: no MID had enough outcomes yet, so the pool's fallback order (weights or list) applied.
   */
  mode: 'exploit' | 'explore' | 'fallback';
  /** The eligible members in the order chosen, with their estimates. */
  members: SuccessRateEstimate[];
}

/** One MID's approval estimate in a success-rate decision. */
export interface SuccessRateEstimate {
  mid: string;
  /** Estimated approval probability (posterior mean, 0–1). */
  estimate: number;
  /** Segment key the estimate rests on: the finest with enough outcomes (`*` = the MID overall). */
  segment: string;
  /** Outcomes behind it at that segment (discounted counts, one decimal). */
  outcomes: number;
  /** The exploration draw, when this decision explored. */
  sample?: number | undefined;
  /** True on the MID an exploration draw put first. */
  explored?: boolean | undefined;
}

/** Approval counts of one MID on one segment, as the store keeps them (success-rate routing). */
export interface ApprovalWindow {
  mid: string;
  segment: string;
  /** Approvals, each weighted by how recent it is. */
  approved: number;
  /** Outcomes that count (approvals, and the declines the MID could have changed), weighted the same way. */
  total: number;
  /** Time of the newest outcome (ms since epoch): the counts are as of then. */
  at: number;
}

/** One outcome for the approval windows of a MID, one per segment key. */
export interface ApprovalOutcome {
  mid: string;
  /** Segment keys to count it in (finest to `*`). */
  segments: readonly string[];
  approved: boolean;
  /** When the gateway answered (ms since epoch). */
  at: number;
  window: ApprovalWindowSettings;
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

/** Counts of a MID's attempts by currency and status over UTC days (payments only: sale, authorize, verify, rebill). */
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
  /** 3-D Secure: completions answered with a further step (Adyen's fingerprint, then challenge); absent = 0. */
  actionStep?: number | undefined;
  /** 3-D Secure: the challenge's deadline (ms since epoch), kept on the challenged attempt for the expiry listing. */
  expiresAt?: number | undefined;
  startedAt: number;
  settledAt?: number | undefined;
}

/**
 * A subscription's stored credential on one MID: what that MID's gateway needs for
 * merchant-initiated rebills. A gateway's token and transaction id work only on that gateway
 * (on MIDs that share its vault: `scope`); the network transaction id is portable.
 */
export interface PinCredential {
  /** The MID whose gateway issued it. */
  mid: string;
  gateway: string;
  /** The MID's `tokenScope` when the credential was made: MIDs with the same scope share the gateway's vault. */
  scope?: string | undefined;
  /** The gateway's vault reference (customer profile, vault id, payment method…). */
  gatewayToken?: string | undefined;
  /** The gateway's own id of the transaction that stored the card. */
  gatewayTransactionId?: string | undefined;
  /** The network transaction id of that transaction. */
  networkTransactionId?: string | undefined;
  /** Our transaction that made (or last refreshed) it. */
  transactionId: string;
  /** `customer`: made by a customer-initiated transaction; `merchant`: learnt from a rebill. */
  origin: 'customer' | 'merchant';
  at: number;
}

/** A subscription's pin: the MID of its initial sale and the stored credential for rebills. */
export interface PinRecord {
  subscriptionId: string;
  /** The MID its rebills go to. */
  mid: string;
  gateway: string;
  /** Our transaction id of the initial transaction. */
  transactionId: string;
  /** Of the initial transaction, on its MID (see `credentials` for what each MID can charge). */
  gatewayTransactionId: string;
  /** Of the initial transaction. */
  networkTransactionId?: string | undefined;
  /** Of the initial transaction, on its MID's gateway. */
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
  /** Stored credentials per MID, oldest first. Rebills use the pinned MID's; a re-pin never copies one to another gateway. */
  credentials?: PinCredential[] | undefined;
  /** The router's card vault's reference to the card (for re-tokenization on another gateway). */
  vaultReference?: string | undefined;
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
  /**
   * Patch a pin (`data` is replaced as a whole). With `expectMid`, only while the pin is on that
   * MID (conflict `state` on `pin`): a re-pin never undoes another made since the pin was read.
   */
  updatePin?: { subscriptionId: string; patch: PinPatch; now: number; expectMid?: string | undefined } | undefined;
  repinAudit?: RepinAuditRecord | undefined;
  /** Add a decline to the card's history (and prune what is older than the network rules look back). */
  decline?: DeclineRecord | undefined;
  /** Store the result of an idempotency key (the claim is kept; a later claim replays it). */
  complete?: { key: string; result: StoredResult } | undefined;
  /** Forget a claim that has no result (nothing reached a gateway). */
  release?: { key: string } | undefined;
  /**
   * Cards on file: set a pin's credential on `credential.mid`, replacing that MID's (the newest
   * goes last). Applied last, after `createPin`; writes nothing when the subscription has no pin.
   */
  pinCredential?:
    | {
        subscriptionId: string;
        credential: PinCredential;
        now: number;
        /** Also set the pin's vault reference (a card entered again and kept by the vault). */
        vaultReference?: string | undefined;
      }
    | undefined;
  /**
   * Webhooks: record a gateway notification (exactly once). Without `from`, conflict
   * `notification` when its id is recorded already; with `from`, replace the record only while
   * its status is one of `from` (a deferred notification applied later), else conflict.
   */
  notification?: { record: NotificationRecord; from?: readonly NotificationStatus[] | undefined } | undefined;
  /**
   * Webhooks: create a dispute (`revision` 1: conflict `dispute` when it exists) or replace it
   * (only while its stored `revision` is one less than the record's: conflict `dispute` otherwise).
   */
  dispute?: DisputeRecord | undefined;
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
  /** Success-rate routing: count an attempt's outcome in its MID's approval windows (with the settlement, so it counts once). */
  approvalOutcome?: ApprovalOutcome | undefined;
  /**
   * Chargeback monitoring: insert `entry` exactly once (conflict `monitor` when its id exists),
   * then add every count to its per-MID monthly counter (created at zero; atomic across servers).
   */
  monitor?: { entry?: MonitorEntry | undefined; counts?: readonly MonthCount[] | undefined } | undefined;
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
  /**
   * Payment links, 3-D Secure: the pending payment waits for the cardholder's bank (its
   * transaction, and when the router expires the challenge). Cleared with `pendingKey`.
   */
  challenge?: { transactionId: string; expiresAt: number } | undefined;
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
  /** Webhooks: the notification id is recorded already (with this status). */
  | { ok: false; conflict: 'notification'; status?: string | undefined }
  /** Webhooks: the dispute changed meanwhile (another notification of it was applied first). */
  | { ok: false; conflict: 'dispute' }
  /** Payment links: an attempt counter is at its limit. */
  | { ok: false; conflict: 'rate' }
  /** Chargeback monitoring: the entry's id is recorded already. */
  | { ok: false; conflict: 'monitor' };

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

  /**
   * 3-D Secure: attempts waiting for the cardholder (`requires_action`) whose `expiresAt` is at or
   * before `expiredBefore` (an attempt without one counts as expired), oldest deadline first.
   */
  listActionAttempts(expiredBefore: number): Promise<AttemptRecord[]>;
  /**
   * Webhooks: find what a gateway's reference points at on one MID (indexed): an attempt whose
   * id (our reference) or gateway transaction id matches, with its transaction; else a
   * transaction whose gateway transaction id matches.
   */
  findByGatewayReference(mid: string, ref: GatewayReference): Promise<GatewayReferenceMatch | undefined>;
  /** Webhooks: a recorded notification by its id (`<mid>:<gateway id>`). */
  getNotification(id: string): Promise<NotificationRecord | undefined>;
  /** Webhooks: recorded notifications, oldest first. */
  listNotifications(filter: NotificationFilter): Promise<NotificationRecord[]>;
  /** Webhooks: a dispute by its id (`<mid>:<gateway dispute id>`). */
  getDispute(id: string): Promise<DisputeRecord | undefined>;
  /** Webhooks: disputes, oldest opened first. */
  listDisputes(filter: DisputeFilter): Promise<DisputeRecord[]>;
  /** Webhooks: attempts in `accepted` (the gateway decides later) that started before `startedBefore`. */
  listAcceptedAttempts(startedBefore: number): Promise<AttemptRecord[]>;
  /** Payment links: an invoice's link state. */
  getLink(invoiceId: string): Promise<PaymentLinkRecord | undefined>;
  /** Payment links: attempts counted on counters (0 for counters never used or past their window). */
  attemptCounts(keys: readonly string[], now: number): Promise<number[]>;

  /** Success-rate routing: the approval windows of these MID and segment pairs, in one read (pairs never counted are left out). */
  approvalWindows(keys: ReadonlyArray<{ mid: string; segment: string }>): Promise<ApprovalWindow[]>;
  /** Chargeback monitoring: the monthly counters of these months (of every MID, or of `mids`). */
  monthCounts(months: readonly string[], mids?: readonly string[] | undefined): Promise<MonthCount[]>;
  /** Chargeback monitoring: an entry by its id. */
  getMonitorEntry(id: string): Promise<MonitorEntry | undefined>;
  /** Chargeback monitoring: entries matching a filter, oldest first. */
  listMonitorEntries(filter: MonitorEntryFilter): Promise<MonitorEntry[]>;
  /** Chargeback monitoring (alert matching): transactions of a card (BIN and last four) created in `[from, to)`, oldest first. */
  findCardTransactions(query: CardTransactionQuery): Promise<TransactionRecord[]>;
  /** Support search: transactions matching every field of `q`, newest first (ties by id, descending), at most `q.limit`. */
  searchTransactions(q: TransactionSearch): Promise<TransactionRecord[]>;
  /**
   * Payment attempts (sale, authorize, verify, rebill) started on the UTC days [fromDay, toDay)
   * (`utcDay(ms)`: days since the epoch), counted per MID, currency and status as they are now.
   * The SQL stores keep these counts per day as attempts are written: a month is a few rows.
   */
  countAttempts(fromDay: number, toDay: number): Promise<MidAttemptCounts[]>;
}

// ---------------------------------------------------------------------------------------------
// Webhooks: notifications and disputes

/** What a recorded notification came to. */
export type NotificationStatus =
  /** It changed the ledger. */
  | 'applied'
  /** Verified and recorded; nothing to change (already known, or informational). */
  | 'recorded'
  /** No transaction of ours matches: kept for review. */
  | 'unmatched'
  /** The ledger's state does not allow it yet (it arrived early): retried by `reconcile()`. */
  | 'deferred'
  /** It contradicts the ledger in a way the state machine refuses: kept for review. */
  | 'conflict';

/** One gateway notification, as the store keeps it (exactly once per id). */
export interface NotificationRecord {
  /** `<mid>:<the notification's de-duplication id>`. */
  id: string;
  mid: string;
  gateway: string;
  status: NotificationStatus;
  /** The notification, normalized (messages redacted). */
  notification: GatewayNotification;
  transactionId?: string | undefined;
  attemptId?: string | undefined;
  /** What it did, in words. */
  note?: string | undefined;
  receivedAt: number;
  updatedAt: number;
}

/** Which notifications to list. */
export interface NotificationFilter {
  status?: NotificationStatus | undefined;
  mid?: string | undefined;
  /** At most this many (default: all). */
  limit?: number | undefined;
}

/** A dispute (chargeback, inquiry, pre-arbitration) as the ledger keeps it. */
export interface DisputeRecord {
  /** `<mid>:<gateway dispute id>`. */
  id: string;
  /** The gateway's dispute id. */
  gatewayDisputeId: string;
  mid: string;
  gateway: string;
  /** Our transaction, when the dispute matches one (absent: an orphan, kept for review). */
  transactionId?: string | undefined;
  /** The gateway's id of the disputed payment. */
  gatewayTransactionId?: string | undefined;
  /** Disputed amount in minor units. */
  amount: number;
  currency: string;
  /** Network reason code (`10.4`, `4837`…). */
  reasonCode?: string | undefined;
  /** The gateway's reason text or category. */
  reason?: string | undefined;
  category: DisputeCategory;
  status: DisputeStatus;
  /** When it was opened (the earliest event seen, ms). */
  openedAt: number;
  /** When the merchant's response is due (ms). */
  dueBy?: number | undefined;
  /** Time of the latest event applied (the gateway's time): an older event never overrides a newer one. */
  lastEventAt: number;
  /** The gateway's name of the latest event applied. */
  lastEventType: string;
  /** When it was decided (won or lost), ms. */
  closedAt?: number | undefined;
  /** 1 when created, one more on every change (the store's optimistic concurrency check). */
  revision: number;
  /** Chargeback monitoring: the month (`YYYY-MM`) whose counters count it (absent: not counted, e.g. an inquiry). */
  countedIn?: string | undefined;
}

/** Which disputes `router.disputes` returns. `from` / `to` bound `openedAt` (ms, inclusive / exclusive). */
export interface DisputeFilter {
  mid?: string | undefined;
  status?: DisputeStatus | undefined;
  transactionId?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

/** References a notification carries, to find our records. */
export interface GatewayReference {
  /** Our reference (an attempt id). */
  reference?: string | undefined;
  /** The gateway's id (of a payment, refund, capture or action). */
  gatewayTransactionId?: string | undefined;
}

/** What a gateway reference points at. */
export interface GatewayReferenceMatch {
  transaction: TransactionRecord;
  /** The attempt it names, when it names one. */
  attempt?: AttemptRecord | undefined;
}

// ---------------------------------------------------------------------------------------------
// Chargeback monitoring: per-MID monthly counters and entries recorded once

/**
 * One per-MID monthly counter (or, in a write, the amount to add to it). `month` is `YYYY-MM` in
 * the router's monitoring time zone; `metric` names what is counted: `sales`, `refunds`,
 * `disputes`, `fraud_reports`, `prevented`, each also per brand (`sales.visa`), and disputes per
 * category (`disputes.category.fraud`) and network reason code (`disputes.code.10.4`).
 */
export interface MonthCount {
  mid: string;
  month: string;
  metric: string;
  count: number;
  /** Minor units (summed across currencies: a count-based figure, the amount is indicative). */
  amount: number;
}

/** What a monitoring entry records. */
export type MonitorEntryKind =
  /** An issuer fraud report (TC40 / SAFE) counted once. */
  | 'fraud_report'
  /** A prevention alert resolved (its outcome in `data`). */
  | 'alert'
  /** A warning fired (once per MID, month and level). */
  | 'warning'
  /** A MID paused for new initial sales for the month. */
  | 'pause'
  /** The merchant resumed a paused MID for the month. */
  | 'resume';

/** A monitoring fact recorded exactly once (its id is the idempotency key). */
export interface MonitorEntry {
  id: string;
  kind: MonitorEntryKind;
  mid: string;
  /** `YYYY-MM` it belongs to. */
  month: string;
  at: number;
  transactionId?: string | undefined;
  data?: Record<string, unknown> | undefined;
}

/** Which monitoring entries to list. */
export interface MonitorEntryFilter {
  kind?: MonitorEntryKind | undefined;
  mid?: string | undefined;
  month?: string | undefined;
}

/** A card's transactions in a time window (alert matching). */
export interface CardTransactionQuery {
  bin: string;
  last4: string;
  /** Inclusive, ms. */
  from: number;
  /** Exclusive, ms. */
  to: number;
}
