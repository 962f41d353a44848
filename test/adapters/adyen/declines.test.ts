/**
 * Adyen decline quality on real answers: 422 card-data validation errors are declines of the
 * card, code-less refusal texts (older API versions) are read through Adyen's own table, and the
 * CVC / AVS results name an unspecific refusal. Bodies are recorded or documented Adyen answers
 * (sources beside each case); the fake Adyen checks every request and answer against the spec.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adyen } from '../../../adapters/adyen';
import { ADYEN_CARD_DATA_ERROR_CODES } from '../../../adapters/adyen/declines';
import type { GatewayAdapter, GatewayPaymentRequest, GatewayResult } from '../../../src/adapter';
import { normalizeDecline } from '../../../src/index';
import type { DeclineReason } from '../../../src/index';
import { ADYEN_REFUSAL_REASONS, startFakeAdyen, type FakeAdyen } from '../../fakes/adyen';

const PAN = '4111111145551142'; // Adyen's Visa test card
const CVC = '737';
let seq = 0;
let fake: FakeAdyen;
let gw: GatewayAdapter;

const payment = (): GatewayPaymentRequest => ({
  reference: `at_decl${String(++seq).padStart(6, '0')}`,
  transactionId: `tx_decl${String(seq).padStart(6, '0')}`,
  amount: 1999,
  currency: 'EUR',
  card: { number: PAN, expMonth: 3, expYear: 2030, cvc: CVC },
  merchant: { id: 'adyen-1' },
});

const declined = (r: GatewayResult) => {
  if (r.status !== 'declined') throw new Error(`expected a decline, got ${JSON.stringify(r)}`);
  return r;
};
const normalize = (r: ReturnType<typeof declined>) =>
  normalizeDecline({ gateway: 'adyen', code: r.code, message: r.message, cvvResult: r.cvvResult, avsResult: r.avsResult });

beforeAll(async () => {
  fake = await startFakeAdyen({ apiKey: 'k', merchantAccount: 'AcmeECOM' });
  gw = adyen({ apiKey: 'k', merchantAccount: 'AcmeECOM', baseUrl: fake.url, returnUrl: 'https://shop.example/return' });
});
afterAll(() => fake.close());
afterEach(() => expect(fake.violations).toEqual([]));

describe('422 card-data validation errors are declines of the card', () => {
  it.each([
    // fixture (recorded body), code, reason, retry
    ['error-422-invalid-card-number', '101', 'incorrect_number', 'never'], // ActiveMerchant adyen_test.rb failed_purchase_response
    ['error-422-cvc-length', '103', 'incorrect_cvc', 'after_update'], // ActiveMerchant adyen_test.rb failed_cvc_validation_response
    ['error-422-expiry-before-now', '140', 'expired_card', 'after_update'], // gsm.csv adyen 140
  ] as Array<[string, string, DeclineReason, string]>)('%s → declined %s, %s, no cascade', async (fixture, code, reason, retry) => {
    fake.next({ kind: 'error', status: 422, fixture });
    const r = declined(await gw.sale(payment()));
    expect(r.code).toBe(code);
    expect(r.message).toBeTruthy();
    expect(normalize(r)).toMatchObject({ reason, retry, cascade: false, source: 'gateway' });
    expect(JSON.stringify(r)).not.toContain(PAN);
  });

  // Each row from its source: Adyen's error codes page and Juspay's gsm.csv (connector adyen,
  // "Issue with Payment Method details" / "Issue with Configurations"), in Adyen's own words.
  it.each([
    ['101', 'Invalid card number', 'incorrect_number'],
    ['102', 'Unable to determine variant', 'card_not_supported'],
    ['103', 'CVC is not the right length', 'incorrect_cvc'],
    ['104', 'Billing address problem', 'incorrect_address'],
    ['117', 'Invalid billing address', 'incorrect_address'],
    ['129', 'Expiry Date Invalid', 'invalid_expiry_date'],
    ['134', 'Billing address problem (Country)', 'incorrect_address'],
    ['140', 'Invalid expiryMonth[1..12] / expiryYear[>2000], or before now', 'expired_card'],
    ['141', 'Invalid expiryMonth[1..12] / expiryYear[>2000]', 'invalid_expiry_date'],
    ['153', 'Invalid CVC', 'incorrect_cvc'],
    ['901', 'Invalid Merchant Account', 'invalid_merchant'],
    [
      '905_1',
      'Could not find an acquirer account for the provided txvariant (amex_applepay), currency (CHF), and action (AUTH).',
      'card_not_supported',
    ],
    ['905_3', 'No acquirer account for the provided currency', 'card_not_supported'],
    ['916', 'The transaction amount exceeds the allowed limit for this type of card', 'card_not_supported'],
    ['931', 'There is no merchant with the code {0}', 'invalid_merchant'],
    ['950', 'Invalid AcquirerAccount', 'invalid_merchant'],
  ] as Array<[string, string, DeclineReason]>)('errorCode %s (%s) → %s', (code, message, reason) => {
    expect(normalizeDecline({ gateway: 'adyen', code, message })).toMatchObject({ reason, source: 'gateway' });
  });

  it('only card-data codes become declines; the merchant-account ones stay errors for the circuit', async () => {
    expect([...ADYEN_CARD_DATA_ERROR_CODES].sort()).toEqual(['101', '102', '103', '104', '117', '129', '134', '140', '141', '153']);
    // Other 422 validation errors (a missing return URL) stay clear errors: they are not about the card.
    fake.next({ kind: 'error', status: 422 });
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, code: '14_030' });
  });
});

describe('refusal texts without a code (older API versions) are read through Adyen’s table', () => {
  it.each([
    // refusalReasonCode the fake uses for the text, the text, reason; the generic classifier would say otherwise
    ['6', 'Expired Card', 'expired_card'], // ActiveMerchant adyen_test.rb failed_authorize_response
    ['11', '3D Not Authenticated', 'authentication_failed'], // ActiveMerchant failed_authorize_3ds2_response
    ['20', 'FRAUD', 'risk_blocked'], // classifier: fraud_suspected
    ['5', 'Blocked Card', 'pickup_card'], // classifier: restricted_card
    ['12', 'Not enough balance', 'insufficient_funds'], // classifier: nothing
    ['10', 'Not supported', 'transaction_not_allowed'], // classifier: card_not_supported
    ['46', 'Transaction blocked by Adyen to prevent excessive retry fees', 'do_not_retry'],
  ] as Array<[string, string, DeclineReason]>)('refusalReason %j alone → %s', async (code, text, reason) => {
    fake.next({ kind: 'refuse', code, textOnly: true });
    const r = declined(await gw.sale(payment()));
    expect(r.code).toBeUndefined();
    expect(r.message).toBe(text);
    expect(normalize(r)).toMatchObject({ reason, source: 'gateway' });
  });

  it("every refusal text of Adyen's refusal reasons page, alone, means what its code means (2 and 27 say nothing)", () => {
    for (const [code, text] of Object.entries(ADYEN_REFUSAL_REASONS)) {
      const byText = normalizeDecline({ gateway: 'adyen', message: text });
      if (code === '2' || code === '27') expect(byText.reason, text).toBe('generic_decline');
      else expect(byText, text).toMatchObject({ reason: normalizeDecline({ gateway: 'adyen', code }).reason, source: 'gateway' });
    }
  });
});

describe('CVC and AVS results name an unspecific refusal', () => {
  it('2 Refused with cvcResult "2 Does not match" is incorrect_cvc (no cascade)', async () => {
    fake.next({ kind: 'refuse', code: '2', cvcResult: '2 Does not match' });
    const r = declined(await gw.sale(payment()));
    expect(r.cvvResult).toBe('2 Does not match');
    expect(normalize(r)).toMatchObject({ reason: 'incorrect_cvc', source: 'checks', cascade: false });
    // "Refused" alone still says nothing: the raw ISO code decides (ActiveMerchant failed_authorize_visa_response), else generic.
    expect(normalizeDecline({ gateway: 'adyen', message: 'Refused (raw: 01: Refer to card issuer)' })).toMatchObject({
      reason: 'call_issuer',
      source: 'iso8583',
    }); // ActiveMerchant failed_authorize_visa_response
    expect(normalizeDecline({ gateway: 'adyen', message: 'Refused' }).reason).toBe('generic_decline');
  });

  it('2 Refused (raw 05) with avsResult "2 Neither postal code nor address match" is incorrect_address', async () => {
    fake.next({
      kind: 'refuse',
      code: '2',
      raw: '05 : Do not honor',
      cvcResult: '1 Matches',
      avsResult: '2 Neither postal code nor address match',
    });
    const r = declined(await gw.sale(payment()));
    expect(normalize(r)).toMatchObject({ reason: 'incorrect_address', source: 'checks', cascade: false });
    // Matching or unknown checks change nothing, and never override a specific code.
    // ActiveMerchant failed_authorize_avs_response: cvcResult "0 Unknown", avsResultRaw "U", raw 05.
    expect(
      normalizeDecline({
        gateway: 'adyen',
        code: '2',
        message: 'Refused (raw: 05 : Do not honor)',
        cvvResult: '0 Unknown',
        avsResult: 'U',
      }),
    ).toMatchObject({ reason: 'do_not_honor', source: 'iso8583' });
    fake.next({ kind: 'refuse', code: '12', cvcResult: '2 Does not match' });
    expect(normalize(declined(await gw.sale(payment()))).reason).toBe('insufficient_funds');
  });
});
