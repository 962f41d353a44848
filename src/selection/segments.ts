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

interface Node {
  next?: Map<string, Node> | undefined;
  keys?: string[] | undefined;
}

/**
 * The segment keys of requests, interned: a request's dimension values lead down a small tree to
 * its key chain, built once, so the hot path builds no string and every lookup keyed by these
 * strings hits a hash already computed. Holds at most `maxChains` chains (then starts over).
 */
export class SegmentIndex {
  private root: Node = {};
  private chains = 0;

  constructor(
    readonly dimensions: readonly SegmentDimension[],
    readonly amountBands: readonly number[] = DEFAULT_AMOUNT_BANDS,
    private readonly amountLabels: readonly string[] = amountBandLabels(amountBands),
    private readonly maxChains = 20_000,
  ) {}

  /** The keys of a request, finest first, ending with `*` (the same array for the same segment). */
  keys(rc: RoutingContext): readonly string[] {
    let node = this.root;
    for (const d of this.dimensions) {
      const v = dimensionValue(d, rc, this.amountBands, this.amountLabels);
      let child = node.next?.get(v);
      if (!child) (node.next ??= new Map()).set(v, (child = {}));
      node = child;
    }
    if (!node.keys) {
      if (++this.chains > this.maxChains) {
        this.root = {};
        this.chains = 0;
        return this.keys(rc);
      }
      node.keys = Object.freeze(segmentKeys(this.dimensions, rc, this.amountBands, this.amountLabels)) as string[];
    }
    return node.keys;
  }
}
