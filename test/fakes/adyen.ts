/**
 * A fake Adyen Checkout API v72 on loopback. Every request is checked against Adyen's published
 * OpenAPI description (body schema, path, the `X-API-Key` and `Idempotency-Key` headers the spec
 * declares); violations are collected in `violations` and answered 422, so a test that checks
 * `violations` fails. Answers are built from the adapter's fixtures (themselves spec examples)
 * and validated against the spec's response schemas before they are sent.
 *
 * It keeps its own books (`charges`), deduplicates by Idempotency-Key like Adyen, vaults cards
 * on `storePaymentMethod`, and can be scripted (`next`) to refuse with any refusal reason, ask
 * for 3-D Secure, stay pending, or answer an error; transport faults come from `server.inject`.
 */
import { randomBytes } from 'node:crypto';
import { seeded } from '../support/router';
import type { FakeWebhooks } from '../support/webhook-sender';
import { adyenBody } from '../support/webhook-signing';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startFakeServer, type FakeResponse, type FakeServer, type RecordedRequest } from '../support/fake-server';
import { openApiValidator } from '../support/openapi';
import { challengeHtml } from './challenge-page';

/** The spec every request and answer is checked against. */
export const ADYEN_SPEC = 'adyen-checkout-v72-payments.openapi.json';

const FIXTURES = resolve(__dirname, '../../adapters/adyen/fixtures');
/** Read one of the adapter's fixtures (a fresh copy). */
export function adyenFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(resolve(FIXTURES, `${name}.json`), 'utf8')) as T;
}

/**
 * Adyen's refusal reasons by `refusalReasonCode`
 * (https://docs.adyen.com/development-resources/refusal-reasons/).
 */
export const ADYEN_REFUSAL_REASONS: Readonly<Record<string, string>> = {
  '2': 'Refused',
  '3': 'Referral',
  '4': 'Acquirer Error',
  '5': 'Blocked Card',
  '6': 'Expired Card',
  '7': 'Invalid Amount',
  '8': 'Invalid Card Number',
  '9': 'Issuer Unavailable',
  '10': 'Not supported',
  '11': '3D Not Authenticated',
  '12': 'Not enough balance',
  '14': 'Acquirer Fraud',
  '15': 'Cancelled',
  '16': 'Shopper Cancelled',
  '17': 'Invalid Pin',
  '18': 'Pin tries exceeded',
  '19': 'Pin validation not possible',
  '20': 'FRAUD',
  '21': 'Not Submitted',
  '22': 'FRAUD-CANCELLED',
  '23': 'Transaction Not Permitted',
  '24': 'CVC Declined',
  '25': 'Restricted Card',
  '26': 'Revocation Of Auth',
  '27': 'Declined Non Generic',
  '28': 'Withdrawal amount exceeded',
  '29': 'Withdrawal count exceeded',
  '31': 'Issuer Suspected Fraud',
  '32': 'AVS Declined',
  '33': 'Card requires online pin',
  '34': 'No checking account available on Card',
  '35': 'No savings account available on Card',
  '36': 'Mobile pin required',
  '37': 'Contactless fallback',
  '38': 'Authentication required',
  '39': 'RReq not received from DS',
  '40': 'Current AID is in Penalty Box',
  '41': 'CVM Required Restart Payment',
  '42': '3DS Authentication Error',
  '43': 'Online PIN required',
  '44': 'Try another interface',
  '45': 'Chip downgrade mode',
  '46': 'Transaction blocked by Adyen to prevent excessive retry fees',
};

/**
 * Adyen test environment triggers: `paymentMethod.holderName` → refusalReasonCode
 * (https://docs.adyen.com/development-resources/testing/result-codes).
 */
const HOLDER_NAME_TRIGGERS: Readonly<Record<string, string>> = {
  DECLINED: '2',
  REFERRAL: '3',
  ERROR: '4',
  BLOCK_CARD: '5',
  CARD_EXPIRED: '6',
  INVALID_AMOUNT: '7',
  NOT_ENOUGH_BALANCE: '12',
};

/** A scripted answer to the next `/payments` request. */
export type AdyenScript =
  | {
      kind: 'refuse';
      code: string;
      raw?: string;
      advice?: string;
      resultCode?: 'Refused' | 'Cancelled' | 'Error';
      /** `additionalData.cvcResult` / `avsResult` (Adyen's numbered results, e.g. `2 Does not match`). */
      cvcResult?: string;
      avsResult?: string;
      /** Answer as older API versions do: `refusalReason` text only, no `refusalReasonCode`. */
      textOnly?: boolean;
    }
  | { kind: 'redirect' }
  /** A redirect to the fake's own challenge page, finished by `/payments/details`. */
  | { kind: 'challenge' }
  | { kind: 'identify' }
  | { kind: 'pending' }
  | { kind: 'error'; status: 400 | 401 | 403 | 422 | 500; fixture?: string };

/** A modification as the fake recorded it. */
export interface FakeAdyenModification {
  type: 'capture' | 'cancel' | 'refund';
  pspReference: string;
  reference?: string;
  value?: number;
  /** What the webhook would later report. */
  success: boolean;
}

/** A payment in the fake's books. Card data is kept as BIN + last four only. */
export interface FakeAdyenCharge {
  pspReference: string;
  reference: string;
  merchantOrderReference?: string;
  amount: { value: number; currency: string };
  captured: number;
  refunded: number;
  cancelled: boolean;
  card?: { bin: string; last4: string };
  shopperInteraction?: string;
  recurringProcessingModel?: string;
  shopperReference?: string;
  storedPaymentMethodId?: string;
  /** Token this payment was made with (rebills). */
  paidWithStoredPaymentMethodId?: string;
  networkTxReference?: string;
  /** `networkPaymentReference` sent on a rebill with the card. */
  networkPaymentReference?: string;
  mpiData?: Record<string, unknown>;
  modifications: FakeAdyenModification[];
}

/** A dispute in the fake's books (its stages were sent as webhooks). */
export interface FakeAdyenDispute {
  /** The dispute's pspReference (shared by all its stages). */
  pspReference: string;
  /** The disputed payment. */
  paymentPspReference: string;
  amount: number;
  reasonCode: string;
  status: 'needs_response' | 'won' | 'lost';
}

/** A running fake Adyen. */
export interface FakeAdyen {
  readonly url: string;
  readonly server: FakeServer;
  readonly charges: Map<string, FakeAdyenCharge>;
  readonly disputes: Map<string, FakeAdyenDispute>;
  /** Payments left Pending or waiting for the shopper's challenge, by pspReference. */
  readonly openPayments: ReadonlyMap<string, { reference: string }>;
  /**
   * Open a dispute on a payment: NOTIFICATION_OF_CHARGEBACK, then CHARGEBACK, then (with `outcome`)
   * CHARGEBACK_REVERSED (won) or SECOND_CHARGEBACK (lost), each a webhook.
   */
  dispute(paymentPspReference: string, o?: { outcome?: 'won' | 'lost'; reasonCode?: string; amount?: number }): FakeAdyenDispute;
  /** Finish a payment left Pending or waiting for the shopper's 3-D Secure challenge: AUTHORISATION webhook. */
  completePayment(pspReference: string, success: boolean): void;
  /** The uncaptured rest of an authorization expires: EXPIRE webhook. */
  expire(pspReference: string): void;
  /** Send one signed notification item as Adyen would (fields as in the Webhooks API). */
  notify(item: Record<string, any>, droppable?: boolean): void;
  /** Spec violations seen; a test must end with none. */
  readonly violations: string[];
  /** `/payments/details` calls that finished a challenge. */
  readonly detailsCalls: number;
  /** Script the next `/payments` answers (first in, first out); unscripted payments are authorised. */
  next(...scripts: AdyenScript[]): void;
  /**
   * A scheme transaction id another acquirer issued, known to the card network: the fake takes it
   * as `networkPaymentReference` (it refuses ids no network issued).
   */
  acceptNetworkReference(id: string): void;
  close(): Promise<void>;
}

const pspReference = () =>
  randomBytes(12)
    .toString('base64')
    .replace(/[^A-Z0-9]/gi, '')
    .toUpperCase()
    .padEnd(16, '7')
    .slice(0, 16);
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');

/** Start a fake Adyen for one merchant account and API key. */
export async function startFakeAdyen(
  opts: {
    apiKey?: string;
    merchantAccount?: string;
    /** Send the Standard webhook (AUTHORISATION, CAPTURE, CANCELLATION, REFUND, disputes…). */
    webhooks?: FakeWebhooks;
    /** Share of valid captures / refunds the acquirer rejects (the webhook says `success: false`). */
    failures?: { capture?: number; refund?: number; seed?: number };
  } = {},
): Promise<FakeAdyen> {
  const apiKey = opts.apiKey ?? 'test_api_key';
  const merchantAccount = opts.merchantAccount ?? 'SwitchyardECOM';
  const spec = openApiValidator(ADYEN_SPEC);
  const raw = spec.spec as any;
  const apiKeyHeader = String(raw.components.securitySchemes.ApiKeyAuth.name).toLowerCase();
  const idemParam = raw.components.parameters['Idempotency-Key'];
  const idemHeader = String(idemParam.name).toLowerCase();
  const idemMax = Number(/maximum of (\d+) characters/.exec(idemParam.description)?.[1] ?? 64);

  const charges = new Map<string, FakeAdyenCharge>();
  const vault = new Map<string, { shopperReference: string; networkTxReference?: string }>();
  const networkRefs = new Set<string>();
  const replies = new Map<string, { body: string; response: FakeResponse }>();
  const violations: string[] = [];
  const scripts: AdyenScript[] = [];
  const pendingAuth = new Map<string, { body: any; answered: boolean }>();
  const redirectResults = new Map<string, { psp: string; outcome: 'complete' | 'fail' }>();
  let detailsCalls = 0;
  let server: FakeServer;
  const disputes = new Map<string, FakeAdyenDispute>();
  const open = new Map<string, { reference: string; amount: { value: number; currency: string }; sale: boolean; body: any }>();
  const failRnd = seeded(opts.failures?.seed ?? 11);
  const clock = () => (opts.webhooks?.now ?? Date.now)();

  /** One signed item (Adyen retries until accepted; a payment's own result is never dropped). */
  function notify(item: Record<string, any>, droppable = false): void {
    const w = opts.webhooks;
    if (!w) return;
    const full = { merchantAccountCode: merchantAccount, eventDate: new Date(clock()).toISOString(), ...item };
    w.sender.send({
      body: adyenBody(w.secret, full),
      headers: { 'content-type': 'application/json' },
      event: `${item.eventCode}:${item.success}`,
      droppable,
    });
  }

  const json = (status: number, body: object): FakeResponse => ({ status, body });
  const violation = (rec: RecordedRequest, what: string): FakeResponse => {
    violations.push(`${rec.method} ${rec.path}: ${what}`);
    return json(422, { status: 422, errorCode: '000', message: `fake Adyen: ${what}`, errorType: 'validation' });
  };
  const errorFixture = (status: number, name = `error-${status}`): FakeResponse => json(status, adyenFixture(name));
  const refusal = (s: Extract<AdyenScript, { kind: 'refuse' }>, reference: string): object => {
    const body = adyenFixture('payment-refused');
    body.pspReference = pspReference();
    body.merchantReference = reference;
    body.resultCode = s.resultCode ?? (s.code === '4' ? 'Error' : 'Refused');
    body.refusalReasonCode = s.code;
    body.refusalReason = ADYEN_REFUSAL_REASONS[s.code] ?? 'Refused';
    if (s.raw) body.additionalData.refusalReasonRaw = s.raw;
    else delete body.additionalData.refusalReasonRaw;
    if (s.advice) body.additionalData.merchantAdviceCode = s.advice;
    if (s.cvcResult) {
      body.additionalData.cvcResult = s.cvcResult;
      delete body.additionalData.cvcResultRaw;
    }
    if (s.avsResult) body.additionalData.avsResult = s.avsResult;
    if (s.textOnly) delete body.refusalReasonCode;
    return body;
  };

  /** A payment waiting for the shopper's 3-D Secure (RedirectShopper), with the request that started it. */
  function redirectShopper(body: any): FakeResponse {
    const psp = pspReference();
    pendingAuth.set(psp, { body, answered: false });
    const r = adyenFixture('payment-redirect-shopper');
    r.pspReference = psp;
    r.additionalData.merchantReference = body.reference;
    r.action.url = `${server.url}/3ds/${psp}`;
    return json(200, r);
  }

  /** The issuer's challenge page behind the redirect action; its buttons send the shopper back to `returnUrl?redirectResult=…`. */
  function challengePage(rec: RecordedRequest): FakeResponse | undefined {
    const m = /^\/3ds\/([A-Z0-9]{16})$/.exec(rec.path.split('?')[0]);
    if (!m) return undefined;
    const pending = pendingAuth.get(m[1]);
    if (!pending) return { status: 404, body: 'no such challenge' };
    const html = { 'content-type': 'text/html; charset=utf-8' };
    if (rec.method === 'GET')
      return { status: 200, body: challengeHtml(`/3ds/${m[1]}`, pending.body.amount.value, pending.body.amount.currency), headers: html };
    const outcome = new URLSearchParams(rec.body).get('outcome') === 'complete' ? 'complete' : 'fail';
    const token = randomBytes(24).toString('base64url');
    redirectResults.set(token, { psp: m[1], outcome });
    const back = new URL(pending.body.returnUrl);
    back.searchParams.set('redirectResult', token);
    return { status: 303, body: '', headers: { location: back.toString(), 'content-type': 'text/plain' } };
  }

  /** `/payments/details`: the redirect's result finishes the payment under its own pspReference. */
  function details(rec: RecordedRequest, body: any): FakeResponse {
    const token = body.details?.redirectResult;
    const result = typeof token === 'string' ? redirectResults.get(token) : undefined;
    if (!result) return json(422, { status: 422, errorCode: '14_018', message: 'Invalid payload provided', errorType: 'validation' });
    const pending = pendingAuth.get(result.psp)!;
    if (pending.answered)
      return json(422, { status: 422, errorCode: '14_002', message: 'Invalid payload provided', errorType: 'validation' });
    pending.answered = true;
    detailsCalls++;
    if (result.outcome === 'fail') {
      const refused = refusal({ kind: 'refuse', code: '11' }, pending.body.reference) as Record<string, unknown>;
      return json(200, { ...refused, pspReference: result.psp });
    }
    return authorise(rec, pending.body, result.psp);
  }

  function payment(rec: RecordedRequest, body: any): FakeResponse {
    const pm = body.paymentMethod ?? {};
    const trigger = HOLDER_NAME_TRIGGERS[pm.holderName as string];
    const script: AdyenScript | undefined = scripts.shift() ?? (trigger ? { kind: 'refuse', code: trigger } : undefined);
    if (!script && body.authenticationData?.attemptAuthentication === 'always' && !body.mpiData) return redirectShopper(body);
    if (script?.kind === 'challenge') return redirectShopper(body);
    if (script?.kind === 'refuse') return json(200, refusal(script, body.reference));
    if (script?.kind === 'error') return errorFixture(script.status, script.fixture);
    const remember = (psp: string) =>
      open.set(psp, { reference: body.reference, amount: { ...body.amount }, sale: body.captureDelayHours === 0, body });
    if (script?.kind === 'pending') {
      const psp = pspReference();
      remember(psp);
      return json(200, { pspReference: psp, resultCode: 'Pending', merchantReference: body.reference });
    }
    if (script?.kind === 'redirect' || script?.kind === 'identify') {
      const r = adyenFixture(script.kind === 'redirect' ? 'payment-redirect-shopper' : 'payment-identify-shopper');
      if (script.kind === 'redirect') {
        r.pspReference = pspReference();
        r.additionalData.merchantReference = body.reference;
        remember(r.pspReference);
      }
      return json(200, r);
    }

    // Stored-credential rules a real acquirer enforces.
    if (pm.storedPaymentMethodId) {
      const token = vault.get(pm.storedPaymentMethodId);
      if (!token || token.shopperReference !== body.shopperReference) {
        return json(422, {
          status: 422,
          errorType: 'validation',
          message: 'fake Adyen: no stored payment method for this shopperReference',
        });
      }
      if (!body.recurringProcessingModel) return violation(rec, 'a stored payment method needs recurringProcessingModel');
    }
    if (pm.networkPaymentReference && !networkRefs.has(pm.networkPaymentReference))
      return violation(rec, `unknown networkPaymentReference ${pm.networkPaymentReference}`);
    if (body.storePaymentMethod && !body.shopperReference) return violation(rec, 'storePaymentMethod needs a shopperReference');
    if (body.shopperInteraction === 'ContAuth' && pm.cvc) return violation(rec, 'merchant-initiated (ContAuth) payments carry no CVC');
    return authorise(rec, body, pspReference());
  }

  /** Authorise a payment: books, vault, network reference. */
  function authorise(_rec: RecordedRequest, body: any, psp: string): FakeResponse {
    const pm = body.paymentMethod ?? {};
    const tokenized = body.storePaymentMethod === true;
    const r = adyenFixture(tokenized ? 'payment-authorised-tokenized' : 'payment-authorised');
    r.pspReference = psp;
    r.merchantReference = body.reference;
    r.additionalData.authCode = digits(6);
    const ntid = pm.storedPaymentMethodId
      ? vault.get(pm.storedPaymentMethodId)!.networkTxReference
      : (pm.networkPaymentReference ?? digits(15));
    if (ntid) {
      r.additionalData.networkTxReference = ntid;
      networkRefs.add(ntid);
    }
    let storedId: string | undefined;
    if (tokenized) {
      storedId = pspReference();
      vault.set(storedId, { shopperReference: body.shopperReference, networkTxReference: ntid });
      r.additionalData['tokenization.storedPaymentMethodId'] = storedId;
      r.additionalData['tokenization.shopperReference'] = body.shopperReference;
    }
    if (body.recurringProcessingModel) r.additionalData.recurringProcessingModel = body.recurringProcessingModel;
    const number = typeof pm.number === 'string' ? pm.number : undefined;
    charges.set(psp, {
      pspReference: psp,
      reference: body.reference,
      merchantOrderReference: body.merchantOrderReference,
      amount: { ...body.amount },
      captured: body.captureDelayHours === 0 ? body.amount.value : 0,
      refunded: 0,
      cancelled: false,
      ...(number && { card: { bin: number.slice(0, 6), last4: number.slice(-4) } }),
      shopperInteraction: body.shopperInteraction,
      recurringProcessingModel: body.recurringProcessingModel,
      shopperReference: body.shopperReference,
      storedPaymentMethodId: storedId,
      paidWithStoredPaymentMethodId: pm.storedPaymentMethodId,
      networkTxReference: ntid,
      networkPaymentReference: pm.networkPaymentReference,
      mpiData: body.mpiData,
      modifications: [],
    });
    notify({
      pspReference: psp,
      merchantReference: body.reference,
      amount: body.amount,
      eventCode: 'AUTHORISATION',
      success: 'true',
      paymentMethod: 'visa',
    });
    return json(200, r);
  }

  function modification(rec: RecordedRequest, type: FakeAdyenModification['type'], psp: string, body: any): FakeResponse {
    const charge = charges.get(psp);
    if (!charge) return json(422, { status: 422, errorType: 'validation', message: 'fake Adyen: unknown paymentPspReference' });
    if (body.amount && body.amount.currency !== charge.amount.currency)
      return violation(rec, `currency ${body.amount.currency} differs from the payment's ${charge.amount.currency}`);
    const value: number | undefined = body.amount?.value;
    let success: boolean;
    // The acquirer's later verdict: some valid captures and refunds fail (the webhook tells).
    const rejected = (rate?: number) => rate !== undefined && failRnd() < rate;
    if (type === 'capture') {
      success = !charge.cancelled && value! <= charge.amount.value - charge.captured && !rejected(opts.failures?.capture);
      if (success) charge.captured += value!;
    } else if (type === 'cancel') {
      success = !charge.cancelled && charge.captured === 0;
      if (success) charge.cancelled = true;
    } else {
      success = value! <= charge.captured - charge.refunded && !rejected(opts.failures?.refund);
      if (success) charge.refunded += value!;
    }
    const r = adyenFixture(type === 'capture' ? 'capture-received' : type === 'cancel' ? 'cancel-received' : 'refund-received');
    r.merchantAccount = body.merchantAccount;
    r.paymentPspReference = psp;
    r.pspReference = pspReference();
    if (body.reference) r.reference = body.reference;
    else delete r.reference;
    if (body.amount) r.amount = body.amount;
    charge.modifications.push({ type, pspReference: r.pspReference, reference: body.reference, value, success });
    notify({
      pspReference: r.pspReference,
      originalReference: psp,
      merchantReference: body.reference,
      amount: body.amount ?? charge.amount,
      eventCode: type === 'capture' ? 'CAPTURE' : type === 'cancel' ? 'CANCELLATION' : 'REFUND',
      success: String(success),
      ...(!success && { reason: type === 'refund' ? 'Refund rejected by the acquirer' : 'Modification rejected by the acquirer' }),
    });
    return json(201, r);
  }

  function handle(rec: RecordedRequest): FakeResponse {
    const page = challengePage(rec);
    if (page) return page;
    if (rec.method !== 'POST') return violation(rec, `${rec.method} is not an operation of the spec`);
    const template = spec.match(rec.path);
    if (!template) return violation(rec, 'no path of the spec matches');
    if (rec.headers[apiKeyHeader] !== apiKey) return errorFixture(401);
    const key = rec.headers[idemHeader];
    if (typeof key !== 'string' || key.length === 0 || key.length > idemMax)
      return violation(rec, `${idemParam.name} header missing or longer than ${idemMax}`);
    if (!String(rec.headers['content-type'] ?? '').startsWith('application/json'))
      return violation(rec, 'content-type is not application/json');
    const seen = replies.get(key);
    if (seen) return seen.body === rec.body ? seen.response : violation(rec, `${idemParam.name} ${key} reused for a different request`);

    let body: any;
    try {
      body = JSON.parse(rec.body);
    } catch {
      return violation(rec, 'body is not JSON');
    }
    const report = spec.request('POST', rec.path, body);
    if (!report.ok) return violation(rec, report.errors.join('; '));
    // /payments/details names no merchant account: Adyen finds the payment from the result itself.
    if (template !== '/payments/details' && body.merchantAccount !== merchantAccount) return errorFixture(403);

    const psp = decodeURIComponent(rec.path.split('/')[2] ?? '');
    const response =
      template === '/payments'
        ? payment(rec, body)
        : template === '/payments/details'
          ? details(rec, body)
          : template.endsWith('/captures')
            ? modification(rec, 'capture', psp, body)
            : template.endsWith('/cancels')
              ? modification(rec, 'cancel', psp, body)
              : template.endsWith('/refunds')
                ? modification(rec, 'refund', psp, body)
                : violation(rec, `${template} is not used by the adapter`);
    const check = spec.response('POST', rec.path, response.status, response.body);
    if (!check.ok) violations.push(`answer to ${rec.path} is not spec-valid: ${check.errors.join('; ')}`);
    if (response.status < 500) replies.set(key, { body: rec.body, response });
    return response;
  }

  server = await startFakeServer(handle);
  return {
    url: server.url,
    server,
    charges,
    disputes,
    openPayments: open,
    violations,
    get detailsCalls() {
      return detailsCalls;
    },
    next: (...s) => scripts.push(...s),
    acceptNetworkReference: (id) => networkRefs.add(id),
    notify,
    dispute(paymentPsp, o = {}) {
      const charge = charges.get(paymentPsp);
      if (!charge) throw new Error(`fake Adyen: no payment ${paymentPsp}`);
      const d: FakeAdyenDispute = {
        pspReference: pspReference(),
        paymentPspReference: paymentPsp,
        amount: o.amount ?? charge.captured,
        reasonCode: o.reasonCode ?? '10.4',
        status: o.outcome ?? 'needs_response',
      };
      disputes.set(d.pspReference, d);
      const stage = (eventCode: string, disputeStatus: string, at: number) =>
        notify({
          pspReference: d.pspReference,
          originalReference: paymentPsp,
          merchantReference: charge.reference,
          amount: { value: d.amount, currency: charge.amount.currency },
          eventCode,
          eventDate: new Date(clock() + at).toISOString(),
          success: 'true',
          reason: 'Other Fraud-Card Absent',
          additionalData: { chargebackReasonCode: ` ${d.reasonCode}`, chargebackSchemeCode: 'visa', disputeStatus },
        });
      stage('NOTIFICATION_OF_CHARGEBACK', 'Unresponded', 0);
      stage('CHARGEBACK', 'Unresponded', 1_000);
      if (o.outcome === 'won') stage('CHARGEBACK_REVERSED', 'Won', 2_000);
      if (o.outcome === 'lost') stage('SECOND_CHARGEBACK', 'Lost', 2_000);
      return d;
    },
    completePayment(psp, success) {
      const p = open.get(psp);
      if (!p) throw new Error(`fake Adyen: no open payment ${psp}`);
      open.delete(psp);
      if (success) {
        charges.set(psp, {
          pspReference: psp,
          reference: p.reference,
          amount: p.amount,
          captured: p.sale ? p.amount.value : 0,
          refunded: 0,
          cancelled: false,
          modifications: [],
        });
      }
      notify({
        pspReference: psp,
        merchantReference: p.reference,
        amount: p.amount,
        eventCode: 'AUTHORISATION',
        success: String(success),
        ...(!success && { reason: 'Refused' }),
      });
    },
    expire(psp) {
      const c = charges.get(psp);
      if (!c) throw new Error(`fake Adyen: no payment ${psp}`);
      c.cancelled = c.captured === 0;
      notify({
        pspReference: pspReference(),
        originalReference: psp,
        merchantReference: c.reference,
        amount: { value: c.amount.value - c.captured, currency: c.amount.currency },
        eventCode: 'EXPIRE',
        success: 'true',
      });
    },
    close: () => server.close(),
  };
}
