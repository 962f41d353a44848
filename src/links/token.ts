/**
 * Payment-link tokens: `<invoice id, base64url>.<link version>.<expiry, unix seconds>.<HMAC-SHA256>`.
 * The token names the invoice and nothing personal; the signature covers every part, so a changed
 * invoice id, version or expiry is refused. Checked in constant time.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link token says. */
export interface LinkClaims {
  invoiceId: string;
  /** The link version it was issued for; an older version than the invoice's current one is superseded. */
  version: number;
  /** Expiry, ms since epoch (a whole second). */
  expiresAt: number;
}

/** What reading a token found. */
export type TokenCheck =
  | { status: 'valid'; claims: LinkClaims }
  | { status: 'expired'; claims: LinkClaims }
  /** Malformed, or its signature does not match: tampered with or cut short. */
  | { status: 'invalid' };

const DOMAIN = 'switchyard-link/1';
const MAX_TOKEN = 512;

function signature(secret: string, invoiceId: string, version: number, expSeconds: number): Buffer {
  return createHmac('sha256', secret).update(`${DOMAIN}\n${invoiceId}\n${version}\n${expSeconds}`).digest();
}

/**
 * Sign a link token.
 * @example
 * signLinkToken('s3cret…', { invoiceId: 'INV-1001', version: 1, expiresAt: Date.UTC(2026, 11, 5) })
 * // 'SU5WLTEwMDE.1.1796428800.<43 characters of signature>'
 */
export function signLinkToken(secret: string, claims: LinkClaims): string {
  const exp = Math.floor(claims.expiresAt / 1000);
  const id = Buffer.from(claims.invoiceId, 'utf8').toString('base64url');
  return `${id}.${claims.version}.${exp}.${signature(secret, claims.invoiceId, claims.version, exp).toString('base64url')}`;
}

/**
 * Read a link token: `invalid` unless its signature matches, then `expired` at or after its expiry.
 * @example
 * readLinkToken(secret, token, Date.now()) // { status: 'valid', claims: { invoiceId: 'INV-1001', version: 1, expiresAt } }
 */
export function readLinkToken(secret: string, token: string, now: number): TokenCheck {
  if (typeof token !== 'string' || token.length > MAX_TOKEN) return { status: 'invalid' };
  const m = /^([A-Za-z0-9_-]{1,340})\.([1-9][0-9]{0,8})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { status: 'invalid' };
  const invoiceId = Buffer.from(m[1]!, 'base64url').toString('utf8');
  // base64url decoding is lenient: re-encode so that exactly one spelling of the id is accepted.
  if (Buffer.from(invoiceId, 'utf8').toString('base64url') !== m[1]) return { status: 'invalid' };
  const version = Number(m[2]);
  const exp = Number(m[3]);
  // Compared as text: base64url decoding ignores the last character's spare bits (a second spelling).
  const given = Buffer.from(m[4]!, 'utf8');
  const expected = Buffer.from(signature(secret, invoiceId, version, exp).toString('base64url'), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { status: 'invalid' };
  const claims = { invoiceId, version, expiresAt: exp * 1000 };
  return now >= claims.expiresAt ? { status: 'expired', claims } : { status: 'valid', claims };
}
