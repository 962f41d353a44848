/**
 * Money: ISO 4217 currencies and exact conversion between integer minor units and the
 * decimal strings gateways want. Exponents come from the runtime's ICU data (CLDR), which
 * follows ISO 4217 (JPY 0, USD 2, KWD 3); adapters override where a gateway differs.
 * @module
 */

const exponentCache = new Map<string, number>();
let known: Set<string> | undefined;

/** True when `code` is an active ISO 4217 currency code (upper case, e.g. 'USD'). */
export function isCurrency(code: unknown): code is string {
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) return false;
  known ??= new Set(Intl.supportedValuesOf('currency'));
  return known.has(code);
}

/**
 * Number of minor-unit digits of a currency: 2 for USD, 0 for JPY, 3 for KWD.
 * @example
 * currencyExponent('KWD') // 3
 */
export function currencyExponent(currency: string): number {
  let e = exponentCache.get(currency);
  if (e === undefined) {
    e = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponentCache.set(currency, e);
  }
  return e;
}

/**
 * Exact decimal string of an integer minor-unit amount, without floating point.
 * @example
 * toDecimalString(1999, 'USD') // '19.99'
 * toDecimalString(500, 'JPY')  // '500'
 * toDecimalString(1005, 'KWD') // '1.005'
 */
export function toDecimalString(minor: number, currency: string, exponent = currencyExponent(currency)): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError('amount must be a safe integer of minor units');
  const negative = minor < 0;
  const digits = String(Math.abs(minor));
  if (exponent === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/**
 * Integer minor units of a decimal string (`'19.99'` → 1999 for USD). Throws on more
 * fractional digits than the currency has, or on anything that is not a plain decimal.
 */
export function fromDecimalString(value: string, currency: string, exponent = currencyExponent(currency)): number {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new RangeError(`not a decimal amount: ${JSON.stringify(value)}`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > exponent) throw new RangeError(`${value} has more decimals than ${currency} allows`);
  const n = Number(m[2] + frac.padEnd(exponent, '0'));
  return m[1] ? -n : n;
}

/** True for a positive safe integer (a valid amount in minor units). */
export function isPositiveAmount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}
