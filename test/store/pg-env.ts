/**
 * Where the PostgreSQL tests get their server: the vitest global setup
 * (`test/support/postgres.global.ts`) provides `SWITCHYARD_TEST_PG_URL` when it is set, or else
 * the URL of a throw-away embedded server it started. The suites always run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, inject } from 'vitest';

/** Connection string of the test server. */
export const PG_URL: string = inject('switchyardPgUrl');

/** A fresh schema name, so each store under test starts empty. */
export function testSchema(tag = 't'): string {
  return `sy_${tag}_${randomBytes(5).toString('hex')}`;
}

/** A fresh schema for this suite, dropped when the suite ends. Call inside a `describePg` body. */
export function scratchSchema(url: string, tag: string): string {
  const schema = testSchema(tag);
  afterAll(async () => {
    const pool = new pg.Pool({ connectionString: url });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });
  return schema;
}

/** `describe` for suites needing PostgreSQL: the body gets the server's connection string. */
export function describePg(name: string, body: (url: string) => void): void {
  if (!PG_URL) throw new Error('no PostgreSQL URL: run the tests with vitest (its global setup provides one)');
  describe(name, () => body(PG_URL));
}
