import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLookup, parseResponse } from '../../../adapters/nmi/wire';
import { SPECS_DIR } from '../../support/openapi';
import { RESULT_CODES, checkQueryRequest, checkTransactRequest, checkTransactResponse } from '../../fakes/nmi-spec';

const FORM = 'application/x-www-form-urlencoded';
const FIXTURES = join(__dirname, '../../../adapters/nmi/fixtures');
const SPEC = readFileSync(join(SPECS_DIR, 'nmi-direct-post-api.md'), 'utf8');
const base = 'security_key=k&type=sale&ccnumber=4111111111111111&ccexp=1230&amount=10.00&currency=USD&orderid=at_1';

describe('the NMI contract checker used by the fake', () => {
  it('accepts the example request of the spec (§8)', () => {
    const example = /Request body \(form-encoded\):\n```\n(.+)\n```/.exec(SPEC)![1];
    expect(checkTransactRequest(example, FORM)).toEqual([]);
  });

  it('knows every response code of the spec table (§4)', () => {
    const documented = [...SPEC.matchAll(/^\| (\d{3}(?: \/ \d{3})*) \|/gm)].flatMap((m) => m[1].split(' / '));
    expect(documented.length).toBeGreaterThan(30);
    expect(Object.keys(RESULT_CODES).sort()).toEqual([...new Set(documented)].sort());
  });

  it.each([
    ['a JSON body', base, 'application/json', /content-type/],
    ['ccexp as MM/YY', base.replace('ccexp=1230', 'ccexp=12%2F30'), FORM, /ccexp/],
    ['an amount without decimals', base.replace('amount=10.00', 'amount=10'), FORM, /amount/],
    ['an amount with three decimals', base.replace('amount=10.00', 'amount=1.005'), FORM, /amount/],
    ['an unknown field', `${base}&card_number=1`, FORM, /card_number: not a documented variable/],
    ['no security key', base.replace('security_key=k&', ''), FORM, /security_key/],
    ['two card sources', `${base}&customer_vault_id=1`, FORM, /exactly one/],
    ['a field sent twice', `${base}&amount=11.00`, FORM, /sent more than once/],
    ['a lowercase currency', base.replace('USD', 'usd'), FORM, /currency/],
    ['a capture without transactionid', 'security_key=k&type=capture&amount=1.00', FORM, /transactionid/],
    ['a capture without amount', 'security_key=k&type=capture&transactionid=1', FORM, /amount/],
    ['an orderid on a refund', 'security_key=k&type=refund&transactionid=1&orderid=x', FORM, /orderid/],
    ['a validate with an amount', base.replace('type=sale', 'type=validate'), FORM, /validate/],
    [
      'a MIT rebill without initial_transaction_id',
      `${base}&initiated_by=merchant&stored_credential_indicator=used`,
      FORM,
      /initial_transaction_id/,
    ],
    ['an unknown initiated_by', `${base}&initiated_by=cardholder&stored_credential_indicator=stored`, FORM, /initiated_by/],
    ['a cavv without cardholder_auth', `${base}&cavv=AAAB`, FORM, /cardholder_auth/],
  ])('refuses %s', (_name, body, contentType, problem) => {
    const problems = checkTransactRequest(body, contentType);
    expect(problems.join('\n')).toMatch(problem);
  });

  it('never repeats a card number in a problem', () => {
    expect(checkTransactRequest(base.replace('ccnumber=4111111111111111', 'ccnumber=4111-1111-1111-1111'), FORM).join('\n')).not.toContain(
      '4111',
    );
  });

  it('checks Query API requests', () => {
    expect(checkQueryRequest('security_key=k&order_id=at_1', FORM)).toEqual([]);
    expect(checkQueryRequest('order_id=at_1&orderid=x', FORM).join('\n')).toMatch(/security_key[^]*orderid/);
  });

  it('every transaction fixture is a valid answer (§3, §4, §5) and parses', () => {
    const files = readdirSync(FIXTURES).filter((f) => !f.startsWith('query-') && !f.startsWith('webhook-')); // notifications: test/webhooks
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const fields = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, string>;
      expect(checkTransactResponse(fields), file).toEqual([]);
      expect(parseResponse(new URLSearchParams(fields).toString())?.response, file).toBe(fields.response);
    }
  });

  it('catches an answer that breaks the table', () => {
    expect(
      checkTransactResponse({
        response: '1',
        responsetext: '',
        authcode: '',
        transactionid: '1',
        avsresponse: 'Q',
        cvvresponse: '',
        orderid: '',
        type: 'sale',
        response_code: '200',
      }).join('\n'),
    ).toMatch(/response_code[^]*avsresponse/);
    expect(checkTransactResponse({ response: '2' }).join('\n')).toMatch(/responsetext: documented key missing/);
  });

  it('reads the Query API error fixture as a merchant error', () => {
    const { error_response } = JSON.parse(readFileSync(join(FIXTURES, 'query-error.json'), 'utf8')) as { error_response: string };
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<nm_response>\n\t<error_response>${error_response}</error_response>\n</nm_response>`;
    expect(parseLookup(xml, 'at_1')).toMatchObject({ status: 'error', ambiguous: false, merchantError: true });
  });
});
