/** Idempotency keys: the same key and request replays the first result; another request is refused. @module */
import { createHash } from 'node:crypto';
import type { RouterContext } from './context';
import { fromStored, rejected, type RouterResult } from './results';

/** Stable hash of a request's meaningful fields (no PAN or CVC: callers pass the fingerprint). */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url');
}

/**
 * Claim `key` for a request. Returns a result to hand back at once (replay or conflict), or
 * `undefined` when the caller owns the key and must complete it.
 */
export async function claim(ctx: RouterContext, key: string, hash: string): Promise<RouterResult | undefined> {
  const c = await ctx.store.claimIdempotencyKey(key, hash, ctx.clock());
  if (c.status === 'claimed') return undefined;
  if (c.requestHash !== hash) {
    return rejected(
      'idempotency_conflict',
      'this idempotency key was already used for a different request; use a new key for a new request',
      { field: 'idempotencyKey' },
    );
  }
  if (c.status === 'in_progress') {
    return rejected('idempotency_in_progress', 'a request with this idempotency key is still in progress; retry later for its result', {
      field: 'idempotencyKey',
    });
  }
  return fromStored(c.result);
}
