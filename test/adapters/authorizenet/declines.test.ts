/**
 * Authorize.Net answers that are not what their response code suggests: a second capture answered
 * "already captured" (responseCode 1, 311) confirms the capture; held for review (responseCode 4)
 * is its own state; the CVV / AVS results name an unspecific reason 2 decline. Bodies follow the
 * transcripts recorded in ActiveMerchant's `test/unit/gateways/authorize_net_test.rb`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorizenet } from '../../../adapters/authorizenet';
import { parseBody, toLookupResult, toResult } from '../../../adapters/authorizenet/wire';
import type { GatewayAdapter, GatewayFollowUpRequest, GatewayPaymentRequest, GatewayResult } from '../../../src/adapter';
import { type DeclineReason, normalizeDecline } from '../../../src/index';
import { startAuthorizeNetFake, type AuthorizeNetFake } from '../../fakes/authorizenet';

const raw = (name: string) => readFileSync(resolve(__dirname, '../../../adapters/authorizenet/fixtures', `${name}.json`), 'utf8');
let fake: AuthorizeNetFake;
let anet: GatewayAdapter;
let seq = 0;

const payment = (): GatewayPaymentRequest => ({
  reference: `dc_${Date.now().toString(36)}${++seq}`.slice(0, 20),
  transactionId: `tx_${seq}`,
  amount: 5000,
  currency: 'USD',
  card: { number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: '987' },
  merchant: { id: 'mid-anet' },
});
const followUp = (gatewayTransactionId: string, amount: number): GatewayFollowUpRequest => ({
  reference: `fu_${++seq}`,
  transactionId: `tx_${seq}`,
  gatewayTransactionId,
  amount,
  currency: 'USD',
  originalAmount: 5000,
  card: { bin: '411111', last4: '1111' },
  merchant: { id: 'mid-anet' },
});
const declined = (r: GatewayResult) => {
  if (r.status !== 'declined') throw new Error(`expected a decline, got ${JSON.stringify(r)}`);
  return r;
};

beforeAll(async () => {
  fake = await startAuthorizeNetFake();
  anet = authorizenet({ apiLoginId: fake.apiLoginId, transactionKey: fake.transactionKey, baseUrl: fake.url, timeoutMs: 2_000 });
});
afterAll(() => fake.close());
afterEach(() => expect(fake.violations.splice(0)).toEqual([]));

describe('"already captured" (responseCode 1, reason 311) confirms the capture', () => {
  it('maps the recorded answer to the capture it confirms, on the authorization’s transaction id', async () => {
    const body = parseBody(raw('prior-auth-capture-already-captured'));
    expect(toResult(body, 'USD', 200, '2214675515')).toEqual({
      status: 'approved',
      gatewayTransactionId: '2214675515',
      authCode: 'UTDVHP',
    });
    // Without a transId of its own, the refTransID, else the authorization we captured, is the one confirmed.
    const tr = body.transactionResponse as Record<string, unknown>;
    tr.transId = '0';
    expect(toResult(body, 'USD', 200, '999')).toMatchObject({ status: 'approved', gatewayTransactionId: '2214675515' });
    tr.refTransID = '';
    expect(toResult(body, 'USD', 200, '999')).toMatchObject({ status: 'approved', gatewayTransactionId: '999' });
    // Through the adapter: a capture resent after its answer was lost is approved, and the books hold one capture.
    const auth = await anet.authorize(payment());
    if (auth.status !== 'approved') throw new Error(JSON.stringify(auth));
    const id = auth.gatewayTransactionId;
    expect(await anet.capture(followUp(id, 5000))).toMatchObject({ status: 'approved', gatewayTransactionId: id });
    expect(await anet.capture(followUp(id, 5000))).toMatchObject({ status: 'approved', gatewayTransactionId: id });
    expect(fake.charges.get(id)!.captured).toBe(5000);
  });
});

describe('held for review (responseCode 4) is its own state, not a decline', () => {
  it('is approved with heldForReview, its auth code and checks', async () => {
    fake.script({ responseCode: '4', code: '252', text: 'Your order has been received. Thank you for your business!' });
    const r = await anet.sale(payment());
    expect(r).toMatchObject({ status: 'approved', heldForReview: true, authCode: '7M6LIT' });
    expect(r.status === 'approved' && fake.charges.has(r.gatewayTransactionId)).toBe(false); // the fake does not book held ones
  });

  it('a lookup that finds the transaction pending review reports it held, not an unknown outcome', () => {
    const body = parseBody(raw('transaction-details'));
    Object.assign(body.transaction as Record<string, unknown>, { transactionStatus: 'FDSPendingReview', responseCode: '4' });
    expect(toLookupResult(body, '1324567890')).toMatchObject({
      status: 'approved',
      heldForReview: true,
      gatewayTransactionId: '2228446239',
    });
    Object.assign(body.transaction as Record<string, unknown>, { transactionStatus: 'FDSAuthorizedPendingReview', responseCode: '1' });
    expect(toLookupResult(body, '1324567890')).toMatchObject({ status: 'approved', heldForReview: true });
  });
});

describe('CVV and AVS results name the unspecific reason 2 decline', () => {
  it('reason 2 with cvvResultCode N is incorrect_cvc (ActiveMerchant no_match_cvv_response: cvv N, avs A)', async () => {
    fake.script({ responseCode: '2', code: '2', avs: 'A', cvv: 'N' });
    const r = declined(await anet.sale(payment()));
    expect(r).toMatchObject({ cvvResult: 'N', avsResult: 'A' });
    expect(
      normalizeDecline({ gateway: 'authorizenet', code: r.code, message: r.message, cvvResult: r.cvvResult, avsResult: r.avsResult }),
    ).toMatchObject({ reason: 'incorrect_cvc', source: 'checks', cascade: false });
  });

  it('reason 2 with avsResultCode N (no match on street or ZIP) is incorrect_address; matching checks leave it generic', async () => {
    fake.script({ responseCode: '2', code: '2', avs: 'N', cvv: 'M' });
    const r = declined(await anet.sale(payment()));
    expect(normalizeDecline({ gateway: 'authorizenet', code: r.code, cvvResult: r.cvvResult, avsResult: r.avsResult }).reason).toBe(
      'incorrect_address',
    );
    expect(normalizeDecline({ gateway: 'authorizenet', code: '2', cvvResult: 'M', avsResult: 'Y' }).reason).toBe('generic_decline');
  });
});

describe('rows added to the Authorize.Net table, from the response codes page', () => {
  it.each([
    ['254', 'Your transaction has been declined.', 'risk_blocked'], // declined by the merchant after the FDS review
    ['315', 'The credit card number is invalid.', 'incorrect_number'],
    ['316', 'Credit card expiration date is invalid.', 'invalid_expiry_date'],
    ['317', 'The credit card has expired.', 'expired_card'],
    ['318', 'A duplicate transaction has been submitted.', 'duplicate_transaction'],
  ] as Array<[string, string, DeclineReason]>)('%s (%s) → %s', (code, message, reason) => {
    expect(normalizeDecline({ gateway: 'authorizenet', code, message })).toMatchObject({ reason, source: 'gateway' });
  });
});
