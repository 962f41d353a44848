/**
 * Idempotency keys: the same key and request replays the first result; another request under
 * the key is refused; a claim whose process died (its lease ran out) is recovered by settling
 * what that process left, never by charging again.
 * @module
 */
import { createHash } from 'node:crypto';
import type { RouterContext } from '../context';
import type { IdempotencyClaim, StoredResult } from '../store/types';
import { fromStored, rejected, type RouterResult } from '../transaction/results';
import type { Operation } from '../types';
import { recoverClaim } from './recover';
import { expireIfDue } from './action';

/**
 * JSON with object keys in sorted order, so the same request always hashes the same.
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
  const keys = Object.keys(value).sort();
  let out = '';
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || typeof v === 'function') continue;
    out += `${out ? ',' : ''}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `{${out}}`;
}

/** Stable hash of a request's meaningful fields (no PAN or CVC: callers pass the fingerprint). */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

/**
 * The answer to a request whose key is taken: a replay of the stored result, a conflict (another
 * request under the key), or "in progress". A claim past its lease is recovered first (its
 * pending attempt looked up, its transaction finished), then answered from what that settled.
 */
export async function answerClaim(
  ctx: RouterContext,
  operation: Operation,
  key: string,
  hash: string,
  claim: IdempotencyClaim,
): Promise<RouterResult> {
  if (claim.requestHash !== hash && claim.requestHash !== '') {
    return rejected(
      'idempotency_conflict',
      'this idempotency key was already used for a different request; use a new key for a new request',
      {
        field: 'idempotencyKey',
      },
    );
  }
  let current: IdempotencyClaim | undefined = claim;
  if (current.status === 'in_progress' && current.leaseUntil <= ctx.clock()) {
    await recoverClaim(ctx, key, current.transactionId);
    current = (await ctx.store.getClaim(key)) ?? current;
  }
  if (current.status === 'completed' && isLapsedChallenge(current.result, ctx.clock())) {
    // The same key after a challenge's deadline: expire it first (the gateway is asked), then answer that.
    await expireIfDue(ctx, current.transactionId ?? (current.result.value as { transactionId?: string }).transactionId);
    current = (await ctx.store.getClaim(key)) ?? current;
  }
  if (current.status === 'completed') {
    const result = fromStored(current.result);
    ctx.events.emit('replayed', {
      operation,
      transactionId: result.isOk() ? result.value.transactionId : result.error.transactionId,
      ok: result.isOk(),
    });
    return result;
  }
  const expired = current.leaseUntil <= ctx.clock();
  return rejected(
    'idempotency_in_progress',
    expired
      ? 'a request with this idempotency key has an outcome nobody knows yet (its gateway cannot be asked); reconcile() keeps trying, and the key answers once it is settled'
      : 'a request with this idempotency key is still in progress; retry later for its result',
    { field: 'idempotencyKey', ...(current.transactionId && { transactionId: current.transactionId }) },
  );
}

/** A stored `requires_action` result whose challenge deadline has passed. */
function isLapsedChallenge(result: StoredResult, now: number): boolean {
  const v = result.value as { kind?: string; expiresAt?: number } | undefined;
  return !result.ok && v?.kind === 'requires_action' && typeof v.expiresAt === 'number' && now >= v.expiresAt;
}
