/**
 * `createRouter`: the public entry point. Validates and compiles the configuration once, wires
 * the store, events and operations together; the operations themselves live in
 * `src/operations/`. No routing or settlement logic of its own.
 * @module
 */
import type { Result } from 'ts-results-es';
import type { MidRuntime } from './accounts';
import type { GatewayAdapter } from './adapter';
import type { BinTable } from './card/bin-table';
import { validateConfig } from './config';
import type { Timeouts } from './context';
import type { RouterContext } from './context';
import { DEFAULT_NETWORK_RULES, type NetworkRuleConfig } from './declines/network-rules';
import type { DeclineRule } from './declines/normalize';
import { ConfigError } from './errors';
import { RouterEmitter, type RouterEventName, type RouterEvents } from './events';
import { createObserver, NOOP_OBSERVER } from './observe/observer';
import type { Logger, TelemetryOption } from './observe/types';
import { completeAction } from './operations/action';
import { explain, type Explanation } from './operations/explain';
import { type FollowUpOptions, followUp } from './operations/followups';
import { releaseHolds } from './operations/holds';
import { routedPayment } from './operations/payment';
import { rebill, type RebillRequest } from './operations/rebill';
import { reconcile, type ReconcileOptions, type ReconcileReport } from './operations/reconcile';
import {
  type AttemptView,
  midStatus,
  type MidStatus,
  searchTransactions,
  type SubscriptionView,
  subscriptionView,
  type TransactionFilter,
  type TransactionPage,
  transactionAttempts,
} from './operations/support';
import { handleWebhook, type WebhookInput, type WebhookReceipt } from './operations/webhook';
import { listDisputes, listNotifications } from './operations/disputes';
import { type AlertInput, type AlertResolution, resolveAlert } from './operations/alerts';
import { health, type RecordDisputeInput, type RecordedDispute, recordDispute } from './operations/monitoring';
import { resumeMid } from './monitoring/brake';
import type { MidHealthReport } from './monitoring/health';
import { type MonitoringOptions, monitoringState } from './monitoring/state';
import type { Profile, ProfileInput } from './profile/schema';
import { ApprovalCache, type ApprovalCacheOptions, DEFAULT_APPROVAL_CACHE } from './selection/approval-cache';
import { CircuitBreakers, type CircuitOptions, DEFAULT_CIRCUIT } from './selection/circuit';
import { BUILTIN_STRATEGY_IMPLEMENTATIONS } from './selection/order';
import type { PoolStrategy } from './selection/strategies/types';
import type {
  DisputeFilter,
  DisputeRecord,
  NotificationFilter,
  NotificationRecord,
  PinRecord,
  RepinAuditRecord,
  Store,
  TransactionRecord,
} from './store/types';
import { type ConsentDetails, type ConsentInput, consentDetails, recordConsent } from './subscriptions/consent';
import { type MigrateOptions, type MigrationReport, migrate, repin } from './subscriptions/migrate';
import { type CardVault, gatewayVaults } from './subscriptions/vault';
import { rejected, type RouterResult } from './transaction/results';
import type { Approval, CompletionInput, Failure, Operation, PartialSettings, PaymentRequest } from './types';

export type { RebillRequest } from './operations/rebill';
export type { Explanation, ExplainedCandidate } from './operations/explain';
export type { ConsentDetails, ConsentInput } from './subscriptions/consent';
export type { MigrateOptions, MigrationReport, MigrationItem } from './subscriptions/migrate';
export type { CardVault, VaultContext } from './subscriptions/vault';
export type { CredentialVerdict } from './subscriptions/credentials';
export type { ReconcileOptions, ReconcileReport, StalePending } from './operations/reconcile';
export type { WebhookInput, WebhookReceipt, ReceivedNotification } from './operations/webhook';
export type { RecordDisputeInput, RecordedDispute } from './operations/monitoring';
export type { AlertAction, AlertInput, AlertOutcome, AlertResolution } from './operations/alerts';
export type { AttemptView, ApprovalFigures, MidStatus, SubscriptionView, TransactionFilter, TransactionPage } from './operations/support';

/** A merchant account (MID): one set of credentials on one gateway. */
export interface MerchantAccountConfig {
  id: string;
  adapter: GatewayAdapter;
  /** Default true. A disabled MID takes no new sales; its follow-ups still go through. */
  enabled?: boolean | undefined;
  /** ISO 4217 codes it accepts; absent = any. */
  currencies?: string[] | undefined;
  /** Brands it accepts (credit-card-type names; `amex` works); absent = any. */
  brands?: string[] | undefined;
  minAmount?: number | undefined;
  maxAmount?: number | undefined;
  /** Volume caps per UTC day / month, per currency, by amount (minor units) and/or count. */
  caps?:
    | {
        daily?: { amount?: number | undefined; count?: number | undefined } | undefined;
        monthly?: { amount?: number | undefined; count?: number | undefined } | undefined;
      }
    | undefined;
  /** Statement descriptor, sent where the gateway allows. */
  descriptor?: string | undefined;
  /** Enrolled in Mastercard's express consent program (negative-option trials). */
  expressConsent?: boolean | undefined;
  /** How a cardholder cancels (URL or phone), stated in the express consent message. */
  cancellation?: string | undefined;
  /** 3-D Secure: how long a challenge on this MID stays open (ms, default: the adapter's, else 15 minutes). */
  threeDS?: { expiresAfterMs?: number | undefined } | undefined;
  /** Adapter-specific settings of this MID. */
  settings?: Record<string, unknown> | undefined;
  /**
   * MIDs with the same `tokenScope` share their gateway's vault (one gateway account: an NMI
   * account with several processor ids, a Braintree gateway with several merchant accounts), so
   * a gateway token or transaction id made on one is good on the others. Absent: only on this MID.
   */
  tokenScope?: string | undefined;
  /**
   * Chargeback monitoring: the legal entity or descriptor group the card networks would aggregate
   * this MID with (`midHealth` adds its MIDs up). Absent: one entity of every MID that names none.
   */
  entity?: string | undefined;
  /**
   * Chargeback monitoring: the merchant's own thresholds on this MID's Visa-style and
   * Mastercard-style dispute ratios (fractions: 0.01 is 1 %). `warnAt`: event
   * `mid:dispute_warning`; `pauseAt`: no new initial sales until `setMidEnabled(id, true)` or the
   * month ends (rebills continue). A brake, never a balancer: weights are not touched.
   */
  disputes?: { warnAt?: number | undefined; pauseAt?: number | undefined } | undefined;
}

/** Configuration of `createRouter`. */
export interface RouterConfig {
  merchantAccounts: MerchantAccountConfig[];
  profiles: Array<ProfileInput | Profile>;
  /** Where state lives: `sqliteStore(...)`, `postgresStore(...)`, or `memoryStore()` in tests. */
  store: Store;
  /** Optional BIN table for type, prepaid, country and issuer rules. */
  bins?: BinTable | undefined;
  /** Uniform random numbers in [0, 1) for weighted pools; inject for deterministic tests. */
  random?: (() => number) | undefined;
  /** Milliseconds since epoch; inject for tests of time windows. */
  clock?: (() => number) | undefined;
  /** Your decline mappings, checked before the built-in tables. */
  declineRules?: DeclineRule[] | undefined;
  /** Card-network retry limits (defaults follow the networks' rules). */
  networkRules?: PartialSettings<NetworkRuleConfig> | undefined;
  /** Per-MID circuit breaker. */
  circuit?: PartialSettings<CircuitOptions> | undefined;
  /**
   * Time budget of gateway calls. An idempotency claim is reserved for twice `totalMs`: past
   * that, a retry with the same key or `reconcile()` settles what a dead process left.
   */
  timeouts?: PartialSettings<Timeouts> | undefined;
  /**
   * Secret key of card fingerprints (decline history). Default: a random key kept in the store.
   * Set it (from your secrets manager) so a copy of the database alone cannot test PANs against fingerprints.
   */
  fingerprintKey?: string | undefined;
  /**
   * Your own pool strategies by name, used as `strategy: '<name>'` in a profile's pools. A
   * strategy orders a pool's eligible members; eligibility, caps and network rules still apply.
   */
  strategies?: Record<string, PoolStrategy> | undefined;
  /**
   * The cache of success-rate windows: how long a window read from the store is used (default
   * 1,000 ms; servers sharing PostgreSQL see each other's outcomes within it), how many it keeps,
   * and how long a decision waits for a window it never read (default 250 ms).
   */
  successRate?: PartialSettings<ApprovalCacheOptions> | undefined;
  /**
   * Where log lines go: any logger with `debug/info/warn/error(obj, msg)` (pino, or `console`).
   * One line per attempt, per state change and per operation; never a PAN, CVC or secret; full
   * e-mail addresses at `debug` only. A logger that throws is ignored.
   */
  logger?: Logger | undefined;
  /**
   * OpenTelemetry metrics and spans: recorded through `@opentelemetry/api` when it is installed
   * (optional peer dependency; nothing is loaded without it). `false` turns them off; providers
   * replace the global ones. The global ones are those registered when the router is created:
   * start the OpenTelemetry SDK first. With none registered, nothing is recorded or built.
   */
  telemetry?: TelemetryOption | undefined;
  /**
   * Where the cards of subscriptions are kept for later charges. Default `gatewayVaults()`: each
   * gateway's own vault. Give your PCI vault (`store` / `reveal`) to re-tokenize cards on another
   * gateway after a migration. Switchyard's store never holds a card.
   */
  vault?: CardVault | undefined;
  /**
   * Chargeback monitoring: the time zone of the calendar months counted (default `UTC`), the
   * window of alert matching by card, amount and date (`alertWindowMs`, default one day), and how
   * often a router re-reads pauses other servers made (`pauseRefreshMs`, default 5 s).
   */
  disputeMonitoring?: Partial<MonitoringOptions> | undefined;
}

/** A Switchyard router. Every operation returns a `Result`; declines are values, not exceptions. */
export interface Router {
  /** Authorize and capture in one step, routed by the profile. */
  sale(request: PaymentRequest): Promise<Result<Approval, Failure>>;
  /** Authorize only; capture later with `capture`. */
  authorize(request: PaymentRequest): Promise<Result<Approval, Failure>>;
  /**
   * Prove a card is good without charging it: zero-amount verification where the MID's gateway
   * can, else a pre-authorization of the profile's `verifyAmount` (or the request amount) voided
   * at once. With `subscription`, pins the subscription like an initial sale (trials).
   */
  verify(request: PaymentRequest): Promise<Result<Approval, Failure>>;
  /** Capture an authorization (partially with `amount`) on the MID that authorized it. */
  capture(transactionId: string, options?: FollowUpOptions): Promise<Result<Approval, Failure>>;
  /** Void an authorization or an unsettled sale on its MID. */
  void(transactionId: string, options?: Omit<FollowUpOptions, 'amount'>): Promise<Result<Approval, Failure>>;
  /** Refund (partially with `amount`) on the MID of the sale; outside the profile's refund window only with `override`. */
  refund(transactionId: string, options?: FollowUpOptions): Promise<Result<Approval, Failure>>;
  /** Charge a subscription on its pinned MID with the stored credential. Never moves. On a soft decline, `nextRetryAt` / `nextAmount` follow the profile's salvage schedule. */
  rebill(request: RebillRequest): Promise<Result<Approval, Failure>>;
  /** Move a subscription to another MID, with an audit record ("horizontal migration"). */
  repin(subscriptionId: string, midId: string, options: { reason: string }): Promise<Result<RepinAuditRecord, Failure>>;
  /** Re-pin subscriptions in bulk from a closing MID, audited; `dryRun` lists what would move. */
  migrate(options: MigrateOptions): Promise<Result<MigrationReport, Failure>>;
  /** Record the cardholder's express consent (Mastercard negative-option trials); `given: false` cancels rebills. */
  recordConsent(subscriptionId: string, consent: ConsentInput): Promise<Result<ConsentInput, Failure>>;
  /** The facts the express consent message must state. */
  consentDetails(subscriptionId: string): Promise<ConsentDetails | undefined>;
  /** Retry releasing verification holds whose void failed. */
  releaseHolds(): Promise<{ released: number; pending: number }>;
  /**
   * Settle what is still open: attempts left pending (ambiguous outcomes, a process killed
   * mid-call) are looked up at their gateway; claims of dead processes are finished. Safe to run
   * on a schedule from several servers at once.
   * @example
   * setInterval(() => router.reconcile().then((r) => r.unresolved && alert(r)), 60_000);
   */
  reconcile(options?: ReconcileOptions): Promise<ReconcileReport>;
  /** The routing decision for a request, without calling a gateway or changing state. */
  explain(request: PaymentRequest): Promise<Explanation>;
  /** A subscription's pin. */
  pin(subscriptionId: string): Promise<PinRecord | undefined>;
  /** A ledger transaction. */
  transaction(transactionId: string): Promise<TransactionRecord | undefined>;
  /** Enable or disable a MID for new sales at run time (follow-ups still go through). */
  setMidEnabled(midId: string, enabled: boolean, reason?: string): void;
  /** Listen to an event. Payloads never contain a PAN or CVC; a listener cannot change a result. */
  on<K extends RouterEventName>(event: K, listener: (payload: RouterEvents[K]) => unknown): Router;
  /** Stop listening. */
  off<K extends RouterEventName>(event: K, listener: (payload: RouterEvents[K]) => unknown): Router;
  /**
   * Stop: later operations are refused (`router_closed`), listeners are removed and the store's
   * connections released. Idempotent; waits for nothing in flight.
   */
  close(): Promise<void>;
  /**
   * Finish a payment that answered `requires_action` (3-D Secure) on the same MID and the same
   * transaction, with what the checkout page got back (see `CompletionInput`): no new routing.
   * Approved, declined (e.g. `authentication_failed`) or `requires_action` again (a further
   * step). Repeated, it returns the first result without a second gateway call; for a transaction
   * not waiting for action it is `rejected` (`invalid_state`). After the challenge's `expiresAt`
   * the challenge is expired instead (the gateway asked first).
   * @example
   * const r = await router.sale(req);
   * if (r.isErr() && r.error.kind === 'requires_action') {
   *   // … the page runs r.error.action, the cardholder authenticates, the page comes back …
   *   const done = await router.completeAction(r.error.transactionId, { redirectResult });
   * }
   */
  completeAction(transactionId: string, input?: CompletionInput): Promise<Result<Approval, Failure>>;
  /**
   * A gateway's signed notification (webhook) for one MID, applied to the ledger exactly once.
   * Pass the raw body as received (a Buffer or string: never a parsed object, whose
   * re-serialisation breaks the signature). Answer the gateway with `receipt.response`; on a
   * `rejected` failure answer 400 (bad signature or body), on an `error` 500 (it sends it again).
   * @example
   * app.post('/webhooks/:mid', express.raw({ type: () => true }), async (req, res) => {
   *   const r = await router.handleWebhook({ mid: req.params.mid, headers: req.headers, body: req.body });
   *   if (r.isOk()) res.status(r.value.response.status).set(r.value.response.headers).send(r.value.response.body);
   *   else res.status(r.error.kind === 'rejected' ? 400 : 500).send(r.error.kind);
   * });
   */
  handleWebhook(input: WebhookInput): Promise<Result<WebhookReceipt, Failure>>;
  /** Disputes (chargebacks, inquiries) the gateways reported, oldest opened first. `from` / `to` bound `openedAt`. */
  disputes(filter?: DisputeFilter): Promise<DisputeRecord[]>;
  /** Recorded gateway notifications, e.g. `{ status: 'unmatched' }` to review orphans or `'conflict'` ones. */
  notifications(filter?: NotificationFilter): Promise<NotificationRecord[]>;
  /**
   * Record a dispute or an issuer fraud report learnt outside the gateways' notifications (an
   * alert provider, a CSV import), counted once per `disputeId`: recording it again counts nothing;
   * again with a new `status` follows its life (a lost or accepted one charges the transaction back).
   * @example
   * await router.recordDispute({ transactionId: 'tx_…', disputeId: 'CB-1001', reasonCode: '13.2' });
   * await router.recordDispute({ transactionId: 'tx_…', disputeId: 'CB-1001', status: 'lost' });
   */
  recordDispute(input: RecordDisputeInput): Promise<Result<RecordedDispute, Failure>>;
  /**
   * Dispute health of every MID (or of one, with its entity): the month's counts, the Visa-style
   * and Mastercard-style ratios with the programs' thresholds and minimum counts, the merchant's
   * own thresholds, pauses, and the end-of-month projection. Per merchant entity too.
   * @example
   * const { mids, entities } = await router.midHealth();
   * for (const e of entities) console.log(e.entity, e.visa.ratio, e.visa.threshold, e.mastercard.tier);
   */
  midHealth(midId?: string, options?: { at?: number | undefined }): Promise<MidHealthReport>;
  /**
   * Resolve a prevention alert (Ethoca, Verifi CDRN or RDR, an issuer's inquiry) before it becomes
   * a chargeback: match the transaction (our id, the gateway's id, else card + amount + date; an
   * ambiguous match is refused), refund what is left on its own MID, cancel its subscription when
   * asked, and count a prevented dispute. Idempotent by `alertId`; never refunds twice.
   * @example
   * const r = await router.resolveAlert({ alertId: 'eth_991', kind: 'ethoca_dispute', card: { bin: '411111', last4: '1111' },
   *   amount: 1999, date: Date.parse('2026-11-02T10:00:00Z'), action: 'refund_and_cancel' });
   * if (r.isOk()) r.value.outcome; // 'refunded' | 'already_refunded' | …
   */
  resolveAlert(input: AlertInput): Promise<Result<AlertResolution, Failure>>;
  /**
   * Search the ledger, newest first: by order id, customer id, e-mail (any case), card last four
   * or BIN, MID, status, operation, subscription and creation time. Every field given must match.
   * Each field is indexed in SQLite and PostgreSQL, so a page costs milliseconds on millions of rows.
   * @throws FilterError naming a field it cannot search by (e.g. `last4` not 4 digits).
   * @example
   * let page = await router.transactions({ email: 'ada@example.com', limit: 20 });
   * if (page.nextCursor) page = await router.transactions({ email: 'ada@example.com', limit: 20, cursor: page.nextCursor });
   */
  transactions(filter?: TransactionFilter): Promise<TransactionPage>;
  /** Every attempt of a transaction in the order made; failed ones carry `advice` for support staff and the shopper. */
  attempts(transactionId: string): Promise<AttemptView[]>;
  /** A subscription: its pin, consent, salvage state, rebill count, charges (newest first) and re-pins. */
  subscription(subscriptionId: string): Promise<SubscriptionView | undefined>;
  /** Every MID's state: enabled, circuit, cap use today and this month, approval rates today and this month (UTC). */
  midStatus(): Promise<MidStatus[]>;
}

const contexts = new WeakMap<Router, RouterContext>();

/** The internal state of a router (benchmarks and tests of internals only; not part of the package's API). */
export function routerContext(router: Router): RouterContext {
  const ctx = contexts.get(router);
  if (!ctx) throw new TypeError('not a router made by createRouter');
  return ctx;
}

/**
 * Create a router.
 * @throws ConfigError listing every configuration problem with its path.
 * @example
 * const router = createRouter({
 *   merchantAccounts: [{ id: 'mid-a', adapter: sandbox(), currencies: ['USD'] }],
 *   profiles: [defineProfile({ id: 'default', pools: { main: { strategy: 'priority', members: [{ mid: 'mid-a' }] } }, route: ['main'] })],
 *   store: memoryStore(),
 * });
 * const r = await router.sale({ profile: 'default', idempotencyKey: 'order-1', amount: 1999, currency: 'USD',
 *   card: { number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: '123' } });
 */
export function createRouter(config: RouterConfig): Router {
  const { mids, profiles } = validateConfig(config);
  const observer = createObserver({ logger: config.logger, telemetry: config.telemetry });
  // No tap without a logger or telemetry, so events nobody hears are not built (see `has`).
  const events = new RouterEmitter(observer === NOOP_OBSERVER ? undefined : (name, payload) => observer.event(name, payload));
  const clock = config.clock ?? Date.now;
  let keyPromise: Promise<string> | undefined;
  const timeouts: Timeouts = { attemptMs: 30_000, totalMs: 90_000, ...config.timeouts };
  const ctx: RouterContext = {
    mids,
    profiles,
    events,
    clock,
    store: config.store,
    bins: config.bins,
    random: config.random ?? Math.random,
    declineRules: config.declineRules ?? [],
    networkRules: { ...DEFAULT_NETWORK_RULES, ...config.networkRules },
    timeouts,
    leaseMs: 2 * timeouts.totalMs,
    circuits: new CircuitBreakers(
      { ...DEFAULT_CIRCUIT, ...config.circuit },
      (mid, failures, until, reason) => events.emit('circuit:open', { mid, failures, until, reason }),
      (mid) => events.emit('circuit:close', { mid }),
    ),
    vault: config.vault ?? gatewayVaults(),
    monitoring: monitoringState(config.disputeMonitoring),
    fingerprintKey: () => {
      keyPromise ??= config.fingerprintKey ? Promise.resolve(config.fingerprintKey) : config.store.getOrCreateSecret('fingerprint');
      // A failed read is not cached: the next request asks the store again.
      keyPromise.catch(() => (keyPromise = undefined));
      return keyPromise;
    },
    strategies: new Map([...BUILTIN_STRATEGY_IMPLEMENTATIONS, ...Object.entries(config.strategies ?? {})]),
    approvals: new ApprovalCache(config.store, clock, {
      cacheTtlMs: config.successRate?.cacheTtlMs ?? DEFAULT_APPROVAL_CACHE.cacheTtlMs,
      maxCachedWindows: config.successRate?.maxCachedWindows ?? DEFAULT_APPROVAL_CACHE.maxCachedWindows,
      firstReadWaitMs: config.successRate?.firstReadWaitMs ?? DEFAULT_APPROVAL_CACHE.firstReadWaitMs,
    }),
    observer,
  };
  let closing: Promise<void> | undefined;

  /** Run an operation unless the router is closed, and announce its refusals. */
  const op = (operation: Operation, run: () => Promise<RouterResult>): Promise<RouterResult> => {
    if (closing) return Promise.resolve(rejected('router_closed', 'the router is closed'));
    return observer.operation(operation, run).then((r) => {
      if (r.isErr() && r.error.kind === 'rejected' && !r.error.replayed) {
        const f = r.error;
        events.emit('rejected', { operation, rejection: f.rejection, message: f.message, field: f.field, transactionId: f.transactionId });
      }
      return r;
    });
  };
  const mid = (midId: string): MidRuntime => {
    const m = mids.get(midId);
    if (!m) throw new ConfigError([{ path: 'midId', message: `unknown merchant account "${midId}"` }]);
    return m;
  };

  const router: Router = {
    sale: (req) => op('sale', () => routedPayment(ctx, 'sale', req)),
    authorize: (req) => op('authorize', () => routedPayment(ctx, 'authorize', req)),
    verify: (req) => op('verify', () => routedPayment(ctx, 'verify', req)),
    capture: (id, o) => op('capture', () => followUp(ctx, 'capture', id, o)),
    void: (id, o) => op('void', () => followUp(ctx, 'void', id, o)),
    refund: (id, o) => op('refund', () => followUp(ctx, 'refund', id, o)),
    rebill: (req) => op('rebill', () => rebill(ctx, req)),
    repin: (id, midId, o) => repin(ctx, id, midId, o),
    migrate: (o) => migrate(ctx, o),
    recordConsent: (id, c) => recordConsent(ctx, id, c),
    consentDetails: (id) => consentDetails(ctx, id),
    releaseHolds: () => releaseHolds(ctx),
    reconcile: (o) => reconcile(ctx, o),
    explain: (req) => explain(ctx, req),
    pin: (id) => ctx.store.getPin(id),
    transaction: (id) => ctx.store.getTransaction(id),
    setMidEnabled(midId, enabled, reason) {
      const m = mid(midId);
      m.enabled = enabled;
      m.disabledReason = enabled ? undefined : reason;
      if (enabled) resumeMid(ctx, midId);
    },
    on(event, listener) {
      events.on(event, listener);
      return router;
    },
    off(event, listener) {
      events.off(event, listener);
      return router;
    },
    close() {
      closing ??= (async () => {
        events.clear();
        await ctx.store.close();
      })();
      return closing;
    },
    completeAction: (id, input) =>
      closing ? Promise.resolve(rejected('router_closed', 'the router is closed')) : completeAction(ctx, id, input),
    handleWebhook: (input) => (closing ? Promise.resolve(rejected('router_closed', 'the router is closed')) : handleWebhook(ctx, input)),
    disputes: (filter) => listDisputes(ctx, filter),
    notifications: (filter) => listNotifications(ctx, filter),
    recordDispute: (input) => (closing ? Promise.resolve(rejected('router_closed', 'the router is closed')) : recordDispute(ctx, input)),
    midHealth: (midId, options) => health(ctx, midId, options),
    resolveAlert: (input) => (closing ? Promise.resolve(rejected('router_closed', 'the router is closed')) : resolveAlert(ctx, input)),
    transactions: (filter) => searchTransactions(ctx, filter),
    attempts: (id) => transactionAttempts(ctx, id),
    subscription: (id) => subscriptionView(ctx, id),
    midStatus: () => midStatus(ctx),
  };
  contexts.set(router, ctx);
  return router;
}
