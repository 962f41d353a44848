/**
 * HTTP plumbing shared by the gateway adapters: an axios instance with keep-alive agents and
 * explicit timeouts, transport retries with p-retry, and the one classification every adapter
 * needs: did the request possibly reach the gateway (ambiguous) or certainly not?
 *
 * Transport retries happen only when they cannot charge twice: errors raised before any byte
 * was sent (connection refused, DNS failure), or any transport error when the gateway
 * deduplicates by idempotency key and the request carries one.
 * @module
 */
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import http from 'node:http';
import https from 'node:https';
import pRetry, { AbortError } from 'p-retry';
import { redact } from '../../src/card/redact';
import type { CallOptions, GatewayError } from '../../src/adapter';

/** Options every HTTP adapter factory accepts. */
export interface HttpAdapterOptions {
  /** Base URL of the gateway API; defaults to the live URL. Tests point it at loopback. */
  baseUrl?: string | undefined;
  /** Per-request timeout, ms. Default 30,000. */
  timeoutMs?: number | undefined;
  /** Bring your own axios instance (proxies, interceptors). */
  axios?: AxiosInstance | undefined;
  /** Transport retries for requests that cannot have been processed. Default 2. */
  transportRetries?: number | undefined;
}

/** Error codes raised before the request could reach the server: safe to retry anywhere. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
  'ERR_CANCELED_BEFORE_SEND',
]);

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/**
 * An axios instance of this adapter: keep-alive agents, no status-based throwing, the given base
 * URL and timeout. A user's own instance (proxies, interceptors) is never modified: requests are
 * handed to it with these settings per request, so one instance can serve several MIDs.
 */
export function createHttpClient(baseUrl: string, options: HttpAdapterOptions = {}): AxiosInstance {
  const user = options.axios;
  return axios.create({
    baseURL: options.baseUrl ?? baseUrl,
    timeout: options.timeoutMs ?? 30_000,
    httpAgent: agents.http,
    httpsAgent: agents.https,
    validateStatus: () => true,
    maxRedirects: 0,
    ...(user && {
      adapter: (config) => {
        const { adapter: _ours, ...rest } = config;
        return user.request(rest);
      },
    }),
  });
}

/** True when a transport error means the request never left this machine. */
export function neverSent(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code !== undefined && NOT_SENT.has(code);
}

/** A transport failure as a gateway error: ambiguous unless the request certainly never left. */
export function transportError(error: unknown): GatewayError {
  const e = error as { code?: string; message?: string };
  const sent = !neverSent(error);
  const what = e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' ? 'timed out' : (e.code ?? 'transport error');
  return {
    status: 'error',
    ambiguous: sent,
    code: e.code,
    message: redact(`${what}${sent ? ' after the request was sent' : ' before the request was sent'}: ${e.message ?? String(error)}`),
  };
}

/** Options of `send`. */
export interface SendOptions extends CallOptions {
  /** The gateway deduplicates this request by an idempotency key it carries. */
  idempotent?: boolean;
  /** Retries (default 2); 0 disables. */
  retries?: number;
}

/**
 * Send a request with bounded, jittered transport retries. Resolves with the HTTP response
 * (any status) or with a `GatewayError` for transport failures.
 */
export async function send<T = unknown>(
  client: AxiosInstance,
  config: AxiosRequestConfig,
  options: SendOptions = {},
): Promise<AxiosResponse<T> | GatewayError> {
  try {
    return await pRetry(
      async () => {
        try {
          // The tighter of the adapter's own timeout and the router's per-call budget.
          const timeout = Math.min(options.timeoutMs ?? Infinity, config.timeout ?? client.defaults.timeout ?? Infinity);
          return await client.request<T>({ ...config, signal: options.signal, ...(Number.isFinite(timeout) && { timeout }) });
        } catch (error) {
          if (options.signal?.aborted) throw new AbortError(error as Error);
          if (neverSent(error) || options.idempotent) throw error;
          throw new AbortError(error as Error);
        }
      },
      { retries: options.retries ?? 2, minTimeout: 50, maxTimeout: 1_000, randomize: true, maxRetryTime: options.timeoutMs ?? 30_000 },
    );
  } catch (error) {
    return transportError(error);
  }
}

/** True when `send` returned a transport error rather than a response. */
export function isTransportError(r: AxiosResponse | GatewayError): r is GatewayError {
  return (r as GatewayError).status === 'error' && !('headers' in r);
}

/** A gateway's 5xx answer: ambiguous, since the gateway may have processed it before failing. */
export function serverError(res: AxiosResponse, gateway: string): GatewayError {
  return { status: 'error', ambiguous: true, httpStatus: res.status, message: `${gateway} answered HTTP ${res.status}` };
}
