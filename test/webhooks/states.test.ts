/**
 * The state changes notifications need, as data: an approved follow-up can be reversed (and
 * nothing after), a capture rejected after success gives the authorization back, a full refund
 * that failed goes back to captured. A dispute follows its latest event whatever order the
 * events arrive in (property), and its category comes from the network reason code first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { disputeCategory, nextDispute } from '../../src/disputes';
import type { DisputeStatus, GatewayNotification } from '../../src/notifications';
import type { DisputeRecord } from '../../src/store/types';
import { ATTEMPT_TRANSITIONS, canMove, canMoveAttempt } from '../../src/transaction/states';

describe('transitions for notifications', () => {
  it('approved → reversed is the only way out of approved; reversed is final', () => {
    expect(ATTEMPT_TRANSITIONS.approved).toEqual(['reversed']);
    for (const to of Object.keys(ATTEMPT_TRANSITIONS)) expect(canMoveAttempt('reversed', to as never)).toBe(false);
    expect(canMoveAttempt('accepted', 'approved')).toBe(true);
    expect(canMoveAttempt('accepted', 'declined')).toBe(true);
    expect(canMoveAttempt('declined', 'reversed')).toBe(false);
  });

  it('a capture rejected after success takes a transaction back to authorized; a failed full refund back to captured', () => {
    expect(canMove('captured', 'authorized')).toBe(true);
    expect(canMove('refunded', 'captured')).toBe(true);
    expect(canMove('refunded', 'refund_pending')).toBe(true);
    expect(canMove('voided', 'captured')).toBe(false);
    expect(canMove('expired', 'authorized')).toBe(false);
  });
});

describe('dispute records follow the latest event', () => {
  const STATUSES: DisputeStatus[] = ['inquiry', 'needs_response', 'under_review', 'won', 'lost'];
  const RANK: Record<DisputeStatus, number> = { inquiry: 0, needs_response: 1, under_review: 2, won: 3, lost: 3 };
  const event = (i: number, at: number, status: DisputeStatus, reasonCode?: string): GatewayNotification => ({
    id: `e${i}`,
    kind: 'dispute_updated',
    eventType: `stage-${i}`,
    occurredAt: at,
    dispute: { id: 'dp_1', status, category: reasonCode ? disputeCategory(reasonCode) : 'other', ...(reasonCode && { reasonCode }) },
  });

  it('in any delivery order the status is the latest event’s, openedAt the earliest, facts kept (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 20 }), status: fc.constantFrom(...STATUSES) }), { minLength: 1, maxLength: 6 }),
        fc.func(fc.integer()),
        (stages, shuffleKey) => {
          const events = stages.map((s, i) => event(i, 1_000 + s.at * 1_000, s.status, i === 0 ? '10.4' : undefined));
          const order = events
            .map((e, i) => ({ e, k: shuffleKey(i) }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          let record: DisputeRecord | undefined;
          for (const e of order) record = nextDispute(record, e.dispute!, e, { mid: 'm', gateway: 'g', transactionId: 'tx' }, 0);
          const latest = Math.max(...events.map((e) => e.occurredAt!));
          const top = Math.max(...events.filter((e) => e.occurredAt === latest).map((e) => RANK[e.dispute!.status]));
          expect(record!.lastEventAt).toBe(latest);
          expect(RANK[record!.status]).toBe(top);
          expect(record!.openedAt).toBe(Math.min(...events.map((e) => e.occurredAt!)));
          expect(record!.reasonCode).toBe('10.4');
          expect(record!.category).toBe('fraud');
          expect(record!.revision).toBe(events.length);
          expect(record!.closedAt !== undefined).toBe(record!.status === 'won' || record!.status === 'lost');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('dispute categories', () => {
  it.each([
    ['10.4', undefined, 'fraud'],
    [' 4837', undefined, 'fraud'],
    ['13.1', undefined, 'not_received'],
    ['4855', undefined, 'not_received'],
    ['13.2', undefined, 'subscription_cancelled'],
    ['4841', undefined, 'subscription_cancelled'],
    ['13.3', undefined, 'not_as_described'],
    ['12.6.1', undefined, 'duplicate'],
    ['13.6', undefined, 'credit_not_processed'],
    ['4853', 'not_as_described', 'not_as_described'],
    ['4853', undefined, 'other'],
    [undefined, 'duplicate', 'duplicate'],
    [undefined, undefined, 'other'],
  ] as const)('%s (gateway says %s) → %s', (code, gateway, expected) => {
    expect(disputeCategory(code, gateway)).toBe(expected);
  });
});
