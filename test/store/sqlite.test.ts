import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { sqliteStore } from '../../src/store/sqlite';
import { runStoreConformance } from './conformance';
import { runCredentialsConformance } from './conformance-credentials';
import { runThreeDSecureConformance } from './conformance-three-d-secure';
import { runWebhooksConformance } from './conformance-webhooks';
import { runLinksConformance } from './conformance-links';
import { runMonitoringConformance } from './conformance-monitoring';
import { runLinkChallengeConformance } from './conformance-link-challenge';
import { runSuccessRateConformance } from './conformance-success-rate';
import { runSearchConformance } from './conformance-search';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `conformance-${n++}.db`) }));
runCredentialsConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `credentials-${n++}.db`) }));
runThreeDSecureConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `three-ds-${n++}.db`) }));
runWebhooksConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `webhooks-${n++}.db`) }));
runLinksConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `links-${n++}.db`) }));
runMonitoringConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `monitoring-${n++}.db`) }));
runLinkChallengeConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `link-challenge-${n++}.db`) }));
runSuccessRateConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `success-rate-${n++}.db`) }));
runSearchConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `search-${n++}.db`) }));
