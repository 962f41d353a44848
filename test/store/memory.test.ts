import { memoryStore } from '../../src/store/memory';
import { runStoreConformance } from './conformance';
import { runCredentialsConformance } from './conformance-credentials';
import { runLinksConformance } from './conformance-links';
import { runMonitoringConformance } from './conformance-monitoring';
import { runLinkChallengeConformance } from './conformance-link-challenge';
import { runThreeDSecureConformance } from './conformance-three-d-secure';
import { runWebhooksConformance } from './conformance-webhooks';
import { runSuccessRateConformance } from './conformance-success-rate';

runStoreConformance('memoryStore', async () => memoryStore());
runCredentialsConformance('memoryStore', async () => memoryStore());
runThreeDSecureConformance('memoryStore', async () => memoryStore());
runWebhooksConformance('memoryStore', async () => memoryStore());
runLinksConformance('memoryStore', async () => memoryStore());
runMonitoringConformance('memoryStore', async () => memoryStore());
runLinkChallengeConformance('memoryStore', async () => memoryStore());
runSuccessRateConformance('memoryStore', async () => memoryStore());
