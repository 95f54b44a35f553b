export * from './tokens.js';
export * from './indicators.js';
export * from './snapshots.js';
export * from './weights.js';
export * from './feeds.js';
export * from './alerts.js';
export * from './settings.js';
export * from './reports.js';
