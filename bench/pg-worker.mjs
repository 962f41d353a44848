/**
 * One checkout server of the PostgreSQL throughput scenario (bench/pg.ts). Plain JavaScript on
 * the public API only (`createRouter`, `postgresStore`, `sandbox` from a build's entry points),
 * so the same script runs against any build: the current sources or an older `dist/`.
 *
 * It sells through sandbox MIDs (two unless `mids` says) with monthly caps (far from full, so every
 * sale reserves cap room), `concurrency` sales in flight, unique idempotency keys, and counts the store's round trips to
 * PostgreSQL through the `pg.Pool` it gives the store. Prints `ready`, waits for `go` on stdin,
 * sells for warm-up + measure ms, then prints one JSON line of figures.
 *
 * Usage: node bench/pg-worker.mjs '<json: { lib, url, schema, worker, concurrency, warmupMs, measureMs, mids?, caps? }>'
 */
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const cfg = JSON.parse(process.argv[2]);
const { createRouter, postgresStore } = await import(pathToFileURL(join(cfg.lib, 'index.js')).href);
const { sandbox } = await import(pathToFileURL(join(cfg.lib, 'adapters/sandbox/index.js')).href);

/** Every statement a client sends is one round trip; a write outside BEGIN … COMMIT commits on its own. */
const counts = { reads: 0, writes: 0, begins: 0, commitStatements: 0, rollbacks: 0, autocommits: 0 };
let counting = false;
function count(client, q) {
  const text = (typeof q === 'string' ? q : (q?.text ?? '')).trimStart().slice(0, 80).toUpperCase();
  if (!counting) return;
  if (text.startsWith('BEGIN')) {
    counts.begins++;
    client.inTx = true;
  } else if (text.startsWith('COMMIT')) {
    counts.commitStatements++;
    client.inTx = false;
  } else if (text.startsWith('ROLLBACK')) {
    counts.rollbacks++;
    client.inTx = false;
  } else if (text.startsWith('SELECT') && !text.includes('APPLY_WRITE')) {
    counts.reads++;
  } else {
    counts.writes++;
    if (!client.inTx) counts.autocommits++;
  }
}

const pool = new pg.Pool({ connectionString: cfg.url, max: 10 });
pool.on('error', () => undefined); // an idle connection dropped: the next query reports it
// Every query, whether through pool.query or a checked-out client, goes through a client's query.
pool.on('connect', (client) => {
  const query = client.query.bind(client);
  client.query = (...args) => {
    count(client, args[0]);
    return query(...args);
  };
});

const store = postgresStore({ pool, schema: cfg.schema });
await store.ready();
// Caps far from full, so every sale reserves room; `mids` and `caps: false` are profiling knobs.
const CAP = { monthly: { amount: 1e13, count: 1e9 } };
const mids = Array.from({ length: cfg.mids ?? 2 }, (_, i) => `pg-${String.fromCharCode(97 + i)}`);
const router = createRouter({
  merchantAccounts: mids.map((id) => ({ id, adapter: sandbox(), currencies: ['USD'], ...(cfg.caps !== false && { caps: CAP }) })),
  profiles: [
    {
      id: 'default',
      pools: { p: { strategy: 'weighted', members: mids.map((mid) => ({ mid, weight: 1 })) } },
      route: ['p'],
      cascade: { maxAttempts: 2 },
    },
  ],
  store,
  fingerprintKey: 'bench-key',
});

const print = (line) => writeSync(1, `${line}\n`);
print('ready');
const input = createInterface({ input: process.stdin });
await input[Symbol.asyncIterator]().next(); // go
input.close();
process.stdin.destroy(); // nothing more to read: let the process end when the work is done

const start = performance.now();
const from = start + cfg.warmupMs;
const until = from + cfg.measureMs;
let n = 0;
let inWindow = 0;
const approved = { count: 0, amount: 0, byMid: {} };
const failures = {};
counting = true;
// CPU over the measured window only (warm-up and JIT excluded), per sale finished in it.
let cpuFrom;
let cpuMs = 0;
setTimeout(() => {
  cpuFrom = process.cpuUsage();
}, cfg.warmupMs);
setTimeout(() => {
  const d = process.cpuUsage(cpuFrom);
  cpuMs = (d.user + d.system) / 1000;
}, cfg.warmupMs + cfg.measureMs);
async function loop() {
  while (performance.now() < until) {
    const i = n++;
    const amount = 1_000 + (i % 997);
    const r = await router.sale({
      profile: 'default',
      idempotencyKey: `w${cfg.worker}-${i}`,
      amount,
      currency: 'USD',
      card: { number: '4111111111111111', expMonth: 12, expYear: 2031, cvc: '123' },
      customer: { country: 'US' },
    });
    const t = performance.now();
    if (t >= from && t < until) inWindow++;
    if (r.isOk()) {
      approved.count++;
      approved.amount += r.value.amount;
      approved.byMid[r.value.mid] = (approved.byMid[r.value.mid] ?? 0) + r.value.amount;
    } else {
      const k = `${r.error.kind}${r.error.rejection ? `:${r.error.rejection}` : ''}`;
      failures[k] = (failures[k] ?? 0) + 1;
    }
  }
}
await Promise.all(Array.from({ length: cfg.concurrency }, loop));
counting = false;
print(JSON.stringify({ worker: cfg.worker, sales: n, inWindow, measureMs: cfg.measureMs, approved, failures, counts, cpuMs }));
await store.close();
await pool.end();
