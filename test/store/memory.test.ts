import { memoryStore } from '../../src/store/memory';
import { runStoreConformance } from './conformance';
import { runThreeDSecureConformance } from './conformance-three-d-secure';

runStoreConformance('memoryStore', async () => memoryStore());
runThreeDSecureConformance('memoryStore', async () => memoryStore());
