import { memoryStore } from '../../src/store/memory';
import { runStoreConformance } from './conformance';
import { runCredentialsConformance } from './conformance-credentials';

runStoreConformance('memoryStore', async () => memoryStore());
runCredentialsConformance('memoryStore', async () => memoryStore());
