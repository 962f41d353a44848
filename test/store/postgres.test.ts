import pg from 'pg';
import { afterAll } from 'vitest';
import { postgresStore } from '../../src/store/postgres';
import { runStoreConformance } from './conformance';
import { runCredentialsConformance } from './conformance-credentials';
import { runThreeDSecureConformance } from './conformance-three-d-secure';
import { runWebhooksConformance } from './conformance-webhooks';
import { runLinksConformance } from './conformance-links';
import { runMonitoringConformance } from './conformance-monitoring';
import { runLinkChallengeConformance } from './conformance-link-challenge';
import { runSuccessRateConformance } from './conformance-success-rate';
import { runSearchConformance } from './conformance-search';
import { describePg, testSchema } from './pg-env';

describePg('postgresStore conformance', (url) => {
  const schemas: string[] = [];
  afterAll(async () => {
    const pool = new pg.Pool({ connectionString: url });
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pool.end();
  });

  /** A store on a schema of its own (dropped at the end). */
  const fresh = async () => {
    const schema = testSchema('conf');
    schemas.push(schema);
    const store = postgresStore({ connectionString: url, schema });
    await store.ready();
    return store;
  };
  runStoreConformance('postgresStore (real server)', fresh);
  runCredentialsConformance('postgresStore (real server)', fresh);
  runThreeDSecureConformance('postgresStore (real server)', fresh);
  runWebhooksConformance('postgresStore (real server)', fresh);
  runLinksConformance('postgresStore (real server)', fresh);
  runMonitoringConformance('postgresStore (real server)', fresh);
  runLinkChallengeConformance('postgresStore (real server)', fresh);
  runSuccessRateConformance('postgresStore (real server)', fresh);
  runSearchConformance('postgresStore (real server)', fresh);
});
