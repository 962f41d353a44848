/**
 * The PostgreSQL of the test run: the global setup hands every suite a live server, and the
 * throw-away server it starts without SWITCHYARD_TEST_PG_URL is a real PostgreSQL that leaves
 * nothing behind.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { startThrowawayPostgres } from './embedded-postgres';

const query = async (url: string, sql: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

describe('PostgreSQL for the test run', () => {
  it('every suite gets a server that answers, given or started by the global setup', async () => {
    const url = inject('switchyardPgUrl');
    expect(url).toMatch(/^postgres(ql)?:\/\//);
    if (process.env.SWITCHYARD_TEST_PG_URL) expect(url).toBe(process.env.SWITCHYARD_TEST_PG_URL);
    else expect(url).toMatch(/@127\.0\.0\.1:\d+\//);
    expect(await query(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('a throw-away server is real PostgreSQL on loopback, and stopping it deletes its data', async () => {
    const server = await startThrowawayPostgres();
    try {
      const [{ server_version_num }] = await query(server.url, 'SHOW server_version_num');
      expect(Number(server_version_num)).toBeGreaterThanOrEqual(170000);
      const [{ encoding }] = await query(
        server.url,
        "SELECT pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = 'postgres'",
      );
      expect(encoding).toBe('UTF8');
      expect(existsSync(server.dataDir)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDir)).toBe(false);
    await expect(query(server.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await server.stop(); // twice is fine
  });
});
