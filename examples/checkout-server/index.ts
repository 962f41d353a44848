/**
 * Start the example checkout server:
 *
 *   npx tsx examples/checkout-server/index.ts
 *
 * Environment: `PORT` (default 3000; 0 picks a free port), `SWITCHYARD_DB` (SQLite file,
 * default ./switchyard.db). It prints `listening on <url>` once it accepts requests.
 *
 *   curl -s localhost:3000/checkout -H 'content-type: application/json' -d '{"idempotencyKey":"order-1",
 *     "amount":1999,"currency":"USD","card":{"number":"4111111111111111","expMonth":12,"expYear":2030,"cvc":"123"}}'
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { listen, type RunningServer } from './app';
import { checkoutRouter } from './router';

/** Start the server from the environment; resolves once it listens. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`PORT: must be a port number, got "${env.PORT}"`);
  const { router, close } = checkoutRouter(env.SWITCHYARD_DB ?? 'switchyard.db');
  const running = await listen(router, port, { host: env.HOST });
  console.log(`listening on ${running.url}`);
  const stop = () =>
    running
      .close()
      .then(close)
      .then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return running;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
