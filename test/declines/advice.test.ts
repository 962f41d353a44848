import { describe, expect, it } from 'vitest';
import { MAC_RETRY_DELAYS_MS, normalizeDecline } from '../../src/index';
import { normalizeAdvice } from '../../src/declines/normalize';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const sandbox = (code: string, advice?: string, message?: string) => normalizeDecline({ gateway: 'sandbox', code, advice, message });

describe('merchant advice (Mastercard MAC, Stripe advice_code)', () => {
  it.each([
    '03',
    '3',
    ' 03 ',
    'MAC 03',
    'mac:3',
    'MAC03',
    'Merchant Advice Code 03',
    'do_not_try_again',
    'DO_NOT_TRY_AGAIN',
    'do not try again',
  ])('%j forces retry never and no cascade, whatever the code said', (advice) => {
    for (const code of ['05', '51', '91', '96']) {
      const d = sandbox(code, advice);
      expect(d, `${code} + ${advice}`).toMatchObject({ reason: 'do_not_retry', retry: 'never', cascade: false, category: 'hard' });
      expect(d.raw.advice).toBe(advice.trim());
    }
  });

  it.each(['21', 'MAC 21', 'mac-21'])('%j (payment cancellation) names revocation_of_authorization', (advice) => {
    expect(sandbox('05', advice)).toMatchObject({ reason: 'revocation_of_authorization', retry: 'never', cascade: false });
    expect(sandbox('51', advice)).toMatchObject({ reason: 'revocation_of_authorization', retry: 'never', cascade: false });
  });

  it('keeps a never-retry reason the code already named (stolen stays stolen under MAC 03)', () => {
    expect(sandbox('43', '03')).toMatchObject({ reason: 'stolen_card', retry: 'never' });
    expect(sandbox('41', '01')).toMatchObject({ reason: 'lost_card', retry: 'never' });
    const d = sandbox('04', '25');
    expect(d.retry).toBe('never');
    expect(d.retryDelayMs).toBeUndefined();
  });

  it('wins over a user override that would cascade', () => {
    const d = normalizeDecline({ gateway: 'sandbox', code: '05', advice: '03' }, { rules: [{ code: '05', reason: 'processing_error' }] });
    expect(d).toMatchObject({ source: 'override', reason: 'do_not_retry', retry: 'never', cascade: false });
  });

  it.each([
    ['24', HOUR],
    ['25', DAY],
    ['26', 2 * DAY],
    ['27', 4 * DAY],
    ['28', 6 * DAY],
    ['29', 8 * DAY],
    ['30', 10 * DAY],
  ])('MAC %s sets the earliest retry to %d ms later, and no cascade', (advice, ms) => {
    const d = sandbox('51', advice);
    expect(d).toMatchObject({ reason: 'insufficient_funds', retry: 'later', cascade: false, retryDelayMs: ms });
    expect(MAC_RETRY_DELAYS_MS[advice]).toBe(ms);
    expect(sandbox('05', `MAC ${advice}`).cascade).toBe(false); // even after a do-not-honor that would cascade
  });

  it('MAC 01 means new_account_information: retry only with updated card data', () => {
    expect(sandbox('05', '01')).toMatchObject({ reason: 'new_account_information', retry: 'after_update', cascade: false });
    expect(sandbox('05', '1').reason).toBe('new_account_information');
  });

  it('Stripe confirm_card_data and MAC 40/41 ask for other card data; MAC 02 and try_again_later change nothing', () => {
    expect(sandbox('05', 'confirm_card_data')).toMatchObject({ reason: 'do_not_honor', retry: 'after_update', cascade: false });
    expect(sandbox('05', '40')).toMatchObject({ retry: 'after_update', cascade: false });
    expect({ ...sandbox('05', '02'), raw: null }).toEqual({ ...sandbox('05'), raw: null });
    expect(sandbox('05', 'try_again_later')).toMatchObject({ reason: 'do_not_honor', retry: 'later', cascade: true });
  });

  it('ignores advice it does not know', () => {
    const plain = sandbox('05');
    for (const advice of ['99x', 'something', '', '   ']) {
      const d = sandbox('05', advice);
      expect(d).toMatchObject({ reason: plain.reason, retry: plain.retry, cascade: plain.cascade });
      expect(d.retryDelayMs).toBeUndefined();
    }
  });

  it('normalizes the variants processors and adapters send', () => {
    expect(normalizeAdvice('3')).toBe('03');
    expect(normalizeAdvice(3)).toBe('03');
    expect(normalizeAdvice('MAC 03')).toBe('03');
    expect(normalizeAdvice('mac: 21')).toBe('21');
    expect(normalizeAdvice('Do Not Try Again')).toBe('do_not_try_again');
    expect(normalizeAdvice('')).toBeUndefined();
    expect(normalizeAdvice(undefined)).toBeUndefined();
  });
});
