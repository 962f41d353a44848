/**
 * Request validation, before any gateway call or store write. Each failure names the field.
 * Every field of the caller's object is read once, here, into a frozen copy: nothing after
 * validation reads the caller's object again, so a request mutated later (or a getter that
 * answers differently the second time) cannot change what is charged. A getter that throws is a
 * validation failure, not an exception. No free-text field may hold a card number.
 * Hand-written rather than a schema library: the card checks (Luhn, length per brand, expiry)
 * are domain logic, and this runs on every checkout.
 * @module
 */
import { containsCardNumber } from '../card/redact';
import { detectBrand, luhnValid, normalizePan, type CardBrand } from '../card/pan';
import { isCurrency } from '../money';
import type { AddressInput, CardTokenType, CustomerInput, SubscriptionInput, ThreeDSResult } from '../types';

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

/** A card that passed validation: a card number, or a network or wallet token (`token`). */
export interface ParsedCard {
  /** The PAN, or the token number. */
  readonly digits: string;
  /** From the digits' BIN range (a token's range maps to its brand too). */
  readonly brand: CardBrand;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc?: string | undefined;
  readonly holderName?: string | undefined;
  /** Set when `digits` are a network or wallet token's. */
  readonly token?:
    | { readonly type: CardTokenType; readonly cryptogram?: string | undefined; readonly eci?: string | undefined }
    | undefined;
}

/** How card input is read. */
export interface CardRules {
  /** A merchant-initiated charge (a rebill): a token's cryptogram may be absent. */
  merchantInitiated?: boolean | undefined;
}

/** Where a token comes from, as `tokenType` accepts it. */
export const TOKEN_TYPES: readonly CardTokenType[] = ['network_token', 'apple_pay', 'google_pay'];
/** A token cryptogram: standard base64 (TAVV, Apple Pay and Google Pay cryptograms are 20–40 bytes). */
const CRYPTOGRAM = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_CRYPTOGRAM = 64;

/** A sale / authorize / verify request that passed validation: a frozen copy of what was checked. */
export interface ValidPayment {
  readonly profile: string;
  readonly idempotencyKey: string;
  readonly orderId?: string | undefined;
  readonly amount: number;
  readonly currency: string;
  readonly customer?: Readonly<CustomerInput> | undefined;
  readonly billing?: Readonly<AddressInput> | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  readonly subscription?: Readonly<SubscriptionInput> | undefined;
  readonly threeDS?: Readonly<ThreeDSResult> | undefined;
  readonly returnUrl?: string | undefined;
}

/** A payment request that passed validation. */
export interface ParsedPayment {
  request: ValidPayment;
  card: ParsedCard;
}

class Invalid {
  constructor(readonly issue: ValidationIssue) {}
}
const fail = (field: string, message: string): never => {
  throw new Invalid({ field, message });
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Run a validation that throws `Invalid`; a getter's own exception is reported on `field`. */
function guarded<T>(field: string, fn: () => T): T | ValidationIssue {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Invalid) return e.issue;
    return { field, message: 'could not be read (a getter threw)' };
  }
}

/** A non-empty string of at most `max` characters with no card number in it. */
function text(v: unknown, field: string, max: number = INPUT_LIMITS.stringLength): string {
  if (typeof v !== 'string' || v.length === 0) fail(field, `is required: a non-empty string of at most ${max} characters`);
  if ((v as string).length > max) fail(field, `must be a string of at most ${max} characters`);
  if (containsCardNumber(v as string)) fail(field, 'must not contain a card number');
  return v as string;
}

function optionalText(v: unknown, field: string, max?: number): string | undefined {
  return v === undefined ? undefined : text(v, field, max);
}

/** Validate card data (a card number or a network token); `now` decides whether it has expired. */
export function validateCard(card: unknown, now: number, field = 'card', rules: CardRules = {}): ValidationIssue | ParsedCard {
  return guarded(field, () => parseCard(card, now, field, rules));
}

/** The digits of a card or token number: 12–19 digits of a known brand, of its length, Luhn-valid. */
function cardDigits(value: unknown, field: string, what: string) {
  const digits = normalizePan(value);
  if (digits === undefined) fail(field, 'must be a string of digits');
  const pan = digits!;
  if (pan.length < 12 || pan.length > 19) fail(field, 'must have 12 to 19 digits');
  if (!luhnValid(pan)) fail(field, 'fails the Luhn check');
  const brand = detectBrand(pan);
  if (!brand) fail(field, `is not a ${what} of any known card brand`);
  if (!brand!.lengths.includes(pan.length)) {
    fail(field, `has ${pan.length} digits; ${brand!.brand} ${what === 'number' ? 'card' : what}s have ${brand!.lengths.join(' or ')}`);
  }
  return { pan, brand: brand! };
}

function expiry(c: Record<string, unknown>, now: number, field: string): { expMonth: number; expYear: number } {
  const expMonth = c.expMonth;
  const expYear = c.expYear;
  if (!Number.isInteger(expMonth) || (expMonth as number) < 1 || (expMonth as number) > 12)
    fail(`${field}.expMonth`, 'must be an integer from 1 to 12');
  if (!Number.isInteger(expYear) || (expYear as number) < 2000 || (expYear as number) > 2199)
    fail(`${field}.expYear`, 'must be a four-digit year');
  const d = new Date(now);
  const nowYm = d.getUTCFullYear() * 12 + d.getUTCMonth();
  const expYm = (expYear as number) * 12 + ((expMonth as number) - 1);
  if (expYm < nowYm)
    fail(
      `${field}.expYear`,
      `the ${'networkToken' in c && c.networkToken !== undefined ? 'token' : 'card'} expired (expiry date is in the past)`,
    );
  if (expYm > nowYm + 50 * 12) fail(`${field}.expYear`, 'is more than 50 years ahead');
  return { expMonth: expMonth as number, expYear: expYear as number };
}

function parseCard(card: unknown, now: number, field: string, rules: CardRules): ParsedCard {
  if (!isObj(card)) fail(field, 'is required');
  const c = card as Record<string, unknown>;
  if (c.networkToken !== undefined) {
    if (c.number !== undefined) fail(field, 'give either number or networkToken, not both');
    return parseToken(c, now, field, rules);
  }
  const { pan, brand } = cardDigits(c.number, `${field}.number`, 'number');
  for (const k of ['cryptogram', 'eci', 'tokenType'])
    if (c[k] !== undefined) fail(`${field}.${k}`, 'goes with networkToken, not with a card number');
  const { expMonth, expYear } = expiry(c, now, field);
  const cvc = c.cvc;
  if (cvc !== undefined) {
    if (typeof cvc !== 'string' || !/^\d+$/.test(cvc)) fail(`${field}.cvc`, 'must be a string of digits');
    if ((cvc as string).length !== brand.cvcLength) fail(`${field}.cvc`, `must have ${brand.cvcLength} digits for ${brand.brand}`);
  }
  const holderName = optionalText(c.holderName, `${field}.holderName`);
  return Object.freeze({
    digits: pan,
    brand: brand.brand,
    expMonth,
    expYear,
    ...(cvc !== undefined && { cvc: cvc as string }),
    ...(holderName !== undefined && { holderName }),
  });
}

/** A network or wallet token: its digits like a card number's, its cryptogram, ECI and type. */
function parseToken(c: Record<string, unknown>, now: number, field: string, rules: CardRules): ParsedCard {
  const { pan, brand } = cardDigits(c.networkToken, `${field}.networkToken`, 'token');
  if (c.cvc !== undefined) fail(`${field}.cvc`, 'a token has no security code: send its cryptogram');
  const { expMonth, expYear } = expiry(c, now, field);
  const { cryptogram, eci, tokenType } = c;
  if (cryptogram === undefined) {
    if (!rules.merchantInitiated) fail(`${field}.cryptogram`, 'is required with a network token on a customer-initiated payment');
  } else if (typeof cryptogram !== 'string' || cryptogram.length > MAX_CRYPTOGRAM || !CRYPTOGRAM.test(cryptogram)) {
    fail(`${field}.cryptogram`, `must be the base64 cryptogram that came with the token (at most ${MAX_CRYPTOGRAM} characters)`);
  }
  if (eci !== undefined && (typeof eci !== 'string' || !/^\d{1,2}$/.test(eci))) fail(`${field}.eci`, 'must be one or two digits, e.g. 05');
  if (tokenType !== undefined && !TOKEN_TYPES.includes(tokenType as CardTokenType))
    fail(`${field}.tokenType`, `must be one of ${TOKEN_TYPES.join(', ')}`);
  const holderName = optionalText(c.holderName, `${field}.holderName`);
  return Object.freeze({
    digits: pan,
    brand: brand.brand,
    expMonth,
    expYear,
    ...(holderName !== undefined && { holderName }),
    token: Object.freeze({
      type: (tokenType as CardTokenType | undefined) ?? 'network_token',
      ...(cryptogram !== undefined && { cryptogram: cryptogram as string }),
      ...(eci !== undefined && { eci: (eci as string).padStart(2, '0') }),
    }),
  });
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

/** Validate an id or key given by the caller: a non-empty string of at most 255 characters, no card number. */
export function validateId(id: unknown, field: string): ValidationIssue | undefined {
  const r = guarded(field, () => text(id, field, INPUT_LIMITS.idLength));
  return typeof r === 'string' ? undefined : r;
}

/** Validate an idempotency key. */
export function validateIdempotencyKey(key: unknown, field = 'idempotencyKey'): ValidationIssue | undefined {
  return validateId(key, field);
}

function country(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[A-Za-z]{2}$/.test(v)) fail(field, 'must be an ISO 3166-1 alpha-2 country code');
  return v as string;
}

/** A copy of an object of optional strings with known keys. */
function strings<K extends string>(obj: unknown, field: string, keys: readonly K[]): Readonly<Partial<Record<K, string>>> | undefined {
  if (obj === undefined) return undefined;
  if (!isObj(obj)) fail(field, 'must be an object');
  const out: Partial<Record<K, string>> = {};
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (!keys.includes(k as K)) fail(`${field}.${k.slice(0, 64)}`, 'is not a known field');
    if (v !== undefined) out[k as K] = text(v, `${field}.${k}`);
  }
  return Object.freeze(out);
}

function tagsOf(tags: unknown): readonly string[] | undefined {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags)) fail('tags', 'must be an array of strings');
  const list = [...(tags as unknown[])];
  if (list.length > INPUT_LIMITS.tags) fail('tags', `has ${list.length} tags; at most ${INPUT_LIMITS.tags} are allowed`);
  return Object.freeze(list.map((t, i) => text(t, `tags[${i}]`, INPUT_LIMITS.tagLength)));
}

function metadataOf(metadata: unknown): Readonly<Record<string, string>> | undefined {
  if (metadata === undefined) return undefined;
  if (!isObj(metadata)) fail('metadata', 'must be an object of string values');
  const entries = Object.entries(metadata as Record<string, unknown>);
  if (entries.length > INPUT_LIMITS.metadataKeys)
    fail('metadata', `has ${entries.length} keys; at most ${INPUT_LIMITS.metadataKeys} are allowed`);
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (k.length > INPUT_LIMITS.metadataKeyLength) fail('metadata', `a key is longer than ${INPUT_LIMITS.metadataKeyLength} characters`);
    if (containsCardNumber(k)) fail('metadata', 'a key must not contain a card number');
    if (typeof v !== 'string' || v.length > INPUT_LIMITS.metadataValueLength) {
      fail(`metadata.${k}`, `must be a string of at most ${INPUT_LIMITS.metadataValueLength} characters`);
    }
    if (containsCardNumber(v as string)) fail(`metadata.${k}`, 'must not contain a card number');
    out[k] = v as string;
  }
  return Object.freeze(out);
}

/** Validate tags and metadata (size-limited, no card numbers). */
export function validateTagsAndMetadata(tags: unknown, metadata: unknown): ValidationIssue | undefined {
  const r = guarded('metadata', () => {
    tagsOf(tags);
    metadataOf(metadata);
  });
  return r === undefined ? undefined : r;
}

/** A frozen copy of validated metadata (call after `validateTagsAndMetadata`). */
export function copyMetadata(metadata: unknown): Readonly<Record<string, string>> | undefined {
  return metadataOf(metadata);
}

function subscriptionOf(sub: unknown): Readonly<SubscriptionInput> | undefined {
  if (sub === undefined) return undefined;
  if (!isObj(sub)) fail('subscription', 'must be an object');
  const s = sub as Record<string, unknown>;
  const id = text(s.id, 'subscription.id', INPUT_LIMITS.idLength);
  const { firstRebillAt, recurringAmount, physicalProduct } = s;
  if (firstRebillAt !== undefined && !(Number.isSafeInteger(firstRebillAt) && (firstRebillAt as number) > 0)) {
    fail('subscription.firstRebillAt', 'must be a time in ms since epoch');
  }
  if (recurringAmount !== undefined) {
    const a = validateAmount(recurringAmount, 'subscription.recurringAmount');
    if (a) fail(a.field, a.message);
  }
  if (physicalProduct !== undefined && typeof physicalProduct !== 'boolean') fail('subscription.physicalProduct', 'must be true or false');
  for (const k of Object.keys(s)) {
    if (!['id', 'firstRebillAt', 'recurringAmount', 'physicalProduct'].includes(k))
      fail(`subscription.${k.slice(0, 64)}`, 'is not a known field');
  }
  return Object.freeze({
    id,
    ...(recurringAmount !== undefined && { recurringAmount: recurringAmount as number }),
    ...(physicalProduct !== undefined && { physicalProduct: physicalProduct as boolean }),
    ...(firstRebillAt !== undefined && { firstRebillAt: firstRebillAt as number }),
  });
}

/** Validate a sale / authorize / verify request and copy what was checked. */
export function validatePayment(req: unknown, now: number, opts: { allowZeroAmount?: boolean } = {}): ValidationIssue | ParsedPayment {
  return guarded('(request)', () => parsePayment(req, now, opts));
}

function parsePayment(req: unknown, now: number, opts: { allowZeroAmount?: boolean }): ParsedPayment {
  if (!isObj(req)) fail('(request)', 'must be an object');
  const r = req as Record<string, unknown>;
  const profile = r.profile;
  if (typeof profile !== 'string' || profile.length === 0 || profile.length > INPUT_LIMITS.stringLength)
    fail('profile', 'is required: the id of a profile');
  if (containsCardNumber(profile as string)) fail('profile', 'must not contain a card number');
  const idempotencyKey = text(r.idempotencyKey, 'idempotencyKey', INPUT_LIMITS.idLength);
  const orderId = optionalText(r.orderId, 'orderId', INPUT_LIMITS.idLength);
  const amount = r.amount;
  const currency = r.currency;
  const bad = validateAmount(amount, 'amount', opts.allowZeroAmount) ?? validateCurrency(currency);
  if (bad) fail(bad.field, bad.message);
  const card = parseCard(r.card, now, 'card', {});
  const customer = strings(r.customer, 'customer', ['id', 'email', 'country', 'ip']);
  country(customer?.country, 'customer.country');
  const billing = strings(r.billing, 'billing', ['line1', 'line2', 'city', 'state', 'postalCode', 'country']);
  country(billing?.country, 'billing.country');
  const tags = tagsOf(r.tags);
  const metadata = metadataOf(r.metadata);
  const subscription = subscriptionOf(r.subscription);
  const threeDS = strings(r.threeDS, 'threeDS', ['version', 'eci', 'cavv', 'xid', 'dsTransactionId']);
  const returnUrl = returnUrlOf(r.returnUrl);
  const request: ValidPayment = Object.freeze({
    profile: profile as string,
    idempotencyKey,
    ...(orderId !== undefined && { orderId }),
    amount: amount as number,
    currency: currency as string,
    ...(customer && { customer }),
    ...(billing && { billing }),
    ...(tags && { tags }),
    ...(metadata && { metadata }),
    ...(subscription && { subscription }),
    ...(threeDS && { threeDS }),
    ...(returnUrl && { returnUrl }),
  });
  return { request, card };
}

/** `returnUrl`: an absolute http(s) URL without a card number, at most 2,000 characters. */
function returnUrlOf(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 2000 || !/^https?:\/\/[^\s]+$/.test(v)) fail('returnUrl', 'must be an absolute http(s) URL');
  try {
    new URL(v as string);
  } catch {
    fail('returnUrl', 'must be an absolute http(s) URL');
  }
  if (containsCardNumber(v as string)) fail('returnUrl', 'must not contain a card number');
  return v as string;
}

/** A `completeAction` input that passed validation: a frozen copy. */
export interface ValidCompletion {
  readonly authenticated?: boolean | undefined;
  readonly paymentIntent?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly redirectResult?: string | undefined;
  readonly threeDSResult?: string | undefined;
  readonly nonce?: string | undefined;
  readonly threeDS?: Readonly<ThreeDSResult> | undefined;
  readonly card?: ParsedCard | undefined;
}

/** Longest gateway blob a completion may carry (Adyen's `redirectResult` / `threeDSResult`). */
const MAX_BLOB = 20_000;
const COMPLETION_FIELDS = ['authenticated', 'paymentIntent', 'sessionId', 'redirectResult', 'threeDSResult', 'nonce', 'threeDS', 'card'];

/** Validate the input of `completeAction` (fields named `input.<field>`); the card, if any, like a payment's. */
export function validateCompletion(input: unknown, now: number): ValidationIssue | ValidCompletion {
  return guarded('input', () => parseCompletion(input, now));
}

function parseCompletion(input: unknown, now: number): ValidCompletion {
  if (input === undefined) return Object.freeze({});
  if (!isObj(input)) fail('input', 'must be an object');
  const r = input as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!COMPLETION_FIELDS.includes(k)) fail(`input.${k.slice(0, 64)}`, 'is not a known field');
  const authenticated = r.authenticated;
  if (authenticated !== undefined && typeof authenticated !== 'boolean') fail('input.authenticated', 'must be true or false');
  const blob = (v: unknown, field: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_BLOB)
      fail(field, `must be a non-empty string of at most ${MAX_BLOB} characters`);
    return v as string;
  };
  const paymentIntent = optionalText(r.paymentIntent, 'input.paymentIntent');
  const sessionId = optionalText(r.sessionId, 'input.sessionId');
  const nonce = optionalText(r.nonce, 'input.nonce', 4096);
  const redirectResult = blob(r.redirectResult, 'input.redirectResult');
  const threeDSResult = blob(r.threeDSResult, 'input.threeDSResult');
  const threeDS = strings(r.threeDS, 'input.threeDS', ['version', 'eci', 'cavv', 'xid', 'dsTransactionId']);
  const card = r.card === undefined ? undefined : parseCard(r.card, now, 'input.card', {});
  return Object.freeze({
    ...(authenticated !== undefined && { authenticated: authenticated as boolean }),
    ...(paymentIntent && { paymentIntent }),
    ...(sessionId && { sessionId }),
    ...(redirectResult && { redirectResult }),
    ...(threeDSResult && { threeDSResult }),
    ...(nonce && { nonce }),
    ...(threeDS && { threeDS }),
    ...(card && { card }),
  });
}
