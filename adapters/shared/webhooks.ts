/**
 * What every adapter's webhook verification shares: HMACs over the raw bytes, comparisons in
 * constant time, header and JSON reading that never throws, and refusals whose messages never
 * echo a secret or the request's content.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { GatewayNotification, WebhookParseResult, WebhookRefusal } from '../../src/notifications';

/** An HMAC of `data` (strings are UTF-8) with `key`, as raw bytes. */
export function hmac(algorithm: 'sha1' | 'sha256' | 'sha512', key: string | Uint8Array, ...data: Array<string | Uint8Array>): Buffer {
  const h = createHmac(algorithm, key);
  for (const d of data) h.update(d);
  return h.digest();
}

/**
 * Constant-time equality of two byte strings. Different lengths are unequal (the length of a
 * digest is public); equal lengths are compared with `timingSafeEqual`.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength || a.byteLength === 0) return false;
  return timingSafeEqual(a, b);
}

/**
 * Decode a hex signature from a header (any case) to bytes, or undefined when it is not hex of
 * the expected length.
 * @example
 * hexBytes('0aFF', 2) // <Buffer 0a ff>
 * hexBytes('0aF', 2)  // undefined
 */
export function hexBytes(value: string | undefined, length: number): Buffer | undefined {
  if (value === undefined || value.length !== length * 2 || !/^[0-9a-fA-F]+$/.test(value)) return undefined;
  return Buffer.from(value, 'hex');
}

/** A refusal of the request (nothing is written). */
export function refuse(reason: WebhookRefusal, message: string): WebhookParseResult {
  return { ok: false, reason, message };
}

/** The accepted notifications. */
export function accept(notifications: GatewayNotification[]): WebhookParseResult {
  return { ok: true, notifications };
}

/** The body as UTF-8 text, or undefined when it is not valid UTF-8. */
export function utf8(body: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return undefined;
  }
}

/** Parse JSON text into an object, or undefined (never throws). */
export function jsonObject(text: string | undefined): Record<string, any> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
  } catch {
    return undefined;
  }
}

/** A string field, or undefined. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** A time in ms from an ISO 8601 string, or undefined. */
export function isoTime(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/** Only the fields that are defined (optional fields stay absent rather than `undefined`). */
export function defined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
