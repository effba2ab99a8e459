export { bundleBatonWorkflows, createBatonWorker, WORKFLOWS_PATH, type BatonWorkerOptions } from './worker.ts';
export { createActivities, type ActivityDeps } from './activities/index.ts';
