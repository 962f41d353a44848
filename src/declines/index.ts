/** Decline vocabulary: standard reasons, normalization, tables. @module */
export * from './reasons';
export * from './normalize';
export * from './iso8583';
export * from './classifier';
export * from './tables';
