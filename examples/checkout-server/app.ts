/**
 * A small checkout HTTP API on node:http: `POST /checkout`, `POST /refund`, `POST /rebill`,
 * `POST /checkout/complete`, and the 3-D Secure pages (`GET /`, `GET /3ds/return`, the sandbox's
 * `GET /sandbox/3ds`; see `three-d-secure.ts`). JSON in, JSON out. A bad request gets a 4xx
 * naming the field at fault; a decline is a 402 with the standard reason. Logs one line per
 * request with the masked card (BIN + last four), never the PAN or CVC, and never echoes a
 * request body.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// In your project: import { redact, type Approval, type Failure, type PaymentRequest, type Result, type Router } from 'switchyard';
import { redact, type Approval, type CompletionInput, type Failure, type PaymentRequest, type Result, type Router } from '../../src/index';
import { checkoutPage, completeFromReturn, nextUrl, ReturnTokens, returnCookie, returnPath, sandboxChallengePage } from './three-d-secure';

/** The pages served to browsers (GET). */
const PAGES = new Set(['/', '/sandbox/3ds', '/3ds/return']);

/** Options of the checkout API. */
export interface CheckoutApiOptions {
  /** Routing profile of checkouts. Default 'checkout'. */
  profile?: string;
  /** One line per request (default: console.log). Receives no card data. */
  log?: (line: string) => void;
  /** Largest accepted body in bytes. Default 16 KiB. */
  maxBodyBytes?: number;
  /** Secret of the 3-D Secure return tokens (default: random per start, so a restart invalidates open returns). */
  returnSecret?: string;
}

type Json = Record<string, unknown>;
type Reply = { status: number; body: Json; card?: string; headers?: Record<string, string> };

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const CHECKOUT_FIELDS = [
  'idempotencyKey',
  'amount',
  'currency',
  'card',
  'customer',
  'billing',
  'tags',
  'metadata',
  'subscription',
  'threeDS',
];
const REFUND_FIELDS = ['transactionId', 'amount', 'idempotencyKey'];
const COMPLETE_FIELDS = ['transactionId', 'token', 'input'];
const REBILL_FIELDS = ['subscriptionId', 'amount', 'currency', 'idempotencyKey', 'metadata'];

async function readJson(req: IncomingMessage, limit: number): Promise<Json> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BadRequest(413, 'body_too_large', `the body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    // JSON.parse's message quotes the input, which may hold a card number: never pass it on.
    throw new BadRequest(400, 'invalid_json', 'the body must be a JSON object');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequest(400, 'invalid_json', 'the body must be a JSON object');
  return body as Json;
}

function onlyFields(body: Json, allowed: readonly string[]): void {
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw new BadRequest(400, 'validation', `${k}: is not a known field`, k);
}

const REJECTION_STATUS: Partial<Record<string, number>> = {
  validation: 400,
  unknown_profile: 500,
  idempotency_conflict: 409,
  idempotency_in_progress: 409,
  unknown_transaction: 404,
  unknown_subscription: 404,
};

/** The HTTP answer for a router result. */
export function toReply(result: Result<Approval, Failure>): Reply {
  if (result.isOk()) {
    const a = result.value;
    return {
      status: 200,
      card: a.maskedCard,
      body: {
        status: 'approved',
        transactionId: a.transactionId,
        operation: a.operation,
        mid: a.mid,
        amount: a.amount,
        currency: a.currency,
        authCode: a.authCode,
        maskedCard: a.maskedCard,
        subscriptionId: a.subscriptionId,
        attempts: a.attempts.filter((x) => x.outcome !== 'skipped').length,
        replayed: a.replayed,
      },
    };
  }
  const f = result.error;
  const base = { transactionId: f.transactionId, message: f.message, replayed: f.replayed };
  switch (f.kind) {
    case 'declined':
      return {
        status: 402,
        body: {
          status: 'declined',
          reason: f.decline?.reason,
          retry: f.decline?.retry,
          nextRetryAt: f.nextRetryAt,
          nextAmount: f.nextAmount,
          ...base,
        },
      };
    case 'rejected':
      return {
        status: REJECTION_STATUS[f.rejection ?? ''] ?? 422,
        body: { status: 'rejected', error: f.rejection, field: f.field, ...base },
      };
    case 'ambiguous':
      // The gateway may have charged: the client must not retry with a new key; reconciliation settles it.
      return { status: 202, body: { status: 'pending', ...base } };
    case 'requires_action':
      return { status: 200, body: { status: 'requires_action', action: f.action, mid: f.mid, expiresAt: f.expiresAt, ...base } };
    default:
      return { status: 502, body: { status: 'error', ...base } };
  }
}

/** The request handler, for your own server or framework. */
export function checkoutApi(router: Router, options: CheckoutApiOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const profile = options.profile ?? 'checkout';
  const log = options.log ?? ((line: string) => console.log(line));
  const limit = options.maxBodyBytes ?? 16 * 1024;
  const tokens = new ReturnTokens(options.returnSecret);
  /** A challenge answer carries where the browser goes next and how it comes back. */
  const withReturn = (reply: Reply): Reply => {
    const b = reply.body;
    if (b.status !== 'requires_action' || typeof b.transactionId !== 'string') return reply;
    const back = returnPath(tokens, b.transactionId);
    const headers = { 'set-cookie': returnCookie(tokens, b.transactionId) };
    return { ...reply, headers, body: { ...b, returnUrl: back, next: nextUrl(b.action as { type: string; url?: string }, back) } };
  };

  const routes: Record<string, (body: Json) => Promise<Reply>> = {
    '/checkout': async (body) => {
      onlyFields(body, CHECKOUT_FIELDS);
      return withReturn(toReply(await router.sale({ ...(body as unknown as Omit<PaymentRequest, 'profile'>), profile })));
    },
    '/checkout/complete': async (body) => {
      onlyFields(body, COMPLETE_FIELDS);
      const { transactionId, token, input } = body as { transactionId?: unknown; token?: unknown; input?: unknown };
      if (typeof transactionId !== 'string' || !tokens.check(transactionId, typeof token === 'string' ? token : undefined))
        throw new BadRequest(403, 'forbidden', 'token: is not the return token of this transaction', 'token');
      return withReturn(toReply(await router.completeAction(transactionId, input as CompletionInput)));
    },
    '/refund': async (body) => {
      onlyFields(body, REFUND_FIELDS);
      const { transactionId, amount, idempotencyKey } = body as { transactionId: string; amount?: number; idempotencyKey?: string };
      return toReply(await router.refund(transactionId, { amount, idempotencyKey }));
    },
    '/rebill': async (body) => {
      onlyFields(body, REBILL_FIELDS);
      return toReply(await router.rebill(body as never));
    },
  };

  return (req, res) => {
    const started = Date.now();
    const path = (req.url ?? '/').split('?')[0];
    const send = ({ status, body, card, headers }: Reply) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      const outcome = typeof body.status === 'string' ? body.status : body.error;
      log(
        `${req.method} ${path} ${status} ${outcome}${body.mid ? ` mid=${body.mid}` : ''}${card ? ` card=${card}` : ''} ${Date.now() - started}ms`,
      );
    };
    if (req.method === 'GET' && PAGES.has(path)) {
      const html = (status: number, text: string, outcome: string, card?: string) => {
        res.writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          'content-security-policy':
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'",
          'x-content-type-options': 'nosniff',
        });
        res.end(text);
        log(`GET ${path} ${status} ${outcome}${card ? ` card=${card}` : ''} ${Date.now() - started}ms`);
      };
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      if (path === '/') return html(200, checkoutPage(), 'page');
      if (path === '/sandbox/3ds') {
        const p = sandboxChallengePage(query);
        return html(p.status, p.html, 'challenge');
      }
      completeFromReturn(router, tokens, query, req.headers.cookie).then(
        (r) => {
          const outcome = !r.result ? 'forbidden' : r.result.isOk() ? `approved mid=${r.result.value.mid}` : r.result.error.kind;
          html(r.status, r.html, outcome, r.result?.isOk() ? r.result.value.maskedCard : undefined);
        },
        (e: unknown) => {
          log(`GET ${path} failed: ${redact(e instanceof Error ? e.message : String(e))}`);
          html(500, '<!doctype html><h1>Internal error</h1>', 'error');
        },
      );
      return;
    }
    const route = routes[path];
    if (!route) return send({ status: 404, body: { error: 'not_found', message: `no route ${path}: POST /checkout, /refund or /rebill` } });
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send({ status: 405, body: { error: 'method_not_allowed', message: `${path} takes POST` } });
    }
    readJson(req, limit)
      .then(route)
      .then(send, (e: unknown) => {
        if (e instanceof BadRequest)
          return send({ status: e.status, body: { status: 'rejected', error: e.code, field: e.field, message: e.message } });
        log(`${req.method} ${path} failed: ${redact(e instanceof Error ? e.message : String(e))}`);
        send({ status: 500, body: { error: 'internal', message: 'internal error' } });
      });
  };
}

/** A running checkout server. */
export interface RunningServer {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** Start the API on `port` (0 = any free port) on `host` (default 127.0.0.1). */
export async function listen(router: Router, port: number, options: CheckoutApiOptions & { host?: string } = {}): Promise<RunningServer> {
  const server = createServer(checkoutApi(router, options));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${actual}`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
