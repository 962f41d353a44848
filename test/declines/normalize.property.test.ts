import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_DECLINE_TABLES,
  DECLINE_REASONS,
  ISO8583_CODES,
  MAC_RETRY_DELAYS_MS,
  normalizeDecline,
  type NormalizedDecline,
} from '../../src/index';
import { normalizeAdvice } from '../../src/declines/normalize';
import { PAYPAL_PROCESSOR_CODES } from '../../src/declines/paypal';

const gateways = fc.oneof(
  fc.constantFrom(...BUILTIN_DECLINE_TABLES.keys(), 'iso8583', 'unknown', '__proto__', 'constructor', ''),
  fc.string(),
);
const codes = fc.oneof(
  fc.constantFrom(...Object.keys(ISO8583_CODES), ...Object.keys(PAYPAL_PROCESSOR_CODES), '__proto__', 'toString', 'hasOwnProperty'),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.constant(undefined),
);
const messages = fc.oneof(
  fc.constantFrom(
    'INSUFF FUNDS',
    'Pick up card - L/S',
    'Restricted Card - Pick Up',
    'DECLINE - CVV2 MISMATCH',
    'Do not honor - call issuer',
    '3D Secure authentication failed',
  ),
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constant(undefined),
);
const advices = fc.oneof(
  fc.constantFrom(
    '03',
    '3',
    'MAC 03',
    '21',
    '01',
    '02',
    '24',
    '25',
    '30',
    'do_not_try_again',
    'confirm_card_data',
    'try_again_later',
    '40',
    '__proto__',
    '_ proto _',
    'constructor',
    'toString',
  ),
  fc.string({ maxLength: 12 }),
  fc.constant(undefined),
);

function checkConsistent(d: NormalizedDecline): void {
  expect(Object.prototype.hasOwnProperty.call(DECLINE_REASONS, d.reason)).toBe(true);
  expect(['hard', 'soft']).toContain(d.category);
  expect(['never', 'later', 'after_update', 'with_authentication']).toContain(d.retry);
  expect(typeof d.cascade).toBe('boolean');
  expect(['override', 'gateway', 'iso8583', 'message', 'checks', 'fallback']).toContain(d.source);
  expect(typeof d.raw.gateway).toBe('string');
  if (d.networkCategory !== undefined) expect([1, 2, 3, 4]).toContain(d.networkCategory);
  // The router acts on these: they must never contradict each other.
  if (d.retry === 'never') expect(d).toMatchObject({ category: 'hard', cascade: false });
  if (d.category === 'hard' || d.retry === 'with_authentication') expect(d.cascade).toBe(false);
  if (d.networkCategory === 1) expect(d.retry).toBe('never');
  if (d.retryDelayMs !== undefined) {
    expect(Object.values(MAC_RETRY_DELAYS_MS)).toContain(d.retryDelayMs);
    expect(d.retry).not.toBe('never');
    expect(d.cascade).toBe(false);
  }
}

describe('normalizeDecline (property tests)', () => {
  it('never throws and always returns a standard reason with consistent metadata', () => {
    fc.assert(
      fc.property(gateways, codes, messages, advices, (gateway, code, message, advice) => {
        checkConsistent(normalizeDecline({ gateway, code, message, advice }));
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on input of the wrong types', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), (gateway, code, message, advice) => {
        checkConsistent(normalizeDecline({ gateway, code, message, advice } as never));
      }),
      { numRuns: 1000 },
    );
    for (const bad of [undefined, null, 42, 'x', [], () => 1]) checkConsistent(normalizeDecline(bad as never, bad as never));
    const hostile = {
      toString() {
        throw new Error('boom');
      },
    };
    checkConsistent(normalizeDecline({ gateway: hostile, code: hostile, message: hostile, advice: hostile } as never));
  });

  it('without advice, returns exactly the table defaults of the reason it chose', () => {
    fc.assert(
      fc.property(gateways, codes, messages, (gateway, code, message) => {
        const d = normalizeDecline({ gateway, code, message });
        const info = DECLINE_REASONS[d.reason];
        // A pick-up naming its cause keeps the cause's name but is never retried.
        expect({ category: d.category, retry: d.retry, cascade: d.cascade }).toEqual(
          d.pickUp
            ? { category: 'hard', retry: 'never', cascade: false }
            : { category: info.category, retry: info.retry, cascade: info.cascade },
        );
        if (d.pickUp) expect(info.retry).not.toBe('never');
        expect(d.retryDelayMs).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('advice never loosens a decline: no never-retry becomes retryable, no non-cascading one cascades', () => {
    fc.assert(
      fc.property(gateways, codes, messages, advices, (gateway, code, message, advice) => {
        const plain = normalizeDecline({ gateway, code, message });
        const advised = normalizeDecline({ gateway, code, message, advice });
        if (plain.retry === 'never') expect(advised.retry).toBe('never');
        if (!plain.cascade) expect(advised.cascade).toBe(false);
        const mac = normalizeAdvice(advice);
        if (mac === '03' || mac === '21' || mac === 'do_not_try_again') expect(advised).toMatchObject({ retry: 'never', cascade: false });
      }),
      { numRuns: 2000 },
    );
  });

  it('a CVV or AVS result only ever names an unspecific decline, and never loosens one', () => {
    const checks = fc.oneof(
      fc.constantFrom('N', 'M', 'Y', 'fail', 'pass', 'U', '2 Does not match', '1 Matches', ''),
      fc.string(),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(gateways, codes, messages, checks, checks, (gateway, code, message, cvvResult, avsResult) => {
        const plain = normalizeDecline({ gateway, code, message });
        const checked = normalizeDecline({ gateway, code, message, cvvResult, avsResult } as never);
        checkConsistent(checked);
        if (plain.reason !== 'generic_decline' && plain.reason !== 'do_not_honor') expect(checked.reason).toBe(plain.reason);
        else expect(['generic_decline', 'do_not_honor', 'incorrect_cvc', 'incorrect_address']).toContain(checked.reason);
        if (checked.source === 'checks') expect(checked.cascade).toBe(false);
      }),
      { numRuns: 2000 },
    );
    // And it does name them: Authorize.Net reason 2 with a failed CVV check.
    expect(normalizeDecline({ gateway: 'authorizenet', code: '2', cvvResult: 'N' }).reason).toBe('incorrect_cvc');
  });

  it('user overrides win over every table, for any code', () => {
    fc.assert(
      fc.property(
        gateways,
        fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== ''),
        fc.constantFrom(...Object.keys(DECLINE_REASONS)),
        (gateway, code, reason) => {
          const d = normalizeDecline({ gateway, code }, { rules: [{ code: code.trim(), reason: reason as never }] });
          expect(d.reason).toBe(reason);
          expect(d.source).toBe('override');
        },
      ),
      { numRuns: 500 },
    );
  });
});
