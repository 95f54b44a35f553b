/**
 * The Safety Index (平安指数) engine: pure functions from raw indicator values to scores, block
 * scores, the index, contributions and points lost (扣分项), grades, ranks and the city index.
 */
export * from './types.js';
export * from './measures.js';
export * from './normalise.js';
export * from './aggregate.js';
export * from './contributions.js';
export * from './grades.js';
export * from './weights.js';
export * from './compute.js';
export * from './sensitivity.js';
