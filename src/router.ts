/**
 * `createRouter`: the public entry point. Validates and compiles the configuration once, then
 * routes sales and authorizations, pins follow-ups and rebills, and explains its decisions.
 * @module
 */
import EventEmitter from 'eventemitter3';
import { Err, Ok, type Result } from 'ts-results-es';
import type { GatewayAdapter, GatewayPaymentRequest } from './adapter';
import type { BinTable } from './card/bin-table';
import { canonicalBrand, fingerprintPan, maskPan, type CardBrand } from './card/pan';
import type { DeclineRule } from './declines/normalize';
import { DEFAULT_NETWORK_RULES, checkNetworkRules, type NetworkRuleConfig } from './declines/network-rules';
import { DECLINE_REASONS, isDeclineReason } from './declines/reasons';
import { ConfigError, type ConfigProblem } from './errors';
import type { RouterEventListeners, RouterEventName, RouterEvents } from './events';
import { capCounters, type MidRuntime, type RouterContext, type Timeouts } from './flow/context';
import { runCharge } from './flow/charge';
import { followUp, type FollowUpOptions } from './flow/followups';
import { newId } from './flow/ids';
import { claim, requestHash } from './flow/idempotency';
import { rejected, toStored, type RouterResult } from './flow/results';
import { validateAmount, validateCard, validateCurrency, validateIdempotencyKey, validatePayment, validateTagsAndMetadata, type ParsedCard } from './flow/validate';
import { compileProfile, type CompiledProfile, type RoutingContext } from './profile/compile';
import { zodProblems } from './profile';
import { merchantAccountSchema, profileSchema, type Profile, type ProfileInput } from './profile/schema';
import { CircuitBreakers, DEFAULT_CIRCUIT, type CircuitOptions } from './selection/circuit';
import type { IneligibleReason } from './selection/eligibility';
import { planRoute } from './selection/plan';
import type { DeclineRecord, PinRecord, RepinAuditRecord, Store, StoredCard, TransactionRecord } from './store/types';
import type { Approval, CardInput, Failure, PaymentRequest } from './types';

/** A merchant account (MID): one set of credentials on one gateway. */
export interface MerchantAccountConfig {
  id: string;
  adapter: GatewayAdapter;
  /** Default true. A disabled MID takes no new sales; its follow-ups still go through. */
  enabled?: boolean;
  /** ISO 4217 codes it accepts; absent = any. */
  currencies?: string[];
  /** Brands it accepts (credit-card-type names; `amex` works); absent = any. */
  brands?: string[];
  minAmount?: number;
  maxAmount?: number;
  /** Volume caps per UTC day / month, per currency, by amount (minor units) and/or count. */
  caps?: { daily?: { amount?: number; count?: number }; monthly?: { amount?: number; count?: number } };
  /** Statement descriptor, sent where the gateway allows. */
  descriptor?: string;
  /** Enrolled in Mastercard's express consent program (negative-option trials). */
  expressConsent?: boolean;
  /** Adapter-specific settings of this MID. */
  settings?: Record<string, unknown>;
}

/** Configuration of `createRouter`. */
export interface RouterConfig {
  merchantAccounts: MerchantAccountConfig[];
  profiles: Array<ProfileInput | Profile>;
  /** Where state lives: `sqliteStore(...)`, `postgresStore(...)`, or `memoryStore()` in tests. */
  store: Store;
  /** Optional BIN table for type, prepaid, country and issuer rules. */
  bins?: BinTable;
  /** Uniform random numbers in [0, 1) for weighted pools; inject for deterministic tests. */
  random?: () => number;
  /** Milliseconds since epoch; inject for tests of time windows. */
  clock?: () => number;
  /** Your decline mappings, checked before the built-in tables. */
  declineRules?: DeclineRule[];
  /** Card-network retry limits (defaults follow the networks' rules). */
  networkRules?: Partial<NetworkRuleConfig>;
  /** Per-MID circuit breaker. */
  circuit?: Partial<CircuitOptions>;
  /** Time budget of gateway calls. */
  timeouts?: Partial<Timeouts>;
  /**
   * Secret key of card fingerprints (decline history). Default: a random key kept in the store.
   * Set it (from your secrets manager) so a copy of the database alone cannot test PANs against fingerprints.
   */
  fingerprintKey?: string;
}

/** A rebill of a pinned subscription. */
export interface RebillRequest {
  subscriptionId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  /** The card, when your vault has it; otherwise the pin's gateway token is used. */
  card?: CardInput;
  metadata?: Record<string, string>;
}

/** One MID in an explanation. */
export interface ExplainedCandidate {
  mid: string;
  gateway: string;
  eligible: boolean;
  /** Position in the attempt order (0 = first), for eligible MIDs. */
  position?: number;
  reasons: IneligibleReason[];
}

/** What `explain` returns: the decision, without charging or changing state. */
export interface Explanation {
  valid: boolean;
  /** When the request would be refused by validation. */
  issue?: { field: string; message: string };
  profile?: string;
  /** The decisive rule that matched, or undefined when the default route applies. */
  rule?: { name: string; index: number; action: 'route' | 'reject' };
  /** Set when a reject rule matched. */
  rejected?: string;
  route: readonly string[];
  /** Filter rules (exclude) that matched. */
  filters: string[];
  candidates: ExplainedCandidate[];
  /** Eligible MIDs in attempt order. */
  order: string[];
  cascade?: { maxAttempts: number; on: 'soft' | string[] };
  card?: { brand?: string; masked: string; type?: string; prepaid?: boolean; country?: string; issuer?: string };
}

/** A Switchyard router. Every operation returns a `Result`; declines are values, not exceptions. */
export interface Router {
  /** Authorize and capture in one step, routed by the profile. */
  sale(request: PaymentRequest): Promise<Result<Approval, Failure>>;
  /** Authorize only; capture later with `capture`. */
  authorize(request: PaymentRequest): Promise<Result<Approval, Failure>>;
  /** Capture an authorization (partially with `amount`) on the MID that authorized it. */
  capture(transactionId: string, options?: FollowUpOptions): Promise<Result<Approval, Failure>>;
  /** Void an authorization or an unsettled sale on its MID. */
  void(transactionId: string, options?: Omit<FollowUpOptions, 'amount'>): Promise<Result<Approval, Failure>>;
  /** Refund (partially with `amount`) on the MID of the sale. */
  refund(transactionId: string, options?: FollowUpOptions): Promise<Result<Approval, Failure>>;
  /** Charge a subscription on its pinned MID with the stored credential. Never moves. */
  rebill(request: RebillRequest): Promise<Result<Approval, Failure>>;
  /** Move a subscription to another MID, with an audit record ("horizontal migration"). */
  repin(subscriptionId: string, midId: string, options: { reason: string }): Promise<Result<RepinAuditRecord, Failure>>;
  /** The routing decision for a request, without calling a gateway or changing state. */
  explain(request: PaymentRequest): Promise<Explanation>;
  /** A subscription's pin. */
  pin(subscriptionId: string): Promise<PinRecord | undefined>;
  /** A ledger transaction. */
  transaction(transactionId: string): Promise<TransactionRecord | undefined>;
  /** Enable or disable a MID for new sales at run time. */
  setMidEnabled(midId: string, enabled: boolean, reason?: string): void;
  /** Listen to an event. Payloads never contain a PAN or CVC. */
  on<K extends RouterEventName>(event: K, listener: (payload: RouterEvents[K]) => void): Router;
  off<K extends RouterEventName>(event: K, listener: (payload: RouterEvents[K]) => void): Router;
  /** Internal state shared with extensions (continuity, reliability). @internal */
  readonly context: RouterContext;
}

const ADAPTER_METHODS = ['authorize', 'sale', 'capture', 'void', 'refund'] as const;

function validateConfig(config: RouterConfig): { mids: Map<string, MidRuntime>; profiles: Map<string, CompiledProfile> } {
  const problems: ConfigProblem[] = [];
  if (typeof config !== 'object' || config === null) throw new ConfigError([{ path: '(config)', message: 'must be an object' }]);
  if (!config.store || typeof config.store.commit !== 'function') problems.push({ path: 'store', message: 'is required: sqliteStore({ path }), postgresStore({ connectionString }) or memoryStore()' });
  const mids = new Map<string, MidRuntime>();
  if (!Array.isArray(config.merchantAccounts) || config.merchantAccounts.length === 0) problems.push({ path: 'merchantAccounts', message: 'must list at least one merchant account' });
  (Array.isArray(config.merchantAccounts) ? config.merchantAccounts : []).forEach((m, i) => {
    const path = `merchantAccounts[${i}]`;
    const parsed = merchantAccountSchema.safeParse(m);
    if (!parsed.success) return problems.push(...zodProblems(parsed.error, path));
    const a = m.adapter;
    for (const fn of ADAPTER_METHODS) if (typeof a[fn] !== 'function') problems.push({ path: `${path}.adapter`, message: `must implement ${fn}()` });
    if (typeof a.capabilities !== 'object' || a.capabilities === null) problems.push({ path: `${path}.adapter.capabilities`, message: 'is required' });
    if (mids.has(m.id)) return problems.push({ path: `${path}.id`, message: `duplicate merchant account id "${m.id}"` });
    const d = parsed.data;
    if (d.minAmount !== undefined && d.maxAmount !== undefined && d.minAmount > d.maxAmount) problems.push({ path: `${path}.minAmount`, message: 'must not exceed maxAmount' });
    mids.set(m.id, {
      id: d.id, adapter: a, enabled: d.enabled, currencies: d.currencies && new Set(d.currencies),
      brands: d.brands && new Set(d.brands.map((b) => canonicalBrand(b)!)), minAmount: d.minAmount, maxAmount: d.maxAmount,
      caps: d.caps, expressConsent: d.expressConsent, merchant: { id: d.id, descriptor: d.descriptor, settings: d.settings },
    });
  });
  const profiles = new Map<string, CompiledProfile>();
  if (!Array.isArray(config.profiles) || config.profiles.length === 0) problems.push({ path: 'profiles', message: 'must list at least one profile' });
  (Array.isArray(config.profiles) ? config.profiles : []).forEach((p, i) => {
    const path = `profiles[${i}]`;
    const parsed = profileSchema.safeParse(p);
    if (!parsed.success) return problems.push(...zodProblems(parsed.error, path));
    const profile = parsed.data;
    if (profiles.has(profile.id)) return problems.push({ path: `${path}.id`, message: `duplicate profile id "${profile.id}"` });
    const before = problems.length;
    for (const [name, pool] of Object.entries(profile.pools)) {
      pool.members.forEach((mem, j) => {
        if (!mids.has(mem.mid)) problems.push({ path: `${path}.pools.${name}.members[${j}].mid`, message: `unknown merchant account "${mem.mid}"` });
      });
    }
    const checkRoute = (route: string[], rpath: string) =>
      route.forEach((r, j) => { if (!(r in profile.pools)) problems.push({ path: `${rpath}[${j}]`, message: `unknown pool "${r}"` }); });
    checkRoute(profile.route, `${path}.route`);
    profile.rules.forEach((r, j) => {
      if (r.route) checkRoute(r.route, `${path}.rules[${j}].route`);
      r.exclude?.forEach((mid, k) => { if (!mids.has(mid)) problems.push({ path: `${path}.rules[${j}].exclude[${k}]`, message: `unknown merchant account "${mid}"` }); });
    });
    if (Array.isArray(profile.cascade.on)) {
      profile.cascade.on.forEach((reason, j) => {
        const info = isDeclineReason(reason) ? DECLINE_REASONS[reason] : undefined;
        const retry: string | undefined = info?.retry;
        if (info && (info.category === 'hard' || retry === 'never' || retry === 'with_authentication' || reason === 'insufficient_funds')) {
          problems.push({ path: `${path}.cascade.on[${j}]`, message: `"${reason}" never cascades: another MID cannot change the issuer's answer` });
        }
      });
    }
    if (problems.length === before) profiles.set(profile.id, compileProfile(profile));
  });
  (config.declineRules ?? []).forEach((r, i) => {
    if (!isDeclineReason(r?.reason)) problems.push({ path: `declineRules[${i}].reason`, message: `unknown decline reason "${String(r?.reason)}"` });
    if (r?.mid !== undefined && !mids.has(r.mid)) problems.push({ path: `declineRules[${i}].mid`, message: `unknown merchant account "${r.mid}"` });
    if (r && r.code === undefined && r.messageIncludes === undefined) problems.push({ path: `declineRules[${i}]`, message: 'needs code or messageIncludes' });
  });
  const t = config.timeouts ?? {};
  for (const k of ['attemptMs', 'totalMs'] as const) {
    if (t[k] !== undefined && !(Number.isFinite(t[k]) && t[k]! > 0)) problems.push({ path: `timeouts.${k}`, message: 'must be a positive number of milliseconds' });
  }
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
  const clock = config.clock ?? Date.now;
  let keyPromise: Promise<string> | undefined;
  const ctx: RouterContext = {
    mids, profiles, events, clock,
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
    fingerprintKey: () => (keyPromise ??= config.fingerprintKey ? Promise.resolve(config.fingerprintKey) : config.store.getOrCreateSecret('fingerprint')),
  };

  const storedCard = async (card: ParsedCard): Promise<StoredCard> => ({
    bin: card.digits.slice(0, 6), last4: card.digits.slice(-4), brand: card.brand,
    fingerprint: fingerprintPan(card.digits, await ctx.fingerprintKey()), expMonth: card.expMonth, expYear: card.expYear,
  });
  const routingContext = (kind: RoutingContext['kind'], r: PaymentRequest, card: ParsedCard): RoutingContext => ({
    kind, brand: card.brand, bin: card.digits.slice(0, 8), binInfo: ctx.bins?.lookup(card.digits), amount: r.amount, currency: r.currency,
    customerCountry: r.customer?.country, billingCountry: r.billing?.country, tags: r.tags ?? [], metadata: r.metadata ?? {},
  });
  const cardForGateway = (card: ParsedCard): CardInput => ({ number: card.digits, expMonth: card.expMonth, expYear: card.expYear, cvc: card.cvc, holderName: card.holderName });

  async function routed(kind: 'sale' | 'authorize', request: PaymentRequest): Promise<RouterResult> {
    const now = clock();
    const parsed = validatePayment(request, now);
    if ('field' in parsed) return rejected('validation', `${parsed.field}: ${parsed.message}`, { field: parsed.field });
    const r = parsed.request;
    const profile = profiles.get(r.profile);
    if (!profile) return rejected('unknown_profile', `profile: no profile "${r.profile}"`, { field: 'profile' });
    const card = await storedCard(parsed.card);
    const key = `${kind}:${r.idempotencyKey}`;
    const early = await claim(ctx, key, requestHash([kind, r.profile, r.amount, r.currency, card.fingerprint, card.expMonth, card.expYear, r.customer ?? null, r.billing ?? null, r.tags ?? null, r.metadata ?? null, r.subscription ?? null, r.threeDS ?? null]));
    if (early) return early;
    try {
      return await charge(kind, r, parsed.card, card, profile, key);
    } catch (e) {
      await ctx.store.releaseIdempotencyKey(key).catch(() => undefined);
      throw e;
    }
  }

  async function charge(kind: 'sale' | 'authorize', r: PaymentRequest, parsedCard: ParsedCard, card: StoredCard, profile: CompiledProfile, key: string): Promise<RouterResult> {
    const now = clock();
    const rc = routingContext(kind, r, parsedCard);
    const plan = planRoute(ctx, profile, rc, kind);
    const transactionId = newId('tx');
    const masked = maskPan(parsedCard.digits);
    await ctx.store.insertTransaction({
      id: transactionId, operation: kind, status: 'pending', profile: profile.id, amount: r.amount, currency: r.currency,
      capturedAmount: 0, refundedAmount: 0, card, subscriptionId: r.subscription?.id, idempotencyKey: r.idempotencyKey, createdAt: now, updatedAt: now,
    });
    if (plan.rejectedBy) {
      const result = rejected(plan.rejectedBy.reject!, `refused by rule "${plan.rejectedBy.name}": ${plan.rejectedBy.reject}`, { transactionId });
      await ctx.store.commit({ transaction: { id: transactionId, patch: { status: 'failed', updatedAt: now } }, idempotency: { key, result: toStored(result) } });
      return result;
    }
    const history = await ctx.store.declineHistory(card.fingerprint, now - 30 * 24 * 3_600_000);
    const sub = r.subscription;
    return runCharge(ctx, {
      operation: kind, adapterOperation: kind, transactionId, candidates: plan.candidates, maxAttempts: profile.maxAttempts, cascadeOn: profile.cascadeOn,
      amount: r.amount, currency: r.currency, card, maskedCard: masked, history, initiator: 'cit', idempotencyKey: key, subscriptionId: sub?.id,
      noCandidateMessage: `no eligible merchant account for this ${kind}${plan.ineligible.length ? `: ${plan.ineligible.map((i) => `${i.mid} (${i.reasons.map((x) => x.code).join(', ')})`).join('; ')}` : ''}`,
      request: (mid, attemptId): GatewayPaymentRequest => ({
        reference: attemptId, transactionId, amount: r.amount, currency: r.currency, card: cardForGateway(parsedCard), customer: r.customer,
        billing: r.billing, threeDS: r.threeDS, metadata: r.metadata, merchant: mid.merchant,
        storedCredential: sub ? { type: 'initial', reason: 'recurring' } : undefined,
      }),
      pin: sub
        ? (mid, ok, at): PinRecord => ({
            subscriptionId: sub.id, mid: mid.id, gateway: mid.adapter.gateway, transactionId, gatewayTransactionId: ok.gatewayTransactionId,
            networkTransactionId: ok.networkTransactionId, gatewayToken: ok.gatewayToken, card, currency: r.currency, initialAmount: r.amount,
            recurringAmount: sub.recurringAmount, physicalProduct: sub.physicalProduct, status: 'active', createdAt: at, updatedAt: at,
          })
        : undefined,
    });
  }

  async function rebill(request: RebillRequest): Promise<RouterResult> {
    const now = clock();
    if (typeof request !== 'object' || request === null) return rejected('validation', '(request): must be an object', { field: '(request)' });
    if (typeof request.subscriptionId !== 'string' || !request.subscriptionId) return rejected('validation', 'subscriptionId: is required', { field: 'subscriptionId' });
    const bad = validateIdempotencyKey(request.idempotencyKey) ?? validateAmount(request.amount) ?? validateCurrency(request.currency) ?? validateTagsAndMetadata(undefined, request.metadata);
    if (bad) return rejected('validation', `${bad.field}: ${bad.message}`, { field: bad.field });
    let parsedCard: ParsedCard | undefined;
    if (request.card !== undefined) {
      const c = validateCard(request.card, now);
      if ('field' in c) return rejected('validation', `${c.field}: ${c.message}`, { field: c.field });
      parsedCard = c;
    }
    const pin = await ctx.store.getPin(request.subscriptionId);
    if (!pin) return rejected('unknown_subscription', `subscriptionId: no pinned subscription "${request.subscriptionId}"`, { field: 'subscriptionId' });
    if (pin.status !== 'active') return rejected('invalid_state', `subscription ${pin.subscriptionId} is ${pin.status}; it takes no more rebills`);
    if (!parsedCard && !pin.gatewayToken && !pin.networkTransactionId) {
      return rejected('validation', 'card: is required, the pin has no gateway token to charge', { field: 'card' });
    }
    const card = parsedCard ? await storedCard(parsedCard) : pin.card;
    const key = `rebill:${request.idempotencyKey}`;
    const early = await claim(ctx, key, requestHash(['rebill', request.subscriptionId, request.amount, request.currency, card?.fingerprint ?? null, request.metadata ?? null]));
    if (early) return early;
    const done = async (r: RouterResult) => {
      await ctx.store.commit({ idempotency: { key, result: toStored(r) } });
      return r;
    };
    const mid = mids.get(pin.mid);
    const unavailable = (why: string) => done(rejected('pinned_mid_unavailable', `subscription ${pin.subscriptionId} is pinned to ${pin.mid}, which ${why}; it is not moved automatically: repin it explicitly`));
    if (!mid) return unavailable('is no longer configured');
    if (!mid.enabled) return unavailable(`is disabled${mid.disabledReason ? ` (${mid.disabledReason})` : ''}`);
    if (mid.currencies && !mid.currencies.has(request.currency)) return unavailable(`does not accept ${request.currency}`);
    if (!mid.adapter.capabilities.sale) return unavailable('cannot make sales');
    if (card?.brand && mid.brands && !mid.brands.has(card.brand as CardBrand)) return unavailable(`does not accept ${card.brand}`);
    const history = card ? await ctx.store.declineHistory(card.fingerprint, now - 30 * 24 * 3_600_000) : [];
    const transactionId = newId('tx');
    await ctx.store.insertTransaction({
      id: transactionId, operation: 'rebill', status: 'pending', amount: request.amount, currency: request.currency, capturedAmount: 0, refundedAmount: 0,
      card, subscriptionId: pin.subscriptionId, idempotencyKey: request.idempotencyKey, createdAt: now, updatedAt: now, mid: mid.id, gateway: mid.adapter.gateway,
    });
    const result = await runCharge(ctx, {
      operation: 'rebill', adapterOperation: 'sale', transactionId, candidates: [mid.id], maxAttempts: 1, cascadeOn: new Set(),
      amount: request.amount, currency: request.currency, card, maskedCard: card && `${card.bin}******${card.last4}`, history, initiator: 'mit', idempotencyKey: key,
      subscriptionId: pin.subscriptionId,
      noCandidateMessage: `subscription ${pin.subscriptionId} is pinned to ${mid.id}, which cannot take it now; it is not moved automatically`,
      request: (m, attemptId) => ({
        reference: attemptId, transactionId, amount: request.amount, currency: request.currency, metadata: request.metadata, merchant: m.merchant,
        card: parsedCard && cardForGateway(parsedCard),
        storedCredential: {
          type: 'subsequent', initiator: 'merchant', reason: 'recurring', networkTransactionId: pin.networkTransactionId,
          gatewayToken: pin.gatewayToken, previousGatewayTransactionId: pin.gatewayTransactionId,
        },
      }),
    });
    if (result.isErr() && result.error.kind === 'rejected' && result.error.rejection === 'no_eligible_mid') {
      const failure = { ...result.error, rejection: 'pinned_mid_unavailable' as const };
      await ctx.store.commit({ idempotency: { key, result: { ok: false, value: failure } } });
      return Err(failure);
    }
    if (result.isErr() && result.error.decline && (result.error.decline.reason === 'revocation_of_authorization')) {
      await ctx.store.updatePin(pin.subscriptionId, { status: 'revoked' }, clock());
      events.emit('subscription:revoked', { subscriptionId: pin.subscriptionId, mid: mid.id, reason: result.error.decline.reason });
    }
    return result;
  }

  async function repin(subscriptionId: string, midId: string, options: { reason: string }): Promise<Result<RepinAuditRecord, Failure>> {
    if (typeof options?.reason !== 'string' || !options.reason.trim()) return rejected('validation', 'reason: an audited re-pin needs a reason', { field: 'reason' }) as Result<never, Failure>;
    const mid = mids.get(midId);
    if (!mid) return rejected('validation', `midId: unknown merchant account "${midId}"`, { field: 'midId' }) as Result<never, Failure>;
    const pin = await ctx.store.getPin(subscriptionId);
    if (!pin) return rejected('unknown_subscription', `subscriptionId: no pinned subscription "${subscriptionId}"`, { field: 'subscriptionId' }) as Result<never, Failure>;
    if (pin.mid === midId) return rejected('invalid_state', `subscription ${subscriptionId} is already pinned to ${midId}`) as Result<never, Failure>;
    const audit: RepinAuditRecord = { subscriptionId, fromMid: pin.mid, toMid: midId, reason: options.reason, at: clock() };
    await ctx.store.repin(subscriptionId, { mid: midId, gateway: mid.adapter.gateway }, audit);
    events.emit('pin:moved', { subscriptionId, fromMid: pin.mid, toMid: midId, reason: options.reason });
    return Ok(audit);
  }

  async function explain(request: PaymentRequest): Promise<Explanation> {
    const now = clock();
    const parsed = validatePayment(request, now);
    const empty = { route: [], filters: [], candidates: [], order: [] };
    if ('field' in parsed) return { valid: false, issue: parsed, ...empty };
    const r = parsed.request;
    const profile = profiles.get(r.profile);
    if (!profile) return { valid: false, issue: { field: 'profile', message: `no profile "${r.profile}"` }, ...empty };
    const rc = routingContext('sale', r, parsed.card);
    const plan = planRoute(ctx, profile, rc, 'sale');
    const info = rc.binInfo;
    const base: Explanation = {
      valid: true, profile: profile.id,
      rule: plan.rule && { name: plan.rule.name, index: plan.rule.index, action: plan.rule.reject ? 'reject' : 'route' },
      rejected: plan.rejectedBy?.reject, route: plan.route, filters: plan.filters.map((f) => f.name), candidates: [], order: [],
      cascade: { maxAttempts: profile.maxAttempts, on: profile.source.cascade.on as 'soft' | string[] },
      card: { brand: rc.brand, masked: maskPan(parsed.card.digits), type: info?.type, prepaid: info?.prepaid, country: info?.country, issuer: info?.issuer },
    };
    if (plan.rejectedBy) return base;
    const fingerprint = fingerprintPan(parsed.card.digits, await ctx.fingerprintKey());
    const history: DeclineRecord[] = await ctx.store.declineHistory(fingerprint, now - 30 * 24 * 3_600_000);
    for (const id of plan.candidates) {
      const mid = mids.get(id)!;
      const reasons: IneligibleReason[] = [];
      const counters = capCounters(mid, r.currency, now);
      if (counters.length) {
        const usage = await ctx.store.capUsage(id, counters);
        counters.forEach((c, i) => {
          const u = usage[i];
          if (c.amountLimit !== undefined && u.amount + r.amount > c.amountLimit) reasons.push({ code: 'cap_reached', message: `${c.window} cap ${c.amountLimit} ${r.currency}: ${u.amount} used, no room for ${r.amount}` });
          if (c.countLimit !== undefined && u.count + 1 > c.countLimit) reasons.push({ code: 'cap_reached', message: `${c.window} cap of ${c.countLimit} transactions reached` });
        });
      }
      const verdict = checkNetworkRules(history, { mid: id, brand: rc.brand, now, initiator: 'cit' }, ctx.networkRules);
      if (!verdict.allowed) reasons.push({ code: 'network_rule', message: verdict.message });
      base.candidates.push({ mid: id, gateway: mid.adapter.gateway, eligible: reasons.length === 0, reasons });
    }
    let pos = 0;
    for (const c of base.candidates) if (c.eligible) { c.position = pos++; base.order.push(c.mid); }
    for (const i of plan.ineligible) base.candidates.push({ mid: i.mid, gateway: mids.get(i.mid)!.adapter.gateway, eligible: false, reasons: i.reasons });
    return base;
  }

  const router: Router = {
    context: ctx,
    sale: (req) => routed('sale', req),
    authorize: (req) => routed('authorize', req),
    capture: (id, o) => followUp(ctx, 'capture', id, o),
    void: (id, o) => followUp(ctx, 'void', id, o),
    refund: (id, o) => followUp(ctx, 'refund', id, o),
    rebill,
    repin,
    explain,
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
  return router;
}
