/**
 * `npm test` must exit non-zero when a test fails, with the PostgreSQL global setup in place: a
 * dependency's exit hook once turned failed runs into passing ones (exit code 0). A child vitest
 * runs one fixture test with this project's global setup, once failing and once passing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sy-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'vitest.config.mjs');
writeFileSync(
  config,
  `export default { test: { root: ${JSON.stringify(ROOT)}, include: ['test/package/fixtures/outcome.check.ts'], globalSetup: [${JSON.stringify(join(ROOT, 'test/support/postgres.global.ts'))}] } };\n`,
);

function run(outcome: 'pass' | 'fail', env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config], {
    cwd: ROOT,
    env: { ...process.env, ...env, OUTCOME: outcome, CI: 'true' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return r.status;
}

describe('the test command exit code', () => {
  it('is 1 when a test fails and 0 when all pass, with the embedded PostgreSQL global setup', () => {
    const noUrl = { SWITCHYARD_TEST_PG_URL: '' };
    expect(run('fail', noUrl)).toBe(1);
    expect(run('pass', noUrl)).toBe(0);
  }, 180_000);
});
