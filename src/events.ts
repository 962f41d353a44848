/**
 * Typed router events (eventemitter3). Events carry BIN + last four at most: never a PAN or CVC.
 * @module
 */
import type { NormalizedDecline } from './declines/reasons';
import type { AttemptSummary, Operation } from './types';
import type { CapWindow } from './store/types';

/** Payloads of every router event. */
export interface RouterEvents {
  /** A gateway call is about to be made. */
  attempt: {
    transactionId: string;
    attemptId: string;
    mid: string;
    gateway: string;
    operation: Operation;
    amount: number;
    currency: string;
    maskedCard?: string;
  };
  /** An operation was approved. */
  approved: {
    transactionId: string;
    mid: string;
    gateway: string;
    operation: Operation;
    amount: number;
    currency: string;
    maskedCard?: string;
    attempts: AttemptSummary[];
  };
  /** A gateway declined. */
  declined: {
    transactionId: string;
    attemptId: string;
    mid: string;
    gateway: string;
    operation: Operation;
    decline: NormalizedDecline;
    maskedCard?: string;
  };
  /** The router moves on to the next MID after a soft decline or a clear error. */
  cascade: { transactionId: string; fromMid: string; reason: string };
  /** Outcome unknown: recorded for reconciliation, never cascaded. */
  ambiguous: { transactionId: string; attemptId: string; mid: string; gateway: string; message: string };
  /** A MID's cap has no room for an amount. */
  'cap:reached': { mid: string; window: CapWindow; key: string; amount: number };
  /** A MID's circuit opened after consecutive gateway errors. */
  'circuit:open': { mid: string; failures: number; until: number; reason: string };
  /** A MID's circuit closed again. */
  'circuit:close': { mid: string };
  /**
   * The router disabled a MID for new sales: its gateway refused our credentials or the MID's setup
   * `failures` times in a row. Fix the account, then `router.setMidEnabled(mid, true)`.
   */
  'mid:disabled': { mid: string; gateway: string; failures: number; reason: string };
  /** Reconciliation settled a pending attempt with the gateway's answer (`approved`, `declined` or `not_found`). */
  reconciled: {
    transactionId: string;
    attemptId: string;
    mid: string;
    gateway: string;
    operation: Operation;
    outcome: 'approved' | 'declined' | 'not_found';
    amount: number;
    currency: string;
  };
  /** A subscription was pinned to the MID of its initial transaction. */
  'pin:created': { subscriptionId: string; mid: string; transactionId: string };
  /** A subscription was moved to another MID (audited). */
  'pin:moved': { subscriptionId: string; fromMid: string; toMid: string; reason: string };
  /** A verification hold (pre-authorization) was voided. */
  'hold:released': { transactionId: string; mid: string };
  /** A verification hold could not be voided after retries: `releaseHolds()` will try again; the hold is in the ledger. */
  'hold:release_failed': { transactionId: string; mid: string; message: string };
  /** The issuer revoked a subscription's authorization: the merchant must cancel it. */
  'subscription:revoked': { subscriptionId: string; mid: string; reason: string };
}

/** Names of the router's events. */
export type RouterEventName = keyof RouterEvents;

/** eventemitter3 listener map for `RouterEvents`. */
export type RouterEventListeners = { [K in RouterEventName]: (payload: RouterEvents[K]) => void };
