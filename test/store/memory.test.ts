import { memoryStore } from '../../src/store/memory';
import { runStoreConformance } from './conformance';
import { runSuccessRateConformance } from './conformance-success-rate';

runStoreConformance('memoryStore', async () => memoryStore());
runSuccessRateConformance('memoryStore', async () => memoryStore());
