/**
 * The router's observer: turns what the attempt loop, settlement and operations report into log
 * lines (through `LogWriter`) and OpenTelemetry metrics and spans (when available). Every entry
 * point is guarded: whatever a logger, meter or tracer throws is swallowed, so observing can
 * never change or break a result.
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { RouterResult } from '../transaction/results';
import type { Operation } from '../types';
import { eventFields, eventLine, type Level, LogWriter, maskEmail } from './log';
import { createTelemetry, type Telemetry } from './telemetry';
import type { AttemptStart, AttemptWatch, Logger, Observer, SettledInfo, TelemetryOption } from './types';

/** Run `fn`, ignoring anything it throws. */
function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // observing never breaks a payment
  }
}

/** Milliseconds to a tenth: enough for a log line, and no three-digit fraction that reads like a CVC. */
const tenths = (ms: number) => Math.round(ms * 10) / 10;

const NO_WATCH: AttemptWatch = { answered() {}, end() {} };

/** Attributes of a span or metric: strings, numbers and booleans only, undefined dropped. */
type Attributes = Record<string, string | number | boolean>;
function attrs(o: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

/** Options of `createObserver`. */
export interface ObserverOptions {
  logger?: Logger | undefined;
  telemetry?: TelemetryOption | undefined;
  /** Loaded instruments (tests); default: from `telemetry`. */
  instruments?: Telemetry | undefined;
}

/**
 * An observer writing to a logger and to OpenTelemetry. With neither, every method is a no-op
 * costing one function call.
 */
export function createObserver(o: ObserverOptions = {}): Observer {
  const log = o.logger ? new LogWriter(o.logger) : undefined;
  const t = o.instruments ?? createTelemetry(o.telemetry);
  if (!log && !t) return NOOP_OBSERVER;
  const write = (level: Level, obj: Record<string, unknown>, msg: string) => log?.write(level, obj, msg);

  return {
    async operation(operation: Operation, run: () => Promise<RouterResult>): Promise<RouterResult> {
      const started = performance.now();
      const finish = (r: RouterResult) =>
        quietly(() => {
          const durationMs = tenths(performance.now() - started);
          const fields = r.isOk()
            ? { operation, transactionId: r.value.transactionId, mid: r.value.mid, outcome: 'approved', durationMs }
            : {
                operation,
                transactionId: r.error.transactionId,
                outcome: r.error.kind,
                reason: r.error.kind === 'declined' ? r.error.decline.reason : r.error.kind === 'rejected' ? r.error.rejection : undefined,
                replayed: r.error.replayed,
                durationMs,
              };
          write(
            r.isOk() || r.error.kind === 'declined' || r.error.kind === 'rejected' ? 'info' : 'warn',
            fields,
            `${operation} ${fields.outcome}`,
          );
        });
      if (!t) {
        const r = await run();
        finish(r);
        return r;
      }
      let span: ReturnType<Telemetry['tracer']['startSpan']> | undefined;
      let ctx: unknown;
      quietly(() => {
        span = t.tracer.startSpan(`switchyard.${operation}`, { attributes: { 'switchyard.operation': operation } });
        ctx = t.api.trace.setSpan(t.api.context.active(), span);
      });
      const r = ctx ? await t.api.context.with(ctx as Parameters<typeof t.api.context.with>[0], run) : await run();
      quietly(() => {
        if (!span) return;
        span.setAttributes(
          attrs({
            'switchyard.outcome': r.isOk() ? 'approved' : r.error.kind,
            'switchyard.transaction_id': r.isOk() ? r.value.transactionId : r.error.transactionId,
            'switchyard.mid': r.isOk() ? r.value.mid : undefined,
            'switchyard.decline_reason': r.isErr() && r.error.kind === 'declined' ? r.error.decline.reason : undefined,
          }),
        );
        if (r.isErr() && r.error.kind === 'error') span.setStatus({ code: t.api.SpanStatusCode.ERROR, message: 'gateway or store error' });
        span.end();
      });
      finish(r);
      return r;
    },

    event(name, payload) {
      quietly(() => {
        const p = (payload ?? {}) as Record<string, unknown>;
        const line = eventLine(name, p);
        if (line) write(line.level, eventFields(name, p), line.msg);
        if (!t) return;
        if (name === 'cascade') t.cascades.add(1, attrs({ 'switchyard.mid': p.fromMid, 'switchyard.reason': p.reason }));
        else if (name === 'circuit:open' || name === 'circuit:close')
          t.circuitChanges.add(1, attrs({ 'switchyard.mid': p.mid, 'switchyard.state': name === 'circuit:open' ? 'open' : 'closed' }));
        else if (name === 'ambiguous')
          t.attempts.add(1, attrs({ 'switchyard.mid': p.mid, 'switchyard.gateway': p.gateway, 'switchyard.outcome': 'ambiguous' }));
      });
    },

    decided(info) {
      quietly(() => {
        write('debug', { ...info, ms: tenths(info.ms) }, `route decided: ${info.candidates} candidate(s)`);
        t?.decisionDuration.record(info.ms, attrs({ 'switchyard.profile': info.profile, 'switchyard.operation': info.operation }));
      });
    },

    attempt(info: AttemptStart): AttemptWatch {
      const started = performance.now();
      let answeredAt: number | undefined;
      let span: ReturnType<Telemetry['tracer']['startSpan']> | undefined;
      const base = { 'switchyard.mid': info.mid, 'switchyard.gateway': info.gateway, 'switchyard.operation': info.operation };
      quietly(() => {
        const { email, ...rest } = info;
        write('debug', { ...rest, email }, `${info.operation} attempt on ${info.mid}`);
        span = t?.tracer.startSpan('switchyard.attempt', {
          attributes: attrs({ ...base, 'switchyard.transaction_id': info.transactionId, 'switchyard.attempt_id': info.attemptId }),
        });
      });
      if (!t && !log) return NO_WATCH;
      return {
        answered(status) {
          quietly(() => {
            answeredAt ??= performance.now();
            t?.gatewayDuration.record(answeredAt - started, attrs({ ...base, 'switchyard.answer': status }));
          });
        },
        end(outcome, reason) {
          quietly(() => {
            if (!span) return;
            span.setAttributes(attrs({ 'switchyard.outcome': outcome, 'switchyard.decline_reason': reason }));
            if (outcome === 'error' || outcome === 'ambiguous' || outcome === 'unrecorded')
              span.setStatus({ code: t!.api.SpanStatusCode.ERROR, message: outcome });
            span.end();
            span = undefined;
          });
        },
      };
    },

    skipped(info) {
      quietly(() => {
        write('info', info, `${info.mid} skipped: ${info.reason}`);
        if (info.reason === 'cap reached') t?.capSkips.add(1, attrs({ 'switchyard.mid': info.mid }));
      });
    },

    settled({ before, after, attempt, via }: SettledInfo) {
      quietly(() => {
        const durationMs = (attempt.settledAt ?? attempt.startedAt) - attempt.startedAt;
        const outcome = attempt.status;
        write(
          outcome === 'error' ? 'warn' : 'info',
          {
            transactionId: attempt.transactionId,
            attemptId: attempt.id,
            orderId: after.orderId,
            email: maskEmail(after.customer?.email),
            mid: attempt.mid,
            gateway: attempt.gateway,
            operation: attempt.operation,
            outcome,
            reason: attempt.reason,
            code: attempt.code,
            message: outcome === 'approved' ? undefined : attempt.message,
            amount: attempt.amount,
            currency: attempt.currency,
            durationMs,
            via,
          },
          `${attempt.operation} attempt on ${attempt.mid}: ${outcome}${attempt.reason ? ` (${attempt.reason})` : ''}`,
        );
        if (before.status !== after.status)
          write(
            'info',
            { transactionId: after.id, from: before.status, to: after.status, mid: after.mid ?? attempt.mid },
            `transaction ${after.id}: ${before.status} → ${after.status}`,
          );
        if (!t) return;
        const a = { 'switchyard.mid': attempt.mid, 'switchyard.gateway': attempt.gateway, 'switchyard.operation': attempt.operation };
        t.attempts.add(1, { ...a, 'switchyard.outcome': outcome });
        if (outcome === 'approved' || outcome === 'held' || outcome === 'accepted') t.approvals.add(1, a);
        if (outcome === 'declined')
          t.declines.add(
            1,
            attrs({ ...a, 'switchyard.decline_reason': attempt.reason, 'switchyard.decline_category': attempt.decline?.category }),
          );
      });
    },

    stateChanged(info) {
      quietly(() => write('info', info, `transaction ${info.transactionId}: ${info.from} → ${info.to}`));
    },
  };
}

/** The observer of a router without logger or telemetry. */
export const NOOP_OBSERVER: Observer = {
  operation: (_op, run) => run(),
  event() {},
  decided() {},
  attempt: () => NO_WATCH,
  skipped() {},
  settled() {},
  stateChanged() {},
};
