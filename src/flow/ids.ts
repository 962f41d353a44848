/** Compact random ids. 20 characters at most: Authorize.Net's refId, the shortest reference field we send, allows 20. @module */
import { randomBytes } from 'node:crypto';

/** A new id with a prefix, e.g. `tx_3fZ…`. */
export function newId(prefix: 'tx' | 'at'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
