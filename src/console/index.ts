/**
 * `switchyard/console`: a read-only support page as a request handler for node:http, mountable
 * in Express (`app.use('/support', handler)`) or Fastify (`reply.hijack()` then
 * `handler(request.raw, reply.raw)`). Search by order id, e-mail or card last four; a
 * transaction with its attempts, failure notes and routing decision; a subscription with its
 * charges; the MIDs' health. Server-rendered HTML with one inline style sheet, no script, no
 * external asset. Every request needs the access token (bearer header, or the session cookie
 * of the sign-in form; compared in constant time); every response carries a strict
 * Content-Security-Policy; every value is escaped; cards show as BIN + last four.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from '../router';
import type { TransactionFilter } from '../operations/support';
import { FilterError } from '../errors';
import { authorized, safeEqual, SESSION_COOKIE, sessionValue } from './auth';
import type { SafeHtml } from './html';
import {
  linksAt,
  messagePage,
  midsPage,
  SEARCH_KINDS,
  type SearchResult,
  searchPage,
  signInPage,
  subscriptionPage,
  transactionPage,
} from './pages';
import { CONSOLE_CSP } from './style';

export { CONSOLE_CSP } from './style';
export { escapeHtml } from './html';

/** Options of `createConsole`. */
export interface ConsoleOptions {
  /** The router whose ledger the page reads (it never writes). */
  router: Router;
  /** The access token (at least 16 characters; use a long random one from your secrets manager). */
  token: string;
  /**
   * Where the handler is mounted, e.g. `'/support'`, for its links. Default: Express's
   * `req.baseUrl`, else the root. A request URL starting with it has it removed.
   */
  basePath?: string | undefined;
  /** Mark the session cookie `Secure` (sent over HTTPS only). Default: when the request came over TLS or `X-Forwarded-Proto: https`. */
  secureCookie?: boolean | undefined;
  /** Clock for the MID page (ms since epoch). */
  clock?: (() => number) | undefined;
  /** Told of an error that made a page fail (the page itself says only that it failed). */
  onError?: ((error: unknown) => void) | undefined;
}

/** A node:http request handler (Express passes a third `next` argument; it is not needed). */
export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const MAX_BODY = 4_096;

/** Read a small urlencoded body (sign-in form). */
function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', () => resolve(undefined));
  });
}

/** Read a search box: what it is searched as, and the router filter. */
export function readQuery(
  q: string,
  by: keyof typeof SEARCH_KINDS,
): { filter?: TransactionFilter; readAs: string; transactionId?: string } {
  const v = q.trim();
  const as = by === 'auto' ? (/^tx_/.test(v) ? 'transaction' : /^\d{4}$/.test(v) ? 'last4' : v.includes('@') ? 'email' : 'order') : by;
  switch (as) {
    case 'transaction':
      return { transactionId: v, readAs: 'transaction id' };
    case 'last4':
      return { filter: { last4: v }, readAs: 'card last four' };
    case 'email':
      return { filter: { email: v }, readAs: 'e-mail' };
    case 'customer':
      return { filter: { customerId: v }, readAs: 'customer id' };
    case 'subscription':
      return { filter: { subscriptionId: v }, readAs: 'subscription id' };
    default:
      return { filter: { orderId: v }, readAs: 'order id' };
  }
}

/**
 * Create the console's request handler.
 * @throws TypeError when the token is missing or shorter than 16 characters, or the router is not one.
 * @example
 * import { createConsole } from 'switchyard/console';
 * const support = createConsole({ router, token: process.env.CONSOLE_TOKEN!, basePath: '/support' });
 * http.createServer((req, res) => (req.url?.startsWith('/support') ? support(req, res) : app(req, res)));
 */
export function createConsole(options: ConsoleOptions): ConsoleHandler {
  const { router, token } = options ?? ({} as ConsoleOptions);
  if (typeof token !== 'string' || token.length < 16)
    throw new TypeError('createConsole: token: must be a secret of at least 16 characters');
  if (!router || typeof router.transactions !== 'function')
    throw new TypeError('createConsole: router: must be a router made by createRouter');
  const clock = options.clock ?? Date.now;
  const session = sessionValue(token);

  return async function consoleHandler(req, res) {
    const mounted = (req as unknown as { baseUrl?: unknown }).baseUrl;
    const base = options.basePath ?? (typeof mounted === 'string' ? mounted : '');
    const links = linksAt(base);
    const send = (status: number, page: SafeHtml | undefined, extra: Record<string, string> = {}) => {
      if (res.headersSent) return;
      const body = page ? Buffer.from(page.value, 'utf8') : Buffer.alloc(0);
      res.writeHead(status, { ...HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.length), ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://console.invalid');
      let path = url.pathname;
      if (links.base && (path === links.base || path.startsWith(`${links.base}/`))) path = path.slice(links.base.length);
      if (path === '') path = '/';
      const secure =
        options.secureCookie ??
        ((req.socket as { encrypted?: boolean } | undefined)?.encrypted === true || req.headers['x-forwarded-proto'] === 'https');
      const cookie = (value: string, maxAge: number) =>
        `${SESSION_COOKIE}=${value}; Path=${links.base || '/'}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;

      if (path === '/login' && req.method === 'POST') {
        const form = await readForm(req);
        const given = form?.get('token') ?? '';
        if (!safeEqual(given, token) || !given)
          return send(401, signInPage(links, true), { 'WWW-Authenticate': 'Bearer realm="switchyard console"' });
        return send(303, undefined, { Location: links.home(), 'Set-Cookie': cookie(session, 8 * 3_600) });
      }
      if (!authorized(req, token)) return send(401, signInPage(links, false), { 'WWW-Authenticate': 'Bearer realm="switchyard console"' });
      if (path === '/logout' && req.method === 'POST') return send(303, undefined, { Location: links.home(), 'Set-Cookie': cookie('', 0) });
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(405, messagePage(links, 'Not allowed', 'This page is read-only.'), { Allow: 'GET, HEAD' });

      if (path === '/') {
        const q = url.searchParams.get('q');
        if (q === null || !q.trim()) return send(200, searchPage(links));
        const byParam = url.searchParams.get('by') ?? 'auto';
        const by = (Object.hasOwn(SEARCH_KINDS, byParam) ? byParam : 'auto') as keyof typeof SEARCH_KINDS;
        const cursor = url.searchParams.get('cursor') ?? undefined;
        const read = readQuery(q, by);
        const result: SearchResult = { q, by, readAs: read.readAs, transactions: [] };
        try {
          if (read.transactionId) {
            const t = await router.transaction(read.transactionId);
            if (t) result.transactions = [t];
          } else {
            const page = await router.transactions({ ...read.filter, limit: 25, ...(cursor && { cursor }) });
            result.transactions = page.transactions;
            result.nextCursor = page.nextCursor;
            // An order id that matches nothing may be a customer id.
            if (by === 'auto' && read.readAs === 'order id' && !page.transactions.length && !cursor) {
              const asCustomer = await router.transactions({ customerId: q.trim(), limit: 25 });
              if (asCustomer.transactions.length) Object.assign(result, { transactions: asCustomer.transactions, readAs: 'customer id' });
            }
          }
          const sub = by === 'auto' || by === 'subscription' ? await router.pin(q.trim()) : undefined;
          if (sub) result.subscription = sub.subscriptionId;
        } catch (e) {
          if (!(e instanceof FilterError)) throw e;
          result.problem = `${SEARCH_KINDS[by]}: ${e.problem}`;
        }
        return send(200, searchPage(links, result));
      }
      const [, kind, rawId, extra] = path.split('/');
      let id = '';
      try {
        id = rawId === undefined ? '' : decodeURIComponent(rawId);
      } catch {
        return send(404, messagePage(links, 'Not found', 'There is no such page.'));
      }
      if (kind === 'transactions' && id && extra === undefined) {
        const t = await router.transaction(id);
        if (!t) return send(404, messagePage(links, 'Not found', 'There is no transaction with this id.'));
        return send(200, transactionPage(links, t, await router.attempts(id)));
      }
      if (kind === 'subscriptions' && id && extra === undefined) {
        const s = await router.subscription(id);
        if (!s) return send(404, messagePage(links, 'Not found', 'There is no pinned subscription with this id.'));
        return send(200, subscriptionPage(links, s));
      }
      if (path === '/mids') {
        const [status, health] = await Promise.all([router.midStatus(), router.midHealth()]);
        return send(200, midsPage(links, status, clock(), new Map(health.mids.map((h) => [h.mid, h]))));
      }
      return send(404, messagePage(links, 'Not found', 'There is no such page.'));
    } catch (e) {
      try {
        options.onError?.(e);
      } catch {
        // the page answers anyway
      }
      // No detail leaves the server: it could name internals.
      return send(
        500,
        messagePage(links, 'Something went wrong', 'The page could not be built. Try again; if it persists, check the server logs.'),
      );
    }
  };
}
