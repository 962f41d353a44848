import pg from 'pg';
import { afterAll } from 'vitest';
import { postgresStore } from '../../src/store/postgres';
import { runStoreConformance } from './conformance';
import { runCredentialsConformance } from './conformance-credentials';
import { runThreeDSecureConformance } from './conformance-three-d-secure';
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
  runCredentialsConformance('postgresStore (real server)', async () => {
    const schema = testSchema('cred');
    schemas.push(schema);
    const store = postgresStore({ connectionString: url, schema });
    await store.ready();
    return store;
  });
  runThreeDSecureConformance('postgresStore (real server)', async () => {
    const schema = testSchema('tds');
    schemas.push(schema);
    const store = postgresStore({ connectionString: url, schema });
    await store.ready();
    return store;
  });
});
