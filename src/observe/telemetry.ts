/**
 * OpenTelemetry instruments of the router, through `@opentelemetry/api` when it is installed (an
 * optional peer dependency, loaded when a router is created, never at import). Counters:
 * attempts, approvals, declines (by MID and reason), cascades, cap skips, circuit changes;
 * histograms: gateway latency per MID and decision time; a span per operation and per attempt.
 * Attributes are ids, MIDs, gateways, operations, outcomes and reasons: never card data.
 * @module
 */
import type * as Otel from '@opentelemetry/api';
import { loadOptional } from '../store/optional';
import type { TelemetryOption } from './types';

/** Name and version the router's meter and tracer report. */
export const INSTRUMENTATION_SCOPE = { name: 'switchyard', version: '0.1.0' } as const;

/** The router's instruments. */
export interface Telemetry {
  readonly api: typeof Otel;
  readonly tracer: Otel.Tracer;
  readonly attempts: Otel.Counter;
  readonly approvals: Otel.Counter;
  readonly declines: Otel.Counter;
  readonly cascades: Otel.Counter;
  readonly capSkips: Otel.Counter;
  readonly circuitChanges: Otel.Counter;
  readonly gatewayDuration: Otel.Histogram;
  readonly decisionDuration: Otel.Histogram;
}

/** `@opentelemetry/api`, or undefined when it is not installed (or cannot be loaded). */
export function loadOtelApi(load: (name: string) => unknown = (n) => loadOptional(n, 'telemetry')): typeof Otel | undefined {
  try {
    const api = load('@opentelemetry/api') as typeof Otel;
    return typeof api?.metrics?.getMeter === 'function' && typeof api.trace?.getTracer === 'function' ? api : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The instruments for a router, or undefined when telemetry is off or unavailable: turned off,
 * `@opentelemetry/api` not installed, or no SDK registered when the router is created (start the
 * OpenTelemetry SDK first, as its Node setup does, or pass `meterProvider` / `tracerProvider`).
 */
export function createTelemetry(
  option: TelemetryOption | undefined,
  api = option === false ? undefined : loadOtelApi(),
): Telemetry | undefined {
  if (option === false || !api) return undefined;
  const { name, version } = INSTRUMENTATION_SCOPE;
  const meter = ((option?.meterProvider as Otel.MeterProvider | undefined) ?? api.metrics).getMeter(name, version);
  const tracer = ((option?.tracerProvider as Otel.TracerProvider | undefined) ?? api.trace).getTracer(name, version);
  // No SDK registered and none given: the API's no-op meter, and a tracer still waiting for a
  // provider. Everything recorded would be dropped, so observe nothing and pay nothing.
  if (meter === api.createNoopMeter?.() && api.ProxyTracer && tracer instanceof api.ProxyTracer) return undefined;
  const counter = (n: string, description: string) => meter.createCounter(`switchyard.${n}`, { description });
  return {
    api,
    tracer,
    attempts: counter('attempts', 'Gateway attempts, by MID, gateway, operation and outcome'),
    approvals: counter('approvals', 'Approved attempts, by MID, gateway and operation'),
    declines: counter('declines', 'Declined attempts, by MID, gateway and standard decline reason'),
    cascades: counter('cascades', 'Moves to the next MID after a soft decline or a clean error, by MID left and reason'),
    capSkips: counter('cap_skips', 'MIDs skipped because a volume cap had no room, by MID'),
    circuitChanges: counter('circuit_changes', 'Circuit breaker changes, by MID and state (open, closed)'),
    gatewayDuration: meter.createHistogram('switchyard.gateway.duration', {
      description: 'Time of one gateway call (resends and lookups of an unclear answer included), by MID',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000] },
    }),
    decisionDuration: meter.createHistogram('switchyard.decision.duration', {
      description: 'Time to decide the route of a payment (rules, eligibility, pool order)',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    }),
  };
}
