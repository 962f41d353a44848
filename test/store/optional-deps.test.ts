/** better-sqlite3 and pg are optional: switchyard imports without them and says what to install. */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOptional } from '../../src/store/optional';
import { MissingDependencyError } from '../../src/errors';

const ROOT = resolve(__dirname, '../..');

describe('optional peer dependencies', () => {
  it('imports switchyard without better-sqlite3 and pg, and each SQL store names the package to install', () => {
    const out = execFileSync(
      process.execPath,
      ['--require', './test/store/fixtures/hide-optional-deps.cjs', '--import', 'tsx', 'test/store/fixtures/without-optional-deps.ts'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const report = JSON.parse(out);
    expect(report.imported).toBe(true);
    expect(report.memoryWorks).toBe(true);
    expect(report.sqlite).toEqual({
      name: 'MissingDependencyError',
      dependency: 'better-sqlite3',
      isMissingDependencyError: true,
      message: 'sqliteStore needs the optional dependency "better-sqlite3": run `npm install better-sqlite3`',
    });
    expect(report.postgres).toEqual({
      name: 'MissingDependencyError',
      dependency: 'pg',
      isMissingDependencyError: true,
      message: 'postgresStore needs the optional dependency "pg": run `npm install pg`',
    });
  }, 30_000);

  it('loads an installed package and reports a missing one as MissingDependencyError', () => {
    expect(typeof loadOptional<{ Pool: unknown }>('pg', 'postgresStore').Pool).toBe('function');
    expect(() => loadOptional('switchyard-no-such-package', 'a feature')).toThrow(MissingDependencyError);
  });
});
