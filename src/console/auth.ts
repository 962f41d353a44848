/**
 * The console's access token: compared in constant time (as SHA-256 digests, so lengths leak
 * nothing), accepted as `Authorization: Bearer <token>` or as the session cookie the sign-in form
 * sets. The cookie holds an HMAC of the token, not the token.
 * @module
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Name of the console's session cookie. */
export const SESSION_COOKIE = 'switchyard_console';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Whether `given` equals `secret`, in time independent of where they differ and of their lengths. */
export function safeEqual(given: string, secret: string): boolean {
  return timingSafeEqual(digest(given), digest(secret));
}

/** The session cookie's value for a token. */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('switchyard console session v1').digest('base64url');
}

/** A cookie's value from a request, if present. */
export function cookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Whether a request carries the token (bearer header) or the session cookie made from it. */
export function authorized(req: IncomingMessage, token: string): boolean {
  const auth = req.headers.authorization;
  // Both checks always run, so timing does not tell which one a request tried.
  const bearer = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
  const viaHeader = safeEqual(bearer, token) && bearer.length > 0;
  const session = cookie(req, SESSION_COOKIE) ?? '';
  const viaCookie = safeEqual(session, sessionValue(token)) && session.length > 0;
  return viaHeader || viaCookie;
}
