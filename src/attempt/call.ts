/**
 * The adapter boundary: every gateway call goes through `callAdapter`, with a hard time limit,
 * and what comes back is checked before the router believes it. An adapter that throws (even
 * synchronously), rejects, or answers with a shape it should not is an ambiguous error with a
 * redacted message: the request may have reached the gateway, so it is never cascaded.
 * @module
 */
import { z } from 'zod';
import type { MidRuntime } from '../accounts';
import type { CallOptions, GatewayError, GatewayLookupRequest, GatewayLookupResult, GatewayResult } from '../adapter';
import { redact } from '../card/redact';
import type { RouterContext } from '../context';

/** Longest gateway text the router keeps (codes and messages beyond it are cut). */
const MAX_TEXT = 500;
const text = z
  .string()
  .max(4 * MAX_TEXT)
  .optional();
const id = z.string().min(1).max(MAX_TEXT);

const approved = z.object({
  status: z.literal('approved'),
  gatewayTransactionId: id,
  authCode: text,
  networkTransactionId: text,
  gatewayToken: text,
  approvedAmount: z.number().int().nonnegative().optional(),
  heldForReview: z.boolean().optional(),
  pending: z.boolean().optional(),
  avsResult: text,
  cvvResult: text,
});
const declined = z.object({
  status: z.literal('declined'),
  code: text,
  message: text,
  advice: text,
  gatewayTransactionId: text,
  avsResult: text,
  cvvResult: text,
});
/** Gateway data handed to the checkout page and kept on the transaction: every string redacted, however deep. */
function redactDeep(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return redact(v);
  if (depth > 8 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, depth + 1));
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, redactDeep(x, depth + 1)]));
}
const actionData = z.record(z.string(), z.unknown()).transform((d) => redactDeep(d) as Record<string, unknown>);

const requiresAction = z.object({
  status: z.literal('requires_action'),
  action: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('redirect'),
      url: z.string().min(1).max(4096).transform(redact),
      method: z.enum(['GET', 'POST']),
      data: z.record(z.string(), z.string().transform(redact)).optional(),
    }),
    z.object({ type: z.literal('sdk'), gateway: z.string().min(1).max(100), data: actionData }),
  ]),
  gatewayTransactionId: text,
});
const error = z.object({
  status: z.literal('error'),
  ambiguous: z.boolean(),
  message: z.string().catch('gateway error'),
  code: text,
  httpStatus: z.number().optional(),
  merchantError: z.boolean().optional(),
});
const resultSchema = z.discriminatedUnion('status', [approved, declined, requiresAction, error]);
const lookupSchema = z.discriminatedUnion('status', [approved, declined, error, z.object({ status: z.literal('not_found') })]);

/** A gateway's free text, redacted and cut. Ids and codes that carry meaning (network transaction ids) are left as they are. */
const clean = (s: string | undefined) => (s === undefined ? undefined : redact(s).slice(0, MAX_TEXT));

/** Redact the texts of a checked answer (messages and codes may echo what was sent). */
function sanitize<R extends { status: string }>(r: R): R {
  const x = r as unknown as Record<string, string | undefined>;
  if (r.status === 'declined') return { ...r, code: clean(x.code), message: clean(x.message), advice: clean(x.advice) };
  if (r.status === 'error') return { ...r, code: clean(x.code), message: clean(x.message) ?? 'gateway error' };
  return r;
}

/** An ambiguous error: the request may have reached the gateway. */
export function ambiguousError(message: string): GatewayError {
  return { status: 'error', ambiguous: true, message: redact(message).slice(0, MAX_TEXT) };
}

function describe(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'an unprintable value';
  }
}

/** Why a value is not a gateway answer, in a few words (never its content). */
function shapeProblem(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  const i = issues[0];
  return i ? `${i.path.map(String).join('.') || 'answer'}: ${i.message}` : 'not a gateway answer';
}

/**
 * Call an adapter with a hard time limit and check its answer. A call that outlives the limit,
 * throws, rejects, or answers an unknown shape is ambiguous.
 */
export async function callAdapter<L extends boolean = false>(
  fn: (signal: AbortSignal) => Promise<unknown> | unknown,
  timeoutMs: number,
  lookup?: L,
): Promise<L extends true ? GatewayLookupResult : GatewayResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<GatewayError>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(ambiguousError(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  let raw: unknown;
  try {
    const call = new Promise<unknown>((resolve) => resolve(fn(controller.signal))).catch((e: unknown) =>
      ambiguousError(`adapter threw: ${describe(e)}`),
    );
    raw = await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
  const parsed = (lookup ? lookupSchema : resultSchema).safeParse(raw);
  if (!parsed.success) return ambiguousError(`adapter answered with an unknown shape (${shapeProblem(parsed.error.issues)})`) as never;
  return sanitize(parsed.data) as never;
}

/** Time allowed for the next gateway call: `attemptMs`, or what is left of the transaction's `totalMs`. */
export function callBudget(ctx: RouterContext, deadline: number): number {
  return Math.min(ctx.timeouts.attemptMs, deadline - ctx.clock());
}

/** Resends of an ambiguous call on the same MID, when its gateway deduplicates by idempotency key. */
export const SAME_MID_RESENDS = 2;

/** How an ambiguous call can be settled: resend the same request, or look it up by our reference. */
export interface Resolution {
  /** Send the very same request again (same reference, so the same idempotency key). */
  resend?(opts: CallOptions): Promise<GatewayResult>;
  /** Find the call at the gateway by our reference. */
  lookup?: GatewayLookupRequest;
}

/**
 * Settle an ambiguous outcome without risking a second charge. When the gateway deduplicates by
 * idempotency key, the same request is resent on the same MID (never another MID); when it can
 * be asked, it is looked up by our reference. Only an approval, a decline or a 3-D Secure
 * challenge settles it: any error, even a clear one, keeps it ambiguous, because it does not
 * prove the first call did nothing. A lookup's `not_found` does not settle it either while the
 * transaction is live (the first call may still be in flight): `reconcile` decides that later.
 */
export async function resolveAmbiguous(
  ctx: RouterContext,
  mid: MidRuntime,
  first: GatewayError,
  deadline: number,
  how: Resolution,
): Promise<GatewayResult> {
  const notes = [first.message];
  const caps = mid.adapter.capabilities;
  if (how.resend && caps.idempotencyKeys) {
    for (let i = 0; i < SAME_MID_RESENDS; i++) {
      const budget = callBudget(ctx, deadline);
      if (budget <= 0) break;
      const r = await callAdapter((signal) => how.resend!({ signal, timeoutMs: budget }), budget);
      if (r.status !== 'error') return r;
      notes.push(`resend: ${r.message}`);
    }
  }
  const budget = callBudget(ctx, deadline);
  if (how.lookup && caps.lookup && mid.adapter.lookup && budget > 0) {
    const r = await callAdapter((signal) => mid.adapter.lookup!(how.lookup!, { signal, timeoutMs: budget }), budget, true);
    if (r.status === 'approved' || r.status === 'declined') return r;
    notes.push(r.status === 'not_found' ? 'lookup: not found yet' : `lookup: ${r.message}`);
  }
  return { ...first, ambiguous: true, message: notes.join('; ').slice(0, MAX_TEXT) };
}
