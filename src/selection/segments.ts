/**
 * Card segments of success-rate routing: the request facts a pool's approval windows are kept
 * by, and the back-off chain of segment keys, finest first. A pool's `segments` list is read
 * coarse to fine; backing off drops the finest dimension first, down to `*`, the MID overall.
 * @module
 */
import type { RoutingContext } from '../profile/compile';

/** The dimensions a segment can use. */
export const SEGMENT_DIMENSIONS = ['brand', 'cardType', 'binCountry', 'bin6', 'currency', 'amountBand', 'prepaid'] as const;

/** One segment dimension. */
export type SegmentDimension = (typeof SEGMENT_DIMENSIONS)[number];

/** Default amount bands (minor units): under 10.00, 10.00–49.99, 50.00–199.99, 200.00–999.99, 1,000.00 and over. */
export const DEFAULT_AMOUNT_BANDS: readonly number[] = [1_000, 5_000, 20_000, 100_000];

/** The key of the MID overall, the coarsest segment. */
export const OVERALL = '*';

/** Labels of amount bands: `<1000`, `1000-4999`, …, `100000+`. */
export function amountBandLabels(bands: readonly number[]): string[] {
  return [`<${bands[0]}`, ...bands.slice(1).map((b, i) => `${bands[i]}-${b - 1}`), `${bands.at(-1)}+`];
}

/** How to read each dimension from a request; an unknown value is `unknown` (a segment of its own). */
function dimensionValue(d: SegmentDimension, rc: RoutingContext, bands: readonly number[], labels: readonly string[]): string {
  switch (d) {
    case 'brand':
      return rc.brand ?? 'unknown';
    case 'cardType':
      return rc.binInfo?.type ?? 'unknown';
    case 'binCountry':
      return rc.binInfo?.country ?? 'unknown';
    case 'bin6':
      return rc.bin.slice(0, 6);
    case 'currency':
      return rc.currency;
    case 'prepaid':
      return rc.binInfo?.prepaid === undefined ? 'unknown' : rc.binInfo.prepaid ? 'yes' : 'no';
    case 'amountBand': {
      let i = 0;
      while (i < bands.length && rc.amount >= bands[i]) i++;
      return labels[i];
    }
  }
}

/**
 * The segment keys of a request, finest first, ending with `*`.
 * @example
 * segmentKeys(['brand', 'cardType'], rc) // ['brand=visa|cardType=debit', 'brand=visa', '*']
 */
export function segmentKeys(
  dims: readonly SegmentDimension[],
  rc: RoutingContext,
  bands: readonly number[] = DEFAULT_AMOUNT_BANDS,
  labels: readonly string[] = amountBandLabels(bands),
): string[] {
  const keys = new Array<string>(dims.length + 1);
  keys[dims.length] = OVERALL;
  let key = '';
  for (let i = 0; i < dims.length; i++) {
    key += `${i ? '|' : ''}${dims[i]}=${dimensionValue(dims[i], rc, bands, labels)}`;
    keys[dims.length - 1 - i] = key;
  }
  return keys;
}
