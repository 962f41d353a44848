/** Stripe wire conversions, fixtures and the decline table, without the network. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECLINE_REASONS } from '../../../src/declines';
import { luhnValid } from '../../../src/card/pan';
import { stripeDeclines } from '../../../adapters/stripe/declines';
import {
  StripeInputError,
  formatToken,
  fromStripeAmount,
  parseErrorResponse,
  parsePaymentIntent,
  parseToken,
  toStripeAmount,
} from '../../../adapters/stripe/wire';
import { stripeFixture, stripeSpecValidator } from '../../fakes/stripe';

describe('amounts', () => {
  it('converts minor units exactly per Stripe currency rules, both ways', () => {
    const cases: Array<[number, string, number]> = [
      [1999, 'USD', 1999],
      [500, 'JPY', 500],
      [1250, 'KWD', 1250],
      [1, 'EUR', 1],
      [500, 'ISK', 50000],
      [9_007_199_254, 'KRW', 9_007_199_254],
      [0, 'USD', 0],
    ];
    for (const [minor, currency, stripe] of cases) {
      expect(toStripeAmount(minor, currency), currency).toBe(stripe);
      expect(fromStripeAmount(stripe, currency), currency).toBe(minor);
    }
  });

  it('refuses what Stripe cannot take, naming the amount field', () => {
    for (const [minor, currency] of [
      [1255, 'KWD'],
      [1001, 'BHD'],
      [19.99, 'USD'],
      [-1, 'USD'],
      [Number.MAX_SAFE_INTEGER, 'ISK'],
    ] as const) {
      let err: unknown;
      try {
        toStripeAmount(minor, currency);
      } catch (e) {
        err = e;
      }
      expect(err, `${minor} ${currency}`).toBeInstanceOf(StripeInputError);
      expect((err as StripeInputError).field).toBe('amount');
    }
  });
});

describe('gateway tokens', () => {
  it('round-trip a PaymentMethod with or without its Customer, and reject anything else', () => {
    expect(parseToken(formatToken({ paymentMethod: 'pm_1Abc', customer: 'cus_9Xy' }))).toEqual({
      paymentMethod: 'pm_1Abc',
      customer: 'cus_9Xy',
    });
    expect(parseToken(formatToken({ paymentMethod: 'pm_1Abc' }))).toEqual({ paymentMethod: 'pm_1Abc' });
    for (const bad of [undefined, '', 'tok_visa', 'cus_1:', 'pm_1:cus_2', 'ntid_123456'])
      expect(parseToken(bad), String(bad)).toBeUndefined();
  });
});

describe('parsing answers', () => {
  it('maps PaymentIntent states: succeeded/requires_capture approve, processing is ambiguous, canceled is no charge', () => {
    const pi = stripeFixture('payment_intent.json');
    expect(parsePaymentIntent({ ...pi, status: 'succeeded' })).toMatchObject({ status: 'approved', gatewayTransactionId: pi.id });
    expect(parsePaymentIntent({ ...pi, status: 'requires_capture', amount_capturable: 1999 })).toMatchObject({ status: 'approved' });
    expect(parsePaymentIntent({ ...pi, status: 'processing' })).toMatchObject({ status: 'error', ambiguous: true });
    expect(parsePaymentIntent({ ...pi, status: 'canceled' })).toMatchObject({ status: 'declined', code: 'canceled' });
  });

  it('reads authorization code, network transaction id and checks from the expanded charge', () => {
    const pi = { ...stripeFixture('payment_intent.json'), latest_charge: stripeFixture('charge.json') };
    expect(parsePaymentIntent(pi)).toMatchObject({
      status: 'approved',
      authCode: '123456',
      networkTransactionId: '581711403318455',
      cvvResult: 'pass',
    });
  });

  it('reports a partial approval in our minor units', () => {
    const pi = {
      ...stripeFixture('payment_intent.json'),
      status: 'requires_capture',
      currency: 'isk',
      amount: 100000,
      amount_capturable: 50000,
    };
    expect(parsePaymentIntent(pi, { amount: 1000, currency: 'ISK' })).toMatchObject({ status: 'approved', approvedAmount: 500 });
  });

  it('a card_error is a decline with decline_code, advice_code and the PaymentIntent id', () => {
    const e = stripeFixture('error.card_declined.json');
    e.error.payment_intent = { ...stripeFixture('payment_intent.json'), status: 'requires_payment_method' };
    expect(parseErrorResponse(402, e)).toEqual({
      status: 'declined',
      code: 'generic_decline',
      advice: 'try_again_later',
      message: 'Your card was declined.',
      gatewayTransactionId: e.error.payment_intent.id,
    });
  });

  it('401 is a merchant error; 400 names the param; an HTML 4xx is a clear error', () => {
    expect(parseErrorResponse(401, stripeFixture('error.authentication.json'))).toMatchObject({
      status: 'error',
      merchantError: true,
      ambiguous: false,
    });
    expect(parseErrorResponse(400, stripeFixture('error.invalid_request.json'))).toMatchObject({
      status: 'error',
      ambiguous: false,
      code: 'parameter_invalid_integer',
    });
    expect(parseErrorResponse(400, stripeFixture('error.idempotency.json'))).toMatchObject({ status: 'error', ambiguous: false });
    expect(parseErrorResponse(404, '<html>nope</html>')).toMatchObject({ status: 'error', ambiguous: false, httpStatus: 404 });
  });
});

describe('fixtures', () => {
  const dir = resolve(__dirname, '../../../adapters/stripe/fixtures');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('hold no card number (no Luhn-valid run of 12–19 digits) and no CVC', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const run of text.match(/\d(?:[ -]?\d){11,18}/g) ?? []) expect(luhnValid(run.replace(/\D/g, '')), `${f}: ${run}`).toBe(false);
      expect(text, f).not.toMatch(/"cvc"\s*:\s*"\d/);
    }
  });

  it("are valid answers under Stripe's spec", () => {
    const v = stripeSpecValidator();
    const pi = stripeFixture('payment_intent.json');
    const checks: Array<[string, string, number, unknown]> = [
      ['POST', '/v1/payment_methods', 200, stripeFixture('payment_method.card.json')],
      ['POST', '/v1/payment_intents', 200, pi],
      ['POST', '/v1/payment_intents', 200, { ...pi, latest_charge: stripeFixture('charge.json') }],
      ['POST', '/v1/refunds', 200, stripeFixture('refund.json')],
      ...['error.card_declined.json', 'error.invalid_request.json', 'error.authentication.json', 'error.idempotency.json'].map(
        (f): [string, string, number, unknown] => ['POST', '/v1/payment_intents', 400, stripeFixture(f)],
      ),
    ];
    for (const [method, path, status, body] of checks)
      expect(v.response(method, path, status, body).errors, `${path} ${status}`).toEqual([]);
    // The validator does fail on a wrong shape.
    expect(v.response('POST', '/v1/payment_intents', 200, { ...pi, status: 'approved' }).ok).toBe(false);
  });
});

describe('decline table', () => {
  it("links Stripe's documentation and maps every code to a standard reason", () => {
    expect(stripeDeclines.gateway).toBe('stripe');
    expect(stripeDeclines.docs).toBe('https://docs.stripe.com/declines/codes');
    expect(Object.keys(stripeDeclines.codes).length).toBeGreaterThanOrEqual(45);
    for (const [code, reason] of Object.entries(stripeDeclines.codes)) expect(DECLINE_REASONS, code).toHaveProperty(reason);
  });
});
