/**
 * BIN table: what the first digits of a PAN say about the card (type, prepaid, country,
 * issuer). Loads the binlist CSV format or an array of rows. Longest matching prefix wins.
 *
 * Every prefix or range is widened to an interval over the 8-digit BIN space
 * (`4111` → 41110000–41119999), then the intervals are flattened once, at load, into sorted
 * non-overlapping segments that each point to the narrowest interval covering them. A lookup
 * is one binary search over a `Uint32Array`: O(log n), no allocation.
 * @module
 */
import { readFile } from 'node:fs/promises';

/** What a BIN table knows about a card. Unknown fields are absent. */
export interface BinInfo {
  /** Card scheme as the table names it, lower-case (`visa`, `mastercard`, `amex`…). */
  scheme?: string;
  type?: 'credit' | 'debit' | 'charge';
  prepaid?: boolean;
  /** ISO 3166-1 alpha-2 of the issuing country. */
  country?: string;
  /** Issuing bank's name. */
  issuer?: string;
}

/** One row given to `loadBinTable`: a prefix (`start` only) or a range (`start`–`end`). */
export interface BinRow extends BinInfo {
  /** 1–8 digits. */
  start: string;
  /** Inclusive end of a range, same length as `start` or padded to it. */
  end?: string;
}

const WIDTH = 8;
const SPACE = 10 ** WIDTH;

function widen(digits: string, fill: '0' | '9'): number {
  return Number(digits.slice(0, WIDTH).padEnd(WIDTH, fill));
}

/** An immutable, loaded BIN table. */
export class BinTable {
  /** @internal */
  constructor(
    private readonly starts: Uint32Array,
    private readonly entryOf: Int32Array,
    private readonly entries: readonly BinInfo[],
    /** Number of rows loaded. */
    readonly size: number,
  ) {}

  /**
   * Look up a PAN or a BIN (at least 1 digit; 6–8 is usual).
   * @example
   * table.lookup('4111111111111111')?.country
   */
  lookup(panOrBin: string): BinInfo | undefined {
    if (this.starts.length === 0) return undefined;
    const key = widen(panOrBin, '0');
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    if (key < starts[0]) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= key) lo = mid;
      else hi = mid - 1;
    }
    const e = this.entryOf[lo];
    return e < 0 ? undefined : this.entries[e];
  }
}

/** Min-heap of interval indices ordered by specificity (longest prefix, then narrowest), ties by later row first. */
class SpanHeap {
  private readonly items: number[] = [];
  constructor(private readonly span: Float64Array) {}
  get size() {
    return this.items.length;
  }
  peek() {
    return this.items[0];
  }
  private less(a: number, b: number) {
    const d = this.span[a] - this.span[b];
    return d < 0 || (d === 0 && a > b);
  }
  push(x: number) {
    const h = this.items;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop() {
    const h = this.items;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** Build a table from rows. Rows with a malformed `start`/`end` throw, naming the row. */
export function buildBinTable(rows: readonly BinRow[]): BinTable {
  const n = rows.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const span = new Float64Array(n);
  const entries: BinInfo[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const start = String(r.start ?? '');
    const end = r.end === undefined || r.end === '' ? start : String(r.end);
    if (!/^\d{1,8}$/.test(start) || !/^\d{1,8}$/.test(end)) {
      throw new RangeError(`BIN row ${i}: start and end must be 1–8 digits`);
    }
    lo[i] = widen(start, '0');
    hi[i] = widen(end.padEnd(start.length, '9'), '9');
    if (hi[i] < lo[i]) throw new RangeError(`BIN row ${i}: end is before start`);
    // Longest prefix first (a 6-digit range beats a 5-digit prefix), then the narrowest interval.
    span[i] = (WIDTH - start.length) * SPACE + (hi[i] - lo[i]);
    const { start: _s, end: _e, ...info } = r;
    entries[i] = info;
  }
  // Sweep over interval starts in order; the heap holds the intervals open at the cursor.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => lo[a] - lo[b]);
  const heap = new SpanHeap(span);
  const segStarts: number[] = [];
  const segEntry: number[] = [];
  // The cursor only moves forward, so a segment is pushed only when its entry changes.
  const emit = (at: number, entry: number) => {
    if (segEntry.length && segEntry[segEntry.length - 1] === entry) return;
    segStarts.push(at);
    segEntry.push(entry);
  };
  let k = 0;
  let cursor = 0;
  while (cursor < SPACE && (k < n || heap.size > 0)) {
    while (heap.size > 0 && hi[heap.peek()] < cursor) heap.pop();
    while (k < n && lo[order[k]] <= cursor) heap.push(order[k++]);
    while (heap.size > 0 && hi[heap.peek()] < cursor) heap.pop();
    emit(cursor, heap.size > 0 ? heap.peek() : -1);
    // Next event: the narrowest open interval ends, or the next interval starts.
    let next = k < n ? lo[order[k]] : SPACE;
    if (heap.size > 0) next = Math.min(next, hi[heap.peek()] + 1);
    cursor = next;
  }
  if (cursor < SPACE) emit(cursor, -1);
  return new BinTable(Uint32Array.from(segStarts), Int32Array.from(segEntry), entries, n);
}

function parseCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const TYPES: Record<string, BinInfo['type']> = { CREDIT: 'credit', DEBIT: 'debit', CHARGE: 'charge', CHARGE_CARD: 'charge' };

/**
 * Parse the binlist CSV format (`iin_start,iin_end,number_length,scheme,brand,type,prepaid,country,bank_name,…`).
 * A small splitter rather than a CSV library: it keeps 500,000 rows well under a second.
 */
export function parseBinCsv(text: string): BinRow[] {
  const lines = text.split(/\r?\n/);
  const header = parseCsvLine(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const iStart = col('iin_start'),
    iEnd = col('iin_end'),
    iScheme = col('scheme'),
    iType = col('type');
  const iPrepaid = col('prepaid'),
    iCountry = col('country'),
    iBank = col('bank_name');
  if (iStart < 0) throw new RangeError('BIN CSV: missing iin_start column');
  const rows: BinRow[] = [];
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li];
    if (!line) continue;
    const f = parseCsvLine(line);
    const row: BinRow = { start: f[iStart] };
    if (iEnd >= 0 && f[iEnd]) row.end = f[iEnd];
    if (iScheme >= 0 && f[iScheme]) row.scheme = f[iScheme].toLowerCase();
    if (iType >= 0 && f[iType] && TYPES[f[iType].toUpperCase()]) row.type = TYPES[f[iType].toUpperCase()];
    if (iPrepaid >= 0 && f[iPrepaid]) row.prepaid = /^(true|y|yes|1)$/i.test(f[iPrepaid]);
    if (iCountry >= 0 && f[iCountry]) row.country = f[iCountry].toUpperCase();
    if (iBank >= 0 && f[iBank]) row.issuer = f[iBank];
    rows.push(row);
  }
  return rows;
}

/**
 * Load a BIN table from a binlist-format CSV file or from rows.
 * @example
 * const bins = await loadBinTable('bins.csv');
 * const bins2 = await loadBinTable([{ start: '411111', type: 'credit', country: 'US' }]);
 */
export async function loadBinTable(pathOrRows: string | readonly BinRow[]): Promise<BinTable> {
  const rows = typeof pathOrRows === 'string' ? parseBinCsv(await readFile(pathOrRows, 'utf8')) : pathOrRows;
  return buildBinTable(rows);
}
