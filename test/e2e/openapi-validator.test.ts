/**
 * The shared OpenAPI validator checks what the gateways' published specs say, including the parts
 * that are OpenAPI rather than JSON Schema: 3.0 `nullable` beside `anyOf`/`$ref` (Stripe),
 * discriminator mappings (Checkout.com `source`), and Stripe's `decimal` / `unix-time` formats.
 * Each check is shown to refuse a bad body and accept a good one, on the real spec files.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPECS_DIR, decodeBracketForm, normalizeOpenApiSpec, openApiValidator } from '../support/openapi';
import { stripeSpecValidator } from '../fakes/stripe';
import { CHECKOUT_SPEC, checkoutFixture } from '../fakes/checkout';

const stripeFixture = (name: string) => JSON.parse(readFileSync(resolve(__dirname, '../../adapters/stripe/fixtures', name), 'utf8'));
const FORM = 'application/x-www-form-urlencoded';

describe('OpenAPI 3.0 nullable (Stripe)', () => {
  const stripe = stripeSpecValidator();

  it('leaves no `nullable` keyword for ajv to misread, and keeps the meaning as anyOf with null', () => {
    const raw = JSON.parse(readFileSync(resolve(SPECS_DIR, 'stripe-payments.openapi.json'), 'utf8'));
    const lastError = raw.components.schemas.payment_intent.properties.last_payment_error;
    expect(lastError).toMatchObject({ nullable: true, anyOf: [{ $ref: '#/components/schemas/api_errors' }] });
    expect(lastError).not.toHaveProperty('type');

    const spec = normalizeOpenApiSpec(raw);
    expect(JSON.stringify(spec.components)).not.toMatch(/"nullable":/);
    const rewritten = spec.components!.schemas.payment_intent.properties.last_payment_error;
    expect(rewritten.anyOf).toEqual([
      { anyOf: [{ $ref: '#/components/schemas/api_errors' }], description: lastError.description },
      { type: 'null' },
    ]);
  });

  it('accepts null where the spec allows it, beside anyOf and $ref without a type', () => {
    const pi = { ...stripeFixture('payment_intent.json'), latest_charge: null, last_payment_error: null, next_action: null };
    expect(stripe.response('POST', '/v1/payment_intents', 200, pi).errors).toEqual([]);
  });

  it('still checks the non-null branch: a number where an id or a Charge belongs is refused', () => {
    const pi = { ...stripeFixture('payment_intent.json'), latest_charge: 42 };
    const report = stripe.response('POST', '/v1/payment_intents', 200, pi);
    expect(report.ok).toBe(false);
    expect(report.errors.join('\n')).toMatch(/\/latest_charge/);
  });

  it('refuses null where the spec does not say nullable (amount)', () => {
    const pi = { ...stripeFixture('payment_intent.json'), amount: null };
    expect(stripe.response('POST', '/v1/payment_intents', 200, pi).errors.join('\n')).toMatch(/\/amount/);
  });
});

describe('discriminator mappings (Checkout.com source)', () => {
  const cko = openApiValidator(CHECKOUT_SPEC);
  const card = { type: 'card', number: '4242424242424242', expiry_month: 12, expiry_year: 2030, cvv: '100' };
  const payment = (source: Record<string, unknown>) => ({ source, amount: 1999, currency: 'USD', reference: 'ORD-1', capture: true });

  it('accepts a card source with number and expiry', () => {
    expect(cko.request('POST', '/payments', payment(card)).errors).toEqual([]);
  });

  it('applies the mapped schema: a card source without its number is refused, naming the field', () => {
    const { number: _, ...noNumber } = card;
    const report = cko.request('POST', '/payments', payment(noNumber));
    expect(report.ok).toBe(false);
    expect(report.errors.join('\n')).toMatch(/\/source .*"missingProperty":"number"/);
  });

  it("checks the mapped schema's field types (expiry_month as a string is refused)", () => {
    const report = cko.request('POST', '/payments', payment({ ...card, expiry_month: '12' }));
    expect(report.errors.join('\n')).toMatch(/\/source\/expiry_month/);
  });

  it('checks the other mapped sources too: an id source needs its src_ id', () => {
    expect(cko.request('POST', '/payments', payment({ type: 'id', id: 'src_nwd3m4in3hkuddfpjsaevunhdy' })).errors).toEqual([]);
    expect(cko.request('POST', '/payments', payment({ type: 'id', id: 'tok_not_a_source' })).ok).toBe(false);
  });

  it('refuses a source type the spec does not map', () => {
    const report = cko.request('POST', '/payments', payment({ type: 'cash', number: '1' }));
    expect(report.errors.join('\n')).toMatch(/\/source\/type .*allowedValues/);
  });

  it('applies mappings in responses: a card source without last4 and bin is refused', () => {
    const good = checkoutFixture('payment-authorized');
    expect(cko.response('POST', '/payments', 201, good).errors).toEqual([]);
    delete good.source.last4;
    delete good.source.bin;
    const errors = cko.response('POST', '/payments', 201, good).errors.join('\n');
    expect(errors).toMatch(/"missingProperty":"last4"/);
    expect(errors).toMatch(/"missingProperty":"bin"/);
  });
});

describe('Stripe formats: unix-time and decimal', () => {
  const stripe = stripeSpecValidator();
  const intent = (acceptedAt: string) =>
    decodeBracketForm(
      `amount=1000&currency=usd&confirm=true&payment_method=pm_1&mandate_data[customer_acceptance][type]=offline&mandate_data[customer_acceptance][accepted_at]=${acceptedAt}`,
    );

  it('unix-time: whole seconds are accepted in a form body', () => {
    expect(stripe.request('POST', '/v1/payment_intents', intent('1700000000'), FORM).errors).toEqual([]);
  });

  it('unix-time: a millisecond timestamp is refused (a common unit mistake), as is a negative one', () => {
    expect(stripe.request('POST', '/v1/payment_intents', intent('1700000000000'), FORM).errors.join('\n')).toMatch(
      /accepted_at must match format "unix-time"/,
    );
    expect(stripe.request('POST', '/v1/payment_intents', intent('-5'), FORM).ok).toBe(false);
  });

  it('decimal: a decimal string is accepted, a comma, an exponent or a bare point is refused', () => {
    const tier = (unit: string) => ({
      flat_amount: null,
      flat_amount_decimal: null,
      unit_amount: null,
      unit_amount_decimal: unit,
      up_to: 10,
    });
    expect(stripe.component('price_tier', tier('12.5')).errors).toEqual([]);
    expect(stripe.component('price_tier', tier('1250')).errors).toEqual([]);
    for (const bad of ['12,5', '1e3', '12.', 'twelve']) {
      expect(stripe.component('price_tier', tier(bad)).errors.join('\n'), bad).toMatch(/unit_amount_decimal must match format "decimal"/);
    }
  });

  it('names a schema the spec lacks instead of passing', () => {
    expect(stripe.component('no_such_schema', {})).toEqual({ ok: false, errors: ['no schema no_such_schema in the spec'] });
  });
});
