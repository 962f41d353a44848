/**
 * `normalizeDecline`: one standard reason for any gateway's "no".
 * Order: user overrides → the gateway's own table → ISO 8583 (where the gateway passes
 * network codes through) → the message classifier → `generic_decline`. Merchant advice
 * (Mastercard MAC, Stripe `advice_code`) is applied last and can only make a decline stricter,
 * except MAC 01 which names `new_account_information`.
 * @module
 */
import { DECLINE_REASONS, type DeclineReason, type NormalizedDecline } from './reasons';
import { ISO8583_CODES } from './iso8583';
import { classifyDeclineMessage } from './classifier';
import { BUILTIN_DECLINE_TABLES, type GatewayDeclineTable } from './tables';

/** What a gateway said when it declined. */
export interface DeclineInput {
  /** Adapter id (`stripe`, `nmi`, …) or `iso8583` for bare network response codes. */
  gateway: string;
  code?: string | number;
  message?: string;
  /** Mastercard Merchant Advice Code (`03`, `21`, `24`…) or Stripe `advice_code`. */
  advice?: string;
}

/** A user's decline mapping rule, like a CRM's "decline message mapping". */
export interface DeclineRule {
  gateway?: string;
  mid?: string;
  code?: string;
  /** Case-insensitive substring of the gateway's message. */
  messageIncludes?: string;
  reason: DeclineReason;
}

/** Options for `normalizeDecline` used by the router. */
export interface NormalizeOptions {
  /** User overrides, checked first. */
  rules?: readonly DeclineRule[];
  /** The MID the decline came from, for MID-scoped overrides. */
  mid?: string;
  /** A table for a gateway that Switchyard does not ship (custom adapters). */
  table?: GatewayDeclineTable;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Mastercard MAC 24–30: minimum delay before the retry (Authorization Optimizer program). */
export const MAC_RETRY_DELAYS_MS: Readonly<Record<string, number>> = {
  '24': HOUR, '25': DAY, '26': 2 * DAY, '27': 4 * DAY, '28': 6 * DAY, '29': 8 * DAY, '30': 10 * DAY,
};
const NEVER_ADVICE = new Set(['03', '3', '21', 'do_not_try_again']);

function asString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function lookupCode(codes: Readonly<Record<string, DeclineReason>>, code: string): DeclineReason | undefined {
  return Object.prototype.hasOwnProperty.call(codes, code)
    ? codes[code]
    : Object.prototype.hasOwnProperty.call(codes, code.toUpperCase())
      ? codes[code.toUpperCase()]
      : undefined;
}

function isoRow(code: string | undefined) {
  if (!code) return undefined;
  const c = code.toUpperCase();
  return Object.prototype.hasOwnProperty.call(ISO8583_CODES, c) ? ISO8583_CODES[c] : undefined;
}

/**
 * Map a gateway decline to a standard reason with its retry and cascade defaults. Never throws.
 * @example
 * normalizeDecline({ gateway: 'iso8583', code: '51' }).reason        // 'insufficient_funds'
 * normalizeDecline({ gateway: 'nmi', message: 'Pick up card - L/S' }).retry // 'never'
 */
export function normalizeDecline(input: DeclineInput, options: NormalizeOptions = {}): NormalizedDecline {
  const gateway = asString(input?.gateway) ?? 'unknown';
  const code = asString(input?.code);
  const message = typeof input?.message === 'string' ? input.message : asString(input?.message);
  const advice = asString(input?.advice);
  const raw = { gateway, ...(code !== undefined && { code }), ...(message !== undefined && { message }), ...(advice !== undefined && { advice }) };

  let reason: DeclineReason | undefined;
  let source: NormalizedDecline['source'] = 'fallback';
  let networkCategory: 1 | 2 | 3 | 4 | undefined;

  for (const rule of options.rules ?? []) {
    if (rule.gateway !== undefined && rule.gateway !== gateway) continue;
    if (rule.mid !== undefined && rule.mid !== options.mid) continue;
    if (rule.code !== undefined && rule.code !== code) continue;
    if (rule.messageIncludes !== undefined && !(message ?? '').toLowerCase().includes(rule.messageIncludes.toLowerCase())) continue;
    reason = rule.reason;
    source = 'override';
    break;
  }

  const table = options.table?.gateway === gateway ? options.table : BUILTIN_DECLINE_TABLES.get(gateway);
  if (!reason && code && table) {
    reason = lookupCode(table.codes, code);
    if (reason) source = 'gateway';
  }
  if (!reason) {
    let iso: string | undefined;
    try {
      iso = gateway === 'iso8583' ? code : table?.isoCode?.({ code, message });
    } catch {
      iso = undefined;
    }
    const row = isoRow(iso);
    if (row) {
      reason = row.reason;
      networkCategory = row.visaCategory;
      source = 'iso8583';
    }
  }
  if (!reason) {
    reason = classifyDeclineMessage(message);
    if (reason) source = 'message';
  }
  if (!reason) reason = 'generic_decline';

  const info = DECLINE_REASONS[reason];
  const result: NormalizedDecline = {
    reason,
    category: info.category,
    retry: info.retry,
    cascade: info.cascade,
    networkCategory: networkCategory ?? info.visaCategory,
    raw,
    source,
  };
  if (advice) applyAdvice(result, advice);
  return result;
}

function applyAdvice(result: NormalizedDecline, advice: string): void {
  const a = advice.toLowerCase().padStart(advice.length === 1 && /\d/.test(advice) ? 2 : advice.length, '0');
  if (NEVER_ADVICE.has(a)) {
    result.retry = 'never';
    result.cascade = false;
    result.category = 'hard';
    if (result.reason === 'generic_decline' || result.reason === 'do_not_honor') {
      result.reason = a === '21' ? 'revocation_of_authorization' : 'do_not_retry';
    }
    return;
  }
  if (a === '01' || a === 'confirm_card_data') {
    if (a === '01') result.reason = 'new_account_information';
    result.retry = 'after_update';
    result.cascade = false;
    return;
  }
  const delay = MAC_RETRY_DELAYS_MS[a];
  if (delay !== undefined) {
    result.retryDelayMs = delay;
    if (result.retry !== 'never') result.retry = 'later';
  }
}
