/**
 * A fake Stripe API on loopback for the Stripe adapter's tests.
 *
 * Every request is checked against Stripe's own OpenAPI description
 * (`test/specs/stripe-payments.openapi.json`, API version 2023-08-16): form bodies are
 * bracket-decoded and validated with the spec's request schemas, query strings against the
 * operation's parameters, and every answer the fake sends is validated against the spec's
 * response schemas. Anything off lands in `violations`; tests assert it stays empty.
 *
 * It behaves like Stripe where the adapter depends on it: it keeps its own books (payment
 * methods, payment intents, refunds), replays a request with a known `Idempotency-Key`,
 * refuses a reused key with different parameters, declines Stripe's documented test cards with
 * their documented codes, asks for 3-D Secure on the 3-D Secure test cards, and can be told to
 * decline the next payment with any code. Faults (timeouts, resets, 5xx) come from
 * `test/support/fake-server.ts`. Answers are built from `adapters/stripe/fixtures/`.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FakeWebhooks } from '../support/webhook-sender';
import { stripeSignatureHeader } from '../support/webhook-signing';
import { startFakeServer, type Fault, type FakeResponse, type FakeServer, type RecordedRequest } from '../support/fake-server';
import { decodeBracketForm, openApiValidator, type OpenApiValidator } from '../support/openapi';
import { luhnValid } from '../../src/card/pan';
import { challengeHtml } from './challenge-page';

const FIXTURES = resolve(__dirname, '../../adapters/stripe/fixtures');
/** A sanitised fixture from `adapters/stripe/fixtures`, as a fresh copy. */
export function stripeFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

/** The API version the fake speaks and expects in `Stripe-Version`. */
export const FAKE_STRIPE_VERSION = '2023-08-16';
/** Secret key the fake accepts unless told otherwise. */
export const FAKE_STRIPE_KEY = 'sk_test_switchyardFakeKey000000';

/**
 * The shared validator over Stripe's spec (it rewrites the spec's `nullable` and checks its
 * `decimal` and `unix-time` formats), with its schemas compiled up front.
 */
function loadStripeSpec(): { validator: OpenApiValidator; spec: any } {
  const validator = openApiValidator('stripe-payments.openapi.json');
  const { spec } = validator;
  // Compile the schemas once, up front: the first compilation of Stripe's large schemas takes
  // long enough to trip a client's timeout in the first test otherwise.
  const pi = stripeFixture('payment_intent.json');
  const warm: Array<[string, string, number, unknown]> = [
    ['POST', '/v1/payment_methods', 200, stripeFixture('payment_method.card.json')],
    ['POST', '/v1/payment_intents', 200, pi],
    ['GET', '/v1/payment_intents', 200, { object: 'list', data: [], has_more: false, url: '/v1/payment_intents' }],
    ['GET', '/v1/payment_intents/pi_1', 200, pi],
    ['POST', '/v1/payment_intents/pi_1/capture', 200, pi],
    ['POST', '/v1/payment_intents/pi_1/cancel', 200, pi],
    ['POST', '/v1/refunds', 200, stripeFixture('refund.json')],
  ];
  for (const [method, path, status, body] of warm) {
    validator.response(method, path, status, body);
    validator.response(method, path, 402, stripeFixture('error.card_declined.json'));
    if (method === 'POST') validator.request(method, path, {}, 'application/x-www-form-urlencoded');
  }
  return { validator, spec };
}
let loaded: ReturnType<typeof loadStripeSpec> | undefined;

/** The validator of Stripe's spec the fake uses (schemas compiled). */
export function stripeSpecValidator(): OpenApiValidator {
  loaded ??= loadStripeSpec();
  return loaded.validator;
}

/** A card PaymentMethod the fake created. It keeps BIN and last four, never the number. */
export interface FakePaymentMethod {
  id: string;
  bin: string;
  last4: string;
  expMonth: number;
  expYear: number;
  behaviour: CardBehaviour;
  customer?: string;
  /** Used once without being attached to a Customer and without setup_future_usage. */
  consumed: boolean;
  /** Network transaction id of the customer-initiated payment that saved it. */
  storedNetworkTransactionId?: string;
}

/** A PaymentIntent in the fake's books. */
export interface FakeIntent {
  id: string;
  amount: number;
  currency: string;
  status: 'requires_action' | 'requires_capture' | 'succeeded' | 'canceled' | 'requires_payment_method';
  captureMethod: 'automatic' | 'manual';
  amountCapturable: number;
  amountReceived: number;
  refunded: number;
  paymentMethod: string;
  customer?: string;
  metadata: Record<string, string>;
  offSession: boolean;
  setupFutureUsage?: string;
  returnUrl?: string;
  chargeId: string;
  networkTransactionId?: string;
  authorizationCode?: string;
  created: number;
  lastError?: Record<string, unknown>;
}

/** A Refund in the fake's books. */
export interface FakeRefund {
  id: string;
  paymentIntent: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
}

/** A decline to give: Stripe's `error.code`, `decline_code`, `advice_code` and message. */
export interface ScriptedDecline {
  code?: string;
  declineCode?: string;
  adviceCode?: string;
  message?: string;
  /** `payment_method.card.checks` on the error (`pass`, `fail`, `unavailable`, `unchecked`). */
  cvcCheck?: string;
  postalCodeCheck?: string;
}

type CardBehaviour = { kind: 'approve' } | { kind: 'decline'; decline: ScriptedDecline } | { kind: '3ds'; always: boolean };

/** Stripe's documented test cards (test/specs/test-cards.csv, https://docs.stripe.com/testing). */
const TEST_CARDS: Record<string, CardBehaviour> = {
  '4000000000000002': { kind: 'decline', decline: { code: 'card_declined', declineCode: 'generic_decline' } },
  '4000000000009995': { kind: 'decline', decline: { code: 'card_declined', declineCode: 'insufficient_funds' } },
  '4000000000009987': { kind: 'decline', decline: { code: 'card_declined', declineCode: 'lost_card' } },
  '4000000000009979': { kind: 'decline', decline: { code: 'card_declined', declineCode: 'stolen_card' } },
  '4000000000000069': { kind: 'decline', decline: { code: 'expired_card', message: 'Your card has expired.' } },
  '4000000000000127': { kind: 'decline', decline: { code: 'incorrect_cvc', message: "Your card's security code is incorrect." } },
  '4000000000000119': {
    kind: 'decline',
    decline: { code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' },
  },
  '4000000000006975': { kind: 'decline', decline: { code: 'card_declined', declineCode: 'card_velocity_exceeded' } },
  '4000002500003155': { kind: '3ds', always: false },
  '4000002760003184': { kind: '3ds', always: true },
};

/** A dispute in the fake's books (its events were sent as webhooks). */
export interface FakeStripeDispute {
  id: string;
  paymentIntent: string;
  amount: number;
  reasonCode: string;
  status: 'needs_response' | 'won' | 'lost';
}

/** The fake Stripe: server, books, and levers. */
export interface StripeFake {
  readonly disputes: Map<string, FakeStripeDispute>;
  /** A refund the card network returns later: `refund.failed`, and the amount is the merchant's again. */
  failRefund(refundId: string): void;
  /** Open a dispute: `charge.dispute.created`, then (with `outcome`) `charge.dispute.closed`. */
  dispute(paymentIntentId: string, o?: { outcome?: 'won' | 'lost'; reasonCode?: string; reason?: string }): FakeStripeDispute;
  /** Finish a 3-D Secure challenge: `payment_intent.succeeded` / `amount_capturable_updated` or `payment_failed`. */
  completeChallenge(paymentIntentId: string, success: boolean): void;
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Spec violations and protocol mistakes seen (requests and the fake's own answers). */
  readonly violations: string[];
  readonly paymentMethods: Map<string, FakePaymentMethod>;
  readonly intents: Map<string, FakeIntent>;
  readonly refunds: Map<string, FakeRefund>;
  /** Decline the next payment attempts (first in, first out), whatever the card. */
  declineNext(...d: ScriptedDecline[]): void;
  /** Answer the next request with this HTTP status and Stripe error object (after validation). */
  errorNext(status: number, error: Record<string, unknown>): void;
  /** Queue transport faults (see fake-server). */
  inject(...f: Fault[]): void;
  /** Drop the faults still queued. */
  clearFaults(): number;
  /** A recorded request's form body or query, bracket-decoded. */
  form(r: RecordedRequest): Record<string, any>;
  /** Challenges the hosted challenge page finished (completed or failed). */
  readonly challengesAnswered: number;
  /** Recorded requests to a path (exact, without query), optionally by method. */
  calls(path: string | RegExp, method?: string): RecordedRequest[];
  close(): Promise<void>;
}

const rid = (prefix: string, n = 24) => `${prefix}_${randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n)}`;
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');

/** Start a fake Stripe. */
export async function startStripeFake(options: { secretKey?: string; webhooks?: FakeWebhooks } = {}): Promise<StripeFake> {
  loaded ??= loadStripeSpec();
  const { validator, spec } = loaded;
  const key = options.secretKey ?? FAKE_STRIPE_KEY;
  const violations: string[] = [];
  const paymentMethods = new Map<string, FakePaymentMethod>();
  const intents = new Map<string, FakeIntent>();
  const refunds = new Map<string, FakeRefund>();
  const idempotency = new Map<string, { fingerprint: string; response: FakeResponse }>();
  const declines: ScriptedDecline[] = [];
  const errors: Array<{ status: number; error: Record<string, unknown> }> = [];
  const ajvQuery = new Ajv({ strict: false, coerceTypes: 'array', allErrors: true });
  const queryValidators = new Map<string, ValidateFunction>();
  let clock = 1_700_000_000;
  let challengesAnswered = 0;
  let server: FakeServer;
  const disputes = new Map<string, FakeStripeDispute>();
  const refundStatus = new Map<string, string>();
  const now = () => (options.webhooks?.now ?? Date.now)();

  /** One signed event (what Stripe's API answered already may never come: `droppable`). */
  function notify(type: string, object: Record<string, unknown>, droppable: boolean, at = now()): void {
    const w = options.webhooks;
    if (!w) return;
    // The objects the reduced spec describes are checked before they are sent.
    if (object.object === 'payment_intent' || object.object === 'refund') {
      const report = validator.component(object.object, object);
      if (!report.ok) violations.push(`webhook ${type}: ${report.errors.slice(0, 3).join('; ')}`);
    }
    const created = Math.floor(at / 1000);
    const body = JSON.stringify({
      id: rid('evt'),
      object: 'event',
      api_version: FAKE_STRIPE_VERSION,
      created,
      type,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object },
    });
    const t = Math.floor(now() / 1000);
    w.sender.send({
      body,
      headers: { 'content-type': 'application/json', 'stripe-signature': stripeSignatureHeader(w.secret, body, t) },
      event: type,
      droppable,
    });
  }
  const intentEvent = (pi: FakeIntent, droppable = true) => {
    const type =
      pi.status === 'succeeded'
        ? 'payment_intent.succeeded'
        : pi.status === 'requires_capture'
          ? 'payment_intent.amount_capturable_updated'
          : pi.status === 'canceled'
            ? 'payment_intent.canceled'
            : pi.status === 'requires_payment_method'
              ? 'payment_intent.payment_failed'
              : undefined;
    if (type) notify(type, intentJson(pi, false), droppable);
  };

  const pathOf = (r: RecordedRequest) => r.path.split('?')[0];
  const form = (r: RecordedRequest): Record<string, any> => decodeBracketForm(r.method === 'GET' ? (r.path.split('?')[1] ?? '') : r.body);

  /** Validate and send an answer; a response the spec does not allow is a violation too. */
  function answer(r: RecordedRequest, status: number, body: object, headers?: Record<string, string>): FakeResponse {
    const report = validator.response(r.method, pathOf(r), status, body);
    if (!report.ok) violations.push(`response to ${r.method} ${pathOf(r)} ${status}: ${report.errors.slice(0, 5).join('; ')}`);
    return { status, body, headers: { 'request-id': rid('req', 14), ...headers } };
  }
  const stripeError = (r: RecordedRequest, status: number, error: Record<string, unknown>) => answer(r, status, { error });
  const invalid = (r: RecordedRequest, message: string, extra: Record<string, unknown> = {}) =>
    stripeError(r, 400, { type: 'invalid_request_error', message, ...extra });

  function checkQuery(r: RecordedRequest): string[] {
    const t = validator.match(pathOf(r));
    const op = t && spec.paths[t]?.get;
    if (!op) return [`GET ${pathOf(r)} is not in the spec`];
    const problems: string[] = [];
    for (const [name, value] of Object.entries(form(r))) {
      const p = (op.parameters ?? []).find((x: any) => x.in === 'query' && x.name === name);
      if (!p) {
        problems.push(`query parameter ${name} is not defined for GET ${t}`);
        continue;
      }
      const k = `${t} ${name}`;
      let fn = queryValidators.get(k);
      if (!fn) queryValidators.set(k, (fn = ajvQuery.compile({ type: 'object', properties: { v: p.schema } })));
      if (!fn({ v: value })) problems.push(`query ${name}: ${ajvQuery.errorsText(fn.errors)}`);
    }
    return problems;
  }

  function intentJson(pi: FakeIntent, expandCharge: boolean): Record<string, unknown> {
    const base = stripeFixture('payment_intent.json');
    const pm = paymentMethods.get(pi.paymentMethod);
    let latestCharge: unknown = pi.status === 'requires_action' ? null : pi.chargeId;
    if (expandCharge && latestCharge) {
      const ch = stripeFixture('charge.json');
      Object.assign(ch, {
        id: pi.chargeId,
        amount: pi.amount,
        currency: pi.currency,
        created: pi.created,
        payment_intent: pi.id,
        payment_method: pi.paymentMethod,
        amount_captured: pi.amountReceived,
        captured: pi.amountReceived > 0,
        amount_refunded: pi.refunded,
        refunded: pi.refunded > 0 && pi.refunded === pi.amountReceived,
        customer: pi.customer ?? null,
        metadata: pi.metadata,
        paid: !pi.lastError,
        status: pi.lastError ? 'failed' : 'succeeded',
      });
      Object.assign(ch.payment_method_details.card, {
        last4: pm?.last4,
        exp_month: pm?.expMonth,
        exp_year: pm?.expYear,
        authorization_code: pi.authorizationCode ?? null,
        network_transaction_id: pi.networkTransactionId ?? null,
      });
      delete ch.refunds;
      latestCharge = ch;
    }
    const nextAction =
      pi.status !== 'requires_action'
        ? null
        : pi.returnUrl
          ? {
              type: 'redirect_to_url',
              redirect_to_url: { url: `${server.url}/3ds/challenge/${pi.id}`, return_url: pi.returnUrl },
            }
          : {
              type: 'use_stripe_sdk',
              use_stripe_sdk: {
                type: 'three_d_secure_redirect',
                stripe_js: `https://hooks.stripe.com/redirect/authenticate/src_fake?client_secret=${pi.id}_secret`,
              },
            };
    return Object.assign(base, {
      id: pi.id,
      amount: pi.amount,
      currency: pi.currency,
      status: pi.status,
      capture_method: pi.captureMethod,
      amount_capturable: pi.amountCapturable,
      amount_received: pi.amountReceived,
      created: pi.created,
      client_secret: `${pi.id}_secret_${rid('x', 24).slice(2)}`,
      customer: pi.customer ?? null,
      payment_method: pi.paymentMethod,
      metadata: pi.metadata,
      latest_charge: latestCharge,
      next_action: nextAction,
      setup_future_usage: pi.setupFutureUsage ?? null,
      last_payment_error: pi.lastError ?? null,
      canceled_at: pi.status === 'canceled' ? clock : null,
    });
  }

  function createPaymentMethod(r: RecordedRequest, b: Record<string, any>): FakeResponse {
    const number = String(b.card?.number ?? '');
    if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) {
      return stripeError(r, 402, {
        type: 'card_error',
        code: 'incorrect_number',
        param: 'card[number]',
        message: 'Your card number is incorrect.',
      });
    }
    const pm: FakePaymentMethod = {
      id: rid('pm'),
      bin: number.slice(0, 6),
      last4: number.slice(-4),
      expMonth: Number(b.card.exp_month),
      expYear: Number(b.card.exp_year),
      behaviour: TEST_CARDS[number] ?? { kind: 'approve' },
      consumed: false,
    };
    paymentMethods.set(pm.id, pm);
    const json = pmJson(pm);
    if (b.billing_details?.name) json.billing_details.name = b.billing_details.name;
    return answer(r, 200, json);
  }

  /** A PaymentMethod as Stripe renders it, with the card's checks when a decline set them. */
  function pmJson(pm: FakePaymentMethod, checks?: { cvc_check?: string; address_postal_code_check?: string }) {
    const json = stripeFixture('payment_method.card.json');
    Object.assign(json, { id: pm.id, created: clock++, customer: pm.customer ?? null, metadata: {} });
    Object.assign(json.card, { last4: pm.last4, exp_month: pm.expMonth, exp_year: pm.expYear, fingerprint: `fp${pm.bin}${pm.last4}` });
    if (checks) Object.assign(json.card.checks, checks);
    return json;
  }

  function createIntent(r: RecordedRequest, b: Record<string, any>): FakeResponse {
    if (b.confirm !== 'true') return invalid(r, 'this fake only creates and confirms in one call (confirm=true)', { param: 'confirm' });
    const pm = paymentMethods.get(b.payment_method);
    if (!pm) return invalid(r, `No such PaymentMethod: '${b.payment_method}'`, { code: 'resource_missing', param: 'payment_method' });
    if (pm.customer && b.customer !== pm.customer) {
      return invalid(r, 'The provided PaymentMethod is attached to a Customer; pass that Customer with it.', {
        code: 'payment_method_unexpected_state',
        param: 'customer',
      });
    }
    if (pm.consumed && !pm.customer) {
      return invalid(
        r,
        'This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.',
        { code: 'payment_method_unexpected_state', param: 'payment_method' },
      );
    }
    const currency = String(b.currency).toUpperCase();
    const amount = Number(b.amount);
    if (['BHD', 'JOD', 'KWD', 'OMR', 'TND'].includes(currency) && amount % 10 !== 0)
      return invalid(r, 'Invalid amount: the last digit of a three-decimal amount must be 0.', { code: 'amount_invalid', param: 'amount' });
    if (currency === 'ISK' && amount % 100 !== 0)
      return invalid(
        r,
        'Invalid amount. Currency ISK has become effectively zero-decimal and charged amounts must be evenly divisible by 100.',
        { code: 'invalid_charge_amount_no_decimal_compatible', param: 'amount' },
      );
    const offSession = b.off_session === 'true';
    const pi: FakeIntent = {
      id: rid('pi'),
      amount,
      currency: String(b.currency),
      status: 'requires_payment_method',
      captureMethod: b.capture_method === 'manual' ? 'manual' : 'automatic',
      amountCapturable: 0,
      amountReceived: 0,
      refunded: 0,
      paymentMethod: pm.id,
      customer: b.customer,
      metadata: b.metadata ?? {},
      offSession,
      setupFutureUsage: b.setup_future_usage,
      returnUrl: b.return_url,
      chargeId: rid('ch'),
      created: clock++,
    };
    intents.set(pi.id, pi);
    if (!pm.customer && !b.setup_future_usage) pm.consumed = true;
    const expand = (b.expand ?? []).includes('latest_charge');

    const scripted = declines.shift();
    const forced = b.payment_method_options?.card?.request_three_d_secure === 'any' && !offSession;
    const behaviour: CardBehaviour = forced
      ? { kind: '3ds', always: true }
      : scripted
        ? { kind: 'decline', decline: scripted }
        : pm.behaviour;
    if (behaviour.kind === '3ds' && (behaviour.always || !offSession)) {
      if (offSession) {
        return decline(r, pi, {
          code: 'authentication_required',
          declineCode: 'authentication_required',
          message: 'Your card was declined. This transaction requires authentication.',
        });
      }
      pi.status = 'requires_action';
      return answer(r, 200, intentJson(pi, expand));
    }
    if (behaviour.kind === 'decline') return decline(r, pi, behaviour.decline);

    authorize(pi, pm);
    return answer(r, 200, intentJson(pi, expand));
  }

  /** The issuer approves: the PaymentIntent charges (or holds, for manual capture). */
  function authorize(pi: FakeIntent, pm: FakePaymentMethod): void {
    pi.networkTransactionId = digits(15);
    pi.authorizationCode = digits(6);
    if (pi.captureMethod === 'manual') {
      pi.status = 'requires_capture';
      pi.amountCapturable = pi.amount;
    } else {
      pi.status = 'succeeded';
      pi.amountReceived = pi.amount;
    }
    intentEvent(pi);
    if (pi.setupFutureUsage) {
      pm.storedNetworkTransactionId = pi.networkTransactionId;
      if (pi.customer) pm.customer = pi.customer;
    }
  }

  /**
   * The hosted challenge page (what `next_action.redirect_to_url.url` points to): two buttons.
   * Completing it authorizes the PaymentIntent; failing it leaves `requires_payment_method` with
   * `payment_intent_authentication_failure`, as Stripe does. Then back to the `return_url`.
   */
  function challengePage(r: RecordedRequest): FakeResponse | undefined {
    const m = /^\/3ds\/challenge\/(pi_[A-Za-z0-9]+)$/.exec(pathOf(r));
    if (!m) return undefined;
    const pi = intents.get(m[1]);
    if (!pi) return { status: 404, body: 'no such challenge', headers: { 'content-type': 'text/plain' } };
    if (r.method === 'GET')
      return {
        status: 200,
        body: challengeHtml(`/3ds/challenge/${pi.id}`, pi.amount, pi.currency),
        headers: { 'content-type': 'text/html; charset=utf-8' },
      };
    const outcome = new URLSearchParams(r.body).get('outcome');
    if (pi.status === 'requires_action') {
      if (outcome === 'complete') authorize(pi, paymentMethods.get(pi.paymentMethod)!);
      else {
        pi.status = 'requires_payment_method';
        pi.lastError = {
          type: 'invalid_request_error',
          code: 'payment_intent_authentication_failure',
          message: 'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
          doc_url: 'https://stripe.com/docs/error-codes/payment-intent-authentication-failure',
        };
      }
    }
    challengesAnswered++;
    if (!pi.returnUrl) return { status: 200, body: '<!doctype html><p>done</p>', headers: { 'content-type': 'text/html; charset=utf-8' } };
    const back = new URL(pi.returnUrl);
    back.searchParams.set('payment_intent', pi.id);
    back.searchParams.set('redirect_status', pi.status === 'requires_payment_method' ? 'failed' : 'succeeded');
    return { status: 303, body: '', headers: { location: back.toString(), 'content-type': 'text/plain' } };
  }

  function decline(r: RecordedRequest, pi: FakeIntent, d: ScriptedDecline): FakeResponse {
    const error: Record<string, unknown> = {
      type: 'card_error',
      code: d.code ?? 'card_declined',
      message: d.message ?? 'Your card was declined.',
      charge: pi.chargeId,
      doc_url: `https://stripe.com/docs/error-codes/${(d.code ?? 'card_declined').replace(/_/g, '-')}`,
      ...(d.declineCode && { decline_code: d.declineCode }),
      ...(d.adviceCode && { advice_code: d.adviceCode }),
    };
    const pm = paymentMethods.get(pi.paymentMethod);
    if (pm && (d.cvcCheck || d.postalCodeCheck)) {
      error.payment_method = pmJson(pm, {
        ...(d.cvcCheck && { cvc_check: d.cvcCheck }),
        ...(d.postalCodeCheck && { address_postal_code_check: d.postalCodeCheck }),
      });
    }
    pi.status = 'requires_payment_method';
    pi.lastError = error;
    return stripeError(r, 402, { ...error, payment_intent: intentJson(pi, false) });
  }

  function capture(r: RecordedRequest, pi: FakeIntent, b: Record<string, any>): FakeResponse {
    if (pi.status !== 'requires_capture') {
      return invalid(
        r,
        `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        { code: 'payment_intent_unexpected_state' },
      );
    }
    const amount = b.amount_to_capture === undefined ? pi.amountCapturable : Number(b.amount_to_capture);
    if (amount > pi.amountCapturable)
      return invalid(r, `The amount_to_capture (${amount}) must be less than or equal to the amount_capturable (${pi.amountCapturable}).`, {
        code: 'amount_too_large',
        param: 'amount_to_capture',
      });
    pi.amountReceived = amount;
    pi.amountCapturable = 0;
    pi.status = 'succeeded';
    intentEvent(pi);
    return answer(r, 200, intentJson(pi, (b.expand ?? []).includes('latest_charge')));
  }

  function cancel(r: RecordedRequest, pi: FakeIntent): FakeResponse {
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      return invalid(
        r,
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
        { code: 'payment_intent_unexpected_state' },
      );
    }
    pi.status = 'canceled';
    pi.amountCapturable = 0;
    intentEvent(pi);
    return answer(r, 200, intentJson(pi, false));
  }

  function refund(r: RecordedRequest, b: Record<string, any>): FakeResponse {
    const pi = intents.get(b.payment_intent);
    if (!pi) return invalid(r, `No such payment_intent: '${b.payment_intent}'`, { code: 'resource_missing', param: 'payment_intent' });
    if (pi.status !== 'succeeded')
      return invalid(r, `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, { code: 'charge_not_refundable' });
    const left = pi.amountReceived - pi.refunded;
    const amount = b.amount === undefined ? left : Number(b.amount);
    if (left === 0) return invalid(r, `Charge ${pi.chargeId} has already been refunded.`, { code: 'charge_already_refunded' });
    if (amount > left)
      return invalid(r, `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`, {
        code: 'amount_too_large',
        param: 'amount',
      });
    pi.refunded += amount;
    const re: FakeRefund = { id: rid('re'), paymentIntent: pi.id, amount, currency: pi.currency, metadata: b.metadata ?? {} };
    refunds.set(re.id, re);
    const json = stripeFixture('refund.json');
    Object.assign(json, {
      id: re.id,
      amount,
      currency: pi.currency,
      charge: pi.chargeId,
      payment_intent: pi.id,
      created: clock++,
      metadata: re.metadata,
      status: 'succeeded',
    });
    refundStatus.set(re.id, 'succeeded');
    notify('refund.created', json, true);
    return answer(r, 200, json);
  }

  function list(r: RecordedRequest, q: Record<string, any>): FakeResponse {
    const all = [...intents.values()].sort((a, b) => b.created - a.created);
    const limit = Math.min(Number(q.limit ?? 10), 100);
    const start = q.starting_after ? all.findIndex((x) => x.id === q.starting_after) + 1 : 0;
    const page = all.slice(start, start + limit);
    const expand = (q.expand ?? []).includes('data.latest_charge');
    return answer(r, 200, {
      object: 'list',
      url: '/v1/payment_intents',
      has_more: start + limit < all.length,
      data: page.map((pi) => intentJson(pi, expand)),
    });
  }

  function route(r: RecordedRequest): FakeResponse {
    const path = pathOf(r);
    const b = form(r);
    if (r.method === 'POST' && path === '/v1/payment_methods') return createPaymentMethod(r, b);
    if (r.method === 'POST' && path === '/v1/payment_intents') return createIntent(r, b);
    if (r.method === 'POST' && path === '/v1/refunds') return refund(r, b);
    if (r.method === 'GET' && path === '/v1/payment_intents') return list(r, b);
    const m = /^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel))?$/.exec(path);
    const pi = m && intents.get(decodeURIComponent(m[1]));
    if (m && !pi)
      return stripeError(r, 404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'intent',
        message: `No such payment_intent: '${m[1]}'`,
      });
    if (pi && r.method === 'GET' && !m![2]) return answer(r, 200, intentJson(pi, (b.expand ?? []).includes('latest_charge')));
    if (pi && r.method === 'POST' && m![2] === 'capture') return capture(r, pi, b);
    if (pi && r.method === 'POST' && m![2] === 'cancel') return cancel(r, pi);
    violations.push(`${r.method} ${path}: not an endpoint the fake serves`);
    return stripeError(r, 404, { type: 'invalid_request_error', message: `Unrecognized request URL (${r.method}: ${path}).` });
  }

  function handle(r: RecordedRequest): FakeResponse {
    const page = challengePage(r);
    if (page) return page;
    const auth = r.headers.authorization;
    if (auth !== `Bearer ${key}`) {
      return stripeError(r, 401, {
        type: 'invalid_request_error',
        message: `Invalid API Key provided: ${String(auth ?? '')
          .replace(/^Bearer /, '')
          .slice(0, 8)}****`,
      });
    }
    if (r.headers['stripe-version'] !== FAKE_STRIPE_VERSION)
      violations.push(`${r.method} ${r.path}: Stripe-Version is ${String(r.headers['stripe-version'])}, expected ${FAKE_STRIPE_VERSION}`);
    const scriptedError = errors.shift();
    if (scriptedError) return stripeError(r, scriptedError.status, scriptedError.error);

    const idemKey = r.headers['idempotency-key'] as string | undefined;
    if (r.method === 'POST') {
      const type = String(r.headers['content-type'] ?? '');
      if (!type.startsWith('application/x-www-form-urlencoded')) {
        violations.push(`${r.method} ${r.path}: content-type ${type}, Stripe takes application/x-www-form-urlencoded`);
        return invalid(r, 'Invalid request: bodies must be form-encoded');
      }
      const report = validator.request('POST', pathOf(r), form(r), 'application/x-www-form-urlencoded');
      if (!report.ok) {
        violations.push(`request ${r.method} ${pathOf(r)}: ${report.errors.slice(0, 5).join('; ')}`);
        return invalid(r, `Invalid request (spec): ${report.errors[0]}`);
      }
      if (!idemKey) violations.push(`${r.method} ${pathOf(r)} sent without an Idempotency-Key`);
      if (idemKey) {
        const fingerprint = `${r.method} ${pathOf(r)} ${r.body}`;
        const seen = idempotency.get(idemKey);
        if (seen && seen.fingerprint !== fingerprint) {
          return stripeError(r, 400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
          });
        }
        if (seen) return { ...seen.response, headers: { ...seen.response.headers, 'idempotent-replayed': 'true' } };
        const response = route(r);
        idempotency.set(idemKey, { fingerprint, response });
        return response;
      }
    } else {
      const problems = checkQuery(r);
      if (problems.length) {
        violations.push(...problems.map((p) => `request GET ${pathOf(r)}: ${p}`));
        return invalid(r, problems[0]);
      }
    }
    return route(r);
  }

  server = await startFakeServer(handle);
  const refundJson = (re: FakeRefund, status: string) => {
    const pi = intents.get(re.paymentIntent)!;
    const json = stripeFixture('refund.json');
    Object.assign(json, {
      id: re.id,
      amount: re.amount,
      currency: re.currency,
      charge: pi.chargeId,
      payment_intent: pi.id,
      created: clock++,
      metadata: re.metadata,
      status,
      ...(status === 'failed' && { failure_reason: 'expired_or_canceled_card' }),
    });
    return json;
  };
  return {
    disputes,
    failRefund(id) {
      const re = refunds.get(id);
      if (!re || refundStatus.get(id) !== 'succeeded') throw new Error(`fake Stripe: no succeeded refund ${id}`);
      refundStatus.set(id, 'failed');
      intents.get(re.paymentIntent)!.refunded -= re.amount;
      notify('refund.failed', refundJson(re, 'failed'), false);
    },
    dispute(piId, o = {}) {
      const pi = intents.get(piId);
      if (!pi) throw new Error(`fake Stripe: no payment intent ${piId}`);
      const d: FakeStripeDispute = {
        id: rid('dp'),
        paymentIntent: piId,
        amount: pi.amountReceived,
        reasonCode: o.reasonCode ?? '10.4',
        status: o.outcome ?? 'needs_response',
      };
      disputes.set(d.id, d);
      const at = now();
      const object = (status: string) => ({
        id: d.id,
        object: 'dispute',
        amount: d.amount,
        currency: pi.currency,
        charge: pi.chargeId,
        payment_intent: pi.id,
        reason: o.reason ?? 'fraudulent',
        status,
        is_charge_refundable: false,
        created: Math.floor(at / 1000),
        evidence_details: { due_by: Math.floor(at / 1000) + 14 * 86_400, has_evidence: false, past_due: false, submission_count: 0 },
        payment_method_details: {
          type: 'card',
          card: { brand: 'visa', network: 'visa', network_reason_code: d.reasonCode, case_type: 'chargeback' },
        },
        balance_transactions: [],
        metadata: {},
        livemode: false,
      });
      notify('charge.dispute.created', object('needs_response'), false, at);
      if (o.outcome) notify('charge.dispute.closed', object(o.outcome), false, at + 2_000);
      return d;
    },
    completeChallenge(piId, success) {
      const pi = intents.get(piId);
      if (!pi || pi.status !== 'requires_action') throw new Error(`fake Stripe: no payment intent ${piId} waiting for 3-D Secure`);
      if (success) {
        pi.networkTransactionId = digits(15);
        pi.authorizationCode = digits(6);
        if (pi.captureMethod === 'manual') {
          pi.status = 'requires_capture';
          pi.amountCapturable = pi.amount;
        } else {
          pi.status = 'succeeded';
          pi.amountReceived = pi.amount;
        }
      } else {
        pi.status = 'requires_payment_method';
        pi.lastError = {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'authentication_failed',
          message: 'The cardholder failed 3-D Secure.',
        };
      }
      intentEvent(pi, false);
    },
    url: server.url,
    requests: server.requests,
    violations,
    paymentMethods,
    intents,
    refunds,
    declineNext: (...d) => declines.push(...d),
    errorNext: (status, error) => errors.push({ status, error }),
    inject: (...f) => server.inject(...f),
    clearFaults: () => server.clearFaults(),
    form,
    get challengesAnswered() {
      return challengesAnswered;
    },
    calls: (path, method) =>
      server.requests.filter(
        (r) => (typeof path === 'string' ? pathOf(r) === path : path.test(pathOf(r))) && (!method || r.method === method),
      ),
    close: () => server.close(),
  };
}
