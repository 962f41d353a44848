/**
 * `--compare <dir>`: the in-process scenarios (sale on memory and on SQLite, a routing decision
 * through `explain`) run against another build (a `dist/` folder, e.g. of an older commit) and the
 * current one alternately, twice each, in this one process, so both see the same machine load.
 * Only the public API is used, so any build that has `createRouter` can be compared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Figures, measure } from './measure';

/** What the scenarios need from a build. */
interface Build {
  label: 'current' | 'other';
  createRouter: (config: object) => {
    sale(req: object): Promise<{ isErr(): boolean }>;
    explain(req: object): unknown;
  };
  memoryStore: () => object;
  sqliteStore: (o: { path: string }) => object | Promise<object>;
  sandbox: () => object;
}

async function load(dir: string, label: Build['label']): Promise<Build> {
  const lib = await import(pathToFileURL(join(dir, 'index.js')).href);
  const { sandbox } = await import(pathToFileURL(join(dir, 'adapters/sandbox/index.js')).href);
  return { label, createRouter: lib.createRouter, memoryStore: lib.memoryStore, sqliteStore: lib.sqliteStore, sandbox };
}

const profile = {
  id: 'default',
  pools: {
    p: {
      strategy: 'weighted',
      members: [
        { mid: 'a', weight: 70 },
        { mid: 'b', weight: 30 },
      ],
    },
  },
  route: ['p'],
  cascade: { maxAttempts: 2 },
};

function routerOn(b: Build, store: object) {
  return b.createRouter({
    merchantAccounts: [
      { id: 'a', adapter: b.sandbox(), caps: { monthly: { amount: 1e15 } } },
      { id: 'b', adapter: b.sandbox() },
    ],
    profiles: [profile],
    store,
    fingerprintKey: 'bench-key',
  });
}

let n = 0;
const request = () => ({
  profile: 'default',
  idempotencyKey: `cmp-${++n}`,
  amount: 1999,
  currency: 'USD',
  card: { number: '4111111111111111', expMonth: 12, expYear: 2031, cvc: '123' },
  customer: { country: 'US' },
});

type Scenario = 'saleMemory' | 'saleSqlite' | 'explain';

async function run(b: Build, scenario: Scenario, timeMs: number, dir: string): Promise<Figures> {
  if (scenario === 'explain') {
    const router = routerOn(b, b.memoryStore());
    const req = request();
    return measure(`explain ${b.label}`, () => router.explain(req), timeMs);
  }
  const store = scenario === 'saleMemory' ? b.memoryStore() : await b.sqliteStore({ path: join(dir, `${b.label}-${++n}.db`) });
  const router = routerOn(b, store);
  try {
    return await measure(
      `${scenario} ${b.label}`,
      async () => {
        if ((await router.sale(request())).isErr()) throw new Error('sale failed');
      },
      timeMs,
    );
  } finally {
    await (store as { close?: () => unknown }).close?.();
  }
}

/** Figures of one scenario for both builds: each run, the means and current ÷ other. */
export interface ScenarioComparison {
  runs: Array<{ build: Build['label'] } & Figures>;
  other: { opsPerSec: number; p50us: number };
  current: { opsPerSec: number; p50us: number };
  /** Throughput ratio, current ÷ other (above 1: the current build is faster). */
  ratio: number;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Run every in-process scenario on both builds, alternately (other first), `reps` times each. */
export async function compareBuilds(o: { current: string; other: string; timeMs: number; reps?: number }) {
  const builds = [await load(resolve(o.other), 'other'), await load(resolve(o.current), 'current')];
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-compare-'));
  const out: Record<Scenario, ScenarioComparison> = {} as never;
  try {
    for (const scenario of ['saleMemory', 'saleSqlite', 'explain'] as const) {
      const runs: ScenarioComparison['runs'] = [];
      for (let rep = 0; rep < (o.reps ?? 2); rep++)
        for (const b of builds) runs.push({ build: b.label, ...(await run(b, scenario, o.timeMs, dir)) });
      const of = (label: string) => {
        const rs = runs.filter((r) => r.build === label);
        return { opsPerSec: Math.round(mean(rs.map((r) => r.opsPerSec))), p50us: round(mean(rs.map((r) => r.p50us))) };
      };
      out[scenario] = { runs, other: of('other'), current: of('current'), ratio: round(of('current').opsPerSec / of('other').opsPerSec) };
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
