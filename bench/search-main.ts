/**
 * `npm run bench:search`: the support search on 1,000,000 transactions (SWITCHYARD_BENCH_SEARCH_ROWS
 * to change it) on SQLite and PostgreSQL, p50 and p99 per filter, figures to
 * bench/results/search.json. PostgreSQL: SWITCHYARD_BENCH_PG_URL, or a throw-away embedded server.
 * Loading takes minutes on a small machine; `npm run bench` runs a 50,000-row version on SQLite.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startThrowawayPostgres } from '../test/support/embedded-postgres';
import { searchBench } from './search';

const rows = Number(process.env.SWITCHYARD_BENCH_SEARCH_ROWS ?? 1_000_000);
const queries = Number(process.env.SWITCHYARD_BENCH_SEARCH_QUERIES ?? 200);

async function main() {
  const started = Date.now();
  const server = process.env.SWITCHYARD_BENCH_PG_URL ? undefined : await startThrowawayPostgres();
  const pgUrl = process.env.SWITCHYARD_BENCH_PG_URL ?? server!.url;
  try {
    const figures = await searchBench({ rows, queries, pgUrl, log: (s) => console.log(s) });
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      loadAverageAtEnd: loadavg()[0],
      postgresServer: process.env.SWITCHYARD_BENCH_PG_URL ? 'SWITCHYARD_BENCH_PG_URL' : 'embedded-postgres',
      ...figures,
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    const out = join(process.cwd(), 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'search.json'), `${JSON.stringify(results, null, 2)}\n`);
    const row = (a: string, b: string, c: string) => console.log(`${a.padEnd(30)} ${b.padEnd(28)} ${c}`);
    row('filter', 'SQLite p50 / p99 ms', 'PostgreSQL p50 / p99 ms');
    const s = figures.sqlite as { searches: Record<string, { p50ms: number; p99ms: number }>; midStatus: { p50ms: number; p99ms: number } };
    const p = figures.postgres as typeof s | null;
    for (const [name, f] of Object.entries(s.searches)) {
      const g = p?.searches[name];
      row(name, `${f.p50ms} / ${f.p99ms}`, g ? `${g.p50ms} / ${g.p99ms}` : '—');
    }
    row('midStatus()', `${s.midStatus.p50ms} / ${s.midStatus.p99ms}`, p ? `${p.midStatus.p50ms} / ${p.midStatus.p99ms}` : '—');
  } finally {
    await server?.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
