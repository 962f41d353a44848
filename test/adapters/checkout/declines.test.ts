/**
 * Checkout.com decline quality on real answers: a 422 whose `error_codes` refuse the card is a
 * decline of the card, card limits outside the decline family have their own reasons, a pick-up
 * that names its cause keeps it, and the CVV / AVS checks name an unspecific decline. The fake
 * checks every request and answer against Checkout.com's published OpenAPI description.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkout } from '../../../adapters/checkout';
import type { GatewayAdapter, GatewayPaymentRequest, GatewayResult } from '../../../src/adapter';
import { type DeclineReason, normalizeDecline } from '../../../src/index';
import { startCheckoutFake, type CheckoutFake } from '../../fakes/checkout';

const SECRET = 'sk_sbox_m73dzbpy7cf3gfd46xr4yj5xo4e';
const PAN = '4242424242424242';
let fake: CheckoutFake;
let gw: GatewayAdapter;
let seq = 0;

const payment = (): GatewayPaymentRequest => ({
  reference: `at_ckd${String(++seq).padStart(6, '0')}`,
  transactionId: `tx_${seq}`,
  amount: 1999,
  currency: 'USD',
  card: { number: PAN, expMonth: 6, expYear: 2030, cvc: '987' },
  merchant: { id: 'cko-1' },
});
const declined = (r: GatewayResult) => {
  if (r.status !== 'declined') throw new Error(`expected a decline, got ${JSON.stringify(r)}`);
  return r;
};
const normalize = (r: ReturnType<typeof declined>) =>
  normalizeDecline({ gateway: 'checkout', code: r.code, message: r.message, cvvResult: r.cvvResult, avsResult: r.avsResult });

beforeAll(async () => {
  fake = await startCheckoutFake({ secretKey: SECRET });
  gw = checkout({ secretKey: SECRET, processingChannelId: 'pc_q4dbxom5jbgudnjzjpz7j2z6uq', baseUrl: fake.url, timeoutMs: 2_000 });
});
afterAll(() => fake.close());
afterEach(() => expect(fake.violations).toEqual([]));

describe('422 error_codes that refuse the card are declines of the card', () => {
  it.each([
    // error_codes as Checkout.com answers them; reason; retry. Sources: Checkout.com error codes
    // page; ActiveMerchant checkout_v2_test.rb failed_verify_response / error_code_response.
    [['card_number_invalid'], 'card_number_invalid', 'incorrect_number', 'never'],
    [['card_expired'], 'card_expired', 'expired_card', 'after_update'],
    [['card_expiry_month_invalid'], 'card_expiry_month_invalid', 'invalid_expiry_date', 'after_update'],
    [['cvv_invalid'], 'cvv_invalid', 'incorrect_cvc', 'after_update'],
    [['card_number_invalid', 'cvv_invalid'], 'card_number_invalid', 'incorrect_number', 'never'],
  ] as Array<[string[], string, DeclineReason, string]>)('%j → declined %s (%s), no cascade', async (codes, code, reason, retry) => {
    fake.next({ type: 'invalid', codes });
    const r = declined(await gw.sale(payment()));
    expect(r.code).toBe(code);
    expect(r.message).toContain(codes[0]);
    expect(normalize(r)).toMatchObject({ reason, retry, cascade: false, source: 'gateway' });
    expect(JSON.stringify(r)).not.toContain(PAN);
  });

  // Each row with Checkout.com's description where its error codes page gives one; the rest are
  // named as a public Checkout.com integration's error-mapping test lists them.
  it.each([
    ['card_number_invalid', 'The card number is invalid.', 'incorrect_number'],
    ['card_expired', 'The card is expired.', 'expired_card'],
    ['card_expiry_month_invalid', 'The two-digit expiry month is invalid.', 'invalid_expiry_date'],
    ['card_expiry_year_invalid', 'The four-digit expiry year is invalid.', 'invalid_expiry_date'],
    ['expiry_date_format_invalid', undefined, 'invalid_expiry_date'],
    ['cvv_invalid', undefined, 'incorrect_cvc'],
    ['card_disabled', 'The card is disabled.', 'restricted_card'],
    [
      'amount_limit_exceeded',
      "The transaction to this card exceeded the amount limit set by the scheme's velocity limit.",
      'amount_limit_exceeded',
    ],
    ['velocity_amount_limit_exceeded', undefined, 'amount_limit_exceeded'],
    ['velocity_count_limit_exceeded', undefined, 'velocity_exceeded'],
    ['3ds_not_enabled_for_card', '3DS is not enabled for card.', 'card_not_supported'],
    ['3ds_payment_required', '3DS payment required.', 'authentication_required'],
    ['amount_invalid', 'The payment amount is invalid.', 'invalid_amount'],
    ['issuer_network_unavailable', undefined, 'issuer_unavailable'],
  ] as Array<[string, string | undefined, DeclineReason]>)('%s (%s) → %s', (code, message, reason) => {
    expect(normalizeDecline({ gateway: 'checkout', code, message })).toMatchObject({ reason, source: 'gateway' });
  });

  it('a card limit in error_codes is its own reason through the adapter, not a generic decline', async () => {
    fake.next({ type: 'invalid', codes: ['velocity_count_limit_exceeded'] });
    expect(normalize(declined(await gw.sale(payment())))).toMatchObject({ reason: 'velocity_exceeded', cascade: false });
    // A 422 about the request, not the card (payment_source_required), stays a clear error.
    fake.next({ type: 'invalid', codes: ['payment_source_required'] });
    expect(await gw.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, httpStatus: 422, code: 'payment_source_required' });
  });
});

describe('a pick-up that names its cause keeps the cause and is never retried', () => {
  it.each([
    ['30033', 'Expired card - Pick up', 'expired_card'], // in the table, listed in pickUp
    ['30034', 'Suspected fraud - Pick up', 'fraud_suspected'], // 300 + ISO 34
    ['30036', 'Restricted card - Pick up', 'restricted_card'], // 300 + ISO 36
    ['30038', 'Allowable PIN tries exceeded - Pick up', 'pin_error'], // 300 + ISO 38
  ] as Array<[string, string, DeclineReason]>)('%s (%s) → %s, retry never', async (code, summary, reason) => {
    fake.next({ type: 'decline', code, summary });
    const r = declined(await gw.sale(payment()));
    expect(normalize(r)).toMatchObject({ reason, retry: 'never', cascade: false, pickUp: true });
  });
});

describe('CVV and AVS checks name an unspecific decline', () => {
  it("20005 Do not honour with cvv_check D (Checkout.com's mismatch) is incorrect_cvc", async () => {
    fake.next({ type: 'decline', code: '20005', summary: 'Declined - Do Not Honour', cvv: 'D', avs: 'Y' });
    const r = declined(await gw.sale(payment()));
    expect(r).toMatchObject({ cvvResult: 'D', avsResult: 'Y' });
    expect(normalize(r)).toMatchObject({ reason: 'incorrect_cvc', source: 'checks', cascade: false });
  });

  it('avs_check N (street and ZIP do not match) names it incorrect_address', async () => {
    fake.next({ type: 'decline', code: '20005', summary: 'Declined - Do Not Honour', cvv: 'Y', avs: 'N' });
    expect(normalize(declined(await gw.sale(payment())))).toMatchObject({ reason: 'incorrect_address', source: 'checks' });
    // cvv_check N is Checkout.com's 'not attempted', not a mismatch; a specific code is never overridden.
    fake.next({ type: 'decline', code: '20005', summary: 'Declined - Do Not Honour', cvv: 'N', avs: 'S' });
    expect(normalize(declined(await gw.sale(payment()))).reason).toBe('do_not_honor');
    fake.next({ type: 'decline', code: '20051', summary: 'Insufficient Funds', cvv: 'D' });
    expect(normalize(declined(await gw.sale(payment()))).reason).toBe('insufficient_funds');
  });
});
