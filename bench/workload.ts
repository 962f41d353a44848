/**
 * Seeded workloads for the benchmarks: profiles of N rules over brand, BIN prefixes and ranges,
 * card country, amount, currency and tags; 50 MIDs in 10 pools; a BIN table of generated
 * ranges; and requests drawn from the same distributions.
 */
import type { BinRow } from '../src/card/bin-table';
import type { ProfileInput, Condition } from '../src/profile/schema';
import type { PaymentRequest } from '../src/types';
import { seeded } from '../examples/demo/random';

/** A seeded generator (mulberry32, the demo's) with integer and pick helpers. */
export function rng(seed: number) {
  const next = seeded(seed);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

export const BRANDS = ['visa', 'mastercard', 'american-express', 'discover'] as const;
export const COUNTRIES = [
  'US',
  'GB',
  'DE',
  'FR',
  'CA',
  'AU',
  'NL',
  'ES',
  'IT',
  'SE',
  'BR',
  'MX',
  'JP',
  'IE',
  'PL',
  'BE',
  'AT',
  'CH',
  'DK',
  'NO',
];
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY', 'SEK', 'CHF'];
export const TAGS = ['trial', 'vip', 'upsell', 'rebill', 'mobile', 'high-risk', 'promo', 'retention'];
const PREFIX: Record<(typeof BRANDS)[number], string> = { visa: '4', mastercard: '5', 'american-express': '37', discover: '6011' };

export const MIDS = Array.from({ length: 50 }, (_, i) => `mid-${i}`);
export const POOLS = Object.fromEntries(
  Array.from({ length: 10 }, (_, p) => [
    `pool-${p}`,
    p % 2 === 0
      ? { strategy: 'weighted' as const, members: MIDS.slice(p * 5, p * 5 + 5).map((mid, k) => ({ mid, weight: 10 + k * 5 })) }
      : { strategy: 'priority' as const, members: MIDS.slice(p * 5, p * 5 + 5).map((mid) => ({ mid })) },
  ]),
);

/** A random 6-digit BIN of a brand. */
function bin6(r: ReturnType<typeof rng>, brand: (typeof BRANDS)[number]) {
  const p = PREFIX[brand];
  return p + String(r.int(10 ** (6 - p.length))).padStart(6 - p.length, '0');
}

/** A profile of `n` rules, seeded. Most large rule sets are BIN/issuer rules; the rest cover the other fields. */
export function makeProfile(n: number, seed = 1): ProfileInput {
  const r = rng(seed);
  const pools = Object.keys(POOLS);
  const rules = Array.from({ length: n }, (_, i) => {
    const kind = r.next();
    let when: Condition;
    const brand = r.pick(BRANDS);
    if (kind < 0.45) when = { card: { bin: [bin6(r, brand)] }, amount: { gte: r.int(2000) } };
    else if (kind < 0.6) {
      const lo = Number(bin6(r, brand));
      when = { card: { bin: [`${lo}-${lo + r.int(50)}`] } };
    } else if (kind < 0.75) when = { card: { country: [r.pick(COUNTRIES)] }, amount: { gt: r.int(5000) } };
    else if (kind < 0.87) when = { currency: [r.pick(CURRENCIES)], amount: { lt: 1000 + r.int(100_000) }, tags: [r.pick(TAGS)] };
    else if (kind < 0.95) when = { card: { brand: [brand] }, tags: [r.pick(TAGS), r.pick(TAGS)], customer: { country: r.pick(COUNTRIES) } };
    else when = { customer: { country: [r.pick(COUNTRIES)] }, currency: r.pick(CURRENCIES) };
    if (i % 10 === 9) return { name: `filter-${i}`, when, exclude: [r.pick(MIDS)] };
    if (i % 97 === 0) return { name: `reject-${i}`, when, reject: 'card_not_supported' as const };
    return { name: `rule-${i}`, when, route: [r.pick(pools), r.pick(pools)] };
  });
  return { id: `p${n}`, pools: POOLS, rules, route: ['pool-0', 'pool-1'], cascade: { maxAttempts: 3, on: 'soft' } };
}

/** Luhn check digit. */
function luhnComplete(body: string): string {
  let sum = 0;
  let dbl = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let d = body.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/** `n` requests, seeded, drawn from the same distributions as the rules. */
export function makeRequests(n: number, seed = 2): PaymentRequest[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const brand = r.pick(BRANDS);
    const len = brand === 'american-express' ? 15 : 16;
    const b = bin6(r, brand);
    const number = luhnComplete(
      b +
        String(r.int(10 ** 9))
          .padStart(len - 7, '0')
          .slice(0, len - 7),
    );
    return {
      profile: 'bench',
      idempotencyKey: `k-${seed}-${i}`,
      amount: 100 + r.int(20_000),
      currency: r.pick(CURRENCIES),
      card: { number, expMonth: 12, expYear: 2031, cvc: brand === 'american-express' ? '1234' : '123' },
      customer: { country: r.pick(COUNTRIES) },
      tags: r.next() < 0.5 ? [r.pick(TAGS)] : [],
    };
  });
}

/** `n` generated BIN rows: 6- and 8-digit prefixes and ranges with type, prepaid, country, issuer. */
export function makeBinRows(n: number, seed = 3): BinRow[] {
  const r = rng(seed);
  const types = ['credit', 'debit', 'charge'] as const;
  return Array.from({ length: n }, (_, i) => {
    const eight = r.next() < 0.3;
    const start = eight ? String(40_000_000 + r.int(29_999_999)) : String(400_000 + r.int(299_999));
    const range = r.next() < 0.2;
    const end = range ? String(Number(start) + r.int(20)) : undefined;
    return {
      start,
      end: end && end.length === start.length ? end : undefined,
      type: types[i % 3],
      prepaid: r.next() < 0.1,
      country: r.pick(COUNTRIES),
      issuer: `Bank ${i % 5000}`,
    };
  });
}
