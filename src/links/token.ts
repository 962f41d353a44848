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

const RETURN_DOMAIN = 'switchyard-link-3ds/1';

function returnSignature(secret: string, claims: Pick<LinkClaims, 'invoiceId' | 'version'>, attempt: number, nonce: string): string {
  return createHmac('sha256', secret)
    .update(`${RETURN_DOMAIN}\n${claims.invoiceId}\n${claims.version}\n${attempt}\n${nonce}`)
    .digest('base64url');
}

/**
 * Sign the return token of a 3-D Secure challenge: `a<attempt>.<HMAC-SHA256>` over the invoice,
 * the link version, the payment attempt and `nonce`, the value of the challenge cookie set in the
 * shopper's browser. It carries nothing personal; without that browser's cookie it is worthless.
 * @example
 * signReturnToken(secret, { invoiceId: 'INV-1001', version: 1 }, 2, nonce) // 'a2.<43 characters of signature>'
 */
export function signReturnToken(secret: string, claims: Pick<LinkClaims, 'invoiceId' | 'version'>, attempt: number, nonce: string): string {
  return `a${attempt}.${returnSignature(secret, claims, attempt, nonce)}`;
}

/**
 * Read a return token against the challenge cookie's `nonce`: the payment attempt it is for, or
 * `undefined` when it is malformed or its signature does not match (compared in constant time).
 * @example
 * readReturnToken(secret, { invoiceId: 'INV-1001', version: 1 }, 'a2.…', nonce) // 2
 */
export function readReturnToken(
  secret: string,
  claims: Pick<LinkClaims, 'invoiceId' | 'version'>,
  token: string,
  nonce: string,
): number | undefined {
  const m = /^a([1-9][0-9]{0,8})\.([A-Za-z0-9_-]{43})$/.exec(typeof token === 'string' ? token : '');
  if (!m) return undefined;
  const attempt = Number(m[1]);
  const given = Buffer.from(m[2]!, 'utf8');
  const expected = Buffer.from(returnSignature(secret, claims, attempt, nonce), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? attempt : undefined;
}
