/**
 * A webhook endpoint on loopback for tests: `POST /webhooks/<mid>` hands the raw body and the
 * headers to `router.handleWebhook` and answers what the receipt says (400 for a refusal, 500
 * when the ledger could not record it, so the fake gateway sends it again).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from '../../src/router';

/** A running endpoint. */
export interface WebhookEndpoint {
  /** The URL a MID's notifications go to. */
  url(mid: string): string;
  /** Answers given, by status. */
  readonly answers: Record<string, number>;
  close(): Promise<void>;
}

/** Start an endpoint in front of a router (or of whichever router `router()` returns at the time). */
export async function startWebhookEndpoint(target: Router | (() => Router)): Promise<WebhookEndpoint> {
  const current = typeof target === 'function' ? target : () => target;
  const answers: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const mid = decodeURIComponent((req.url ?? '').replace(/^\/webhooks\//, ''));
      const r = await current().handleWebhook({ mid, headers: req.headers, body: Buffer.concat(chunks) });
      const status = r.isOk() ? r.value.response.status : r.error.kind === 'rejected' ? 400 : 500;
      answers[status] = (answers[status] ?? 0) + 1;
      if (r.isOk()) res.writeHead(status, r.value.response.headers).end(r.value.response.body);
      else res.writeHead(status, { 'content-type': 'text/plain' }).end(r.error.kind);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (mid) => `http://127.0.0.1:${port}/webhooks/${encodeURIComponent(mid)}`,
    answers,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
