/** Card handling: PAN, brand, BIN table. @module */
export * from './pan';
export * from './bin-table';
