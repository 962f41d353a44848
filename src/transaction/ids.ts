/**
 * Compact random ids. 20 characters at most: Authorize.Net's refId, the shortest reference field
 * we send, allows 20. Random bytes are drawn from the OS in 4 KiB batches: one system call per
 * ~340 ids instead of one per id, on the checkout's hot path.
 * @module
 */
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(4096);
let offset = POOL.length;

/** A new id with a prefix, e.g. `tx_3fZ…` (96 random bits). */
export function newId(prefix: 'tx' | 'at'): string {
  if (offset + 12 > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const id = POOL.toString('base64url', offset, offset + 12);
  offset += 12;
  return `${prefix}_${id}`;
}
