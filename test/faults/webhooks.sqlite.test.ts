/**
 * Webhook fault run on SQLite: 2,000 transactions over the six fakes with transport faults, and
 * their notifications late, twice, out of order and some never; afterwards the ledger equals each
 * fake's books, refunds and disputes included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sqliteStore } from '../../src/store/sqlite';
import { sqliteLedger } from './harness';
import { WEBHOOK_RUN, webhookFaultRun } from './webhook-run';

const dir = mkdtempSync(join(tmpdir(), 'sy-webhook-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it(`${WEBHOOK_RUN.transactions} transactions with notifications late, twice, out of order and some never (SQLite): the ledger equals the gateways' books`, async () => {
  const path = join(dir, 'webhooks.db');
  const store = sqliteStore({ path });
  const report = await webhookFaultRun('sqlite', store, () => sqliteLedger(path));
  await store.close();
  expect(report.violations).toEqual([]);
  expect(report.transactions).toBe(WEBHOOK_RUN.transactions);
  expect(Number(report.counts['deliveries.duplicates'])).toBeGreaterThan(0);
  expect(Number(report.counts['deliveries.dropped'])).toBeGreaterThan(0);
  expect(Number(report.counts.disputesOpened)).toBeGreaterThan(0);
}, 600_000);
