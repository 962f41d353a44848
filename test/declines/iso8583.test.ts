import { describe, expect, it } from 'vitest';
import { DECLINE_REASONS, ISO8583_CODES, normalizeDecline } from '../../src/index';
import { isoCodeRow } from '../../src/declines/iso8583';

// Visa's current grouping as published by Checkout.com ("Visa response codes") and Worldpay
// ("Raw response codes").
const VISA_CATEGORY_1 = ['04', '07', '12', '14', '15', '41', '43', '46', '57', 'R0', 'R1', 'R3'];
const VISA_CATEGORY_2 = ['03', '19', '51', '59', '61', '62', '65', '75', '78', '86', '91', '93', '96', 'N3', 'N4', '5C', '9G'];
const VISA_CATEGORY_3 = ['54', '55', '82', 'N7', '1A', '6P'];
const VISA_CATEGORY_4_EXAMPLES = ['01', '02', '05', '06', '13'];

const iso = (code: string | number, advice?: string) => normalizeDecline({ gateway: 'iso8583', code, advice });

describe('ISO 8583 response codes (field 39)', () => {
  it.each(VISA_CATEGORY_1)('%s is Visa category 1: never retried, never cascaded', (code) => {
    const d = iso(code);
    expect(d.source).toBe('iso8583');
    expect(d.networkCategory).toBe(1);
    expect(d.retry).toBe('never');
    expect(d.cascade).toBe(false);
    expect(d.category).toBe('hard');
  });

  it.each(VISA_CATEGORY_2)('%s is Visa category 2 (issuer cannot approve at this time)', (code) => {
    const d = iso(code);
    expect(d.networkCategory).toBe(2);
    expect(d.retry).not.toBe('never');
  });

  it.each(VISA_CATEGORY_3)('%s is Visa category 3 (not with these details)', (code) => {
    const d = iso(code);
    expect(d.networkCategory).toBe(3);
    expect(d.retry).not.toBe('never');
    expect(d.cascade).toBe(false);
  });

  it.each(VISA_CATEGORY_4_EXAMPLES)('%s is Visa category 4 (generic)', (code) => {
    expect(iso(code).networkCategory).toBe(4);
  });

  it('follows the April 2021 change: 03, 62, 78 and 93 moved from category 1 to 2', () => {
    for (const code of ['03', '62', '78', '93']) {
      expect(ISO8583_CODES[code].visaCategory).toBe(2);
      expect(iso(code).retry).toBe('later');
    }
  });

  it.each([
    ['01', 'call_issuer'],
    ['03', 'invalid_merchant'],
    ['04', 'pickup_card'],
    ['05', 'do_not_honor'],
    ['07', 'pickup_card'],
    ['12', 'transaction_not_allowed'],
    ['13', 'invalid_amount'],
    ['14', 'incorrect_number'],
    ['15', 'invalid_account'],
    ['41', 'lost_card'],
    ['43', 'stolen_card'],
    ['46', 'account_closed'],
    ['51', 'insufficient_funds'],
    ['54', 'expired_card'],
    ['55', 'pin_error'],
    ['57', 'transaction_not_allowed'],
    ['58', 'invalid_merchant'],
    ['59', 'fraud_suspected'],
    ['61', 'amount_limit_exceeded'],
    ['62', 'restricted_card'],
    ['65', 'velocity_exceeded'],
    ['82', 'incorrect_cvc'],
    ['91', 'issuer_unavailable'],
    ['94', 'duplicate_transaction'],
    ['96', 'processing_error'],
    ['1A', 'authentication_required'],
    ['N7', 'incorrect_cvc'],
    ['R0', 'revocation_of_authorization'],
    ['R1', 'revocation_of_authorization'],
    ['R3', 'revocation_of_authorization'],
  ])('%s means %s', (code, reason) => {
    expect(iso(code).reason).toBe(reason);
  });

  it('gives the router the decisions users rely on', () => {
    expect(iso('05')).toMatchObject({ category: 'soft', retry: 'later', cascade: true }); // do not honor: try the next MID
    expect(iso('51')).toMatchObject({ retry: 'later', cascade: false }); // another MID cannot add funds
    expect(iso('1A')).toMatchObject({ retry: 'with_authentication', cascade: false }); // 3DS on the same MID
    expect(iso('91')).toMatchObject({ retry: 'later', cascade: true });
    expect(iso('94')).toMatchObject({ cascade: false }); // a duplicate must never be sent elsewhere
  });

  it('accepts lower case, spaces and a number that lost its leading zero', () => {
    expect(iso('r1').reason).toBe('revocation_of_authorization');
    expect(iso(' 51 ').reason).toBe('insufficient_funds');
    expect(iso(5).reason).toBe('do_not_honor');
    expect(isoCodeRow('n7')?.reason).toBe('incorrect_cvc');
    expect(isoCodeRow('00')).toBeUndefined(); // approvals are not declines
  });

  it('falls back to the message for a code it does not know, then to generic_decline', () => {
    expect(normalizeDecline({ gateway: 'iso8583', code: 'Q9', message: 'INSUFF FUNDS' })).toMatchObject({
      reason: 'insufficient_funds',
      source: 'message',
    });
    expect(normalizeDecline({ gateway: 'iso8583', code: 'Q9' })).toMatchObject({ reason: 'generic_decline', source: 'fallback' });
  });

  it('never lets a code be retried where Visa forbids it: every category-1 row maps to a never-retry reason', () => {
    for (const [code, row] of Object.entries(ISO8583_CODES)) {
      expect(DECLINE_REASONS[row.reason], code).toBeDefined();
      expect(row.meaning.length, code).toBeGreaterThan(3);
      if (row.visaCategory === 1) expect(DECLINE_REASONS[row.reason].retry, code).toBe('never');
    }
  });

  // ISO 8583:1987's pick-up codes that name their cause, as acquirers' ISO tables list them
  // (TabaPay's ISO reason table: "Expired card, pick-up" … "Allowable PIN tries exceeded, pick-up").
  it.each([
    ['33', 'expired_card', 'Expired card, pick up'],
    ['34', 'fraud_suspected', 'Suspected fraud, pick up'],
    ['35', 'pickup_card', 'Card acceptor contact acquirer, pick up'],
    ['36', 'restricted_card', 'Restricted card, pick up'],
    ['37', 'pickup_card', 'Card acceptor call acquirer security, pick up'],
    ['38', 'pin_error', 'Allowable PIN tries exceeded, pick up'],
  ])('%s (%s) keeps its cause and is never retried nor cascaded', (code, reason, meaning) => {
    expect(ISO8583_CODES[code]).toMatchObject({ reason, meaning, pickUp: true, visaCategory: 4 });
    expect(iso(code)).toMatchObject({ reason, retry: 'never', cascade: false, category: 'hard', source: 'iso8583' });
  });

  it('passes network codes through for the sandbox gateway, which speaks bare ISO codes', () => {
    expect(normalizeDecline({ gateway: 'sandbox', code: '43', message: 'Stolen Card, Pick Up' })).toMatchObject({
      reason: 'stolen_card',
      source: 'iso8583',
      networkCategory: 1,
    });
  });
});
