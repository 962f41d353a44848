import fc from 'fast-check';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBinTable, loadBinTable, type BinRow } from '../../src/card/bin-table';

const CSV = resolve(__dirname, '../specs/binlist-ranges.2016-02-12.csv');

describe('BIN table', () => {
  it('loads the binlist CSV and answers from it', async () => {
    const t = await loadBinTable(CSV);
    expect(t.size).toBe(5805);
    // Rows from the file: 341142 AMEX credit US; 360218 Diners, Ecuador.
    expect(t.lookup('341142000000000')).toMatchObject({ scheme: 'amex', type: 'credit', country: 'US', issuer: 'AMERICAN EXPRESS' });
    expect(t.lookup('36021812345678')).toMatchObject({ scheme: 'diners', country: 'EC' });
    expect(t.lookup('999999999999')).toBeUndefined();
  });

  it('longest matching prefix wins; 6- and 8-digit BINs and ranges work', () => {
    const t = buildBinTable([
      { start: '4', country: 'XX' },
      { start: '411111', type: 'credit', country: 'US' },
      { start: '41111122', type: 'debit', prepaid: true, country: 'CA' },
      { start: '400000', end: '400099', country: 'GB' },
      { start: '40005', country: 'FR' },
    ]);
    expect(t.lookup('4111111111111111')?.country).toBe('US');
    expect(t.lookup('4111112211111111')).toMatchObject({ type: 'debit', prepaid: true, country: 'CA' });
    expect(t.lookup('4000501111111111')?.country).toBe('GB'); // a 6-digit range is a longer prefix than 40005
    expect(t.lookup('4000991111111111')?.country).toBe('GB');
    expect(t.lookup('4001001111111111')?.country).toBe('XX');
    expect(t.lookup('5111111111111111')).toBeUndefined();
  });

  it('rejects malformed rows, naming the row', () => {
    expect(() => buildBinTable([{ start: '4111' }, { start: 'abc' }])).toThrow(/BIN row 1/);
    expect(() => buildBinTable([{ start: '400099', end: '400000' }])).toThrow(/end is before start/);
  });

  it('agrees with a brute-force narrowest-match search (property)', () => {
    const row = fc
      .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 50 }), fc.boolean())
      .map(([len, n, extra, range]): BinRow => {
        const start = String(n).padStart(8, '0').slice(0, len);
        if (!range) return { start, issuer: `p${start}` };
        const end = String(Math.min(Number(start) + extra, 10 ** len - 1)).padStart(len, '0');
        return { start, end, issuer: `r${start}-${end}` };
      });
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 99_999_999 }), { minLength: 1, maxLength: 30 }),
        (rows, keys) => {
          const t = buildBinTable(rows);
          const span = rows.map((r) => {
            const lo = Number(r.start.padEnd(8, '0'));
            const hi = Number((r.end ?? r.start).padEnd(8, '9'));
            return { lo, hi, w: (8 - r.start.length) * 1e8 + (hi - lo) };
          });
          for (const k of keys) {
            let best = -1;
            span.forEach((s, i) => {
              if (k >= s.lo && k <= s.hi && (best < 0 || s.w < span[best].w || (s.w === span[best].w && i > best))) best = i;
            });
            const pan = String(k).padStart(8, '0') + '12345678';
            expect(t.lookup(pan)?.issuer).toBe(best < 0 ? undefined : rows[best].issuer);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
