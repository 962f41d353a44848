/**
 * A fake gateway HTTP server on 127.0.0.1 (random port) with fault injection. Each gateway's fake
 * (`test/fakes/<gateway>.ts`) supplies the handler that speaks its wire format; this module gives
 * them the server, the request log and the faults: time out, reset the connection, answer 5xx,
 * send a malformed body, or cut an approval mid-stream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What a handler answers. */
export interface FakeResponse {
  status: number;
  body: string | object;
  headers?: Record<string, string>;
}

/** A fault to inject on the next matching request(s). */
export type Fault =
  /** Never answer (the client times out) — after processing (`afterProcessing`) or before. */
  | { type: 'timeout'; afterProcessing: boolean }
  /** Destroy the socket without answering, after processing or before. */
  | { type: 'reset'; afterProcessing: boolean }
  /** Answer this HTTP status with a body that is not the gateway's format. */
  | { type: 'status'; status: number; body?: string }
  /** Answer 200 with a malformed body, after processing. */
  | { type: 'malformed' }
  /** Send the headers and half the body, then destroy the socket, after processing. */
  | { type: 'truncate' }
  /** Answer after a delay (ms); with `beforeMs`, also wait that long before processing (a request still in flight). */
  | { type: 'slow'; ms: number; beforeMs?: number };

/** A running fake server. */
export interface FakeServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Queue faults for the next requests (first in, first out). */
  inject(...faults: Fault[]): void;
  /** Drop the faults still queued (the outage is over); returns how many there were. */
  clearFaults(): number;
  close(): Promise<void>;
}

/**
 * Start a fake server. `handle` is called to process a request (and record any charge) unless a
 * fault stops it before processing.
 */
export async function startFakeServer(handle: (req: RecordedRequest) => FakeResponse | Promise<FakeResponse>): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const fault = faults.shift();
      const before = fault && (fault.type === 'timeout' || fault.type === 'reset') && !fault.afterProcessing;
      if (fault?.type === 'status') {
        res
          .writeHead(fault.status, { 'content-type': 'text/html' })
          .end(fault.body ?? `<html><body>${fault.status} Bad Gateway</body></html>`);
        return;
      }
      if (before) {
        if (fault!.type === 'reset') req.socket.destroy();
        return; // timeout: never answer
      }
      if (fault?.type === 'slow' && fault.beforeMs) await new Promise((r) => setTimeout(r, fault.beforeMs));
      let out: FakeResponse;
      try {
        out = await handle(rec);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`fake server error: ${(e as Error).message}`);
        return;
      }
      if (fault?.type === 'timeout') return;
      if (fault?.type === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault?.type === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
      const body = typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
      const headers = { 'content-type': typeof out.body === 'string' ? 'text/plain' : 'application/json', ...out.headers };
      if (fault?.type === 'malformed') {
        res.writeHead(200, headers).end(body.slice(0, Math.max(1, Math.floor(body.length / 3))) + '\u0000<garbage');
        return;
      }
      if (fault?.type === 'truncate') {
        res.writeHead(out.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
        res.write(body.slice(0, Math.floor(body.length / 2)));
        setTimeout(() => req.socket.destroy(), 5);
        return;
      }
      res.writeHead(out.status, headers).end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (...f) => faults.push(...f),
    clearFaults: () => faults.splice(0).length,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
