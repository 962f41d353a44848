import { describe, expect, it } from 'vitest';
import { DECLINE_REASONS, MESSAGE_PATTERNS, classifyDeclineMessage, normalizeDecline, type DeclineReason } from '../../src/index';

// Texts as processors and gateways send them. Sources: TSYS response texts (Payway "14.1 TSYS",
// exactpay "Bank Response Codes", nsoftware TSYS table), SportsPay/First Data decline texts,
// Authorize.Net response reason texts, NMI responsetext and response_code descriptions, Stripe
// decline messages, PayPal processor response enum names.
const REALISTIC: Array<[string, DeclineReason]> = [
  ['INSUF FUNDS', 'insufficient_funds'],
  ['INSUFF FUNDS', 'insufficient_funds'],
  ['NSF', 'insufficient_funds'],
  ['DECLINE: NSF', 'insufficient_funds'],
  ['Insufficient Funds', 'insufficient_funds'],
  ['Your card has insufficient funds.', 'insufficient_funds'],
  ['REQ EXCEEDS BALANCE', 'insufficient_funds'],
  ['INSUFFICIENT_FUNDS', 'insufficient_funds'],
  ['DECLINE - CVV2 MISMATCH', 'incorrect_cvc'],
  ['DECLINE-CV2 FAIL', 'incorrect_cvc'],
  ['CCV2 mismatch', 'incorrect_cvc'],
  ['INVALID CAM/CVV', 'incorrect_cvc'],
  ["Your card's security code is incorrect.", 'incorrect_cvc'],
  ['Do Not Honor', 'do_not_honor'],
  ['DO_NOT_HONOR', 'do_not_honor'],
  ['PICK UP CARD', 'pickup_card'],
  ['HOLD-CALL', 'pickup_card'],
  ['Pick up card - L/S', 'pickup_card'],
  ['Lost Card, Pick Up', 'lost_card'],
  ['Stolen Card, Pick Up', 'stolen_card'],
  ['Card reported stolen', 'stolen_card'],
  ['Restricted Card', 'restricted_card'],
  ['Invalid service code, restricted', 'restricted_card'],
  ['DECLINE: BLOCKED', 'restricted_card'],
  ['Exceeds withdrawal limit', 'amount_limit_exceeded'],
  ['EXCEEDS AMT LIMIT', 'amount_limit_exceeded'],
  ['Exceeds approval amount limit', 'amount_limit_exceeded'],
  ['Activity limit exceeded', 'velocity_exceeded'],
  ['Exceeds withdrawal frequency limit', 'velocity_exceeded'],
  ['3D Secure authentication failed', 'authentication_failed'],
  ['3DS2 challenge failed', 'authentication_failed'],
  ['Additional customer authentication required', 'authentication_required'],
  ['Call issuer', 'call_issuer'],
  ['CALL AUTH CENTER', 'call_issuer'],
  ['CALL', 'call_issuer'],
  ['Refer to card issuer', 'call_issuer'],
  ['Transaction not permitted to cardholder', 'transaction_not_allowed'],
  ['TRAN NOT ALLOWED', 'transaction_not_allowed'],
  ['SERV NOT ALLOWED', 'transaction_not_allowed'],
  ['Invalid transaction', 'transaction_not_allowed'],
  ['TRANSACTION NOT PERMITTED - TERMINAL', 'invalid_merchant'],
  ['Invalid card number', 'incorrect_number'],
  ['The credit card number is invalid.', 'incorrect_number'],
  ['Your card number is incorrect.', 'incorrect_number'],
  ['CARD NO. ERROR', 'incorrect_number'],
  ['Failure: ACCT NO ERR-CALL', 'incorrect_number'],
  ['Closed account', 'account_closed'],
  ['DECLINE: CLOSED', 'account_closed'],
  ['No such issuer', 'invalid_account'],
  ['NO CREDIT ACCT', 'invalid_account'],
  ['NO CHECK ACCOUNT', 'invalid_account'],
  ['Expired card', 'expired_card'],
  ['The credit card has expired.', 'expired_card'],
  ['The credit card expiration date is invalid.', 'invalid_expiry_date'],
  ['Revocation of Authorization Order', 'revocation_of_authorization'],
  ['Stop recurring', 'revocation_of_authorization'],
  ['Declined-Stop all recurring payments', 'revocation_of_authorization'],
  ['Recurring charge stopped at customer request', 'revocation_of_authorization'],
  ['Try using another card. Do not retry the same card.', 'do_not_retry'],
  ['Declined-Update cardholder data available', 'new_account_information'],
  ['A duplicate transaction has been submitted.', 'duplicate_transaction'],
  ['Suspected fraud', 'fraud_suspected'],
  ['SEC VIOLATION', 'fraud_suspected'],
  ['WRONG PIN', 'pin_error'],
  ['Allowable PIN tries exceeded', 'pin_error'],
  ['AMOUNT ERROR', 'invalid_amount'],
  ['A valid amount is required.', 'invalid_amount'],
  ['TERM ID ERROR', 'invalid_merchant'],
  ['Invalid Merchant', 'invalid_merchant'],
  ['The merchant API Login ID is invalid or the account is inactive.', 'invalid_merchant'],
  ['Authentication Failed', 'invalid_merchant'], // NMI: wrong security key, not 3-D Secure
  ['The Merchant does not accept this type of Credit Card', 'card_not_supported'],
  ['Your card does not support this type of purchase.', 'card_not_supported'],
  [
    'The transaction has been declined because of an AVS mismatch. The address provided does not match billing address of cardholder.',
    'incorrect_address',
  ],
  ['NO REPLY', 'issuer_unavailable'],
  ['Issuer or switch is inoperative', 'issuer_unavailable'],
  ['System malfunction', 'processing_error'],
  ['Re-enter transaction', 'processing_error'],
  ['An error occurred during processing. Please try again in 5 minutes.', 'processing_error'],
  ['Rate limit exceeded', 'processing_error'],
];

describe('message classifier', () => {
  it.each(REALISTIC)('%j → %s', (message, reason) => {
    expect(classifyDeclineMessage(message)).toBe(reason);
  });

  it('is case-insensitive and tolerant of spacing', () => {
    expect(classifyDeclineMessage('  insuff   funds ')).toBe('insufficient_funds');
    expect(classifyDeclineMessage('pick-up card')).toBe('pickup_card');
    expect(classifyDeclineMessage('do not honour')).toBe('do_not_honor');
  });

  it.each([
    ['Do not honor - stolen card', 'stolen_card'],
    ['Do not honor - call issuer', 'call_issuer'],
    ['Insufficient funds - card closed', 'account_closed'],
    ['Suspected fraud - lost card', 'lost_card'],
    ['CVV2 mismatch, revocation of authorization', 'revocation_of_authorization'],
  ])('a message naming two things takes the stronger: %j → %s', (message, reason) => {
    expect(classifyDeclineMessage(message)).toBe(reason);
  });

  // A pick-up that names its cause keeps the cause and stays never-retry. Texts: ISO 8583:1987
  // DE39 33/34/36/38 as acquirers list them (TabaPay's ISO reason table), TSYS-style
  // `Restricted Card - Pick Up`, Checkout.com 30004 `Pick up card (No fraud)`.
  it('a pick-up naming its cause keeps the cause and is never retried; one naming none stays pickup_card', () => {
    const cases: Array<[string, DeclineReason]> = [
      ['Restricted Card - Pick Up', 'restricted_card'],
      ['Expired card, pick-up', 'expired_card'],
      ['Suspected fraud, pick-up', 'fraud_suspected'],
      ['Allowable PIN tries exceeded, pick-up', 'pin_error'],
      ['Pick up card (No fraud)', 'pickup_card'],
      ['Pick up card - L/S', 'pickup_card'],
    ];
    for (const [message, reason] of cases) {
      expect(classifyDeclineMessage(message), message).toBe(reason);
      expect(normalizeDecline({ gateway: 'nmi', message }), message).toMatchObject({
        reason,
        retry: 'never',
        cascade: false,
        category: 'hard',
      });
    }
    // pickUp marks a cause that is not never-retry on its own.
    expect(normalizeDecline({ gateway: 'nmi', message: 'Restricted Card - Pick Up' }).pickUp).toBe(true);
    expect(normalizeDecline({ gateway: 'nmi', message: 'Restricted Card' })).toMatchObject({ reason: 'restricted_card', retry: 'later' });
    expect(normalizeDecline({ gateway: 'nmi', message: 'Pick up card - L/S' }).pickUp).toBeUndefined();
  });

  // The merchant's own filters at the gateway are not the issuer's fraud flag. Texts:
  // Authorize.Net reasons 250/251 (responseCodes.json), Checkout.com 42301, Stripe
  // merchant_blacklist (decline code reference).
  it("tells the merchant's filter at the gateway from the issuer's fraud flag", () => {
    const cases: Array<[string, DeclineReason]> = [
      ['The transaction was declined as a result of triggering a Fraud Detection Suite filter.', 'risk_blocked'],
      ['This transaction has been submitted from a blocked IP address', 'risk_blocked'],
      ['Fraud score exceeds threshold', 'risk_blocked'],
      ["The payment was declined because it matches a value on the Stripe user's block list.", 'risk_blocked'],
      ['Suspected fraud', 'fraud_suspected'],
      ['Issuer Suspected Fraud', 'fraud_suspected'],
    ];
    for (const [message, reason] of cases) expect(classifyDeclineMessage(message), message).toBe(reason);
  });

  it('does not read never-retry reasons into unrelated words', () => {
    expect(classifyDeclineMessage('Connection lost')).toBeUndefined();
    expect(classifyDeclineMessage('Preferred customer')).toBeUndefined();
    expect(classifyDeclineMessage('Authorization expired')).toBeUndefined();
  });

  it('answers undefined for texts that say nothing, so normalizeDecline falls back to generic_decline', () => {
    for (const m of ['This transaction has been declined.', 'DECLINE', 'Your card was declined.', '', '   ', undefined]) {
      expect(classifyDeclineMessage(m)).toBeUndefined();
      expect(normalizeDecline({ gateway: 'nmi', message: m }).reason).toBe('generic_decline');
    }
  });

  it('is ordered by strength: every never-retry pattern before any other, the catch-all last', () => {
    const retries = MESSAGE_PATTERNS.map((p) => DECLINE_REASONS[p.reason].retry);
    expect(retries.lastIndexOf('never')).toBeLessThan(retries.findIndex((r) => r !== 'never'));
    expect(MESSAGE_PATTERNS.at(-1)!.reason).toBe('processing_error');
  });

  it('reads only the start of a very long message, quickly', () => {
    const long = `${'x'.repeat(600)} stolen`;
    const started = performance.now();
    expect(classifyDeclineMessage(long)).toBeUndefined();
    expect(classifyDeclineMessage(`Stolen ${'y '.repeat(100_000)}`)).toBe('stolen_card');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('is the third step of normalizeDecline, after the gateway table and the ISO table', () => {
    expect(normalizeDecline({ gateway: 'nmi', message: 'Pick up card - L/S' })).toMatchObject({
      reason: 'pickup_card',
      retry: 'never',
      cascade: false,
      source: 'message',
    });
    expect(normalizeDecline({ gateway: 'sandbox', code: '51', message: 'Card reported stolen' })).toMatchObject({
      reason: 'insufficient_funds',
      source: 'iso8583',
    });
  });
});
