/**
 * `sandbox()`: an in-process simulated gateway with test cards, for tests, demos and benchmarks.
 * No network. It keeps its own record of what it charged (`charges`), so tests can compare the
 * router's ledger with the "gateway's" books.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type {
  AdapterCapabilities,
  CallOptions,
  GatewayAdapter,
  GatewayAuthenticationRequest,
  GatewayCompletionRequest,
  GatewayFollowUpRequest,
  GatewayLookupRequest,
  GatewayLookupResult,
  GatewayPaymentRequest,
  GatewayResult,
} from '../../src/adapter';
import type { PartialSettings } from '../../src/types';
import { SANDBOX_TEST_CARDS } from './cards';
import { sandboxDeclines } from './declines';

export { SANDBOX_TEST_CARDS } from './cards';
export type { SandboxBehaviour } from './cards';

/**
 * What `respond` may return for a payment: every behaviour of the test-card table
 * (`SandboxBehaviour`, so a table row can be returned as it is) and a few more details.
 * `timeout` is an ambiguous outcome: the request reached the gateway, the answer never came.
 */
export type SandboxResponse =
  | { status: 'approved'; networkTransactionId?: string | undefined; authCode?: string | undefined }
  | { status: 'declined'; code: string; message?: string | undefined; advice?: string | undefined }
  | { status: 'error'; ambiguous: boolean; message?: string | undefined; merchantError?: boolean | undefined }
  | { status: 'requires_action'; url?: string | undefined }
  | { status: 'timeout'; message?: string | undefined };

/** The request as `respond` sees it: our request, with the operation. */
export type SandboxRequest = GatewayPaymentRequest & { operation: 'authorize' | 'sale' | 'verify' };

/** Options of `sandbox()`. */
export interface SandboxOptions {
  /** Name of this simulated gateway (shows in reports). Default 'sandbox'. */
  id?: string | undefined;
  /** Simulated latency per call, ms. Default 0. */
  latencyMs?: number | (() => number) | undefined;
  /** Script the answer to any payment (sync or async); default: the test card table. */
  respond?: ((req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>) | undefined;
  /** Override capabilities (e.g. `{ verify: false }` to test pre-authorization). */
  capabilities?: PartialSettings<AdapterCapabilities> | undefined;
  /**
   * Script the answer to a 3-D Secure completion (`router.completeAction`), like `respond`.
   * Default: `input.authenticated === true` approves, `false` declines as `authentication_failed`.
   */
  complete?: ((req: GatewayCompletionRequest) => SandboxResponse | Promise<SandboxResponse>) | undefined;
  /**
   * Where the simulated challenge page lives (absolute or relative URL); the redirect action is
   * `<challengeUrl>?reference=…&transactionId=…` (and `&return=<returnUrl>` when the payment has one). Default `https://sandbox.invalid/3ds`.
   */
  challengeUrl?: string | undefined;
  /** How long a challenge stays open before the router expires it (ms). Default 15 minutes. */
  actionLifetimeMs?: number | undefined;
}

/** One charge or authorization the sandbox recorded. */
export interface SandboxCharge {
  reference: string;
  gatewayTransactionId: string;
  operation: 'authorize' | 'sale' | 'verify';
  amount: number;
  currency: string;
  captured: number;
  refunded: number;
  voided: boolean;
  storedCredential?: GatewayPaymentRequest['storedCredential'];
  networkTransactionId: string;
  merchant: string;
}

/** The sandbox adapter, with its books. */
export interface SandboxAdapter extends GatewayAdapter {
  readonly name: string;
  /** Every approved authorization/sale, by gateway transaction id. */
  readonly charges: ReadonlyMap<string, SandboxCharge>;
  /** Number of calls made to this adapter, by operation. */
  readonly calls: Readonly<Record<string, number>>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new Error('aborted'));
      },
      { once: true },
    );
  });

const TIMEOUT_MESSAGE = 'timeout after the request was sent';

/**
 * The sandbox's default answer: the test-card table (`SANDBOX_TEST_CARDS`), any other card approved,
 * a 3-D Secure card approved once the request carries a CAVV. Call it from your own `respond` to
 * script a few cases and leave the rest to the table.
 * @example
 * sandbox({ respond: (req) => (req.amount > 100_000 ? { status: 'declined', code: '61' } : testCardResponse(req)) });
 */
export function testCardResponse(req: SandboxRequest): SandboxResponse {
  const digits = req.card?.number ?? req.card?.networkToken;
  const card = digits ? SANDBOX_TEST_CARDS[digits.replace(/[\s-]/g, '')] : undefined;
  if (!card || card.status === 'approved') return { status: 'approved' };
  if (card.status === 'requires_action') return req.threeDS?.cavv ? { status: 'approved' } : { status: 'requires_action' };
  return card;
}

/**
 * Create a sandbox gateway.
 * @example
 * const gw = sandbox({ respond: (r) => r.amount > 10_000 ? { status: 'declined', code: '51' } : { status: 'approved' } });
 */
export function sandbox(options: SandboxOptions = {}): SandboxAdapter {
  const name = options.id ?? 'sandbox';
  const charges = new Map<string, SandboxCharge>();
  const byReference = new Map<string, string>();
  // Like a gateway with idempotency keys: a request with a reference it has processed gets the first answer again.
  const answered = new Map<string, Promise<GatewayResult>>();
  const calls: Record<string, number> = {};
  const respond = options.respond ?? testCardResponse;
  const latency = () => (typeof options.latencyMs === 'function' ? options.latencyMs() : (options.latencyMs ?? 0));
  const count = (op: string) => {
    calls[op] = (calls[op] ?? 0) + 1;
  };

  async function pay(operation: SandboxRequest['operation'], req: GatewayPaymentRequest, opts?: CallOptions): Promise<GatewayResult> {
    count(operation);
    const ms = latency();
    if (ms > 0) {
      try {
        await sleep(ms, opts?.signal);
      } catch {
        return { status: 'error', ambiguous: true, message: 'timed out waiting for the sandbox' };
      }
    }
    const first = answered.get(req.reference);
    if (first) return first;
    const answer = processPayment(operation, req);
    answered.set(req.reference, answer);
    return answer;
  }

  function challengeUrl(req: { reference: string; transactionId: string; returnUrl?: string | undefined }): string {
    const base = options.challengeUrl ?? 'https://sandbox.invalid/3ds';
    const q = new URLSearchParams({ reference: req.reference, transactionId: req.transactionId });
    if (req.returnUrl) q.set('return', req.returnUrl);
    return `${base}${base.includes('?') ? '&' : '?'}${q}`;
  }

  function record(
    operation: SandboxRequest['operation'],
    req: GatewayPaymentRequest | GatewayCompletionRequest,
    reference: string,
    ntidIn?: string,
  ) {
    const id = `sbx_${randomUUID()}`;
    const sc = req.storedCredential;
    const ntid = ntidIn ?? (sc?.type === 'subsequent' ? sc.networkTransactionId : undefined) ?? `ntid_${randomUUID().slice(0, 15)}`;
    charges.set(id, {
      reference,
      gatewayTransactionId: id,
      operation,
      amount: req.amount,
      currency: req.currency,
      captured: operation === 'sale' ? req.amount : 0,
      refunded: 0,
      voided: false,
      storedCredential: req.storedCredential,
      networkTransactionId: ntid,
      merchant: req.merchant.id,
    });
    byReference.set(reference, id);
    return { id, ntid };
  }

  /** A 3-D Secure completion: the scripted or default answer, applied once per completion reference. */
  async function completeChallenge(req: GatewayCompletionRequest): Promise<GatewayResult> {
    const r: SandboxResponse = options.complete
      ? await options.complete(req)
      : req.input.authenticated === true
        ? { status: 'approved' }
        : req.input.authenticated === false
          ? { status: 'declined', code: '6P', message: 'Cardholder authentication failed' }
          : { status: 'error', ambiguous: false, message: 'input.authenticated: the sandbox needs true or false' };
    const operation = req.operation;
    switch (r.status) {
      case 'approved': {
        const { id, ntid } = record(operation, req, req.completionReference, r.networkTransactionId);
        return {
          status: 'approved',
          gatewayTransactionId: id,
          authCode: r.authCode ?? 'SBX3DS',
          networkTransactionId: ntid,
          gatewayToken: `tok_${id}`,
        };
      }
      case 'declined':
        return { status: 'declined', code: r.code, message: r.message, advice: r.advice };
      case 'requires_action':
        return { status: 'requires_action', action: { type: 'redirect', url: r.url ?? challengeUrl(req), method: 'GET' } };
      case 'error':
        return { status: 'error', ambiguous: r.ambiguous, message: r.message ?? 'sandbox error' };
      case 'timeout':
        return { status: 'error', ambiguous: true, message: r.message ?? TIMEOUT_MESSAGE };
    }
  }

  async function processPayment(operation: SandboxRequest['operation'], req: GatewayPaymentRequest): Promise<GatewayResult> {
    const r = await respond({ ...req, operation });
    switch (r.status) {
      case 'approved': {
        const { id, ntid } = record(operation, req, req.reference, r.networkTransactionId);
        return {
          status: 'approved',
          gatewayTransactionId: id,
          authCode: r.authCode ?? 'SBX001',
          networkTransactionId: ntid,
          gatewayToken: `tok_${id}`,
        };
      }
      case 'declined':
        return { status: 'declined', code: r.code, message: r.message, advice: r.advice, gatewayTransactionId: `sbx_${randomUUID()}` };
      case 'requires_action':
        return { status: 'requires_action', action: { type: 'redirect', url: r.url ?? challengeUrl(req), method: 'GET' } };
      case 'error':
        return { status: 'error', ambiguous: r.ambiguous, message: r.message ?? 'sandbox error', merchantError: r.merchantError };
      case 'timeout':
        return { status: 'error', ambiguous: true, message: r.message ?? TIMEOUT_MESSAGE };
    }
  }

  function followUp(op: 'capture' | 'void' | 'refund', req: GatewayFollowUpRequest): Promise<GatewayResult> {
    count(op);
    const first = answered.get(req.reference);
    if (first) return first;
    const answer = Promise.resolve(applyFollowUp(op, req));
    answered.set(req.reference, answer);
    return answer;
  }

  function applyFollowUp(op: 'capture' | 'void' | 'refund', req: GatewayFollowUpRequest): GatewayResult {
    const c = charges.get(req.gatewayTransactionId);
    if (!c) return { status: 'declined', code: '12', message: 'Invalid transaction: unknown transaction id' };
    if (op === 'capture') {
      if (c.voided || c.captured + req.amount > c.amount) return { status: 'declined', code: '13', message: 'Invalid amount' };
      c.captured += req.amount;
    } else if (op === 'void') {
      if (c.voided || c.refunded > 0) return { status: 'declined', code: '12', message: 'Invalid transaction: cannot void' };
      c.voided = true;
    } else {
      if (c.voided || c.refunded + req.amount > c.captured) return { status: 'declined', code: '13', message: 'Invalid amount' };
      c.refunded += req.amount;
    }
    return { status: 'approved', gatewayTransactionId: op === 'refund' ? `sbx_${randomUUID()}` : c.gatewayTransactionId };
  }

  return {
    gateway: 'sandbox',
    declineTable: sandboxDeclines,
    name,
    charges,
    calls,
    capabilities: {
      authorize: true,
      sale: true,
      capture: true,
      partialCapture: true,
      void: true,
      refund: true,
      partialRefund: true,
      verify: true,
      lookup: true,
      idempotencyKeys: true,
      threeDS: true,
      networkTokens: true,
      networkTransactionIdWithCard: true,
      challenge: true,
      ...options.capabilities,
    },
    actionLifetimeMs: options.actionLifetimeMs,
    /** Starts a simulated challenge: a redirect to the challenge page, nothing charged. */
    async authenticate(req: GatewayAuthenticationRequest): Promise<GatewayResult> {
      count('authenticate');
      return { status: 'requires_action', action: { type: 'redirect', url: challengeUrl(req), method: 'GET' } };
    },
    /** Finishes it (see `SandboxOptions.complete`); a repeated completion reference answers the first result. */
    async complete(req: GatewayCompletionRequest, opts?: CallOptions): Promise<GatewayResult> {
      count('complete');
      const ms = latency();
      if (ms > 0) {
        try {
          await sleep(ms, opts?.signal);
        } catch {
          return { status: 'error', ambiguous: true, message: 'timed out waiting for the sandbox' };
        }
      }
      const first = answered.get(req.completionReference);
      if (first) return first;
      const answer = completeChallenge(req);
      answered.set(req.completionReference, answer);
      // A clear error or a further step processed nothing: the same reference may be tried again.
      answer.then((a) =>
        (a.status === 'error' && !a.ambiguous) || a.status === 'requires_action' ? answered.delete(req.completionReference) : undefined,
      );
      return answer;
    },
    authorize: (req, opts) => pay('authorize', req, opts),
    sale: (req, opts) => pay('sale', req, opts),
    verify: (req, opts) => pay('verify', req, opts),
    capture: (req) => followUp('capture', req),
    void: (req) => followUp('void', req),
    refund: (req) => followUp('refund', req),
    async lookup(req: GatewayLookupRequest): Promise<GatewayLookupResult> {
      count('lookup');
      const id = byReference.get(req.reference);
      if (!id) return { status: 'not_found' };
      const c = charges.get(id)!;
      return { status: 'approved', gatewayTransactionId: id, networkTransactionId: c.networkTransactionId };
    },
  };
}
