/**
 * The states of a ledger transaction and of one gateway attempt, and the transitions between
 * them, as data. `attempt/settle.ts` is the only code that moves a transaction; it asks
 * `canMove` first and refuses (and reports) anything this table does not allow.
 * @module
 */

/**
 * Where a transaction stands.
 * - `pending`: created; an attempt is in flight or its outcome is unknown (reconciliation settles it).
 * - `requires_action`: the issuer asks the cardholder to authenticate (3-D Secure) on the MID that tried.
 * - `held_for_review`: the gateway authorized it but holds it for the merchant's review (not final).
 * - `authorized`: funds held, not captured. `captured`: money moves (a sale or rebill is captured at once).
 * - `verified`: a zero-amount verification passed (no money).
 * - `capture_pending` / `void_pending` / `refund_pending`: a follow-up is under way or accepted by the
 *   gateway, whose final answer comes later (asynchronous gateways answer by notification).
 * - `partially_refunded` / `refunded`, `voided`: after follow-ups.
 * - `declined`: every attempt was declined. `failed`: refused or errored without charging.
 * - `expired`: an authentication or authorization that lapsed.
 */
export type TransactionStatus =
  | 'pending'
  | 'requires_action'
  | 'held_for_review'
  | 'authorized'
  | 'capture_pending'
  | 'captured'
  | 'verified'
  | 'refund_pending'
  | 'partially_refunded'
  | 'refunded'
  | 'void_pending'
  | 'voided'
  | 'declined'
  | 'failed'
  | 'expired';

/**
 * Where one gateway call stands: written `pending` before the call, settled once.
 * `accepted`: the gateway took the request and answers later (asynchronous follow-ups).
 * `failed`: the gateway proved it did nothing (a lookup found nothing; an authentication expired).
 * `reversed`: approved, then reported failed by the gateway's notification (a refund the card
 * network returned, a capture the scheme rejected after success): its money effect is undone.
 */
export type AttemptStatus = 'pending' | 'requires_action' | 'accepted' | 'approved' | 'held' | 'declined' | 'error' | 'failed' | 'reversed';

/** Money states: the transaction holds or moved funds at its gateway. */
const MONEY = ['authorized', 'captured', 'held_for_review'] as const;

/**
 * Allowed transaction transitions. A state's own name in its list allows an update that keeps it
 * (a second partial capture, an amount change by a refund). `failed` may still become a money
 * state: when a gateway later proves it charged, its books win over ours.
 */
export const TRANSACTION_TRANSITIONS: Readonly<Record<TransactionStatus, readonly TransactionStatus[]>> = {
  pending: ['pending', 'requires_action', ...MONEY, 'verified', 'declined', 'failed'],
  requires_action: ['requires_action', ...MONEY, 'verified', 'declined', 'failed', 'expired'],
  held_for_review: ['authorized', 'captured', 'void_pending', 'voided', 'declined'],
  authorized: ['capture_pending', 'captured', 'void_pending', 'voided', 'expired'],
  capture_pending: ['captured', 'authorized'],
  captured: ['captured', 'capture_pending', 'refund_pending', 'partially_refunded', 'refunded', 'void_pending', 'voided', 'authorized'],
  verified: [],
  refund_pending: ['refund_pending', 'captured', 'partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refund_pending', 'refunded', 'captured'],
  refunded: ['refunded', 'partially_refunded', 'captured', 'refund_pending'],
  void_pending: ['voided', 'authorized', 'captured', 'held_for_review'],
  voided: [],
  declined: [],
  failed: ['authorized', 'captured', 'verified'],
  expired: [],
};

/**
 * Allowed attempt transitions (`failed` → `approved`: the gateway's books win, as above;
 * `approved` → `reversed`: a follow-up the gateway's notification later reports failed).
 */
export const ATTEMPT_TRANSITIONS: Readonly<Record<AttemptStatus, readonly AttemptStatus[]>> = {
  pending: ['requires_action', 'accepted', 'approved', 'held', 'declined', 'error', 'failed'],
  requires_action: ['approved', 'held', 'declined', 'error', 'failed'],
  accepted: ['approved', 'declined', 'failed'],
  approved: ['reversed'],
  held: ['approved', 'declined'],
  declined: [],
  error: [],
  failed: ['approved'],
  reversed: [],
};

/** Transaction states a capture may start from, and so on: what each follow-up needs. */
export const FOLLOW_UP_FROM = {
  capture: ['authorized', 'captured'],
  void: ['authorized', 'captured', 'held_for_review'],
  refund: ['captured', 'partially_refunded', 'refunded', 'refund_pending'],
} as const satisfies Record<string, readonly TransactionStatus[]>;

/** States in which a transaction still waits for a gateway answer of its own. */
export const OPEN_STATES: ReadonlySet<TransactionStatus> = new Set(['pending', 'requires_action', 'held_for_review']);

/**
 * Whether a transaction may move from `from` to `to`.
 * @example
 * canMove('pending', 'captured')  // true
 * canMove('voided', 'captured')   // false
 */
export function canMove(from: TransactionStatus, to: TransactionStatus): boolean {
  return TRANSACTION_TRANSITIONS[from]?.includes(to) ?? false;
}

/**
 * Whether an attempt may move from `from` to `to`.
 * @example
 * canMoveAttempt('pending', 'approved')   // true
 * canMoveAttempt('declined', 'approved')  // false
 */
export function canMoveAttempt(from: AttemptStatus, to: AttemptStatus): boolean {
  return ATTEMPT_TRANSITIONS[from]?.includes(to) ?? false;
}

/**
 * The refund state of a captured transaction, from its amounts (the stores apply the same rule
 * atomically, after adding a refund).
 * @example
 * refundState(1000, 0)     // 'captured'
 * refundState(1000, 400)   // 'partially_refunded'
 * refundState(1000, 1000)  // 'refunded'
 */
export function refundState(captured: number, refunded: number): 'captured' | 'partially_refunded' | 'refunded' {
  if (refunded <= 0) return 'captured';
  return refunded >= captured ? 'refunded' : 'partially_refunded';
}

/** States where money is held or moved at the gateway (counted in caps, refundable, voidable). */
export function holdsMoney(status: TransactionStatus): boolean {
  return (
    status === 'authorized' ||
    status === 'captured' ||
    status === 'held_for_review' ||
    status === 'capture_pending' ||
    status === 'partially_refunded' ||
    status === 'refund_pending' ||
    status === 'void_pending'
  );
}

/**
 * Marker of a bookkeeping attempt: a verification hold (pre-authorization) still to release. It is
 * written with the verification's approval, in the same store write, so no failure after the
 * approval can leave a hold that nobody will void.
 */
export const HOLD_RELEASE = 'hold_release';
