import { describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK_RULES, checkNetworkRules } from '../../src/index';
import type { DeclineRecord } from '../../src/store/types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 15);

const decline = (over: Partial<DeclineRecord>): DeclineRecord => ({
  fingerprint: 'fp',
  mid: 'a',
  brand: 'visa',
  at: T0,
  reason: 'do_not_honor',
  retry: 'later',
  amount: 1000,
  currency: 'USD',
  initiator: 'cit',
  ...over,
});

describe('checkNetworkRules', () => {
  it('refuses a MID for 30 days after a never-retry decline there, and only that MID', () => {
    const h = [decline({ reason: 'stolen_card', retry: 'never' })];
    expect(checkNetworkRules(h, { mid: 'a', brand: 'visa', now: T0 + 29 * DAY, initiator: 'cit' })).toMatchObject({
      allowed: false,
      rule: 'never_retry',
    });
    expect(checkNetworkRules(h, { mid: 'b', brand: 'visa', now: T0 + HOUR, initiator: 'cit' })).toEqual({ allowed: true });
    expect(checkNetworkRules(h, { mid: 'a', brand: 'visa', now: T0 + 30 * DAY, initiator: 'cit' })).toEqual({ allowed: true });
  });

  it('counts Visa reattempts per MID, and per initiator when configured', () => {
    const h = Array.from({ length: 16 }, (_, i) => decline({ at: T0 + i * HOUR, initiator: i % 2 ? 'mit' : 'cit' }));
    const now = T0 + 17 * HOUR;
    expect(checkNetworkRules(h.slice(0, 15), { mid: 'a', brand: 'visa', now, initiator: 'cit' }).allowed).toBe(true);
    expect(checkNetworkRules(h, { mid: 'a', brand: 'visa', now, initiator: 'cit' })).toMatchObject({
      allowed: false,
      rule: 'visa_reattempt_limit',
    });
    expect(checkNetworkRules(h, { mid: 'b', brand: 'visa', now, initiator: 'cit' }).allowed).toBe(true);
    const separate = { ...DEFAULT_NETWORK_RULES, visaSeparateInitiators: true };
    expect(checkNetworkRules(h, { mid: 'a', brand: 'visa', now, initiator: 'cit' }, separate).allowed).toBe(true); // 8 CIT, 8 MIT
    expect(checkNetworkRules(h, { mid: 'a', brand: 'mastercard', now: now + DAY, initiator: 'cit' }).allowed).toBe(true); // not a Visa rule
  });

  it('gives the time the Mastercard 24-hour window has room again', () => {
    const h = Array.from({ length: 12 }, (_, i) => decline({ brand: 'mastercard', mid: i % 2 ? 'a' : 'b', at: T0 + i * 60_000 }));
    const v = checkNetworkRules(h, { mid: 'c', brand: 'mastercard', now: T0 + HOUR, initiator: 'cit' });
    expect(v).toMatchObject({ allowed: false, rule: 'mastercard_daily_limit' });
    // 12 declines, limit 10: the three oldest must age out to leave 9.
    expect(v.allowed === false && v.retryAfter).toBe(T0 + 2 * 60_000 + DAY);
    expect(checkNetworkRules(h, { mid: 'c', brand: 'mastercard', now: T0 + 2 * 60_000 + DAY, initiator: 'cit' }).allowed).toBe(true);
  });

  it('holds a MAC 24–30 retry time on the MID that received it', () => {
    const h = [decline({ brand: 'mastercard', reason: 'insufficient_funds', advice: '26', retryAfter: T0 + 2 * DAY })];
    expect(checkNetworkRules(h, { mid: 'a', brand: 'mastercard', now: T0 + DAY, initiator: 'mit' })).toMatchObject({
      allowed: false,
      rule: 'mastercard_retry_delay',
      retryAfter: T0 + 2 * DAY,
    });
    expect(checkNetworkRules(h, { mid: 'a', brand: 'mastercard', now: T0 + 2 * DAY, initiator: 'mit' }).allowed).toBe(true);
  });
});
