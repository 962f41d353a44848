/**
 * The Stripe adapter over real HTTP against the fake Stripe API, which validates every request
 * and every answer against Stripe's published OpenAPI description.
 */
import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayResult } from '../../../src/adapter';
import { ConfigError } from '../../../src/errors';
import { normalizeDecline } from '../../../src/decline-registry';
import { stripe } from '../../../adapters/stripe';
import { stripeDeclines } from '../../../adapters/stripe/declines';
import { FAKE_STRIPE_KEY, startStripeFake, stripeFixture, type StripeFake } from '../../fakes/stripe';
import { STRIPE_CARDS, adapterFor, followUp, payment } from './support';

let fake: StripeFake;
beforeEach(async () => {
  fake = await startStripeFake();
});
afterEach(async () => {
  await fake.close();
  expect(fake.violations).toEqual([]);
});

const PI = '/v1/payment_intents';
const PM = '/v1/payment_methods';

function approved(r: GatewayResult) {
  if (r.status !== 'approved') throw new Error(`expected approved, got ${JSON.stringify(r)}`);
  return r;
}

describe('sale and authorize', () => {
  it('a sale creates a card PaymentMethod, then creates and confirms a PaymentIntent with automatic capture', async () => {
    const req = payment();
    const r = approved(await adapterFor(fake).sale(req));

    expect(fake.requests.map((x) => `${x.method} ${x.path}`)).toEqual([`POST ${PM}`, `POST ${PI}`]);
    const [pmReq, piReq] = fake.requests;
    for (const x of fake.requests) {
      expect(x.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(x.body.trimStart().startsWith('{')).toBe(false);
      expect(x.headers.authorization).toBe(`Bearer ${FAKE_STRIPE_KEY}`);
      expect(x.headers['stripe-version']).toBe('2023-08-16');
    }
    expect(fake.form(pmReq)).toMatchObject({
      type: 'card',
      card: { number: STRIPE_CARDS.visa, exp_month: '12', exp_year: '2030', cvc: '123' },
      billing_details: { name: 'Jenny Rosen' },
    });
    const body = fake.form(piReq);
    expect(body).toMatchObject({
      amount: '1999',
      currency: 'usd',
      confirm: 'true',
      capture_method: 'automatic',
      payment_method_types: ['card'],
      expand: ['latest_charge'],
      metadata: { switchyard_reference: req.reference, switchyard_transaction: req.transactionId },
    });
    expect(body).not.toHaveProperty('payment_method_data');
    expect(piReq.body).not.toContain(STRIPE_CARDS.visa);

    const pm = [...fake.paymentMethods.values()][0];
    expect(body.payment_method).toBe(pm.id);
    const pi = fake.intents.get(r.gatewayTransactionId)!;
    expect(pi).toMatchObject({ status: 'succeeded', amountReceived: 1999, captureMethod: 'automatic' });
    expect(r.authCode).toBe(pi.authorizationCode);
    expect(r.networkTransactionId).toBe(pi.networkTransactionId);
    expect(r.gatewayToken).toBe(pm.id);
    expect(r.approvedAmount).toBeUndefined();
  });

  it('an authorization holds the funds (capture_method=manual) and is captured partially, once', async () => {
    const adapter = adapterFor(fake);
    const auth = approved(await adapter.authorize(payment({ amount: 5000 })));
    expect(fake.form(fake.calls(PI)[0]).capture_method).toBe('manual');
    expect(fake.intents.get(auth.gatewayTransactionId)).toMatchObject({
      status: 'requires_capture',
      amountCapturable: 5000,
      amountReceived: 0,
    });

    const cap = approved(await adapter.capture(followUp(auth.gatewayTransactionId, 3000, 5000)));
    expect(cap.gatewayTransactionId).toBe(auth.gatewayTransactionId);
    const capReq = fake.calls(`${PI}/${auth.gatewayTransactionId}/capture`)[0];
    expect(fake.form(capReq).amount_to_capture).toBe('3000');
    expect(fake.intents.get(auth.gatewayTransactionId)).toMatchObject({ status: 'succeeded', amountReceived: 3000, amountCapturable: 0 });

    // Stripe releases the rest of the hold on a partial capture: a second capture is refused.
    const again = await adapter.capture(followUp(auth.gatewayTransactionId, 1000, 5000));
    expect(again).toMatchObject({ status: 'error', ambiguous: false, code: 'payment_intent_unexpected_state', httpStatus: 400 });
  });

  it('voids an authorization by canceling the PaymentIntent; a captured sale cannot be voided', async () => {
    const adapter = adapterFor(fake);
    const auth = approved(await adapter.authorize(payment()));
    approved(await adapter.void(followUp(auth.gatewayTransactionId, 1999)));
    expect(fake.calls(`${PI}/${auth.gatewayTransactionId}/cancel`)).toHaveLength(1);
    expect(fake.intents.get(auth.gatewayTransactionId)!.status).toBe('canceled');

    const sale = approved(await adapter.sale(payment()));
    const v = await adapter.void(followUp(sale.gatewayTransactionId, 1999));
    expect(v).toMatchObject({ status: 'error', ambiguous: false, code: 'payment_intent_unexpected_state' });
    expect(fake.intents.get(sale.gatewayTransactionId)!.status).toBe('succeeded');
  });

  it('refunds partially, then the rest; a refund beyond the captured amount is refused', async () => {
    const adapter = adapterFor(fake);
    const sale = approved(await adapter.sale(payment({ amount: 2000 })));
    const part = approved(await adapter.refund(followUp(sale.gatewayTransactionId, 500, 2000)));
    expect(part.gatewayTransactionId).toMatch(/^re_/);
    const refundReq = fake.calls('/v1/refunds')[0];
    expect(fake.form(refundReq)).toMatchObject({ payment_intent: sale.gatewayTransactionId, amount: '500' });
    approved(await adapter.refund(followUp(sale.gatewayTransactionId, 1500, 2000)));
    expect(fake.intents.get(sale.gatewayTransactionId)!.refunded).toBe(2000);
    expect([...fake.refunds.values()].map((r) => r.amount)).toEqual([500, 1500]);

    const over = await adapter.refund(followUp(sale.gatewayTransactionId, 1, 2000));
    expect(over).toMatchObject({ status: 'error', ambiguous: false, code: 'charge_already_refunded' });
    expect(fake.refunds.size).toBe(2);
  });
});

describe('declines', () => {
  const testCards: Array<[string, string, string]> = [
    [STRIPE_CARDS.genericDecline, 'generic_decline', 'generic_decline'],
    [STRIPE_CARDS.insufficientFunds, 'insufficient_funds', 'insufficient_funds'],
    [STRIPE_CARDS.lost, 'lost_card', 'lost_card'],
    [STRIPE_CARDS.stolen, 'stolen_card', 'stolen_card'],
    [STRIPE_CARDS.expired, 'expired_card', 'expired_card'],
    [STRIPE_CARDS.incorrectCvc, 'incorrect_cvc', 'incorrect_cvc'],
    [STRIPE_CARDS.processingError, 'processing_error', 'processing_error'],
    [STRIPE_CARDS.velocity, 'card_velocity_exceeded', 'velocity_exceeded'],
  ];
  for (const [card, code, reason] of testCards) {
    it(`test card ${card.slice(-4)} declines with ${code} → ${reason}`, async () => {
      const r = await adapterFor(fake).sale(payment({ number: card }));
      expect(r.status).toBe('declined');
      if (r.status !== 'declined') return;
      expect(r.code).toBe(code);
      expect(r.message).toBeTruthy();
      expect(r.gatewayTransactionId).toMatch(/^pi_/);
      expect(fake.intents.get(r.gatewayTransactionId!)!.status).toBe('requires_payment_method');
      expect(normalizeDecline({ gateway: 'stripe', code: r.code, message: r.message, advice: r.advice }).reason).toBe(reason);
    });
  }

  it('every code of the Stripe table comes back as the raw code and normalizes to its reason', async () => {
    const adapter = adapterFor(fake);
    const errorCodesOnly = new Set([
      'card_declined',
      'card_decline_rate_limit_exceeded',
      'incorrect_address',
      'postal_code_invalid',
      'amount_too_large',
      'amount_too_small',
      'payment_intent_authentication_failure',
      'setup_intent_authentication_failure',
      'testmode_charges_only',
      'livemode_mismatch',
      'payment_method_unactivated',
    ]);
    for (const [code, reason] of Object.entries(stripeDeclines.codes)) {
      fake.declineNext(errorCodesOnly.has(code) ? { code } : { code: 'card_declined', declineCode: code });
      const r = await adapter.sale(payment());
      expect(r, code).toMatchObject({ status: 'declined', code });
      const d = normalizeDecline({ gateway: 'stripe', code: (r as { code: string }).code });
      expect(d.reason, code).toBe(reason);
      expect(d.source, code).toBe('gateway');
    }
  });

  it('classes: hard declines never retry or cascade, soft ones may cascade, insufficient funds does not', async () => {
    const adapter = adapterFor(fake);
    const outcome = async (declineCode: string) => {
      fake.declineNext({ code: 'card_declined', declineCode });
      const r = await adapter.sale(payment());
      return normalizeDecline({ gateway: 'stripe', code: (r as { code?: string }).code });
    };
    for (const hard of ['lost_card', 'stolen_card', 'pickup_card', 'revocation_of_authorization', 'stop_payment_order']) {
      expect(await outcome(hard), hard).toMatchObject({ category: 'hard', retry: 'never', cascade: false });
    }
    expect(await outcome('fraudulent')).toMatchObject({ reason: 'fraud_suspected', category: 'hard', cascade: false });
    // The merchant's own block list at Stripe is not the issuer suspecting fraud.
    expect(await outcome('merchant_blacklist')).toMatchObject({ reason: 'risk_blocked', category: 'soft' });
    for (const soft of ['do_not_honor', 'generic_decline', 'processing_error', 'issuer_not_available', 'reenter_transaction']) {
      expect(await outcome(soft), soft).toMatchObject({ category: 'soft', cascade: true });
    }
    expect(await outcome('insufficient_funds')).toMatchObject({ category: 'soft', retry: 'later', cascade: false });
    expect(await outcome('authentication_required')).toMatchObject({ retry: 'with_authentication', cascade: false });
  });

  it('reports advice_code as the decline advice; normalizeDecline applies it', async () => {
    const adapter = adapterFor(fake);
    const cases: Array<[string, object]> = [
      ['do_not_try_again', { retry: 'never', cascade: false, category: 'hard', reason: 'do_not_retry' }],
      ['confirm_card_data', { retry: 'after_update', cascade: false }],
      ['try_again_later', { retry: 'later', reason: 'generic_decline' }],
    ];
    for (const [advice, expected] of cases) {
      fake.declineNext({ code: 'card_declined', declineCode: 'generic_decline', adviceCode: advice });
      const r = await adapter.sale(payment());
      expect(r).toMatchObject({ status: 'declined', code: 'generic_decline', advice });
      const { code, message } = r as { code: string; message: string };
      expect(normalizeDecline({ gateway: 'stripe', code, message, advice }), advice).toMatchObject(expected);
    }
  });
});

describe('3-D Secure', () => {
  it("comes back as requires_action with Stripe's redirect URL when a returnUrl is configured", async () => {
    const r = await adapterFor(fake, { returnUrl: 'https://shop.example/3ds-done' }).sale(payment({ number: STRIPE_CARDS.threeDSAlways }));
    expect(r.status).toBe('requires_action');
    if (r.status !== 'requires_action') return;
    expect(r.gatewayTransactionId).toMatch(/^pi_/);
    expect(r.action).toMatchObject({ type: 'redirect', method: 'GET' });
    expect(r.action.type === 'redirect' && r.action.url).toContain(r.gatewayTransactionId);
    expect(fake.form(fake.calls(PI)[0]).return_url).toBe('https://shop.example/3ds-done');
    expect(fake.intents.get(r.gatewayTransactionId!)!.status).toBe('requires_action');
  });

  it('without a returnUrl the action is for Stripe.js: the PaymentIntent and its client secret', async () => {
    const r = await adapterFor(fake).authorize(payment({ number: STRIPE_CARDS.threeDSOnSession }));
    expect(r.status).toBe('requires_action');
    if (r.status !== 'requires_action') return;
    expect(r.action.type).toBe('sdk');
    expect(r.action.data).toMatchObject({ provider: 'stripe', paymentIntent: r.gatewayTransactionId, nextAction: 'use_stripe_sdk' });
    expect(String(r.action.data?.clientSecret)).toMatch(new RegExp(`^${r.gatewayTransactionId}_secret_`));
  });
});

describe('subscriptions (stored credentials)', () => {
  it('initial: setup_future_usage=off_session with the Stripe Customer; rebill: off_session=true with the saved PaymentMethod only', async () => {
    const adapter = adapterFor(fake);
    const initial = approved(
      await adapter.sale(payment({ customer: { id: 'cus_PqR8sT2uVw' }, storedCredential: { type: 'initial', reason: 'recurring' } })),
    );
    const first = fake.form(fake.calls(PI)[0]);
    expect(first).toMatchObject({ setup_future_usage: 'off_session', customer: 'cus_PqR8sT2uVw' });
    expect(first).not.toHaveProperty('off_session');
    const pm = [...fake.paymentMethods.values()][0];
    expect(pm.customer).toBe('cus_PqR8sT2uVw');
    expect(initial.gatewayToken).toBe(`cus_PqR8sT2uVw:${pm.id}`);
    expect(initial.networkTransactionId).toMatch(/^\d{15}$/);

    const before = fake.requests.length;
    const rebill = approved(
      await adapter.sale(
        payment({
          card: undefined,
          amount: 2999,
          storedCredential: {
            type: 'subsequent',
            initiator: 'merchant',
            reason: 'recurring',
            gatewayToken: initial.gatewayToken,
            networkTransactionId: initial.networkTransactionId,
            previousGatewayTransactionId: initial.gatewayTransactionId,
          },
        }),
      ),
    );
    const sent = fake.requests.slice(before);
    expect(sent.map((x) => x.path)).toEqual([PI]); // no card data, no new PaymentMethod
    const body = fake.form(sent[0]);
    expect(body).toMatchObject({
      off_session: 'true',
      confirm: 'true',
      payment_method: pm.id,
      customer: 'cus_PqR8sT2uVw',
      amount: '2999',
      capture_method: 'automatic',
    });
    expect(body).not.toHaveProperty('setup_future_usage');
    expect(body).not.toHaveProperty('return_url');
    expect(fake.intents.get(rebill.gatewayTransactionId)).toMatchObject({ offSession: true, paymentMethod: pm.id, status: 'succeeded' });
  });

  it('an initial payment without a Stripe Customer keeps the PaymentMethod as the token', async () => {
    const r = approved(
      await adapterFor(fake).sale(
        payment({ customer: { id: 'our-customer-7' }, storedCredential: { type: 'initial', reason: 'recurring' } }),
      ),
    );
    const body = fake.form(fake.calls(PI)[0]);
    expect(body.setup_future_usage).toBe('off_session');
    expect(body).not.toHaveProperty('customer');
    expect(r.gatewayToken).toMatch(/^pm_/);
  });

  it('a rebill with only a network transaction id is refused before sending, naming the card field', async () => {
    const r = await adapterFor(fake).sale(
      payment({
        card: undefined,
        storedCredential: { type: 'subsequent', initiator: 'merchant', reason: 'recurring', networkTransactionId: '123456789012345' },
      }),
    );
    expect(r).toMatchObject({ status: 'error', ambiguous: false });
    expect((r as { message: string }).message).toMatch(/^card: /);
    expect(fake.requests).toHaveLength(0);
  });

  it('off-session, a card that needs authentication declines with authentication_required; one that allows off-session is charged', async () => {
    const adapter = adapterFor(fake);
    const subsequent = { type: 'subsequent', initiator: 'merchant', reason: 'recurring' } as const;
    const r = await adapter.sale(payment({ number: STRIPE_CARDS.threeDSAlways, storedCredential: subsequent }));
    expect(r).toMatchObject({ status: 'declined', code: 'authentication_required' });
    expect(normalizeDecline({ gateway: 'stripe', code: (r as { code: string }).code })).toMatchObject({
      reason: 'authentication_required',
      retry: 'with_authentication',
      cascade: false,
    });
    approved(await adapter.sale(payment({ number: STRIPE_CARDS.threeDSOnSession, storedCredential: subsequent })));
    expect(fake.calls(PI).map((x) => fake.form(x).off_session)).toEqual(['true', 'true']);
  });
});

describe('idempotency', () => {
  it('every POST carries an Idempotency-Key derived from our reference, identical across a transport retry, and charges once', async () => {
    const req = payment();
    // First request (PaymentMethod) passes; the PaymentIntent is processed, then the connection is reset.
    fake.inject({ type: 'slow', ms: 0 }, { type: 'reset', afterProcessing: true });
    const r = approved(await adapterFor(fake).sale(req));
    const piCalls = fake.calls(PI);
    expect(piCalls).toHaveLength(2);
    expect(piCalls[0].headers['idempotency-key']).toBe(req.reference);
    expect(piCalls[1].headers['idempotency-key']).toBe(req.reference);
    expect(piCalls[1].body).toBe(piCalls[0].body);
    expect(fake.calls(PM)[0].headers['idempotency-key']).toBe(`${req.reference}-pm`);
    expect(fake.intents.size).toBe(1);
    expect(r.gatewayTransactionId).toBe([...fake.intents.keys()][0]);
  });

  it('a retry of the PaymentMethod step reuses the same PaymentMethod', async () => {
    fake.inject({ type: 'reset', afterProcessing: true });
    approved(await adapterFor(fake).sale(payment()));
    const pmCalls = fake.calls(PM);
    expect(pmCalls).toHaveLength(2);
    expect(pmCalls[1].headers['idempotency-key']).toBe(pmCalls[0].headers['idempotency-key']);
    expect(fake.paymentMethods.size).toBe(1);
  });

  it('the same attempt sent twice is one PaymentIntent at Stripe', async () => {
    const adapter = adapterFor(fake);
    const req = payment();
    const a = approved(await adapter.sale(req));
    const b = approved(await adapter.sale(req));
    expect(b.gatewayTransactionId).toBe(a.gatewayTransactionId);
    expect(fake.intents.size).toBe(1);
  });

  it('follow-ups carry their own reference as the key', async () => {
    const adapter = adapterFor(fake);
    const sale = approved(await adapter.sale(payment()));
    const f = followUp(sale.gatewayTransactionId, 100, 1999);
    approved(await adapter.refund(f));
    expect(fake.calls('/v1/refunds')[0].headers['idempotency-key']).toBe(f.reference);
  });
});

describe('errors: ambiguous or not', () => {
  const prime = () => fake.inject({ type: 'slow', ms: 0 }); // let the PaymentMethod step through

  it('a timeout after Stripe processed the PaymentIntent is ambiguous', async () => {
    prime();
    fake.inject({ type: 'timeout', afterProcessing: true });
    const r = await adapterFor(fake, { timeoutMs: 300, transportRetries: 0 }).sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: true });
    expect(fake.intents.size).toBe(1);
  });

  it('a connection reset after sending is ambiguous when no retry is allowed', async () => {
    prime();
    fake.inject({ type: 'reset', afterProcessing: false });
    const r = await adapterFor(fake, { transportRetries: 0 }).sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: true });
  });

  it('HTTP 500 without a Stripe body is ambiguous', async () => {
    prime();
    fake.inject({ type: 'status', status: 500 });
    expect(await adapterFor(fake).sale(payment())).toMatchObject({ status: 'error', ambiguous: true, httpStatus: 500 });
  });

  it('a 200 with a body that is not a Stripe object is ambiguous', async () => {
    prime();
    fake.inject({ type: 'malformed' });
    expect(await adapterFor(fake).sale(payment())).toMatchObject({ status: 'error', ambiguous: true });
  });

  it('a wrong secret key is a merchant error, not ambiguous, not a decline', async () => {
    const r = await stripe({ secretKey: 'sk_test_wrongKey', baseUrl: fake.url }).sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, merchantError: true, httpStatus: 401 });
    expect((r as { message: string }).message).toContain('Invalid API Key');
  });

  it("a 400 validation error is a clear error naming Stripe's param", async () => {
    fake.errorNext(400, stripeFixture('error.invalid_request.json').error);
    const r = await adapterFor(fake).sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false, code: 'parameter_invalid_integer', httpStatus: 400 });
    expect((r as { message: string }).message).toContain('param amount');
  });

  it('429 (rate limited, not processed) is not ambiguous; 409 (key in use) is', async () => {
    const adapter = adapterFor(fake);
    fake.errorNext(429, { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' });
    expect(await adapter.sale(payment())).toMatchObject({ status: 'error', ambiguous: false, httpStatus: 429 });
    fake.errorNext(409, {
      type: 'idempotency_error',
      code: 'idempotency_key_in_use',
      message: 'There is currently another in-progress request using this Idempotent Key.',
    });
    expect(await adapter.sale(payment())).toMatchObject({ status: 'error', ambiguous: true, httpStatus: 409 });
  });

  it('connection refused (never sent) is not ambiguous', async () => {
    const url = fake.url;
    await fake.close();
    const r = await stripe({ secretKey: FAKE_STRIPE_KEY, baseUrl: url, transportRetries: 0 }).sale(payment());
    expect(r).toMatchObject({ status: 'error', ambiguous: false });
    fake = await startStripeFake();
  });
});

describe('amounts', () => {
  const cases: Array<[string, number, string]> = [
    ['USD', 1999, '1999'],
    ['JPY', 500, '500'],
    ['KWD', 1250, '1250'],
    ['ISK', 500, '50000'],
  ];
  for (const [currency, amount, wire] of cases) {
    it(`${currency} ${amount} minor units go to Stripe as amount=${wire} and come back unchanged`, async () => {
      const adapter = adapterFor(fake);
      const auth = approved(await adapter.authorize(payment({ amount, currency })));
      expect(fake.form(fake.calls(PI)[0])).toMatchObject({ amount: wire, currency: currency.toLowerCase() });
      expect(auth.approvedAmount).toBeUndefined();
      approved(await adapter.capture(followUp(auth.gatewayTransactionId, amount, amount, currency)));
      expect(fake.form(fake.calls(/\/capture$/)[0]).amount_to_capture).toBe(wire);
      expect(fake.intents.get(auth.gatewayTransactionId)!.amountReceived).toBe(Number(wire));
    });
  }

  it('a KWD amount Stripe cannot take (last digit not 0) is refused before anything is sent, naming amount', async () => {
    const r = await adapterFor(fake).sale(payment({ amount: 1255, currency: 'KWD' }));
    expect(r).toMatchObject({ status: 'error', ambiguous: false });
    expect((r as { message: string }).message).toMatch(/^amount: /);
    expect(fake.requests).toHaveLength(0);
  });

  it('a bad refund amount is an error result, not a thrown exception', async () => {
    const r = await adapterFor(fake).refund(followUp('pi_x', 1255, 2000, 'KWD'));
    expect(r).toMatchObject({ status: 'error', ambiguous: false });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('no card data leaks', () => {
  const PAN = STRIPE_CARDS.visa;
  const hasCardData = (v: unknown) => {
    const s = JSON.stringify(v);
    return s.includes(PAN) || /cvc\W+123/i.test(s);
  };

  it('results of approvals, declines and errors carry no PAN or CVC', async () => {
    const adapter = adapterFor(fake);
    const results: GatewayResult[] = [await adapter.sale(payment()), await adapter.sale(payment({ number: STRIPE_CARDS.lost }))];
    fake.errorNext(400, {
      type: 'invalid_request_error',
      param: 'card[number]',
      message: `Your card number ${PAN} (cvc: 123) is invalid.`,
    });
    results.push(await adapter.sale(payment()));
    fake.declineNext({
      code: 'card_declined',
      declineCode: 'do_not_honor',
      message: `Declined card ${PAN.replace(/(\d{4})/g, '$1 ').trim()} cvc=123`,
    });
    results.push(await adapter.sale(payment()));
    fake.inject({ type: 'slow', ms: 0 }, { type: 'status', status: 502, body: `bad gateway for ${PAN}` });
    results.push(await adapter.sale(payment()));
    expect(results.map((r) => r.status)).toEqual(['approved', 'declined', 'error', 'declined', 'error']);
    for (const r of results) expect(hasCardData(r), JSON.stringify(r)).toBe(false);
    expect((results[2] as { message: string }).message).toContain('424242******4242');
  });
});

describe('lookup by our reference', () => {
  it('finds an attempt whose answer was lost, by the reference in its metadata', async () => {
    const req = payment();
    fake.inject({ type: 'slow', ms: 0 }, { type: 'timeout', afterProcessing: true });
    const adapter = adapterFor(fake, { timeoutMs: 300, transportRetries: 0 });
    expect(await adapter.sale(req)).toMatchObject({ status: 'error', ambiguous: true });
    await adapter.sale(payment()); // another payment, newer than the lost one
    const found = await adapter.lookup!({
      reference: req.reference,
      transactionId: req.transactionId,
      amount: req.amount,
      currency: 'USD',
      merchant: req.merchant,
    });
    const pi = [...fake.intents.values()].find((x) => x.metadata.switchyard_reference === req.reference)!;
    expect(found).toMatchObject({ status: 'approved', gatewayTransactionId: pi.id, networkTransactionId: pi.networkTransactionId });
    expect(fake.calls(PI, 'GET')).toHaveLength(1);
  });

  it('says not_found only after reading the whole list', async () => {
    const adapter = adapterFor(fake);
    await adapter.sale(payment());
    expect(
      await adapter.lookup!({ reference: 'at_never_sent', transactionId: 't', amount: 1, currency: 'USD', merchant: { id: 'm' } }),
    ).toEqual({ status: 'not_found' });
  });

  it('reports an error, not not_found, when the page limit stops the scan', async () => {
    const adapter = adapterFor(fake, { lookupMaxPages: 1 });
    for (let i = 0; i < 101; i++) await adapter.sale(payment());
    const r = await adapter.lookup!({ reference: 'at_never_sent', transactionId: 't', amount: 1, currency: 'USD', merchant: { id: 'm' } });
    expect(r).toMatchObject({ status: 'error', ambiguous: true });
  });

  it('with the PaymentIntent id, reads it directly; a declined attempt is found as declined', async () => {
    const adapter = adapterFor(fake);
    const d = await adapter.sale(payment({ number: STRIPE_CARDS.insufficientFunds }));
    const id = (d as { gatewayTransactionId: string }).gatewayTransactionId;
    const r = await adapter.lookup!({
      reference: 'x',
      transactionId: 't',
      gatewayTransactionId: id,
      amount: 1999,
      currency: 'USD',
      merchant: { id: 'm' },
    });
    expect(r).toMatchObject({ status: 'declined', code: 'insufficient_funds', gatewayTransactionId: id });
    expect(fake.calls(`${PI}/${id}`, 'GET')).toHaveLength(1);
    expect(
      await adapter.lookup!({
        reference: 'x',
        transactionId: 't',
        gatewayTransactionId: 'pi_unknown',
        amount: 1,
        currency: 'USD',
        merchant: { id: 'm' },
      }),
    ).toEqual({ status: 'not_found' });
  });
});

describe('factory and fake', () => {
  it('refuses a missing or malformed secret key with a ConfigError naming secretKey', () => {
    expect(() => stripe({ secretKey: '' })).toThrow(ConfigError);
    expect(() => stripe({ secretKey: 'pk_test_publishable' })).toThrow(/secretKey/);
    expect(stripe({ secretKey: FAKE_STRIPE_KEY }).capabilities).toMatchObject({
      verify: false,
      lookup: true,
      idempotencyKeys: true,
      threeDS: false,
      partialCapture: true,
    });
  });

  it('the fake refuses a body the spec does not allow (raw card data in payment_method_data)', async () => {
    const res = await axios.post(
      `${fake.url}${PI}`,
      'amount=100&currency=usd&confirm=true&payment_method_data[type]=card&payment_method_data[card][number]=4242424242424242',
      {
        headers: {
          authorization: `Bearer ${FAKE_STRIPE_KEY}`,
          'stripe-version': '2023-08-16',
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': 'k1',
        },
        validateStatus: () => true,
      },
    );
    expect(res.status).toBe(400);
    expect(fake.violations.join('\n')).toMatch(/payment_method_data\/type/);
    fake.violations.length = 0;
  });

  it('the fake flags a JSON body and a missing Stripe-Version', async () => {
    await axios.post(
      `${fake.url}${PI}`,
      { amount: 100, currency: 'usd' },
      { headers: { authorization: `Bearer ${FAKE_STRIPE_KEY}` }, validateStatus: () => true },
    );
    expect(fake.violations.some((v) => v.includes('content-type application/json'))).toBe(true);
    expect(fake.violations.some((v) => v.includes('Stripe-Version'))).toBe(true);
    fake.violations.length = 0;
  });
});
