/**
 * `router.handleWebhook({ mid, headers, body })`: a gateway's signed notification, applied to the
 * ledger. The MID's adapter checks the signature on the raw bytes and normalizes the body; each
 * notification is then recorded exactly once, in the same store write as the change it causes:
 * - payment results (an asynchronous payment, a 3-D Secure challenge finished) and follow-up
 *   outcomes (an accepted capture, void or refund; a refund that failed later) go through
 *   `settle`, so the state machine decides what an early or late notification may change;
 * - disputes update their `DisputeRecord` (the gateway's latest event wins, whatever the order);
 * - a notification no transaction matches is kept (`unmatched`) for review; one the ledger's
 *   state does not allow yet is kept `deferred`; `reconcile()` tries both again later (a payment
 *   whose gateway id the ledger learns from reconciliation can match then).
 * A redelivery finds its id recorded and changes nothing. Only a store failure answers an error
 * (the gateway then retries): nothing else makes a gateway retry forever.
 * @module
 */
import { Err, Ok, type Result } from 'ts-results-es';
import type { MidRuntime } from '../accounts';
import type { GatewayApproved, GatewayDeclined } from '../adapter';
import { declineOf, type SettlingOutcome } from '../attempt/outcome';
import { expireAuthorization, type Settled, settle, settleChargeback } from '../attempt/settle';
import { redact } from '../card/redact';
import type { RouterContext } from '../context';
import { isLatest, nextDispute } from '../disputes';
import { checkDisputeLevels } from '../monitoring/brake';
import { increments } from '../monitoring/counts';
import { disputeEffect } from '../monitoring/disputes';
import { monthKey } from '../monitoring/month';
import {
  type GatewayNotification,
  NOTIFICATION_KINDS,
  type NotificationKind,
  type WebhookAnswer,
  type WebhookParseResult,
} from '../notifications';
import type { AttemptRecord, DisputeRecord, NotificationRecord, NotificationStatus, StoreWrite, TransactionRecord } from '../store/types';
import { newId } from '../transaction/ids';
import { summaryOf } from '../transaction/results';
import { FOLLOW_UP_FROM, OPEN_STATES } from '../transaction/states';
import type { Failure, RejectedFailure } from '../types';
import { validateId } from './validate';

/** One webhook request, as the HTTP framework received it. */
export interface WebhookInput {
  /** The MID whose endpoint received it (one URL per MID, e.g. `/webhooks/:mid`). */
  mid: string;
  /** The request headers (any case; Node's `req.headers` fits). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw body exactly as received: a Buffer/Uint8Array or its UTF-8 string, never a parsed object. */
  body: string | Uint8Array;
}

/** What became of one notification of a request. */
export interface ReceivedNotification {
  /** The notification's id within its MID. */
  id: string;
  kind: NotificationKind;
  /** The gateway's name of the event. */
  eventType: string;
  /** `duplicate`: recorded before (a redelivery), nothing changed. */
  outcome: NotificationStatus | 'duplicate';
  transactionId?: string | undefined;
  attemptId?: string | undefined;
  disputeId?: string | undefined;
  /** What it changed, in words. */
  change: string;
}

/** The answer of `handleWebhook`: what the request held, what it changed, and what to answer the gateway. */
export interface WebhookReceipt {
  mid: string;
  gateway: string;
  notifications: ReceivedNotification[];
  /** The HTTP answer to send (e.g. Adyen: 202 `[accepted]`). */
  response: { status: number; body: string; headers: Record<string, string> };
}

const MAX_TEXT = 500;
const MAX_BODY = 1_000_000;

/** Verify, record and apply a webhook request. Never throws. */
export async function handleWebhook(ctx: RouterContext, input: unknown): Promise<Result<WebhookReceipt, Failure>> {
  const read = readInput(ctx, input);
  if ('kind' in read) return Err(read);
  const { mid, headers, body } = read;
  const webhooks = mid.adapter.webhooks!;
  let parsed: WebhookParseResult;
  try {
    parsed = webhooks.parse({ headers, body, now: ctx.clock() });
  } catch (e) {
    parsed = { ok: false, reason: 'webhook_malformed', message: `the adapter could not read it (${describe(e)})` };
  }
  if (!parsed?.ok) {
    const why = parsed && !parsed.ok ? parsed : { reason: 'webhook_malformed' as const, message: 'no answer from the adapter' };
    return Err(refusal(why.reason, `${mid.id}: ${why.reason === 'webhook_signature' ? 'signature' : 'body'}: ${clean(why.message)}`));
  }
  const notifications: GatewayNotification[] = [];
  for (const n of parsed.notifications ?? []) {
    const checked = checkNotification(n);
    if (!checked) return Err(refusal('webhook_malformed', `${mid.id}: body: a notification without an id or a known kind`));
    notifications.push(checked);
  }
  const received: ReceivedNotification[] = [];
  try {
    for (const n of notifications) {
      const r = await applyNotification(ctx, mid, n);
      received.push(r);
      ctx.events.emit('webhook', {
        mid: mid.id,
        gateway: mid.adapter.gateway,
        id: n.id,
        kind: n.kind,
        eventType: n.eventType,
        outcome: r.outcome,
        transactionId: r.transactionId,
        change: r.change,
      });
    }
  } catch (e) {
    ctx.events.report({ source: 'store', message: `webhook on ${mid.id}: ${describe(e)}` });
    return Err({
      kind: 'error',
      attempts: [],
      message: `webhook on ${mid.id} could not be recorded (${describe(e)}); answer an error so the gateway sends it again`,
    });
  }
  return Ok({ mid: mid.id, gateway: mid.adapter.gateway, notifications: received, response: responseOf(webhooks.answer) });
}

function responseOf(a: WebhookAnswer): WebhookReceipt['response'] {
  return { status: a.status, body: a.body, headers: { 'content-type': a.contentType } };
}

function refusal(rejection: RejectedFailure['rejection'], message: string, field?: string): RejectedFailure {
  return { kind: 'rejected', rejection, message, attempts: [], ...(field && { field }) };
}

/** Check and normalize the input: the MID, its webhook support, headers in lower case, the raw bytes. */
function readInput(
  ctx: RouterContext,
  input: unknown,
): { mid: MidRuntime; headers: Record<string, string | undefined>; body: Uint8Array } | RejectedFailure {
  if (typeof input !== 'object' || input === null) return refusal('validation', 'input: must be { mid, headers, body }', 'input');
  try {
    const { mid: midId, headers, body } = input as Record<string, unknown>;
    const badId = validateId(midId, 'mid');
    if (badId) return refusal('validation', `mid: ${badId.message}`, 'mid');
    const mid = ctx.mids.get(midId as string);
    if (!mid) return refusal('validation', `mid: no merchant account "${String(midId).slice(0, 64)}"`, 'mid');
    if (!mid.adapter.webhooks) {
      return refusal('operation_not_supported', `${mid.id}: its adapter verifies no webhooks (give the adapter its webhookSecret)`, 'mid');
    }
    if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return refusal(
        'validation',
        'body: must be the raw body as received (a Buffer, Uint8Array or string), not a parsed object: a JSON body parser re-serialises it and no signature verifies',
        'body',
      );
    }
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (bytes.byteLength > MAX_BODY) return refusal('webhook_malformed', `body: larger than ${MAX_BODY} bytes`, 'body');
    if (typeof headers !== 'object' || headers === null)
      return refusal('validation', 'headers: must be an object of header names', 'headers');
    const lower: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(headers)) {
      const value = Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(',') : typeof v === 'string' ? v : undefined;
      if (value !== undefined) lower[k.toLowerCase()] = value;
    }
    return { mid, headers: lower, body: bytes };
  } catch {
    return refusal('validation', 'input: could not be read (a getter threw)', 'input');
  }
}

const KINDS = new Set<string>(NOTIFICATION_KINDS);
const str = (v: unknown, max = MAX_TEXT) => (typeof v === 'string' && v.length > 0 ? redact(v).slice(0, max) : undefined);
/**
 * A gateway's own id: kept as it is (bounded), as the adapter boundary keeps the ids of a call's
 * answer, so a notification matches the payment even when its id is written like a card number.
 * Anything but one token is free text and is redacted.
 */
const gatewayIdOf = (v: unknown, max = 200) => (typeof v === 'string' && /^[\x21-\x7e]+$/.test(v) ? v.slice(0, max) : str(v, max));
const num = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
const time = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** An adapter's notification, checked and with its untrusted text redacted and bounded (undefined when unusable). */
function checkNotification(n: GatewayNotification): GatewayNotification | undefined {
  if (!n || typeof n !== 'object' || typeof n.id !== 'string' || n.id.length === 0 || n.id.length > 400 || !KINDS.has(n.kind)) {
    return undefined;
  }
  const d = n.dispute;
  return {
    id: n.id,
    kind: n.kind,
    eventType: str(n.eventType, 100) ?? n.kind,
    ...(time(n.occurredAt) !== undefined && { occurredAt: time(n.occurredAt) }),
    ...(str(n.reference, 200) && { reference: str(n.reference, 200) }),
    ...(gatewayIdOf(n.gatewayId) && { gatewayId: gatewayIdOf(n.gatewayId) }),
    ...(str(n.paymentReference, 200) && { paymentReference: str(n.paymentReference, 200) }),
    ...(gatewayIdOf(n.paymentGatewayId) && { paymentGatewayId: gatewayIdOf(n.paymentGatewayId) }),
    ...(num(n.amount) !== undefined && { amount: num(n.amount) }),
    ...(str(n.currency, 3) && { currency: str(n.currency, 3) }),
    ...(str(n.code, 100) && { code: str(n.code, 100) }),
    ...(str(n.message) && { message: str(n.message) }),
    ...(d &&
      typeof d === 'object' &&
      gatewayIdOf(d.id) && {
        dispute: {
          id: gatewayIdOf(d.id)!,
          status: d.status,
          category: d.category,
          ...(str(d.reasonCode, 20) && { reasonCode: str(d.reasonCode, 20) }),
          ...(str(d.reason, 200) && { reason: str(d.reason, 200) }),
          ...(num(d.amount) !== undefined && { amount: num(d.amount) }),
          ...(str(d.currency, 3) && { currency: str(d.currency, 3) }),
          ...(time(d.dueBy) !== undefined && { dueBy: time(d.dueBy) }),
        },
      }),
    ...(n.fraud && typeof n.fraud === 'object' && { fraud: { type: str(n.fraud.type, 100), reasonCode: str(n.fraud.reasonCode, 20) } }),
  };
}

function describe(e: unknown): string {
  try {
    return clean(e instanceof Error ? e.message : String(e));
  } catch {
    return 'an unprintable error';
  }
}

const clean = (s: string) => redact(s).slice(0, 300);

/** What one notification did; `write` builds its record for the store write that applies it. */
interface Applying {
  ctx: RouterContext;
  mid: MidRuntime;
  n: GatewayNotification;
  /** The record as it was (a deferred or unmatched notification tried again), if any. */
  seen?: NotificationRecord | undefined;
  record(status: NotificationStatus, extra: Partial<NotificationRecord>): Pick<StoreWrite, 'notification'>;
}

const PAYMENT_OPS = new Set(['sale', 'authorize', 'verify', 'rebill']);
const FOLLOW_UP_KINDS: Partial<Record<NotificationKind, 'capture' | 'void' | 'refund'>> = {
  capture_failed: 'capture',
  refund_succeeded: 'refund',
  refund_failed: 'refund',
  authorization_voided: 'void',
  void_failed: 'void',
};

/** Statuses of a recorded notification that may still be applied (by a redelivery or `reconcile()`). */
export const RETRIED: ReadonlySet<NotificationStatus> = new Set(['deferred', 'unmatched']);

/** Record and apply one notification (exactly once). Also used by `reconcile()` for deferred and unmatched ones. */
export async function applyNotification(
  ctx: RouterContext,
  mid: MidRuntime,
  n: GatewayNotification,
  previous?: NotificationRecord,
): Promise<ReceivedNotification> {
  const id = `${mid.id}:${n.id}`;
  const seen = previous ?? (await ctx.store.getNotification(id));
  const base = { id: n.id, kind: n.kind, eventType: n.eventType };
  if (seen && !RETRIED.has(seen.status)) {
    return { ...base, outcome: 'duplicate', transactionId: seen.transactionId, change: 'already recorded: nothing changed' };
  }
  const now = ctx.clock();
  const a: Applying = {
    ctx,
    mid,
    n,
    seen,
    record: (status, extra) => ({
      notification: {
        record: {
          id,
          mid: mid.id,
          gateway: mid.adapter.gateway,
          status,
          notification: n,
          receivedAt: seen?.receivedAt ?? now,
          updatedAt: now,
          ...extra,
        },
        ...(seen && { from: [seen.status] }),
      },
    }),
  };
  // A race with another delivery or our own call: look again at what the ledger holds (bounded).
  for (let round = 0; round < 4; round++) {
    const r = await applyOnce(a);
    if (r !== 'retry') return { ...base, ...r };
  }
  return { ...base, ...(await keep(a, 'deferred', 'the ledger kept changing while applying it: deferred to reconcile()')) };
}

type Done = Omit<ReceivedNotification, 'id' | 'kind' | 'eventType'>;
type Applied = Done | 'retry';

/** Write the notification's record alone (nothing else to change). */
async function keep(a: Applying, status: NotificationStatus, change: string, where: Partial<NotificationRecord> = {}): Promise<Done> {
  const done = await a.ctx.store.write(a.record(status, { note: change, ...where }));
  if (!done.ok) return { outcome: 'duplicate', transactionId: where.transactionId, change: 'already recorded: nothing changed' };
  if (status === 'unmatched') {
    a.ctx.events.emit('webhook:unmatched', {
      mid: a.mid.id,
      gateway: a.mid.adapter.gateway,
      id: a.n.id,
      kind: a.n.kind,
      eventType: a.n.eventType,
      reference: a.n.reference ?? a.n.paymentReference,
      gatewayId: a.n.gatewayId ?? a.n.paymentGatewayId,
    });
  }
  if (status === 'conflict') {
    a.ctx.events.report({
      source: 'state_machine',
      transactionId: where.transactionId,
      message: `${a.mid.id} notification ${a.n.id}: ${change}`,
    });
  }
  return { outcome: status, transactionId: where.transactionId, attemptId: where.attemptId, change };
}

async function applyOnce(a: Applying): Promise<Applied> {
  const { n } = a;
  if (n.kind === 'informational') return keep(a, 'recorded', `${n.eventType}: nothing to change`);
  const target = await findTarget(a);
  // Tried again and still matching nothing: left as it is.
  if (!target && a.seen?.status === 'unmatched') return { outcome: 'unmatched', change: 'still no transaction of ours matches it' };
  if (n.kind.startsWith('dispute_')) return applyDispute(a, target?.transaction);
  if (!target) return keep(a, 'unmatched', 'no transaction of ours matches it: kept for review');
  const tx = target.transaction;
  if (n.kind === 'fraud_warning') {
    // Chargeback monitoring: counted once with the notification's record (Visa-style ratio numerator).
    const month = monthKey(n.occurredAt ?? a.ctx.clock(), a.ctx.monitoring.options.timeZone);
    const counted = await a.ctx.store.write({
      ...a.record('recorded', { transactionId: tx.id, note: 'fraud warning recorded' }),
      monitor: { counts: increments(a.mid.id, month, 'fraud_reports', tx.card?.brand, n.amount ?? tx.amount) },
    });
    if (!counted.ok) return { outcome: 'duplicate', transactionId: tx.id, change: 'already recorded: nothing changed' };
    a.ctx.events.emit('fraud:warning', {
      mid: a.mid.id,
      gateway: a.mid.adapter.gateway,
      transactionId: tx.id,
      type: n.fraud?.type,
      reasonCode: n.fraud?.reasonCode,
      amount: n.amount,
      currency: n.currency,
    });
    await checkDisputeLevels(a.ctx, a.mid.id);
    return { outcome: 'recorded', transactionId: tx.id, change: 'fraud warning recorded' };
  }
  if (n.kind === 'authorization_expired') return applyExpiry(a, tx);
  const op = FOLLOW_UP_KINDS[n.kind];
  if (op) return applyFollowUp(a, tx, target.attempt, op);
  return applyPayment(a, tx, target.attempt);
}

/** The transaction (and attempt) a notification names: by the object's own references, then the payment's. */
async function findTarget(a: Applying): Promise<{ transaction: TransactionRecord; attempt?: AttemptRecord | undefined } | undefined> {
  const { n, mid, ctx } = a;
  if (n.reference !== undefined || n.gatewayId !== undefined) {
    const hit = await ctx.store.findByGatewayReference(mid.id, { reference: n.reference, gatewayTransactionId: n.gatewayId });
    if (hit) return hit;
  }
  if (n.paymentReference !== undefined || n.paymentGatewayId !== undefined) {
    const hit = await ctx.store.findByGatewayReference(mid.id, { reference: n.paymentReference, gatewayTransactionId: n.paymentGatewayId });
    // The payment's attempt is not the follow-up's: the caller picks the follow-up's attempt.
    if (hit)
      return { transaction: hit.transaction, attempt: hit.attempt && PAYMENT_OPS.has(hit.attempt.operation) ? hit.attempt : undefined };
  }
  return undefined;
}

/** Settle an attempt with a notification's outcome, in one write with its record. */
async function settleWith(
  a: Applying,
  tx: TransactionRecord,
  attempt: AttemptRecord,
  outcome: SettlingOutcome,
  change: string,
  insert = false,
): Promise<Applied> {
  const { ctx, mid } = a;
  const earlier = PAYMENT_OPS.has(attempt.operation)
    ? (await ctx.store.listAttempts(tx.id))
        .filter((x) => x.id !== attempt.id && x.marker === undefined && x.operation === attempt.operation)
        .map((x) => summaryOf(x))
    : [];
  const where = { transactionId: tx.id, attemptId: attempt.id };
  const settled: Settled = await settle(ctx, {
    tx,
    attempt,
    mid,
    outcome,
    final: true,
    earlier,
    via: 'notification',
    insert,
    also: a.record('applied', { ...where, note: change }),
  });
  if (settled.applied) return { outcome: 'applied', ...where, change };
  if (settled.why === 'duplicate_notification') return { outcome: 'duplicate', ...where, change: 'already recorded: nothing changed' };
  if (settled.why === 'illegal_transition') return keep(a, 'conflict', `the state machine refuses it (${tx.status}): ${change}`, where);
  return 'retry';
}

const approvedBy = (gatewayId: string): SettlingOutcome => ({
  kind: 'approved',
  answer: { status: 'approved', gatewayTransactionId: gatewayId } satisfies GatewayApproved,
});

function declinedBy(a: Applying, n: GatewayNotification): SettlingOutcome {
  const answer: GatewayDeclined = { status: 'declined', code: n.code, message: n.message, gatewayTransactionId: n.gatewayId };
  return { kind: 'declined', answer, decline: declineOf(a.ctx, a.mid, answer) };
}

const amountText = (amount: number, currency: string) => `${amount} ${currency}`;

/** A payment's result: an asynchronous payment or a 3-D Secure challenge finished; a capture confirmed. */
async function applyPayment(a: Applying, tx: TransactionRecord, named: AttemptRecord | undefined): Promise<Applied> {
  const { n, ctx, mid } = a;
  const attempts = await ctx.store.listAttempts(tx.id);
  const where = { transactionId: tx.id };
  // A capture confirmed: the capture of an authorization (ours, accepted or in flight; or made elsewhere).
  if (n.kind === 'payment_captured' && tx.operation === 'authorize') {
    const capture =
      (named?.operation === 'capture' ? named : undefined) ??
      attempts.find((x) => x.operation === 'capture' && (x.status === 'accepted' || x.status === 'pending') && x.mid === mid.id);
    if (capture)
      return settleWith(
        a,
        tx,
        capture,
        approvedBy(capture.gatewayTransactionId ?? n.gatewayId ?? tx.gatewayTransactionId!),
        'capture confirmed',
      );
    if (tx.status === 'authorized') {
      const amount = n.amount ?? tx.amount - tx.capturedAmount;
      if (amount <= 0 || tx.capturedAmount + amount > tx.amount)
        return keep(a, 'conflict', `a capture of ${amount} does not fit the authorization`, where);
      return settleWith(
        a,
        tx,
        external(a, tx, 'capture', amount),
        approvedBy(n.gatewayId ?? tx.gatewayTransactionId!),
        `captured ${amountText(amount, tx.currency)} outside Switchyard`,
        true,
      );
    }
    if (OPEN_STATES.has(tx.status)) {
      // The authorization itself is not settled yet: settle it now, the capture follows in its turn.
      const auth = paymentAttempt(attempts, tx, mid, named);
      if (auth && (auth.status === 'pending' || auth.status === 'requires_action'))
        return settleWith(
          a,
          tx,
          auth,
          approvedBy(n.paymentGatewayId ?? n.gatewayId ?? auth.id),
          'authorization confirmed (a capture notification came first)',
        );
      return keep(a, 'deferred', `captured while the transaction is ${tx.status}: deferred`, where);
    }
    return keep(a, 'recorded', `capture already known (${tx.status})`, where);
  }
  const attempt = paymentAttempt(attempts, tx, mid, named);
  if (!attempt) return keep(a, 'unmatched', 'no payment attempt of ours on this MID matches it: kept for review', where);
  const attemptWhere = { ...where, attemptId: attempt.id };
  const open = attempt.status === 'pending' || attempt.status === 'requires_action' || attempt.status === 'failed';
  const threeDS = attempt.status === 'requires_action';
  if (n.kind === 'payment_declined') {
    if (attempt.status === 'pending' || attempt.status === 'requires_action') {
      const r = await settleWith(a, tx, attempt, declinedBy(a, n), `declined${n.code ? ` (${n.code})` : ''}`);
      if (threeDS && r !== 'retry' && r.outcome === 'applied') emitThreeDS(a, tx, 'declined');
      return r;
    }
    if (attempt.status === 'declined' || attempt.status === 'error' || attempt.status === 'failed')
      return keep(a, 'recorded', `decline already known (${attempt.status})`, attemptWhere);
    return keep(a, 'conflict', `the gateway reports a decline of an attempt the ledger has ${attempt.status}`, attemptWhere);
  }
  // payment_authorized / payment_captured
  if (open) {
    const r = await settleWith(
      a,
      tx,
      attempt,
      approvedBy(n.gatewayId ?? n.paymentGatewayId ?? attempt.gatewayTransactionId ?? attempt.id),
      'payment approved',
    );
    if (threeDS && r !== 'retry' && r.outcome === 'applied') emitThreeDS(a, tx, 'approved');
    return r;
  }
  if (attempt.status === 'approved' || attempt.status === 'held')
    return keep(a, 'recorded', `approval already known (${tx.status})`, attemptWhere);
  return keep(a, 'conflict', `the gateway reports an approval of an attempt the ledger has ${attempt.status}`, attemptWhere);
}

function emitThreeDS(a: Applying, tx: TransactionRecord, outcome: 'approved' | 'declined'): void {
  a.ctx.events.emit('threeds:completed', { transactionId: tx.id, mid: a.mid.id, gateway: a.mid.adapter.gateway, outcome });
}

/** The payment attempt a notification is about: the one it names, else the one on this MID that made the transaction. */
function paymentAttempt(
  attempts: AttemptRecord[],
  tx: TransactionRecord,
  mid: MidRuntime,
  named: AttemptRecord | undefined,
): AttemptRecord | undefined {
  if (named && PAYMENT_OPS.has(named.operation)) return named;
  const mine = attempts.filter((x) => x.mid === mid.id && PAYMENT_OPS.has(x.operation) && x.marker === undefined);
  return mine.find((x) => tx.gatewayTransactionId !== undefined && x.gatewayTransactionId === tx.gatewayTransactionId) ?? mine.at(-1);
}

/** A follow-up made outside Switchyard (learnt from a notification): an attempt to insert with its outcome. */
function external(a: Applying, tx: TransactionRecord, operation: 'capture' | 'void' | 'refund', amount: number): AttemptRecord {
  const { n, mid } = a;
  return {
    id: newId('at'),
    transactionId: tx.id,
    operation,
    mid: mid.id,
    gateway: mid.adapter.gateway,
    amount,
    currency: tx.currency,
    status: 'pending',
    fromStatus: tx.status,
    ...(n.gatewayId !== undefined && { gatewayTransactionId: n.gatewayId }),
    message: `made outside Switchyard (${n.eventType})`,
    startedAt: a.ctx.clock(),
  };
}

/** A capture, void or refund outcome (or a later failure of an approved one). */
async function applyFollowUp(
  a: Applying,
  tx: TransactionRecord,
  named: AttemptRecord | undefined,
  op: 'capture' | 'void' | 'refund',
): Promise<Applied> {
  const { n, ctx, mid } = a;
  const where = { transactionId: tx.id };
  const attempts = await ctx.store.listAttempts(tx.id);
  const ours = attempts.filter((x) => x.operation === op && x.mid === mid.id && x.marker === undefined);
  const open = (x: AttemptRecord) => x.status === 'pending' || x.status === 'accepted';
  const attempt =
    (named?.operation === op ? named : undefined) ??
    (n.gatewayId !== undefined ? ours.find((x) => x.gatewayTransactionId === n.gatewayId) : undefined) ??
    // Not named: the only one still open of that amount (a capture or void names its payment only).
    uniqueOpen(ours.filter((x) => open(x) && (n.amount === undefined || x.amount === n.amount || op === 'void')));
  const success = n.kind === 'refund_succeeded' || n.kind === 'authorization_voided';
  const label = `${op} ${success ? 'succeeded' : 'failed'}`;
  if (!attempt) {
    // One of ours is still open but the notification names none of it: wait until our own call has recorded its id.
    if (ours.some(open)) return keep(a, 'deferred', `${label}, but it names none of our open ${op}s yet: deferred`, where);
    if (!success) return keep(a, 'recorded', `${label} for a ${op} the ledger does not have: nothing to give back`, where);
    return applyExternal(a, tx, op);
  }
  const attemptWhere = { ...where, attemptId: attempt.id };
  if (open(attempt)) {
    const outcome: SettlingOutcome = success ? approvedBy(n.gatewayId ?? attempt.gatewayTransactionId ?? attempt.id) : declinedBy(a, n);
    const r = await settleWith(a, tx, attempt, outcome, label);
    if (r !== 'retry' && r.outcome === 'applied' && !success) emitFailed(a, tx, attempt);
    return r;
  }
  if (!success && attempt.status === 'approved' && op !== 'void') {
    const r = await settleWith(
      a,
      tx,
      attempt,
      { kind: 'reversed', message: redact(`${n.eventType}${n.message ? `: ${n.message}` : ''}`).slice(0, MAX_TEXT), code: n.code },
      `${op} approved earlier, now reported failed: its amount is given back`,
    );
    if (r !== 'retry' && r.outcome === 'applied') emitFailed(a, tx, attempt);
    return r;
  }
  return keep(a, 'recorded', `${label}: already known (${attempt.status})`, attemptWhere);
}

/** The only candidate, or none when there are several (which one it is cannot be told). */
function uniqueOpen(candidates: AttemptRecord[]): AttemptRecord | undefined {
  return candidates.length === 1 ? candidates[0] : undefined;
}

function emitFailed(a: Applying, tx: TransactionRecord, attempt: AttemptRecord): void {
  const payload = {
    transactionId: tx.id,
    attemptId: attempt.id,
    mid: a.mid.id,
    gateway: a.mid.adapter.gateway,
    amount: attempt.amount,
    currency: attempt.currency,
    message: a.n.message,
  };
  if (attempt.operation === 'refund') a.ctx.events.emit('refund:failed', payload);
  else if (attempt.operation === 'capture') a.ctx.events.emit('capture:failed', payload);
  else a.ctx.events.emit('void:failed', payload);
}

/** A refund or void the merchant made at the gateway directly: added to the ledger now. */
async function applyExternal(a: Applying, tx: TransactionRecord, op: 'capture' | 'void' | 'refund'): Promise<Applied> {
  const { n } = a;
  const where = { transactionId: tx.id };
  if (op === 'refund') {
    const amount = n.amount ?? tx.capturedAmount - tx.refundedAmount;
    if (!(FOLLOW_UP_FROM.refund as readonly string[]).includes(tx.status))
      return keep(a, 'deferred', `refunded at the gateway while the transaction is ${tx.status}: deferred`, where);
    if (amount <= 0 || tx.refundedAmount + amount > tx.capturedAmount)
      return keep(
        a,
        'conflict',
        `a refund of ${amount} does not fit what is left to refund (${tx.capturedAmount - tx.refundedAmount})`,
        where,
      );
    return settleWith(
      a,
      tx,
      external(a, tx, 'refund', amount),
      approvedBy(n.gatewayId ?? tx.gatewayTransactionId!),
      `refunded ${amountText(amount, tx.currency)} outside Switchyard`,
      true,
    );
  }
  if (tx.status === 'voided') return keep(a, 'recorded', 'void already known', where);
  if (tx.status !== 'authorized' && tx.status !== 'held_for_review' && !(tx.status === 'captured' && tx.refundedAmount === 0))
    return keep(
      a,
      OPEN_STATES.has(tx.status) ? 'deferred' : 'conflict',
      `voided at the gateway while the transaction is ${tx.status}`,
      where,
    );
  return settleWith(
    a,
    tx,
    external(a, tx, 'void', tx.amount),
    approvedBy(n.gatewayId ?? tx.gatewayTransactionId!),
    'voided outside Switchyard',
    true,
  );
}

async function applyExpiry(a: Applying, tx: TransactionRecord): Promise<Applied> {
  const where = { transactionId: tx.id };
  if (tx.status === 'authorized') {
    const done = await expireAuthorization(a.ctx, tx, a.record('applied', { ...where, note: 'authorization expired' }));
    if (done.applied) {
      a.ctx.events.emit('authorization:expired', {
        transactionId: tx.id,
        mid: a.mid.id,
        gateway: a.mid.adapter.gateway,
        amount: tx.amount - tx.capturedAmount,
        currency: tx.currency,
      });
      return { outcome: 'applied', ...where, change: 'authorization expired' };
    }
    if (done.why === 'duplicate_notification') return { outcome: 'duplicate', ...where, change: 'already recorded: nothing changed' };
    return 'retry';
  }
  if (OPEN_STATES.has(tx.status) || tx.status === 'capture_pending')
    return keep(a, 'deferred', `expired while the transaction is ${tx.status}: deferred`, where);
  return keep(a, 'recorded', `expiry: nothing left to expire (${tx.status})`, where);
}

/** A dispute event: its record follows the gateway's latest event; an orphan is kept too. */
async function applyDispute(a: Applying, tx: TransactionRecord | undefined): Promise<Applied> {
  const { n, ctx, mid } = a;
  const d = n.dispute;
  if (!d) return keep(a, 'recorded', `${n.eventType}: no dispute facts in it`, tx ? { transactionId: tx.id } : {});
  const id = `${mid.id}:${d.id}`;
  const current = await ctx.store.getDispute(id);
  const record = nextDispute(
    current,
    d,
    n,
    { mid: mid.id, gateway: mid.adapter.gateway, transactionId: tx?.id, amount: tx?.amount, currency: tx?.currency },
    ctx.clock(),
  );
  const status: NotificationStatus = record.transactionId ? 'applied' : 'unmatched';
  const change = `dispute ${d.id} ${record.status}${record.transactionId ? '' : ' (no transaction of ours matches it: kept for review)'}`;
  // Chargeback monitoring: counted once, and a lost dispute charges its transaction back, in the same write.
  const owner = tx ?? (record.transactionId ? await ctx.store.getTransaction(record.transactionId) : undefined);
  const effect = disputeEffect(ctx, current, record, owner, n.occurredAt ?? ctx.clock());
  const done = await settleChargeback(ctx, effect.lost || effect.reversed ? owner : undefined, effect.lost, {
    dispute: record,
    ...a.record(status, { transactionId: record.transactionId, note: change }),
    ...(effect.counts.length && { monitor: { counts: effect.counts } }),
  });
  if (!done.ok) {
    if (done.conflict === 'notification')
      return { outcome: 'duplicate', transactionId: record.transactionId, change: 'already recorded: nothing changed' };
    return 'retry';
  }
  emitDispute(a, record, current);
  if (effect.counts.length) await checkDisputeLevels(ctx, mid.id);
  if (!record.transactionId) {
    ctx.events.emit('webhook:unmatched', {
      mid: mid.id,
      gateway: mid.adapter.gateway,
      id: n.id,
      kind: n.kind,
      eventType: n.eventType,
      reference: n.paymentReference ?? n.reference,
      gatewayId: n.paymentGatewayId ?? n.gatewayId,
    });
  }
  return { outcome: status, transactionId: record.transactionId, disputeId: record.id, change };
}

function emitDispute(a: Applying, record: DisputeRecord, before: DisputeRecord | undefined): void {
  if (!isLatest(record, a.n, a.ctx.clock())) return;
  const event =
    record.status === 'won'
      ? 'dispute:won'
      : record.status === 'lost' || record.status === 'accepted'
        ? 'dispute:lost'
        : before === undefined
          ? 'dispute:opened'
          : 'dispute:updated';
  a.ctx.events.emit(event, { dispute: record });
}
