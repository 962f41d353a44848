/**
 * Pre-authorization holds (verify on a MID without zero-amount verification): the hold is
 * voided at once; a failed void is retried, surfaced as an event, and kept as a pending
 * `hold_release` marker in the ledger until `releaseHolds` succeeds. Never forgotten.
 * @module
 */
import type { RouterContext } from '../context';
import type { TransactionRecord } from '../store/types';
import { HOLD_RELEASE } from '../transaction/states';
import { planFollowUp, sendFollowUp } from '../attempt/follow-up';

export { HOLD_RELEASE } from '../transaction/states';
const RETRY_DELAYS_MS = [0, 200, 1_000];

/**
 * Void a verification hold (its marker was written with the approval), retrying a few times.
 * True when the gateway confirmed the release.
 */
export async function releaseHold(ctx: RouterContext, transactionId: string): Promise<boolean> {
  const marker = (await ctx.store.listAttempts(transactionId)).find((a) => a.marker === HOLD_RELEASE && a.status === 'pending');
  return marker ? settleMarker(ctx, marker.id, transactionId) : false;
}

async function settleMarker(ctx: RouterContext, markerId: string, transactionId: string): Promise<boolean> {
  let last = '';
  for (const delay of RETRY_DELAYS_MS) {
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const tx = await ctx.store.getTransaction(transactionId);
    const why = !tx ? `no transaction ${transactionId}` : tx.status === 'voided' ? undefined : await voidHold(ctx, tx);
    if (why !== undefined) last = why;
    else {
      await ctx.store.write({
        attempt: {
          id: markerId,
          from: ['pending'],
          patch: { status: 'approved', message: 'verification hold released', settledAt: ctx.clock() },
        },
      });
      ctx.events.emit('hold:released', { transactionId, mid: tx!.mid! });
      return true;
    }
  }
  const tx = await ctx.store.getTransaction(transactionId);
  ctx.events.emit('hold:release_failed', { transactionId, mid: tx?.mid ?? '', message: last });
  return false;
}

/** Void the hold once on its MID; undefined when the gateway confirmed, else why not. */
async function voidHold(ctx: RouterContext, tx: TransactionRecord): Promise<string | undefined> {
  const plan = planFollowUp(ctx, 'void', tx);
  if (!('move' in plan)) return plan.message;
  // Without a key the opening write has no claim, so a conflict can only be a refusal.
  const sent = await sendFollowUp(ctx, plan);
  if ('conflict' in sent) return sent.conflict === 'refused' ? sent.refusal.message : 'conflict';
  return sent.isOk() ? undefined : sent.error.message;
}

/**
 * Retry the release of every verification hold still pending (run it on a schedule, e.g. with
 * reconciliation). Returns how many were released and how many are still held.
 */
export async function releaseHolds(ctx: RouterContext): Promise<{ released: number; pending: number }> {
  const markers = (await ctx.store.listPendingAttempts(ctx.clock() + 1)).filter((a) => a.marker === HOLD_RELEASE);
  let released = 0;
  for (const m of markers) if (await settleMarker(ctx, m.id, m.transactionId)) released++;
  return { released, pending: markers.length - released };
}
