/**
 * Free-text decline classifier: maps a processor's message (`INSUFF FUNDS`, `Pick up card - L/S`)
 * to a standard reason. Patterns are ordered: the ones that must never be retried come first,
 * so a message naming two things ("Restricted Card - Pick Up") takes the stronger.
 * @module
 */
import type { DeclineReason } from './reasons';

/** One classifier rule: the first pattern that matches decides. */
export interface MessagePattern {
  readonly pattern: RegExp;
  readonly reason: DeclineReason;
}

/** Ordered patterns, strongest (never retry) first. Case-insensitive, tolerant of abbreviations. */
export const MESSAGE_PATTERNS: readonly MessagePattern[] = [
  { pattern: /revoc|stop\s*(recurring|payment)|cancel+ed\s*recurring|payment\s*cancel/i, reason: 'revocation_of_authorization' },
  { pattern: /do\s*not\s*(try|retry)|don'?t\s*(try|retry)|never\s*retry/i, reason: 'do_not_retry' },
  { pattern: /stolen/i, reason: 'stolen_card' },
  { pattern: /\blost\b/i, reason: 'lost_card' },
  { pattern: /pick\s*-?\s*up|\bl\/s\b/i, reason: 'pickup_card' },
  { pattern: /fraud|suspect/i, reason: 'fraud_suspected' },
  { pattern: /(account|acct)\s*closed|closed\s*(account|acct)/i, reason: 'account_closed' },
  { pattern: /no\s*(such|checking|savings|credit)\s*(issuer|account|acct)|invalid\s*(account|acct)|no\s*account/i, reason: 'invalid_account' },
  { pattern: /duplicate/i, reason: 'duplicate_transaction' },
  { pattern: /3\s*-?d\s*-?s(ecure)?.*(fail|reject)|authentication\s*fail/i, reason: 'authentication_failed' },
  { pattern: /authentication\s*required|3\s*-?d\s*-?s(ecure)?\s*required|sca\s*required/i, reason: 'authentication_required' },
  { pattern: /insuf+\.?\s*f|\bnsf\b|not\s*sufficient\s*funds|insufficient|no\s*funds|over\s*(the\s*)?credit\s*limit/i, reason: 'insufficient_funds' },
  { pattern: /cvv|cvc|cvn|cid\b|security\s*code/i, reason: 'incorrect_cvc' },
  { pattern: /\bavs\b|address\s*(verification|mismatch)|zip\s*(code)?\s*mismatch/i, reason: 'incorrect_address' },
  { pattern: /expired|exp(ired)?\s*card/i, reason: 'expired_card' },
  { pattern: /(invalid|bad|wrong)\s*(exp|expiry|expiration)/i, reason: 'invalid_expiry_date' },
  { pattern: /(invalid|bad|incorrect)\s*(card\s*)?(number|pan|card)|no\s*such\s*card/i, reason: 'incorrect_number' },
  { pattern: /restricted/i, reason: 'restricted_card' },
  { pattern: /(exceeds?|over)\s*.*(withdraw|amount|limit)|limit\s*exceeded/i, reason: 'amount_limit_exceeded' },
  { pattern: /velocity|frequency|too\s*many/i, reason: 'velocity_exceeded' },
  { pattern: /not\s*(permitted|allowed)|transaction\s*not\s*supported/i, reason: 'transaction_not_allowed' },
  { pattern: /(card|brand|type)\s*not\s*(accepted|supported)|not\s*accepted/i, reason: 'card_not_supported' },
  { pattern: /invalid\s*amount|amount\s*invalid/i, reason: 'invalid_amount' },
  { pattern: /invalid\s*merchant|merchant\s*(not|invalid|account)|invalid\s*(credentials|login|api\s*key)/i, reason: 'invalid_merchant' },
  { pattern: /\bpin\b/i, reason: 'pin_error' },
  { pattern: /call\s*(the\s*)?(issuer|bank|center)|refer(ral)?\s*(to)?\s*(card\s*)?issuer/i, reason: 'call_issuer' },
  { pattern: /issuer\s*(unavailable|not\s*available|inoperative|down)|switch\s*inoperative|timed?\s*out/i, reason: 'issuer_unavailable' },
  { pattern: /risk|blocked|blacklist|velocity\s*filter/i, reason: 'risk_blocked' },
  { pattern: /do\s*not\s*honou?r|dnh/i, reason: 'do_not_honor' },
  { pattern: /system\s*error|processing\s*error|processor\s*error|try\s*again|error/i, reason: 'processing_error' },
];

/**
 * Classify a free-text decline message, or `undefined` when nothing matches.
 * @example
 * classifyDeclineMessage('DECLINE - CVV2 MISMATCH') // 'incorrect_cvc'
 */
export function classifyDeclineMessage(message: string | undefined): DeclineReason | undefined {
  if (!message) return undefined;
  for (const { pattern, reason } of MESSAGE_PATTERNS) if (pattern.test(message)) return reason;
  return undefined;
}
