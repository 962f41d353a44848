import pg from 'pg';
import { afterAll } from 'vitest';
import { postgresStore } from '../../src/store/postgres';
import { runStoreConformance } from './conformance';
import { runSearchConformance } from './conformance-search';
import { describePg, testSchema } from './pg-env';

describePg('postgresStore conformance', (url) => {
  const schemas: string[] = [];
  afterAll(async () => {
    const pool = new pg.Pool({ connectionString: url });
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pool.end();
  });

  runStoreConformance('postgresStore (real server)', async () => {
    const schema = testSchema('conf');
    schemas.push(schema);
    const store = postgresStore({ connectionString: url, schema });
    await store.ready();
    return store;
  });
  runSearchConformance('postgresStore (real server)', async () => {
    const schema = testSchema('search');
    schemas.push(schema);
    const store = postgresStore({ connectionString: url, schema });
    await store.ready();
    return store;
  });
});
