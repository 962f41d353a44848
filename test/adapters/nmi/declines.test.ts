/**
 * NMI decline quality: a gateway validation rejection about the card (response 3, code 300,
 * "Invalid Credit Card Number REFID:…") is a decline of the card, and the CVV / AVS letters NMI
 * returns (`test/specs/nmi-direct-post-api.md` §5: N = no match) name an unspecific 200 DECLINE.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nmi } from '../../../adapters/nmi';
import type { GatewayAdapter, GatewayPaymentRequest, GatewayResult } from '../../../src/adapter';
import { normalizeDecline } from '../../../src/index';
import { startNmiFake, type NmiFake } from '../../fakes/nmi';

const KEY = 'test_security_key_0001';
let fake: NmiFake;
let adapter: GatewayAdapter;
let n = 0;

const payment = (): GatewayPaymentRequest => ({
  reference: `at_dcl${String(++n).padStart(6, '0')}`,
  transactionId: `tx_dcl${n}`,
  amount: 2000 + n,
  currency: 'USD',
  card: { number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: '999' },
  merchant: { id: 'nmi-a' },
});
const declined = (r: GatewayResult) => {
  if (r.status !== 'declined') throw new Error(`expected a decline, got ${JSON.stringify(r)}`);
  return r;
};
const normalize = (r: ReturnType<typeof declined>) =>
  normalizeDecline({ gateway: 'nmi', code: r.code, message: r.message, cvvResult: r.cvvResult, avsResult: r.avsResult });

beforeEach(async () => {
  fake = await startNmiFake({ securityKey: KEY });
  adapter = nmi({ securityKey: KEY, baseUrl: fake.url, timeoutMs: 2_000 });
});
afterEach(async () => {
  await fake.close();
  expect(fake.violations).toEqual([]);
});

describe('NMI', () => {
  it('a 200 DECLINE with cvvresponse N is incorrect_cvc; with avsresponse N, incorrect_address', async () => {
    fake.script({ response_code: '200', responsetext: 'DECLINE', cvvresponse: 'N', avsresponse: 'Y' });
    const cvv = declined(await adapter.sale(payment()));
    expect(cvv).toMatchObject({ cvvResult: 'N', avsResult: 'Y' });
    expect(normalize(cvv)).toMatchObject({ reason: 'incorrect_cvc', source: 'checks', cascade: false });

    fake.script({ response_code: '200', responsetext: 'DECLINE', cvvresponse: 'M', avsresponse: 'N' });
    expect(normalize(declined(await adapter.sale(payment())))).toMatchObject({ reason: 'incorrect_address', source: 'checks' });
    // Matching checks leave it generic; a specific code (202 insufficient funds) is never overridden.
    fake.script({ response_code: '200', responsetext: 'DECLINE', cvvresponse: 'M', avsresponse: 'Y' });
    expect(normalize(declined(await adapter.sale(payment()))).reason).toBe('generic_decline');
    fake.script({ response_code: '202', cvvresponse: 'N' });
    expect(normalize(declined(await adapter.sale(payment()))).reason).toBe('insufficient_funds');
  });
});
