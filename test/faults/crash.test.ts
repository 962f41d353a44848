/**
 * Killing the router process between the gateway's approval and the store write: a child process
 * (a checkout server on SQLite or PostgreSQL) sells against the fake gateways, which live in this
 * process and keep their books; a fake answers one approval slowly, and the child is killed with
 * SIGKILL once the fake has booked the charge and before the child could hear of it. A fresh
 * router on the same database reconciles: every charge is in the ledger exactly once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresStore } from '../../src/store/postgres';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { describePg, scratchSchema } from '../store/pg-env';
import { startGateways, type FakeGateway } from './gateways';
import { audit, faultRouter, postgresLedger, sqliteLedger, type Ledger } from './harness';
import { LOOKUP_GATEWAYS } from './suite';

const ROOT = resolve(__dirname, '../..');
const ROUNDS = 4;
/** Every router of the test (children included) shares one clock origin. */
const T0 = Date.now();

async function waitFor(cond: () => boolean, ms = 10_000) {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Run a worker until a charge on `victim` is booked but unanswered, then SIGKILL it. */
async function crashOnce(gateways: FakeGateway[], victim: FakeGateway, target: string, tag: string): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/faults/fixtures/crash-worker.ts',
      JSON.stringify(gateways.map(({ mid, gateway, url }) => ({ mid, gateway, url }))),
      target,
      tag,
      String(T0),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  let finished = 0;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (l) => {
    if (l !== 'ready') finished++;
  });
  await waitFor(() => finished >= 20, 60_000).catch((e) => {
    throw new Error(`${e.message}: worker stderr:\n${stderr}`);
  });
  // The victim books the next charge, then holds its answer far beyond the child's life.
  const before = victim.book().length;
  victim.inject({ type: 'slow', ms: 60_000 });
  await waitFor(() => victim.book().length > before);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return finished;
}

async function crashSuite(gateways: FakeGateway[], target: string, open: () => Store, ledger: () => Promise<Ledger> | Ledger) {
  let sold = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Victims: gateways the router can ask by reference (after a crash nothing else can settle it)
    // whose charge is one request, so the held answer is the approval itself.
    const victims = gateways.filter((g) => g.gateway === 'nmi' || g.gateway === 'authorizenet');
    sold += await crashOnce(gateways, victims[round % victims.length], target, `crash${round}`);
  }
  // Reconciliation may run on two servers at once: the first resolver wins, none doubles.
  const [s1, s2] = [open(), open()];
  const pending = async () => (await s1.listPendingAttempts(Number.MAX_SAFE_INTEGER)).length;
  const pendingBefore = await pending();
  const [r1, r2] = [faultRouter(gateways, s1, 1, T0), faultRouter(gateways, s2, 2, T0)];
  const [a, b] = await Promise.all([r1.reconcile({ olderThanMs: 0 }), r2.reconcile({ olderThanMs: 0 })]);
  const report = audit(gateways, await ledger(), LOOKUP_GATEWAYS);
  console.log(
    `\n[crash test ${target.split(':')[0]}] ${ROUNDS} SIGKILLs after ${sold} finished sales; ${pendingBefore} attempts pending; reconcile A ${JSON.stringify(a)}; B ${JSON.stringify(b)}; ` +
      `gateway charges ${report.gatewayCharges}, approved in ledger ${report.approvedInLedger}, pending for review ${report.pendingForReview}; violations ${report.violations.length}\n`,
  );
  expect(report.violations).toEqual([]);
  // Each killed sale was found approved, and every attempt was settled by exactly one of the two servers.
  expect(a.approved + b.approved).toBeGreaterThanOrEqual(ROUNDS);
  const settled = (r: typeof a) => r.approved + r.declined + r.notFound;
  expect(settled(a) + settled(b)).toBe(pendingBefore - (await pending()));
  await s1.close();
  await s2.close();
}

describe('router killed between the gateway approval and the store write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('SQLite: a fresh router reconciles every charge into the ledger exactly once', async () => {
    const gateways = await startGateways();
    try {
      const path = join(dir, 'crash.db');
      await crashSuite(
        gateways,
        `sqlite:${path}`,
        () => sqliteStore({ path }),
        () => sqliteLedger(path),
      );
    } finally {
      await Promise.all(gateways.map((g) => g.close()));
    }
  }, 180_000);
});

describePg('router killed between the gateway approval and the store write (PostgreSQL)', (url) => {
  const schema = scratchSchema(url, 'crash');
  it('PostgreSQL: a fresh router reconciles every charge into the ledger exactly once', async () => {
    const gateways = await startGateways();
    try {
      await crashSuite(
        gateways,
        `pg:${url}:${schema}`,
        () => postgresStore({ connectionString: url, schema }),
        () => postgresLedger(url, schema),
      );
    } finally {
      await Promise.all(gateways.map((g) => g.close()));
    }
  }, 180_000);
});
