import { memoryStore } from '../../src/store/memory';
import { runStoreConformance } from './conformance';
import { runCredentialsConformance } from './conformance-credentials';
import { runThreeDSecureConformance } from './conformance-three-d-secure';

runStoreConformance('memoryStore', async () => memoryStore());
runCredentialsConformance('memoryStore', async () => memoryStore());
runThreeDSecureConformance('memoryStore', async () => memoryStore());
