/**
 * A fake NMI gateway on loopback: `/api/transact.php` (URL-encoded answers) and `/api/query.php`
 * (XML). Every request is checked by `nmi-spec.ts` and every answer is checked before it is sent;
 * problems land in `violations` (tests assert it stays empty). Answers are built from the
 * sanitised fixtures in `adapters/nmi/fixtures/`. The fake keeps its own books (charges, vault)
 * and follows NMI's documented behaviour: test triggers (§7: amount below 1.00 declines, cvv 999
 * matches, address 888 / zip 77777 matches), duplicate checking by card + amount, void only before
 * settlement, capture up to the authorized amount.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import type { FakeWebhooks } from '../support/webhook-sender';
import { nmiSignature } from '../support/webhook-signing';
import { luhnValid } from '../../src/card/pan';
import { startFakeServer, type Fault, type FakeResponse, type RecordedRequest } from '../support/fake-server';
import { RESULT_CODES, checkQueryRequest, checkTransactRequest, checkTransactResponse, decodeForm } from './nmi-spec';
import approvedFixture from '../../adapters/nmi/fixtures/approved-sale.json';
import declinedFixture from '../../adapters/nmi/fixtures/declined.json';
import authFailedFixture from '../../adapters/nmi/fixtures/authentication-failed.json';
import duplicateFixture from '../../adapters/nmi/fixtures/duplicate.json';
import invalidCardFixture from '../../adapters/nmi/fixtures/invalid-card-number.json';
import queryTransactionFixture from '../../adapters/nmi/fixtures/query-transaction.json';

/** One transaction in the fake's books. Amounts in hundredths of the major unit (NMI's x.xx). */
export interface NmiFakeCharge {
  transactionid: string;
  type: 'sale' | 'auth' | 'validate' | 'refund';
  orderid: string;
  currency: string;
  amount: number;
  captured: number;
  refunded: number;
  voided: boolean;
  settled: boolean;
  success: boolean;
  responseCode: string;
  responseText: string;
  authcode: string;
  /** BIN + last four only. */
  card: { bin: string; last4: string };
  /** The stored-credential fields of the request, as sent. */
  storedCredential: Record<string, string>;
  customerVaultId?: string;
  /** For refunds: the refunded transaction. */
  parent?: string;
  at: number;
}

/** A scripted answer for the next payment: a documented code, optionally with NMI's text and extra fields. */
export interface ScriptedAnswer {
  response_code: string;
  responsetext?: string;
  merchant_advice_code?: string;
  /** `cvvresponse` / `avsresponse` letters of the answer (§5: N = no match). */
  cvvresponse?: string;
  avsresponse?: string;
}

/** The running fake. */
export interface NmiFake {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Spec problems found in requests or answers; must stay empty. */
  readonly violations: string[];
  readonly charges: Map<string, NmiFakeCharge>;
  /** Customer Vault: id → card as BIN + last four and expiry (never the PAN). */
  readonly vault: Map<string, { bin: string; last4: string; ccexp: string }>;
  /** Answer the next payments (sale/auth/validate) with these codes, in order. */
  script(...answers: ScriptedAnswer[]): void;
  /** Queue transport faults (see fake-server). */
  inject(...faults: Fault[]): void;
  /** Drop the faults still queued. */
  clearFaults(): number;
  /** Mark a transaction as settled (a void no longer works). */
  settle(transactionid: string): void;
  /** Decoded form bodies of the requests to one path. */
  forms(path?: string): Array<Record<string, string>>;
  close(): Promise<void>;
}

/** Options of the fake. */
export interface NmiFakeOptions {
  securityKey: string;
  /** Send `transaction.*` notifications (they confirm API answers: droppable). */
  webhooks?: FakeWebhooks;
  /** Duplicate window, seconds (NMI's default is 1200). */
  dupSeconds?: number;
}

const text = (fields: Record<string, string | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) p.set(k, v);
  return p.toString();
};
const hundredths = (s: string | undefined) => (s ? Math.round(Number(s) * 100) : 0);
const decimal = (h: number) => `${Math.floor(h / 100)}.${String(h % 100).padStart(2, '0')}`;
const xml = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false });

/** Start a fake NMI gateway. */
export async function startNmiFake(options: NmiFakeOptions): Promise<NmiFake> {
  const violations: string[] = [];
  /** A notification as NMI sends it: `transaction.<action>.<success|failure>`, signed over `nonce + "." + body`. */
  const notify = (c: NmiFakeCharge, action: string, success: boolean, amount: number) => {
    const w = options.webhooks;
    if (!w) return;
    const at = new Date((w.now ?? Date.now)()).toISOString().replace(/\D/g, '').slice(0, 14);
    const body = JSON.stringify({
      event_id: randomUUID(),
      event_type: `transaction.${action}.${success ? 'success' : 'failure'}`,
      event_body: {
        merchant: { id: '100001', name: 'Switchyard Test' },
        transaction_id: c.transactionid,
        transaction_type: 'cc',
        condition: 'pendingsettlement',
        order_id: c.orderid,
        action: {
          amount: decimal(amount),
          action_type: action,
          date: at,
          success: success ? '1' : '0',
          response_text: c.responseText,
          response_code: c.responseCode,
        },
      },
    });
    const nonce = randomBytes(8).toString('hex');
    w.sender.send({
      body,
      headers: { 'content-type': 'application/json', 'webhook-signature': nmiSignature(w.secret, nonce, body) },
      event: `${action}.${success}`,
      droppable: true,
    });
  };
  const charges = new Map<string, NmiFakeCharge>();
  const vault = new Map<string, { bin: string; last4: string; ccexp: string }>();
  const scripted: ScriptedAnswer[] = [];
  let nextId = 5_000_000_000;
  let nextVault = 400_000_000;
  const newId = () => String(++nextId);

  function answer(fields: Record<string, string | undefined>): FakeResponse {
    const problems = checkTransactResponse(fields);
    if (problems.length) violations.push(...problems.map((p) => `answer: ${p}`));
    return { status: 200, body: text(fields), headers: { 'content-type': 'text/html; charset=UTF-8' } };
  }
  const reject = (f: Record<string, string>, responsetext: string, extra: Record<string, string> = {}) =>
    answer({
      ...invalidCardFixture,
      responsetext: `${responsetext} REFID:${newId()}`,
      transactionid: '0',
      orderid: f.orderid ?? '',
      type: f.type ?? '',
      ...extra,
    });

  function pay(f: Record<string, string>): FakeResponse {
    const type = f.type as 'sale' | 'auth' | 'validate';
    let card: { bin: string; last4: string; ccexp: string } | undefined;
    if (f.ccnumber) {
      if (!luhnValid(f.ccnumber)) return answer({ ...invalidCardFixture, orderid: f.orderid, type, transactionid: '0' });
      card = { bin: f.ccnumber.slice(0, 6), last4: f.ccnumber.slice(-4), ccexp: f.ccexp };
    } else if (f.customer_vault_id) {
      card = vault.get(f.customer_vault_id);
      if (!card) return reject(f, 'Invalid Customer Vault Id');
    }
    const amount = hundredths(f.amount);
    const storedCredential = Object.fromEntries(
      [
        'initiated_by',
        'stored_credential_indicator',
        'initial_transaction_id',
        'billing_method',
        'customer_vault',
        'customer_vault_id',
        'cardholder_auth',
        'cavv',
        'xid',
        'three_ds_version',
        'directory_server_id',
      ]
        .filter((k) => f[k] !== undefined)
        .map((k) => [k, f[k]]),
    );
    const record = (
      success: boolean,
      responseCode: string,
      responseText: string,
      authcode = '',
      customerVaultId?: string,
    ): NmiFakeCharge => {
      const c: NmiFakeCharge = {
        transactionid: newId(),
        type,
        orderid: f.orderid ?? '',
        currency: f.currency ?? 'USD',
        amount,
        captured: success && type === 'sale' ? amount : 0,
        refunded: 0,
        voided: false,
        settled: false,
        success,
        responseCode,
        responseText,
        authcode,
        card: { bin: card?.bin ?? '', last4: card?.last4 ?? '' },
        storedCredential,
        customerVaultId,
        at: Date.now(),
      };
      charges.set(c.transactionid, c);
      return c;
    };

    const script = scripted.shift();
    if (script) {
      const code = script.response_code;
      const response = code === '100' ? '1' : code.startsWith('2') ? '2' : '3';
      const responsetext = script.responsetext ?? RESULT_CODES[code] ?? 'DECLINE';
      const c = record(response === '1', code, responsetext, response === '1' ? '123456' : '');
      return answer({
        ...(response === '1' ? approvedFixture : declinedFixture),
        response,
        responsetext,
        response_code: code,
        transactionid: c.transactionid,
        orderid: f.orderid,
        type,
        authcode: c.authcode,
        avsresponse: script.avsresponse ?? '',
        cvvresponse: script.cvvresponse ?? '',
        merchant_advice_code: script.merchant_advice_code,
      });
    }
    // §7: an amount below 1.00 declines.
    if (type !== 'validate' && amount < 100) {
      const c = record(false, declinedFixture.response_code, declinedFixture.responsetext);
      return answer({ ...declinedFixture, transactionid: c.transactionid, orderid: f.orderid, type });
    }
    // Duplicate checking: same card and amount inside the window (dup_seconds=0 disables it).
    const window = (f.dup_seconds !== undefined ? Number(f.dup_seconds) : (options.dupSeconds ?? 1200)) * 1000;
    const dup =
      window > 0 &&
      [...charges.values()].some(
        (c) =>
          c.success &&
          c.type === type &&
          c.amount === amount &&
          `${c.card.bin}:${c.card.last4}` === `${card?.bin}:${card?.last4}` &&
          Date.now() - c.at < window,
      );
    if (dup) return answer({ ...duplicateFixture, responsetext: `Duplicate transaction REFID:${newId()}`, orderid: f.orderid, type });

    let customerVaultId: string | undefined;
    if (f.customer_vault === 'add_customer') {
      customerVaultId = String(++nextVault);
      if (card) vault.set(customerVaultId, card);
    }
    const authcode = String(100000 + (nextId % 900000));
    const c = record(true, '100', approvedFixture.responsetext, authcode, customerVaultId);
    if (type !== 'validate') notify(c, type, true, amount);
    return answer({
      ...approvedFixture,
      transactionid: c.transactionid,
      orderid: f.orderid,
      type,
      authcode,
      avsresponse: f.address1 === '888' && f.zip === '77777' ? 'Y' : 'N',
      cvvresponse: f.cvv === undefined ? '' : f.cvv === '999' ? 'M' : 'N',
      customer_vault_id: customerVaultId,
    });
  }

  function followUp(f: Record<string, string>): FakeResponse {
    const c = charges.get(f.transactionid);
    const type = f.type;
    if (!c || !c.success || c.type === 'refund') return reject(f, 'Transaction not found');
    const echo = {
      ...approvedFixture,
      transactionid: c.transactionid,
      orderid: c.orderid,
      type,
      authcode: c.authcode,
      avsresponse: '',
      cvvresponse: '',
    };
    if (type === 'capture') {
      const amount = hundredths(f.amount);
      if (c.type !== 'auth' || c.voided) return reject(f, 'A capture requires that the existing transaction be an AUTH');
      if (c.captured > 0) return reject(f, 'Transaction already captured');
      if (amount > c.amount)
        return reject(f, `The specified amount of ${f.amount} exceeds the authorization amount of ${decimal(c.amount)}`);
      c.captured = amount;
      notify(c, 'capture', true, amount);
      return answer(echo);
    }
    if (type === 'void') {
      if (c.voided || c.settled || c.refunded > 0) return reject(f, 'Only transactions pending settlement can be voided');
      c.voided = true;
      notify(c, 'void', true, c.amount);
      return answer(echo);
    }
    // refund: amount optional; 0.00 or none refunds the rest (§2 refund).
    const left = c.captured - c.refunded;
    const amount = f.amount && f.amount !== '0.00' ? hundredths(f.amount) : left;
    if (c.voided || amount > left || amount <= 0) return reject(f, 'Refund amount may not exceed the transaction balance');
    c.refunded += amount;
    const r: NmiFakeCharge = {
      ...c,
      transactionid: newId(),
      type: 'refund',
      amount,
      captured: 0,
      refunded: 0,
      parent: c.transactionid,
      at: Date.now(),
    };
    charges.set(r.transactionid, r);
    notify(r, 'refund', true, amount);
    return answer({ ...echo, transactionid: r.transactionid, authcode: '' });
  }

  function query(f: Record<string, string>): FakeResponse {
    const found = [...charges.values()].filter(
      (c) =>
        c.type !== 'refund' &&
        (f.order_id === undefined || c.orderid === f.order_id) &&
        (f.transaction_id === undefined || c.transactionid === f.transaction_id),
    );
    const transaction = found.map((c) => {
      const actions: Array<Record<string, string>> = [
        {
          ...queryTransactionFixture.action[0],
          amount: decimal(c.amount),
          action_type: c.type as string,
          success: c.success ? '1' : '0',
          response_text: c.responseText,
          response_code: c.responseCode,
        },
      ];
      if (c.type === 'auth' && c.captured)
        actions.push({
          ...actions[0],
          action_type: 'capture',
          amount: decimal(c.captured),
          response_text: 'SUCCESS',
          response_code: '100',
        });
      if (c.voided)
        actions.push({ ...actions[0], action_type: 'void', response_text: 'Transaction Void Successful', response_code: '100' });
      return {
        ...queryTransactionFixture,
        transaction_id: c.transactionid,
        order_id: c.orderid,
        currency: c.currency,
        condition: !c.success
          ? 'failed'
          : c.voided
            ? 'canceled'
            : c.settled
              ? 'complete'
              : c.type === 'auth' && !c.captured
                ? 'pending'
                : 'pendingsettlement',
        authorization_code: c.authcode,
        cc_number: `${c.card.bin[0]}${'x'.repeat(11)}${c.card.last4}`,
        action: actions,
      };
    });
    return {
      status: 200,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml.build({ nm_response: transaction.length ? { transaction } : '' })}`,
      headers: { 'content-type': 'text/xml; charset=UTF-8' },
    };
  }

  const server = await startFakeServer((req) => {
    const path = req.path.split('?')[0];
    const contentType = req.headers['content-type'];
    const f = Object.fromEntries(decodeForm(req.body).fields);
    if (path === '/api/query.php') {
      const problems = checkQueryRequest(req.body, contentType);
      if (problems.length) violations.push(...problems.map((p) => `query request: ${p}`));
      if (f.security_key !== options.securityKey)
        return {
          status: 200,
          body: '<?xml version="1.0" encoding="UTF-8"?>\n<nm_response><error_response>Invalid Username/Password REFID:1</error_response></nm_response>',
        };
      return query(f);
    }
    if (path !== '/api/transact.php') {
      violations.push(`path: ${req.method} ${path} is not an NMI endpoint`);
      return { status: 404, body: 'Not Found' };
    }
    if (req.method !== 'POST') violations.push(`method: ${req.method}; §1 requires POST`);
    const problems = checkTransactRequest(req.body, contentType);
    if (problems.length) {
      violations.push(...problems.map((p) => `request: ${p}`));
      return reject(f, `fake: request violates the documented format (${problems.length} problems)`);
    }
    if (f.security_key !== options.securityKey) return answer({ ...authFailedFixture, orderid: f.orderid ?? '', type: '' });
    return f.type === 'sale' || f.type === 'auth' || f.type === 'validate' ? pay(f) : followUp(f);
  });

  return {
    url: server.url,
    requests: server.requests,
    violations,
    charges,
    vault,
    script: (...a) => scripted.push(...a),
    inject: (...faults) => server.inject(...faults),
    clearFaults: () => server.clearFaults(),
    settle: (id) => {
      const c = charges.get(id);
      if (c) c.settled = true;
    },
    forms: (path = '/api/transact.php') =>
      server.requests.filter((r) => r.path.split('?')[0] === path).map((r) => Object.fromEntries(new URLSearchParams(r.body))),
    close: () => server.close(),
  };
}
