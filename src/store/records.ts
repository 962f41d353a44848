/**
 * How the SQL stores lay a record out: the fields they search or update atomically go to
 * columns, everything else to a JSON document. Shared by the SQLite and PostgreSQL stores.
 * @module
 */
import type { StoreWrite } from './types';

/** Declines older than this (before the newest one of a card) are pruned: network rules look back 30 days. */
export const DECLINE_HISTORY_MS = 30 * 24 * 3_600_000;

/** Fields of a transaction kept in columns. */
export const TRANSACTION_COLUMNS = ['id', 'status', 'amount', 'capturedAmount', 'refundedAmount'] as const;
/** Fields of an attempt kept in columns. */
export const ATTEMPT_COLUMNS = ['id', 'transactionId', 'status', 'startedAt'] as const;
/** Fields of a pin kept in columns. */
export const PIN_COLUMNS = ['subscriptionId', 'mid', 'status'] as const;

/**
 * Split a record into its column fields and the document of the rest.
 * @example
 * splitRecord({ id: 'a', status: 'pending', mid: 'm' }, ['id', 'status']) // → { cols: { id, status }, doc: { mid: 'm' } }
 */
export function splitRecord<T extends object, K extends keyof T>(record: T, columns: readonly K[]): { cols: Pick<T, K>; doc: Omit<T, K> } {
  const cols = {} as Pick<T, K>;
  const doc = { ...record } as Record<keyof T, unknown>;
  for (const k of columns) {
    cols[k] = record[k];
    delete doc[k];
  }
  return { cols, doc: doc as Omit<T, K> };
}

/**
 * Split a patch like `Object.assign` would apply it: column values, document fields to set, and
 * document fields the patch sets to `undefined` (to remove).
 */
export function splitPatch<T extends object>(
  patch: Partial<T>,
  columns: readonly PropertyKey[],
): { cols: Partial<T>; set: Record<string, unknown>; unset: string[] } {
  const cols: Partial<T> = {};
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (columns.includes(k)) {
      if (v !== undefined) (cols as Record<string, unknown>)[k] = v;
    } else if (v === undefined) unset.push(k);
    else set[k] = v;
  }
  return { cols, set, unset };
}

/** Apply a split patch's document part to a document (a shallow merge, as `Object.assign`). */
export function patchDoc(doc: Record<string, unknown>, set: Record<string, unknown>, unset: readonly string[]): Record<string, unknown> {
  const out = { ...doc, ...set };
  for (const k of unset) delete out[k];
  return out;
}

/** Every part of a `StoreWrite`, present or `undefined`, in one fixed shape. */
export type StoreWriteParts = { [K in keyof Required<StoreWrite>]: StoreWrite[K] };

/**
 * The parts of a write, read once by its own keys into one fixed shape. A write names a few of
 * its twenty parts, and asking an object of varying shape for each part it lacks is the slowest
 * property read there is (measured: most of the memory store's time per sale).
 * @example
 * const p = writeParts({ claim }); // p.claim === claim, p.transaction === undefined
 */
export function writeParts(w: StoreWrite): StoreWriteParts {
  const p: StoreWriteParts = {
    claim: undefined,
    insertTransaction: undefined,
    transaction: undefined,
    insertAttempt: undefined,
    attempt: undefined,
    reserveCap: undefined,
    releaseCap: undefined,
    createPin: undefined,
    updatePin: undefined,
    repinAudit: undefined,
    decline: undefined,
    complete: undefined,
    release: undefined,
    pinCredential: undefined,
    notification: undefined,
    dispute: undefined,
    link: undefined,
    countAttempt: undefined,
    approvalOutcome: undefined,
    monitor: undefined,
  };
  for (const k in w) if (k in p) (p as Record<string, unknown>)[k] = (w as Record<string, unknown>)[k];
  return p;
}
