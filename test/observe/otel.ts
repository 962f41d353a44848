/**
 * OpenTelemetry SDK set up for tests: a meter provider whose readings go to the SDK's in-memory
 * metric exporter, a tracer provider whose spans go to the in-memory span exporter, and the
 * AsyncLocalStorage context manager (as an application's SDK setup installs), so attempt spans
 * are children of their operation's span.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** One metric point as the tests read it. */
export interface Point {
  attributes: Record<string, unknown>;
  value: number | Histogram;
}

/** Providers and their in-memory exporters. */
export function otelHarness() {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });

  /** Every metric's points by name, after a flush. */
  async function metrics(): Promise<Map<string, Point[]>> {
    await reader.forceFlush();
    const out = new Map<string, Point[]>();
    const last = metricExporter.getMetrics().at(-1);
    for (const scope of last?.scopeMetrics ?? [])
      for (const m of scope.metrics)
        out.set(
          m.descriptor.name,
          (m.dataPoints as Array<DataPoint<number | Histogram>>).map((p) => ({ attributes: { ...p.attributes }, value: p.value })),
        );
    return out;
  }

  /** The sum of a counter's points whose attributes include `where`. */
  async function count(name: string, where: Record<string, unknown> = {}): Promise<number> {
    const points = (await metrics()).get(name) ?? [];
    return points
      .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
      .reduce((n, p) => n + (typeof p.value === 'number' ? p.value : p.value.count), 0);
  }

  async function close() {
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
    context.disable();
  }
  return { meterProvider, tracerProvider, spanExporter, metricExporter, metrics, count, close };
}
