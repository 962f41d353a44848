/**
 * Free-text decline classifier: maps a processor's message (`INSUFF FUNDS`, `Pick up card - L/S`,
 * `DECLINE - CVV2 MISMATCH`, `HOLD-CALL`) to a standard reason.
 *
 * The first pattern that matches decides, and the list is ordered by strength: the reasons that
 * must never be retried come first, then the ones that must not cascade, then the soft ones, and
 * the catch-all `error` last. So a message that names two things ("Restricted Card - Pick Up")
 * takes the stronger, and a specific pattern always beats a generic one. One exception: a "pick
 * up card" that names its cause (`Restricted Card - Pick Up`) keeps the cause, and
 * `normalizeDecline` makes that reason never-retry, so nothing is lost by naming it.
 *
 * Messages are matched case-insensitively after `_` becomes a space (PayPal-style
 * `INSUFFICIENT_FUNDS`) and runs of spaces collapse; only the first 500 characters are read.
 * Texts collected from TSYS, First Data, Authorize.Net, NMI, Stripe and PayPal are in
 * `test/declines/classifier.test.ts`.
 * @module
 */
import type { DeclineReason } from './reasons';

/** One classifier rule: the first pattern that matches decides. */
export interface MessagePattern {
  readonly pattern: RegExp;
  readonly reason: DeclineReason;
}

/** An instruction to pick up (retain) the card: `Pick up card`, `HOLD-CALL`, `L/S`, `capture card`. */
const PICK_UP = /pick\s*-?\s*up|\bl\s*\/\s*s\b|hold\s*-?\s*call|capture\s*card/i;

/**
 * Causes a pick-up answer may name (`Restricted Card - Pick Up`, `Expired card, pick-up`): the
 * cause is kept as the reason, and `normalizeDecline` makes it never-retry (see `isPickUpMessage`).
 */
export const PICK_UP_CAUSES: readonly MessagePattern[] = [
  { pattern: /expired/i, reason: 'expired_card' },
  { pattern: /(?<!\bno\s*-?\s*)fraud|suspect/i, reason: 'fraud_suspected' },
  { pattern: /restricted/i, reason: 'restricted_card' },
  { pattern: /\bpin\b/i, reason: 'pin_error' },
];

const SECURE = String.raw`\b(3\s*-?\s*d\s*-?\s*s(ecure)?\d*|three\s*d\s*secure|verified\s*by\s*visa|securecode|identity\s*check|safekey|sca)\b`;

/** Ordered patterns, strongest (never retry) first. */
export const MESSAGE_PATTERNS: readonly MessagePattern[] = [
  // Never retry, never cascade.
  {
    pattern:
      /revo(c|ke)|stop\s*(all\s*|this\s*)?(future\s*)?(recurring|payments?)|recurring\s*(charge|payment|billing)?\s*(was\s*)?stopped|cancel+ed\s*recurring|payment\s*cancel+ation/i,
    reason: 'revocation_of_authorization',
  },
  {
    pattern: /\b(do\s*not|don'?t|never)\s*(try|retry|re-?attempt|resubmit)|re-?attempt\s*not\s*(permitted|allowed)/i,
    reason: 'do_not_retry',
  },
  { pattern: /stolen/i, reason: 'stolen_card' },
  { pattern: /(?<!(connection|communication|session|link|packet)\s*(was\s*|is\s*)?)\blost\b/i, reason: 'lost_card' },
  { pattern: PICK_UP, reason: 'pickup_card' },
  { pattern: /(account|acct|card)\s*(is\s*|has\s*been\s*)?closed|closed\s*(account|acct|card)|\bclosed\b/i, reason: 'account_closed' },
  {
    pattern:
      /no\s*(such\s*)?(issuer|bank)|no\s*(such|checking|check|savings|save|credit)\s*(account|acct)|(invalid|unknown)\s*(account|acct)(?!\s*(number|no\b|#))|no\s*(card\s*)?(account|acct)\b(?!\s*(number|no\b))|account\s*not\s*(found|on\s*file)/i,
    reason: 'invalid_account',
  },
  {
    pattern:
      /(invalid|bad|incorrect|wrong|unknown)\s*(credit\s*)?(card|account|acct)\s*(number|no\b|#)|(card|account|acct)\s*(number|no\.?|#)\s*(is\s*)?(invalid|incorrect|wrong|bad|err)|invalid\s*(credit\s*)?card\b(?!\s*(type|brand|expir|exp\b|verification|security|code|cvv))|no\s*such\s*card|\binvalid\s*pan\b|mod(ulus|\s*10)?\s*(check\s*)?fail/i,
    reason: 'incorrect_number',
  },
  {
    pattern:
      /not\s*(permitted|allowed)\s*(to|for)\s*(the\s*)?(card\s*holder|cardholder|card)|(tran(saction|s)?|serv(ice)?)\s*not\s*(permitted|allowed)(?!\s*(at|on|for|-|–)\s*(the\s*)?(terminal|merchant))|invalid\s*trans(action)?\b(?!\s*(id|information|info|data))|unauthori[sz]ed\s*(transaction|user)/i,
    reason: 'transaction_not_allowed',
  },
  // Merchant side: the MID or its credentials are the problem; another MID may work.
  {
    pattern:
      /invalid\s*(merchant|terminal)|term(inal)?\s*id\s*(error|invalid)|merchant\s*(account\s*)?(is\s*)?(not\s*(found|active|enabled|configured)|inactive|invalid|suspended)|(api|gateway)\s*(login|key|credentials)|login\s*id\s*is\s*invalid|security\s*key|not\s*(permitted|allowed)\s*(at|on|for|-|–)\s*(the\s*)?(terminal|merchant)|^\W*authentication\s*failed\W*$/i,
    reason: 'invalid_merchant',
  },
  // No cascade: another MID would get the same answer.
  { pattern: /duplicate/i, reason: 'duplicate_transaction' },
  {
    pattern: new RegExp(
      String.raw`${SECURE}[^]*?(fail|reject|declin|denied|error)|(card|cardholder)\s*authentication\s*(fail|reject)|(authentication|challenge)\s*(was\s*)?(failed|rejected|denied)[^]*${SECURE}`,
      'i',
    ),
    reason: 'authentication_failed',
  },
  {
    pattern:
      /authentication\s*(is\s*)?required|(3\s*-?\s*d\s*-?\s*s(ecure)?\d*|sca)\s*(is\s*)?required|requires?\s*(3\s*-?\s*d|sca|authentication)|strong\s*customer\s*authentication|contingenc/i,
    reason: 'authentication_required',
  },
  // The merchant's own filters at the gateway come before the issuer's fraud flags: a text that
  // names a filter, rule, score or block list is the merchant's risk setting, not the issuer.
  {
    pattern:
      /fraud\s*(detection\s*suite|filters?|rules?|screen\w*|management|score)|\bfds\b|(risk|fraud)\s*(filters?|rules?|scor\w*|threshold|settings?)|block\s*-?\s*list|black\s*-?\s*list|blocked\s*ip/i,
    reason: 'risk_blocked',
  },
  { pattern: /fraud|suspect|sec(urity)?\s*violation/i, reason: 'fraud_suspected' },
  {
    pattern:
      /insuf+\.?\s*f|\bnsf\b|not\s*sufficient\s*funds|insufficient|no\s*funds|lack\s*of\s*funds|exceeds?\s*(available\s*)?balance|over\s*(the\s*)?credit\s*limit/i,
    reason: 'insufficient_funds',
  },
  {
    pattern: /\bcvv|\bcvc|\bcvn|\bcv2|\bccv|\bcid\b|\bcsc\b|card\s*(security\s*|verification\s*)?code|security\s*code/i,
    reason: 'incorrect_cvc',
  },
  {
    pattern:
      /\bavs\b|address\s*(verification|mismatch|does\s*not\s*match)|(zip|postal)\s*(code)?\s*(mismatch|does\s*not\s*match)|billing\s*address/i,
    reason: 'incorrect_address',
  },
  {
    pattern:
      /(card|account)\s*(is\s*|has\s*)?expired|expired\s*(credit\s*|debit\s*)?card|expired\s*(funding|payment)\s*(instrument|method)|^\W*expired\W*$|\bexp\.?\s*card/i,
    reason: 'expired_card',
  },
  {
    pattern:
      /(invalid|bad|wrong|incorrect)\s*(exp|expiry|expiration)|(exp|expiry|expiration)\s*(date\s*)?(is\s*)?(invalid|incorrect|wrong|missing)|date\s*error/i,
    reason: 'invalid_expiry_date',
  },
  {
    pattern:
      /updated?\s*(cardholder|account|card)\s*(data|info)|new\s*account\s*info|account\s*updater|life\s*-?\s*cycle\b(?!\s*of\s*(the\s*)?transaction)/i,
    reason: 'new_account_information',
  },
  { pattern: /restricted|\bblocked\b|not\s*activated|first\s*use|inactive\s*card/i, reason: 'restricted_card' },
  { pattern: /\bpin\b/i, reason: 'pin_error' },
  { pattern: /rate\s*limit/i, reason: 'processing_error' },
  {
    pattern: /velocity|frequency|activity\s*limit|(count|usage|attempts?)\s*limit|too\s*many|(attempts?|tries)\s*exceed/i,
    reason: 'velocity_exceeded',
  },
  {
    pattern: /\b(exceeds?|over)\b.*\b(withdraw\w*|amount|amt|limit|approval)|limit\s*(exceeded|reached)/i,
    reason: 'amount_limit_exceeded',
  },
  {
    pattern:
      /call\s*(the\s*)?(card\s*)?(issuer|bank|auth\w*\s*cent(er|re)|cent(er|re)|voice)|\brefer(ral|red)?\b|contact\s*(the\s*|your\s*)?(card\s*)?(issuer|bank)|^\W*call\W*$/i,
    reason: 'call_issuer',
  },
  // Soft: may cascade.
  {
    pattern:
      /(card|brand|type|bin)\s*(is\s*)?(not|un)\s*(accepted|supported)|(does\s*not|doesn'?t|cannot|can'?t)\s*(accept|support)|unsupported\s*(card|brand|bin|payment\s*method)|not\s*accepted/i,
    reason: 'card_not_supported',
  },
  { pattern: /invalid\s*(amount|amt)|(amount|amt)\s*(is\s*)?(invalid|error)|valid\s*amount\s*is\s*required/i, reason: 'invalid_amount' },
  {
    pattern:
      /(issuer|switch|bank)\s*(is\s*)?(unavailable|not\s*available|inoperative|down|timed?\s*out|not\s*responding)|no\s*reply|no\s*response\s*from\s*(the\s*)?(issuer|bank)/i,
    reason: 'issuer_unavailable',
  },
  { pattern: /\brisk\b|blacklist|blocklist|gateway\s*rule/i, reason: 'risk_blocked' },
  { pattern: /do\s*not\s*hono(u)?r|\bdnh\b/i, reason: 'do_not_honor' },
  {
    pattern:
      /system\s*(error|malfunction|unavailable)|process(ing|or)\s*(error|unavailable)|internal\s*error|general\s*error|format\s*error|re-?\s*enter|communication\s*error|encryption\s*error|cryptographic|invalid\s*routing|\berror\b/i,
    reason: 'processing_error',
  },
];

/** Only the beginning of a message is classified: processors put the reason first. */
const MAX_MESSAGE_LENGTH = 500;

/**
 * Classify a free-text decline message, or `undefined` when nothing matches.
 * @example
 * classifyDeclineMessage('DECLINE - CVV2 MISMATCH')     // 'incorrect_cvc'
 * classifyDeclineMessage('Restricted Card - Pick Up')   // 'restricted_card' (never retried: a pick-up)
 */
export function classifyDeclineMessage(message: string | undefined): DeclineReason | undefined {
  const text = clean(message);
  if (!text) return undefined;
  for (const { pattern, reason } of MESSAGE_PATTERNS) {
    if (!pattern.test(text)) continue;
    if (reason !== 'pickup_card') return reason;
    // A pick-up that names its cause keeps the cause (normalizeDecline keeps it never-retry).
    return PICK_UP_CAUSES.find((c) => c.pattern.test(text))?.reason ?? reason;
  }
  return undefined;
}

/**
 * True when a decline text asks to pick up (retain) the card, e.g. `Restricted Card - Pick Up`.
 * @example
 * isPickUpMessage('Expired card, pick-up') // true
 */
export function isPickUpMessage(message: string | undefined): boolean {
  const text = clean(message);
  return text !== undefined && PICK_UP.test(text);
}

function clean(message: string | undefined): string | undefined {
  if (typeof message !== 'string') return undefined;
  const text = message.slice(0, MAX_MESSAGE_LENGTH).replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
  return text === '' ? undefined : text;
}
