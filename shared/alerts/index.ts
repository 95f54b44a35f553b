/**
 * The alerting core (预警): one file per rule (rules/), the registry that builds the rule
 * configuration, the evaluation and the explanations from them, the per-key alert state machine,
 * silences, explanations in Chinese and English, and the noise simulation that justifies the
 * defaults. Pure: time comes in as `now`, and the server does every side effect.
 */
export * from './types.js';
export * from './text.js';
export * from './inputs.js';
export * from './rules/definition.js';
export * from './rules/index.js';
export * from './rule-set.js';
export { minutes } from './config.js';
export * from './silences.js';
export { acknowledge, type LifecycleParams } from './lifecycle.js';
export * from './format.js';
export * from './why.js';
export * from './noise.js';
export * from './subscriptions.js';
