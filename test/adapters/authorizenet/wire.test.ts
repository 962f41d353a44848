import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseBody, toResult, toLookupResult } from '../../../adapters/authorizenet/wire';

const raw = (name: string) => readFileSync(resolve(__dirname, '../../../adapters/authorizenet/fixtures', `${name}.json`), 'utf8');

describe('authorizenet wire: pure parsing', () => {
  it('strips the UTF-8 byte-order mark before JSON.parse, and refuses non-objects', () => {
    expect(() => JSON.parse(raw('declined'))).toThrow();
    expect(parseBody(raw('declined'))).toHaveProperty('transactionResponse.responseCode', '2');
    expect(parseBody(Buffer.from(raw('void-approved'), 'utf8'))).toHaveProperty('messages.resultCode', 'Ok');
    expect(() => parseBody('\uFEFF[1]')).toThrow(SyntaxError);
    expect(() => parseBody('<html>')).toThrow(SyntaxError);
  });

  it('maps the real sample shapes: approval, decline (transId 0 is no id), duplicate, not found', () => {
    expect(toResult(parseBody(raw('auth-capture-approved')), 'USD')).toEqual({
      status: 'approved',
      gatewayTransactionId: '2228446239',
      authCode: 'QWX20S',
      networkTransactionId: 'WX0NDQ3W7SNNN0ZJ2VWG0V0',
      avsResult: 'Y',
      cvvResult: 'P',
    });
    expect(toResult(parseBody(raw('duplicate-error')), 'USD')).toEqual({
      status: 'declined',
      code: '11',
      message: 'A duplicate transaction has been submitted.',
      avsResult: 'P',
    });
    expect(toResult(parseBody(raw('not-found-error')), 'USD')).toMatchObject({ status: 'error', ambiguous: false, code: '16' });
    expect(toResult(parseBody(raw('authentication-failed')), 'USD')).toMatchObject({
      status: 'error',
      merchantError: true,
      code: 'E00007',
    });
    expect(
      toResult({ messages: { resultCode: 'Error', message: [{ code: 'E00001', text: 'An error occurred during processing.' }] } }, 'USD'),
    ).toMatchObject({ status: 'error', ambiguous: true });
  });

  it('reports a partial approval of a prepaid card exactly, in minor units of the currency', () => {
    const body = parseBody(raw('auth-capture-approved'));
    (body.transactionResponse as Record<string, unknown>).prePaidCard = {
      requestedAmount: '5.000',
      approvedAmount: '1.234',
      balanceOnCard: '0.000',
    };
    expect(toResult(body, 'KWD')).toMatchObject({ status: 'approved', approvedAmount: 1234 });
    (body.transactionResponse as Record<string, unknown>).prePaidCard = { requestedAmount: '5.00', approvedAmount: '5.00' };
    expect(toResult(body, 'USD')).not.toHaveProperty('approvedAmount');
  });

  it('maps transaction details for lookups, refusing a transaction under another reference', () => {
    const body = parseBody(raw('transaction-details'));
    expect(toLookupResult(body, '1324567890')).toMatchObject({
      status: 'approved',
      gatewayTransactionId: '2228446239',
      networkTransactionId: 'WX0NDQ3W7SNNN0ZJ2VWG0V0',
    });
    expect(toLookupResult(body, 'other')).toMatchObject({ status: 'error', ambiguous: false });
    expect(toLookupResult(parseBody(raw('record-not-found')), 'x')).toEqual({ status: 'not_found' });
  });
});
