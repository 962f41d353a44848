/**
 * Request validation, before any gateway call or store write. Each failure names the field.
 * Hand-written rather than a schema library: the card checks (Luhn, length per brand, expiry)
 * are domain logic, and this runs on every checkout.
 * @module
 */
import { detectBrand, luhnValid, normalizePan, type CardBrand } from '../card/pan';
import { isCurrency } from '../money';
import type { CardInput, PaymentRequest } from '../types';

/** Limits on free-form input, so a request can't bloat the store or the logs. */
export const INPUT_LIMITS = {
  tags: 50,
  tagLength: 64,
  metadataKeys: 50,
  metadataKeyLength: 64,
  metadataValueLength: 500,
  idLength: 255,
  stringLength: 255,
} as const;

/** A validation failure. Messages never contain the PAN or CVC. */
export interface ValidationIssue {
  field: string;
  message: string;
}

/** A card that passed validation. */
export interface ParsedCard {
  digits: string;
  brand: CardBrand;
  expMonth: number;
  expYear: number;
  cvc?: string;
  holderName?: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max: number = INPUT_LIMITS.stringLength): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

/** Validate card data; `now` decides whether it has expired. */
export function validateCard(card: unknown, now: number, field = 'card'): ValidationIssue | ParsedCard {
  if (!isObj(card)) return { field, message: 'is required' };
  const c = card as Partial<CardInput>;
  const digits = normalizePan(c.number);
  if (digits === undefined) return { field: `${field}.number`, message: 'must be a string of digits' };
  if (digits.length < 12 || digits.length > 19) return { field: `${field}.number`, message: 'must have 12 to 19 digits' };
  if (!luhnValid(digits)) return { field: `${field}.number`, message: 'fails the Luhn check' };
  const brand = detectBrand(digits);
  if (!brand) return { field: `${field}.number`, message: 'is not a number of any known card brand' };
  if (!brand.lengths.includes(digits.length)) {
    return { field: `${field}.number`, message: `has ${digits.length} digits; ${brand.brand} cards have ${brand.lengths.join(' or ')}` };
  }
  if (!Number.isInteger(c.expMonth) || c.expMonth! < 1 || c.expMonth! > 12)
    return { field: `${field}.expMonth`, message: 'must be an integer from 1 to 12' };
  if (!Number.isInteger(c.expYear) || c.expYear! < 2000 || c.expYear! > 2199)
    return { field: `${field}.expYear`, message: 'must be a four-digit year' };
  const d = new Date(now);
  const nowYm = d.getUTCFullYear() * 12 + d.getUTCMonth();
  const expYm = c.expYear! * 12 + (c.expMonth! - 1);
  if (expYm < nowYm) return { field: `${field}.expYear`, message: 'the card expired (expiry date is in the past)' };
  if (expYm > nowYm + 50 * 12) return { field: `${field}.expYear`, message: 'is more than 50 years ahead' };
  if (c.cvc !== undefined) {
    if (typeof c.cvc !== 'string' || !/^\d+$/.test(c.cvc)) return { field: `${field}.cvc`, message: 'must be a string of digits' };
    if (c.cvc.length !== brand.cvcLength)
      return { field: `${field}.cvc`, message: `must have ${brand.cvcLength} digits for ${brand.brand}` };
  }
  if (c.holderName !== undefined && !isStr(c.holderName))
    return { field: `${field}.holderName`, message: 'must be a non-empty string of at most 255 characters' };
  return { digits, brand: brand.brand, expMonth: c.expMonth!, expYear: c.expYear!, cvc: c.cvc, holderName: c.holderName };
}

/** Validate an amount in minor units. */
export function validateAmount(amount: unknown, field = 'amount', allowZero = false): ValidationIssue | undefined {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0 || (amount === 0 && !allowZero)) {
    return { field, message: `must be a ${allowZero ? 'non-negative' : 'positive'} safe integer of minor units` };
  }
  return undefined;
}

/** Validate a currency code. */
export function validateCurrency(currency: unknown, field = 'currency'): ValidationIssue | undefined {
  return isCurrency(currency) ? undefined : { field, message: 'must be an ISO 4217 currency code in upper case, e.g. USD' };
}

/** Validate an idempotency key. */
export function validateIdempotencyKey(key: unknown, field = 'idempotencyKey'): ValidationIssue | undefined {
  return isStr(key, INPUT_LIMITS.idLength) ? undefined : { field, message: 'is required: a non-empty string of at most 255 characters' };
}

function validateCountry(v: unknown, field: string): ValidationIssue | undefined {
  return v === undefined || (typeof v === 'string' && /^[A-Za-z]{2}$/.test(v))
    ? undefined
    : { field, message: 'must be an ISO 3166-1 alpha-2 country code' };
}

function validateStrings(obj: unknown, field: string, keys: readonly string[]): ValidationIssue | undefined {
  if (obj === undefined) return undefined;
  if (!isObj(obj)) return { field, message: 'must be an object' };
  for (const [k, v] of Object.entries(obj)) {
    if (!keys.includes(k)) return { field: `${field}.${k}`, message: 'is not a known field' };
    if (v !== undefined && !isStr(v)) return { field: `${field}.${k}`, message: 'must be a non-empty string of at most 255 characters' };
  }
  return undefined;
}

/** Validate tags and metadata (size-limited). */
export function validateTagsAndMetadata(tags: unknown, metadata: unknown): ValidationIssue | undefined {
  if (tags !== undefined) {
    if (!Array.isArray(tags)) return { field: 'tags', message: 'must be an array of strings' };
    if (tags.length > INPUT_LIMITS.tags)
      return { field: 'tags', message: `has ${tags.length} tags; at most ${INPUT_LIMITS.tags} are allowed` };
    for (let i = 0; i < tags.length; i++) {
      if (!isStr(tags[i], INPUT_LIMITS.tagLength))
        return { field: `tags[${i}]`, message: `must be a non-empty string of at most ${INPUT_LIMITS.tagLength} characters` };
    }
  }
  if (metadata !== undefined) {
    if (!isObj(metadata)) return { field: 'metadata', message: 'must be an object of string values' };
    const entries = Object.entries(metadata);
    if (entries.length > INPUT_LIMITS.metadataKeys)
      return { field: 'metadata', message: `has ${entries.length} keys; at most ${INPUT_LIMITS.metadataKeys} are allowed` };
    for (const [k, v] of entries) {
      if (k.length > INPUT_LIMITS.metadataKeyLength)
        return { field: 'metadata', message: `a key is longer than ${INPUT_LIMITS.metadataKeyLength} characters` };
      if (typeof v !== 'string' || v.length > INPUT_LIMITS.metadataValueLength) {
        return { field: `metadata.${k}`, message: `must be a string of at most ${INPUT_LIMITS.metadataValueLength} characters` };
      }
    }
  }
  return undefined;
}

/** A payment request that passed validation. */
export interface ParsedPayment {
  request: PaymentRequest;
  card: ParsedCard;
}

/** Validate a sale / authorize / verify request. */
export function validatePayment(req: unknown, now: number, opts: { allowZeroAmount?: boolean } = {}): ValidationIssue | ParsedPayment {
  if (!isObj(req)) return { field: '(request)', message: 'must be an object' };
  const r = req as Partial<PaymentRequest>;
  if (!isStr(r.profile)) return { field: 'profile', message: 'is required: the id of a profile' };
  const issue =
    validateIdempotencyKey(r.idempotencyKey) ?? validateAmount(r.amount, 'amount', opts.allowZeroAmount) ?? validateCurrency(r.currency);
  if (issue) return issue;
  const card = validateCard(r.card, now);
  if ('field' in card) return card;
  const more =
    validateStrings(r.customer, 'customer', ['id', 'email', 'country', 'ip']) ??
    validateCountry(r.customer?.country, 'customer.country') ??
    validateStrings(r.billing, 'billing', ['line1', 'line2', 'city', 'state', 'postalCode', 'country']) ??
    validateCountry(r.billing?.country, 'billing.country') ??
    validateTagsAndMetadata(r.tags, r.metadata);
  if (more) return more;
  if (r.subscription !== undefined) {
    if (!isObj(r.subscription) || !isStr(r.subscription.id, INPUT_LIMITS.idLength))
      return { field: 'subscription.id', message: 'is required: a non-empty string of at most 255 characters' };
    if (
      r.subscription.firstRebillAt !== undefined &&
      !(Number.isSafeInteger(r.subscription.firstRebillAt) && r.subscription.firstRebillAt > 0)
    ) {
      return { field: 'subscription.firstRebillAt', message: 'must be a time in ms since epoch' };
    }
    if (r.subscription.recurringAmount !== undefined) {
      const a = validateAmount(r.subscription.recurringAmount, 'subscription.recurringAmount');
      if (a) return a;
    }
  }
  if (r.threeDS !== undefined) {
    const t = validateStrings(r.threeDS, 'threeDS', ['version', 'eci', 'cavv', 'xid', 'dsTransactionId']);
    if (t) return t;
  }
  return { request: r as PaymentRequest, card };
}
