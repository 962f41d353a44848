import { describe, expect, it } from 'vitest';
import { DECLINE_REASONS, DECLINE_REASON_NAMES, isDeclineReason, normalizeDecline, type DeclineReasonInfo } from '../../src/index';

// The reason names of DESIGN.md (a public contract).
const DESIGN_REASONS = [
  'insufficient_funds',
  'do_not_honor',
  'generic_decline',
  'expired_card',
  'incorrect_cvc',
  'incorrect_number',
  'invalid_expiry_date',
  'incorrect_address',
  'new_account_information',
  'lost_card',
  'stolen_card',
  'pickup_card',
  'fraud_suspected',
  'account_closed',
  'invalid_account',
  'transaction_not_allowed',
  'restricted_card',
  'card_not_supported',
  'amount_limit_exceeded',
  'velocity_exceeded',
  'authentication_required',
  'authentication_failed',
  'issuer_unavailable',
  'processing_error',
  'invalid_amount',
  'invalid_merchant',
  'duplicate_transaction',
  'risk_blocked',
  'revocation_of_authorization',
  'do_not_retry',
  'call_issuer',
  'pin_error',
];

describe('DECLINE_REASONS', () => {
  it('has exactly the reasons of DESIGN.md', () => {
    expect([...DECLINE_REASON_NAMES].sort()).toEqual([...DESIGN_REASONS].sort());
    for (const r of DESIGN_REASONS) expect(isDeclineReason(r)).toBe(true);
    expect(isDeclineReason('toString')).toBe(false);
  });

  it('never cascades a hard or never-retry reason, nor one that needs 3-D Secure on the same MID', () => {
    for (const [name, info] of Object.entries(DECLINE_REASONS) as Array<[string, DeclineReasonInfo]>) {
      if (info.category === 'hard' || info.retry === 'never' || info.retry === 'with_authentication')
        expect(info.cascade, name).toBe(false);
      if (info.retry === 'never') expect(info.category, name).toBe('hard');
      if (info.visaCategory === 1) expect(info.retry, name).toBe('never');
      expect(info.description.length, name).toBeGreaterThan(10);
    }
  });

  it("follows the issue's defaults (network-retry-rules.md)", () => {
    for (const r of [
      'lost_card',
      'stolen_card',
      'pickup_card',
      'account_closed',
      'invalid_account',
      'revocation_of_authorization',
      'do_not_retry',
    ] as const) {
      expect(DECLINE_REASONS[r], r).toMatchObject({ retry: 'never', cascade: false });
    }
    expect(DECLINE_REASONS.insufficient_funds).toMatchObject({ retry: 'later', cascade: false, visaCategory: 2 });
    expect(DECLINE_REASONS.authentication_required).toMatchObject({ retry: 'with_authentication', cascade: false });
    expect(DECLINE_REASONS.invalid_merchant.cascade).toBe(true);
    expect(DECLINE_REASONS.processing_error.cascade).toBe(true);
    expect(DECLINE_REASONS.duplicate_transaction.cascade).toBe(false);
  });

  it('is what normalizeDecline returns for a reason without advice', () => {
    for (const name of DECLINE_REASON_NAMES) {
      const d = normalizeDecline({ gateway: 'custom', code: 'X1' }, { rules: [{ code: 'X1', reason: name }] });
      const info = DECLINE_REASONS[name];
      expect(d).toMatchObject({
        reason: name,
        category: info.category,
        retry: info.retry,
        cascade: info.cascade,
        networkCategory: info.visaCategory,
        source: 'override',
      });
    }
  });
});
