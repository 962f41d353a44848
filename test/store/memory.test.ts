import { memoryStore } from '../../src/store/memory';
import { runStoreConformance } from './conformance';
import { runWebhooksConformance } from './conformance-webhooks';

runStoreConformance('memoryStore', async () => memoryStore());
runWebhooksConformance('memoryStore', async () => memoryStore());
