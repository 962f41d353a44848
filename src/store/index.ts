/** Stores. @module */
export * from './types';
export { memoryStore } from './memory';
