/**
 * A fake Checkout.com (NAS 2022-07) on loopback. Every request is checked against
 * `checkoutcom-nas-2022-07-payments.openapi.json` by the shared validator (the spec's own schemas,
 * `source` discriminator mappings included); every answer is built
 * from `adapters/checkout/fixtures/` and checked against the spec before it is sent. Violations
 * are collected in `violations` (tests assert it stays empty) and the request is answered 422.
 * The fake keeps its own books (`payments`), replays answers by `Cko-Idempotency-Key`, and can
 * be told to decline with any code, ask for 3-D Secure, approve partially, or fail (`inject`).
 */
import { randomBytes } from 'node:crypto';
import { seeded } from '../support/router';
import type { FakeWebhooks } from '../support/webhook-sender';
import { checkoutSignature } from '../support/webhook-signing';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startFakeServer, type Fault, type FakeResponse, type FakeServer, type RecordedRequest } from '../support/fake-server';
import { openApiValidator } from '../support/openapi';
import { challengeHtml } from './challenge-page';

/** The spec file every request and answer is checked against. */
export const CHECKOUT_SPEC = 'derived/checkoutcom-nas-2022-07-payments.facts.json';
const FIXTURES = resolve(__dirname, '../../adapters/checkout/fixtures');

/** Read one fixture (a fresh copy each time). */
export function checkoutFixture<T = Record<string, any>>(name: string): T {
  return JSON.parse(readFileSync(resolve(FIXTURES, `${name}.json`), 'utf8')) as T;
}

/** What the next `POST /payments` should answer. */
export type CheckoutOutcome =
  | {
      type: 'decline';
      code: string;
      summary: string;
      recommendation?: string;
      /** `source.cvv_check` / `source.avs_check` of the declined payment (Checkout.com's codes: D = CVV mismatch, N = AVS no match). */
      cvv?: string;
      avs?: string;
    }
  /** Answer HTTP 422 `request_invalid` with these `error_codes` (a validation error, nothing charged). */
  | { type: 'invalid'; codes: string[] }
  | { type: 'threeDS' }
  | { type: 'partial'; amount: number };

/** One payment in the fake's books (no PAN, no CVV). */
export interface FakeCheckoutPayment {
  id: string;
  reference: string;
  amount: number;
  currency: string;
  status: 'Authorized' | 'Card Verified' | 'Declined' | 'Pending' | 'Voided';
  captured: number;
  refunded: number;
  voided: boolean;
  paymentType?: string;
  merchantInitiated?: boolean;
  previousPaymentId?: string;
  sourceType: string;
  sourceStored?: boolean;
  schemeId: string;
  sourceId: string;
  responseCode: string;
  /** 3-D Secure: the payment session id of the return, and where the cardholder goes back. */
  sessionId?: string;
  capture?: boolean;
  successUrl?: string;
  failureUrl?: string;
}

/** One action of a payment (what `GET /payments/{id}/actions` lists). */
export interface FakeCheckoutAction {
  id: string;
  type: 'Authorization' | 'Card Verification' | 'Capture' | 'Refund' | 'Void';
  amount: number;
  approved: boolean;
  reference?: string;
  response_code: string;
  response_summary: string;
  processed_on: string;
}

/** A dispute in the fake's books (its stages were sent as webhooks). */
export interface FakeCheckoutDispute {
  id: string;
  paymentId: string;
  amount: number;
  reasonCode: string;
  status: 'needs_response' | 'won' | 'lost';
}

/** A running fake Checkout.com. */
export interface CheckoutFake {
  /** Actions of each payment, oldest first. */
  readonly actions: Map<string, FakeCheckoutAction[]>;
  readonly disputes: Map<string, FakeCheckoutDispute>;
  /** Open a dispute: `dispute_received`, `dispute_evidence_required`, then (with `outcome`) `dispute_won` / `dispute_lost` webhooks. */
  dispute(paymentId: string, o?: { outcome?: 'won' | 'lost'; reasonCode?: string; category?: string }): FakeCheckoutDispute;
  /** Finish a payment left Pending (3-D Secure): `payment_approved` or `payment_declined` webhook. */
  completePayment(paymentId: string, approved: boolean): void;
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Spec violations seen in requests or answers; a test should end with none. */
  readonly violations: string[];
  readonly payments: Map<string, FakeCheckoutPayment>;
  /** Answers replayed from the idempotency store instead of being processed again. */
  readonly replays: number;
  /** Challenges the challenge page finished. */
  readonly challengesAnswered: number;
  /** Queue outcomes for the next payments (first in, first out); default: approve. */
  next(...outcomes: CheckoutOutcome[]): void;
  /** Queue transport faults (time out, reset, 5xx, malformed, truncated). */
  inject(...faults: Fault[]): void;
  /** Drop the faults still queued. */
  clearFaults(): number;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(20).toString('hex').slice(0, 26)}`;
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');

/** Start a fake Checkout.com that accepts `secretKey`. */
export async function startCheckoutFake(options: {
  secretKey: string;
  /** Send payment and dispute webhooks. Action outcomes can also be read with `GET /payments/{id}/actions`: those are droppable. */
  webhooks?: FakeWebhooks;
  /** Share of valid captures / refunds the acquirer declines (decided later: the webhook or the actions list says). */
  failures?: { capture?: number; refund?: number; seed?: number };
}): Promise<CheckoutFake> {
  const api = openApiValidator(CHECKOUT_SPEC);
  const violations: string[] = [];
  const payments = new Map<string, FakeCheckoutPayment>();
  const idempotent = new Map<string, FakeResponse>();
  const outcomes: CheckoutOutcome[] = [];
  let replays = 0;
  let challenges = 0;
  let server: FakeServer;
  const actions = new Map<string, FakeCheckoutAction[]>();
  const disputes = new Map<string, FakeCheckoutDispute>();
  const failRnd = seeded(options.failures?.seed ?? 13);
  const clock = () => (options.webhooks?.now ?? Date.now)();
  const iso = (at = clock()) => new Date(at).toISOString();

  /** One signed event, as Checkout.com's workflows send it. */
  function notify(type: string, data: Record<string, unknown>, droppable: boolean, at = clock()): void {
    const w = options.webhooks;
    if (!w) return;
    const evt = id('evt');
    const body = JSON.stringify({
      id: evt,
      type,
      version: '1.0.33',
      created_on: iso(at),
      data,
      _links: { self: linkTo(`/workflows/events/${evt}`) },
    });
    w.sender.send({
      body,
      headers: { 'content-type': 'application/json', 'cko-signature': checkoutSignature(w.secret, body) },
      event: type,
      droppable,
    });
  }
  function act(p: FakeCheckoutPayment, a: Omit<FakeCheckoutAction, 'id' | 'processed_on'>): FakeCheckoutAction {
    const action = { id: id('act'), processed_on: iso(), ...a };
    actions.set(p.id, [...(actions.get(p.id) ?? []), action]);
    return action;
  }
  const paymentData = (p: FakeCheckoutPayment, action: FakeCheckoutAction) => ({
    id: p.id,
    action_id: action.id,
    reference: p.reference,
    amount: action.amount,
    currency: p.currency,
    response_code: action.response_code,
    response_summary: action.response_summary,
    processed_on: action.processed_on,
  });

  const linkTo = (path: string) => ({ href: `${server.url}${path}` });
  const invalid = (errors: string[], where: string): FakeResponse => {
    violations.push(...errors.map((e) => `${where}: ${e}`));
    const body = checkoutFixture('validation-error');
    body.error_codes = ['request_invalid'];
    return { status: 422, body };
  };

  /** Check an answer against the spec before sending it. */
  function answer(method: string, path: string, res: FakeResponse, component?: string): FakeResponse {
    if (res.status === 401 || res.status === 403 || res.status === 404) return res;
    const errors = component ? api.component(component, res.body).errors : api.response(method, path, res.status, res.body).errors;
    violations.push(...errors.map((e) => `answer to ${method} ${path}: ${e}`));
    return res;
  }

  function createPayment(body: any): FakeResponse {
    // An instrument this account never issued (another gateway's token, another account's src_) is refused.
    if (body.source.type === 'id' && ![...payments.values()].some((p) => p.sourceId === body.source.id)) {
      const res = checkoutFixture('validation-error');
      res.error_codes = ['source_id_invalid'];
      return { status: 422, body: res };
    }
    const outcome = outcomes.shift();
    if (outcome?.type === 'invalid') {
      const res = checkoutFixture('validation-error');
      res.error_codes = outcome.codes;
      return { status: 422, body: res };
    }
    const pay = id('pay');
    const base: FakeCheckoutPayment = {
      id: pay,
      reference: body.reference,
      amount: body.amount ?? 0,
      currency: body.currency,
      status: 'Authorized',
      captured: 0,
      refunded: 0,
      voided: false,
      paymentType: body.payment_type,
      merchantInitiated: body.merchant_initiated,
      previousPaymentId: body.previous_payment_id,
      sourceType: body.source.type,
      sourceStored: body.source.stored,
      schemeId: digits(15),
      responseCode: '10000',
      sourceId: body.source.type === 'id' ? body.source.id : id('src'),
    };
    const asked = body['3ds']?.enabled === true && !body['3ds'].cryptogram && !body.merchant_initiated;
    if (outcome?.type === 'threeDS' || (asked && !outcome)) {
      base.status = 'Pending';
      Object.assign(base, {
        sessionId: id('sid'),
        capture: body.capture !== false,
        successUrl: body.success_url,
        failureUrl: body.failure_url,
      });
      payments.set(pay, base);
      const res = checkoutFixture('payment-pending-3ds');
      Object.assign(res, { id: pay, reference: body.reference });
      res._links = { self: linkTo(`/payments/${pay}`), redirect: { href: `${server.url}/3ds/${pay}` } };
      return { status: 202, body: res };
    }
    const declined = outcome?.type === 'decline';
    const res = checkoutFixture(declined ? 'payment-declined' : 'payment-authorized');
    const card = body.source.type === 'card' ? body.source : undefined;
    const verify = !body.amount;
    const amount = outcome?.type === 'partial' ? outcome.amount : base.amount;
    base.amount = amount;
    Object.assign(res, {
      id: pay,
      action_id: id('act'),
      amount,
      currency: body.currency,
      reference: body.reference,
      processed_on: new Date().toISOString(),
    });
    Object.assign(res.source, {
      id: base.sourceId,
      ...(card && {
        bin: card.number.slice(0, 6),
        last4: card.number.slice(-4),
        expiry_month: card.expiry_month,
        expiry_year: card.expiry_year,
      }),
    });
    if (!card?.name) delete res.source.name;
    if (declined) {
      base.status = 'Declined';
      base.responseCode = outcome.code;
      Object.assign(res, { response_code: outcome.code, response_summary: outcome.summary });
      if (outcome.recommendation) res.processing = { recommendation_code: outcome.recommendation };
      else delete res.processing;
      if (outcome.cvv) res.source.cvv_check = outcome.cvv;
      if (outcome.avs) res.source.avs_check = outcome.avs;
    } else {
      base.status = verify ? 'Card Verified' : 'Authorized';
      if (body.capture !== false && !verify) base.captured = amount;
      if (outcome?.type === 'partial') Object.assign(res, { response_code: '10010', response_summary: 'Partial Value Approved' });
      Object.assign(res, { status: base.status, scheme_id: base.schemeId });
    }
    res._links = { self: linkTo(`/payments/${pay}`), actions: linkTo(`/payments/${pay}/actions`) };
    payments.set(pay, base);
    const auth = act(base, {
      type: verify ? 'Card Verification' : 'Authorization',
      amount,
      approved: !declined,
      reference: body.reference,
      response_code: base.responseCode,
      response_summary: declined ? outcome.summary : 'Approved',
    });
    // Checkout.com cannot be asked by our reference: a payment whose answer was lost learns its outcome here only.
    notify(declined ? 'payment_declined' : verify ? 'card_verified' : 'payment_approved', paymentData(base, auth), false);
    if (!declined && base.captured > 0) {
      const cap = act(base, {
        type: 'Capture',
        amount,
        approved: true,
        reference: body.reference,
        response_code: '10000',
        response_summary: 'Approved',
      });
      notify('payment_captured', paymentData(base, cap), false);
    }
    return { status: 201, body: res };
  }

  function action(kind: 'captures' | 'voids' | 'refunds', payId: string, body: any): FakeResponse {
    const p = payments.get(payId);
    if (!p) return { status: 404, body: '' };
    const notAllowed: FakeResponse = { status: 403, body: '' };
    if (p.status !== 'Authorized' || p.voided) return notAllowed;
    const amount = body.amount ?? (kind === 'captures' ? p.amount - p.captured : p.captured - p.refunded);
    // Accepted now (202), decided by the acquirer: a valid capture or refund may still be declined.
    const rejected = (rate?: number) => rate !== undefined && failRnd() < rate;
    let approved = true;
    if (kind === 'captures') {
      if (amount > p.amount - p.captured) return notAllowed;
      approved = !rejected(options.failures?.capture);
      if (approved) p.captured += amount;
    } else if (kind === 'voids') {
      if (p.captured > 0) return notAllowed;
      p.voided = true;
      p.status = 'Voided';
    } else {
      if (amount > p.captured - p.refunded) return notAllowed;
      approved = !rejected(options.failures?.refund);
      if (approved) p.refunded += amount;
    }
    const type = kind === 'captures' ? 'Capture' : kind === 'voids' ? 'Void' : 'Refund';
    const a = act(p, {
      type,
      amount: kind === 'voids' ? p.amount : amount,
      approved,
      ...(body.reference && { reference: body.reference }),
      response_code: approved ? '10000' : '20005',
      response_summary: approved ? 'Approved' : 'Declined - Do Not Honour',
    });
    const event = {
      Capture: approved ? 'payment_captured' : 'payment_capture_declined',
      Void: 'payment_voided',
      Refund: approved ? 'payment_refunded' : 'payment_refund_declined',
    }[type];
    notify(event, paymentData(p, a), true);
    const res = checkoutFixture('action-accepted');
    Object.assign(res, { action_id: a.id, _links: { payment: linkTo(`/payments/${payId}`) } });
    if (body.reference) res.reference = body.reference;
    else delete res.reference;
    return { status: 202, body: res };
  }

  /**
   * The issuer's challenge page behind `_links.redirect`: complete → the payment is authorized
   * (captured for a sale) and the cardholder goes to `success_url`; fail → Declined 20151 and
   * `failure_url`; both with `?cko-session-id=sid_…`, as Checkout.com does.
   */
  function challengePage(req: RecordedRequest): FakeResponse | undefined {
    const m = /^\/3ds\/(pay_\w{26})$/.exec(req.path.split('?')[0]);
    if (!m) return undefined;
    const p = payments.get(m[1]);
    if (!p) return { status: 404, body: 'no such challenge' };
    const html = { 'content-type': 'text/html; charset=utf-8' };
    if (req.method === 'GET') return { status: 200, body: challengeHtml(`/3ds/${p.id}`, p.amount, p.currency), headers: html };
    const complete = new URLSearchParams(req.body).get('outcome') === 'complete';
    if (p.status === 'Pending') {
      challenges++;
      if (complete) {
        p.status = 'Authorized';
        if (p.capture) p.captured = p.amount;
      } else {
        p.status = 'Declined';
        p.responseCode = '20151';
      }
    }
    const to = complete ? p.successUrl : p.failureUrl;
    if (!to) return { status: 200, body: '<!doctype html><p>done</p>', headers: html };
    const back = new URL(to);
    back.searchParams.set('cko-session-id', p.sessionId!);
    return { status: 303, body: '', headers: { location: back.toString(), 'content-type': 'text/plain' } };
  }

  function actionsOf(payId: string): FakeResponse {
    const list = actions.get(payId);
    if (!payments.has(payId) || !list) return { status: 404, body: '' };
    return { status: 200, body: [...list].reverse() };
  }

  function details(ref: string): FakeResponse {
    const payId = ref.startsWith('sid_') ? [...payments.values()].find((x) => x.sessionId === ref)?.id : ref;
    const p = payId ? payments.get(payId) : undefined;
    if (!p) return { status: 404, body: '' };
    const res = checkoutFixture('payment-details');
    Object.assign(res, {
      id: p.id,
      amount: p.amount,
      currency: p.currency,
      reference: p.reference,
      status: p.status,
      approved: p.status !== 'Declined' && p.status !== 'Pending',
      scheme_id: p.schemeId,
      payment_type: p.paymentType ?? 'Regular',
    });
    res.source.id = p.sourceId;
    res._links = { self: linkTo(`/payments/${p.id}`), actions: linkTo(`/payments/${p.id}/actions`) };
    if (p.status === 'Declined')
      res.actions = [{ id: id('act'), type: 'Authorization', response_code: p.responseCode, response_summary: 'Declined' }];
    return { status: 200, body: res };
  }

  function handle(req: RecordedRequest): FakeResponse {
    const page = challengePage(req);
    if (page) return page;
    if (req.headers.authorization !== `Bearer ${options.secretKey}`) return { status: 401, body: '' };
    const path = req.path.split('?')[0];
    const template = api.match(path);
    if (!template) return invalid([`no path in the spec matches ${path}`], `${req.method} ${path}`);
    if (req.method === 'GET') {
      if (template === '/payments/{id}/actions') return answer('GET', path, actionsOf(path.split('/')[2]));
      if (template !== '/payments/{id}') return invalid([`GET ${template} is not served by this fake`], `GET ${path}`);
      // A payment matches both schemas of the spec's oneOf (PaymentDetails, PayoutDetails) when it has
      // no payout-only field set apart: check the one it is.
      return answer('GET', path, details(path.split('/')[2]), 'PaymentDetails');
    }
    let body: any;
    try {
      body = JSON.parse(req.body);
    } catch {
      return invalid(['body is not JSON'], `${req.method} ${path}`);
    }
    if (req.headers['content-type'] !== 'application/json')
      violations.push(`${req.method} ${path}: content-type ${req.headers['content-type']}`);
    const errors = api.request(req.method, path, body).errors;
    if (errors.length) return invalid(errors, `${req.method} ${path}`);

    const key = req.headers['cko-idempotency-key'];
    const idemKey = typeof key === 'string' ? `${path} ${key}` : undefined;
    const seen = idemKey ? idempotent.get(idemKey) : undefined;
    if (seen) {
      replays++;
      return seen;
    }
    let res: FakeResponse;
    if (template === '/payments') {
      const created = createPayment(body);
      // A 202 Pending payment matches both schemas of the spec's oneOf; check the one it is.
      res = answer('POST', path, created, created.status === 202 ? 'PaymentAcceptedResponse' : undefined);
    } else {
      const [, , payId, kind] = path.split('/');
      res = answer('POST', path, action(kind as 'captures' | 'voids' | 'refunds', payId, body));
    }
    if (idemKey) idempotent.set(idemKey, res);
    return res;
  }

  server = await startFakeServer(handle);

  return {
    get url() {
      return server.url;
    },
    get requests() {
      return server.requests;
    },
    violations,
    payments,
    get replays() {
      return replays;
    },
    get challengesAnswered() {
      return challenges;
    },
    actions,
    disputes,
    next: (...o) => outcomes.push(...o),
    dispute(payId, o = {}) {
      const p = payments.get(payId);
      if (!p) throw new Error(`fake Checkout.com: no payment ${payId}`);
      const d: FakeCheckoutDispute = {
        id: id('dsp'),
        paymentId: payId,
        amount: p.captured,
        reasonCode: o.reasonCode ?? '10.4',
        status: o.outcome ?? 'needs_response',
      };
      disputes.set(d.id, d);
      const at = clock();
      const data = (extra: Record<string, unknown> = {}) => ({
        id: d.id,
        category: o.category ?? 'fraudulent',
        amount: d.amount,
        currency: p.currency,
        reason_code: d.reasonCode,
        payment_id: p.id,
        payment_reference: p.reference,
        payment_method: 'VISA',
        evidence_required_by: iso(at + 14 * 86_400_000),
        date: iso(at),
        ...extra,
      });
      notify('dispute_received', data(), false, at);
      notify('dispute_evidence_required', data(), false, at + 1_000);
      if (o.outcome) notify(o.outcome === 'won' ? 'dispute_won' : 'dispute_lost', data(), false, at + 2_000);
      return d;
    },
    completePayment(payId, approved) {
      const p = payments.get(payId);
      if (!p || p.status !== 'Pending') throw new Error(`fake Checkout.com: no pending payment ${payId}`);
      p.status = approved ? 'Authorized' : 'Declined';
      if (!approved) p.responseCode = '20005';
      const a = act(p, {
        type: 'Authorization',
        amount: p.amount,
        approved,
        reference: p.reference,
        response_code: p.responseCode,
        response_summary: approved ? 'Approved' : 'Declined',
      });
      notify(approved ? 'payment_approved' : 'payment_declined', paymentData(p, a), false);
    },
    inject: (...f) => server.inject(...f),
    clearFaults: () => server.clearFaults(),
    close: () => server.close(),
  };
}
