/**
 * 200 sales, each made by a fresh checkout process (the victim) that is SIGKILLed at a random
 * moment of it, while a second, long-lived checkout server on the same SQLite file or PostgreSQL
 * database makes its own sales and retries each victim's key as a checkout would: at once, and
 * (for most keys) again once the victim's lease ran out. The fake gateways (NMI and Braintree on
 * loopback HTTP) live in this process and keep the books.
 *
 * Kills are spread over the whole sale: before the store open, during it, between the open and
 * the gateway's booking (the call in flight; some fakes hold the request before processing it),
 * between attempts of a cascade, after the gateway booked but before settlement (some fakes hold
 * the answer), during and after settlement. At the end: past the lease, `reconcile()`, every key
 * retried once more, then the audit: every booked charge in the ledger exactly once and approved
 * (no lost approval), no key charged twice anywhere (no double charge), no claim left in
 * progress, no attempt left pending, cap counters equal to the approved amounts.
 *
 * SWITCHYARD_KILL_SALES and SWITCHYARD_KILL_SEED scale and vary a run.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capCounters } from '../../src/accounts';
import { routerContext } from '../../src/router';
import { postgresStore } from '../../src/store/postgres';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { describePg, scratchSchema } from '../store/pg-env';
import { seeded } from '../support/router';
import { DAY_START } from './constants';
import type { Outcome } from './fixtures/kill-worker';
import { killRouter, LEASE_MS, OWN_MID, VICTIM_MIDS, victimSale } from './fixtures/kill-shop';
import { type FakeGateway, startGateways } from './gateways';
import { audit, type Ledger, postgresLedger, sqliteLedger } from './harness';
import { LOOKUP_GATEWAYS } from './suite';

const ROOT = resolve(__dirname, '../..');
const SALES = Number(process.env.SWITCHYARD_KILL_SALES ?? 200);
const SEED = Number(process.env.SWITCHYARD_KILL_SEED ?? 13);
/** Victims started ahead, so one's start-up overlaps another's sale. */
const SPARES = 2;
/** Every process of the test shares one clock origin. */
const T0 = Date.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const buildDir = join(ROOT, 'test/faults/.build');
let workerBundle = '';

// Plain `node` on one bundled file: a fresh process is ready in a fraction of a second (tsx
// would cost seconds per spawn). Built from the sources, so it always runs the current core.
beforeAll(async () => {
  mkdirSync(buildDir, { recursive: true });
  workerBundle = join(buildDir, `kill-worker-${process.pid}.mjs`);
  await build({
    entryPoints: [join(ROOT, 'test/faults/fixtures/kill-worker.ts')],
    outfile: workerBundle,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The drivers load at run time from node_modules (native code; pg only on PostgreSQL).
    external: ['better-sqlite3', 'pg', 'pg-native'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
});
afterAll(() => rmSync(workerBundle, { force: true }));

/** A child process speaking lines. */
interface Proc {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  exited: Promise<NodeJS.Signals | null>;
  /** The first line (from the start) matching, waiting for it if need be. */
  line(match: (l: string) => boolean, ms?: number): Promise<string>;
  stderr(): string;
}

function start(role: 'victim' | 'server', config: string): Proc {
  const child = spawn(process.execPath, [workerBundle, role, config], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(l);
    for (const w of waiters) w();
  });
  let ended = false;
  const exited = new Promise<NodeJS.Signals | null>((r) =>
    child.on('exit', (_code, signal) => {
      ended = true;
      for (const w of waiters) w();
      r(signal);
    }),
  );
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    line: (match, ms = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const l = lines.find(match);
          if (l !== undefined) done(() => resolve(l));
          else if (ended) done(() => reject(new Error(`${role} exited before the line expected:\n${stderr}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${role}: no line expected within ${ms} ms:\n${stderr}`))), ms);
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      }),
  };
}

/**
 * Where a kill landed in the victim's sale, from its markers (`w`/`k` around each store write,
 * `a` when an attempt's call starts, `d` when the sale returned) and the gateways' books at the kill.
 */
function phaseOf(lines: string[], bookedAtKill: ReadonlySet<string>): string {
  if (lines.some((l) => l.startsWith('d '))) return 'after settlement';
  const marks = lines.filter((l) => /^[wka] ?/.test(l) && l !== 'ready').map((l) => ({ kind: l[0], id: l.split(' ')[1] }));
  const last = marks.at(-1);
  if (!last) return 'before the open';
  const lastAttempt = marks.reduce((at, m, i) => (m.kind === 'a' ? i : at), -1);
  if (lastAttempt >= 0 && bookedAtKill.has(marks[lastAttempt].id)) {
    const after = marks.slice(lastAttempt + 1);
    if (after.some((m) => m.kind === 'k')) return 'after settlement';
    return after.length ? 'during the settlement write' : 'booked, before settlement';
  }
  if (last.kind === 'a') return 'after the open, before the booking'; // the call is in flight
  const prev = marks.at(-2);
  if (last.kind === 'w') {
    if (marks.length === 1) return 'during the open write';
    return prev?.kind === 'a' ? 'during the settlement write' : 'between attempts (cascade)';
  }
  // A write ended: the open (the call starts next), or the settlement of a declined attempt.
  return marks.at(-3)?.kind === 'a' ? 'between attempts (cascade)' : 'after the open, before the booking';
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const tally = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});

/** What became of one victim's key. */
interface VictimRecord {
  n: number;
  phase: string;
  signal: NodeJS.Signals | null;
  attempts: string[];
  /** The long-lived server's retry right after the kill. */
  atOnce: Outcome;
  /** Its retry once the lease ran out (for most keys). */
  late?: Outcome | undefined;
  final?: Outcome | undefined;
}

const word = (o: Outcome) =>
  o.rejection === 'idempotency_in_progress'
    ? 'in progress'
    : `${o.ok ? 'approved' : o.kind}${o.replayed === false ? ' (charged by this retry)' : ''}`;

async function killRun(name: string, target: string, openStore: () => Store, readLedger: () => Promise<Ledger> | Ledger) {
  const started = Date.now();
  const gateways = await startGateways({ nmiDupSeconds: 0 });
  const servers: Proc[] = [];
  try {
    const used = gateways.filter((g) => (VICTIM_MIDS as readonly string[]).includes(g.mid));
    const config = JSON.stringify({ gateways: used.map(({ mid, gateway, url }) => ({ mid, gateway, url })), target, t0: T0 });
    const byMid = (mid: string) => gateways.find((g) => g.mid === mid) as FakeGateway;
    const victimBooks = () =>
      new Set(
        VICTIM_MIDS.flatMap((m) =>
          byMid(m)
            .book()
            .map((e) => e.reference),
        ),
      );

    const b = start('server', config);
    servers.push(b);
    await b.line((l) => l === 'ready');
    let retries = 0;
    const retry = async (req: ReturnType<typeof victimSale>): Promise<Outcome> => {
      const id = String(retries++);
      b.child.stdin.write(`retry ${id} ${JSON.stringify(req)}\n`);
      const l = await b.line((x) => x.startsWith(`r ${id} `));
      return JSON.parse(l.slice(`r ${id} `.length)) as Outcome;
    };

    const rnd = seeded(SEED);
    const spares: Proc[] = Array.from({ length: SPARES }, () => start('victim', config));
    const records: VictimRecord[] = [];
    const late: Promise<void>[] = [];
    const durations: number[] = [];
    // How long a sale takes in a fresh process (cold code, first connections): three victims
    // are let finish first (outside the count); later victims that finish before their kill add to it.
    for (let i = 0; i < 3; i++) {
      const v = spares.shift()!;
      spares.push(start('victim', config));
      await v.line((l) => l === 'ready');
      v.child.stdin.write(`${JSON.stringify(victimSale(10_000 + i))}\n`);
      durations.push(Number((await v.line((l) => l.startsWith('d '))).split(' ')[1]));
      v.child.kill('SIGKILL');
      await v.exited;
    }
    let expected = median(durations); // ms a victim's sale takes without held requests
    let lastKill = 0;
    let waitedForReady = 0;
    for (let n = 0; n < SALES; n++) {
      const v = spares.shift()!;
      spares.push(start('victim', config));
      const w0 = performance.now();
      await v.line((l) => l === 'ready');
      waitedForReady += performance.now() - w0;
      const req = victimSale(n);
      // Half the sales meet a gateway that holds the request before processing it and/or its
      // answer after booking (up to 40 ms each): kills land in the call and after the booking.
      const gw = byMid(req.amount < 100 ? 'braintree-1' : 'nmi-1');
      gw.clearFaults();
      const held = rnd() < 0.5 ? { beforeMs: Math.floor(rnd() * 40), ms: Math.floor(rnd() * 40) } : undefined;
      if (held) gw.inject({ type: 'slow', ...held });
      const window = 1.3 * (expected + (held ? held.beforeMs + held.ms : 0)) + 2;
      const killAfter = rnd() * window;
      v.child.stdin.write(`${JSON.stringify(req)}\n`);
      await sleep(killAfter);
      const bookedAtKill = victimBooks();
      v.child.kill('SIGKILL');
      const signal = await v.exited;
      lastKill = Date.now();
      const done = v.lines.find((l) => l.startsWith('d '));
      if (done) {
        durations.push(Number(done.split(' ')[1]) - (held ? held.beforeMs + held.ms : 0));
        expected = median(durations);
      }
      const rec: VictimRecord = {
        n,
        phase: phaseOf(v.lines, bookedAtKill),
        signal,
        attempts: v.lines.filter((l) => l.startsWith('a ')).map((l) => l.split(' ')[1]),
        atOnce: await retry(req),
      };
      records.push(rec);
      if (rnd() < 0.75) {
        late.push(
          sleep(LEASE_MS + 150).then(async () => {
            rec.late = await retry(req);
          }),
        );
      }
    }
    for (const s of spares) s.child.kill('SIGKILL'); // started ahead, never given a sale
    await Promise.all(late);
    b.child.stdin.write('stop\n');
    const ownSales = JSON.parse((await b.line((l) => l.startsWith('stopped '))).slice('stopped '.length)) as {
      sales: number;
      outcomes: Record<string, number>;
    };

    // Past every lease: reconcile, then every key once more, from a third server.
    await sleep(Math.max(0, lastKill + LEASE_MS + 100 - Date.now()));
    const store = openStore();
    const router = killRouter(
      used.map(({ mid, gateway, url }) => ({ mid, gateway, url })),
      store,
      T0,
    );
    const stuckBefore = (await store.listStaleClaims(Number.MAX_SAFE_INTEGER)).length;
    const reconciled = await router.reconcile();
    for (const rec of records) {
      const r = await router.sale(victimSale(rec.n));
      rec.final = r.isOk()
        ? { ok: true, transactionId: r.value.transactionId, replayed: r.value.replayed ?? false }
        : { ok: false, transactionId: r.error.transactionId, kind: r.error.kind, rejection: r.error.rejection, message: r.error.message };
    }
    const inProgress = await store.listStaleClaims(Number.MAX_SAFE_INTEGER);
    const pending = await store.listPendingAttempts(Number.MAX_SAFE_INTEGER);
    const ledger = await readLedger();
    // The audit against the fakes' books covers the victims' MIDs; the own sales (sandbox) are
    // checked by their cap counters and claims below.
    const own = new Set(ledger.attempts.filter((a) => a.mid === OWN_MID).map((a) => a.transactionId));
    const report = audit(
      gateways,
      {
        attempts: ledger.attempts.filter((a) => !own.has(a.transactionId)),
        transactions: new Map([...ledger.transactions].filter(([id]) => !own.has(id))),
        pins: ledger.pins,
      },
      LOOKUP_GATEWAYS,
    );

    // Cap counters against the approved amounts, MID by MID.
    const ctx = routerContext(router);
    const caps: string[] = [];
    const capProblems: string[] = [];
    for (const mid of [...VICTIM_MIDS, OWN_MID]) {
      const counters = capCounters(ctx.mids.get(mid)!, 'USD', DAY_START);
      const approved = [...ledger.transactions.values()].filter((t) => t.mid === mid && t.status === 'captured');
      const amount = approved.reduce((s, t) => s + t.amount, 0);
      for (const u of await store.capUsage(mid, counters)) {
        caps.push(`${mid} ${u.window} ${u.amount}/${u.count}`);
        if (u.amount !== amount || u.count !== approved.length)
          capProblems.push(`${mid} ${u.window}: counter ${u.amount}/${u.count}, approved ${amount}/${approved.length}`);
      }
    }

    // The customer's view of each victim key: approved exactly when a gateway holds its charge.
    const keyOf = new Map([...ledger.transactions.values()].map((t) => [t.id, t.idempotencyKey]));
    const attemptTx = new Map(ledger.attempts.map((a) => [a.id, a.transactionId]));
    const chargedKeys = new Map<string, number>();
    for (const g of gateways)
      for (const e of g.book()) {
        const key = keyOf.get(attemptTx.get(e.reference) ?? '');
        if (key) chargedKeys.set(key, (chargedKeys.get(key) ?? 0) + 1);
      }
    const keyProblems: string[] = [];
    for (const rec of records) {
      const key = victimSale(rec.n).idempotencyKey;
      const f = rec.final!;
      const txs = [...ledger.transactions.values()].filter((t) => t.idempotencyKey === key);
      if (txs.length !== 1) keyProblems.push(`${key}: ${txs.length} transactions in the ledger`);
      if ((chargedKeys.get(key) ?? 0) > 1) keyProblems.push(`${key}: charged ${chargedKeys.get(key)} times (double charge)`);
      if (f.rejection === 'idempotency_in_progress') keyProblems.push(`${key}: still in progress after reconcile (stuck)`);
      else if (f.ok !== chargedKeys.has(key))
        keyProblems.push(`${key}: answers ${word(f)} but the gateways hold ${chargedKeys.get(key) ?? 0} charge(s)`);
      else if (f.ok && f.transactionId !== txs[0]?.id) keyProblems.push(`${key}: answers ${f.transactionId}, the ledger has ${txs[0]?.id}`);
      if (rec.late?.rejection === 'idempotency_in_progress')
        keyProblems.push(`${key}: still in progress when retried after its lease (stuck)`);
    }

    const phases = tally(records.map((r) => r.phase));
    const booked = victimBooks();
    const bookedAfter = records.filter(
      (r) =>
        ['after the open, before the booking', 'between attempts (cascade)'].includes(r.phase) && r.attempts.some((id) => booked.has(id)),
    ).length;
    const answeredAtOnce = records.filter((r) => r.atOnce.rejection !== 'idempotency_in_progress');
    const byLate = records.filter(
      (r) => r.atOnce.rejection === 'idempotency_in_progress' && r.late && r.late.rejection !== 'idempotency_in_progress',
    );
    const byReconcile = records.filter((r) => r.atOnce.rejection === 'idempotency_in_progress' && !r.late);
    console.log(
      `\n[kill test: ${name}] ${records.length} victims SIGKILLed (seed ${SEED}) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `a victim's sale took ~${expected.toFixed(1)} ms (median, without held requests); ` +
        `${(waitedForReady / 1000).toFixed(1)} s waiting for victims to start\n` +
        `  kills by phase: ${JSON.stringify(phases)}; charged after the kill (the request was in flight): ${bookedAfter}\n` +
        `  retry right after the kill: ${JSON.stringify(tally(records.map((r) => word(r.atOnce))))}\n` +
        `  retry after the lease: ${JSON.stringify(tally(records.flatMap((r) => (r.late ? [word(r.late)] : []))))}\n` +
        `  keys answered at once ${answeredAtOnce.length}, recovered by a retry after the lease ${byLate.length}, left to reconcile ${byReconcile.length} ` +
        `(claims in progress before it ${stuckBefore}); reconcile ${JSON.stringify(reconciled)}\n` +
        `  final answers: ${JSON.stringify(tally(records.map((r) => word(r.final!))))}\n` +
        `  long-lived server's own sales: ${ownSales.sales} ${JSON.stringify(ownSales.outcomes)}\n` +
        `  gateway charges ${report.gatewayCharges}, approved in the ledger exactly once ${report.approvedInLedger}, victim keys charged ${[...chargedKeys.keys()].filter((k) => k.startsWith('kill-')).length}; ` +
        `claims in progress ${inProgress.length}, attempts pending ${pending.length}; caps ${caps.join(', ')}\n` +
        `  violations: ${report.violations.length + keyProblems.length + capProblems.length}` +
        [...report.violations, ...keyProblems, ...capProblems]
          .slice(0, 20)
          .map((x) => `\n    ${x}`)
          .join('') +
        '\n',
    );
    // Diagnose what is left pending: what do the ledger and the gateway say about it now?
    for (const a of pending.slice(0, 5)) {
      const tx = await store.getTransaction(a.transactionId);
      const mid = ctx.mids.get(a.mid)!;
      const found = await mid.adapter
        .lookup?.({ reference: a.id, transactionId: a.transactionId, amount: a.amount, currency: a.currency, merchant: mid.merchant })
        .catch((e: Error) => `threw ${e.message}`);
      console.log(
        `  pending ${a.id} on ${a.mid} (${a.amount}): transaction ${tx?.status ?? 'missing'}; lookup now ${JSON.stringify(found)}`,
      );
    }
    await router.close();

    expect(records.map((r) => r.signal)).toEqual(records.map(() => 'SIGKILL'));
    expect(report.violations).toEqual([]);
    expect(keyProblems).toEqual([]);
    expect(capProblems).toEqual([]);
    expect(inProgress).toEqual([]);
    expect(pending).toEqual([]);
    // The kills really were spread over the sale.
    expect(Object.keys(phases).length).toBeGreaterThanOrEqual(5);
  } finally {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await Promise.all(gateways.map((g) => g.close()));
  }
}

describe('200 sales, each by a process SIGKILLed at a random point, next to a second server (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-kill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('SQLite file shared by two processes: no double charge, no lost approval, no key stuck, caps exact', async () => {
    const path = join(dir, 'kill.db');
    await killRun(
      'SQLite',
      `sqlite:${path}`,
      () => sqliteStore({ path }),
      () => sqliteLedger(path),
    );
  }, 1_200_000); // about 1 min on a quiet machine; 7+ under heavy load
});

describePg('200 sales, each by a process SIGKILLed at a random point, next to a second server (PostgreSQL)', (url) => {
  const schema = scratchSchema(url, 'kill');
  it('PostgreSQL database shared by two processes: no double charge, no lost approval, no key stuck, caps exact', async () => {
    await killRun(
      'PostgreSQL',
      `pg:${url}:${schema}`,
      () => postgresStore({ connectionString: url, schema }),
      () => postgresLedger(url, schema),
    );
  }, 1_200_000); // about 1 min on a quiet machine; 7+ under heavy load
});
