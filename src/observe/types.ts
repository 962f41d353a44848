/**
 * What the router tells an operator while it works: the `Logger` shape it writes to (pino's; the
 * console fits), the telemetry option, and the internal `Observer` that the attempt loop,
 * settlement and operations report to. An observer never changes a result and never throws.
 * @module
 */
import type { AttemptRecord, TransactionRecord, TransactionStatus } from '../store/types';
import type { Operation } from '../types';
import type { RouterResult } from '../transaction/results';

/** One log method: a structured object first, then the message (pino's order). */
export type LogMethod = (obj: Record<string, unknown>, msg?: string) => unknown;

/**
 * Any logger with `debug`, `info`, `warn` and `error` taking `(obj, msg)`: pino, or `console`.
 * Lines carry ids, MIDs, outcomes, reasons and durations; never a PAN, CVC or secret. Full
 * e-mail addresses appear in `debug` lines only (other levels show `a***@example.com`).
 * @example
 * createRouter({ ..., logger: pino({ level: 'info' }) });
 */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

/**
 * OpenTelemetry metrics and traces. With `@opentelemetry/api` installed (an optional peer
 * dependency) the router records them through the global providers by default; give providers
 * to use others, or `false` to record nothing. Without the package nothing is loaded.
 */
export type TelemetryOption =
  | false
  | {
      /** A `MeterProvider` (default: the global one of `@opentelemetry/api`). */
      meterProvider?: { getMeter(name: string, version?: string): unknown } | undefined;
      /** A `TracerProvider` (default: the global one). */
      tracerProvider?: { getTracer(name: string, version?: string): unknown } | undefined;
    };

/** Facts of an attempt about to call its gateway. */
export interface AttemptStart {
  transactionId: string;
  attemptId: string;
  mid: string;
  gateway: string;
  operation: Operation;
  amount: number;
  currency: string;
  /** Card as BIN + last four. */
  maskedCard?: string | undefined;
  orderId?: string | undefined;
  email?: string | undefined;
}

/** One attempt's gateway call, watched from before the call to its settlement. */
export interface AttemptWatch {
  /** The gateway answered (or the call ended): gateway latency and the answer's status. */
  answered(status: string): void;
  /** The attempt's story ended: `outcome` is its status, or `ambiguous` / `unrecorded`. */
  end(outcome: string, reason?: string | undefined): void;
}

/** An applied settlement, as the observer hears of it. */
export interface SettledInfo {
  /** The transaction before and after. */
  before: TransactionRecord;
  after: TransactionRecord;
  /** The attempt as settled. */
  attempt: AttemptRecord;
  via?: 'live' | 'reconciliation' | 'notification' | undefined;
}

/** What the router reports to while it works (logs, metrics, traces). Never throws. */
export interface Observer {
  /** An operation (sale, refund…): a span around it and a line with its result and duration. */
  operation(operation: Operation, run: () => Promise<RouterResult>): Promise<RouterResult>;
  /** A router event (every `ROUTER_EVENTS` name), with its payload. */
  event(name: string, payload: unknown): void;
  /** The route was decided in `ms`. */
  decided(info: { profile: string; operation: Operation; ms: number; candidates: number }): void;
  /** A gateway call is about to start. */
  attempt(info: AttemptStart): AttemptWatch;
  /** The attempt loop passed a MID over. */
  skipped(info: { transactionId: string; mid: string; reason: string }): void;
  /** Settlement applied an outcome. */
  settled(info: SettledInfo): void;
  /** A transaction moved without an attempt settling (a follow-up opened, the loop finished). */
  stateChanged(info: { transactionId: string; from: TransactionStatus; to: TransactionStatus; mid?: string | undefined }): void;
}
