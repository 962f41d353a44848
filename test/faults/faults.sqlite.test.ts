/**
 * Fault injection on SQLite: 10,000 transactions over six fake gateways with random timeouts,
 * resets, 5xx, malformed and truncated bodies and slow answers; after reconciliation no approval
 * is lost and nothing is charged twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sqliteStore } from '../../src/store/sqlite';
import { sqliteLedger } from './harness';
import { faultRun, RUN } from './suite';

const dir = mkdtempSync(join(tmpdir(), 'sy-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it(`${RUN.transactions} transactions with injected faults on SQLite: no lost approval, no double charge`, async () => {
  const path = join(dir, 'faults.db');
  const store = sqliteStore({ path });
  const report = await faultRun('sqlite', store, () => sqliteLedger(path));
  await store.close();
  expect(report.violations).toEqual([]);
  expect(report.gatewayCharges).toBeGreaterThan(RUN.transactions / 2);
}, 600_000);
