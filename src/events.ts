/**
 * Typed router events (eventemitter3). Events carry BIN + last four at most: never a PAN or CVC.
 * A listener can never change a result: it receives a frozen copy of the payload, and what it
 * throws (or rejects) is caught and reported as an `error` event (or a process warning when no
 * one listens to `error`), while the operation goes on.
 * @module
 */
import EventEmitter from 'eventemitter3';
import { redact } from './card/redact';
import type { NormalizedDecline } from './declines/reasons';
import type { NotificationKind } from './notifications';
import type { DisputeLevelFigures } from './monitoring/state';
import type { CapWindow, DisputeRecord, NotificationStatus } from './store/types';
import type { AttemptSummary, Operation, RequiredAction } from './types';

/** The attempt an event is about: `attempt`, `accepted`, `action:expired`. */
export interface AttemptEvent {
  transactionId: string;
  attemptId: string;
  mid: string;
  gateway: string;
  operation: Operation;
  amount: number;
  currency: string;
}

/** Payloads of every router event. */
export interface RouterEvents {
  /** A gateway call is about to be made. */
  attempt: AttemptEvent & { maskedCard?: string | undefined };
  /** An operation was approved. */
  approved: {
    transactionId: string;
    mid: string;
    gateway: string;
    operation: Operation;
    amount: number;
    currency: string;
    maskedCard?: string | undefined;
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
    maskedCard?: string | undefined;
  };
  /** The issuer asks the cardholder to authenticate (3-D Secure) on this MID. */
  requires_action: { transactionId: string; attemptId: string; mid: string; gateway: string; operation: Operation; action: RequiredAction };
  /** A request was refused before any gateway call (validation, rule, no eligible MID, network rule…). */
  rejected: { operation: Operation; rejection: string; message: string; field?: string | undefined; transactionId?: string | undefined };
  /** A result was answered from its idempotency record, without a gateway call. */
  replayed: { operation: Operation; transactionId?: string | undefined; ok: boolean };
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
  'pin:moved': {
    subscriptionId: string;
    fromMid: string;
    toMid: string;
    reason: string;
    /** What the new MID charges it with: a token that works there, the card again (re-tokenization), or nothing until the customer comes back. */
    credential?: 'as_is' | 'retokenize' | 'needs_customer' | undefined;
  };
  /** A verification hold (pre-authorization) was voided. */
  'hold:released': { transactionId: string; mid: string };
  /** A verification hold could not be voided after retries: `releaseHolds()` will try again; the hold is in the ledger. */
  'hold:release_failed': { transactionId: string; mid: string; message: string };
  /** The issuer revoked a subscription's authorization: the merchant must cancel it. */
  'subscription:revoked': { subscriptionId: string; mid: string; reason: string };
  /**
   * Something went wrong that did not change a result: a listener threw, or the ledger refused a
   * state change that its state machine does not allow. Messages are redacted.
   */
  error: {
    source: 'listener' | 'state_machine' | 'store' | 'vault';
    event?: string | undefined;
    transactionId?: string | undefined;
    message: string;
  };
  /** A 3-D Secure challenge expired without a completion: the transaction failed (`authentication_abandoned`), its cap reservation was released. */
  'action:expired': AttemptEvent;
  /** A gateway accepted a capture, void or refund and decides it later: the outcome comes by notification. */
  accepted: AttemptEvent;
  /** A verified gateway notification was handled: what it was and what it did (`duplicate`: a redelivery). */
  webhook: {
    mid: string;
    gateway: string;
    id: string;
    kind: NotificationKind;
    eventType: string;
    outcome: NotificationStatus | 'duplicate';
    transactionId?: string | undefined;
    change: string;
  };
  /** A notification matched no transaction of ours: kept for review (`router.notifications({ status: 'unmatched' })`). */
  'webhook:unmatched': {
    mid: string;
    gateway: string;
    id: string;
    kind: NotificationKind;
    eventType: string;
    reference?: string | undefined;
    gatewayId?: string | undefined;
  };
  /** A capture the gateway accepted failed (or was rejected after success): the authorization is back. */
  'capture:failed': FollowUpFailed;
  /** A refund failed (at once or later): its amount is refundable again. */
  'refund:failed': FollowUpFailed;
  /** A void the gateway accepted failed: the transaction is back where it was. */
  'void:failed': FollowUpFailed;
  /** An authorization expired uncaptured; its cap reservation went back. */
  'authorization:expired': { transactionId: string; mid: string; gateway: string; amount: number; currency: string };
  /** A 3-D Secure challenge was finished and reported by notification (before or instead of the shopper's return). */
  'threeds:completed': { transactionId: string; mid: string; gateway: string; outcome: 'approved' | 'declined' };
  /** An issuer's fraud report (Visa TC40 / Mastercard SAFE, Stripe early fraud warning); a dispute may follow. */
  'fraud:warning': {
    mid: string;
    gateway: string;
    transactionId?: string | undefined;
    type?: string | undefined;
    reasonCode?: string | undefined;
    amount?: number | undefined;
    currency?: string | undefined;
  };
  /** A dispute was opened (chargeback or inquiry). */
  'dispute:opened': { dispute: DisputeRecord };
  /** A dispute moved on (evidence, review, pre-arbitration). */
  'dispute:updated': { dispute: DisputeRecord };
  /** A dispute was decided for the merchant. */
  'dispute:won': { dispute: DisputeRecord };
  /** A dispute was decided for the cardholder. */
  'dispute:lost': { dispute: DisputeRecord };
  /**
   * Chargeback monitoring: a MID's Visa-style or Mastercard-style ratio reached the merchant's
   * `warnAt` (level `warn`) or `pauseAt` (level `pause`), with the figures. Once per MID, month and level.
   */
  'mid:dispute_warning': DisputeLevelFigures;
  /** Chargeback monitoring: a MID reached `pauseAt` and takes no new initial sales until resumed (`setMidEnabled`) or the month ends. */
  'mid:dispute_pause': DisputeLevelFigures;
}

/** Payload of `capture:failed`, `refund:failed` and `void:failed`. */
export interface FollowUpFailed {
  transactionId: string;
  attemptId: string;
  mid: string;
  gateway: string;
  amount: number;
  currency: string;
  /** The gateway's reason (redacted). */
  message?: string | undefined;
}

/** Names of the router's events. */
export type RouterEventName = keyof RouterEvents;

/** Every router event name, e.g. to subscribe a logger to all of them. */
export const ROUTER_EVENTS = [
  'attempt',
  'approved',
  'declined',
  'requires_action',
  'rejected',
  'replayed',
  'cascade',
  'ambiguous',
  'cap:reached',
  'circuit:open',
  'circuit:close',
  'mid:disabled',
  'reconciled',
  'pin:created',
  'pin:moved',
  'hold:released',
  'hold:release_failed',
  'subscription:revoked',
  'error',
  'action:expired',
  'accepted',
  'webhook',
  'webhook:unmatched',
  'capture:failed',
  'refund:failed',
  'void:failed',
  'authorization:expired',
  'threeds:completed',
  'fraud:warning',
  'dispute:opened',
  'dispute:updated',
  'dispute:won',
  'dispute:lost',
  'mid:dispute_warning',
  'mid:dispute_pause',
] as const satisfies readonly RouterEventName[];

/** A listener of one event. */
export type RouterListener<K extends RouterEventName> = (payload: RouterEvents[K]) => unknown;

/** Deep copy and freeze of plain data: what every listener receives. */
function frozenCopy<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> | unknown[] = Array.isArray(v) ? v.map(frozenCopy) : {};
  if (!Array.isArray(v))
    for (const k of Object.keys(v)) (out as Record<string, unknown>)[k] = frozenCopy((v as Record<string, unknown>)[k]);
  return Object.freeze(out) as T;
}

function describe(e: unknown): string {
  try {
    return redact(e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 500);
  } catch {
    return 'a value that cannot be printed';
  }
}

/** The router's event emitter: typed, and no listener can break or change an operation. */
export class RouterEmitter {
  private readonly ee = new EventEmitter();

  /** `tap` hears every event before the listeners (the router's observer: logs and metrics); it must not throw. */
  constructor(private readonly tap?: ((event: RouterEventName, payload: unknown) => void) | undefined) {}

  /** Add a listener. */
  on<K extends RouterEventName>(event: K, listener: RouterListener<K>): void {
    this.ee.on(event, listener as never);
  }

  /** Remove a listener. */
  off<K extends RouterEventName>(event: K, listener: RouterListener<K>): void {
    this.ee.off(event, listener as never);
  }

  /** Whether anything listens to `event`, the tap included (so a payload need not be built for nobody). */
  has(event: RouterEventName): boolean {
    return this.tap !== undefined || this.ee.listenerCount(event) > 0;
  }

  /** Remove every listener. */
  clear(): void {
    this.ee.removeAllListeners();
  }

  /** Call every listener of `event` with a frozen copy of `payload`; never throws. */
  emit<K extends RouterEventName>(event: K, payload: RouterEvents[K]): void {
    this.tap?.(event, payload);
    const listeners = this.ee.listeners(event) as Array<RouterListener<K>>;
    if (listeners.length === 0) return;
    const copy = frozenCopy(payload);
    for (const fn of listeners) {
      try {
        const r = fn(copy) as { then?: unknown } | undefined;
        if (r && typeof r.then === 'function') (r as Promise<unknown>).then(undefined, (e: unknown) => this.listenerFailed(event, e));
      } catch (e) {
        this.listenerFailed(event, e);
      }
    }
  }

  /** Report a problem that changed no result (see the `error` event). */
  report(payload: RouterEvents['error']): void {
    if (this.ee.listenerCount('error') > 0) this.emit('error', payload);
    else process.emitWarning(`switchyard: ${payload.message}`, { code: 'SWITCHYARD_ERROR' });
  }

  private listenerFailed(event: RouterEventName, e: unknown): void {
    // A throwing `error` listener is not reported again (no loop); it is warned about once per throw.
    if (event === 'error') {
      process.emitWarning(`switchyard: an "error" listener threw: ${describe(e)}`, { code: 'SWITCHYARD_ERROR' });
      return;
    }
    this.report({ source: 'listener', event, message: `a listener of "${event}" threw: ${describe(e)}` });
  }
}
