/** Measuring helpers: tinybench tasks reduced to the figures the report keeps (µs, ops/s). */
import { Bench } from 'tinybench';

/** Latency and throughput of one measured function. */
export interface Figures {
  p50us: number;
  p99us: number;
  meanUs: number;
  opsPerSec: number;
  samples: number;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** Measure `fn` (sync or async) for about `timeMs`, after a warm-up. */
export async function measure(name: string, fn: () => unknown, timeMs = 3_000): Promise<Figures> {
  const bench = new Bench({ name, time: timeMs, warmupTime: Math.min(1_000, timeMs / 3), throws: true });
  bench.add(name, fn as () => void);
  await bench.run();
  const r = bench.tasks[0].result!;
  if (!r || !('latency' in r)) throw new Error(`benchmark ${name} produced no result`);
  return {
    p50us: round(r.latency.p50! * 1000),
    p99us: round(r.latency.p99! * 1000),
    meanUs: round(r.latency.mean * 1000),
    opsPerSec: Math.round(r.throughput.mean),
    samples: r.latency.samples.length,
  };
}

/** Heap in use after a full collection (run node with --expose-gc). */
export function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}
