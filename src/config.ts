/**
 * Validation of `createRouter`'s configuration in one pass: shapes (zod) and references
 * (unknown MIDs and pools, reasons that can never cascade) are checked together, so one
 * `ConfigError` lists every problem. A merchant account with a shape error still counts as
 * declared, so references to it are not reported as unknown.
 * @module
 */
import type { MidRuntime } from './accounts';
import { canonicalBrand } from './card/pan';
import { DECLINE_REASONS, isDeclineReason } from './declines/reasons';
import { ConfigError, type ConfigProblem } from './errors';
import { compileProfile, type CompiledProfile } from './profile/compile';
import { zodProblems } from './profile';
import { isTimeZone } from './monitoring/month';
import { BUILTIN_STRATEGIES, merchantAccountSchema, profileSchema } from './profile/schema';
import { vaultProblems } from './subscriptions/vault';

const ADAPTER_METHODS = ['authorize', 'sale', 'capture', 'void', 'refund'] as const;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: unknown, k: unknown): boolean => isObj(o) && typeof k === 'string' && Object.hasOwn(o, k);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The validated, compiled configuration. */
export interface ValidConfig {
  mids: Map<string, MidRuntime>;
  profiles: Map<string, CompiledProfile>;
}

/**
 * Check a configuration and build the run-time merchant accounts and compiled profiles.
 * @throws ConfigError listing every problem with its path.
 */
export function validateConfig(config: unknown): ValidConfig {
  if (!isObj(config)) throw new ConfigError([{ path: '(config)', message: 'must be an object' }]);
  const problems: ConfigProblem[] = [];
  const store = config.store as { write?: unknown } | undefined;
  if (!isObj(store) || typeof store.write !== 'function') {
    problems.push({ path: 'store', message: 'is required: sqliteStore({ path }), postgresStore({ connectionString }) or memoryStore()' });
  }
  const declared = new Set<string>();
  const mids = merchantAccounts(config.merchantAccounts, declared, problems);
  const strategies = strategyNames(config.strategies, problems);
  const profiles = profilesOf(config.profiles, declared, strategies, problems);
  declineRules(config.declineRules, declared, problems);
  options(config, problems);
  problems.push(...vaultProblems(config.vault));
  if (problems.length) throw new ConfigError(problems);
  return { mids, profiles };
}

function merchantAccounts(raw: unknown, declared: Set<string>, problems: ConfigProblem[]): Map<string, MidRuntime> {
  const mids = new Map<string, MidRuntime>();
  if (!Array.isArray(raw) || raw.length === 0)
    problems.push({ path: 'merchantAccounts', message: 'must list at least one merchant account' });
  list(raw).forEach((m, i) => {
    const path = `merchantAccounts[${i}]`;
    const id = isObj(m) ? m.id : undefined;
    if (typeof id === 'string' && id) {
      if (declared.has(id)) problems.push({ path: `${path}.id`, message: `duplicate merchant account id "${id}"` });
      declared.add(id);
    }
    const parsed = merchantAccountSchema.safeParse(m);
    if (!parsed.success) problems.push(...zodProblems(parsed.error, path));
    const a = isObj(m) ? (m.adapter as Record<string, unknown> | undefined) : undefined;
    if (isObj(a)) {
      for (const fn of ADAPTER_METHODS)
        if (typeof a[fn] !== 'function') problems.push({ path: `${path}.adapter`, message: `must implement ${fn}()` });
      if (!isObj(a.capabilities)) problems.push({ path: `${path}.adapter.capabilities`, message: 'is required' });
    }
    if (!parsed.success || !isObj(a) || mids.has(parsed.data.id)) return;
    const d = parsed.data;
    if (d.minAmount !== undefined && d.maxAmount !== undefined && d.minAmount > d.maxAmount) {
      problems.push({ path: `${path}.minAmount`, message: 'must not exceed maxAmount' });
    }
    mids.set(d.id, {
      id: d.id,
      adapter: a as unknown as MidRuntime['adapter'],
      enabled: d.enabled,
      currencies: d.currencies && new Set(d.currencies),
      brands: d.brands && new Set(d.brands.map((b) => canonicalBrand(b)!)),
      minAmount: d.minAmount,
      maxAmount: d.maxAmount,
      caps: d.caps,
      expressConsent: d.expressConsent,
      cancellation: d.cancellation,
      actionLifetimeMs: d.threeDS?.expiresAfterMs,
      merchant: { id: d.id, descriptor: d.descriptor, settings: d.settings },
      tokenScope: d.tokenScope,
      entity: d.entity,
      disputes: d.disputes,
    });
  });
  return mids;
}

/** The strategy names pools may use: the built-in ones and `config.strategies`. */
function strategyNames(raw: unknown, problems: ConfigProblem[]): Set<string> {
  const names = new Set<string>(BUILTIN_STRATEGIES);
  if (raw === undefined) return names;
  if (!isObj(raw)) {
    problems.push({ path: 'strategies', message: 'must be an object of pool strategies by name' });
    return names;
  }
  for (const [name, fn] of Object.entries(raw)) {
    const path = `strategies.${name}`;
    if ((BUILTIN_STRATEGIES as readonly string[]).includes(name))
      problems.push({ path, message: `"${name}" is a built-in strategy; give yours another name` });
    else if (!/^[A-Za-z][\w:.-]*$/.test(name)) problems.push({ path, message: 'must be a strategy name (letters, digits, _ : . -)' });
    else if (typeof fn !== 'function') problems.push({ path, message: 'must be a function (out, pool, random, allowed, env) => void' });
    else names.add(name);
  }
  return names;
}

/** Reference problems of one profile, read from its raw input (so they are found even when its shape is wrong). */
function profileReferences(p: unknown, path: string, declared: ReadonlySet<string>, strategies: ReadonlySet<string>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (!isObj(p)) return out;
  const pools = p.pools;
  if (isObj(pools)) {
    for (const [name, pool] of Object.entries(pools)) {
      const strategy = isObj(pool) ? pool.strategy : undefined;
      if (typeof strategy === 'string' && strategy && !strategies.has(strategy))
        out.push({
          path: `${path}.pools.${name}.strategy`,
          message: `unknown strategy "${strategy}" (built in: ${BUILTIN_STRATEGIES.join(', ')}; add yours with createRouter({ strategies }))`,
        });
      list(isObj(pool) ? pool.members : undefined).forEach((mem, j) => {
        const mid = isObj(mem) ? mem.mid : undefined;
        if (typeof mid === 'string' && mid && !declared.has(mid))
          out.push({ path: `${path}.pools.${name}.members[${j}].mid`, message: `unknown merchant account "${mid}"` });
      });
    }
  }
  const route = (r: unknown, rpath: string) =>
    list(r).forEach((name, j) => {
      if (typeof name === 'string' && name && !own(pools, name)) out.push({ path: `${rpath}[${j}]`, message: `unknown pool "${name}"` });
    });
  route(p.route, `${path}.route`);
  list(p.rules).forEach((r, j) => {
    if (!isObj(r)) return;
    route(r.route, `${path}.rules[${j}].route`);
    list(r.exclude).forEach((mid, k) => {
      if (typeof mid === 'string' && mid && !declared.has(mid))
        out.push({ path: `${path}.rules[${j}].exclude[${k}]`, message: `unknown merchant account "${mid}"` });
    });
  });
  const cascade = p.cascade;
  list(isObj(cascade) ? cascade.on : undefined).forEach((reason, j) => {
    if (!isDeclineReason(reason)) return;
    const info = DECLINE_REASONS[reason];
    const retry: string = info.retry;
    if (info.category === 'hard' || retry === 'never' || retry === 'with_authentication' || reason === 'insufficient_funds') {
      out.push({ path: `${path}.cascade.on[${j}]`, message: `"${reason}" never cascades: another MID cannot change the issuer's answer` });
    }
  });
  return out;
}

function profilesOf(
  raw: unknown,
  declared: ReadonlySet<string>,
  strategies: ReadonlySet<string>,
  problems: ConfigProblem[],
): Map<string, CompiledProfile> {
  const profiles = new Map<string, CompiledProfile>();
  if (!Array.isArray(raw) || raw.length === 0) problems.push({ path: 'profiles', message: 'must list at least one profile' });
  const ids = new Set<string>();
  list(raw).forEach((p, i) => {
    const path = `profiles[${i}]`;
    const id = isObj(p) ? p.id : undefined;
    if (typeof id === 'string' && id) {
      if (ids.has(id)) problems.push({ path: `${path}.id`, message: `duplicate profile id "${id}"` });
      ids.add(id);
    }
    const parsed = profileSchema.safeParse(p);
    if (!parsed.success) problems.push(...zodProblems(parsed.error, path));
    const refs = profileReferences(p, path, declared, strategies);
    problems.push(...refs);
    if (parsed.success && refs.length === 0 && !profiles.has(parsed.data.id)) profiles.set(parsed.data.id, compileProfile(parsed.data));
  });
  return profiles;
}

function declineRules(raw: unknown, declared: ReadonlySet<string>, problems: ConfigProblem[]): void {
  if (raw === undefined) return;
  if (!Array.isArray(raw)) {
    problems.push({ path: 'declineRules', message: 'must be an array of rules ({ code or messageIncludes, reason, gateway?, mid? })' });
    return;
  }
  raw.forEach((r, i) => {
    const path = `declineRules[${i}]`;
    if (!isObj(r)) return problems.push({ path, message: 'must be an object' });
    if (!isDeclineReason(r.reason)) problems.push({ path: `${path}.reason`, message: `unknown decline reason "${String(r.reason)}"` });
    if (r.mid !== undefined && !(typeof r.mid === 'string' && declared.has(r.mid)))
      problems.push({ path: `${path}.mid`, message: `unknown merchant account "${String(r.mid)}"` });
    if (r.code === undefined && r.messageIncludes === undefined) problems.push({ path, message: 'needs code or messageIncludes' });
    return undefined;
  });
}

function options(config: Record<string, unknown>, problems: ConfigProblem[]): void {
  const section = (name: string): Record<string, unknown> => {
    const v = config[name];
    if (v === undefined) return {};
    if (isObj(v)) return v;
    problems.push({ path: name, message: 'must be an object' });
    return {};
  };
  const int = (o: Record<string, unknown>, path: string, k: string) => {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1))
      problems.push({ path: `${path}.${k}`, message: 'must be an integer ≥ 1' });
  };
  const ms = (o: Record<string, unknown>, path: string, k: string) => {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0))
      problems.push({ path: `${path}.${k}`, message: 'must be a positive number of milliseconds' });
  };
  const cb = section('circuit');
  int(cb, 'circuit', 'threshold');
  int(cb, 'circuit', 'merchantThreshold');
  ms(cb, 'circuit', 'cooldownMs');
  const nr = section('networkRules');
  int(nr, 'networkRules', 'visaReattemptLimit');
  int(nr, 'networkRules', 'mastercardDailyDeclineLimit');
  const sr = section('successRate');
  if (sr.cacheTtlMs !== undefined && !(typeof sr.cacheTtlMs === 'number' && Number.isFinite(sr.cacheTtlMs) && sr.cacheTtlMs >= 0))
    problems.push({ path: 'successRate.cacheTtlMs', message: 'must be a number of milliseconds ≥ 0' });
  int(sr, 'successRate', 'maxCachedWindows');
  ms(sr, 'successRate', 'firstReadWaitMs');
  const t = section('timeouts');
  ms(t, 'timeouts', 'attemptMs');
  ms(t, 'timeouts', 'totalMs');
  if (typeof t.attemptMs === 'number' && typeof t.totalMs === 'number' && t.attemptMs > t.totalMs) {
    problems.push({ path: 'timeouts.attemptMs', message: 'must not exceed timeouts.totalMs' });
  }
  for (const k of ['random', 'clock'] as const) {
    if (config[k] !== undefined && typeof config[k] !== 'function') problems.push({ path: k, message: 'must be a function' });
  }
  const dm = section('disputeMonitoring');
  if (dm.timeZone !== undefined && !(typeof dm.timeZone === 'string' && isTimeZone(dm.timeZone)))
    problems.push({ path: 'disputeMonitoring.timeZone', message: 'must be an IANA time zone, e.g. "UTC" or "America/New_York"' });
  ms(dm, 'disputeMonitoring', 'alertWindowMs');
  ms(dm, 'disputeMonitoring', 'pauseRefreshMs');
  for (const k of Object.keys(dm))
    if (!['timeZone', 'alertWindowMs', 'pauseRefreshMs'].includes(k))
      problems.push({ path: `disputeMonitoring.${k}`, message: 'is not an option (timeZone, alertWindowMs, pauseRefreshMs)' });
  const logger = config.logger;
  if (logger !== undefined) {
    const missing = ['debug', 'info', 'warn', 'error'].filter((m) => typeof (logger as Record<string, unknown> | null)?.[m] !== 'function');
    if (missing.length)
      problems.push({ path: 'logger', message: `must have debug, info, warn and error methods (missing: ${missing.join(', ')})` });
  }
  const telemetry = config.telemetry;
  if (telemetry !== undefined && telemetry !== false && !isObj(telemetry))
    problems.push({ path: 'telemetry', message: 'must be false or { meterProvider?, tracerProvider? }' });
  const key = config.fingerprintKey;
  if (key !== undefined && !(typeof key === 'string' && key.length > 0)) {
    problems.push({ path: 'fingerprintKey', message: 'must be a non-empty secret string (or undefined for a key kept in the store)' });
  }
}
