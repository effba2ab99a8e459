/**
 * The run contract: what the workflow, the activities, the executors and the
 * clients agree on. Pure (no Node API, no I/O): workflow code imports it,
 * and nothing here imports from worker/ or functions/.
 */
export * from './activities.ts';
export * from './block-error.ts';
export * from './envelope.ts';
export * from './limits.ts';
export * from './plan.ts';
export * from './run.ts';
export * from './store-keys.ts';
export * from './response-headers.ts';
export * from './concurrency.ts';
export * from './approval.ts';
