/**
 * A fake Authorize.Net JSON API on loopback. Every request is checked against the published XSD
 * (element names, sequence order, occurrences, facets) with `test/support/xsd-order.ts`; a
 * violation is recorded in `violations` (tests assert it stays empty) and answered the way the
 * real API does (E00003). Answers are built from the adapter's fixtures (real response shapes,
 * UTF-8 byte-order mark included), checked against the XSD too, and the fake keeps its own books:
 * authorizations, captures, voids, refunds, settlement, the duplicate window.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startFakeServer, type FakeServer, type RecordedRequest, type FakeResponse } from '../support/fake-server';
import { ANET_XSD_FACTS, loadXsdChecker } from '../support/xsd-order';
import { fromDecimalString, toDecimalString } from '../../src/money';
import { randomUUID } from 'node:crypto';
import type { FakeWebhooks } from '../support/webhook-sender';
import { authorizeNetSignature } from '../support/webhook-signing';

const FIXTURES = resolve(__dirname, '../../adapters/authorizenet/fixtures');
const checker = loadXsdChecker(ANET_XSD_FACTS);

/** A fixture as the API sends it (BOM + JSON), parsed. */
export function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(resolve(FIXTURES, `${name}.json`), 'utf8').replace(/^\uFEFF/, ''));
}

/** One authorization or sale in the fake's books. */
export interface FakeCharge {
  transId: string;
  transactionType: 'authOnlyTransaction' | 'authCaptureTransaction';
  amount: number;
  currency: string;
  captured: number;
  refunded: number;
  voided: boolean;
  settled: boolean;
  last4: string;
  invoiceNumber: string;
  networkTransId: string;
  /** The request's transactionRequest, card number masked. */
  request: Record<string, any>;
  submittedAt: number;
}

/** A customer profile with one payment profile, as the fake's CIM keeps it (no card number). */
export interface FakeProfile {
  customerProfileId: string;
  paymentProfileId: string;
  merchantCustomerId?: string;
  email?: string;
  last4: string;
  expirationDate: string;
  /** The network transaction id of the transaction that created it. */
  networkTransId: string;
}

/** A scripted answer for the next payment (authOnly/authCapture). */
export interface ScriptedOutcome {
  /** 2 declined, 3 error, 4 held for review. */
  responseCode: '2' | '3' | '4';
  /** Response reason code, e.g. '2', '27', '44', '13'. */
  code: string;
  text?: string;
  /** `avsResultCode` / `cvvResultCode` of the answer (Authorize.Net's letters: N = no match). */
  avs?: string;
  cvv?: string;
}

/** The running fake. */
export interface AuthorizeNetFake {
  readonly url: string;
  readonly server: FakeServer;
  readonly apiLoginId: string;
  readonly transactionKey: string;
  /** Charges by transaction id. */
  readonly charges: Map<string, FakeCharge>;
  /** Customer payment profiles by customer profile id (the fake's CIM). */
  readonly profiles: Map<string, FakeProfile>;
  /** Every request body the fake parsed, in order. */
  readonly bodies: Array<Record<string, any>>;
  /** XSD violations of requests (and of the fake's own answers). Must stay empty. */
  readonly violations: string[];
  /** Answer the next payment(s) with these outcomes. */
  script(...outcomes: ScriptedOutcome[]): void;
  /** Settle a transaction (refunds need a settled transaction). */
  settle(transId: string): void;
  close(): Promise<void>;
}

const OK = { resultCode: 'Ok', message: [{ code: 'I00001', text: 'Successful.' }] };
const TRANSACTION_FAILED = { resultCode: 'Error', message: [{ code: 'E00027', text: 'The transaction was unsuccessful.' }] };
const DUPLICATE_WINDOW_MS = 120_000;

/** Start the fake with the given credentials (defaults are fine for tests). */
export async function startAuthorizeNetFake(
  credentials = { apiLoginId: 'swyd_login', transactionKey: 'swyd_key_123456' },
  options: { webhooks?: FakeWebhooks } = {},
): Promise<AuthorizeNetFake> {
  const charges = new Map<string, FakeCharge>();
  const profiles = new Map<string, FakeProfile>();
  let nextProfileId = 1_929_820_001;
  /** A `net.authorize.payment.*` notification, as Authorize.Net sends it (all of them confirm an API answer: droppable). */
  const notify = (event: string, transId: string, amount: number, authCode = '') => {
    const w = options.webhooks;
    if (!w) return;
    const body = JSON.stringify({
      notificationId: randomUUID(),
      eventType: `net.authorize.payment.${event}`,
      eventDate: new Date((w.now ?? Date.now)()).toISOString(),
      webhookId: 'f0e1d2c3-b4a5-4968-8776-655443322110',
      payload: { responseCode: 1, authCode, avsResponse: 'Y', authAmount: amount / 100, entityName: 'transaction', id: transId },
    });
    w.sender.send({
      body,
      headers: { 'content-type': 'application/json', 'x-anet-signature': authorizeNetSignature(w.secret, body) },
      event,
      droppable: true,
    });
  };
  const bodies: Array<Record<string, any>> = [];
  const violations: string[] = [];
  const scripted: ScriptedOutcome[] = [];
  let nextId = 60_000_000_001;

  const answer = (root: string, body: Record<string, unknown>): FakeResponse => {
    const errs = checker.check({ [root]: body }, { response: true });
    if (errs.length) violations.push(...errs.map((e) => `response: ${e}`));
    return { status: 200, body: '\uFEFF' + JSON.stringify(body), headers: { 'content-type': 'application/json; charset=utf-8' } };
  };
  const txResponse = (
    fix: string,
    refId: string | undefined,
    patch: Record<string, unknown>,
    messages: unknown = OK,
    profileResponse?: unknown,
  ) => {
    const f = fixture(fix);
    return answer('createTransactionResponse', {
      transactionResponse: { ...f.transactionResponse, ...patch },
      ...(profileResponse !== undefined && { profileResponse }),
      ...(refId !== undefined && { refId }),
      messages,
    });
  };
  const failure = (refId: string | undefined, code: string, text: string, patch: Record<string, unknown> = {}) =>
    txResponse(
      'not-found-error',
      refId,
      { responseCode: '3', transId: '0', errors: [{ errorCode: code, errorText: text }], ...patch },
      TRANSACTION_FAILED,
    );
  const apiError = (fix: string) => answer('ErrorResponse', fixture(fix));

  function pay(refId: string | undefined, tr: Record<string, any>): FakeResponse {
    const charged = tr.profile?.customerProfileId !== undefined ? profiles.get(String(tr.profile.customerProfileId)) : undefined;
    if (tr.profile?.customerProfileId !== undefined) {
      // A profile charge names the profile and carries no card data (the XSD allows both; we never send both).
      if (tr.payment !== undefined) violations.push('transactionRequest: payment and profile together');
      if (!charged || charged.paymentProfileId !== String(tr.profile.paymentProfile?.paymentProfileId)) return apiError('record-not-found');
    }
    const card = charged ? { cardNumber: `XXXX${charged.last4}`, expirationDate: charged.expirationDate } : (tr.payment?.creditCard ?? {});
    const last4 = String(card.cardNumber ?? '').slice(-4);
    const masked = { accountNumber: `XXXX${last4}`, accountType: String(card.cardNumber).startsWith('5') ? 'MasterCard' : 'Visa' };
    const currency = tr.currencyCode ?? 'USD';
    const amount = fromDecimalString(String(tr.amount), currency);
    const invoiceNumber = tr.order?.invoiceNumber ?? '';
    const out = scripted.shift();
    if (out?.responseCode === '4') {
      const transId = String(nextId++);
      return txResponse('held-for-review', refId, {
        ...masked,
        transId,
        messages: [{ code: out.code, description: out.text ?? 'Your order has been received. Thank you for your business!' }],
      });
    }
    if (out) {
      const fix = out.responseCode === '2' ? 'declined' : 'duplicate-error';
      const transId = out.responseCode === '2' ? String(nextId++) : '0';
      return txResponse(
        fix,
        refId,
        {
          ...masked,
          responseCode: out.responseCode,
          transId,
          authCode: '',
          ...(out.avs !== undefined && { avsResultCode: out.avs }),
          ...(out.cvv !== undefined && { cvvResultCode: out.cvv }),
          errors: [{ errorCode: out.code, errorText: out.text ?? 'This transaction has been declined.' }],
        },
        TRANSACTION_FAILED,
      );
    }
    const now = Date.now();
    for (const c of charges.values()) {
      if (c.invoiceNumber === invoiceNumber && c.amount === amount && c.last4 === last4 && now - c.submittedAt < DUPLICATE_WINDOW_MS) {
        return txResponse('duplicate-error', refId, { ...masked }, TRANSACTION_FAILED);
      }
    }
    const transId = String(nextId++);
    const networkTransId = `NTID${transId}X`;
    const sale = tr.transactionType === 'authCaptureTransaction';
    let profileResponse: Record<string, unknown> | undefined;
    if (tr.profile?.createProfile === 'true' || tr.profile?.createProfile === true) {
      const merchantCustomerId = tr.customer?.id;
      const email = tr.customer?.email;
      const duplicate = [...profiles.values()].find(
        (p) => p.merchantCustomerId === merchantCustomerId && p.email === email && (merchantCustomerId || email),
      );
      if (!merchantCustomerId && !email) {
        profileResponse = {
          messages: { resultCode: 'Error', message: [{ code: 'E00041', text: 'One or more fields in the profile must contain a value.' }] },
        };
      } else if (duplicate) {
        const text = `A duplicate record with ID ${duplicate.customerProfileId} already exists.`;
        profileResponse = { messages: { resultCode: 'Error', message: [{ code: 'E00039', text }] } };
      } else {
        const customerProfileId = String(nextProfileId++);
        const paymentProfileId = String(nextProfileId++);
        profiles.set(customerProfileId, {
          customerProfileId,
          paymentProfileId,
          ...(merchantCustomerId && { merchantCustomerId }),
          ...(email && { email }),
          last4,
          expirationDate: String(card.expirationDate),
          networkTransId,
        });
        profileResponse = {
          messages: OK,
          customerProfileId,
          customerPaymentProfileIdList: [paymentProfileId],
          customerShippingAddressIdList: [],
        };
      }
    }
    charges.set(transId, {
      transId,
      transactionType: tr.transactionType,
      amount,
      currency,
      captured: sale ? amount : 0,
      refunded: 0,
      voided: false,
      settled: false,
      last4,
      invoiceNumber,
      networkTransId,
      submittedAt: now,
      request: { ...tr, payment: { creditCard: { ...card, cardNumber: `XXXX${last4}`, cardCode: card.cardCode ? '***' : undefined } } },
    });
    notify(sale ? 'authcapture.created' : 'authorization.created', transId, amount, `A${transId.slice(-5)}`);
    const approved = txResponse(
      sale ? 'auth-capture-approved' : 'auth-only-approved',
      refId,
      { ...masked, transId, authCode: `A${transId.slice(-5)}`, networkTransId },
      OK,
      profileResponse,
    );
    return approved;
  }

  function followUp(refId: string | undefined, tr: Record<string, any>): FakeResponse {
    const c = charges.get(String(tr.refTransId));
    const masked = c ? { accountNumber: `XXXX${c.last4}`, refTransID: c.transId } : { refTransID: String(tr.refTransId) };
    if (!c) return failure(refId, '16', 'The transaction cannot be found.', masked);
    const amount = tr.amount === undefined ? 0 : fromDecimalString(String(tr.amount), tr.currencyCode ?? c.currency);
    switch (tr.transactionType) {
      case 'priorAuthCaptureTransaction':
        // A second capture of an authorization: responseCode 1 + 311, as Authorize.Net answers it
        // (ActiveMerchant's recorded already_actioned_capture_response).
        if (c.transactionType === 'authOnlyTransaction' && !c.voided && c.captured > 0)
          return txResponse('prior-auth-capture-already-captured', refId, { ...masked, transId: c.transId });
        if (c.transactionType !== 'authOnlyTransaction' || c.voided)
          return failure(refId, '16', 'The transaction cannot be found.', masked);
        if (amount > c.amount)
          return failure(refId, '47', 'The amount requested for settlement cannot be greater than the original amount authorized.', masked);
        c.captured = amount;
        notify('priorAuthCapture.created', c.transId, amount);
        return txResponse('prior-auth-capture-approved', refId, { ...masked, transId: c.transId });
      case 'voidTransaction':
        if (c.voided || c.settled) return failure(refId, '16', 'The transaction cannot be found.', masked);
        c.voided = true;
        notify('void.created', c.transId, c.amount);
        return txResponse('void-approved', refId, { ...masked, transId: c.transId });
      case 'refundTransaction': {
        const card = tr.payment?.creditCard ?? {};
        if (!c.settled || c.voided)
          return failure(refId, '54', 'The referenced transaction does not meet the criteria for issuing a credit.', masked);
        if (card.cardNumber !== c.last4 || card.expirationDate !== 'XXXX')
          return failure(refId, '54', 'The referenced transaction does not meet the criteria for issuing a credit.', masked);
        if (c.refunded + amount > c.captured)
          return failure(refId, '55', 'The sum of credits against the referenced transaction would exceed original debit amount.', masked);
        c.refunded += amount;
        const refundId = String(nextId++);
        notify('refund.created', refundId, amount);
        return txResponse('refund-approved', refId, { ...masked, transId: refundId, refTransID: c.transId });
      }
      default:
        return failure(refId, '69', 'The transaction type is invalid.');
    }
  }

  function details(transId: string): FakeResponse {
    const c = charges.get(transId);
    if (!c) return apiError('record-not-found');
    const f = fixture('transaction-details');
    const status = c.voided
      ? 'voided'
      : c.settled
        ? 'settledSuccessfully'
        : c.captured > 0
          ? 'capturedPendingSettlement'
          : 'authorizedPendingCapture';
    return answer('getTransactionDetailsResponse', {
      ...f,
      transaction: {
        ...f.transaction,
        transId: c.transId,
        transactionType: c.transactionType,
        transactionStatus: status,
        authCode: `A${c.transId.slice(-5)}`,
        order: { invoiceNumber: c.invoiceNumber },
        authAmount: toDecimalString(c.amount, c.currency),
        settleAmount: toDecimalString(c.captured, c.currency),
        payment: { creditCard: { cardNumber: `XXXX${c.last4}`, expirationDate: 'XXXX', cardType: 'Visa' } },
        networkTransId: c.networkTransId,
      },
    });
  }

  function unsettled(): FakeResponse {
    const f = fixture('unsettled-list');
    const list = [...charges.values()]
      .filter((c) => !c.settled)
      .reverse()
      .map((c) => ({
        ...f.transactions[0],
        transId: c.transId,
        invoiceNumber: c.invoiceNumber,
        accountNumber: `XXXX${c.last4}`,
        settleAmount: toDecimalString(c.captured, c.currency),
        transactionStatus: c.voided ? 'voided' : c.captured > 0 ? 'capturedPendingSettlement' : 'authorizedPendingCapture',
      }));
    return answer('getUnsettledTransactionListResponse', { ...f, transactions: list, totalNumInResultSet: String(list.length) });
  }

  function handle(req: RecordedRequest): FakeResponse {
    if (req.method !== 'POST') return { status: 405, body: 'method not allowed' };
    if (!String(req.headers['content-type']).startsWith('application/json'))
      violations.push(`content-type: ${req.headers['content-type']}`);
    let doc: Record<string, any>;
    try {
      doc = JSON.parse(req.body);
    } catch {
      violations.push('request body is not JSON');
      return apiError('schema-error');
    }
    bodies.push(doc);
    const errs = checker.check(doc);
    if (errs.length) {
      violations.push(...errs);
      return apiError('schema-error');
    }
    const [root] = Object.keys(doc);
    const body = doc[root];
    const auth = body.merchantAuthentication;
    if (auth?.name !== credentials.apiLoginId || auth?.transactionKey !== credentials.transactionKey)
      return apiError('authentication-failed');
    if (root === 'getTransactionDetailsRequest') return details(String(body.transId));
    if (root === 'getUnsettledTransactionListRequest') return unsettled();
    if (root !== 'createTransactionRequest') return failure(undefined, '69', 'The transaction type is invalid.');
    const request = body.transactionRequest;
    const refId = body.refId === undefined ? undefined : String(body.refId);
    return ['authOnlyTransaction', 'authCaptureTransaction'].includes(request.transactionType)
      ? pay(refId, request)
      : followUp(refId, request);
  }

  const server = await startFakeServer(handle);
  return {
    url: server.url,
    server,
    apiLoginId: credentials.apiLoginId,
    transactionKey: credentials.transactionKey,
    charges,
    profiles,
    bodies,
    violations,
    script: (...o) => scripted.push(...o),
    settle: (id) => {
      const c = charges.get(id);
      if (!c) throw new Error(`no charge ${id}`);
      c.settled = true;
    },
    close: () => server.close(),
  };
}
