/**
 * What one gateway call came to, and the cascade rule, written once: may the router try the
 * next MID after this outcome?
 * @module
 */
import type { MidRuntime } from '../accounts';
import type { GatewayApproved, GatewayDeclined, GatewayLookupResult, GatewayRequiresAction, GatewayResult } from '../adapter';
import type { RouterContext } from '../context';
import { normalizeWithTables } from '../declines/normalize';
import { DECLINE_REASONS, type DeclineReason, type NormalizedDecline } from '../declines/reasons';

/** The outcome of one attempt, as the ledger settles it. */
export type Outcome =
  | { kind: 'approved'; answer: GatewayApproved }
  | { kind: 'declined'; answer: GatewayDeclined; decline: NormalizedDecline }
  | { kind: 'requires_action'; answer: GatewayRequiresAction }
  /** A clear error: the gateway did not process the request. */
  | { kind: 'error'; message: string; code?: string | undefined; merchantError?: boolean | undefined }
  /** The gateway proved it did nothing (a lookup found no such payment). */
  | { kind: 'not_found'; message: string }
  /** A 3-D Secure challenge expired without a completion: nothing was charged. */
  | { kind: 'expired'; message: string }
  /** Unknown: the gateway may have processed it. Nothing to settle; the attempt stays pending. */
  | { kind: 'ambiguous'; message: string }
  /**
   * An approved follow-up the gateway later reports failed (a notification: a refund the network
   * returned, a capture the scheme rejected): its money effect is undone.
   */
  | { kind: 'reversed'; message: string; code?: string | undefined };

/** An outcome that settles an attempt. */
export type SettlingOutcome = Exclude<Outcome, { kind: 'ambiguous' }>;

/** The standard reason of a gateway decline, with the MID's own table and the merchant's rules. */
export function declineOf(ctx: RouterContext, mid: MidRuntime, d: GatewayDeclined): NormalizedDecline {
  return normalizeWithTables(
    { gateway: mid.adapter.gateway, code: d.code, message: d.message, advice: d.advice, cvvResult: d.cvvResult, avsResult: d.avsResult },
    { rules: ctx.declineRules, mid: mid.id, table: mid.adapter.declineTable },
  );
}

/** Turn an adapter's answer into an outcome. */
export function outcomeOf(ctx: RouterContext, mid: MidRuntime, r: GatewayResult | GatewayLookupResult): Outcome {
  switch (r.status) {
    case 'approved':
      return { kind: 'approved', answer: r };
    case 'declined':
      return { kind: 'declined', answer: r, decline: declineOf(ctx, mid, r) };
    case 'requires_action':
      return { kind: 'requires_action', answer: r };
    case 'not_found':
      return { kind: 'not_found', message: `${mid.adapter.gateway} has no record of this payment: nothing was charged` };
    case 'error':
      return r.ambiguous
        ? { kind: 'ambiguous', message: r.message }
        : { kind: 'error', message: r.message, code: r.code, merchantError: r.merchantError };
  }
}

/** May a profile's policy send this decline to the next MID? */
export function mayCascadeDecline(d: NormalizedDecline, cascadeOn: ReadonlySet<DeclineReason>): boolean {
  if (!cascadeOn.has(d.reason)) return false;
  // Whatever a profile lists, these never cascade: the issuer will say no everywhere, or another
  // gateway cannot help (funds), or the next step is 3-D Secure on the same MID.
  if (d.category === 'hard' || d.retry === 'never' || d.retry === 'with_authentication') return false;
  if (d.reason === 'insufficient_funds') return false;
  // Merchant advice (e.g. MAC 24–30, confirm_card_data) can turn off a reason's default cascade.
  if (!d.cascade && DECLINE_REASONS[d.reason].cascade) return false;
  return true;
}

/**
 * The cascade rule: a soft decline the profile lists, or a clear gateway error (nothing was
 * processed), may go to the next MID. An approval, a challenge, and above all an ambiguous
 * outcome (the first gateway may have charged) never do.
 */
export function canCascade(outcome: Outcome, cascadeOn: ReadonlySet<DeclineReason>): boolean {
  if (outcome.kind === 'declined') return mayCascadeDecline(outcome.decline, cascadeOn);
  return outcome.kind === 'error';
}
