import { memoryStore } from '../../src/store/memory';
import { runStoreConformance } from './conformance';
import { runSearchConformance } from './conformance-search';

runStoreConformance('memoryStore', async () => memoryStore());
runSearchConformance('memoryStore', async () => memoryStore());
