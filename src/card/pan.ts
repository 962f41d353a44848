/**
 * PAN handling: normalization, Luhn, brand detection (credit-card-type), masking and the keyed
 * fingerprint used for decline history. A PAN never leaves this module in clear except to the
 * adapter that sends it to the gateway.
 * @module
 */
import creditCardType from 'credit-card-type';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** Brand names as credit-card-type spells them. */
export type CardBrand =
  | 'visa'
  | 'mastercard'
  | 'american-express'
  | 'discover'
  | 'jcb'
  | 'diners-club'
  | 'unionpay'
  | 'maestro'
  | 'mir'
  | 'elo'
  | 'hiper'
  | 'hipercard'
  | 'verve'
  | 'naranja'
  | 'troy';

/** Aliases accepted in profiles and merchant accounts. */
const BRAND_ALIASES: Readonly<Record<string, CardBrand>> = {
  amex: 'american-express',
  'american express': 'american-express',
  americanexpress: 'american-express',
  mc: 'mastercard',
  'master-card': 'mastercard',
  diners: 'diners-club',
  dinersclub: 'diners-club',
  'union-pay': 'unionpay',
  cup: 'unionpay',
};

/** Every brand credit-card-type knows. */
export const CARD_BRANDS: readonly CardBrand[] = Object.values(creditCardType.types) as CardBrand[];

/** The canonical brand for a name or alias (`amex` → `american-express`), or undefined. */
export function canonicalBrand(name: string): CardBrand | undefined {
  const n = name.trim().toLowerCase();
  if ((CARD_BRANDS as readonly string[]).includes(n)) return n as CardBrand;
  return BRAND_ALIASES[n];
}

/** Digits of a PAN typed with spaces or dashes; undefined when anything else is in it. */
export function normalizePan(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const digits = input.replace(/[\s-]/g, '');
  return /^\d+$/.test(digits) ? digits : undefined;
}

/** Luhn (mod 10) check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** What the PAN prefix says about a card. */
export interface BrandInfo {
  brand: CardBrand;
  lengths: readonly number[];
  cvcLength: number;
}

/**
 * Brand from the PAN prefix, via credit-card-type (best match first).
 * @example
 * detectBrand('4111111111111111')?.brand // 'visa'
 */
export function detectBrand(digits: string): BrandInfo | undefined {
  // Brand patterns look at 8 digits at most, so the answer for a prefix is cached (bounded).
  const key = digits.slice(0, 8);
  const cached = brandCache.get(key);
  if (cached !== undefined || brandCache.has(key)) return cached;
  const [best] = creditCardType(key);
  const info = best && { brand: best.type as CardBrand, lengths: best.lengths, cvcLength: best.code.size };
  if (brandCache.size >= 50_000) brandCache.clear();
  brandCache.set(key, info);
  return info;
}
const brandCache = new Map<string, BrandInfo | undefined>();

/**
 * BIN + last four, the only form of a card number Switchyard writes anywhere.
 * @example
 * maskPan('4111111111111111') // '411111******1111'
 */
export function maskPan(digits: string): string {
  if (digits.length < 11) return '*'.repeat(digits.length);
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}

/** Keyed fingerprint (HMAC-SHA256, base64url) of a PAN: stable per key, useless without it. */
export function fingerprintPan(digits: string, key: string | Buffer): string {
  return createHmac('sha256', keyObject(key)).update(digits).digest('base64url');
}

// The key imported once (a router uses one key for its whole life), not at every checkout.
let lastKey: { raw: string | Buffer; object: KeyObject } | undefined;
function keyObject(raw: string | Buffer): KeyObject {
  if (lastKey?.raw !== raw) lastKey = { raw, object: createSecretKey(typeof raw === 'string' ? Buffer.from(raw) : raw) };
  return lastKey.object;
}
