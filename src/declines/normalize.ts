/**
 * `normalizeDecline`: one standard reason for any gateway's "no".
 * Order: user overrides → the gateway's own codes, then its fixed refusal texts → ISO 8583
 * (where the gateway passes network codes through) → the message classifier → the gateway's
 * code families (e.g. Checkout.com 30xxx = hard) → `generic_decline`. When that reason says
 * nothing specific (`generic_decline`, `do_not_honor`), a failed CVV or AVS check the gateway
 * reported names it (`incorrect_cvc`, `incorrect_address`). A pick-up answer that names its
 * cause keeps the cause and is never retried. Merchant advice
 * (Mastercard MAC, Stripe `advice_code`) is applied last and can only make a decline stricter:
 * MAC 03/21 and `do_not_try_again` force `retry: 'never'`, MAC 01 names
 * `new_account_information`, MAC 24–30 set the earliest retry (`retryDelayMs`).
 * @module
 */
import { DECLINE_REASONS, isDeclineReason, type DeclineReason, type DeclineReasonInfo, type NormalizedDecline } from './reasons';
import { isoCodeRow } from './iso8583';
import { classifyDeclineMessage, isPickUpMessage } from './classifier';
import type { GatewayDeclineTable } from './tables';

/** What a gateway said when it declined. */
export interface DeclineInput {
  /** Adapter id (`stripe`, `nmi`, …) or `iso8583` for bare network response codes. */
  gateway: string;
  code?: string | number | undefined;
  message?: string | undefined;
  /** Mastercard Merchant Advice Code (`03`, `21`, `24`…) or Stripe `advice_code`. */
  advice?: string | undefined;
  /**
   * The CVV/CVC check result the gateway reported on the declined attempt (`N`, Stripe `fail`,
   * Adyen `2 Does not match`). Used only when the code and text say nothing specific.
   */
  cvvResult?: string | undefined;
  /** The AVS result the gateway reported (`N`, Stripe `fail`…); used like `cvvResult`, after it. */
  avsResult?: string | undefined;
}

/** A user's decline mapping rule, like a CRM's "decline message mapping". */
export interface DeclineRule {
  gateway?: string | undefined;
  mid?: string | undefined;
  code?: string | undefined;
  /** Case-insensitive substring of the gateway's message. */
  messageIncludes?: string | undefined;
  reason: DeclineReason;
}

/** Options for `normalizeDecline` used by the router. */
export interface NormalizeOptions {
  /** User overrides, checked first. */
  rules?: readonly DeclineRule[] | undefined;
  /** The MID the decline came from, for MID-scoped overrides. */
  mid?: string | undefined;
  /** The table of the adapter that declined (`GatewayAdapter.declineTable`), used when its `gateway` matches. */
  table?: GatewayDeclineTable | undefined;
  /** Tables by gateway id, consulted when `table` does not match (the package's public `normalizeDecline` passes the shipped ones). */
  tables?: ReadonlyMap<string, GatewayDeclineTable> | undefined;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Mastercard MAC 24–30: minimum delay before the retry (Authorization Optimizer program). */
export const MAC_RETRY_DELAYS_MS: Readonly<Record<string, number>> = {
  '24': HOUR,
  '25': DAY,
  '26': 2 * DAY,
  '27': 4 * DAY,
  '28': 6 * DAY,
  '29': 8 * DAY,
  '30': 10 * DAY,
};

/** What a merchant advice value asks for, after `normalizeAdvice`. */
const NEVER_ADVICE: Readonly<Record<string, DeclineReason>> = {
  '03': 'do_not_retry', // MAC 03 do not try again
  '21': 'revocation_of_authorization', // MAC 21 payment cancellation / stop recurring
  do_not_try_again: 'do_not_retry', // Stripe advice_code
};
const UPDATE_ADVICE = new Set(['01', '40', '41', 'confirm_card_data']);

/**
 * Canonical form of a merchant advice value: Mastercard codes as two digits (`3`, `03`,
 * `MAC 03`, `mac:3` → `03`), Stripe advice codes in snake case (`Do not try again` →
 * `do_not_try_again`). Returns undefined for an empty value.
 * @example
 * normalizeAdvice('MAC 3') // '03'
 */
export function normalizeAdvice(advice: unknown): string | undefined {
  const raw = asString(advice);
  if (raw === undefined) return undefined;
  const a = raw
    .toLowerCase()
    .replace(/^(mastercard\s*)?(mac|merchant\s*advice(\s*code)?)\s*[:#=-]?\s*/, '')
    .trim();
  if (/^\d{1,2}$/.test(a)) return a.padStart(2, '0');
  const snake = a.replace(/[\s-]+/g, '_');
  return snake === '' ? undefined : snake;
}

function asString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  let s: string;
  try {
    s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : '';
  } catch {
    return undefined;
  }
  s = s.trim();
  return s === '' ? undefined : s;
}

function lookupCode(codes: Readonly<Record<string, DeclineReason>>, code: string): DeclineReason | undefined {
  for (const c of [code, code.toUpperCase()]) {
    if (Object.prototype.hasOwnProperty.call(codes, c) && isDeclineReason(codes[c])) return codes[c];
  }
  return undefined;
}

/** A refusal text as `GatewayDeclineTable.messages` keys are compared: lower case, single spaces, no final full stop. */
function messageKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!]+$/, '')
    .trim();
}

const messageIndexes = new WeakMap<object, Map<string, DeclineReason>>();

/** The table's reason for a fixed refusal text: the whole text, else the text before a parenthesised tail. */
function lookupMessage(messages: Readonly<Record<string, DeclineReason>>, message: string): DeclineReason | undefined {
  let index = messageIndexes.get(messages);
  if (!index) {
    index = new Map();
    for (const [text, reason] of Object.entries(messages)) if (isDeclineReason(reason)) index.set(messageKey(text), reason);
    messageIndexes.set(messages, index);
  }
  const whole = messageKey(message);
  return index.get(whole) ?? index.get(messageKey(whole.replace(/\s*\(.*$/, '')));
}

/** The networks' "no match": `N` (Visa, Mastercard, Authorize.Net, NMI, Checkout.com, Braintree), Stripe's `fail`. */
const DEFAULT_MISMATCH = /^(n|fail|failed|no[ _-]?match|does[ _-]?not[ _-]?match)$/i;
/** Reasons that say nothing about why: a failed CVV or AVS check, when reported, says more. */
const UNSPECIFIC = new Set<DeclineReason>(['generic_decline', 'do_not_honor']);

function failedCheck(test: ((v: string) => boolean) | undefined, value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    return test ? test(value) === true : DEFAULT_MISMATCH.test(value);
  } catch {
    return false;
  }
}

function ruleMatches(
  rule: DeclineRule,
  gateway: string,
  code: string | undefined,
  message: string | undefined,
  mid: string | undefined,
): boolean {
  if (!rule || typeof rule !== 'object') return false;
  if (rule.gateway !== undefined && rule.gateway !== gateway) return false;
  if (rule.mid !== undefined && rule.mid !== mid) return false;
  if (rule.code !== undefined && (code === undefined || String(rule.code).trim().toUpperCase() !== code.toUpperCase())) return false;
  if (rule.messageIncludes !== undefined && !(message ?? '').toLowerCase().includes(String(rule.messageIncludes).toLowerCase()))
    return false;
  return rule.code !== undefined || rule.messageIncludes !== undefined;
}

/**
 * Map a gateway decline to a standard reason with its retry and cascade defaults, using only the
 * tables given in `options` (the core's form; the package's `normalizeDecline` adds the shipped
 * tables). Never throws, whatever it is given: unknown input ends as `generic_decline`.
 * @example
 * normalizeWithTables({ gateway: 'iso8583', code: '51' }).reason                    // 'insufficient_funds'
 * normalizeWithTables({ gateway: 'nmi', code: '202' }, { table: nmiDeclines }).reason // 'insufficient_funds'
 */
export function normalizeWithTables(input: DeclineInput, options: NormalizeOptions = {}): NormalizedDecline {
  const given: Partial<DeclineInput> = input !== null && typeof input === 'object' ? input : {};
  const opts: NormalizeOptions = options !== null && typeof options === 'object' ? options : {};
  const gateway = asString(given.gateway) ?? 'unknown';
  const code = asString(given.code);
  const message = typeof given.message === 'string' ? given.message : asString(given.message);
  const advice = asString(given.advice);
  const cvvResult = asString(given.cvvResult);
  const avsResult = asString(given.avsResult);
  const raw = {
    gateway,
    ...(code !== undefined && { code }),
    ...(message !== undefined && { message }),
    ...(advice !== undefined && { advice }),
    ...(cvvResult !== undefined && { cvvResult }),
    ...(avsResult !== undefined && { avsResult }),
  };

  let reason: DeclineReason | undefined;
  let source: NormalizedDecline['source'] = 'fallback';
  let networkCategory: 1 | 2 | 3 | 4 | undefined;

  for (const rule of Array.isArray(opts.rules) ? opts.rules : []) {
    if (ruleMatches(rule, gateway, code, message, opts.mid) && isDeclineReason(rule.reason)) {
      reason = rule.reason;
      source = 'override';
      break;
    }
  }

  const table = opts.table?.gateway === gateway ? opts.table : opts.tables?.get?.(gateway);
  if (!reason && code && table?.codes) {
    reason = lookupCode(table.codes, code);
    if (reason) source = 'gateway';
  }
  if (!reason && message && table?.messages) {
    reason = lookupMessage(table.messages, message);
    if (reason) source = 'gateway';
  }
  let isoPickUp = false;
  if (!reason) {
    let iso: string | undefined;
    try {
      iso = gateway === 'iso8583' ? code : asString(table?.isoCode?.({ code, message }));
    } catch {
      iso = undefined;
    }
    const row = isoCodeRow(iso);
    if (row) {
      reason = row.reason;
      networkCategory = row.visaCategory;
      isoPickUp = row.pickUp === true;
      source = 'iso8583';
    }
  }
  if (!reason) {
    reason = classifyDeclineMessage(message);
    if (reason) source = 'message';
  }
  if (!reason && code && table?.family) {
    try {
      const r = table.family(code);
      if (isDeclineReason(r)) {
        reason = r;
        source = 'gateway';
      }
    } catch {
      // A faulty table never makes normalizeDecline throw.
    }
  }
  if (!reason) reason = 'generic_decline';

  // The code said nothing specific: the CVV, then the AVS result the gateway sent, can.
  if (source !== 'override' && UNSPECIFIC.has(reason)) {
    const checked = failedCheck(table?.checks?.cvvMismatch, cvvResult)
      ? 'incorrect_cvc'
      : failedCheck(table?.checks?.avsMismatch, avsResult)
        ? 'incorrect_address'
        : undefined;
    if (checked) {
      reason = checked;
      source = 'checks';
      networkCategory = undefined;
    }
  }

  const result = withReason({ raw, source, reason, category: 'soft', retry: 'later', cascade: true }, reason);
  if (networkCategory !== undefined) result.networkCategory = networkCategory;
  // A pick-up that names its cause keeps the cause, and stays never-retry like any pick-up.
  const pickUp =
    source !== 'override' && (isoPickUp || (code !== undefined && tableLists(table?.pickUp, code)) || isPickUpMessage(message));
  if (pickUp && result.retry !== 'never') {
    result.category = 'hard';
    result.retry = 'never';
    result.cascade = false;
    result.pickUp = true;
  }
  const mac = normalizeAdvice(advice);
  if (mac) applyAdvice(result, mac);
  return result;
}

function tableLists(list: readonly string[] | undefined, code: string): boolean {
  return Array.isArray(list) && (list.includes(code) || list.includes(code.toUpperCase()));
}

/** Set a reason with its table defaults (and its Visa category). */
function withReason(result: NormalizedDecline, reason: DeclineReason): NormalizedDecline {
  const info: DeclineReasonInfo = DECLINE_REASONS[reason];
  result.reason = reason;
  result.category = info.category;
  result.retry = info.retry;
  result.cascade = info.cascade;
  if (info.visaCategory !== undefined) result.networkCategory = info.visaCategory;
  else delete result.networkCategory;
  return result;
}

/**
 * Merchant advice can only make a decline stricter, never looser:
 * - MAC 03 / Stripe `do_not_try_again` → `do_not_retry`, MAC 21 → `revocation_of_authorization`
 *   (kept when the code already named a never-retry reason such as `stolen_card`);
 * - MAC 01 → `new_account_information`; MAC 40/41 and Stripe `confirm_card_data` → retry only
 *   with updated card data; none of these cascade;
 * - MAC 24–30 → `retryDelayMs`, the earliest retry on that MID, and no cascade;
 * - MAC 02 and Stripe `try_again_later` change nothing: "later" is what a soft decline means.
 */
function applyAdvice(result: NormalizedDecline, advice: string): void {
  if (result.retry === 'never') return;
  const never = Object.prototype.hasOwnProperty.call(NEVER_ADVICE, advice) ? NEVER_ADVICE[advice] : undefined;
  if (never) {
    withReason(result, never);
    return;
  }
  if (UPDATE_ADVICE.has(advice)) {
    if (advice === '01') withReason(result, 'new_account_information');
    result.retry = 'after_update';
    result.cascade = false;
    return;
  }
  const delay = Object.prototype.hasOwnProperty.call(MAC_RETRY_DELAYS_MS, advice) ? MAC_RETRY_DELAYS_MS[advice] : undefined;
  if (delay !== undefined) {
    result.retryDelayMs = delay;
    result.cascade = false;
  }
}
