/**
 * Log lines of the router: one per attempt (ids, MID, outcome, reason, duration), one per state
 * change, one per operation, and one per event that says something an operator acts on. A
 * logger that throws is ignored (a warning once), so it can never break a payment.
 * @module
 */
import { redact } from '../card/redact';
import type { Logger } from './types';

/** Log levels the router uses. */
export type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * An e-mail with the local part hidden, for lines above debug.
 * @example
 * maskEmail('ada.lovelace@example.com') // 'a***@example.com'
 */
export function maskEmail(email: string | undefined): string | undefined {
  if (email === undefined) return undefined;
  const at = email.lastIndexOf('@');
  return at > 0 ? `${email[0]}***${email.slice(at)}` : '***';
}

/** Drop undefined fields (pino prints them; they say nothing). */
function compact(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out;
}

/** A safe writer over a user's logger. */
export class LogWriter {
  private warned = false;
  constructor(private readonly logger: Logger) {}

  /** Write one line; `msg` and string fields are redacted (gateway text may echo a card). */
  write(level: Level, obj: Record<string, unknown>, msg: string): void {
    try {
      const fields = compact(obj);
      for (const [k, v] of Object.entries(fields)) if (typeof v === 'string') fields[k] = redact(v);
      this.logger[level](fields, redact(msg));
    } catch (e) {
      if (this.warned) return;
      this.warned = true;
      let why = 'an error';
      try {
        why = redact(e instanceof Error ? e.message : String(e)).slice(0, 200);
      } catch {
        // an unprintable error
      }
      process.emitWarning(`switchyard: the logger threw (${why}); further logger errors are ignored`, { code: 'SWITCHYARD_LOGGER' });
    }
  }
}

/** Level and message of a router event's line, or undefined for events other lines already tell. */
export function eventLine(name: string, p: Record<string, unknown>): { level: Level; msg: string } | undefined {
  switch (name) {
    case 'rejected':
      return { level: 'info', msg: `${p.operation} rejected: ${p.rejection}` };
    case 'replayed':
      return { level: 'debug', msg: `${p.operation} replayed from its idempotency record` };
    case 'cascade':
      return { level: 'info', msg: `cascade from ${p.fromMid} (${p.reason})` };
    case 'ambiguous':
      return { level: 'warn', msg: `outcome unknown on ${p.mid}: recorded for reconciliation` };
    case 'cap:reached':
      return { level: 'info', msg: `${p.mid} ${p.window} cap reached (${p.key})` };
    case 'circuit:open':
      return { level: 'warn', msg: `circuit of ${p.mid} opened after ${p.failures} failures` };
    case 'circuit:close':
      return { level: 'info', msg: `circuit of ${p.mid} closed` };
    case 'mid:disabled':
      return { level: 'error', msg: `${p.mid} disabled: its gateway refused the merchant account ${p.failures} times` };
    case 'reconciled':
      return { level: 'info', msg: `reconciled ${p.operation} attempt on ${p.mid}: ${p.outcome}` };
    case 'pin:created':
      return { level: 'info', msg: `subscription ${p.subscriptionId} pinned to ${p.mid}` };
    case 'pin:moved':
      return { level: 'info', msg: `subscription ${p.subscriptionId} moved from ${p.fromMid} to ${p.toMid}` };
    case 'hold:released':
      return { level: 'info', msg: `verification hold on ${p.mid} released` };
    case 'hold:release_failed':
      return { level: 'warn', msg: `verification hold on ${p.mid} not released yet` };
    case 'subscription:revoked':
      return { level: 'warn', msg: `subscription ${p.subscriptionId} revoked by the issuer (${p.reason})` };
    case 'error':
      return { level: 'error', msg: `${p.source} problem: ${p.message}` };
    default:
      return undefined;
  }
}

/** The fields of an event's line: ids and facts, never nested payloads (attempt lists, actions). */
export function eventFields(name: string, p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { event: name };
  for (const [k, v] of Object.entries(p)) if (v === null || typeof v !== 'object') out[k] = v;
  return out;
}
