import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ANET_XSD_FACTS, loadXsdChecker } from '../../support/xsd-order';
import { SPECS_DIR } from '../../support/openapi';
import { parseBody } from '../../../adapters/authorizenet/wire';

const anet = loadXsdChecker(ANET_XSD_FACTS);
const samples = JSON.parse(readFileSync(resolve(SPECS_DIR, 'authorizenet-json-samples.json'), 'utf8'));
const FIXTURES = resolve(__dirname, '../../../adapters/authorizenet/fixtures');
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('XSD checker (built from AnetApiSchema.xsd)', () => {
  it('knows the API methods from the schema itself', () => {
    for (const m of [
      'createTransactionRequest',
      'createTransactionResponse',
      'getTransactionDetailsRequest',
      'getUnsettledTransactionListRequest',
    ]) {
      expect(anet.rootElements.has(m)).toBe(true);
    }
    expect(anet.rootElements.size).toBe(94); // every top-level <xs:element> of the XSD
  });

  const examples = Object.entries<any>(samples.examples);
  it.each(examples)('replays the Apache-licensed sample request %s without a violation', (_name, pair) => {
    expect(anet.check(pair.request)).toEqual([]);
  });

  it.each(examples)('accepts the sample response of %s (response mode)', (name, pair) => {
    const errors = anet.check({ createTransactionResponse: pair.response }, { response: true });
    // The live API added SupplementalDataQualificationIndicator after this XSD was published.
    const drift = name.endsWith('partialAuth') ? [expect.stringContaining('SupplementalDataQualificationIndicator: unknown element')] : [];
    expect(errors).toEqual(drift);
  });

  it('accepts the sample error responses', () => {
    for (const [name, body] of Object.entries<any>(samples.errorResponses)) {
      const root = name.includes('Decrypt') ? 'decryptPaymentDataResponse' : 'createTransactionResponse';
      expect(anet.check({ [root]: body }, { response: true }), name).toEqual([]);
    }
  });

  it('rejects keys out of the XSD sequence order', () => {
    const doc = clone(samples.examples.createTransactionRequest_authCapture.request);
    const { transactionType, amount, ...rest } = doc.createTransactionRequest.transactionRequest;
    doc.createTransactionRequest.transactionRequest = { amount, transactionType, ...rest };
    expect(anet.check(doc).join('\n')).toMatch(/transactionRequest\.transactionType: out of XSD sequence order/);

    const top = clone(samples.examples.createTransactionRequest_void.request);
    const { merchantAuthentication, refId, transactionRequest } = top.createTransactionRequest;
    top.createTransactionRequest = { refId, merchantAuthentication, transactionRequest };
    expect(anet.check(top).join('\n')).toMatch(/merchantAuthentication: out of XSD sequence order/);
  });

  it('rejects unknown elements, missing required elements and facet violations', () => {
    const doc = clone(samples.examples.createTransactionRequest_authOnly.request);
    const tr = doc.createTransactionRequest.transactionRequest;
    tr.payment.creditCard.cvv = '123';
    expect(anet.check(doc)).toContain('createTransactionRequest.transactionRequest.payment.creditCard.cvv: unknown element');

    const missing = clone(samples.examples.createTransactionRequest_void.request);
    delete missing.createTransactionRequest.transactionRequest.transactionType;
    expect(anet.check(missing)).toContain('createTransactionRequest.transactionRequest.transactionType: required element missing');

    const long = clone(samples.examples.createTransactionRequest_void.request);
    long.createTransactionRequest.refId = 'x'.repeat(21);
    expect(anet.check(long).join('\n')).toMatch(/refId: .* is longer than 20 characters/);

    const decimals = clone(samples.examples.createTransactionRequest_authOnly.request);
    decimals.createTransactionRequest.transactionRequest.tax.amount = '1.23456';
    expect(anet.check(decimals).join('\n')).toMatch(/tax\.amount: .* more than 4 decimals/);

    const badEnum = clone(samples.examples.createTransactionRequest_authOnly.request);
    badEnum.createTransactionRequest.transactionRequest.subsequentAuthInformation = { reason: 'recurring' };
    expect(anet.check(badEnum).join('\n')).toMatch(/subsequentAuthInformation\.reason: "recurring" is not one of resubmission/);

    const choice = clone(samples.examples.createTransactionRequest_authOnly.request);
    choice.createTransactionRequest.transactionRequest.payment = { dataSource: 'x' };
    expect(anet.check(choice).join('\n')).toMatch(/payment: one of creditCard \| bankAccount/);
  });

  it('accepts every adapter fixture as a real-shape response that starts with a BOM and holds no PAN', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && !f.startsWith('webhook-')); // notifications: test/webhooks
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      const text = readFileSync(resolve(FIXTURES, f), 'utf8');
      expect(text.charCodeAt(0), f).toBe(0xfeff);
      expect(text, f).not.toMatch(/\d{12,19}/); // no PAN: cards appear as XXXX + last four
      const body = parseBody(text);
      const root =
        f === 'transaction-details.json'
          ? 'getTransactionDetailsResponse'
          : f === 'unsettled-list.json'
            ? 'getUnsettledTransactionListResponse'
            : 'transactionResponse' in body
              ? 'createTransactionResponse'
              : 'ErrorResponse';
      expect(anet.check({ [root]: body }, { response: true }), f).toEqual([]);
    }
  });
});
