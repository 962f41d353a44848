/**
 * Metrics and traces through OpenTelemetry, read back with the SDK's in-memory exporters:
 * counters (attempts, approvals, declines by MID and reason, cascades, cap skips, circuit
 * changes), histograms (gateway latency per MID, decision time), a span per operation with a
 * child span per attempt. Telemetry cannot change a result, `telemetry: false` records nothing,
 * and without `@opentelemetry/api` installed nothing is loaded.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { createTelemetry, loadOtelApi } from '../../src/observe/telemetry';
import { createRouter, type RouterConfig, routerContext } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { CARDS, saleRequest } from '../support/router';
import { otelHarness } from './otel';

const ROOT = resolve(__dirname, '../..');

/** Two MIDs in priority order (a declines 05, b approves), a capped third one, cascade on. */
function shop(over: Partial<RouterConfig> = {}) {
  return createRouter({
    merchantAccounts: [
      { id: 'capped', adapter: sandbox({ id: 'capped' }), caps: { daily: { amount: 100 } } },
      { id: 'a', adapter: sandbox({ id: 'a', respond: () => ({ status: 'declined', code: '05', message: 'Do Not Honor' }) }) },
      { id: 'b', adapter: sandbox({ id: 'b' }) },
      { id: 'flaky', adapter: sandbox({ id: 'flaky', respond: () => ({ status: 'error', ambiguous: false, message: 'bad gateway' }) }) },
    ],
    profiles: [
      {
        id: 'default',
        pools: { p: { strategy: 'priority', members: [{ mid: 'capped' }, { mid: 'a' }, { mid: 'b' }] } },
        route: ['p'],
        cascade: { maxAttempts: 3 },
      },
      { id: 'flaky', pools: { p: { strategy: 'priority', members: [{ mid: 'flaky' }] } }, route: ['p'] },
    ],
    store: memoryStore(),
    circuit: { threshold: 1 },
    ...over,
  });
}

describe('OpenTelemetry metrics and spans', () => {
  let otel: ReturnType<typeof otelHarness>;
  beforeEach(() => {
    otel = otelHarness();
  });
  afterEach(async () => {
    await otel.close();
  });

  it('counts attempts, approvals, declines by reason, cascades, cap skips and circuit changes; times gateways and decisions', async () => {
    const router = shop({ telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider } });
    const r = await router.sale(saleRequest());
    expect(r.unwrap().mid).toBe('b');
    await router.sale(saleRequest({ profile: 'flaky' }));

    expect(await otel.count('switchyard.attempts', { 'switchyard.mid': 'a', 'switchyard.outcome': 'declined' })).toBe(1);
    expect(await otel.count('switchyard.attempts', { 'switchyard.mid': 'b', 'switchyard.outcome': 'approved' })).toBe(1);
    expect(await otel.count('switchyard.attempts', { 'switchyard.mid': 'flaky', 'switchyard.outcome': 'error' })).toBe(1);
    expect(await otel.count('switchyard.approvals', { 'switchyard.mid': 'b', 'switchyard.operation': 'sale' })).toBe(1);
    expect(await otel.count('switchyard.declines', { 'switchyard.mid': 'a', 'switchyard.decline_reason': 'do_not_honor' })).toBe(1);
    expect(await otel.count('switchyard.cascades', { 'switchyard.mid': 'a', 'switchyard.reason': 'do_not_honor' })).toBe(1);
    expect(await otel.count('switchyard.cap_skips', { 'switchyard.mid': 'capped' })).toBe(1);
    expect(await otel.count('switchyard.circuit_changes', { 'switchyard.mid': 'flaky', 'switchyard.state': 'open' })).toBe(1);
    // Histograms: one gateway call per MID tried, one decision per routed payment.
    expect(await otel.count('switchyard.gateway.duration', { 'switchyard.mid': 'a' })).toBe(1);
    expect(await otel.count('switchyard.gateway.duration', { 'switchyard.mid': 'b' })).toBe(1);
    expect(await otel.count('switchyard.gateway.duration', { 'switchyard.mid': 'capped' })).toBe(0);
    expect(await otel.count('switchyard.decision.duration', { 'switchyard.operation': 'sale' })).toBe(2);
    const units = new Map(
      otel.metricExporter
        .getMetrics()
        .at(-1)!
        .scopeMetrics.flatMap((s) => s.metrics.map((m) => [m.descriptor.name, m.descriptor.unit])),
    );
    expect(units.get('switchyard.gateway.duration')).toBe('ms');

    const spans = otel.spanExporter.getFinishedSpans();
    const sale = spans.find((s) => s.name === 'switchyard.sale' && s.attributes['switchyard.outcome'] === 'approved')!;
    expect(sale.attributes).toMatchObject({ 'switchyard.mid': 'b', 'switchyard.transaction_id': r.unwrap().transactionId });
    const children = spans.filter((s) => s.name === 'switchyard.attempt' && s.parentSpanContext?.spanId === sale.spanContext().spanId);
    expect(children.map((s) => [s.attributes['switchyard.mid'], s.attributes['switchyard.outcome']])).toEqual([
      ['a', 'declined'],
      ['b', 'approved'],
    ]);
    expect(children[0].attributes['switchyard.decline_reason']).toBe('do_not_honor');
    const flaky = spans.find((s) => s.name === 'switchyard.attempt' && s.attributes['switchyard.mid'] === 'flaky')!;
    expect(flaky.status.code).toBe(2); // ERROR
  });

  it('uses the global providers by default, and records nothing with telemetry: false', async () => {
    const { metrics, trace } = await import('@opentelemetry/api');
    metrics.setGlobalMeterProvider(otel.meterProvider);
    trace.setGlobalTracerProvider(otel.tracerProvider);
    try {
      await shop({ telemetry: false }).sale(saleRequest());
      expect(await otel.count('switchyard.attempts')).toBe(0);
      expect(otel.spanExporter.getFinishedSpans()).toEqual([]);
      await shop().sale(saleRequest());
      expect(await otel.count('switchyard.attempts')).toBe(2);
      expect(otel.spanExporter.getFinishedSpans().map((s) => s.name)).toContain('switchyard.sale');
    } finally {
      metrics.disable();
      trace.disable();
    }
  });

  it('with the API installed but no SDK registered, records and builds nothing: no event reaches a tap nobody reads', async () => {
    const { metrics, trace } = await import('@opentelemetry/api');
    metrics.disable();
    trace.disable();
    expect(createTelemetry(undefined)).toBeUndefined();
    const idle = shop();
    expect(routerContext(idle).events.has('cascade')).toBe(false);
    expect((await idle.sale(saleRequest())).isOk()).toBe(true);
    // Given providers, or global ones registered before the router, are used.
    expect(createTelemetry({ meterProvider: otel.meterProvider })).toBeDefined();
    expect(routerContext(shop({ telemetry: { tracerProvider: otel.tracerProvider } })).events.has('cascade')).toBe(true);
    trace.setGlobalTracerProvider(otel.tracerProvider);
    try {
      expect(createTelemetry(undefined)).toBeDefined();
    } finally {
      trace.disable();
    }
  });

  it('a meter or tracer that throws changes no result', async () => {
    const broken = {
      getMeter: () => ({
        createCounter: () => ({
          add: () => {
            throw new Error('meter down');
          },
        }),
        createHistogram: () => ({
          record: () => {
            throw new Error('meter down');
          },
        }),
      }),
    };
    const brokenTracer = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('tracer down');
        },
      }),
    };
    const plain = await shop({ telemetry: false, random: () => 0.5 }).sale(saleRequest({ idempotencyKey: 'same' }));
    const observed = await shop({ telemetry: { meterProvider: broken, tracerProvider: brokenTracer }, random: () => 0.5 }).sale(
      saleRequest({ idempotencyKey: 'same' }),
    );
    const shape = (r: typeof plain) => ({
      ok: r.isOk(),
      mid: r.isOk() && r.value.mid,
      attempts: r.unwrap().attempts.map((a) => [a.mid, a.outcome]),
    });
    expect(shape(observed)).toEqual(shape(plain));
  });

  it('no card number or CVC in any metric attribute or span', async () => {
    const echo = sandbox({
      id: 'echo',
      respond: (req) => ({ status: 'declined', code: '05', message: `card ${req.card?.number} cvc ${req.card?.cvc}` }),
    });
    const router = createRouter({
      merchantAccounts: [{ id: 'echo', adapter: echo }],
      profiles: [{ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'echo' }] } }, route: ['p'] }],
      store: memoryStore(),
      telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider },
    });
    await router.sale(
      saleRequest({ number: CARDS.mastercard, card: { number: CARDS.mastercard, expMonth: 1, expYear: 2031, cvc: '731' } }),
    );
    const all =
      JSON.stringify([...(await otel.metrics()).entries()]) +
      JSON.stringify(otel.spanExporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.events]));
    expect(all).toContain('switchyard.attempt');
    expect(all).not.toMatch(/5555\D{0,3}5555\D{0,3}5555\D{0,3}4444/);
    expect(all).not.toMatch(/(?<!\d)731(?!\d)/);
  });
});

describe('without @opentelemetry/api installed', () => {
  it('loads nothing, and the router works', () => {
    const out = execFileSync(
      process.execPath,
      ['--require', './test/observe/fixtures/hide-otel.cjs', '--import', 'tsx', 'test/observe/fixtures/without-otel.ts'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual({ ok: true, mid: 'm', resolvedAtImport: false, otelLoaded: false, apiFound: false });
  }, 30_000);

  it('loadOtelApi answers undefined for a missing or broken package', () => {
    expect(
      loadOtelApi(() => {
        throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
      }),
    ).toBeUndefined();
    expect(loadOtelApi(() => ({}))).toBeUndefined();
    expect(loadOtelApi()).toBeDefined();
  });
});
