/**
 * `createRouter`: the public entry point. Validates and compiles the configuration once, then
 * routes sales, authorizations and verifications, pins follow-ups and rebills, runs the
 * continuity features (consent, salvage, migrations) and explains its decisions.
 * The operations themselves live in `src/flow/`.
 * @module
 */
import EventEmitter from 'eventemitter3';
import type { Result } from 'ts-results-es';
import { Ok } from 'ts-results-es';
import type { GatewayAdapter } from './adapter';
import type { BinTable } from './card/bin-table';
import { canonicalBrand } from './card/pan';
import type { DeclineRule } from './declines/normalize';
import { DEFAULT_NETWORK_RULES, type NetworkRuleConfig } from './declines/network-rules';
import { DECLINE_REASONS, isDeclineReason } from './declines/reasons';
import { ConfigError, type ConfigProblem } from './errors';
import type { RouterEventListeners, RouterEventName, RouterEvents } from './events';
import type { MidRuntime, RouterContext, Timeouts } from './flow/context';
import {
  consentDetails,
  migrate,
  recordConsent,
  type ConsentDetails,
  type ConsentInput,
  type MigrateOptions,
  type MigrationReport,
} from './flow/continuity';
import { explain, type Explanation } from './flow/explain';
import { followUp, type FollowUpOptions } from './flow/followups';
import { releaseHolds } from './flow/holds';
import { routedPayment } from './flow/payment';
import { rebill, type RebillRequest } from './flow/rebill';
import { reconcile, type ReconcileOptions, type ReconcileReport } from './flow/reconcile';
import { rejected } from './flow/results';
import { compileProfile, type CompiledProfile } from './profile/compile';
import { zodProblems } from './profile';
import { merchantAccountSchema, profileSchema, type Profile, type ProfileInput } from './profile/schema';
import { CircuitBreakers, DEFAULT_CIRCUIT, type CircuitOptions } from './selection/circuit';
import type { PinRecord, RepinAuditRecord, Store, TransactionRecord } from './store/types';
import type { Approval, Failure, PartialSettings, PaymentRequest } from './types';

export type { RebillRequest } from './flow/rebill';
export type { Explanation, ExplainedCandidate } from './flow/explain';
export type { ConsentDetails, ConsentInput, MigrateOptions, MigrationReport } from './flow/continuity';
export type { ReconcileOptions, ReconcileReport } from './flow/reconcile';

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
  /** Adapter-specific settings of this MID. */
  settings?: Record<string, unknown> | undefined;
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
  /** Time budget of gateway calls. */
  timeouts?: PartialSettings<Timeouts> | undefined;
  /**
   * Secret key of card fingerprints (decline history). Default: a random key kept in the store.
   * Set it (from your secrets manager) so a copy of the database alone cannot test PANs against fingerprints.
   */
  fingerprintKey?: string | undefined;
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
   * Settle attempts left pending (ambiguous outcomes, a process killed mid-call) by looking them up
   * at their gateway: approved → ledger, pin and cap usage kept; not found → failed, cap released;
   * still unknown → left pending. Safe to run on a schedule from several servers at once.
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
  /** Listen to an event. Payloads never contain a PAN or CVC. */
  on<K extends RouterEventName>(event: K, listener: (payload: RouterEvents[K]) => void): Router;
  /** Stop listening. */
  off<K extends RouterEventName>(event: K, listener: (payload: RouterEvents[K]) => void): Router;
}

/** Each router's internal state, for in-repo tools (the bench); not part of the public surface. */
const contexts = new WeakMap<Router, RouterContext>();

/** The internal state of a router made by `createRouter` (bench and diagnostics only). @internal */
export function routerContext(router: Router): RouterContext {
  const ctx = contexts.get(router);
  if (!ctx) throw new TypeError('routerContext: not a router made by createRouter');
  return ctx;
}

const ADAPTER_METHODS = ['authorize', 'sale', 'capture', 'void', 'refund'] as const;

function validateConfig(config: RouterConfig): { mids: Map<string, MidRuntime>; profiles: Map<string, CompiledProfile> } {
  const problems: ConfigProblem[] = [];
  if (typeof config !== 'object' || config === null) throw new ConfigError([{ path: '(config)', message: 'must be an object' }]);
  if (!config.store || typeof config.store.commit !== 'function')
    problems.push({ path: 'store', message: 'is required: sqliteStore({ path }), postgresStore({ connectionString }) or memoryStore()' });
  const mids = new Map<string, MidRuntime>();
  if (!Array.isArray(config.merchantAccounts) || config.merchantAccounts.length === 0)
    problems.push({ path: 'merchantAccounts', message: 'must list at least one merchant account' });
  (Array.isArray(config.merchantAccounts) ? config.merchantAccounts : []).forEach((m, i) => {
    const path = `merchantAccounts[${i}]`;
    const parsed = merchantAccountSchema.safeParse(m);
    if (!parsed.success) return void problems.push(...zodProblems(parsed.error, path));
    const a = m.adapter;
    for (const fn of ADAPTER_METHODS)
      if (typeof a[fn] !== 'function') problems.push({ path: `${path}.adapter`, message: `must implement ${fn}()` });
    if (typeof a.capabilities !== 'object' || a.capabilities === null)
      problems.push({ path: `${path}.adapter.capabilities`, message: 'is required' });
    if (mids.has(m.id)) return void problems.push({ path: `${path}.id`, message: `duplicate merchant account id "${m.id}"` });
    const d = parsed.data;
    if (d.minAmount !== undefined && d.maxAmount !== undefined && d.minAmount > d.maxAmount)
      problems.push({ path: `${path}.minAmount`, message: 'must not exceed maxAmount' });
    mids.set(m.id, {
      id: d.id,
      adapter: a,
      enabled: d.enabled,
      currencies: d.currencies && new Set(d.currencies),
      brands: d.brands && new Set(d.brands.map((b) => canonicalBrand(b)!)),
      minAmount: d.minAmount,
      maxAmount: d.maxAmount,
      caps: d.caps,
      expressConsent: d.expressConsent,
      cancellation: d.cancellation,
      merchant: { id: d.id, descriptor: d.descriptor, settings: d.settings },
    });
  });
  const profiles = new Map<string, CompiledProfile>();
  if (!Array.isArray(config.profiles) || config.profiles.length === 0)
    problems.push({ path: 'profiles', message: 'must list at least one profile' });
  (Array.isArray(config.profiles) ? config.profiles : []).forEach((p, i) => {
    const path = `profiles[${i}]`;
    const parsed = profileSchema.safeParse(p);
    if (!parsed.success) return void problems.push(...zodProblems(parsed.error, path));
    const profile = parsed.data;
    if (profiles.has(profile.id)) return void problems.push({ path: `${path}.id`, message: `duplicate profile id "${profile.id}"` });
    const before = problems.length;
    for (const [name, pool] of Object.entries(profile.pools)) {
      pool.members.forEach((mem, j) => {
        if (!mids.has(mem.mid))
          problems.push({ path: `${path}.pools.${name}.members[${j}].mid`, message: `unknown merchant account "${mem.mid}"` });
      });
    }
    const checkRoute = (route: string[], rpath: string) =>
      route.forEach((r, j) => {
        if (!(r in profile.pools)) problems.push({ path: `${rpath}[${j}]`, message: `unknown pool "${r}"` });
      });
    checkRoute(profile.route, `${path}.route`);
    profile.rules.forEach((r, j) => {
      if (r.route) checkRoute(r.route, `${path}.rules[${j}].route`);
      r.exclude?.forEach((mid, k) => {
        if (!mids.has(mid)) problems.push({ path: `${path}.rules[${j}].exclude[${k}]`, message: `unknown merchant account "${mid}"` });
      });
    });
    if (Array.isArray(profile.cascade.on)) {
      profile.cascade.on.forEach((reason, j) => {
        const info = isDeclineReason(reason) ? DECLINE_REASONS[reason] : undefined;
        const retry: string | undefined = info?.retry;
        if (info && (info.category === 'hard' || retry === 'never' || retry === 'with_authentication' || reason === 'insufficient_funds')) {
          problems.push({
            path: `${path}.cascade.on[${j}]`,
            message: `"${reason}" never cascades: another MID cannot change the issuer's answer`,
          });
        }
      });
    }
    if (problems.length === before) profiles.set(profile.id, compileProfile(profile));
  });
  (config.declineRules ?? []).forEach((r, i) => {
    if (!isDeclineReason(r?.reason))
      problems.push({ path: `declineRules[${i}].reason`, message: `unknown decline reason "${String(r?.reason)}"` });
    if (r?.mid !== undefined && !mids.has(r.mid))
      problems.push({ path: `declineRules[${i}].mid`, message: `unknown merchant account "${r.mid}"` });
    if (r && r.code === undefined && r.messageIncludes === undefined)
      problems.push({ path: `declineRules[${i}]`, message: 'needs code or messageIncludes' });
  });
  const cb = config.circuit ?? {};
  for (const k of ['threshold', 'merchantThreshold'] as const) {
    if (cb[k] !== undefined && !(Number.isInteger(cb[k]) && cb[k]! >= 1))
      problems.push({ path: `circuit.${k}`, message: 'must be an integer ≥ 1' });
  }
  if (cb.cooldownMs !== undefined && !(Number.isFinite(cb.cooldownMs) && cb.cooldownMs > 0))
    problems.push({ path: 'circuit.cooldownMs', message: 'must be a positive number of milliseconds' });
  const nr = config.networkRules ?? {};
  for (const k of ['visaReattemptLimit', 'mastercardDailyDeclineLimit'] as const) {
    if (nr[k] !== undefined && !(Number.isInteger(nr[k]) && nr[k]! >= 1))
      problems.push({ path: `networkRules.${k}`, message: 'must be an integer ≥ 1' });
  }
  const t = config.timeouts ?? {};
  for (const k of ['attemptMs', 'totalMs'] as const) {
    if (t[k] !== undefined && !(Number.isFinite(t[k]) && t[k]! > 0))
      problems.push({ path: `timeouts.${k}`, message: 'must be a positive number of milliseconds' });
  }
  if (Number.isFinite(t.attemptMs) && Number.isFinite(t.totalMs) && t.attemptMs! > t.totalMs!)
    problems.push({ path: 'timeouts.attemptMs', message: 'must not exceed timeouts.totalMs' });
  if (problems.length) throw new ConfigError(problems);
  return { mids, profiles };
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
  const events = new EventEmitter<RouterEventListeners>();
  let keyPromise: Promise<string> | undefined;
  const ctx: RouterContext = {
    mids,
    profiles,
    events,
    clock: config.clock ?? Date.now,
    store: config.store,
    bins: config.bins,
    random: config.random ?? Math.random,
    declineRules: config.declineRules ?? [],
    networkRules: { ...DEFAULT_NETWORK_RULES, ...config.networkRules },
    timeouts: { attemptMs: 30_000, totalMs: 90_000, ...config.timeouts },
    circuits: new CircuitBreakers(
      { ...DEFAULT_CIRCUIT, ...config.circuit },
      (mid, failures, until, reason) => events.emit('circuit:open', { mid, failures, until, reason }),
      (mid) => events.emit('circuit:close', { mid }),
    ),
    fingerprintKey: () =>
      (keyPromise ??= config.fingerprintKey ? Promise.resolve(config.fingerprintKey) : config.store.getOrCreateSecret('fingerprint')),
  };

  async function repin(subscriptionId: string, midId: string, options: { reason: string }): Promise<Result<RepinAuditRecord, Failure>> {
    if (typeof options?.reason !== 'string' || !options.reason.trim())
      return rejected('validation', 'reason: an audited re-pin needs a reason', { field: 'reason' }) as Result<never, Failure>;
    const mid = mids.get(midId);
    if (!mid) return rejected('validation', `midId: unknown merchant account "${midId}"`, { field: 'midId' }) as Result<never, Failure>;
    const pin = await ctx.store.getPin(subscriptionId);
    if (!pin)
      return rejected('unknown_subscription', `subscriptionId: no pinned subscription "${subscriptionId}"`, {
        field: 'subscriptionId',
      }) as Result<never, Failure>;
    if (pin.mid === midId)
      return rejected('invalid_state', `subscription ${subscriptionId} is already pinned to ${midId}`) as Result<never, Failure>;
    const audit: RepinAuditRecord = { subscriptionId, fromMid: pin.mid, toMid: midId, reason: options.reason, at: ctx.clock() };
    await ctx.store.repin(subscriptionId, { mid: midId, gateway: mid.adapter.gateway }, audit);
    events.emit('pin:moved', { subscriptionId, fromMid: pin.mid, toMid: midId, reason: options.reason });
    return Ok(audit);
  }

  const router: Router = {
    sale: (req) => routedPayment(ctx, 'sale', req),
    authorize: (req) => routedPayment(ctx, 'authorize', req),
    verify: (req) => routedPayment(ctx, 'verify', req),
    capture: (id, o) => followUp(ctx, 'capture', id, o),
    void: (id, o) => followUp(ctx, 'void', id, o),
    refund: (id, o) => followUp(ctx, 'refund', id, o),
    rebill: (req) => rebill(ctx, req),
    repin,
    migrate: (o) => migrate(ctx, o),
    recordConsent: (id, c) => recordConsent(ctx, id, c),
    consentDetails: (id) => consentDetails(ctx, id),
    releaseHolds: () => releaseHolds(ctx),
    reconcile: (o) => reconcile(ctx, o),
    explain: (req) => explain(ctx, req),
    pin: (id) => ctx.store.getPin(id),
    transaction: (id) => ctx.store.getTransaction(id),
    setMidEnabled(midId, enabled, reason) {
      const m = mids.get(midId);
      if (!m) throw new ConfigError([{ path: 'midId', message: `unknown merchant account "${midId}"` }]);
      m.enabled = enabled;
      m.disabledReason = enabled ? undefined : reason;
    },
    on(event, listener) {
      events.on(event, listener as never);
      return router;
    },
    off(event, listener) {
      events.off(event, listener as never);
      return router;
    },
  };
  contexts.set(router, ctx);
  return router;
}
