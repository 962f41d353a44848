/**
 * The success-rate signal: which outcomes say something about a MID's approvals. Counting is
 * kept apart from policy (the strategy in `strategies/success_rate.ts` reads what this counts),
 * as the health signal is apart from the circuit breaker.
 *
 * An outcome counts against a MID only when the MID could have changed it. Approvals count for;
 * soft issuer declines, the MID's own refusals and processing errors (a gateway that answered
 * with an error: nothing was charged, another MID might have processed it) count against;
 * declines that are the card's own (funds, expiry, lost or stolen, wrong number or CVC,
 * authentication) count not at all, nor do challenges, or ambiguous and unsettled attempts.
 * @module
 */
import type { DeclineReason } from '../declines/reasons';
import type { ApprovalOutcome, AttemptRecord, TransactionRecord } from '../store/types';

/** Whether a decline reason counts against the MID that got it (`against`) or not at all (`ignored`). */
export type ApprovalSignal = 'against' | 'ignored';

/**
 * Every standard decline reason and whether it counts against the MID, with why. One table: the
 * settlement reads it, the README prints it.
 * @example
 * APPROVAL_SIGNAL.do_not_honor.counts // 'against': the issuer's risk call, which the acquirer, MCC and descriptor change
 */
export const APPROVAL_SIGNAL = {
  insufficient_funds: { counts: 'ignored', why: "the card's funds: every MID gets the same answer" },
  do_not_honor: { counts: 'against', why: "the issuer's unexplained risk call, which the acquirer, country and descriptor change" },
  generic_decline: { counts: 'against', why: 'a soft decline without a reason; approval rates of MIDs differ most here' },
  expired_card: { counts: 'ignored', why: "the card's own data" },
  incorrect_cvc: { counts: 'ignored', why: "the cardholder's input" },
  incorrect_number: { counts: 'ignored', why: "the cardholder's input" },
  invalid_expiry_date: { counts: 'ignored', why: "the cardholder's input" },
  incorrect_address: { counts: 'ignored', why: "the cardholder's address does not match" },
  new_account_information: { counts: 'ignored', why: 'the card was replaced' },
  lost_card: { counts: 'ignored', why: 'a hard decline of the card itself, on any MID' },
  stolen_card: { counts: 'ignored', why: 'a hard decline of the card itself, on any MID' },
  pickup_card: { counts: 'ignored', why: 'a hard decline of the card itself, on any MID' },
  fraud_suspected: {
    counts: 'ignored',
    why: 'the issuer flags the card or the cardholder; counting it would punish whichever MID took a card-testing burst',
  },
  account_closed: { counts: 'ignored', why: "the cardholder's account is closed" },
  invalid_account: { counts: 'ignored', why: 'no such cardholder account' },
  transaction_not_allowed: { counts: 'ignored', why: "the card's product does not allow it (a never-retry decline)" },
  restricted_card: { counts: 'ignored', why: 'the card is restricted' },
  card_not_supported: { counts: 'against', why: "the MID's own limit (brand, type or currency not enabled): another MID takes it" },
  amount_limit_exceeded: { counts: 'ignored', why: "the card's amount limit" },
  velocity_exceeded: { counts: 'ignored', why: "the card's frequency limit" },
  authentication_required: { counts: 'ignored', why: 'the issuer asks for 3-D Secure, on any MID' },
  authentication_failed: { counts: 'ignored', why: 'the cardholder did not authenticate' },
  issuer_unavailable: { counts: 'ignored', why: "the issuer's outage reaches every MID" },
  processing_error: { counts: 'against', why: 'the processor behind the MID failed to process it' },
  invalid_amount: { counts: 'ignored', why: "the request's own amount" },
  invalid_merchant: { counts: 'against', why: "the MID's setup was refused" },
  duplicate_transaction: { counts: 'ignored', why: 'the request repeated an earlier one' },
  risk_blocked: { counts: 'against', why: "the risk filter on this MID's gateway refused it; another MID may take it" },
  revocation_of_authorization: { counts: 'ignored', why: 'the cardholder revoked the authorization' },
  do_not_retry: { counts: 'ignored', why: 'the issuer says never again, on any MID' },
  call_issuer: { counts: 'against', why: 'a soft referral, the same family as do_not_honor' },
  pin_error: { counts: 'ignored', why: "the cardholder's PIN" },
} as const satisfies Record<DeclineReason, { counts: ApprovalSignal; why: string }>;

/** The outcome of a settled attempt, as far as the signal cares. */
export type SignalOutcome = { kind: 'approved' } | { kind: 'declined'; reason: DeclineReason } | { kind: 'error' } | { kind: 'other' };

/**
 * The write part that counts an attempt's outcome in its MID's approval windows, or undefined
 * when it does not count: not a routed sale or authorization, not decided by a success-rate pool,
 * not the transaction's first gateway attempt (a cascaded attempt sees a card another MID just
 * declined: a harder sample that would make every fallback MID look worse than it is), or an
 * outcome the table above ignores. A definite gateway error (not ambiguous) counts against.
 */
export function approvalOutcomeOf(
  tx: TransactionRecord,
  attempt: AttemptRecord,
  outcome: SignalOutcome,
  firstAttempt: boolean,
  at: number,
): ApprovalOutcome | undefined {
  if (!firstAttempt || (attempt.operation !== 'sale' && attempt.operation !== 'authorize')) return undefined;
  if (outcome.kind === 'other') return undefined;
  if (outcome.kind === 'declined' && APPROVAL_SIGNAL[outcome.reason].counts === 'ignored') return undefined;
  const pool = tx.routing?.successRate?.find((p) => p.members.some((m) => m.mid === attempt.mid));
  if (!pool) return undefined;
  return { mid: attempt.mid, segments: pool.segments, approved: outcome.kind === 'approved', at, window: pool.window };
}
