/**
 * Where the PostgreSQL tests get their server: `SWITCHYARD_TEST_PG_URL`. Locally, without it,
 * they skip with a visible message; in CI (`CI=true`) a missing URL fails the run instead.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';

/** Connection string of the test server, if any. */
export const PG_URL = process.env.SWITCHYARD_TEST_PG_URL || undefined;

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

/** `describe` for suites needing PostgreSQL: runs with the URL, skips loudly locally, fails in CI. */
export function describePg(name: string, body: (url: string) => void): void {
  if (PG_URL) {
    describe(name, () => body(PG_URL));
    return;
  }
  if (process.env.CI === 'true' || process.env.CI === '1') {
    describe(name, () => {
      it('needs SWITCHYARD_TEST_PG_URL', () => {
        throw new Error('CI=true but SWITCHYARD_TEST_PG_URL is not set: the PostgreSQL tests must run in CI (.ci/run sets it)');
      });
    });
    return;
  }
  console.warn(
    `\n[switchyard] SKIPPING PostgreSQL tests "${name}": set SWITCHYARD_TEST_PG_URL=postgres://user:pass@127.0.0.1:5432/db to run them\n`,
  );
  describe.skip(`${name} (skipped: SWITCHYARD_TEST_PG_URL is not set)`, () => body(''));
}
