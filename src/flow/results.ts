/** Building `Result` values and the attempt summaries they carry. @module */
import { Err, Ok, type Result } from 'ts-results-es';
import type { Approval, Failure } from '../types';
import type { StoredResult } from '../store/types';

/** The result type of every router operation. */
export type RouterResult = Result<Approval, Failure>;

/** Serialisable form of a result, for the idempotency record. */
export function toStored(r: RouterResult): StoredResult {
  return r.isOk() ? { ok: true, value: r.value } : { ok: false, value: r.error };
}

/** Rebuild a result from its idempotency record, marked as replayed. */
export function fromStored(s: StoredResult): RouterResult {
  return s.ok ? Ok({ ...(s.value as Approval), replayed: true }) : Err({ ...(s.value as Failure), replayed: true });
}

/** A `rejected` failure (refused before any gateway call). */
export function rejected(rejection: Failure['rejection'], message: string, extra: Partial<Failure> = {}): RouterResult {
  return Err({ kind: 'rejected', rejection, message, attempts: [], ...extra });
}
