/**
 * The failure notes: one sentence for support staff and one for the shopper per standard reason,
 * the README's "Failure notes" table equal to `DECLINE_ADVICE` row by row, and shopper sentences
 * that never blame the shopper with fraud, loss or theft.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adviceFor, DECLINE_ADVICE, OUTCOME_ADVICE } from '../../src/declines/advice';
import { DECLINE_REASONS } from '../../src/declines/reasons';

const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');

describe('failure notes', () => {
  it('has a note pair for every standard reason, and nothing else', () => {
    expect(Object.keys(DECLINE_ADVICE).sort()).toEqual(Object.keys(DECLINE_REASONS).sort());
  });

  it('the README table matches DECLINE_ADVICE, row by row', () => {
    const section = readme.slice(readme.indexOf('### Failure notes'), readme.indexOf('### Logs'));
    const rows = new Map<string, [string, string]>();
    for (const line of section.split('\n')) {
      const m = /^\| `([a-z_]+)` \| (.+?) \| (.+?) \|$/.exec(line);
      if (m) rows.set(m[1], [m[2], m[3]]);
    }
    expect([...rows.keys()].sort()).toEqual(Object.keys(DECLINE_ADVICE).sort());
    for (const [reason, a] of Object.entries(DECLINE_ADVICE)) expect(rows.get(reason), reason).toEqual([a.support, a.shopper]);
  });

  it('each note is one or two short sentences; the shopper is never told of fraud, loss or theft', () => {
    for (const [reason, a] of [...Object.entries(DECLINE_ADVICE), ...Object.entries(OUTCOME_ADVICE)]) {
      for (const text of [a.support, a.shopper]) {
        expect(text, reason).toMatch(/^[A-Z].*[.]$/);
        expect(text.length, reason).toBeLessThanOrEqual(200);
        expect(text, reason).not.toMatch(/\s{2}|\|/);
      }
      expect(a.shopper, reason).not.toMatch(/fraud|stolen|lost|pick.?up|suspect/i);
    }
  });

  it('picks the note by reason, by status without one, and none for approvals', () => {
    expect(adviceFor({ status: 'declined', reason: 'expired_card' })).toBe(DECLINE_ADVICE.expired_card);
    expect(adviceFor({ status: 'declined', reason: 'no_such_reason' })).toBe(DECLINE_ADVICE.generic_decline);
    expect(adviceFor({ status: 'declined', reason: '__proto__' })).toBe(DECLINE_ADVICE.generic_decline);
    expect(adviceFor({ status: 'error' })).toBe(OUTCOME_ADVICE.error);
    expect(adviceFor({ status: 'pending' })).toBe(OUTCOME_ADVICE.pending);
    expect(adviceFor({ status: 'approved' })).toBeUndefined();
    expect(
      adviceFor({ status: 'declined', reason: 'card_not_supported' }, { brands: ['visa', 'mastercard', 'american-express'] })?.shopper,
    ).toBe('This card network is not accepted on this shop (Visa, Mastercard and American Express only).');
    expect(adviceFor({ status: 'declined', reason: 'card_not_supported' })?.shopper).toBe(
      'This card network is not accepted on this shop.',
    );
  });
});
