import { memoryStore } from '../../src/store/memory';
import { runStoreConformance } from './conformance';
import { runLinksConformance } from './conformance-links';

runStoreConformance('memoryStore', async () => memoryStore());
runLinksConformance('memoryStore', async () => memoryStore());
