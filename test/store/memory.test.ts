import { memoryStore } from '../../src/store/memory';
import { runStoreConformance } from './conformance';

runStoreConformance('memoryStore', async () => memoryStore());
