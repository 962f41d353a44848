import { memoryStore } from '../../src/store/memory';
import { runStoreConformance } from './conformance';
import { runCredentialsConformance } from './conformance-credentials';
import { runLinksConformance } from './conformance-links';
import { runLinkChallengeConformance } from './conformance-link-challenge';
import { runThreeDSecureConformance } from './conformance-three-d-secure';
import { runWebhooksConformance } from './conformance-webhooks';
import { runSearchConformance } from './conformance-search';

runStoreConformance('memoryStore', async () => memoryStore());
runCredentialsConformance('memoryStore', async () => memoryStore());
runThreeDSecureConformance('memoryStore', async () => memoryStore());
runWebhooksConformance('memoryStore', async () => memoryStore());
runLinksConformance('memoryStore', async () => memoryStore());
runLinkChallengeConformance('memoryStore', async () => memoryStore());
runSearchConformance('memoryStore', async () => memoryStore());
