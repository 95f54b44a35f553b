/**
 * The alerting core (预警): rule configuration, observations, the per-key alert state machine, one
 * evaluation over a whole city, explanations in Chinese and English, and the noise simulation that
 * justifies the defaults. Pure: time comes in as `now`, and the server does every side effect.
 */
export * from './types.js';
export * from './config.js';
export * from './silences.js';
export * from './lifecycle.js';
export * from './observe.js';
export * from './evaluate.js';
export * from './format.js';
export * from './why.js';
export * from './explain.js';
export * from './noise.js';
export * from './subscriptions.js';
